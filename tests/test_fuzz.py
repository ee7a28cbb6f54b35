"""Every valid input renders: a fixed budget of the seeded fuzz, and every case it ever found.

The budget (FUZZ_COUNT, 40 by default: about a minute on two cores) runs the same seeds on
every machine, so a failure here reproduces with ``python tests/fuzz_render.py --seed N --count 1``.
Cases the fuzz found are kept in tests/fuzz_cases/ as JSON and run on every test run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fuzz_render import Case, describe, generate, run_case

CASES = Path(__file__).with_name("fuzz_cases")
BUDGET = int(os.environ.get("FUZZ_COUNT", "40"))
# Seeds far from the ones used while developing, so CI does not only rerun what was fixed.
FIRST_SEED = 90_000


def kept_cases() -> list[tuple[str, Case]]:
    return [(path.stem, Case(**json.loads(path.read_text(encoding="utf-8"))))
            for path in sorted(CASES.glob("*.json"))]


@pytest.mark.parametrize("case", [case for _, case in kept_cases()], ids=[name for name, _ in kept_cases()])
def test_a_case_the_fuzz_found_renders(case: Case, tmp_path: Path) -> None:
    assert run_case(case, tmp_path / "cache") == [], describe(case)


@pytest.mark.parametrize("seed", range(FIRST_SEED, FIRST_SEED + BUDGET))
def test_a_generated_article_renders(seed: int, tmp_path: Path) -> None:
    case = generate(seed)
    assert run_case(case, tmp_path / "cache") == [], describe(case)


def test_there_are_kept_cases() -> None:
    assert len(kept_cases()) >= 5


def test_the_generator_covers_every_format_and_mode() -> None:
    made = [generate(seed) for seed in range(FIRST_SEED, FIRST_SEED + 200)]
    assert {case.fmt for case in made} == {"mp3", "wav", "flac", "ogg", "opus", "m4a"}
    assert {case.mode for case in made} == {"file", "stdout", "play"}
    assert any("\n" in block for case in made for block in case.text.split("\n\n"))
    assert any("°C" in case.text or "km/h" in case.text for case in made)
