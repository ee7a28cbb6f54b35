"""Content-addressed clip cache: finished clips survive a failed run, so a rerun resumes."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from pydub import AudioSegment

from tts.options import CACHE_DIR_ENV
from tts.types import WordTime

APP_NAME = "article-tts"
ENV_VAR = CACHE_DIR_ENV
# Bump when the stored format changes, so old entries are simply not found.
# v2: clips are stored with their edge silence already trimmed.
LAYOUT = "clips-v2"
WAV_HEADER_BYTES = 44  # what write_wav's plain PCM header takes
# A clip's word times live beside it (``<key>.words.json``), so the clip format can change alone.
WORDS_SUFFIX = ".words.json"


def default_dir() -> Path:
    """``$ARTICLE_TTS_CACHE_DIR``, else the user cache folder of this platform."""
    return Path(os.environ.get(ENV_VAR) or platformdirs.user_cache_dir(APP_NAME))


def clip_key(engine_key: Mapping[str, str], text: str, lang: str | None = None) -> str:
    """Hash of everything that changes the audio: engine, its version and options, the text,
    and the language of a chunk not in the article's (left out otherwise, so older clips stay valid)."""
    fields: dict[str, object] = {"engine": dict(engine_key), "text": text}
    if lang is not None:
        fields["lang"] = lang
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    """What ``article-tts cache info`` shows."""

    path: Path
    entries: int
    size_bytes: int


class ClipCache:
    """Clips stored as WAV files named by their key, written atomically.

    WAV because a damaged entry is easy to tell: its header promises more
    frames than the file holds. Such an entry is deleted and reported as a miss.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.clips = self.root / LAYOUT

    def path_for(self, key: str) -> Path:
        return self.clips / key[:2] / f"{key}.wav"

    def get(self, key: str) -> AudioSegment | None:
        """The clip stored under ``key``; None when absent or damaged (then removed)."""
        path = self.path_for(key)
        try:
            return read_wav(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, EOFError, wave.Error, ValueError):
            path.unlink(missing_ok=True)
            return None

    def contains(self, key: str) -> bool:
        """True when a whole clip is stored under ``key`` (a truncated one does not count)."""
        return self.duration_ms(key) is not None

    def duration_ms(self, key: str) -> int | None:
        """Length of a stored clip from its header, or None when absent or truncated."""
        path = self.path_for(key)
        try:
            with wave.open(str(path), "rb") as wav:
                frames, frame_bytes = wav.getnframes(), wav.getsampwidth() * wav.getnchannels()
                if path.stat().st_size < WAV_HEADER_BYTES + frames * frame_bytes:
                    return None
                return frames * 1000 // wav.getframerate()
        except (OSError, EOFError, wave.Error):
            return None

    def check_usable(self) -> str | None:
        """Why clips cannot be stored here (a read-only or misnamed folder), or None."""
        try:
            self.clips.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.clips, prefix=".tmp-probe-"):
                pass
        except OSError as exc:
            return f"{self.root}: {exc.strerror or exc}"
        return None

    def put(self, key: str, clip: AudioSegment) -> None:
        """Store ``clip``: temp file in the same folder, then ``os.replace``."""
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(write_wav(clip))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- word times: a JSON file beside each clip, kept apart from the clip's own format ---

    def put_words(self, key: str, words: Sequence[WordTime]) -> None:
        """Store the word times of the clip under ``key`` (before the clip: a clip is never
        found without them), atomically."""
        path = self.path_for(key).parent / f"{key}{WORDS_SUFFIX}"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [[w.start, w.end, w.start_ms, w.end_ms] for w in words]
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=WORDS_SUFFIX)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"words": rows}, handle)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_words(self, key: str) -> tuple[WordTime, ...] | None:
        """The word times stored with the clip under ``key``; None when absent or damaged."""
        path = self.path_for(key).parent / f"{key}{WORDS_SUFFIX}"
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))["words"]
            return tuple(WordTime(*(int(v) for v in row)) for row in rows)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            return None

    def info(self) -> CacheInfo:
        files = [f for f in self.clips.rglob("*.wav") if not f.name.startswith(".tmp-")] \
            if self.clips.is_dir() else []
        return CacheInfo(self.root, len(files), sum(f.stat().st_size for f in files))

    def clear(self) -> int:
        """Delete every stored clip; returns how many there were."""
        entries = self.info().entries
        shutil.rmtree(self.clips, ignore_errors=True)
        return entries


def write_wav(clip: AudioSegment) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(clip.channels)
        wav.setsampwidth(clip.sample_width)
        wav.setframerate(clip.frame_rate)
        wav.writeframes(clip.raw_data)
    return buffer.getvalue()


def read_wav(data: bytes) -> AudioSegment:
    """Decode a stored clip, refusing one that is shorter than its header says."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        width, channels = wav.getsampwidth(), wav.getnchannels()
        if len(frames) != wav.getnframes() * width * channels or not frames:
            raise ValueError("truncated clip")
        return AudioSegment(data=frames, sample_width=width, frame_rate=wav.getframerate(),
                            channels=channels)
