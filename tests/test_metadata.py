"""Tags and chapters: chosen from the text, written natively per format, read back by others."""

from __future__ import annotations

import subprocess
from pathlib import Path

import mutagen
import pytest
from conftest import ffmpeg_chapters
from pydub import AudioSegment
from pydub.generators import Sine

from tts.audio.clip import ffmpeg_exe
from tts.audio.export import export
from tts.audio.metadata import (
    CTOC_MAX_ENTRIES,
    TITLE_MAX_CHARS,
    default_title,
    escape,
    first_words,
    fit_chapters,
    language_code,
    make_chapters,
    make_tags,
    write_id3,
)
from tts.config import RenderConfig
from tts.text.prepare import parse_article
from tts.types import ENCODER, Break, Chapter, Chunk, Placed, Tags

TAGS = Tags(title="نشرة الأخبار", artist="أخبار", album="Evening; =news", language="ara",
            comment="Read aloud from article.txt by the espeak engine")
CHAPTERS = [Chapter("الفقرة الأولى", 0, 1500), Chapter("الثانية…", 1500, 2600),
            Chapter("third", 2600, 4000)]


def tone(ms: int = 4000) -> AudioSegment:
    return Sine(300).to_audio_segment(ms, volume=-10).set_frame_rate(22_050).set_channels(1)


@pytest.mark.parametrize(("text", "source", "title"), [
    ("عاجل: روسيا تمنع بيانا\n\nنص الخبر.", "news.txt", "عاجل: روسيا تمنع بيانا"),
    # Without a headline, the first sentence, shortened at a word: not the file's name.
    ("كلمة " * 30, "data/long-article.txt", "كلمة " * 15 + "كلمة…"),
    ("كلمة " * 30, "-", "كلمة " * 15 + "كلمة…"),
    ("قال د. محمد إن البيان صدر أمس. " + "ثم " * 30, "x.txt", "قال د. محمد إن البيان صدر أمس"),
    ("منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو قوات قائد الجيش الليبي، "
     "الجنرال خليفة حفتر، إلى وقف هجومها.", "x.txt",
     "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو قوات قائد الجيش الليبي…"),
    ("* * *\n\nنص.", "x.txt", "نص."),
])
def test_default_title(text: str, source: str, title: str) -> None:
    found = default_title(parse_article(text), source)
    assert found == title and len(found) <= TITLE_MAX_CHARS


@pytest.mark.parametrize(("lang", "code"), [("ar", "ara"), ("en", "eng"), ("en-US", "eng"),
                                            ("zh_CN", "zho"), ("xx", "und")])
def test_language_code(lang: str, code: str) -> None:
    assert language_code(lang) == code


def test_make_tags_prefers_the_users_title() -> None:
    paragraphs = parse_article("عنوان قصير\n\nنص.")
    tags = make_tags(paragraphs, RenderConfig(title="Mine", artist="A"), "gtts", "dir/in.txt")
    assert (tags.title, tags.artist, tags.album, tags.language) == ("Mine", "A", None, "ara")
    assert "in.txt" in tags.comment and "gtts" in tags.comment
    assert tags.encoder == ENCODER and "0." in ENCODER


@pytest.mark.parametrize(("text", "title"), [
    ("قصير جدا.", "قصير جدا."),
    ("واحد اثنان ثلاثة أربعة خمسة ستة سبعة", "واحد اثنان ثلاثة أربعة خمسة ستة…"),
    ("a" * 100, "a" * 48 + "…"),
])
def test_first_words(text: str, title: str) -> None:
    assert first_words(text) == title


def test_escape_ffmetadata_specials() -> None:
    assert escape("a=b;c#d\\e\nf") == "a\\=b\\;c\\#d\\\\e\\\nf"


def test_chapters_start_where_speech_starts_and_skip_silent_paragraphs() -> None:
    paragraphs = parse_article("أولا هنا.\n\n* * *\n\nثانيا هنا. وثالثا.")
    timeline = [Placed(Chunk(0, 0, "أولا هنا.", 0, 9, Break.PARAGRAPH), 0, 900),
                Placed(Chunk(2, 0, "ثانيا هنا.", 0, 10, Break.SENTENCE), 2300, 3000),
                Placed(Chunk(2, 1, "وثالثا.", 11, 18, Break.PARAGRAPH), 3300, 3900)]
    chapters = make_chapters(paragraphs, timeline, 4000)
    assert chapters == [Chapter("أولا هنا.", 0, 2300), Chapter("ثانيا هنا. وثالثا.", 2300, 4000)]


def test_mp3_has_id3v23_utf16_tags_and_chapters(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    export(tone(), out, tags=TAGS, chapters=CHAPTERS)
    assert out.read_bytes()[:4] == b"ID3\x03"  # the header itself says v2.3
    tags = mutagen.File(out).tags
    assert tags.version == (2, 3, 0)
    assert tags["TIT2"].encoding == 1 and tags.getall("CHAP")[0].sub_frames["TIT2"].encoding == 1
    assert str(tags["TIT2"]) == TAGS.title and str(tags["TPE1"]) == TAGS.artist
    assert str(tags["TALB"]) == TAGS.album and str(tags["TLAN"]) == "ara"
    assert str(tags["TSSE"]) == ENCODER
    assert tags.getall("COMM")[0].text == [TAGS.comment]
    toc = tags.getall("CTOC")[0]
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    ordered = [chaps[i] for i in toc.child_element_ids]
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in ordered] == \
        [(c.start_ms, c.end_ms, c.title) for c in CHAPTERS]


