"""Every side output registered once: a new one is its module plus one ``register`` line here.

The command line makes an option of each (``--subtitles FILE``), the API a keyword
(``render(..., subtitles="a.srt")``), a render checks each before any work and writes
each after the audio, and a batch names each article's file by the output's extension.
"""

from __future__ import annotations

from pathlib import Path

from tts.audio.export import write_text
from tts.config import RenderConfig
from tts.outputs.base import SideInput, SideOutput
from tts.outputs.manifest import MANIFEST
from tts.outputs.page import PAGE
from tts.outputs.subtitles import SUBTITLES

SIDE_OUTPUTS: dict[str, SideOutput] = {}


def register(output: SideOutput) -> None:
    """Make ``output`` an option of ``render`` and ``play`` and a keyword of the API."""
    if not output.name.isidentifier():
        raise ValueError(f"a side output's name is a Python keyword argument, not {output.name!r}")
    SIDE_OUTPUTS[output.name] = output


def unregister(name: str) -> None:
    """Forget a side output (for tests that register their own)."""
    SIDE_OUTPUTS.pop(name, None)


def asked(config: RenderConfig) -> list[tuple[SideOutput, Path]]:
    """The side outputs ``config`` asks for, with their files, in registration order."""
    found = [(output, output.path(config)) for output in SIDE_OUTPUTS.values()]
    return [(output, path) for output, path in found if path is not None]


def side_files(config: RenderConfig) -> list[Path]:
    """The side files ``config`` asks for, in registration order."""
    return [path for _, path in asked(config)]


def check_side_files(config: RenderConfig, output: Path) -> None:
    """Fail before any work when a side file cannot be written next to the audio ``output``."""
    for side, path in asked(config):
        side.check(path, output, side.option)


def write_side_files(made: SideInput) -> list[Path]:
    """Write every side file the render's config asks for; the files written."""
    written = []
    for side, path in asked(made.config):
        write_text(path, side.write(path, made))
        written.append(path)
    return written


def batch_suffixes(given: dict[str, Path]) -> tuple[tuple[str, str], ...]:
    """Each side output given to a batch, with the extension every article's file gets."""
    return tuple((name, SIDE_OUTPUTS[name].batch_suffix(path, SIDE_OUTPUTS[name].option))
                 for name, path in given.items())


register(SUBTITLES)
register(MANIFEST)
register(PAGE)
