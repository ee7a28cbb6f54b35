"""Measure: words espeak-ng reads as a run of 3+ consonants, without and with tashkeel.

Standard Arabic never puts three consonants in a row inside a word, so such a
run (منعت -> m|n|A|t) means espeak guessed no vowel where one belongs. Each
distinct Arabic word of the article, in the form the espeak engine is given
(after the front-end rules, and the tashkeel in context), goes through the
library's phoneme API (`espeak-ng -x` mnemonics) with a separator between
phonemes, so multi-letter names (dZ, s[, gH) count once.

    .venv/bin/python bench/consonant_clusters.py [ARTICLE] [--show]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from pathlib import Path

from tts.engines.espeak import EspeakEngine
from tts.sources.plain import read_source
from tts.text.diacritize import WORD, model
from tts.text.prepare import parse_article, spoken_for

ROOT = Path(__file__).resolve().parent.parent
SEPARATOR = "|"
# espeak-ng's Arabic vowels (phsource/ph_arabic) are a, i, u, their "dark"
# forms after emphatics a. i. u., and each lengthened with ":" (a:, i.:).
# e, o and @ come from its base table, for foreign words. Upper-case names
# are consonants in Arabic: A is the ʿayn, and D S T Z H X R Q are consonants.
VOWEL_STARTS = frozenset("aeiou@")
# Stress marks before a vowel; they are not sounds.
STRESS = "',%="
CLUSTER = 3


def is_vowel(phoneme: str) -> bool:
    """True for a vowel mnemonic such as ``'a``, ``i:`` or ``u.``."""
    name = phoneme.lstrip(STRESS)
    return bool(name) and name[0] in VOWEL_STARTS


def longest_consonant_run(phonemes: str) -> int:
    """The most consonants in a row within one word of separated ``phonemes``."""
    longest = 0
    for word in phonemes.split():
        run = 0
        for phoneme in word.split(SEPARATOR):
            # Pauses (_) and language switches ((en)) are not consonants.
            if is_vowel(phoneme) or (not phoneme[:1].isalpha() and phoneme[:1] != "?"):
                run = 0
            else:
                run += 1
                longest = max(longest, run)
    return longest


def clustered(engine: EspeakEngine, words: Iterable[str]) -> list[str]:
    """The words espeak reads with a run of CLUSTER or more consonants."""
    return [w for w in words if longest_consonant_run(engine.phonemes(w, SEPARATOR)) >= CLUSTER]


def distinct_words(texts: Iterable[str]) -> list[str]:
    """Each Arabic word (with its marks) once, in order of first use."""
    return list(dict.fromkeys(m.group() for text in texts for m in WORD.finditer(text)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "data" / "article.txt"))
    parser.add_argument("--show", action="store_true", help="list the clustered words")
    args = parser.parse_args()
    paragraphs = parse_article(read_source(args.article))
    engine = EspeakEngine()
    started = time.perf_counter()
    model()
    loaded = time.perf_counter()
    spoken = {tashkeel: spoken_for(EspeakEngine(), paragraphs, tashkeel) for tashkeel in (True, False)}
    done = time.perf_counter()
    print(f"tashkeel model load {loaded - started:.2f} s, "
          f"{len(paragraphs)} paragraphs diacritized in {done - loaded:.2f} s")
    for tashkeel in (False, True):
        words = distinct_words(p.spoken for p in spoken[tashkeel])
        bad = clustered(engine, words)
        label = "with tashkeel:   " if tashkeel else "without tashkeel:"
        print(f"{label} {len(bad):3d} of {len(words)} distinct words "
              f"({100 * len(bad) / len(words):.1f}%) have a run of {CLUSTER}+ consonants")
        if args.show:
            for word in bad:
                print(f"    {word}  {engine.phonemes(word)}")


if __name__ == "__main__":
    main()
