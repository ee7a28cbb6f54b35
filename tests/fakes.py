"""A fake Google TTS endpoint for tests and benchmarks: real gTTS requests, real MP3 answers."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests
import responses
from pydub import AudioSegment
from pydub.generators import Sine

from tts.audio.clip import ffmpeg_exe

ENDPOINT = re.compile(r"https://translate\.google\.[a-z.]+/_/TranslateWebserverUi/data/batchexecute")
HOST = re.compile(r"https://translate\.google\.[a-z.]+/?$")
# The fake voice speaks 60 ms per character, padded like Google's clips.
MS_PER_CHAR = 60
PAD_MS = 250


def encode_mp3(segment: AudioSegment) -> bytes:
    """MP3 bytes of ``segment`` made by the same ffmpeg the package uses."""
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "s16le",
               "-ar", str(segment.frame_rate), "-ac", "1", "-i", "pipe:0",
               "-f", "mp3", "-b:a", "32k", "pipe:1"]
    return subprocess.run(command, input=segment.raw_data, capture_output=True,
                          check=True).stdout


_mp3_by_length: dict[int, bytes] = {}
_mp3_lock = threading.Lock()


def fake_speech(chars: int) -> bytes:
    """A padded 24 kHz tone lasting MS_PER_CHAR per character, as MP3."""
    with _mp3_lock:
        if chars not in _mp3_by_length:
            silence = AudioSegment.silent(PAD_MS, frame_rate=24_000)
            tone = Sine(220).to_audio_segment(chars * MS_PER_CHAR, volume=-12)
            tone = tone.set_frame_rate(24_000).set_channels(1)
            _mp3_by_length[chars] = encode_mp3(silence + tone + silence)
        return _mp3_by_length[chars]


def batchexecute_body(mp3: bytes) -> str:
    """Google's batchexecute answer carrying ``mp3`` the way gTTS parses it."""
    payload = base64.b64encode(mp3).decode("ascii")
    return ")]}'\n\n" + '[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]\n'


def rpc_parameter(body: str | bytes) -> list[object]:
    """The ``[text, lang, slow, "null"]`` parameter gTTS put in a batchexecute request."""
    if isinstance(body, bytes):
        body = body.decode("ascii")
    rpc = json.loads(urllib.parse.unquote(body.removeprefix("f.req=").rstrip("&")))
    return list(json.loads(rpc[0][0][1]))


def spoken_text(body: str | bytes) -> str:
    """The text gTTS put in a batchexecute request body."""
    return str(rpc_parameter(body)[0])


@dataclass
class FakeGoogle:
    """Google's endpoint, scriptable: latency, failures, outages, in-flight count."""

    latency: float = 0.0
    fail_status: int = 0
    fail_times: int = 0
    down_after: int | None = None
    texts: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)  # the language of each request, as texts
    attempts: int = 0
    served: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    last_answer_at: float = 0.0  # time.time() of the latest successful answer
    answered_at: list[float] = field(default_factory=list)  # time.time() of each answer
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self._lock:
            self.attempts += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            failing = self.fail_times > 0
            if failing:
                self.fail_times -= 1
            down = self.down_after is not None and self.served >= self.down_after
            if not (down or failing):
                self.served += 1
        try:
            if self.latency:
                time.sleep(self.latency)
            if down:
                raise requests.ConnectionError("fake outage")
            if failing:
                return self.fail_status, {"Retry-After": "0"}, "error"
            text, lang = rpc_parameter(request.body or "")[:2]
            with self._lock:
                self.texts.append(str(text))
                self.langs.append(str(lang))
                self.last_answer_at = time.time()
                self.answered_at.append(self.last_answer_at)
            return 200, {}, batchexecute_body(fake_speech(len(str(text))))
        finally:
            with self._lock:
                self.in_flight -= 1


@contextmanager
def serve(fake: FakeGoogle) -> Iterator[FakeGoogle]:
    """Answer gTTS's requests with ``fake`` for the duration of the block."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, ENDPOINT, callback=fake.answer)
        mock.add(responses.HEAD, HOST, status=200)
        yield fake
