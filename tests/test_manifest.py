"""The manifest: what a render said, where, and whether each clip came from the cache."""

from __future__ import annotations

import json
from pathlib import Path

from tts.types import Break, Chunk
from tts.config import RenderConfig
from tts.engines.espeak import EspeakEngine
from tts.manifest import build_manifest, manifest_json
from tts.types import Placed
from tts.text import parse_article


def test_manifest_lists_every_paragraph_and_chunk() -> None:
    paragraphs = parse_article("أولا ١٢.\n\n* * *\n\nثانيا. وثالثا.")
    timeline = [Placed(Chunk(0, 0, "أولا 12.", 0, 8, Break.PARAGRAPH), 0, 900, cached=True),
                Placed(Chunk(2, 0, "ثانيا.", 0, 6, Break.SENTENCE), 2300, 3000),
                Placed(Chunk(2, 1, "وثالثا.", 7, 14, Break.PARAGRAPH), 3300, 3900)]
    config = RenderConfig(engine="espeak", speed=1.5, manifest=Path("m.json"))
    data = build_manifest(paragraphs, timeline, EspeakEngine("ar"), config, 3900, "-",
                          Path("out/a.mp3"))
    assert data["source"] == "stdin" and data["output"] == "a.mp3"
    assert data["engine"]["name"] == "espeak" and "voice" in data["engine"]["options"]
    assert data["settings"]["speed"] == 1.5 and data["settings"]["manifest"] == "m.json"
    first, silent, last = data["paragraphs"]
    assert (first["original"], first["spoken"]) == ("أولا ١٢.", "أولا 12.")
    assert first["chunks"] == [{"text": "أولا 12.", "start_ms": 0, "end_ms": 900, "cached": True,
                                "lang": None}]
    assert silent["chunks"] == [] and silent["start_ms"] is None
    assert (last["start_ms"], last["end_ms"]) == (2300, 3900)
    assert [c["cached"] for c in last["chunks"]] == [False, False]
    assert json.loads(manifest_json(data)) == data
    assert "أولا" in manifest_json(data)  # readable Arabic, not \u escapes
