"""Counts in messages, agreeing in number: "1 paragraph", "13 paragraphs"."""

from __future__ import annotations

# Nouns whose plural is not the singular and an "s".
IRREGULAR_PLURALS = {"entry": "entries", "try": "tries"}


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun`` in the form it takes: ``plural(1, "chunk")`` is ``1 chunk``."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {IRREGULAR_PLURALS.get(noun, noun + 's')}"
