"""Shared fakes: Google's TTS endpoint answered locally with real MP3 bytes."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import responses
from pydub import AudioSegment
from pydub.generators import Sine

from tts.audio import ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "article.txt"
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
    attempts: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self._lock:
            self.attempts += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            failing = self.fail_times > 0
            if failing:
                self.fail_times -= 1
            down = self.down_after is not None and len(self.texts) >= self.down_after
        try:
            if self.latency:
                time.sleep(self.latency)
            if down:
                raise requests.ConnectionError("fake outage")
            if failing:
                return self.fail_status, {"Retry-After": "0"}, "error"
            text = spoken_text(request.body or "")
            with self._lock:
                self.texts.append(text)
            return 200, {}, batchexecute_body(fake_speech(len(text)))
        finally:
            with self._lock:
                self.in_flight -= 1


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """Google reachable and answering with real MP3 bytes."""
    fake = FakeGoogle()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, ENDPOINT, callback=fake.answer)
        mock.add(responses.HEAD, HOST, status=200)
        yield fake


@pytest.fixture
def offline() -> Iterator[None]:
    """No network at all: every request fails to connect."""
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        yield


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[..., Path]:
    """Write a text file into the test's folder and return its path."""
    def write(content: str | bytes, name: str = "article.txt") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path
    return write


def silent_gaps(audio: AudioSegment, min_ms: int, thresh: float = -50.0, step: int = 5) -> list[int]:
    """Lengths of the silences of at least ``min_ms`` between sounds, as a listener hears them.

    Measured in short windows: pydub's ``detect_silence`` averages over a
    ``min_ms``-long window, which folds quiet speech tails into the gap.
    """
    gaps, start = [], None
    for pos in range(0, len(audio), step):
        quiet = audio[pos:pos + step].dBFS < thresh
        if quiet and start is None:
            start = pos
        elif not quiet and start is not None:
            if start > 0 and pos - start >= min_ms:
                gaps.append(pos - start)
            start = None
    return gaps


def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start_ms, end_ms, title) of each chapter, as ffmpeg reads them from ``path``."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                           "-f", "ffmetadata", "-"], capture_output=True, check=True)
    chapters = []
    for section in proc.stdout.decode("utf-8").split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in section.strip().splitlines() if "=" in line)
        num, den = map(int, fields["TIMEBASE"].split("/"))
        scale = 1000 * num / den
        chapters.append((int(fields["START"]) * scale, int(fields["END"]) * scale, fields["title"]))
    return chapters


def integrated_loudness(path: Path) -> float:
    """The file's integrated loudness in LUFS, as ffmpeg's ebur128 filter measures it."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path),
                           "-af", "ebur128=framelog=quiet", "-f", "null", "-"],
                          capture_output=True, check=True)
    return float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", proc.stderr.decode())[-1])
