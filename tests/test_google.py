"""The gTTS engine through the real gTTS code, with Google's endpoint faked at the requests layer."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests
import responses
from conftest import ENDPOINT, MS_PER_CHAR, PAD_MS, FakeGoogle, rpc_parameter
from gtts.tts import gTTS

from tts.audio.clip import trim_silence
from tts.engines.google import MAX_CHARS, GoogleEngine
from tts.errors import ConfigError, EngineError, NetworkError

TEXT = "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي."


def test_synthesizes_text_in_one_request(google: FakeGoogle) -> None:
    clip = GoogleEngine().synthesize(TEXT)
    assert google.texts == [TEXT]
    assert clip.frame_rate == 24_000 and clip.channels == 1
    speech_ms = len(TEXT) * MS_PER_CHAR
    assert abs(len(clip) - (speech_ms + 2 * PAD_MS)) < 100
    assert abs(len(trim_silence(clip)) - speech_ms) < 60


def test_request_carries_language_and_speed(google: FakeGoogle) -> None:
    with responses.RequestsMock() as mock:
        captured: list[str] = []

        def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
            captured.append(str(request.body))
            return google.answer(request)

        mock.add_callback(responses.POST, ENDPOINT, callback=answer)
        GoogleEngine(lang="ar", slow=True).synthesize("مرحبا")
    assert rpc_parameter(captured[0])[:3] == ["مرحبا", "ar", True]


def test_limit_is_googles_so_gtts_never_splits_our_chunks(run, google: FakeGoogle, write_text) -> None:  # type: ignore[no-untyped-def]
    # gTTS splits any text longer than its own limit into several requests; ours must never
    # be: one request per chunk, each within the limit gTTS itself uses.
    assert GoogleEngine.max_chars == MAX_CHARS == gTTS.GOOGLE_TTS_MAX_CHARS
    words = " ".join(["كلمة"] * 60) + ". " + "ب" * 150
    result = run("render", str(write_text(words)), "--engine", "gtts", "-o", "a.mp3", "--dry-run")
    planned = [line for line in result.stdout.splitlines() if line.startswith("[")]
    done = run("render", str(write_text(words)), "--engine", "gtts", "-o", "a.mp3")
    assert done.exit_code == 0, done.stderr
    # One request per distinct chunk text: three chunks here are the same 20 words, and a
    # copy that starts after the first is stored is a cache hit (how many is up to timing).
    said = [line.split(": ", 1)[1] for line in planned]
    assert len(said) >= 4 and set(google.texts) == set(said)
    assert len(set(said)) <= len(google.texts) <= len(said)
    assert all(len(text) <= MAX_CHARS for text in google.texts)


def test_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no language 'xx'"):
        GoogleEngine(lang="xx")


def test_unreachable_says_cause_and_next_step(offline: None) -> None:
    with pytest.raises(NetworkError) as info:
        GoogleEngine().synthesize(TEXT)
    assert "cannot reach Google TTS" in str(info.value)
    assert "--engine espeak" in str(info.value)
    assert info.value.retryable


def test_timeout_names_the_seconds() -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ENDPOINT, body=requests.ReadTimeout("slow"))
        with pytest.raises(NetworkError, match="did not answer within 3 s") as info:
            GoogleEngine(timeout=3).synthesize(TEXT)
    assert info.value.retryable


@pytest.mark.parametrize(
    ("status", "retryable", "words"),
    [(429, True, "rate-limiting"), (503, True, "503"), (403, False, "refused"),
     (404, False, "refused")],
)
def test_http_errors(google: FakeGoogle, status: int, retryable: bool, words: str) -> None:
    google.fail_status, google.fail_times = status, 1
    with pytest.raises(NetworkError, match=words) as info:
        GoogleEngine().synthesize(TEXT)
    assert info.value.retryable is retryable


def test_answer_without_audio() -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ENDPOINT, body=')]}\'\n\n[["wrb.fr","jQ1olc",null]]\n')
        with pytest.raises(EngineError, match="without audio"):
            GoogleEngine().synthesize(TEXT)


class Trickle(http.server.BaseHTTPRequestHandler):
    """Answers a byte every half second: each read is quick, the whole answer never ends."""

    sent: list[int]
    stop: threading.Event
    dropped: threading.Event
    headers_too: bool

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        lines = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\n"
        if not self.headers_too:
            self.wfile.write(lines)
            self.wfile.flush()
        for byte in (lines if self.headers_too else b"") + b")]}'" * 125:
            if self.stop.wait(0.5):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                self.dropped.set()  # the client cut the connection
                return
            self.sent.append(1)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("headers_too", [False, True])
def test_timeout_bounds_the_whole_request(headers_too: bool) -> None:
    sent: list[int] = []
    stop, dropped = threading.Event(), threading.Event()
    handler = type("Handler", (Trickle,), {"sent": sent, "stop": stop, "dropped": dropped,
                                           "headers_too": headers_too})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        engine = GoogleEngine(timeout=1, base_url=f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(NetworkError, match="did not answer within 1 s") as info:
            engine.synthesize(TEXT)
        given_up_after = len(sent)
        if not headers_too:  # the abandoned request does not keep its connection open
            assert dropped.wait(30) and len(sent) < 20
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    assert info.value.retryable and not info.value.unreachable
    # A byte every 0.5 s: cut near the 1 s deadline, far before the 500 bytes (250 s) end.
    assert given_up_after < 10