@pytest.mark.parametrize("suffix", [".mp3", ".ogg", ".opus", ".m4a", ".flac"])
def test_ffmpeg_reads_the_chapters_in_order(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"a{suffix}"
    export(tone(), out, tags=TAGS, chapters=CHAPTERS)
    read = ffmpeg_chapters(out)
    assert [title for _, _, title in read] == [c.title for c in CHAPTERS]
    # ffmpeg shifts MP3 chapters by the encoder delay it skips (about 50 ms at 22 kHz).
    assert all(abs(start - c.start_ms) <= 60 for (start, _, _), c in zip(read, CHAPTERS, strict=True))


@pytest.mark.parametrize(("suffix", "keys"), [
    (".ogg", ("title", "artist", "album", "language", "comment", "encoder")),
    (".flac", ("title", "artist", "album", "language", "comment", "encoder")),
    (".m4a", ("\xa9nam", "\xa9ART", "\xa9alb", None, "\xa9cmt", "\xa9too")),
])
def test_native_tags(tmp_path: Path, suffix: str, keys: tuple[str | None, ...]) -> None:
    out = tmp_path / f"a{suffix}"
    export(tone(1000), out, tags=TAGS, chapters=CHAPTERS)
    tags = mutagen.File(out).tags
    values = (TAGS.title, TAGS.artist, TAGS.album, TAGS.language, TAGS.comment, TAGS.encoder)
    for key, value in zip(keys, values, strict=True):
        if key is not None:
            assert tags[key] == [value], key


def test_m4a_and_wav_carry_title_and_language(tmp_path: Path) -> None:
    for name in ("a.m4a", "a.wav"):
        export(tone(1000), tmp_path / name, tags=TAGS, chapters=CHAPTERS)
        info = info_of(tmp_path / name)
        assert TAGS.title in info and TAGS.comment in info and TAGS.album in info
    streams = [line for line in info_of(tmp_path / "a.m4a").splitlines() if "Stream #" in line]
    assert len(streams) == 2 and all("(ara)" in line for line in streams)  # audio and chapters


def test_wav_tags_are_an_id3_chunk_not_riff_info(tmp_path: Path) -> None:
    out = tmp_path / "a.wav"
    export(tone(1000), out, tags=TAGS, chapters=CHAPTERS)
    data = out.read_bytes()
    assert b"LIST" not in data and b"INFO" not in data  # no encoding-less RIFF INFO text
    tags = mutagen.File(out).tags
    assert tags.version == (2, 3, 0) and str(tags["TIT2"]) == TAGS.title
    assert str(tags["TLAN"]) == "ara" and str(tags["TSSE"]) == ENCODER


def info_of(path: Path) -> str:
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                          check=False)
    return proc.stderr.decode("utf-8")


def test_no_chapters_written_when_none_given(tmp_path: Path) -> None:
    for suffix in (".mp3", ".m4a", ".ogg"):
        out = tmp_path / f"a{suffix}"
        export(tone(1000), out, tags=TAGS, chapters=[])
        assert ffmpeg_chapters(out) == []


def test_mp3_with_more_paragraphs_than_a_ctoc_holds(tmp_path: Path) -> None:
    chapters = [Chapter(f"p{i}", i * 100, (i + 1) * 100) for i in range(600)]
    fitted = fit_chapters(chapters, CTOC_MAX_ENTRIES)
    assert len(fitted) <= CTOC_MAX_ENTRIES and fitted[0].start_ms == 0
    assert fitted[-1].end_ms == 60_000 and [c.title for c in fitted[:2]] == ["p0", "p3"]
    out = tmp_path / "long.mp3"
    export(tone(60_000), out)
    write_id3(out, Tags("t", None, None, "ara", "c"), chapters)
    assert len(ffmpeg_chapters(out)) == len(fitted)


def test_headings_start_chapters_titled_by_them() -> None:
    from tts.sources.markdown import markdown_article
    article = markdown_article("مقدمة قصيرة.\n\n# أولا\n\nنص أول.\n\nنص ثان.\n\n"
                               "## ثانيا بعنوان أطول من ست كلمات هنا\n\nنص ثالث.")
    paragraphs = parse_article(article)
    assert [p.heading for p in paragraphs] == [False, True, False, False, True, False]
    timeline = [Placed(Chunk(i, 0, p.spoken, 0, len(p.spoken), Break.PARAGRAPH), i * 1000, i * 1000 + 800)
                for i, p in enumerate(paragraphs)]
    assert make_chapters(paragraphs, timeline, 6000) == [
        Chapter("مقدمة قصيرة.", 0, 1000),
        Chapter("أولا", 1000, 4000),
        Chapter("ثانيا بعنوان أطول من ست كلمات هنا", 4000, 6000),
    ]


def test_a_heading_is_its_own_paragraph_with_the_paragraph_pause() -> None:
    from tts.sources.markdown import markdown_article
    from tts.text.chunk import chunk_article
    paragraphs = parse_article(markdown_article("# عنوان القسم\n\nنص القسم هنا."))
    chunks = chunk_article(paragraphs, 100)
    assert (chunks[0].paragraph, chunks[0].text, chunks[0].brk) == (0, "عنوان القسم", Break.PARAGRAPH)


def test_make_tags_from_the_articles_metadata() -> None:
    from tts.types import ArticleMeta
    meta = ArticleMeta(title="عنوان", author="سارة", site="الموقع", date="2019-04-08T09:30:00+02:00",
                       url="https://news.example/a")
    tags = make_tags(parse_article("نص."), RenderConfig(), "espeak", "a.html", meta)
    assert (tags.title, tags.artist, tags.album, tags.comment, tags.date) == (
        "عنوان", "سارة", "الموقع", "https://news.example/a", "2019-04-08T09:30:00+02:00")
    mine = make_tags(parse_article("نص."), RenderConfig(title="T", artist="A", album="B"), "espeak",
                     "a.html", meta)
    assert (mine.title, mine.artist, mine.album) == ("T", "A", "B")
