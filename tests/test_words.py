"""Counts in messages agree in number (tts.util.words)."""

from __future__ import annotations

import pytest

from tts.util.words import plural


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (1, "paragraph", "1 paragraph"), (13, "paragraph", "13 paragraphs"), (0, "chunk", "0 chunks"),
    (1, "request", "1 request"), (2, "request", "2 requests"), (1, "entry", "1 entry"),
    (5, "entry", "5 entries"), (1, "try", "1 try"), (3, "try", "3 tries"),
])
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected
