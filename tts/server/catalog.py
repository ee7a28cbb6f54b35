"""What the server offers: model names and voice names, and the engine and voice each one means."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tts import engines
from tts.types import Voice

# OpenAI's model names, mapped to our engines in order of preference: the first one
# registered is used. tts-1 is OpenAI's fast model: our offline voice, which answers at
# once and never needs the network. The "hd" and newer models prefer the natural neural
# voices when their engines are registered (Edge online, Piper offline), then Google.
MODEL_ENGINES: dict[str, tuple[str, ...]] = {
    "tts-1": ("espeak",),
    "tts-1-hd": ("edge", "piper", "gtts", "espeak"),
    "gpt-4o-mini-tts": ("edge", "piper", "gtts", "espeak"),
}
# OpenAI's voice names, each mapped to an Arabic voice of each engine with voices to
# choose from, keeping OpenAI's gender: espeak-ng's Arabic voice with one of its variants
# (m1-m7 male, f1-f5 female), and Microsoft's Arabic neural voices from several regions.
# An engine missing from a voice's map (Google has one voice) uses its own default.
OPENAI_VOICES: dict[str, dict[str, str]] = {
    "alloy": {"espeak": "ar+f2", "edge": "ar-SA-ZariyahNeural"},
    "ash": {"espeak": "ar+m1", "edge": "ar-SA-HamedNeural"},
    "ballad": {"espeak": "ar+m2", "edge": "ar-EG-ShakirNeural"},
    "coral": {"espeak": "ar+f4", "edge": "ar-EG-SalmaNeural"},
    "echo": {"espeak": "ar+m3", "edge": "ar-AE-HamdanNeural"},
    "fable": {"espeak": "ar+m4", "edge": "ar-JO-TaimNeural"},
    "onyx": {"espeak": "ar+m7", "edge": "ar-SY-LaithNeural"},
    "nova": {"espeak": "ar+f3", "edge": "ar-AE-FatimaNeural"},
    "sage": {"espeak": "ar+f1", "edge": "ar-JO-SanaNeural"},
    "shimmer": {"espeak": "ar+f5", "edge": "ar-LB-LaylaNeural"},
    "verse": {"espeak": "ar+m5", "edge": "ar-LB-RamiNeural"},
    "marin": {"espeak": "ar+f2", "edge": "ar-QA-AmalNeural"},
    "cedar": {"espeak": "ar+m6", "edge": "ar-QA-MoazNeural"},
}
# What a request without a model gets (OpenAI requires one; some scripts leave it out).
DEFAULT_MODEL = "tts-1"


@dataclass(frozen=True)
class Choice:
    """The engine that speaks a request, and the voice it is given (None: its default)."""

    engine: str
    voice: str | None


@dataclass(frozen=True)
class Defaults:
    """The user's default engine and voice (``article-tts config show``), for model aliases."""

    engine: str | None = None
    """What the aliases (tts-1, tts-1-hd...) mean; None or ``auto``: their own preference."""
    voice: str | None = None
    """What OpenAI's voice names say on the engine this voice belongs to."""

    def engine_for(self, model: str) -> str | None:
        """The default engine when ``model`` is an alias and the engine is registered."""
        if model in MODEL_ENGINES and self.engine in engines.REGISTRY:
            return self.engine
        return None

    def voice_for(self, engine: str) -> str | None:
        """The default voice when ``engine`` speaks it: the default engine's, or one it lists."""
        if self.voice is None:
            return None
        if engine == self.engine:
            return self.voice
        listed = next((v for v in engine_voices() if v.name == self.voice), None)
        return self.voice if listed is not None and listed.engine == engine else None


def model_ids() -> list[str]:
    """Every name ``model`` takes: OpenAI's aliases, then each registered engine's name."""
    return [*MODEL_ENGINES, *engines.REGISTRY]


def engine_for_model(model: str) -> str | None:
    """The registered engine a model name means; None when it names nothing we have."""
    if model in engines.REGISTRY:
        return model
    preferred = MODEL_ENGINES.get(model, ())
    found = next((name for name in preferred if name in engines.REGISTRY), None)
    if found is None and model in MODEL_ENGINES:
        fallback = engines.offline_engine()
        return None if fallback is None else fallback.name
    return found


def engine_voices() -> tuple[Voice, ...]:
    """Every voice each registered engine lists, Arabic ones first, in registration order.

    Listed once per set of engines: a listing may wait for an engine's lock (espeak's is
    held while it speaks), which a request must not do on the event loop each time.
    """
    return listed_voices(tuple(engines.REGISTRY.values()))


@functools.lru_cache(maxsize=8)
def listed_voices(specs: tuple[engines.EngineSpec, ...]) -> tuple[Voice, ...]:
    found = [voice for spec in specs for voice in safe_voices(spec)]
    return tuple(sorted(found, key=lambda v: not v.lang.lower().startswith("ar")))


def safe_voices(spec: engines.EngineSpec) -> list[Voice]:
    """``spec.voices()``; none when the engine cannot list them here (its library missing)."""
    try:
        return list(spec.voices())
    except Exception:  # a listing for a menu: an engine that cannot run shows no voices
        return []


def choose(model: str, voice: str, defaults: Defaults = Defaults()) -> Choice | None:
    """The engine and voice for a request; None when ``model`` names nothing we have.

    A voice one engine lists is spoken by that engine whatever the model. An alias means
    the user's default engine when one is set. An OpenAI name is the user's default voice
    on that voice's engine, else mapped for the model's engine; any other name goes to
    the model's engine as it is, which refuses it if it has no such voice.
    """
    listed = next((v for v in engine_voices() if v.name == voice), None)
    if listed is not None:
        return Choice(listed.engine, listed.name)
    engine = defaults.engine_for(model) or engine_for_model(model)
    if engine is None:
        return None
    if voice in OPENAI_VOICES:
        return Choice(engine, defaults.voice_for(engine) or OPENAI_VOICES[voice].get(engine))
    return Choice(engine, voice)


def voice_list() -> list[dict[str, str]]:
    """``/v1/audio/voices``: OpenAI's names (what clients offer), then every engine's voices."""
    shown = [{"id": name, "name": f"{name} (Arabic)"} for name in OPENAI_VOICES]
    for voice in engine_voices():
        detail = ", ".join(part for part in (voice.lang, voice.gender, voice.engine) if part)
        shown.append({"id": voice.name, "name": f"{voice.name} ({detail})"})
    return shown
