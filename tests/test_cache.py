"""The clip cache: content addressing, atomic writes, damaged entries discarded."""

from __future__ import annotations

from pathlib import Path

from pydub.generators import Sine

from tts.cache import ClipCache, clip_key

KEY = {"engine": "gtts", "version": "2.5.4", "lang": "ar", "tld": "com", "slow": "False"}


def clip(ms: int = 800):  # type: ignore[no-untyped-def]
    return Sine(300).to_audio_segment(ms, volume=-10).set_frame_rate(24_000).set_channels(1)


def test_roundtrip_is_lossless(tmp_path: Path) -> None:
    cache, audio = ClipCache(tmp_path), clip()
    cache.put("ab" * 32, audio)
    back = cache.get("ab" * 32)
    assert back is not None and back.raw_data == audio.raw_data
    assert back.frame_rate == 24_000 and cache.duration_ms("ab" * 32) == 800


def test_key_covers_everything_that_changes_audio() -> None:
    base = clip_key(KEY, "مرحبا")
    assert clip_key(dict(KEY), "مرحبا") == base
    assert clip_key(KEY, "مرحبا.") != base
    for field, other in [("engine", "espeak"), ("version", "2.5.5"), ("lang", "en"),
                         ("tld", "fr"), ("slow", "True")]:
        assert clip_key({**KEY, field: other}, "مرحبا") != base, field


def test_truncated_entry_is_discarded(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    cache.put("cd" * 32, clip())
    path = cache.path_for("cd" * 32)
    path.write_bytes(path.read_bytes()[:-1000])
    assert cache.get("cd" * 32) is None
    assert not path.exists()


def test_garbage_entry_is_discarded(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    path = cache.path_for("ef" * 32)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a wav file")
    assert cache.get("ef" * 32) is None and not path.exists()


def test_info_and_clear(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    for i in range(3):
        cache.put(f"{i:02d}" * 32, clip())
    info = cache.info()
    assert info.entries == 3 and info.size_bytes > 3 * 800 * 48
    assert not [p for p in tmp_path.rglob(".tmp-*")]
    assert cache.clear() == 3 and cache.info().entries == 0
