"""The clip cache: content addressing, self-checking entries, compact and bounded, never fooled."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTICLE
from pydub import AudioSegment
from pydub.generators import Sine, WhiteNoise

from tts.engines.espeak import EspeakEngine
from tts.errors import ConfigError
from tts.synth.cache import ClipCache, Stored, clip_key, parse_size
from tts.types import WordTime

KEY = {"engine": "gtts", "version": "2.5.4", "lang": "ar", "tld": "com", "slow": "False"}
A, B = "ab" * 32, "cd" * 32
# Drops the capabilities that let root read and write any file, so 0000 means unreadable.
WITHOUT_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def clip(ms: int = 800, freq: int = 300) -> AudioSegment:
    tone = Sine(freq).to_audio_segment(ms, volume=-10).overlay(WhiteNoise().to_audio_segment(ms, -40))
    return tone.set_frame_rate(24_000).set_channels(1).set_sample_width(2)


class Warnings(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


@pytest.fixture
def cache(tmp_path: Path) -> tuple[ClipCache, Warnings]:
    warnings = Warnings()
    return ClipCache(tmp_path, warn=warnings), warnings


def test_roundtrip_is_lossless_with_word_times(cache: tuple[ClipCache, Warnings]) -> None:
    store, _ = cache
    audio, words = clip(), (WordTime(0, 5, 10, 300), WordTime(6, 11, 320, 790))
    store.put(A, audio, words)
    back = store.get(A)
    assert isinstance(back, Stored) and back.audio.raw_data == audio.raw_data
    assert back.audio.frame_rate == 24_000 and back.words == words
    assert store.duration_ms(A) == 800 and store.contains(A)


def test_empty_clip_roundtrips(cache: tuple[ClipCache, Warnings]) -> None:
    store, _ = cache
    store.put(A, clip()[:0], words=())
    back = store.get(A)
    assert back is not None and len(back.audio) == 0 and back.words == ()


def test_a_clip_stored_without_word_times_says_so(cache: tuple[ClipCache, Warnings]) -> None:
    store, _ = cache
    store.put(A, clip())
    back = store.get(A)
    assert back is not None and back.words is None  # unknown, not "no words"


def test_key_covers_everything_that_changes_audio() -> None:
    base = clip_key(KEY, "مرحبا")
    assert clip_key(dict(KEY), "مرحبا") == base
    assert clip_key(KEY, "مرحبا.") != base
    for field, other in [("engine", "espeak"), ("version", "2.5.5"), ("lang", "en"),
                         ("tld", "fr"), ("slow", "True")]:
        assert clip_key({**KEY, field: other}, "مرحبا") != base, field


def test_entries_of_real_speech_take_at_most_0_6_of_the_wav(cache: tuple[ClipCache, Warnings]) -> None:
    store, _ = cache
    speech = EspeakEngine("ar").synthesize(ARTICLE.read_text(encoding="utf-8").split("\n")[2])
    store.put(A, speech)
    assert len(speech) > 5000
    assert store.path_for(A).stat().st_size <= 0.6 * (44 + len(speech.raw_data))


def assert_discarded(store: ClipCache, warnings: Warnings, key: str, words: str) -> None:
    assert store.get(key) is None
    assert len(warnings) == 1 and words in warnings[0], warnings
    assert not store.path_for(key).exists()
    assert not store.contains(key)


def test_another_texts_entry_copied_over_is_discarded(cache: tuple[ClipCache, Warnings]) -> None:
    store, warnings = cache
    store.put(A, clip(800))
    store.put(B, clip(2000, 500))
    shutil.copyfile(store.path_for(B), store.path_for(A))
    assert store.duration_ms(A) is None  # dry-run does not count it either
    assert_discarded(store, warnings, A, "another text's clip")


def rewrite_header(path: Path, change: dict[str, object]) -> None:
    """Edit header fields in place, keeping the recorded checksum: what a tamperer would do."""
    data = path.read_bytes()
    length = int.from_bytes(data[10:14], "big")
    header = json.loads(data[14:14 + length])
    header.update(change)
    blob = json.dumps(header, sort_keys=True).encode()
    path.write_bytes(data[:10] + len(blob).to_bytes(4, "big") + blob + data[14 + length:])


def test_changed_sample_rate_is_discarded(cache: tuple[ClipCache, Warnings]) -> None:
    store, warnings = cache
    store.put(A, clip())
    rewrite_header(store.path_for(A), {"rate": 48_000})
    assert_discarded(store, warnings, A, "checksum mismatch")


def test_flipped_audio_bytes_are_discarded(cache: tuple[ClipCache, Warnings]) -> None:
    store, warnings = cache
    store.put(A, clip())
    path = store.path_for(A)
    data = bytearray(path.read_bytes())
    for i in range(len(data) - 2000, len(data) - 1000):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert_discarded(store, warnings, A, "checksum mismatch")


@pytest.mark.parametrize("cut", [200, 5])
def test_truncated_entry_is_discarded(cache: tuple[ClipCache, Warnings], cut: int) -> None:
    store, warnings = cache
    store.put(A, clip())
    path = store.path_for(A)
    path.write_bytes(path.read_bytes()[:-cut] if cut > 100 else path.read_bytes()[:cut])
    assert not store.contains(A)
    assert_discarded(store, warnings, A, "damaged")


def test_garbage_entry_is_discarded(cache: tuple[ClipCache, Warnings]) -> None:
    store, warnings = cache
    path = store.path_for(A)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"RIFF not a clip entry")
    assert_discarded(store, warnings, A, "not a clip entry")


def place(store: ClipCache, key: str) -> Path:
    path = store.path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("kind", ["fifo", "symlink to /dev/zero", "directory", "symlink"])
def test_non_files_are_never_followed_or_read(cache: tuple[ClipCache, Warnings], kind: str) -> None:
    store, warnings = cache
    store.put(B, clip())
    path = place(store, A)
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would hang
    elif kind == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")  # reading it would never end
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to(store.path_for(B))  # a good entry, but not where it claims to be
    assert store.get(A) is None and not store.contains(A)
    assert len(warnings) == 1 and "not a file" in warnings[0]
    store.put(A, clip())  # a fresh clip replaces the link or FIFO; a folder is left, with a warning
    if kind != "directory":
        assert store.get(A) is not None and not path.is_symlink()
    else:
        assert path.is_dir() and "a folder is there" in warnings[-1]


def test_device_hard_link_is_not_read(cache: tuple[ClipCache, Warnings]) -> None:
    store, warnings = cache
    path = place(store, A)
    try:
        os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("cannot make device nodes here")
    assert store.get(A) is None and "character device" in warnings[0]


def test_entry_far_larger_than_any_clip_is_not_read(cache: tuple[ClipCache, Warnings],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tts.synth import cache as cache_module
    store, warnings = cache
    store.put(A, clip(2000))
    monkeypatch.setattr(cache_module, "MAX_ENTRY_BYTES", 10_000)
    assert_discarded(store, warnings, A, "far larger than any clip")


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv to drop root's override")
def test_unreadable_entry_warns_and_is_made_again(tmp_path: Path) -> None:
    store = ClipCache(tmp_path)
    store.put(A, clip())
    store.path_for(A).chmod(0)
    script = ("import sys\nfrom pydub import AudioSegment\nfrom tts.synth.cache import ClipCache\n"
              "w = []\nc = ClipCache(sys.argv[1], warn=w.append)\nkey = sys.argv[2]\n"
              "print(c.get(key) is None, c.contains(key))\nprint(w[0])\n"
              "c.put(key, AudioSegment.silent(100))\nprint(c.get(key) is not None)\n")
    proc = subprocess.run([*WITHOUT_DAC, sys.executable, "-c", script, str(tmp_path), A],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    first, warning, remade = proc.stdout.splitlines()
    assert first == "True False" and "Permission denied" in warning and remade == "True"


def test_least_recently_used_go_first_past_the_limit(tmp_path: Path) -> None:
    store = ClipCache(tmp_path)
    keys = [f"{i:02d}" * 32 for i in range(4)]
    for i, key in enumerate(keys):
        store.put(key, clip(1000, 200 + 50 * i))
        os.utime(store.path_for(key), (1000 + i, 1000 + i))
    entry = store.path_for(keys[0]).stat().st_size
    assert store.get(keys[0]) is not None  # used now: the newest
    limited = ClipCache(tmp_path, limit=int(2.5 * entry))
    assert limited.prune() == 2
    assert [limited.contains(k) for k in keys] == [True, False, False, True]
    limited.put("ff" * 32, clip(1000, 700))  # a put keeps the limit too
    assert limited.info().size_bytes <= limited.limit and limited.contains("ff" * 32)


def test_info_prune_and_clear_count(tmp_path: Path) -> None:
    store = ClipCache(tmp_path, limit=123_000_000)
    for i in range(3):
        store.put(f"{i:02d}" * 32, clip())
    old = tmp_path / "clips-v2" / "ab"
    old.mkdir(parents=True)
    (old / "x.wav").write_bytes(b"old layout")
    info = store.info()
    assert info.entries == 3 and info.size_bytes > 3 * 1000 and info.limit_bytes == 123_000_000
    assert not list(tmp_path.rglob(".article-tts-*"))
    assert store.prune() == 1 and not old.exists()  # entries of an older format go
    assert store.clear() == 3 and store.info().entries == 0


def test_a_clip_too_long_to_cache_is_not_stored(cache: tuple[ClipCache, Warnings],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from tts.synth import cache as cache_module
    store, warnings = cache
    monkeypatch.setattr(cache_module, "MAX_ENTRY_BYTES", 10_000)
    store.put(A, clip(2000))
    assert not store.path_for(A).exists() and "too long to cache" in warnings[0]


def test_stale_temp_files_of_killed_runs_are_swept(tmp_path: Path) -> None:
    store = ClipCache(tmp_path)
    assert store.check_usable() is None
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = store.scratch / f".article-tts-{dead}-abc.clip"
    live = store.scratch / f".article-tts-{os.getpid()}-abc.clip"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    assert store.check_usable() is None
    assert not stale.exists() and live.exists()


@pytest.mark.parametrize("text,size", [("500M", 500_000_000), ("2G", 2_000_000_000),
                                        ("1.5g", 1_500_000_000), ("1000", 1000), ("64kB", 64_000)])
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_bad_size_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="like 500M"):
        parse_size("lots")
