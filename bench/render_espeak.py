"""Benchmark: full ``render --engine espeak`` of the article against the pipeline's floor.

The floor is the bundled engine speaking the whole text in one call plus one
ffmpeg encode of that audio: no chunking, trimming, pauses or atomic write.
The render is timed twice: with the defaults, and without the two stages the
floor does not have (tashkeel, loudness normalization), so the ratio of the
second is the pipeline's own overhead. All are measured in the same run,
several times; the medians are compared.

    .venv/bin/python bench/render_espeak.py [ARTICLE] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tts.config import RenderConfig
from tts.engines.espeak import EspeakEngine
from tts.export import encode
from tts.pipeline import render
from tts.sources.text import read_source

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``action`` over ``repeat`` runs, after one warm-up."""
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
    text = read_source(args.article)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    defaults = RenderConfig(engine="espeak")
    same_work = RenderConfig(engine="espeak", tashkeel=False, loudness=None)

    def floor() -> None:
        audio = EspeakEngine().synthesize(text)
        encode(audio, str(work / "floor.mp3"), ".mp3", defaults.bitrate)

    floor_s = median_seconds(floor, args.repeat)
    full_s = median_seconds(lambda: render(text, work / "a.mp3", defaults), args.repeat)
    bare_s = median_seconds(lambda: render(text, work / "b.mp3", same_work), args.repeat)
    print(f"floor (one espeak call + one encode):          {floor_s:.3f} s")
    print(f"render --engine espeak --no-tashkeel --no-loudness: {bare_s:.3f} s  "
          f"{bare_s / floor_s:.2f}x the floor (aim <= 1.5x)")
    print(f"render --engine espeak (defaults):              {full_s:.3f} s  "
          f"{full_s / floor_s:.2f}x the floor (+tashkeel, +loudness normalization)")


if __name__ == "__main__":
    main()
