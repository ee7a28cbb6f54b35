"""Engine registry: each engine registered once, built from a config, or picked automatically.

Other packages add engines through the ``article_tts.engines`` entry-point group
(as httpie's plugins do): each entry point names an ``EngineSpec`` (or a function
returning one). They are loaded only when a name is not built in, or when every
engine is listed (``engines``, ``voices``), so start-up stays fast; ``auto`` never
picks one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from tts.chars import primary
from tts.config import RenderConfig
from tts.engines.base import Engine, Voice
from tts.engines.espeak import EspeakEngine
from tts.engines.espeak import check_available as check_espeak
from tts.engines.espeak import voices as espeak_voices
from tts.errors import ConfigError

# How long ``--engine auto`` waits for an online engine before settling for an offline one.
AUTO_PROBE_SECONDS = 2.0
AUTO = "auto"
# The entry-point group of engines from other packages (pyproject: [project.entry-points]).
ENTRY_POINT_GROUP = "article_tts.engines"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineSpec:
    """How to build one engine, and how to tell whether it can run here.

    ``check(config, timeout)`` answers (usable, detail) without synthesizing; for an
    online engine it probes the service within ``timeout`` seconds. ``voices()`` lists
    what ``--voice`` takes, without the network (an online engine ships a snapshot).
    ``auto`` says whether ``--engine auto`` may pick it.
    """

    name: str
    build: Callable[[RenderConfig], Engine]
    check: Callable[[RenderConfig, float], tuple[bool, str]]
    offline: bool
    description: str
    voices: Callable[[], Sequence[Voice]] = tuple
    auto: bool = True


@dataclass(frozen=True)
class EngineStatus:
    """One line of ``article-tts engines``."""

    name: str
    usable: bool
    detail: str


REGISTRY: dict[str, EngineSpec] = {}


@dataclass
class Plugins:
    """Whether the entry-point group was read, and the problems found that are not yet told."""

    loaded: bool = False
    problems: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    """The engines registered from entry points: ``auto`` never picks them."""


PLUGINS = Plugins()


def load_plugins() -> list[str]:
    """Register the engines of the ``article_tts.engines`` entry points (once); the problems
    of those that could not be loaded, each returned once (one line each, for a warning).

    A built-in name is not replaced by a plugin's, nor is a plugin allowed to break a run.
    """
    if not PLUGINS.loaded:
        PLUGINS.loaded = True
        from importlib.metadata import entry_points  # reading the installed packages takes ms
        for point in entry_points(group=ENTRY_POINT_GROUP):
            problem = load_plugin(point.name, point.value, point.load)
            if problem:
                PLUGINS.problems.append(problem)
    told, PLUGINS.problems = PLUGINS.problems, []
    return told


def load_plugin(name: str, value: str, load: Callable[[], object]) -> str | None:
    """Register the engine one entry point names; why it could not be, or None."""
    if name in REGISTRY or name == AUTO:
        return f"engine plugin {name} ({value}) is ignored: {name} is built in"
    try:
        spec = load()
        if callable(spec) and not isinstance(spec, EngineSpec):
            spec = spec()
    except Exception as exc:  # a plugin's own bug must not stop a render with another engine
        return (f"engine plugin {name} ({value}) cannot be loaded ({type(exc).__name__}: "
                f"{exc}); reinstall or remove the package that provides it")
    if not isinstance(spec, EngineSpec):
        return (f"engine plugin {name} ({value}) gives {type(spec).__name__}, not an EngineSpec; "
                "ask its author to update it")
    REGISTRY[name] = replace(spec, name=name)  # --engine takes the entry point's name
    PLUGINS.names.add(name)
    return None


def with_plugins(warn: Callable[[str], None] = log.warning) -> dict[str, EngineSpec]:
    """Every engine, plugins included; a plugin that cannot be loaded is a warning (logged
    unless ``warn`` says otherwise)."""
    for problem in load_plugins():
        warn(problem)
    return REGISTRY


def register(spec: EngineSpec) -> None:
    """Make ``spec`` available to ``--engine``; ``auto`` tries engines in registration order."""
    if spec.name == AUTO:
        raise ValueError(f"{AUTO!r} is not an engine name")
    REGISTRY[spec.name] = spec


def unregister(name: str) -> None:
    """Forget an engine (for tests that register their own)."""
    REGISTRY.pop(name, None)


def names() -> tuple[str, ...]:
    """What ``--engine`` accepts: ``auto`` and every registered engine, plugins included."""
    return (AUTO, *with_plugins())


def is_known(name: str, warn: Callable[[str], None] = log.warning) -> bool:
    """Whether ``--engine name`` names an engine; plugins are read only for a name not built in."""
    return name == AUTO or name in REGISTRY or name in with_plugins(warn)


def spec_for(name: str) -> EngineSpec:
    """The registered engine called ``name``; ConfigError naming the choices otherwise."""
    if name in REGISTRY or name in with_plugins():
        return REGISTRY[name]
    raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(names())}")


def build(name: str, config: RenderConfig) -> Engine:
    """Construct the engine called ``name`` with the config's options."""
    return spec_for(name).build(config)


