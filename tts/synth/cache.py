"""Content-addressed clip cache: finished clips survive a failed run, so a rerun resumes.

Each entry is one file holding its own key, the audio's format, optional JSON metadata
(word times) and the audio as FLAC, with a SHA-256 over all of them: an entry copied
over another, edited or damaged is discarded with a warning and made again, never
played as if right. The cache is kept under a size limit, least recently used first out.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import struct
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import platformdirs
from pydub import AudioSegment

from tts.errors import ConfigError
from tts.options import CACHE_DIR_ENV, CACHE_SIZE_ENV
from tts.types import WordTime
from tts.util.fsutil import NotRegularFile, TooLarge, make_temp, open_regular, read_regular, remove_stale_temps

APP_NAME = "article-tts"
# Bump when the stored format changes, so old entries are simply not found (and pruned).
# v3: one self-checking file per clip, FLAC inside.
LAYOUT = "clips-v3"
LAYOUT_PREFIX = "clips-v"
SUFFIX = ".clip"
MAGIC = b"ATTS-CLIP\n"
HEADER_LENGTH = struct.Struct(">I")
# A header holds a key, a format and word times: far below this.
MAX_HEADER_BYTES = 4 * 1024 * 1024
# FLAC of espeak's 22 kHz voice takes about 25 kB a second: 128 MB is over an hour of
# speech in one clip, more than any paragraph. A larger "entry" is not read at all.
MAX_ENTRY_BYTES = 128 * 1024 * 1024
# libsndfile's FLAC level 0.75 (libFLAC 6): 0.55x the WAV bytes of the article's clips;
# 1.0 gains 2% more for 60% more encoding time, and reading is as fast at every level.
FLAC_LEVEL = 0.75
# About 12 hours of espeak speech, or 5 of Google's; an option and a variable change it.
DEFAULT_LIMIT = 1_000_000_000
SIZE_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
SIZE_PATTERN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)b?\s*$", re.IGNORECASE)

Warn = Callable[[str], None]


def default_dir() -> Path:
    """``$ARTICLE_TTS_CACHE_DIR``, else the user cache folder of this platform."""
    return Path(os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir(APP_NAME))


def parse_size(text: str) -> int:
    """Bytes from ``500M``, ``2G``, ``1.5g``, ``750000k`` or a plain number of bytes."""
    match = SIZE_PATTERN.match(text)
    if not match:
        raise ConfigError(f"size {text!r} is not like 500M or 2G")
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2).lower()])


def default_limit() -> int:
    """``$ARTICLE_TTS_CACHE_SIZE`` when set, else DEFAULT_LIMIT."""
    value = os.environ.get(CACHE_SIZE_ENV)
    return parse_size(value) if value else DEFAULT_LIMIT


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
    limit_bytes: int


class Stored(NamedTuple):
    """A clip read back from the cache: its audio and, when known, its word times."""

    audio: AudioSegment
    words: tuple[WordTime, ...] | None = None
    """The word times stored with the clip; None when it was stored without any."""


class Damaged(ValueError):
    """An entry whose content is not what its name and checksum promise."""


def ignore_warning(message: str) -> None:
    """The default warning sink: say nothing."""


class ClipCache:
    """Clips stored one file per key, written atomically, checked on every read."""

    def __init__(self, root: Path, limit: int | None = None, warn: Warn = ignore_warning) -> None:
        self.root = Path(root)
        self.clips = self.root / LAYOUT
        self.scratch = self.clips / "tmp"
        self.limit = default_limit() if limit is None else limit
        self.warn = warn
        self._used: int | None = None  # bytes stored, counted on the first put
        self._lock = threading.Lock()

    def path_for(self, key: str) -> Path:
        return self.clips / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> Stored | None:
        """The clip stored under ``key``; None when absent, unusable (warned) or damaged (removed)."""
        path = self.path_for(key)
        data = self._read(path)
        if data is None:
            return None
        try:
            stored = decode_entry(data, key)
        except Damaged as exc:
            self.warn(f"discarded a damaged clip from the cache ({exc}); making it again")
            path.unlink(missing_ok=True)
            return None
        touch(path)  # most recently used: the last to be evicted
        return stored

    def _read(self, path: Path) -> bytes | None:
        """The entry's bytes, or None (with a warning for anything but absence)."""
        try:
            return read_regular(path, MAX_ENTRY_BYTES)
        except FileNotFoundError:
            return None
        except NotRegularFile as exc:
            self.warn(f"ignored the cache entry {path}: it is {exc.strerror}, not a file; "
                      f"remove it, or run `article-tts cache clear`")
        except TooLarge:
            self.warn(f"discarded the cache entry {path}: far larger than any clip; making it again")
            path.unlink(missing_ok=True)
        except OSError as exc:
            self.warn(f"cannot read the cache entry {path} ({exc.strerror or exc}); "
                      f"making the clip again")
        return None

    def contains(self, key: str) -> bool:
        """True when a whole entry is stored under ``key`` (a truncated one does not count)."""
        return self.duration_ms(key) is not None

    def duration_ms(self, key: str) -> int | None:
        """Length of a stored clip from its header, or None when absent, unusable or truncated."""
        try:
            with open_regular(self.path_for(key)) as (handle, size):
                header = read_header(handle)
        except (OSError, Damaged):
            return None
        if size != header["audio_at"] + header["audio_bytes"] or header["key"] != key:
            return None
        return int(header["frames"]) * 1000 // int(header["rate"])

    def check_usable(self) -> str | None:
        """Why clips cannot be stored here (a read-only or misnamed folder), or None.

        Also removes temp files that runs killed mid-write left behind.
        """
        try:
            self.scratch.mkdir(parents=True, exist_ok=True)
            make_temp(self.scratch).unlink()
        except OSError as exc:
            return f"{self.root}: {exc.strerror or exc}"
        remove_stale_temps(self.scratch)
        return None

    def put(self, key: str, audio: AudioSegment, words: Sequence[WordTime] | None = None) -> None:
        """Store ``audio`` (and its word times, when known): temp file, then ``os.replace``;
        then keep the limit."""
        path = self.path_for(key)
        meta = {} if words is None else {"words": [list(_word_fields(w)) for w in words]}
        data = encode_entry(key, audio, meta)
        if len(data) > MAX_ENTRY_BYTES:
            self.warn(f"a clip of {len(audio) / 60_000:.0f} minutes is too long to cache; "
                      f"a rerun makes it again")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.scratch.mkdir(parents=True, exist_ok=True)
        tmp = make_temp(self.scratch, SUFFIX)
        try:
            tmp.write_bytes(data)
            if path.is_dir() and not path.is_symlink():
                self.warn(f"cannot store a clip at {path}: a folder is there; remove it")
                tmp.unlink()
                return
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._account(len(data))

    def _account(self, added: int) -> None:
        """Add a new entry's size to the total; past the limit, evict the least recently used."""
        with self._lock:
            if self._used is None:
                self._used = sum(size for _, size, _ in self._entries())
            else:
                self._used += added
            over = self._used > self.limit
        if over:
            self.prune()

    def _entries(self) -> Iterator[tuple[Path, int, float]]:
        """(path, size, last use) of every regular entry file."""
        if not self.clips.is_dir():
            return
        for folder in os.scandir(self.clips):
            if not folder.is_dir(follow_symlinks=False) or len(folder.name) != 2:
                continue
            for entry in os.scandir(folder.path):
                if entry.name.endswith(SUFFIX) and entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    yield Path(entry.path), info.st_size, info.st_mtime

    def prune(self, limit: int | None = None) -> int:
        """Evict least recently used entries until the cache fits ``limit``; returns how many.

        Entries of older layouts and temp files of killed runs go as well.
        """
        limit = self.limit if limit is None else limit
        removed = self._remove_old_layouts()
        remove_stale_temps(self.scratch)
        entries = sorted(self._entries(), key=lambda e: e[2])
        total = sum(size for _, size, _ in entries)
        for path, size, _ in entries:
            if total <= limit:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        with self._lock:
            self._used = total
        return removed

    def _remove_old_layouts(self) -> int:
        """Delete the folders of earlier entry formats (never found again); count their files."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for folder in self.root.iterdir():
            if folder.name.startswith(LAYOUT_PREFIX) and folder.name != LAYOUT \
                    and folder.is_dir() and not folder.is_symlink():
                removed += sum(1 for f in folder.rglob("*") if f.is_file())
                shutil.rmtree(folder, ignore_errors=True)
        return removed

    def info(self) -> CacheInfo:
        entries = list(self._entries())
        return CacheInfo(self.root, len(entries), sum(size for _, size, _ in entries), self.limit)

    def clear(self) -> int:
        """Delete every stored clip (of any layout); returns how many were removed."""
        removed = self._remove_old_layouts()
        for path, _, _ in list(self._entries()):
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        shutil.rmtree(self.clips, ignore_errors=True)
        with self._lock:
            self._used = 0
        return removed


def _word_fields(word: WordTime) -> tuple[int, int, int, int]:
    return word.start, word.end, word.start_ms, word.end_ms


def touch(path: Path) -> None:
    """Mark an entry as just used (its mtime orders eviction); a read-only cache is fine."""
    with contextlib.suppress(OSError):
        os.utime(path)


def checksum(header: Mapping[str, Any], audio: bytes) -> str:
    """SHA-256 over the header's fields (key, format, metadata) and the audio bytes."""
    fields = {k: v for k, v in header.items() if k not in ("sha256", "audio_at")}
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8"))
    digest.update(audio)
    return digest.hexdigest()


