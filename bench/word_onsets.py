"""Measure: where espeak's word times put a word's start, against where its sound resumes.

The seed article is rendered by espeak (no loudness change) with its manifest; the
output WAV is scanned in 5 ms windows for each place where sound comes back after
at least 150 ms of silence (below -50 dBFS), and the nearest word start in the
manifest is compared with it. An onset is a fact of the audio alone, so this checks
the whole path: espeak's events, the edge trim, the pauses, the join.

    .venv/bin/python bench/word_onsets.py [--show]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tts.audio.clip import decode
from tts.config import RenderConfig
from tts.pipeline import render

if TYPE_CHECKING:
    from pydub import AudioSegment

ROOT = Path(__file__).resolve().parent.parent
STEP_MS = 5
SILENCE_DBFS = -50.0
# A pause a listener hears (the clause pause is 150 ms): what makes an onset.
MIN_PAUSE_MS = 150
# A start this close to the onset counts as on it.
CLOSE_MS = 20


def onsets(audio: AudioSegment) -> list[int]:
    """Where sound resumes after at least MIN_PAUSE_MS of silence, in ms."""
    found, quiet = [], 0
    for at in range(0, len(audio), STEP_MS):
        if audio[at:at + STEP_MS].dBFS < SILENCE_DBFS:
            quiet += STEP_MS
            continue
        if quiet >= MIN_PAUSE_MS:
            found.append(at)
        quiet = 0
    return found


def rendered_words(folder: Path) -> tuple[AudioSegment, list[dict[str, Any]]]:
    text = (ROOT / "data" / "article.txt").read_text(encoding="utf-8")
    config = RenderConfig(engine="espeak", manifest=folder / "a.json", loudness=None, cache_dir=None)
    render(text, folder / "a.wav", config)
    manifest = json.loads((folder / "a.json").read_text(encoding="utf-8"))
    words = [w for p in manifest["paragraphs"] for c in p["chunks"] for w in c["words"]]
    return decode((folder / "a.wav").read_bytes(), 22_050), words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the starts off their onset")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        audio, words = rendered_words(Path(folder))
    errors = []
    for onset in onsets(audio):
        word = min(words, key=lambda w: abs(w["start_ms"] - onset))
        errors.append(word["start_ms"] - onset)
        if args.show and abs(errors[-1]) > CLOSE_MS:
            print(f"{onset / 1000:8.3f} s  {errors[-1]:+5d} ms  {word['text']}")
    close = sum(abs(e) <= CLOSE_MS for e in errors)
    print(f"{len(errors)} onsets after a pause; word start within {CLOSE_MS} ms of it: {close} "
          f"({close / len(errors):.0%}); median {statistics.median(errors):+.0f} ms, "
          f"earliest {min(errors):+d} ms, latest {max(errors):+d} ms")


if __name__ == "__main__":
    main()
