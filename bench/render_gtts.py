"""Benchmark: gTTS rendering of the article against a naive script, Google faked with latency.

Google's endpoint is faked at the requests layer (the same fake the tests use),
answering every request after a fixed latency. In one run we time:

- a naive script: one gTTS call per paragraph, sequential, joined with pydub ``+``;
- article-tts with --jobs 1, and with --jobs 8 (no cache, so every chunk is requested);

and print the ratios and the ideal: ceil(chunks / jobs) x latency + encode time.

    .venv/bin/python bench/render_gtts.py [--latency 0.3]
"""

from __future__ import annotations

import argparse
import functools
import io
import math
import sys
import tempfile
import time
from pathlib import Path

from gtts import gTTS
from pydub import AudioSegment

from tts.audio.clip import decode  # first: importing tts quiets pydub's warning about ffmpeg on PATH
from tts.audio.export import export
from tts.config import RenderConfig
from tts.pipeline import render
from tts.sources.plain import read_source
from tts.text.prepare import parse_article

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeGoogle, serve  # noqa: E402  (the tests' fake, found via sys.path)


def naive(text: str, out: Path) -> None:
    """What people write first: gTTS per paragraph, one after another, pydub ``+``."""
    track = AudioSegment.empty()
    for paragraph in parse_article(text):
        buffer = io.BytesIO()
        gTTS(paragraph.spoken, lang="ar").write_to_fp(buffer)
        track += decode(buffer.getvalue(), 24_000) + AudioSegment.silent(700, frame_rate=24_000)
    export(track, out)


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "data" / "article.txt"))
    parser.add_argument("--latency", type=float, default=0.3)
    args = parser.parse_args()
    text = read_source(args.article)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    fake = FakeGoogle(latency=args.latency)
    results: dict[str, float] = {}
    with serve(fake):
        results["naive"] = timed(lambda: naive(text, work / "naive.mp3"))
        naive_requests, fake.attempts = fake.attempts, 0
        for jobs in (1, 8):
            config = RenderConfig(engine="gtts", jobs=jobs, cache_dir=None)
            outcome: list = []
            results[f"jobs{jobs}"] = timed(functools.partial(
                lambda out, target, cfg: out.append(render(text, target, cfg)),
                outcome, work / f"j{jobs}.mp3", config))
        chunks = outcome[0].chunks
    final = decode((work / "j8.mp3").read_bytes(), 24_000)
    # The final write as the render does it: loudness normalization, then MP3.
    encode_s = timed(lambda: export(final, work / "encode.mp3", loudness=config.loudness))
    ideal = {jobs: math.ceil(chunks / jobs) * args.latency + encode_s for jobs in (1, 8)}
    print(f"fake latency {args.latency * 1000:.0f} ms/request; naive script made "
          f"{naive_requests} requests, article-tts {chunks} per run; encode {encode_s:.2f} s")
    print(f"naive script:            {results['naive']:6.2f} s")
    for jobs in (1, 8):
        took = results[f"jobs{jobs}"]
        print(f"article-tts --jobs {jobs}:    {took:6.2f} s   "
              f"{results['naive'] / took:4.1f}x faster than naive, "
              f"{took / ideal[jobs]:4.2f}x the ideal ({ideal[jobs]:.2f} s)")
    print("aim: --jobs 8 at least 5x faster than naive, within 1.5x of the ideal")


if __name__ == "__main__":
    main()
