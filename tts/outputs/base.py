"""What a side output is: its option, its checks, and the text it writes from a finished render."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tts.audio.export import check_writable
from tts.config import RenderConfig
from tts.types import Placed, Plan, Tags, Word


@dataclass(frozen=True)
class SideInput:
    """What every side output is made from: the render as written, its words timed once."""

    plan: Plan
    timeline: Sequence[Placed]
    duration_ms: int
    output: Path
    """The audio file (``-`` for standard output)."""
    config: RenderConfig
    source: str
    tags: Tags
    """The audio's tags, as written into it."""
    words: Mapping[int, Sequence[Word]]
    """Each paragraph's written words with their times, by the paragraph's index."""


def writable(path: Path, output: Path, option: str) -> None:
    """The check most side outputs need: ``path`` can be written."""
    check_writable(path, option)


def same_suffix(path: Path, option: str) -> str:
    """In a batch, a side output keeps the extension given (``x.json`` -> ``<name>.json``)."""
    return path.suffix.lower() or f".{path.name.lstrip('.').lower()}"


@dataclass(frozen=True)
class SideOutput:
    """One file a render can write besides its audio, registered once in tts.outputs.registry.

    ``name`` is the keyword of ``tts.api.render`` and the RenderConfig field (or the
    key in ``RenderConfig.side_outputs`` for one registered by another package);
    ``--name`` is its command-line option.
    """

    name: str
    metavar: str
    help: str
    write: Callable[[Path, SideInput], str]
    """The file's text, from the finished render."""
    check: Callable[[Path, Path, str], None] = writable
    """Before any work: fail when ``path`` cannot be written next to the audio ``output``."""
    batch_suffix: Callable[[Path, str], str] = same_suffix
    """The extension each article's file gets in a batch, from the value of the option."""

    @property
    def option(self) -> str:
        return f"--{self.name.replace('_', '-')}"

    def path(self, config: RenderConfig) -> Path | None:
        """The file this output goes to in ``config``; None when not asked for."""
        return config.side_output(self.name)
