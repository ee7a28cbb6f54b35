"""Engine registry: build the engine a config names, or pick one automatically."""

from __future__ import annotations

from dataclasses import dataclass

from tts.config import RenderConfig
from tts.engines.base import Engine
from tts.engines.espeak import EspeakEngine
from tts.engines.espeak import check_available as check_espeak
from tts.engines.google import GoogleEngine, check_reachable

# How long ``--engine auto`` waits for Google before settling for the offline voice.
AUTO_PROBE_SECONDS = 2.0


@dataclass(frozen=True)
class EngineStatus:
    """One line of ``article-tts engines``."""

    name: str
    usable: bool
    detail: str


def build(name: str, config: RenderConfig) -> Engine:
    """Construct the engine called ``name`` with the config's options."""
    if name == "gtts":
        return GoogleEngine(config.lang, config.tld, config.slow, config.timeout)
    return EspeakEngine(config.espeak_voice, config.rate)


def choose(config: RenderConfig) -> tuple[Engine, str]:
    """The engine to use and a sentence saying why it was chosen."""
    if config.engine != "auto":
        return build(config.engine, config), "asked for with --engine"
    reachable, detail = check_reachable(config.tld, AUTO_PROBE_SECONDS)
    if reachable:
        return build("gtts", config), f"Google TTS is reachable ({detail})"
    return build("espeak", config), f"offline voice, because {detail}"


def statuses(tld: str = "com") -> list[EngineStatus]:
    """Whether each engine can run here, and why not."""
    reachable, detail = check_reachable(tld, AUTO_PROBE_SECONDS)
    espeak_ok, espeak_detail = check_espeak()
    return [
        EngineStatus("gtts", reachable, f"Google's voice; {detail}"),
        EngineStatus("espeak", espeak_ok, f"offline voice; {espeak_detail}"),
    ]
