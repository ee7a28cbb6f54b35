"""Google's voice through the real gTTS library, one request per chunk."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from gtts import gTTS, gTTSError
from gtts.lang import tts_langs
from gtts.version import __version__ as GTTS_VERSION
from pydub import AudioSegment

from tts.audio.clip import decode
from tts.engines.base import retry_after_seconds
from tts.errors import ConfigError, EngineError, NetworkError
from tts.types import Rule

# Google refuses longer texts in one request; at this size each chunk is one request.
MAX_CHARS = 100
# Google answers with 24 kHz mono MP3.
SAMPLE_RATE = 24_000
# Said at the end of every network failure: what the user can do about it.
NEXT_STEP = "rerun the same command to resume, or use --engine espeak to render offline"
# Where gTTS posts its requests, under the host.
API_PATH = "/_/TranslateWebserverUi/data/batchexecute"

T = TypeVar("T")


class DeadlineExceeded(Exception):
    """The whole request took longer than its timeout."""


def within_deadline(work: Callable[[], T], seconds: float) -> T:
    """``work()``'s result, or DeadlineExceeded once ``seconds`` have passed, whatever it is doing.

    requests' timeout bounds each socket read, not the request: a server sending a
    byte every half second holds it forever. So the request runs in its own daemon
    thread, given up at the deadline (AimedTTS then cuts its connection).
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
    thread = threading.Thread(target=run, name="gtts-request", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise DeadlineExceeded()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


class AimedTTS(gTTS):  # type: ignore[misc]
    """gTTS sent to ``base_url`` (a stand-in server in tests) instead of Google's host, whose
    answer is cut off at ``deadline`` (``time.monotonic()``), so a request given up by
    ``within_deadline`` does not hold its connection open."""

    def __init__(self, *args: Any, base_url: str | None = None, deadline: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url, self.deadline = base_url, deadline
        self.cut = False
        self.timers: list[threading.Timer] = []
        """Whether the answer was cut off at the deadline (its error is then a timeout)."""

    def _prepare_requests(self) -> list[requests.PreparedRequest]:
        prepared: list[requests.PreparedRequest] = super()._prepare_requests()
        for request in prepared:
            if self.base_url:
                request.prepare_url(self.base_url.rstrip("/") + API_PATH, None)
            if self.deadline is not None:
                # Called with the headers, before requests reads the body.
                request.register_hook("response", self.cut_at_deadline)
        return prepared

    def cut_at_deadline(self, response: requests.Response, **_: Any) -> None:
        """Shut the answer's connection down at the deadline, waking a blocked read."""
        left = max(0.0, (self.deadline or 0.0) - time.monotonic())
        timer = threading.Timer(left, self.shut_down, args=(response,))
        timer.daemon = True
        timer.start()
        self.timers.append(timer)

    def stop_timers(self) -> None:
        """Cancel the deadline timers of answers already read (no thread waits them out)."""
        for timer in self.timers:
            timer.cancel()


    def shut_down(self, response: requests.Response) -> None:
        """End a response's connection now (urllib3 2.3+ wakes a read blocked in another thread)."""
        self.cut = True
        cut_connection(response)


def read_all(tts: AimedTTS) -> bytes:
    """Every audio byte of ``tts``'s answers; its deadline timers stopped once read."""
    try:
        return b"".join(tts.stream())
    finally:
        tts.stop_timers()


def cut_connection(response: requests.Response) -> None:
    """Shut down or close the connection a response is read from."""
    raw = response.raw
    with contextlib.suppress(Exception):
        if hasattr(raw, "shutdown"):
            raw.shutdown()
        else:  # pragma: no cover - older urllib3
            raw.close()


def host_url(tld: str) -> str:
    """The Google Translate host gTTS talks to."""
    return f"https://translate.google.{tld}"


class GoogleEngine:
    """gTTS with our chunking, a timeout, and errors that say what to do next."""

    name = "gtts"
    offline = False
    max_chars: int | None = MAX_CHARS
    max_concurrency: int | None = None  # each request is independent; --jobs bounds how many
    # Google reads bare Arabic well, and marks would only lengthen its 100-character chunks.
    tashkeel = False
    rules: tuple[Rule, ...] = ()
    # Not measured (Google is unreachable from where this was built, and the tests' fake
    # speaks at a constant): its Arabic voice is a little faster than espeak's default.
    chars_per_second = 13.0
    # A request has one language: a Latin run in Arabic text is a request of its own.
    inline_languages = False
    phoneme_input = False
    frame_rate = SAMPLE_RATE

    def __init__(self, lang: str = "ar", tld: str = "com", slow: bool = False,
                 timeout: float = 15.0, base_url: str | None = None) -> None:
        langs = tts_langs()
        if lang not in langs:
            raise ConfigError(
                f"Google TTS has no language {lang!r}; try one of: "
                + ", ".join(sorted(langs)[:12]) + ", ..."
            )
        self.lang, self.tld, self.slow, self.timeout = lang, tld, slow, timeout
        # Google has one voice per language; the host's domain gives some of them an accent.
        self.voice = f"{lang} (google.{tld})"
        self.base_url = base_url
        """Where requests go instead of ``translate.google.<tld>`` (for tests)."""

    def cache_key(self) -> dict[str, str]:
        return {"engine": self.name, "version": GTTS_VERSION, "lang": self.lang,
                "tld": self.tld, "slow": str(self.slow)}

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        # No pre-processors: the text is already normalized and chunked by us,
        # and gTTS's English-oriented substitutions could push it past the limit.
        tts = AimedTTS(text, lang=lang or self.lang, tld=self.tld, slow=self.slow, lang_check=False,
                       pre_processor_funcs=[], timeout=self.timeout, base_url=self.base_url,
                       deadline=time.monotonic() + self.timeout)
        try:
            # --timeout bounds the whole request, connect to last byte.
            data = within_deadline(lambda: read_all(tts), self.timeout)
        except DeadlineExceeded:
            raise self.too_slow() from None
        except gTTSError as exc:
            raise (self.too_slow() if tts.cut else self.explain(exc)) from exc
        if not data:
            raise EngineError(f"Google TTS sent no audio for {text[:40]!r}; {NEXT_STEP}")
        return decode(data, SAMPLE_RATE)

    def too_slow(self) -> NetworkError:
        """The error for a request that took longer than --timeout, connect to last byte."""
        why = f"Google TTS did not answer within {self.timeout:g} s"
        return NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why)

    def explain(self, exc: gTTSError) -> EngineError:
        """Turn gTTS's error into ours: the cause, whether a retry may help, the next step."""
        rsp, cause = exc.rsp, exc.__context__
        host = host_url(self.tld)
        if rsp is None:
            if isinstance(cause, requests.Timeout):
                why = f"Google TTS did not answer within {self.timeout:g} s"
            else:
                why = f"cannot reach Google TTS at {host}"
            return NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why,
                                unreachable=not isinstance(cause, requests.Timeout))
        status = rsp.status_code
        if status == 429 or status >= 500:
            why = ("Google TTS is rate-limiting us (429 Too Many Requests)" if status == 429
                   else f"Google TTS failed ({status} {rsp.reason})")
            return NetworkError(f"{why}; {NEXT_STEP}", retryable=True,
                                retry_after=_retry_after(rsp), status=status, reason=why)
        if status == 200:
            return EngineError(
                f"Google TTS answered without audio; is {self.lang!r} a language it speaks?"
            )
        return NetworkError(f"Google TTS refused the request ({status} {rsp.reason}); "
                            f"check --lang and --tld, or use --engine espeak", status=status)


def _retry_after(rsp: requests.Response) -> float | None:
    """Seconds to wait from the answer's Retry-After header."""
    return retry_after_seconds(rsp.headers.get("Retry-After"))


def check_reachable(tld: str = "com", timeout: float = 2.0) -> tuple[bool, str]:
    """Whether Google's TTS host answers within ``timeout`` seconds, and why not."""
    try:
        requests.head(host_url(tld), timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        return False, f"{host_url(tld)} did not answer within {timeout:g} s"
    except requests.RequestException as exc:
        return False, f"cannot reach {host_url(tld)} ({type(exc).__name__})"
    return True, f"{host_url(tld)} answered"
