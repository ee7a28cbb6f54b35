"""Word timings: espeak's events, estimates, trimming, and the way back to the written words."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from conftest import FakeGoogle
from hypothesis import given, settings
from hypothesis import strategies as st
from pydub import AudioSegment
from pydub.generators import Sine

from tts.config import RenderConfig
from tts.engines.espeak import EspeakEngine
from tts.pipeline import render
from tts.synth.cache import ClipCache
from tts.synth.synthesize import Synthesizer, trimmed
from tts.synth.wordtimes import article_words, estimate_words, original_offsets, settle_ends, shift_words, written_words
from tts.text.chunk import chunk_text
from tts.text.prepare import parse_article
from tts.types import Break, Chunk, Clip, Paragraph, Placed, WordTime

RATE = 22_050
DIACRITIZED = "مَنَعَتْ رُوسِيَا فِي عَامِ 2019 صُدُورَ بَيَانٍ، رِئَاسِيٍّ."


def tone(ms: int) -> AudioSegment:
    return Sine(300).to_audio_segment(ms, volume=-10).set_frame_rate(RATE).set_channels(1)


def silence(ms: int) -> AudioSegment:
    return AudioSegment.silent(ms, frame_rate=RATE)


def test_estimate_spreads_the_clip_over_the_words_by_letters() -> None:
    words = estimate_words("قال 50 بالمئة.", 1200)
    assert [(w.start, w.end) for w in words] == [(0, 3), (4, 6), (7, 14)]
    # 3, 2 and 6 letters or digits of 11: the full stop takes no time.
    assert [(w.start_ms, w.end_ms) for w in words] == [(0, 327), (327, 545), (545, 1200)]


def test_shift_moves_times_by_the_trim_and_keeps_them_in_the_clip() -> None:
    words = (WordTime(0, 3, 100, 400), WordTime(4, 6, 400, 1100))
    assert shift_words(words, -150, 800) == (WordTime(0, 3, 0, 250), WordTime(4, 6, 250, 800))


def test_a_word_ends_where_its_sound_does_not_at_the_next_word() -> None:
    audio = tone(400) + silence(300) + tone(500)
    settled = settle_ends((WordTime(0, 3, 0, 700), WordTime(4, 6, 700, 1200)), audio)
    assert abs(settled[0].end_ms - 400) <= 10 and settled[1].end_ms == 1200


def test_trimmed_clip_moves_engine_times_with_the_lead_it_cut() -> None:
    audio = silence(500) + tone(600) + silence(400)
    clip, words = trimmed(audio, (WordTime(0, 3, 500, 800), WordTime(4, 7, 800, 1500)))
    lead = 500 - 10  # the trim keeps 10 ms before the sound
    assert abs(len(clip) - (600 + 20)) <= 10
    assert words[0].start_ms == 500 - lead and words[1].start_ms == 800 - lead
    assert words[-1].end_ms <= len(clip)


def test_espeak_reports_every_word_in_order_from_its_events() -> None:
    audio, words = EspeakEngine("ar").synthesize_words(DIACRITIZED)
    written = DIACRITIZED.split()
    assert [DIACRITIZED[w.start:w.end] for w in words] == written  # 2019, four words spoken, once
    starts = [w.start_ms for w in words]
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert all(w.start_ms < w.end_ms for w in words) and words[-1].end_ms == len(audio)
    # The year takes four spoken words: longer than any one-word neighbour.
    year = words[written.index("2019")]
    assert year.end_ms - year.start_ms > max(w.end_ms - w.start_ms for w in words[:4])


def test_espeak_word_times_map_back_from_its_ssml_into_the_chunk_text() -> None:
    # A Latin run makes espeak speak SSML (a <voice> run, escaped & and <): each event's
    # position in the markup must come back to the word in the text as given.
    text = "قال رئيس Google News إن الخبر <مهم> & صحيح"
    engine = EspeakEngine("ar")
    assert engine.markup(text) is not None
    audio, words = engine.synthesize_words(text)
    assert [text[w.start:w.end] for w in words] == text.split()
    starts = [w.start_ms for w in words]
    assert starts[0] == 0 and starts == sorted(set(starts)) and words[-1].end_ms == len(audio)


def test_offsets_map_through_tashkeel_back_to_the_bare_original() -> None:
    original = "منعت روسيا في عام ٢٠١٩ صدور بيان، رئاسي."
    positions = [DIACRITIZED.index(w) for w in DIACRITIZED.split()]
    assert original_offsets(DIACRITIZED, original, positions) == [
        original.index(w) for w in original.split()]


def test_written_words_span_what_is_spoken_for_them() -> None:
    original = "نقلت أ ف ب أن ٥٠٪ - من الناس."
    spoken = "نقلت وكالة الصحافة الفرنسية أن 50 بالمئة - من الناس."
    paragraph = Paragraph(0, original, spoken)
    chunk = Chunk(0, 0, spoken, 0, len(spoken), Break.PARAGRAPH)
    # Every spoken word is heard for 100 ms, but the dash, which is not heard at all.
    clip_words = tuple(WordTime(m, m + len(w), 100 * i, 100 * i + 100)
                       for i, (m, w) in enumerate(spans(spoken)) if w != "-")
    words = written_words(paragraph, [Placed(chunk, 1000, 3000, words=clip_words)])
    assert [w.text for w in words] == paragraph.original.split()
    by_text = {w.text: (w.start_ms, w.end_ms) for w in words}
    # أ ف ب is read as three words, all mapped to أ: the three letters share their time.
    assert by_text["أ"][0] == 1100 and by_text["ب"][1] == 1400
    assert by_text["٥٠٪"] == (1500, 1700)  # 50 بالمئة
    assert by_text["-"] == (1700, 1700)  # a dash takes no time
    assert all(a.end_ms <= b.start_ms for a, b in pairwise(words))


def spans(text: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        out.append((at, word))
        at += len(word)
    return out


def test_article_words_never_pass_the_audio_end() -> None:
    paragraph = Paragraph(0, "قال نعم", "قال نعم")
    chunk = Chunk(0, 0, "قال نعم", 0, 7, Break.PARAGRAPH)
    words = article_words([paragraph], [Placed(chunk, 0, 900)], 600)
    assert [w.end_ms for w in words] == [450, 600]  # three letters each, the second cut at 600


def test_cached_clip_keeps_its_word_times(tmp_path: Path) -> None:
    engine, cache = EspeakEngine("ar"), ClipCache(tmp_path)
    chunk = Chunk(0, 0, DIACRITIZED, 0, len(DIACRITIZED), Break.PARAGRAPH)
    made = next(iter(Synthesizer(engine, cache).clips([chunk])))
    again = next(iter(Synthesizer(engine, cache).clips([chunk])))
    assert not made.cached and again.cached and again.words == made.words and made.words
    # A clip stored without its times (an older cache) is made again, not estimated.
    synth = Synthesizer(engine, cache)
    cache.put(synth.key(chunk), made.audio)  # the same clip, stored without word times
    assert not next(iter(synth.clips([chunk]))).cached


def test_google_words_are_estimated_within_each_clip(google: FakeGoogle, tmp_path: Path) -> None:
    text = ("قال الوزير إن المحادثات مستمرة حتى الآن، وأضاف أن الوفد سيعود غدا إلى العاصمة "
            "لمواصلة البحث في تفاصيل الاتفاق الذي طال انتظاره منذ سنوات.")
    result = render(text, tmp_path / "a.wav", RenderConfig(engine="gtts", cache_dir=None))
    paragraphs = parse_article(text)
    words = article_words(paragraphs, result.timeline, result.duration_ms)
    assert [w.text for w in words] == text.split()
    assert len(result.timeline) >= 2  # Google's 100 characters: more than one clip
    for placed in result.timeline:
        inside = [w for w in words if w.chunk == placed.chunk.index]
        assert inside and inside[0].start_ms == placed.start_ms and inside[-1].end_ms == placed.end_ms


WORDS = st.sampled_from(["قال", "الوزير", "٥٠٪", "2019-2020", "أ.ف.ب", "نيسان/أبريل", "-", "،",
                         "فوراً", "المیادین", "د.محمد", "(البيان)", "«نعم»", "إلخ", "abc", "5%",
                         "مُحَمَّد", "٣", "*", "1440هـ"])
ARTICLES = st.lists(st.lists(WORDS, min_size=1, max_size=30), min_size=1, max_size=4)


@settings(deadline=None, max_examples=150)
@given(ARTICLES, st.integers(8, 120))
def test_every_written_word_gets_a_time_in_order(paragraph_words: list[list[str]],
                                                 max_chars: int) -> None:
    text = "\n\n".join(" ".join(words) for words in paragraph_words) + "\n\nقال."
    paragraphs = parse_article(text)
    chunks = [c for p in paragraphs if p.speakable for c in chunk_text(p.spoken, max_chars, p.index)]
    timeline, at = [], 0
    for chunk in chunks:  # each chunk heard for 60 ms a character, 200 ms apart
        timeline.append(Placed(chunk, at, at + 60 * len(chunk.text)))
        at += 60 * len(chunk.text) + 200
    words = article_words(paragraphs, timeline, at)
    spoken = [p for p in paragraphs if p.speakable]
    assert [w.text for w in words] == [t for p in spoken for t in p.original.split()]
    assert all(0 <= w.start_ms <= w.end_ms <= at for w in words)
    assert all(a.end_ms <= b.start_ms for a, b in pairwise(words))


def test_streamed_timeline_carries_word_times_to_output_time_after_speed() -> None:
    from tts.audio.timeline import at_speed
    from tts.types import FrameSpan
    rate = 1000  # one frame a ms
    chunk = Chunk(0, 0, "قال نعم", 0, 7, Break.PARAGRAPH)
    clip = Clip(chunk, AudioSegment.empty(), False, words=(WordTime(0, 3, 0, 400), WordTime(4, 7, 400, 900)))
    [placed] = at_speed([(clip, FrameSpan(1000, 1900))], rate, 2.0, 10_000)
    assert (placed.start_ms, placed.end_ms) == (500, 950)
    # Relative to the chunk's start, at the output's speed, inside its span.
    assert [(w.start_ms, w.end_ms) for w in placed.words] == [(0, 200), (200, 450)]
