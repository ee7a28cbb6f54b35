"""Benchmark: the clip cache's entries against plain WAV, in bytes and in read time.

Renders the article's clips with espeak once, then stores each clip as a cache entry
(FLAC inside, key and SHA-256 checked on read) and as a 16-bit WAV, and compares:
the bytes on disk, and the median time to read every clip back. Both are measured in
the same run, so the ratios hold on any machine.

    .venv/bin/python bench/cache_entries.py [ARTICLE] [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

from pydub import AudioSegment

from tts.audio.clip import trim_silence
from tts.engines.espeak import EspeakEngine
from tts.sources.plain import read_source
from tts.synth.cache import ClipCache
from tts.text.prepare import engine_texts, parse_article

ROOT = Path(__file__).resolve().parent.parent


def wav_bytes(clip: AudioSegment) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(clip.channels)
        out.setsampwidth(clip.sample_width)
        out.setframerate(clip.frame_rate)
        out.writeframes(clip.raw_data)
    return buffer.getvalue()


def read_wav(path: Path) -> bytes:
    with wave.open(str(path), "rb") as source:
        return source.readframes(source.getnframes())


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "data" / "article.txt"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    engine = EspeakEngine("ar")
    texts = engine_texts(engine, [p.spoken for p in parse_article(read_source(args.article))
                                  if p.speakable], tashkeel=True)
    clips = [trim_silence(engine.synthesize(text)) for text in texts]
    with tempfile.TemporaryDirectory() as folder:
        cache, wavs = ClipCache(Path(folder) / "cache"), Path(folder) / "wav"
        wavs.mkdir()
        keys = [f"{i:064x}" for i in range(len(clips))]
        for key, clip in zip(keys, clips, strict=True):
            cache.put(key, clip)
            (wavs / f"{key}.wav").write_bytes(wav_bytes(clip))
        entry_size = cache.info().size_bytes
        wav_size = sum(p.stat().st_size for p in wavs.iterdir())
        entry_s = median_seconds(lambda: [cache.get(k) for k in keys], args.repeat)
        wav_s = median_seconds(lambda: [read_wav(wavs / f"{k}.wav") for k in keys], args.repeat)
    minutes = sum(len(c) for c in clips) / 60_000
    print(f"{len(clips)} clips, {minutes:.1f} min of speech")
    print(f"bytes: entries {entry_size / 1e6:.2f} MB, WAV {wav_size / 1e6:.2f} MB, "
          f"ratio {entry_size / wav_size:.3f}")
    print(f"read all: entries {entry_s * 1000:.0f} ms, WAV {wav_s * 1000:.0f} ms "
          f"({entry_s / minutes * 1000:.1f} ms per minute of speech)")


if __name__ == "__main__":
    main()
