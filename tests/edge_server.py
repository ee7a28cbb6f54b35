"""A real websocket server on 127.0.0.1 that answers edge-tts the way Microsoft's service does.

It checks the URL edge-tts builds (token, connection id, Sec-MS-GEC), reads the
speech.config and ssml messages, and answers with turn.start, binary audio frames
(2-byte big-endian header length, headers, MP3 bytes), one audio.metadata message per
WordBoundary and turn.end. Each connection plays the next scenario queued: a refused
handshake (403, 429, 503), a close mid-stream, truncated audio.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import edge_tts.communicate
from aiohttp import web
from edge_tts.constants import SEC_MS_GEC_VERSION, TRUSTED_CLIENT_TOKEN
from edge_tts.drm import generate_sec_ms_gec_v2

from tts.audio.clip import ffmpeg_exe

PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
# The fake voice: each letter takes this long, words are this far apart (a continuous tone,
# so no trimming or settling moves a word's start).
MS_PER_LETTER = 70
GAP_MS = 60
TICKS_PER_MS = 10_000
# Audio frames are sent in pieces of this size, as the service streams them.
FRAME_BYTES = 2_000
# Edge reports words without the punctuation around them.
PUNCTUATION = ".,;:!?،؛؟\"'()«»-"
SSML = re.compile(r"<voice name='(?P<voice>[^']+)'><prosody pitch='(?P<pitch>[^']+)' "
                  r"rate='(?P<rate>[^']+)' volume='[^']+'>(?P<text>.*)</prosody></voice>", re.S)


@dataclass
class Request:
    """One ssml request the server answered: what edge-tts sent and the boundaries sent back."""

    voice: str
    rate: str
    pitch: str
    text: str
    config: dict[str, object]
    boundaries: list[tuple[str, int, int]] = field(default_factory=list)
    """(word, start_ms, end_ms) as sent in WordBoundary events."""


@dataclass
class FakeEdge:
    """The server's address, what it is to do next, and what it saw."""

    url: str = ""
    scenarios: deque[str] = field(default_factory=deque)
    """One per connection, first first: ok, 403, 429, 503, close, truncate; then ok forever,
    or ``always`` set to one of them."""
    always: str | None = None
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_scenario(self) -> str:
        with self.lock:
            self.connections += 1
            return self.scenarios.popleft() if self.scenarios else (self.always or "ok")


def spoken_words(text: str) -> list[str]:
    """The words Edge would report for ``text``."""
    return [w for w in (token.strip(PUNCTUATION) for token in text.split()) if w]


def timeline(words: list[str]) -> tuple[list[tuple[str, int, int]], int]:
    """Each word's (start_ms, end_ms) in the fake voice, and the audio's length."""
    result, at = [], 0
    for word in words:
        length = MS_PER_LETTER * len(word)
        result.append((word, at, at + length))
        at += length + GAP_MS
    return result, at + GAP_MS


_mp3: dict[int, bytes] = {}
_mp3_lock = threading.Lock()


def tone_mp3(duration_ms: int) -> bytes:
    """A tone from the first sample for ``duration_ms``, as Edge's 24 kHz 48 kbps mono MP3.

    Encoded to a file, so it starts with the encoder's Info frame and a decoder lines its
    samples up with the boundaries."""
    with _mp3_lock:
        if duration_ms not in _mp3:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "tone.mp3"
                subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                                "-i", f"sine=frequency=330:sample_rate=24000:duration={duration_ms / 1000}",
                                "-af", "volume=0.5", "-c:a", "libmp3lame", "-b:a", "48k", str(path)],
                               check=True, capture_output=True)
                _mp3[duration_ms] = path.read_bytes()
        return _mp3[duration_ms]


def text_message(path: str, body: str = "") -> str:
    return (f"X-RequestId:fake\r\nContent-Type:application/json; charset=utf-8\r\nPath:{path}\r\n\r\n"
            f"{body}")


def audio_frame(data: bytes) -> bytes:
    headers = ("X-RequestId:fake\r\n" + ("Content-Type:audio/mpeg\r\n" if data else "")
               + "Path:audio\r\n").encode()
    return len(headers).to_bytes(2, "big") + headers + data


