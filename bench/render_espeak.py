"""Benchmark: whole-process wall time and peak memory of ``render --engine espeak`` (and
``play -o``) on the article repeated 1, 10 and 50 times, against the floor, in one run.

The floor is the bundled libespeak-ng speaking the same text in one call, its samples
piped as they come into one ffmpeg MP3 64k encode (bench/espeak_floor.py, a tiny script
standing in for the ``espeak-ng`` command, which this machine does not have). Every
command runs as its own process, without the clip cache; times are whole-process wall
times, the best of ``--repeat`` rounds (half as many for x10 and x50) in which the
commands take turns (the machine is shared: the best is the least disturbed); memory is
the peak resident set of the process (ru_maxrss from wait4). The package is byte-compiled
first, as pip does when it installs one: with PYTHONDONTWRITEBYTECODE set (as in some
shells and containers) every start would otherwise compile 50 modules again.

    .venv/bin/python bench/render_espeak.py [--repeat N] [--sizes 1,10,50]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tts.audio.clip import ffmpeg_exe

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLI = [PYTHON, "-m", "tts"]
# The aims: wall time against the floor, and memory.
AIM_DEFAULTS = {1: 1.5, 50: 1.3}
AIM_BARE = 1.15
AIM_MEMORY_MB = 250


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


def run(command: str) -> Run:
    """Run ``command`` (a shell line) as its own process; its wall time and peak memory
    (of the largest process: bash execs a lone command, and waits for a pipeline's)."""
    started = time.perf_counter()
    proc = subprocess.Popen(["bash", "-c", command], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {command}")
    return Run(time.perf_counter() - started, usage.ru_maxrss / 1024)


def best_of_rounds(commands: dict[str, str], rounds: int) -> dict[str, Run]:
    """Each command's best time and highest peak over ``rounds``, the commands taking turns
    in each round, so a spell of load from elsewhere falls on all of them alike."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            runs[name].append(run(command))
    return {name: Run(min(r.seconds for r in done), max(r.peak_mb for r in done))
            for name, done in runs.items()}


def commands(article: Path, work: Path) -> dict[str, str]:
    q = shlex.quote
    cli = " ".join(q(part) for part in CLI)
    render = f"{cli} render {q(str(article))} -q --engine espeak --no-cache"
    player = f"{q(PYTHON)} {q(str(ROOT / 'tests' / 'fake_player.py'))} {q(str(work / 'p'))} --discard"
    speak = f"{q(PYTHON)} {q(str(ROOT / 'bench' / 'espeak_floor.py'))} {q(str(article))}"
    encode = (f"{q(ffmpeg_exe())} -v error -f s16le -ar 22050 -ac 1 -i - -c:a libmp3lame "
              f"-b:a 64k -y {q(str(work / 'floor.mp3'))}")
    # What any Python program built on the libraries the render must use pays before it
    # does anything: the interpreter, and importing click, pydub and numpy.
    start = f"{q(PYTHON)} -W ignore -c 'import click, numpy, pydub'"
    return {
        "floor": f"{speak} | {encode}",
        "start-up": start,
        "render": f"{render} -o {q(str(work / 'a.mp3'))}",
        "bare": f"{render} --no-tashkeel --no-loudness -o {q(str(work / 'b.mp3'))}",
        "play -o": (f"{cli} play {q(str(article))} -q --engine espeak --no-cache "
                    f"--player {q(player)} -o {q(str(work / 'c.mp3'))}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1,10,50")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "tts", quiet=1)
    text = (ROOT / "data" / "article.txt").read_text(encoding="utf-8").strip()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results: dict[int, dict[str, Run]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        article = work / f"article-x{size}.txt"
        article.write_text("\n".join([text] * size) + "\n", encoding="utf-8")  # a paragraph a line
        rounds = args.repeat if size == 1 else max(1, args.repeat // 2)
        results[size] = best_of_rounds(commands(article, work), rounds)
        report(size, results[size])
    memory_summary(results)


def report(size: int, runs: dict[str, Run]) -> None:
    floor = runs["floor"].seconds
    print(f"\narticle x{size}")
    for name, r in runs.items():
        aim = AIM_DEFAULTS.get(size) if name == "render" else AIM_BARE if name == "bare" else None
        note = f" (aim <= {aim}x)" if aim else ""
        print(f"  {name:8} {r.seconds:7.2f} s  {r.seconds / floor:5.2f}x the floor{note}  "
              f"peak {r.peak_mb:6.0f} MB")


def memory_summary(results: dict[int, dict[str, Run]]) -> None:
    sizes = sorted(results)
    if len(sizes) < 2:
        return
    small, large = sizes[-2], sizes[-1]
    for name in ("render", "play -o"):
        a, b = results[small][name].peak_mb, results[large][name].peak_mb
        print(f"{name}: peak {a:.0f} MB at x{small}, {b:.0f} MB at x{large}: "
              f"x{large}/x{small} = {b / a:.2f} (aim <= 1.3, and <= {AIM_MEMORY_MB} MB)")


if __name__ == "__main__":
    main()
