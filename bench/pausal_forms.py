"""Measure: pause positions where espeak-ng ends on a short vowel, with and without pausal forms.

A trained reader stops on a silent ending before a pause (waqf): طرابلسْ, not
طرابلسَ. With tashkeel, espeak reads every case ending the model adds, so nearly
every clause ends on a vowel (or a tanween's -n). Each paragraph of the article,
in the form the espeak engine is given (tashkeel, then its rules with or without
the pausal-form rule), goes through the library's phoneme API clause by clause:
espeak ends a clause where it pauses, so each clause's last phoneme is the sound
heard before a pause.

    .venv/bin/python bench/pausal_forms.py [ARTICLE] [--show]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tts.engines.espeak import EspeakEngine
from tts.sources.plain import read_source
from tts.text.diacritize import diacritize_texts
from tts.text.prepare import parse_article
from tts.text.rules import ESPEAK_RULES, Rule, respell

ROOT = Path(__file__).resolve().parent.parent
SEPARATOR = "|"
# espeak-ng's Arabic short vowels (phsource/ph_arabic), and their "dark" forms after
# emphatics; a ":" after one makes it long, which is how a pause may end.
SHORT_VOWELS = frozenset({"a", "i", "u", "a.", "i.", "u.", "a#", "@"})
STRESS = "',%="
PAUSAL = "pausal form"


def ending(clause: str) -> str:
    """``vowel`` when a clause's phonemes end in a short vowel, ``tanween`` in a short
    vowel and n, else ``other``."""
    phonemes = [p.lstrip(STRESS) for p in clause.replace(" ", SEPARATOR).split(SEPARATOR)]
    phonemes = [p for p in phonemes if p and not p.startswith("_")]
    if phonemes and phonemes[-1] in SHORT_VOWELS:
        return "vowel"
    if len(phonemes) > 1 and phonemes[-1] == "n" and phonemes[-2] in SHORT_VOWELS:
        return "tanween"
    return "other"


def measure(engine: EspeakEngine, texts: Sequence[str], rules: Sequence[Rule],
            show: bool) -> tuple[int, int, int]:
    """(clauses, ending in a short vowel, ending in a short vowel + n) over the texts."""
    counts = {"vowel": 0, "tanween": 0, "other": 0}
    for text in texts:
        for clause in engine.clause_phonemes(respell(text, rules), SEPARATOR):
            kind = ending(clause)
            counts[kind] += 1
            if show:
                print(f"    {kind:8s} ...{clause[-40:]}")
    return sum(counts.values()), counts["vowel"], counts["tanween"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "data" / "article.txt"))
    parser.add_argument("--show", action="store_true", help="print each clause's ending")
    args = parser.parse_args()
    paragraphs = parse_article(read_source(args.article))
    texts = diacritize_texts([p.spoken for p in paragraphs])
    engine = EspeakEngine()
    without = tuple(rule for rule in ESPEAK_RULES if rule.name != PAUSAL)
    for label, rules in (("without pausal forms:", without), ("with pausal forms:   ", ESPEAK_RULES)):
        total, vowel, tanween = measure(engine, texts, rules, args.show)
        print(f"{label} {vowel} of {total} pause positions ({100 * vowel / total:.1f}%) end in a "
              f"short vowel, {vowel + tanween} ({100 * (vowel + tanween) / total:.1f}%) in a "
              f"short vowel or a tanween -n")


if __name__ == "__main__":
    main()
