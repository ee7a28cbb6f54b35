"""A new engine needs only itself and one registration: the pipeline asks it, never its name."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from pydub import AudioSegment
from pydub.generators import Sine

from tts import engines
from tts.config import RenderConfig
from tts.engines import EngineSpec
from tts.engines.base import Rule

RATE = 16_000


class BeepEngine:
    """Speaks each chunk as a beep 20 ms per character long, at most 40 characters a call."""

    name = "beep"
    offline = True
    max_chars: int | None = 40
    max_concurrency: int | None = 2
    tashkeel = False
    rules: tuple[Rule, ...] = (Rule("say beep", "بيب", "بييب", "a test rule of this engine"),)
    chars_per_second = 50.0
    inline_languages = False  # a Latin run in Arabic text comes as a chunk of its own
    phoneme_input = False

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        self.texts.append(text)
        return Sine(440).to_audio_segment(20 * len(text), volume=-12).set_frame_rate(RATE)

    def cache_key(self) -> Mapping[str, str]:
        return {"engine": self.name, "version": "1"}


@pytest.fixture
def beep() -> Iterator[BeepEngine]:
    engine = BeepEngine()
    engines.register(EngineSpec("beep", lambda config: engine, lambda config, timeout: (True, "ok"),
                                offline=True, description="a test beep"))
    yield engine
    engines.unregister("beep")


def test_a_registered_engine_renders_an_article_end_to_end(beep: BeepEngine, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "الفقرة الأولى فيها كلمة بيب وكلمات أخرى كثيرة تكفي لتقسيمها إلى قطع.\n\nالفقرة الثانية."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    result = run("render", "a.txt", "--engine", "beep", "-o", "a.wav", "--manifest", "a.json",
                 "--no-loudness")
    assert result.exit_code == 0, result.output
    assert "engine beep" in result.stderr
    # Its request size, its rules and its text form (no tashkeel) are the ones used.
    assert all(len(t) <= 40 for t in beep.texts) and len(beep.texts) >= 3
    assert any("بييب" in t for t in beep.texts)
    manifest = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "beep" and len(manifest["paragraphs"]) == 2
    audio = AudioSegment.from_file(tmp_path / "a.wav")
    assert audio.frame_rate == RATE
    assert len(audio) >= 20 * sum(len(t) for t in beep.texts) + 700


def test_dry_run_estimates_with_the_engines_pace(beep: BeepEngine, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("ا" * 30 + "\n\n" + "ب" * 20, encoding="utf-8")
    result = run("render", "a.txt", "--engine", "beep", "--dry-run", "--pause", "0")
    assert result.exit_code == 0, result.output
    # 50 characters at the engine's own 50 per second: about one second.
    assert "about 0:01" in result.stdout or "~1 s" in result.stdout, result.stdout
    assert beep.texts == []


def test_auto_falls_back_to_a_registered_offline_engine_order() -> None:
    names = engines.names()
    assert names[0] == "auto" and {"gtts", "espeak"} <= set(names)
    with pytest.raises(Exception, match="unknown engine 'beep'"):
        engines.build("beep", RenderConfig())
