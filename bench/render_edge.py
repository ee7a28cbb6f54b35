"""Benchmark: the Edge engine's render of the article against espeak's, in the same run.

Edge is the tests' websocket server on 127.0.0.1 (tests/edge_server.py): the real edge-tts
code does its handshake, SSML and frame parsing, and the server answers at once with MP3 of a
tone, so what is timed is our overhead around Edge (edge-tts, decoding, word times, the
streamed pass), not Microsoft's service. espeak renders the same article offline as the
baseline. No cache, so every chunk is requested; each render runs ``--repeat`` times, the
best kept.

    .venv/bin/python bench/render_edge.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tts.config import RenderConfig
from tts.pipeline import render
from tts.sources.plain import read_source

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from edge_server import serve_edge  # noqa: E402  (the tests' server, found via sys.path)


def best_of(repeat: int, text: str, out: Path, config: RenderConfig) -> tuple[float, int, int]:
    """The fastest of ``repeat`` renders in seconds, with the chunks and the audio's length."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = render(text, out, config)
        times.append(time.perf_counter() - start)
    return min(times), result.chunks, result.duration_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "data" / "article.txt"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = read_source(args.article)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    espeak = best_of(args.repeat, text, work / "espeak.mp3", RenderConfig(engine="espeak"))
    with serve_edge() as fake:
        edge = best_of(args.repeat, text, work / "edge.mp3",
                       RenderConfig(engine="edge", voice="ar-EG-SalmaNeural"))
        requests = len(fake.requests) // args.repeat
    for name, (seconds, chunks, duration_ms) in (("espeak", espeak), ("edge", edge)):
        print(f"{name:<7} {seconds:6.2f} s for {chunks} chunks, {duration_ms / 1000:.1f} s of audio "
              f"({duration_ms / 1000 / seconds:.0f}x real time)")
    print(f"edge/espeak render time: {edge[0] / espeak[0]:.2f}x; {requests} websocket requests "
          f"per Edge render, answered at once by the local server")


if __name__ == "__main__":
    main()
