"""article-tts: turn written articles into audio people listen to.

The Python API::

    from pathlib import Path
    from tts import render

    result = render(Path("data/article.txt"), "article.mp3", engine="espeak")
    print(result.output, result.duration_ms)
"""

import warnings

# pydub warns at import when ffmpeg is not on PATH; we run the bundled ffmpeg
# ourselves (tts.audio.ffmpeg_exe), so the warning would only mislead users.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import pydub  # noqa: F401

from tts.api import play, render, say
from tts.config import RenderConfig
from tts.errors import ArticleTTSError
from tts.types import PlayResult, RenderResult
from tts.version import __version__

__all__ = ["ArticleTTSError", "PlayResult", "RenderConfig", "RenderResult", "__version__", "play",
           "render", "say"]