def encode_entry(key: str, audio: AudioSegment, meta: Mapping[str, Any]) -> bytes:
    """One entry file: magic, header length, JSON header, FLAC audio."""
    if audio.sample_width != 2:
        audio = audio.set_sample_width(2)
    flac = encode_flac(audio)
    header: dict[str, Any] = {
        "key": key, "codec": "flac", "rate": audio.frame_rate, "channels": audio.channels,
        "width": 2, "frames": int(audio.frame_count()), "audio_bytes": len(flac),
        "meta": dict(meta),
    }
    header["sha256"] = checksum(header, flac)
    blob = json.dumps(header, sort_keys=True).encode("utf-8")
    return MAGIC + HEADER_LENGTH.pack(len(blob)) + blob + flac


def encode_flac(audio: AudioSegment) -> bytes:
    """``audio`` as 16-bit FLAC (empty bytes for an empty clip: FLAC needs a frame)."""
    if not audio.raw_data:
        return b""
    import soundfile  # libsndfile loads on first use: a render with --no-cache never needs it

    samples = np.frombuffer(audio.raw_data, dtype="<i2").reshape(-1, audio.channels)
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, audio.frame_rate, format="FLAC", subtype="PCM_16",
                    compression_level=FLAC_LEVEL)
    return buffer.getvalue()