def choose(config: RenderConfig) -> tuple[Engine, str]:
    """The engine to use and a sentence saying why it was chosen.

    ``auto`` takes the first online engine that answers, else the first offline one; it
    tries only the engines registered in this process, never a plugin's (those are asked
    for by name), so a default render neither reads the entry points nor probes a service
    a package added.
    """
    if config.engine != AUTO:
        return build(config.engine, config), "asked for by name"
    reasons = []
    for spec in list(REGISTRY.values()):
        if spec.offline or not spec.auto or spec.name in PLUGINS.names:
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
    """The first registered engine that never touches the network (not a plugin's)."""
    return next((spec for spec in REGISTRY.values()
                 if spec.offline and spec.name not in PLUGINS.names), None)


def offline_hint(engine: Engine, verb: str = "render") -> str:
    """How to ``verb`` without the network, when ``engine`` needs it; "" when it does not."""
    fallback = offline_engine()
    if engine.offline or fallback is None:
        return ""
    return f"use --engine {fallback.name} to {verb} offline"


def statuses(config: RenderConfig) -> list[EngineStatus]:
    """Whether each engine can run here, and why not."""
    result = []
    for spec in list(with_plugins().values()):
        usable, detail = spec.check(config, AUTO_PROBE_SECONDS)
        result.append(EngineStatus(spec.name, usable, f"{spec.description}; {detail}"))
    return result


def voices(which: str | None = None) -> list[Voice]:
    """Every registered engine's voices, by engine then language; ``which`` keeps one engine's
    (``edge``) or one language's (``ar`` takes ``ar-EG`` too, ``ar-EG`` only that locale)."""
    specs = [spec_for(which)] if which in with_plugins() else list(REGISTRY.values())
    found = [voice for spec in specs for voice in spec.voices()]
    if which and which not in REGISTRY:
        found = [v for v in found if speaks(v, which)]
        if not found:
            raise ConfigError(f"no voice for {which!r}; give a language (ar, ar-EG) or an engine "
                              f"({', '.join(REGISTRY)}), or nothing to list them all")
    return sorted(found, key=lambda v: (v.engine, v.lang.lower(), v.gender, v.name))


def speaks(voice: Voice, lang: str) -> bool:
    """Whether ``voice`` is in ``lang``: a language takes all its regions, a locale only itself."""
    wanted, own = lang.lower().replace("_", "-"), voice.lang.lower().replace("_", "-")
    return own == wanted if "-" in wanted else primary(own) == wanted


def build_google(config: RenderConfig) -> Engine:
    # Imported when used: gTTS and requests take 0.15-0.2 s to import, a tenth of an
    # offline render of an article.
    from tts.engines.google import GoogleEngine
    return GoogleEngine(config.lang, config.tld, config.slow, config.timeout)


def check_google(config: RenderConfig, timeout: float) -> tuple[bool, str]:
    from tts.engines.google import check_reachable
    return check_reachable(config.tld, timeout)


def build_edge(config: RenderConfig) -> Engine:
    # Imported when used: edge-tts brings aiohttp, which a start-up need not load.
    from tts.engines.edge import EdgeEngine
    return EdgeEngine(config.voice, config.lang, config.rate, config.pitch, config.timeout)


def check_edge(config: RenderConfig, timeout: float) -> tuple[bool, str]:
    from tts.engines.edge import check_installed
    return check_installed()


def edge_voices() -> Sequence[Voice]:
    from tts.engines.edge import voices as snapshot
    return snapshot()


def build_piper(config: RenderConfig) -> Engine:
    # Imported when used: piper-tts is an optional extra, and it loads onnxruntime (0.2 s).
    from tts.engines.piper import PiperEngine
    return PiperEngine(config.voice, config.rate, config.lang)


def check_piper(config: RenderConfig, timeout: float) -> tuple[bool, str]:
    from tts.engines.piper import check_available
    return check_available(config.voice)


def piper_voices() -> Sequence[Voice]:
    from tts.engines.piper import list_voices
    return list_voices()


register(EngineSpec("gtts", build_google, check_google, offline=False, description="Google TTS"))
register(EngineSpec(
    "espeak", lambda c: EspeakEngine(c.espeak_voice, c.rate, c.lang),
    lambda c, timeout: check_espeak(), offline=True, description="offline voice",
    voices=espeak_voices))
# Not tried by auto: Google stays the online voice auto picks; Edge is asked for by name.
register(EngineSpec("edge", build_edge, check_edge, offline=False,
                    description="Microsoft Edge neural voices", voices=edge_voices, auto=False))
# After espeak, which stays the offline voice ``auto`` falls back to: piper needs a voice file.
register(EngineSpec("piper", build_piper, check_piper, offline=True,
                    description="Piper voice files", voices=piper_voices, auto=False))