def boundary_message(word: str, start_ms: int, end_ms: int) -> str:
    event = {"Type": "WordBoundary", "Data": {
        "Offset": start_ms * TICKS_PER_MS, "Duration": (end_ms - start_ms) * TICKS_PER_MS,
        "text": {"Text": html.escape(word), "Length": len(word), "BoundaryType": "WordBoundary"}}}
    return text_message("audio.metadata", json.dumps({"Metadata": [event]}))


def parse(message: str) -> tuple[dict[str, str], str]:
    head, _, body = message.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n"))
    return headers, body


def valid_url(query: dict[str, str]) -> bool:
    """The query edge-tts builds: its token, a connection id, a fresh Sec-MS-GEC and its version."""
    now = time.time()
    tokens = {generate_sec_ms_gec_v2(now), generate_sec_ms_gec_v2(now - 300)}
    return (query.get("TrustedClientToken") == TRUSTED_CLIENT_TOKEN
            and re.fullmatch(r"[0-9a-f]{32}", query.get("ConnectionId", "")) is not None
            and query.get("Sec-MS-GEC") in tokens
            and query.get("Sec-MS-GEC-Version") == SEC_MS_GEC_VERSION)


async def answer(fake: FakeEdge, request: web.Request) -> web.StreamResponse:
    if not valid_url(dict(request.query)):
        return web.Response(status=400, text="bad query")
    scenario = fake.next_scenario()
    if scenario in ("403", "429", "503"):
        return web.Response(status=int(scenario), headers={"Retry-After": "0"})
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    config_headers, config_body = parse((await ws.receive()).data)
    ssml_headers, ssml = parse((await ws.receive()).data)
    assert config_headers["Path"] == "speech.config" and ssml_headers["Path"] == "ssml"
    found = SSML.search(ssml)
    assert found is not None, ssml
    text = html.unescape(found["text"])
    words, duration_ms = timeline(spoken_words(text))
    fake.requests.append(Request(found["voice"], found["rate"], found["pitch"], text,
                                 json.loads(config_body), words))
    mp3 = await asyncio.get_running_loop().run_in_executor(None, tone_mp3, duration_ms)
    await send_turn(ws, scenario, mp3, words)
    return ws


async def send_turn(ws: web.WebSocketResponse, scenario: str, mp3: bytes,
                    words: list[tuple[str, int, int]]) -> None:
    """turn.start, the audio in frames, a WordBoundary per word, turn.end (or less, as told)."""
    await ws.send_str(text_message("turn.start", '{"context":{"serviceTag":"fake"}}'))
    if scenario == "truncate":
        mp3 = mp3[:len(mp3) // 2]
    pieces = [mp3[i:i + FRAME_BYTES] for i in range(0, len(mp3), FRAME_BYTES)]
    if scenario == "close":  # the first piece and word, then the connection goes
        await ws.send_bytes(audio_frame(pieces[0]))
        await ws.send_str(boundary_message(*words[0]))
        await ws.close()
        return
    for piece in pieces:
        await ws.send_bytes(audio_frame(piece))
    for word in words:
        await ws.send_str(boundary_message(*word))
    await ws.send_bytes(audio_frame(b""))
    await ws.send_str(text_message("turn.end", "{}"))
    await ws.close()


@contextmanager
def serve_edge() -> Iterator[FakeEdge]:
    """The fake service on a free port, edge-tts pointed at it (WSS_URL is read by value there)."""
    fake = FakeEdge()
    app = web.Application()

    async def handle(request: web.Request) -> web.StreamResponse:
        return await answer(fake, request)
    app.router.add_get(PATH, handle)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake.url = f"ws://127.0.0.1:{port}{PATH}?TrustedClientToken={TRUSTED_CLIENT_TOKEN}"
    original = edge_tts.communicate.WSS_URL
    edge_tts.communicate.WSS_URL = fake.url
    try:
        yield fake
    finally:
        edge_tts.communicate.WSS_URL = original
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
