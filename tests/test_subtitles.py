"""Subtitles: cues in the original words, timed by the real timeline, in three formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import responses

from conftest import ARTICLE, ENDPOINT, HOST, FakeGoogle
from tts.audio import decode
from tts.chunk import chunk_text
from tts.config import RenderConfig
from tts.errors import ConfigError
from tts.pipeline import render
from tts.types import Placed
from tts.metadata import clock
from tts.types import Tags
from tts.subtitles import (Cue, check_path, format_srt, format_vtt, lrc_time, make_cues,
                           merge_short, original_offsets, paragraph_cues)
from tts.text import parse_article
import itertools

# Persian letters, Eastern digits, a date and slashes: the spoken form differs from
# the original in many places, and the cues must still show the original.
MIXED = ("أعلنت الوزارة فی تقریر یوم ١٢/٥/٢٠٢٠ أن ٣٠٠ شخص أصيبوا في نيسان/ أبريل، "
         "وقالت المیادین إن ١٬٥٠٠ عنصر/ مقاتل انسحبوا من المنطقة. وأضاف المصدر أن "
         "الاشتباكات تواصلت حتى ساعة متأخرة من الليل في ضواحي العاصمة.")


def fake_timeline(text: str, max_chars: int) -> tuple[list, list[Placed]]:  # type: ignore[type-arg]
    """Paragraphs and a timeline that gives each chunk 2 s, as if spoken."""
    paragraphs = parse_article(text)
    chunks = [c for p in paragraphs if p.speakable for c in chunk_text(p.spoken, max_chars, p.index)]
    return paragraphs, [Placed(c, i * 2500, i * 2500 + 2000) for i, c in enumerate(chunks)]


@pytest.mark.parametrize(("text", "max_chars"), [
    (ARTICLE.read_text(encoding="utf-8"), 100), (ARTICLE.read_text(encoding="utf-8"), 40),
    (MIXED, 100), (MIXED, 25), (MIXED, 8),
])
def test_cues_give_back_each_paragraphs_original_text(text: str, max_chars: int) -> None:
    paragraphs, timeline = fake_timeline(text, max_chars)
    for p in paragraphs:
        placed = [t for t in timeline if t.chunk.paragraph == p.index]
        cues = paragraph_cues(p, placed)
        assert len(cues) == len(placed)
        # Joined, the cues are the original word for word: nothing lost, no word split.
        assert " ".join(c.text for c in cues).split() == p.original.split()
        merged = merge_short(cues)
        assert " ".join(c.text for c in merged).split() == p.original.split()


def test_seed_article_has_13_paragraphs_of_cues() -> None:
    paragraphs, timeline = fake_timeline(ARTICLE.read_text(encoding="utf-8"), 100)
    cues = make_cues(paragraphs, timeline, 10**9)
    assert len(paragraphs) == 13
    assert " ".join(c.text for c in cues).split() == " ".join(p.original for p in paragraphs).split()
    assert "المیادین" in " ".join(c.text for c in cues)  # the original Persian yeh, not ي


def test_original_offsets_map_through_digits_and_slashes() -> None:
    original = "يوم ١٢/٥ في نيسان/أبريل الماضي"
    spoken = parse_article(original)[0].spoken
    assert spoken == "يوم 12/5 في نيسان أبريل الماضي"
    positions = [spoken.index("12"), spoken.index("أبريل"), spoken.index("الماضي")]
    # "نيسان/أبريل" is one written word: the cue starts with all of it.
    assert original_offsets(spoken, original, positions) == [
        original.index("١٢"), original.index("نيسان"), original.index("الماضي")]


def test_short_cues_merge_into_a_neighbour() -> None:
    cues = [Cue(0, 400, "قال"), Cue(500, 3000, "الوزير إن المحادثات مستمرة"),
            Cue(3100, 3600, "حتى الآن."), Cue(4000, 7000, "وأضاف أن الوفد سيعود غدا")]
    assert merge_short(cues) == [Cue(0, 3600, "قال الوزير إن المحادثات مستمرة حتى الآن."),
                                 Cue(4000, 7000, "وأضاف أن الوفد سيعود غدا")]
    assert merge_short(cues[1:2]) == cues[1:2]


def test_cues_end_within_the_audio() -> None:
    paragraphs, timeline = fake_timeline(MIXED, 25)
    cues = make_cues(paragraphs, timeline, 9000)
    assert all(c.start_ms <= c.end_ms <= 9000 for c in cues)


def test_time_formats() -> None:
    assert clock(3_723_045, ",") == "01:02:03,045"
    assert clock(3_723_045) == "01:02:03.045"
    assert lrc_time(3_723_045) == "62:03.04"


def test_bad_extension_lists_the_formats() -> None:
    with pytest.raises(ConfigError, match=r"\.txt.*\.srt, \.vtt, \.lrc"):
        check_path(Path("subs.txt"))


TIME = r"(\d\d):(\d\d):(\d\d)[,.](\d{3})"


def parse_srt_or_vtt(text: str) -> list[tuple[int, int, str]]:
    """(start_ms, end_ms, text) of each cue: a tiny reader independent of tts.subtitles."""
    def ms(h: str, m: str, s: str, f: str) -> int:
        return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            found = re.fullmatch(f"{TIME} --> {TIME}", line)
            if found:
                g = found.groups()
                cues.append((ms(*g[:4]), ms(*g[4:]), "\n".join(lines[i + 1:])))
    return cues


def parse_lrc(text: str) -> list[tuple[int, int, str]]:
    """LRC lines as cues: each lasts until the next time stamp."""
    stamps = [(int(m) * 60_000 + int(s) * 1000 + int(c) * 10, body)
              for m, s, c, body in re.findall(r"^\[(\d+):(\d\d)\.(\d\d)\](.*)$", text, re.M)]
    return [(t, following[0], body) for (t, body), following in itertools.pairwise(stamps) if body]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """MIXED rendered by the fake Google voice at speed 1 and 2, with each subtitle format."""
    folder = tmp_path_factory.mktemp("subs")
    return {(speed, suffix): render_with_google(folder, speed, suffix)
            for speed in (1.0, 2.0) for suffix in (".srt", ".vtt", ".lrc")}


def render_with_google(folder: Path, speed: float, suffix: str):  # type: ignore[no-untyped-def]
    fake = FakeGoogle()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, ENDPOINT, callback=fake.answer)
        mock.add(responses.HEAD, HOST, status=200)
        subs = folder / f"s{speed:g}{suffix}"
        out = folder / f"s{speed:g}.wav"
        result = render(MIXED, out, RenderConfig(engine="gtts", subtitles=subs, speed=speed))
    parse = parse_lrc if suffix == ".lrc" else parse_srt_or_vtt
    heard = len(decode(out.read_bytes(), 24_000))
    return result, parse(subs.read_text(encoding="utf-8")), heard


@pytest.mark.parametrize("suffix", [".srt", ".vtt", ".lrc"])
def test_written_cues_are_ordered_bounded_and_original(rendered, suffix: str) -> None:  # type: ignore[no-untyped-def]
    result, cues, heard = rendered[1.0, suffix]
    assert len(cues) >= 3
    assert all(start < end for start, end, _ in cues)
    assert all(end <= next_start for (_, end, _), (next_start, _, _) in itertools.pairwise(cues))
    assert cues[-1][1] <= result.duration_ms and abs(result.duration_ms - heard) < 50
    assert " ".join(text for _, _, text in cues).split() == MIXED.split()
    # Each cue starts where its chunk's speech starts in the real timeline.
    starts = {p.start_ms for p in result.timeline}
    assert all(min(abs(start - s) for s in starts) <= 10 for start, _, _ in cues)


def test_vtt_header(rendered) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = rendered[1.0, ".vtt"]
    assert Path(str(result.output).replace(".wav", ".vtt")).read_text().startswith("WEBVTT\n")


@pytest.mark.parametrize("suffix", [".srt", ".lrc"])
def test_cue_times_follow_the_speed(rendered, suffix: str) -> None:  # type: ignore[no-untyped-def]
    _, normal, heard_normal = rendered[1.0, suffix]
    result, fast, heard_fast = rendered[2.0, suffix]
    # The same words; a cue too short to read at 2x joins its neighbour, so compare
    # each fast cue's start with the normal cue that starts there, halved.
    assert " ".join(t for _, _, t in fast).split() == " ".join(t for _, _, t in normal).split()
    halved = [(start / 2, end / 2) for start, end, _ in normal]
    assert all(min(abs(f[0] - h[0]) for h in halved) <= 10 for f in fast)
    assert all(min(abs(f[1] - h[1]) for h in halved) <= 10 for f in fast)
    assert abs(heard_normal / heard_fast - 2.0) < 0.06
    assert fast[-1][1] <= result.duration_ms and abs(result.duration_ms - heard_fast) < 50


def test_cue_text_cannot_break_the_file() -> None:
    cue = Cue(0, 1500, "شركة AT&T: السعر <b>ارتفع</b> --> جيدة")
    tags = Tags("t", None, None, "ara", "c", "e")
    vtt = format_vtt([cue], tags)
    assert "AT&amp;T" in vtt and "&lt;b&gt;" in vtt and vtt.count("-->") == 1
    srt = format_srt([cue], tags)
    assert srt.count("-->") == 1 and "<b>ارتفع</b>" in srt
