"""Benchmark: time to first audio of ``play`` against the whole render, Google faked with latency.

Google's endpoint is faked at the requests layer (the tests' fake) with a fixed
latency per request; the player is tests/fake_player.py, which records when its
first byte arrives. No cache, so every chunk is requested.

    .venv/bin/python bench/play_first_audio.py [--latency 0.5] [--jobs 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tts.audio.player import PlayerCommand
from tts.config import RenderConfig
from tts.pipeline import render
from tts.playback import play
from tts.sources.plain import read_source

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakes import FakeGoogle, serve  # noqa: E402  (the tests' fake, found via sys.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "data" / "article.txt"))
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    text = read_source(args.article)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    config = RenderConfig(engine="gtts", jobs=args.jobs, cache_dir=None)
    command = PlayerCommand((sys.executable, str(ROOT / "tests" / "fake_player.py"), str(work)))
    with serve(FakeGoogle(latency=args.latency)):
        started = time.time()
        played = play(text, config, command)
        play_s = time.time() - started
        first = float((work / "first_byte").read_text()) - started
        started = time.time()
        rendered = render(text, work / "article.mp3", config)
        render_s = time.time() - started
    print(f"fake latency {args.latency * 1000:.0f} ms/request, --jobs {args.jobs}, "
          f"{played.chunks} chunks, {played.duration_ms / 1000:.0f} s of audio")
    print(f"play: first byte at the player after {first:.2f} s; all sent after {play_s:.2f} s")
    print(f"render: whole file after {render_s:.2f} s ({rendered.chunks} chunks)")
    print(f"first audio / whole render: {first / render_s:.2f}; "
          f"aim: first audio <= latency + 1 s = {args.latency + 1:.1f} s")


if __name__ == "__main__":
    main()
