"""Benchmark: the speech server with the offline voice: time to first byte, one-sentence requests
per second, and the clip cache's effect, against espeak alone measured in the same run.

The server runs in this process (uvicorn in a thread, on 127.0.0.1) with a fresh cache:

- baseline: espeak speaking one sentence in-process (no tashkeel, no encoding, no HTTP);
- one sentence, uncached: a new sentence each request (tashkeel, synthesis, MP3, HTTP);
- one sentence, cached: the same sentence again (the clip comes from the cache);
- first byte and whole reply of the seed article's first paragraphs, uncached.

    .venv/bin/python bench/serve.py [--requests N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import uvicorn

from tts.engines.espeak import EspeakEngine
from tts.server import ServerSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي رقم {n}."


def start(settings: ServerSettings) -> tuple[uvicorn.Server, str]:
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"


def speak(url: str, text: str) -> tuple[float, float]:
    """Seconds to the first byte of the reply and to its end."""
    body = json.dumps({"model": "tts-1", "voice": "alloy", "input": text}).encode()
    request = urllib.request.Request(f"{url}/v1/audio/speech", body, {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as reply:
        reply.read(1)
        first = time.perf_counter() - started
        reply.read()
    return first, time.perf_counter() - started


def per_second(action: Callable[[int], object], count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        action(n)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests per measurement")
    args = parser.parse_args()
    engine = EspeakEngine("ar+f2")
    with tempfile.TemporaryDirectory() as cache:
        server, url = start(ServerSettings(cache_dir=Path(cache)))
        speak(url, SENTENCE.format(n=-1))  # tashkeel model and espeak loaded
        bare = per_second(lambda n: engine.synthesize(SENTENCE.format(n=n)), args.requests)
        uncached = per_second(lambda n: speak(url, SENTENCE.format(n=1000 + n)), args.requests)
        cached = per_second(lambda n: speak(url, SENTENCE.format(n=1000 + n)), args.requests)
        article = "\n\n".join((ROOT / "data" / "article.txt").read_text(encoding="utf-8").split("\n\n")[:4])
        first, whole = zip(*(speak(url, article + f" {n}") for n in range(3)), strict=True)
        one_first = statistics.median(speak(url, SENTENCE.format(n=5000 + n))[0] for n in range(5))
        server.should_exit = True
    print(f"espeak alone, one sentence:        {bare:6.1f} /s")
    print(f"server, one sentence, uncached:    {uncached:6.1f} /s  ({uncached / bare:.2f}x espeak alone)")
    print(f"server, one sentence, cached:      {cached:6.1f} /s  ({cached / uncached:.2f}x uncached)")
    print(f"first byte, one new sentence:      {one_first * 1000:6.0f} ms "
          f"({one_first * bare:.2f}x espeak's time for it)")
    print(f"first byte / whole reply, {len(article)} chars: {statistics.median(first) * 1000:.0f} ms / "
          f"{statistics.median(whole) * 1000:.0f} ms ({statistics.median(first) / statistics.median(whole):.2f})")


if __name__ == "__main__":
    main()
