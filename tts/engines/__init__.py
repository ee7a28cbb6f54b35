"""Engine registry: each engine registered once, built from a config, or picked automatically."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tts.config import RenderConfig
from tts.engines.base import Engine, Voice
from tts.engines.espeak import EspeakEngine
from tts.engines.espeak import check_available as check_espeak
from tts.engines.espeak import list_voices as list_espeak_voices
from tts.errors import ConfigError

# How long ``--engine auto`` waits for an online engine before settling for an offline one.
AUTO_PROBE_SECONDS = 2.0
AUTO = "auto"


@dataclass(frozen=True)
class EngineSpec:
    """How to build one engine, and how to tell whether it can run here.

    ``check(config, timeout)`` answers (usable, detail) without synthesizing; for an
    online engine it probes the service within ``timeout`` seconds. ``voices()`` lists
    what ``--voice`` takes, without the network (an online engine ships a snapshot).
    """

    name: str
    build: Callable[[RenderConfig], Engine]
    check: Callable[[RenderConfig, float], tuple[bool, str]]
    offline: bool
    description: str
    voices: Callable[[], Sequence[Voice]] = tuple


@dataclass(frozen=True)
class EngineStatus:
    """One line of ``article-tts engines``."""

    name: str
    usable: bool
    detail: str


REGISTRY: dict[str, EngineSpec] = {}


def register(spec: EngineSpec) -> None:
    """Make ``spec`` available to ``--engine``; ``auto`` tries engines in registration order."""
    if spec.name == AUTO:
        raise ValueError(f"{AUTO!r} is not an engine name")
    REGISTRY[spec.name] = spec


def unregister(name: str) -> None:
    """Forget an engine (for tests that register their own)."""
    REGISTRY.pop(name, None)


def names() -> tuple[str, ...]:
    """What ``--engine`` accepts: ``auto`` and every registered engine."""
    return (AUTO, *REGISTRY)


def spec_for(name: str) -> EngineSpec:
    """The registered engine called ``name``; ConfigError naming the choices otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(names())}") from None


def build(name: str, config: RenderConfig) -> Engine:
    """Construct the engine called ``name`` with the config's options."""
    return spec_for(name).build(config)


def choose(config: RenderConfig) -> tuple[Engine, str]:
    """The engine to use and a sentence saying why it was chosen.

    ``auto`` takes the first online engine that answers, else the first offline one.
    """
    if config.engine != AUTO:
        return build(config.engine, config), "asked for with --engine"
    reasons = []
    for spec in REGISTRY.values():
        if spec.offline:
            continue
        usable, detail = spec.check(config, AUTO_PROBE_SECONDS)
        if usable:
            return spec.build(config), f"{spec.description} is reachable ({detail})"
        reasons.append(detail)
    fallback = offline_engine()
    if fallback is None:
        raise ConfigError("no offline engine is registered; choose one with --engine")
    why = f"offline voice, because {'; '.join(reasons)}" if reasons else "offline voice"
    return fallback.build(config), why


def offline_engine() -> EngineSpec | None:
    """The first registered engine that never touches the network."""
    return next((spec for spec in REGISTRY.values() if spec.offline), None)


def offline_hint(engine: Engine) -> str:
    """How to render without the network, when ``engine`` needs it; "" when it does not."""
    fallback = offline_engine()
    if engine.offline or fallback is None:
        return ""
    return f"use --engine {fallback.name} to render offline"


def statuses(config: RenderConfig) -> list[EngineStatus]:
    """Whether each engine can run here, and why not."""
    result = []
    for spec in REGISTRY.values():
        usable, detail = spec.check(config, AUTO_PROBE_SECONDS)
        result.append(EngineStatus(spec.name, usable, f"{spec.description}; {detail}"))
    return result


def build_google(config: RenderConfig) -> Engine:
    # Imported when used: gTTS and requests take 0.15-0.2 s to import, a tenth of an
    # offline render of an article.
    from tts.engines.google import GoogleEngine
    return GoogleEngine(config.lang, config.tld, config.slow, config.timeout)


def check_google(config: RenderConfig, timeout: float) -> tuple[bool, str]:
    from tts.engines.google import check_reachable
    return check_reachable(config.tld, timeout)


register(EngineSpec("gtts", build_google, check_google, offline=False, description="Google TTS"))
def espeak_voices() -> list[Voice]:
    """espeak-ng's voices, one per language it speaks (a voice's name is its language code)."""
    return [Voice("espeak", name, name) for name in list_espeak_voices()]


register(EngineSpec(
    "espeak", lambda c: EspeakEngine(c.espeak_voice, c.rate, c.lang),
    lambda c, timeout: check_espeak(), offline=True, description="offline voice",
    voices=espeak_voices))
