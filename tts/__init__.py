"""article-tts: turn written articles into audio people listen to.

The Python API::

    from pathlib import Path
    from tts import render

    result = render(Path("data/article.txt"), "article.mp3", engine="espeak")
    print(result.output, result.duration_ms)

The names below are imported when first used, so that importing the package (as the
``article-tts`` command does first) loads neither numpy nor the pipeline: the command
sets up the process (tts/__main__.py) before they load.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

# pydub warns at import when ffmpeg is not on PATH; we run the bundled ffmpeg
# ourselves (tts.audio.clip.ffmpeg_exe), so the warning would only mislead users.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import pydub  # noqa: F401

from tts.version import __version__

if TYPE_CHECKING:
    from tts.api import play, render, say
    from tts.config import RenderConfig
    from tts.errors import ArticleTTSError
    from tts.types import PlayResult, RenderResult

# Each public name and the module that defines it.
EXPORTS = {"play": "tts.api", "render": "tts.api", "say": "tts.api", "RenderConfig": "tts.config",
           "ArticleTTSError": "tts.errors", "PlayResult": "tts.types", "RenderResult": "tts.types"}

__all__ = ["ArticleTTSError", "PlayResult", "RenderConfig", "RenderResult", "__version__", "play",
           "render", "say"]


def __getattr__(name: str) -> Any:
    """A public name, imported on first use (PEP 562); then kept as a plain attribute."""
    if name not in EXPORTS:
        raise AttributeError(f"module 'tts' has no attribute {name!r}")
    value = getattr(importlib.import_module(EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the ones not yet imported included (for ``dir`` and ``help``)."""
    return sorted(set(globals()) | set(EXPORTS))
