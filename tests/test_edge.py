"""The Edge engine through the real edge-tts code, against a websocket server on 127.0.0.1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import mutagen
import pytest
from conftest import ARTICLE, ffmpeg_chapters
from edge_server import FakeEdge, serve_edge

from tts.engines import edge
from tts.engines.edge import EdgeEngine, check_voice, prosody_rate
from tts.errors import ConfigError, NetworkError
from tts.synth import synthesize

# Two paragraphs whose spoken form is their written form: each written word is one boundary.
SHORT = "قال الرئيس اليوم إن الحكومة ستعمل بسرعة.\n\nوأضاف أن الخطة تبدأ الشهر المقبل."
TOLERANCE_MS = 20
CLOCK = re.compile(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEdge]:
    # Retries wait milliseconds, not seconds: the scenarios, not the backoff, are under test.
    monkeypatch.setattr(synthesize, "BACKOFF_BASE_S", 0.01)
    with serve_edge() as server:
        yield server


def ms(clock: str) -> int:
    h, m, s, milli = map(int, CLOCK.fullmatch(clock).groups())  # type: ignore[union-attr]
    return ((h * 60 + m) * 60 + s) * 1000 + milli


def vtt_word_starts(vtt: str) -> list[int]:
    """Each word's start in a word-timed VTT: the cue's start for its first word, then the tags."""
    starts = []
    for block in vtt.split("\n\n"):
        lines = block.strip().splitlines()
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue
        starts.append(ms(lines[timing].split(" --> ")[0].strip()))
        starts += [ms(tag) for line in lines[timing + 1:] for tag in re.findall(r"<([\d:.]+)>", line)]
    return starts


def test_renders_the_article_to_an_mp3_with_chapters(run, fake: FakeEdge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(ARTICLE), "--engine", "edge", "--voice", "ar-EG-SalmaNeural",
                 "-o", "out.mp3", "--manifest", "out.json")
    assert result.exit_code == 0, result.stderr
    audio = mutagen.File(tmp_path / "out.mp3")
    assert audio is not None and audio.info.length > 5
    manifest = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    spoken = [p for p in manifest["paragraphs"] if p["chunks"]]
    assert len(ffmpeg_chapters(tmp_path / "out.mp3")) == len(spoken)
    assert (manifest["engine"]["name"], manifest["engine"]["voice"]) == ("edge", "ar-EG-SalmaNeural")
    assert manifest["engine"]["options"]["voice"] == "ar-EG-SalmaNeural"
    # Every chunk one request within Edge's 4096 bytes, so edge-tts never cut one itself.
    chunks = [c["text"] for p in spoken for c in p["chunks"]]
    assert sorted(r.text for r in fake.requests) == sorted(chunks)
    assert all(len(r.text.encode()) < 4096 for r in fake.requests)


def test_word_timed_vtt_matches_the_servers_boundaries(run, fake: FakeEdge, write_text,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    source = write_text(SHORT)
    result = run("render", str(source), "--engine", "edge", "--voice", "ar-EG-SalmaNeural",
                 "-o", "out.mp3", "--subtitles", "out.vtt", "--word-timing",
                 "--manifest", "out.json", "--html", "page.html")
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    sent = {r.text: r.boundaries for r in fake.requests}
    expected = []  # the server's boundaries moved to where their chunk sits in the output
    for paragraph in manifest["paragraphs"]:
        for chunk in paragraph["chunks"]:
            starts = [chunk["start_ms"] + start for _, start, _ in sent[chunk["text"]]]
            expected += starts
            assert [w["start_ms"] for w in chunk["words"]] == pytest.approx(starts, abs=TOLERANCE_MS)
    found = vtt_word_starts((tmp_path / "out.vtt").read_text(encoding="utf-8"))
    assert len(found) == len(expected)
    assert found == pytest.approx(expected, abs=TOLERANCE_MS)
    assert "الحكومة" in (tmp_path / "page.html").read_text(encoding="utf-8")


def test_ssml_carries_the_voice_and_prosody(run, fake: FakeEdge, write_text) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(write_text(SHORT)), "--engine", "edge", "--voice", "ar-SA-ZariyahNeural",
                 "--rate", "210", "--pitch", "-10", "-o", "out.mp3")
    assert result.exit_code == 0, result.stderr
    assert {(r.voice, r.rate, r.pitch) for r in fake.requests} == {
        ("Microsoft Server Speech Text to Speech Voice (ar-SA, ZariyahNeural)", "+20%", "-10Hz")}
    metadata = fake.requests[0].config["context"]["synthesis"]["audio"]["metadataoptions"]  # type: ignore[index]
    assert metadata["wordBoundaryEnabled"] == "true"


def test_rerun_takes_every_clip_from_the_cache(run, fake: FakeEdge, write_text) -> None:  # type: ignore[no-untyped-def]
    source = write_text(SHORT)
    args = ("render", str(source), "--engine", "edge", "-o", "out.mp3", "--subtitles", "out.vtt",
            "--word-timing")
    assert run(*args).exit_code == 0
    first = fake.connections
    assert first > 0
    again = run(*args)
    assert again.exit_code == 0, again.stderr
    assert fake.connections == first


@pytest.mark.parametrize("scenario", ["403", "429", "503", "close", "truncate"])
def test_a_failure_that_passes_is_retried(run, fake: FakeEdge, write_text, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          scenario: str) -> None:
    # 403 twice: edge-tts retries one itself (with the server's clock), we retry the second.
    fake.scenarios.extend([scenario, scenario] if scenario == "403" else [scenario])
    result = run("render", str(write_text("قال الرئيس اليوم إن الحكومة ستعمل.")), "--engine", "edge",
                 "-o", "out.mp3", "--manifest", "out.json")
    assert result.exit_code == 0, result.stderr
    assert fake.connections == (3 if scenario == "403" else 2)
    manifest = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    words = [w for p in manifest["paragraphs"] for c in p["chunks"] for w in c["words"]]
    assert len(words) == 6 and manifest["duration_ms"] >= words[-1]["end_ms"]


def test_a_lasting_failure_is_one_line_and_exit_code_1(run, fake: FakeEdge, write_text) -> None:  # type: ignore[no-untyped-def]
    fake.always = "429"
    result = run("render", str(write_text("قال الرئيس اليوم.")), "--engine", "edge", "-o", "out.mp3",
                 "--retries", "2")
    assert result.exit_code == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ") and "429" in error and "Rerun" in error
    assert fake.connections == 3


def test_truncation_that_lasts_fails_clearly(fake: FakeEdge) -> None:
    fake.always = "truncate"
    with pytest.raises(NetworkError, match="stopped early") as caught:
        EdgeEngine("ar-EG-SalmaNeural").synthesize_words("قال الرئيس اليوم")
    assert caught.value.retryable


def test_rate_is_relative_to_175_wpm() -> None:
    assert [prosody_rate(r) for r in (None, 175, 210, 140)] == ["+0%", "+0%", "+20%", "-20%"]


def test_default_voice_is_msa_for_arabic_and_from_the_snapshot_otherwise() -> None:
    assert EdgeEngine(lang="ar").voice == "ar-SA-HamedNeural"
    assert EdgeEngine(lang="en").voice.startswith("en-")
    with pytest.raises(ConfigError, match="--voice"):
        EdgeEngine(lang="sw")


def test_unknown_voice_is_a_usage_error_with_a_hint(run) -> None:  # type: ignore[no-untyped-def]
    result = run("render", "-", "--engine", "edge", "--voice", "Salma", "-o", "out.mp3", input="نص")
    assert result.exit_code == 2
    assert "article-tts voices" in result.stderr


def test_a_new_voice_named_like_edges_is_tried_with_a_warning() -> None:
    assert check_voice("ar-EG-SalmaNeural") is None
    assert "not in the voices list" in (check_voice("ar-EG-NewVoiceNeural") or "")


def test_cache_identity_has_voice_and_prosody() -> None:
    key = EdgeEngine("ar-EG-SalmaNeural", rate=210, pitch=5).cache_key()
    assert key["voice"] == "ar-EG-SalmaNeural" and key["rate"] == "+20%" and key["pitch"] == "+5Hz"
    assert key["version"] == edge.edge_version() != "missing"


def test_a_chunk_always_fits_one_request() -> None:
    # Worst case: every character escaped to five bytes (&amp;).
    assert len(("&" * edge.MAX_CHARS).replace("&", "&amp;").encode()) <= 4096


def test_voices_lists_arabic_edge_voices_by_locale_with_gender(run) -> None:  # type: ignore[no-untyped-def]
    result = run("voices", "ar")
    assert result.exit_code == 0
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    edge_rows = [row for row in rows if row[0] == "edge"]
    locales = [row[2] for row in edge_rows]
    assert locales == sorted(locales) and len(set(locales)) == 16
    assert {row[3] for row in edge_rows} == {"Female", "Male"}
    assert ["edge", "ar-EG-SalmaNeural", "ar-EG", "Female"] in [row[:4] for row in edge_rows]
    assert any(row[:2] == ["espeak", "ar"] for row in rows)


def test_voices_lists_every_engine_and_filters_by_engine_or_locale(run) -> None:  # type: ignore[no-untyped-def]
    every = run("voices").stdout.splitlines()
    assert {line.split()[0] for line in every[1:]} >= {"edge", "espeak"}
    only_edge = run("voices", "edge").stdout.splitlines()[1:]
    assert only_edge and all(line.startswith("edge ") for line in only_edge)
    egypt = run("voices", "ar-EG").stdout.splitlines()[1:]
    assert sorted(line.split()[1] for line in egypt) == ["ar-EG-SalmaNeural", "ar-EG-ShakirNeural"]
    nothing = run("voices", "xx")
    assert nothing.exit_code == 2 and "no voice" in nothing.stderr


def test_engines_says_edge_needs_the_network_without_touching_it(run, offline: None) -> None:  # type: ignore[no-untyped-def]
    result = run("engines")
    line = next(line for line in result.stdout.splitlines() if line.startswith("edge"))
    assert "usable: yes" in line and "needs the network" in line