def read_header(handle: BinaryIO) -> dict[str, Any]:
    """The entry's JSON header, with ``audio_at`` (where the audio starts) added."""
    head = handle.read(len(MAGIC) + HEADER_LENGTH.size)
    if len(head) < len(MAGIC) + HEADER_LENGTH.size or not head.startswith(MAGIC):
        raise Damaged("not a clip entry")
    (length,) = HEADER_LENGTH.unpack(head[len(MAGIC):])
    if length > MAX_HEADER_BYTES:
        raise Damaged("header too long")
    blob = handle.read(length)
    try:
        header = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Damaged("unreadable header") from exc
    if not isinstance(header, dict) or not header.keys() >= REQUIRED:
        raise Damaged("incomplete header")
    header["audio_at"] = len(head) + length
    return header


REQUIRED = frozenset({"key", "codec", "rate", "channels", "width", "frames", "audio_bytes",
                      "meta", "sha256"})


def decode_entry(data: bytes, key: str) -> Stored:
    """The clip in ``data``, after checking it is whole, ``key``'s, and as its checksum says."""
    header = read_header(io.BytesIO(data))
    audio = data[header["audio_at"]:]
    if len(audio) != header["audio_bytes"]:
        raise Damaged("truncated")
    if header["key"] != key:
        raise Damaged("it holds another text's clip")
    if checksum(header, audio) != header["sha256"]:
        raise Damaged("checksum mismatch")
    return Stored(decode_flac(audio, header), words_from(header["meta"]))


def decode_flac(flac: bytes, header: Mapping[str, Any]) -> AudioSegment:
    """The PCM in ``flac``, which must match the header's rate, channels and frame count."""
    rate, channels = int(header["rate"]), int(header["channels"])
    if not flac:
        pcm = b""
    else:
        import soundfile

        try:
            samples, decoded_rate = soundfile.read(io.BytesIO(flac), dtype="int16",
                                                   always_2d=True)
        except (RuntimeError, ValueError) as exc:  # libsndfile's errors derive from RuntimeError
            raise Damaged(f"undecodable audio ({exc})") from exc
        if decoded_rate != rate or samples.shape[1] != channels:
            raise Damaged("audio format differs from its header")
        pcm = samples.astype("<i2").tobytes()
    if len(pcm) != int(header["frames"]) * 2 * channels:
        raise Damaged("audio length differs from its header")
    return AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=channels)


def words_from(meta: Any) -> tuple[WordTime, ...] | None:
    """Word times from an entry's metadata (``[start, end, start_ms, end_ms]`` each), or None."""
    words = meta.get("words") if isinstance(meta, dict) else None
    if words is None:
        return None
    try:
        return tuple(WordTime(*map(int, w)) for w in words)
    except (TypeError, ValueError) as exc:
        raise Damaged("unreadable word times") from exc


__all__ = ["CacheInfo", "ClipCache", "Stored", "clip_key", "default_dir",
           "parse_size"]
