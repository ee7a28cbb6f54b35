"""A seeded fuzz of the whole render path: generated articles and options, each rendered by the command.

Every case is a valid input, so every case must render: exit 0, a file that decodes to the
length the manifest gives, chapters and subtitle cues inside it, and no word of the input lost.

    python tests/fuzz_render.py --count 500 [--seed 1] [--jobs 2]

prints one line per failure (the case's seed, its command and what went wrong) and a summary;
tests/test_fuzz.py runs a fixed budget of it in CI, and tests/fuzz_cases/ keeps what it found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "article.txt"
FAKE_PLAYER = Path(__file__).with_name("fake_player.py")
FORMATS = ("mp3", "wav", "flac", "ogg", "opus", "m4a")
# A decoded file may differ from the manifest's length by the codec's frame and padding.
TOLERANCE_MS = {"mp3": 60, "wav": 2, "flac": 2, "ogg": 30, "opus": 30, "m4a": 60}
# An MP3 sent down a pipe has no LAME tag (its header is written last, where a pipe cannot
# go back), so a decoder keeps the encoder's delay and the last frame's padding: two frames.
PIPED_MP3_TOLERANCE_MS = 2 * 1152 / 24

SYMBOLS = ("45°C", "-3 °C", "98°F", "120 km/h", "80km/h", "10 km²", "250 m²", "3 kg", "50%", "5‰",
           "$12", "€3.5", "1/2", "3:45", "2024-05-01", "+966 50 123 4567", "#1", "&", "@", "*")
LATIN = ("AFP", "BBC News", "Reuters said on Sunday", "COVID-19", "NATO", "iPhone 15", "e.g.", "U.S.",
         "www.example.com", "ok")
PUNCT_RUNS = ("...", "!!", "؟!", "،،", " - ", " — ", "«", "»", "(", ")", '"', "/.", "..", " ؛ ", ":")
LATIN_WORDS = ("the", "council", "met", "on", "sunday", "and", "said", "nothing", "at", "all", "news")


@dataclass
class Case:
    """One generated render: the article's text and the command's arguments."""

    seed: int
    text: str
    args: list[str]
    fmt: str
    mode: str  # "file", "stdout" or "play"
    notes: list[str] = field(default_factory=list)


def article_paragraphs() -> list[str]:
    return [p.strip() for p in ARTICLE.read_text(encoding="utf-8").split("\n") if p.strip()]


def arabic_words() -> list[str]:
    return re.findall(r"[\u0621-\u064a]+", ARTICLE.read_text(encoding="utf-8"))


def sentence(rng: random.Random, words: list[str]) -> str:
    """A generated Arabic sentence with the odd symbol, Latin run, digits or punctuation run."""
    out = [rng.choice(words) for _ in range(rng.randint(1, 14))]
    for _ in range(rng.randint(0, 3)):
        kind = rng.random()
        insert = (rng.choice(SYMBOLS) if kind < 0.35 else rng.choice(LATIN) if kind < 0.6
                  else str(rng.randint(0, 10 ** rng.randint(1, 7))) if kind < 0.8 else rng.choice(PUNCT_RUNS))
        out.insert(rng.randint(0, len(out)), insert)
    return " ".join(out) + rng.choice((".", ".", "؟", "!", "", "...", " ."))


def paragraph(rng: random.Random, words: list[str], source: list[str]) -> str:
    roll = rng.random()
    if roll < 0.3:
        text = rng.choice(source)
    elif roll < 0.4:
        text = rng.choice(source)[: rng.randint(1, 40)]
    elif roll < 0.5:
        text = " ".join(rng.choice(LATIN_WORDS) for _ in range(rng.randint(3, 20))).capitalize() + "."
    elif roll < 0.55:
        text = rng.choice(PUNCT_RUNS).strip() + " " + rng.choice(words)
    else:
        text = " ".join(sentence(rng, words) for _ in range(rng.randint(1, 6)))
    if rng.random() < 0.15:  # hard-wrapped, as e-mails and some sites send text
        width = rng.randint(20, 70)
        text = "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return text


def article(rng: random.Random) -> str:
    words, source = arabic_words(), article_paragraphs()
    blocks = []
    if rng.random() < 0.4:
        blocks.append(" ".join(rng.choice(words) for _ in range(rng.randint(2, 8))))  # a headline
    blocks += [paragraph(rng, words, source) for _ in range(rng.randint(1, 30 if rng.random() < 0.2 else 6))]
    if rng.random() < 0.2:
        blocks.insert(rng.randint(0, len(blocks)), "# " + " ".join(rng.choice(words) for _ in range(3)))
    return "\n\n".join(blocks) + "\n"


def options(rng: random.Random, fmt: str) -> list[str]:
    args = ["--engine", "espeak"]
    if rng.random() < 0.5:
        args += ["--pause", str(rng.choice((0, 1, 50, 700, 2500)))]
    if rng.random() < 0.5:
        args += ["--sentence-pause", str(rng.choice((0, 1, 120, 300, 1500)))]
    if rng.random() < 0.4:
        args += ["--speed", str(rng.choice((0.5, 0.8, 1.0, 1.25, 1.5, 2.0)))]
    if rng.random() < 0.2:
        args += ["--no-loudness"]
    elif rng.random() < 0.3:
        args += ["--loudness", str(rng.choice((-14, -16, -23, -30)))]
    if rng.random() < 0.15:
        args += ["--no-chapters"]
    if rng.random() < 0.2:
        args += ["--no-tashkeel"]
    return args


def generate(seed: int) -> Case:
    rng = random.Random(seed)
    fmt = rng.choice(FORMATS)
    mode = rng.choices(("file", "stdout", "play"), (0.6, 0.25, 0.15))[0]
    if mode == "play":
        fmt = "mp3"
    elif mode == "stdout" and fmt == "m4a":  # MP4 must seek: refused on a pipe, with its reason
        fmt = rng.choice(("mp3", "ogg", "opus", "wav", "flac"))
    return Case(seed, article(rng), options(rng, fmt), fmt, mode)


def command(case: Case, folder: Path) -> list[str]:
    base = [sys.executable, "-m", "tts"]
    extra = ["--manifest", str(folder / "out.json"), "--subtitles", str(folder / "out.vtt")]
    if case.mode == "file":
        return [*base, "render", str(folder / "in.txt"), "-o", str(folder / f"out.{case.fmt}"),
                *case.args, *extra, "-q"]
    if case.mode == "stdout":
        return [*base, "render", str(folder / "in.txt"), "-o", "-", "--format", case.fmt,
                *case.args, *extra, "-q"]
    player = shlex.join([sys.executable, str(FAKE_PLAYER), str(folder / "player"), "--discard"])
    return [*base, "play", str(folder / "in.txt"), "-o", str(folder / "out.mp3"), "--player", player,
            *play_options(case.args)]


def play_options(args: list[str]) -> list[str]:
    """The render options ``play`` takes: all but --no-chapters."""
    return [arg for arg in args if arg != "--no-chapters"]


def decoded_ms(path: Path) -> float:
    """The file's length as ffmpeg decodes it, in ms (the product's own ffmpeg)."""
    from tts.audio.clip import ffmpeg_exe
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", str(path), "-f", "s16le",
                           "-ac", "1", "-ar", "48000", "-"], capture_output=True, check=True)
    if proc.stderr.strip():
        raise AssertionError(f"ffmpeg reported errors decoding: {proc.stderr.decode()[:200]}")
    return len(proc.stdout) / 2 / 48.0


def chapters(path: Path) -> list[tuple[float, float]]:
    from tts.audio.clip import ffmpeg_exe
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                          capture_output=True, check=True)
    found = []
    for section in proc.stdout.decode("utf-8").split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in section.strip().splitlines() if "=" in line)
        num, den = map(int, fields["TIMEBASE"].split("/"))
        found.append((int(fields["START"]) * 1000 * num / den, int(fields["END"]) * 1000 * num / den))
    return found


def cue_ends(vtt: Path) -> list[float]:
    ends = []
    for match in re.finditer(r"--> (\d+):(\d\d):(\d\d)\.(\d\d\d)", vtt.read_text(encoding="utf-8")):
        h, m, s, ms = map(int, match.groups())
        ends.append(((h * 60 + m) * 60 + s) * 1000 + ms)
    return ends


def words_of(text: str) -> set[str]:
    """The words a listener must hear: runs of letters or digits, harakat and tatweel dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u064b-\u0652\u0640]", "", text)
    return set(re.findall(r"[^\W_]+", text))


