"""Errors raised by article-tts: one base class, each subclass says what to do next."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tts.types import Chunk


def install_extra_hint(extra: str) -> str:
    """How to install an optional extra, from a clone (the usual case) or from a package index."""
    return (f"install the {extra} extra: pip install -e '.[{extra}]' in a clone of article-tts "
            f"(pip install 'article-tts[{extra}]' where it is installed from a package index)")


class ArticleTTSError(Exception):
    """Base of every error this package raises on purpose.

    ``exit_code`` follows click's convention: 2 for bad usage or unusable input,
    1 for a failure while synthesizing or writing.
    """

    exit_code = 1


class InputError(ArticleTTSError):
    """The input cannot be read or holds nothing to speak."""

    exit_code = 2


class ConfigError(ArticleTTSError):
    """An option has a value we cannot use."""

    exit_code = 2


class UnknownVoice(ConfigError):
    """A voice name the engine does not know; ``problem`` says so without the command line's
    next step, for the front doors (the server) whose clients name a voice otherwise."""

    def __init__(self, problem: str, step: str) -> None:
        super().__init__(f"{problem}: {step}")
        self.problem = problem


class EngineError(ArticleTTSError):
    """An engine failed to synthesize a chunk."""


class EngineUnavailable(EngineError):
    """An engine cannot run on this machine (library missing, host unreachable)."""


class NetworkError(EngineError):
    """A request to a remote TTS service failed.

    ``retryable`` is true for failures that may pass on their own
    (timeouts, connection errors, 429 and 5xx answers).
    """

    def __init__(self, message: str, *, retryable: bool = False,
                 retry_after: float | None = None, status: int | None = None,
                 unreachable: bool = False, reason: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.unreachable = unreachable
        """No connection could be made at all (as opposed to a slow or failing answer)."""
        self.reason = reason or message
        """The cause alone, without the next step the message ends with."""

    @property
    def throttled(self) -> bool:
        """The service asked us to slow down (HTTP 429)."""
        return self.status == 429


class OutputError(ArticleTTSError):
    """The output file cannot be written."""


class Cancelled(Exception):
    """A chunk not started because an earlier one failed for good."""


class ChunkFailed(EngineError):
    """A chunk that could not be made, with the cause and how many tries it took."""

    def __init__(self, chunk: Chunk, cause: EngineError, tries: int) -> None:
        super().__init__(str(cause))
        self.chunk, self.cause, self.tries = chunk, cause, tries

    @property
    def chunk_order(self) -> tuple[int, int]:
        return self.chunk.paragraph, self.chunk.index


class PlayerError(ArticleTTSError):
    """No player, or the player stopped before the end."""


class NoAudioDevice(PlayerError):
    """The player started but could not open a sound card or reach a sound server."""


class StdoutClosed(ArticleTTSError):
    """Standard output was closed by its reader (``| head``): the run ends without a word.

    The exit code is the shell's for a command ended by SIGPIPE, as ``cat`` would get.
    """

    exit_code = 141


class FetchError(ArticleTTSError):
    """A web page could not be fetched: the message names the URL and the HTTP status or cause."""


class EngineNotInstalled(EngineUnavailable):
    """An optional engine whose extra is not installed: fixed by installing it, so a usage error."""

    exit_code = 2
