"""Subtitles: cues in the original words, timed by the real timeline, in three formats."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import responses
from conftest import ARTICLE, ENDPOINT, HOST, FakeGoogle

from tts.audio.clip import decode
from tts.config import RenderConfig
from tts.errors import ConfigError
from tts.outputs.subtitles import (
    Cue,
    break_lines,
    check_path,
    display_length,
    format_lrc,
    format_srt,
    format_vtt,
    make_cues,
)
from tts.pipeline import render
from tts.synth.wordtimes import original_offsets, paragraph_words
from tts.text.chunk import chunk_text
from tts.text.prepare import parse_article
from tts.types import Paragraph, Placed, Tags, Word

# Persian letters, Eastern digits, a date and slashes: the spoken form differs from
# the original in many places, and the cues must still show the original.
MIXED = ("أعلنت الوزارة فی تقریر یوم ١٢/٥/٢٠٢٠ أن ٣٠٠ شخص أصيبوا في نيسان/ أبريل، "
         "وقالت المیادین إن ١٬٥٠٠ عنصر/ مقاتل انسحبوا من المنطقة. وأضاف المصدر أن "
         "الاشتباكات تواصلت حتى ساعة متأخرة من الليل في ضواحي العاصمة.")


# The fake timeline speaks at a news reader's pace, with a pause after each chunk.
MS_PER_CHAR = 75
PAUSE_MS = 300


def fake_timeline(text: str, max_chars: int) -> tuple[list, list[Placed]]:  # type: ignore[type-arg]
    """Paragraphs and a timeline that gives each chunk MS_PER_CHAR a character, as if spoken."""
    paragraphs = parse_article(text)
    chunks = [c for p in paragraphs if p.speakable for c in chunk_text(p.spoken, max_chars, p.index)]
    timeline, at = [], 0
    for chunk in chunks:
        timeline.append(Placed(chunk, at, at + len(chunk.text) * MS_PER_CHAR))
        at += len(chunk.text) * MS_PER_CHAR + PAUSE_MS
    return paragraphs, timeline


def cues_of(text: str, max_chars: int, duration_ms: int = 10**9) -> list[Cue]:
    paragraphs, timeline = fake_timeline(text, max_chars)
    return make_cues(paragraphs, paragraph_words(paragraphs, timeline, duration_ms), duration_ms)


@pytest.mark.parametrize(("text", "max_chars"), [
    (ARTICLE.read_text(encoding="utf-8"), 100), (ARTICLE.read_text(encoding="utf-8"), 40),
    (MIXED, 100), (MIXED, 25), (MIXED, 8),
])
def test_cues_give_back_each_paragraphs_original_text(text: str, max_chars: int) -> None:
    paragraphs, timeline = fake_timeline(text, max_chars)
    cues = make_cues(paragraphs, paragraph_words(paragraphs, timeline, 10**9), 10**9)
    # Joined, the cues are the original word for word: nothing lost, no word split.
    written = " ".join(p.original for p in paragraphs).split()
    assert " ".join(c.text for c in cues).split() == written
    assert "المیادین" in " ".join(c.text for c in cues)  # the original Persian yeh, not ي
    # Every cue starts with its first word and ends with its last.
    assert all((c.start_ms, c.end_ms) == (c.words[0].start_ms, c.words[-1].end_ms) for c in cues)


def test_original_offsets_map_through_digits_and_slashes() -> None:
    original = "يوم ١٢/٥ في نيسان/أبريل الماضي"
    spoken = parse_article(original)[0].spoken
    assert spoken == "يوم 12/5 في نيسان أبريل الماضي"
    positions = [spoken.index("12"), spoken.index("أبريل"), spoken.index("الماضي")]
    # "نيسان/أبريل" is one written word: the cue starts with all of it.
    assert original_offsets(spoken, original, positions) == [
        original.index("١٢"), original.index("نيسان"), original.index("الماضي")]


@pytest.mark.parametrize(("text", "max_chars"), [
    (ARTICLE.read_text(encoding="utf-8"), 100), (MIXED, 25), (MIXED, 8),
])
def test_cues_keep_to_the_reading_limits(text: str, max_chars: int) -> None:
    for cue in cues_of(text, max_chars):
        assert len(cue.lines) <= 2
        assert all(display_length(" ".join(w.text for w in line)) <= 42 for line in cue.lines)
        assert cue.end_ms - cue.start_ms <= 7000
        assert cue.end_ms - cue.start_ms >= 1000


def word(text: str, start_ms: int, end_ms: int, at: int) -> Word:
    return Word(text, 0, 0, at, at + len(text), start_ms, end_ms)


def words_of(text: str, ms_per_word: int, offset_ms: int = 0) -> list[Word]:
    """Each word of ``text`` lasting ``ms_per_word``, one after the other from ``offset_ms``."""
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    return [word(text[a:b], offset_ms + i * ms_per_word, offset_ms + (i + 1) * ms_per_word, a)
            for i, (a, b) in enumerate(spans)]


def test_cues_are_cut_at_sentences_first() -> None:
    # 8.4 s of speech: one cue would last too long, and the cut goes between the sentences.
    text = "قال الوزير إن المحادثات مستمرة. وأضاف أن الوفد سيعود غدا إلى العاصمة."
    paragraph = Paragraph(0, text, text)
    cues = make_cues([paragraph], {0: words_of(text, 700)}, 10**9)
    assert [c.text.replace("\n", " ") for c in cues] == [
        "قال الوزير إن المحادثات مستمرة.", "وأضاف أن الوفد سيعود غدا إلى العاصمة."]


def test_a_short_paragraph_is_one_short_cue() -> None:
    paragraph = Paragraph(0, "نعم.", "نعم.")
    assert [(c.start_ms, c.end_ms) for c in make_cues([paragraph], {0: words_of("نعم.", 400)}, 10**9)] \
        == [(0, 400)]


def test_two_lines_are_balanced() -> None:
    text = "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو قوات الجيش"
    lines = break_lines(words_of(text, 100))
    assert lines is not None and len(lines) == 2
    top, bottom = (len(" ".join(w.text for w in line)) for line in lines)
    assert abs(top - bottom) <= 8 and max(top, bottom) <= 42
    # A line does not end on a preposition when it can end elsewhere.
    assert lines[0][-1].text not in {"في", "من", "على"}


def test_cues_end_within_the_audio() -> None:
    cues = cues_of(MIXED, 25, 9000)
    assert all(c.start_ms <= c.end_ms <= 9000 for c in cues)


def test_arabic_lines_are_embedded_right_to_left_and_english_is_not() -> None:
    tags = Tags("t", None, None, "ara", "c", "e")
    arabic = Cue(0, 2000, (tuple(words_of("قال الوزير: نعم.", 500)),))
    english = Cue(0, 2000, (tuple(words_of("He said: yes.", 500)),))
    assert format_srt([arabic], tags).splitlines()[2] == "\u202bقال الوزير: نعم.\u202c"
    assert format_srt([english], tags).splitlines()[2] == "He said: yes."
    assert "\u202bقال الوزير: نعم.\u202c" in format_vtt([arabic], tags)
    assert "[00:00.00]\u202bقال الوزير: نعم.\u202c" in format_lrc([arabic], tags)


def test_word_timing_in_vtt_and_enhanced_lrc() -> None:
    tags = Tags("t", None, None, "ara", "c", "e")
    words = words_of("قال الوزير إن المحادثات مستمرة", 600, offset_ms=1200)
    cue = Cue(1200, 4200, (tuple(words[:3]), tuple(words[3:])))
    vtt = format_vtt([cue], tags, word_timing=True)
    # The first word starts with the cue; each later one gets its own timestamp.
    assert ("\u202bقال <00:00:01.800>الوزير <00:00:02.400>إن\u202c\n"
            "\u202b<00:00:03.000>المحادثات <00:00:03.600>مستمرة\u202c") in vtt
    assert "<00:" not in format_vtt([cue], tags)
    lrc = format_lrc([cue], tags, word_timing=True)
    assert "[00:01.20]\u202b<00:01.20>قال <00:01.80>الوزير <00:02.40>إن\u202c" in lrc
    assert "[00:03.00]\u202b<00:03.00>المحادثات <00:03.60>مستمرة\u202c" in lrc


def test_bad_extension_lists_the_formats() -> None:
    with pytest.raises(ConfigError, match=r"\.txt.*\.srt, \.vtt, \.lrc"):
        check_path(Path("subs.txt"))


BIDI = re.compile("[\u202a-\u202e]")
TIME = r"(\d\d):(\d\d):(\d\d)[,.](\d{3})"


def parse_srt_or_vtt(text: str) -> list[tuple[int, int, str]]:
    """(start_ms, end_ms, text) of each cue: a tiny reader independent of tts.outputs.subtitles."""
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
    assert " ".join(BIDI.sub("", text) for _, _, text in cues).split() == MIXED.split()
    # Each cue starts while its first word's chunk is heard, not in a pause.
    spans = [(p.start_ms, p.end_ms) for p in result.timeline]
    assert all(any(a - 10 <= start <= b for a, b in spans) for start, _, _ in cues)


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
    cue = Cue(0, 1500, (tuple(words_of("شركة AT&T: السعر <b>ارتفع</b> --> جيدة", 200)),))
    tags = Tags("t", None, None, "ara", "c", "e")
    vtt = format_vtt([cue], tags)
    assert "AT&amp;T" in vtt and "&lt;b&gt;" in vtt and vtt.count("-->") == 1
    srt = format_srt([cue], tags)
    assert srt.count("-->") == 1 and "<b>ارتفع</b>" in srt