def check(case: Case, folder: Path, proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    """What is wrong with a finished case; an empty list when nothing is."""
    if proc.returncode != 0:
        return [f"exit {proc.returncode}: {proc.stderr.decode(errors='replace').strip()[-400:]}"]
    problems: list[str] = []
    output = folder / f"out.{case.fmt}"
    tolerance = PIPED_MP3_TOLERANCE_MS if (case.mode, case.fmt) == ("stdout", "mp3") else TOLERANCE_MS[case.fmt]
    if case.mode == "stdout":
        output.write_bytes(proc.stdout)
    manifest = json.loads((folder / "out.json").read_text(encoding="utf-8")) if (folder / "out.json").exists() else None
    length = decoded_ms(output)
    if manifest is not None:
        expected = manifest["duration_ms"]
        if abs(length - expected) > tolerance:
            problems.append(f"decodes to {length:.0f} ms, the manifest says {expected} ms")
        heard = words_of(" ".join(p["original"] for p in manifest["paragraphs"]))
        lost = words_of(case.text) - heard
        if lost:
            problems.append(f"words lost: {sorted(lost)[:8]}")
    elif case.mode != "play":
        problems.append("no manifest written")
    for start, end in chapters(output):
        if start < 0 or end > length + tolerance or end < start:
            problems.append(f"chapter {start:.0f}-{end:.0f} ms outside the {length:.0f} ms audio")
    if (folder / "out.vtt").exists():
        late = [end for end in cue_ends(folder / "out.vtt") if end > length + tolerance]
        if late:
            problems.append(f"subtitle cues end after the audio ({late[-1]} > {length:.0f} ms)")
    return problems


def run_case(case: Case, cache: Path, timeout: float = 300) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as name:
        folder = Path(name)
        (folder / "in.txt").write_text(case.text, encoding="utf-8")
        env = {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(cache), "XDG_CONFIG_HOME": str(folder / "config")}
        proc = subprocess.run(command(case, folder), capture_output=True, cwd=folder, env=env, timeout=timeout)
        return check(case, folder, proc)


def describe(case: Case) -> str:
    flags = " ".join(shlex.quote(a) for a in case.args)
    return f"seed {case.seed}: {case.mode} {case.fmt} {flags}"


def cases(first_seed: int, count: int) -> Iterator[Case]:
    return (generate(seed) for seed in range(first_seed, first_seed + count))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1, help="first seed; case i uses seed + i")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write each failing case's text here as SEED.txt")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-cache-") as cache, ThreadPoolExecutor(args.jobs) as pool:
        todo = list(cases(args.seed, args.count))
        for case, problems in zip(todo, pool.map(lambda c: run_case(c, Path(cache)), todo), strict=True):
            if problems:
                failures += 1
                print(f"FAIL {describe(case)}: {'; '.join(problems)}", flush=True)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"{case.seed}.txt").write_text(case.text, encoding="utf-8")
    print(f"{args.count - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
