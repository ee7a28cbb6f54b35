"""article-tts: turn written articles into audio people listen to."""

import warnings

# pydub warns at import when ffmpeg is not on PATH; we run the bundled ffmpeg
# ourselves (tts.audio.ffmpeg_exe), so the warning would only mislead users.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
    import pydub  # noqa: F401

from tts.version import __version__  # noqa: E402

__all__ = ["__version__"]
