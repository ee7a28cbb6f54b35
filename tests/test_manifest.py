"""The manifest: what a render said, where, and whether each clip came from the cache."""

from __future__ import annotations

import json
from pathlib import Path

from tts.config import RenderConfig
from tts.engines.espeak import EspeakEngine
from tts.outputs.manifest import build_manifest, manifest_json
from tts.synth.wordtimes import paragraph_words
from tts.text.prepare import parse_article
from tts.types import Break, Chunk, Placed, WordTime


def test_manifest_lists_every_paragraph_and_chunk() -> None:
    paragraphs = parse_article("أولا ١٢.\n\n* * *\n\nثانيا. وثالثا.")
    timeline = [Placed(Chunk(0, 0, "أولا 12.", 0, 8, Break.PARAGRAPH), 0, 900, cached=True),
                Placed(Chunk(2, 0, "ثانيا.", 0, 6, Break.SENTENCE), 2300, 3000),
                Placed(Chunk(2, 1, "وثالثا.", 7, 14, Break.PARAGRAPH), 3300, 3900)]
    config = RenderConfig(engine="espeak", speed=1.5, manifest=Path("m.json"))
    words = paragraph_words(paragraphs, timeline, 3900)
    data = build_manifest(paragraphs, timeline, EspeakEngine("ar+f3"), config, 3900, "-",
                          Path("out/a.mp3"), words=words)
    assert data["source"] == "stdin" and data["output"] == "a.mp3"
    assert data["engine"]["name"] == "espeak" and data["engine"]["voice"] == "ar+f3"
    assert "voice" in data["engine"]["options"]
    assert data["settings"]["speed"] == 1.5 and data["settings"]["manifest"] == "m.json"
    first, silent, last = data["paragraphs"]
    assert (first["original"], first["spoken"]) == ("أولا ١٢.", "أولا 12.")
    assert first["chunks"] == [{"text": "أولا 12.", "start_ms": 0, "end_ms": 900, "cached": True,
                                "lang": None,
                                "words": [{"text": "أولا", "start_ms": 0, "end_ms": 600},
                                          {"text": "١٢.", "start_ms": 600, "end_ms": 900}]}]
    assert silent["chunks"] == [] and silent["start_ms"] is None
    assert (last["start_ms"], last["end_ms"]) == (2300, 3900)
    assert [c["cached"] for c in last["chunks"]] == [False, False]
    assert [[w["text"] for w in c["words"]] for c in last["chunks"]] == [["ثانيا."], ["وثالثا."]]
    assert json.loads(manifest_json(data)) == data
    assert "أولا" in manifest_json(data)  # readable Arabic, not \u escapes


def test_manifest_words_come_from_the_clips_times_in_output_time() -> None:
    paragraphs = parse_article("قال ٥٠٪ من الناس.")
    chunk = Chunk(0, 0, paragraphs[0].spoken, 0, len(paragraphs[0].spoken), Break.PARAGRAPH)
    spoken = chunk.text.split()
    assert spoken == ["قال", "50", "بالمئة", "من", "الناس."]
    offsets = [chunk.text.index(w) for w in spoken]
    times = [(0, 300), (300, 500), (500, 900), (900, 1000), (1000, 1500)]
    clip_words = tuple(WordTime(o, o + len(w), a, b)
                       for o, w, (a, b) in zip(offsets, spoken, times, strict=True))
    timeline = [Placed(chunk, 1000, 2500, words=clip_words)]
    data = build_manifest(paragraphs, timeline, EspeakEngine("ar"), RenderConfig(), 2500, "-",
                          Path("a.mp3"), words=paragraph_words(paragraphs, timeline, 2500))
    words = data["paragraphs"][0]["chunks"][0]["words"]
    # The written ٥٠٪ is heard as two spoken words: it spans both.
    assert words == [{"text": "قال", "start_ms": 1000, "end_ms": 1300},
                     {"text": "٥٠٪", "start_ms": 1300, "end_ms": 1900},
                     {"text": "من", "start_ms": 1900, "end_ms": 2000},
                     {"text": "الناس.", "start_ms": 2000, "end_ms": 2500}]
