"""What the output file says about itself: tags, one chapter per paragraph, and how each format stores them."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import cast

from mutagen import FileType
from mutagen._vorbis import VComment
from mutagen.flac import FLAC
from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TLAN, TPE1, TSSE, CTOCFlags
from mutagen.id3._tags import save_frame
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.wave import WAVE

from tts.config import RenderConfig
from tts.text.chunk import CLOSERS, SENTENCE_MARKS
from tts.types import STDIN_SOURCE, ArticleMeta, Chapter, Paragraph, Placed, Tags
from tts.util.timefmt import hms_millis

# A first paragraph this short is a headline; a longer one gives its first sentence, cut at
# a word to this length: either is a better title than the file name ("article").
TITLE_MAX_CHARS = 80
# A chapter is titled with its paragraph's opening words, as a player's list shows them.
CHAPTER_TITLE_WORDS = 6
CHAPTER_TITLE_MAX_CHARS = 48
ELLIPSIS = "\u2026"
# --lang codes (ISO 639-1, as gTTS and espeak take them) to the ISO 639-2/T codes
# that ID3 TLAN, MP4 and Vorbis comments carry. Unknown codes become "und".
ISO_639_2 = {
    "ar": "ara", "en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita",
    "pt": "por", "ru": "rus", "tr": "tur", "fa": "fas", "ur": "urd", "he": "heb",
    "hi": "hin", "id": "ind", "ms": "msa", "nl": "nld", "zh": "zho", "ja": "jpn",
    "ko": "kor", "bn": "ben", "sw": "swa", "ku": "kur", "ps": "pus", "so": "som",
}
UNDETERMINED = "und"
# ID3's TDRC takes a timestamp without a UTC offset: the date part (2019-04-08) is kept,
# and only from an ISO 8601 date (mutagen silently empties anything else).
ISO_DATE_CHARS = 10
ISO_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}")
# ID3 CHAP frames give byte offsets too; this value says "not given, use the times".
NO_OFFSET = 0xFFFFFFFF


# ID3v2.3 with UTF-16 text (encoding 1): v2.4 and its UTF-8 are invisible to v2.3-only readers
# (id3lib, older Windows, many car stereos), while every v2.4 reader also reads v2.3.
ID3_VERSION = 3
UTF16 = 1
# MP4 atoms that hold other atoms, on the way from the file to a track's mdhd and hdlr.
MP4_CONTAINERS = {b"moov", b"trak", b"mdia"}


# A CTOC frame counts its entries in one byte: an article of more paragraphs
# gets chapters that each cover a few consecutive paragraphs.
CTOC_MAX_ENTRIES = 255


def source_label(source: str) -> str:
    """The input's file name as tags show it; a URL whole; ``stdin`` for standard input."""
    if source.lower().startswith(("http://", "https://")):
        return source
    return "stdin" if source == STDIN_SOURCE else Path(source).name


def default_title(paragraphs: Sequence[Paragraph], source: str) -> str:
    """The headline the text opens with (see ``headline``), else the input's name."""
    first = next((p.original for p in paragraphs if p.speakable), "")
    if first.strip():
        return headline(first)
    return "stdin" if source == STDIN_SOURCE else Path(source).stem


def headline(text: str) -> str:
    """A title from an article's opening: ``text`` whole when short enough to be a headline,
    else its first sentence, shortened at a word (with an ellipsis) to TITLE_MAX_CHARS."""
    whole = " ".join(text.split())
    if len(whole) <= TITLE_MAX_CHARS:
        return whole
    sentence = first_sentence(whole)
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence.removesuffix(".")
    cut = sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0][:TITLE_MAX_CHARS - len(ELLIPSIS)]
    return cut.rstrip(" ،,:;-–—") + ELLIPSIS


def first_sentence(text: str) -> str:
    """The words of ``text`` up to the first that ends a sentence. A mark after one letter
    is not an end: "د. محمد" is a title before a name."""
    words = text.split()
    for count, word in enumerate(words, 1):
        core = word.rstrip(CLOSERS)
        if len(core) > 2 and core[-1] in SENTENCE_MARKS:
            return " ".join(words[:count])
    return " ".join(words)


def language_code(lang: str) -> str:
    """``ar`` -> ``ara``; a regional code (``en-US``, ``zh_CN``) by its language part."""
    base = lang.replace("_", "-").split("-")[0].lower()
    return ISO_639_2.get(base, UNDETERMINED)


def make_tags(paragraphs: Sequence[Paragraph], config: RenderConfig, engine: str,
              source: str, meta: ArticleMeta | None = None) -> Tags:
    """The tags for one render: the user's, else the article's own metadata, else defaults.

    The author is the artist and the site the album; the comment is the page's
    canonical URL when it has one.
    """
    meta = meta or ArticleMeta()
    return Tags(
        title=config.title or meta.title or default_title(paragraphs, source),
        artist=config.artist or meta.author,
        album=config.album or meta.site,
        language=language_code(config.lang),
        comment=meta.url or f"Read aloud from {source_label(source)} by the {engine} engine",
        date=meta.date,
    )


def first_words(text: str) -> str:
    """The opening words of ``text``, short enough for a chapter list."""
    words = text.split()
    title = " ".join(words[:CHAPTER_TITLE_WORDS])
    if len(title) > CHAPTER_TITLE_MAX_CHARS:
        title = title[:CHAPTER_TITLE_MAX_CHARS].rsplit(" ", 1)[0] or title[:CHAPTER_TITLE_MAX_CHARS]
    return title + ELLIPSIS if title != " ".join(words) else title


def make_chapters(paragraphs: Sequence[Paragraph], timeline: Sequence[Placed],
                  duration_ms: int) -> list[Chapter]:
    """A chapter per spoken paragraph, from where its speech starts to where the next one's does.

    A heading starts a chapter titled by it that runs over the paragraphs under it,
    up to the next heading; paragraphs before the first heading are a chapter each.
    """
    starts: dict[int, int] = {}
    for placed in timeline:
        starts.setdefault(placed.chunk.paragraph, placed.start_ms)
    indexes = [i for i in sorted(starts) if starts_chapter(paragraphs, i)]
    ends = [starts[i] for i in indexes[1:]] + [duration_ms]
    return [Chapter(chapter_title(paragraphs[i]), starts[i], max(end, starts[i]))
            for i, end in zip(indexes, ends, strict=True)]


def starts_chapter(paragraphs: Sequence[Paragraph], index: int) -> bool:
    """A heading does; so does a paragraph that no heading above it covers."""
    return paragraphs[index].heading or not any(p.heading for p in paragraphs[:index])


def chapter_title(paragraph: Paragraph) -> str:
    """A heading whole (up to the length a chapter list shows), else the paragraph's first words."""
    if paragraph.heading and len(paragraph.original) <= CHAPTER_TITLE_MAX_CHARS:
        return paragraph.original
    return first_words(paragraph.original)


def ffmetadata(tags: Tags, chapters: Sequence[Chapter]) -> str:
    """ffmpeg's metadata file: global tags, then a [CHAPTER] section per chapter."""
    lines = [";FFMETADATA1"]
    fields = {"title": tags.title, "artist": tags.artist, "album": tags.album,
              "language": tags.language, "comment": tags.comment, "date": tags.date}
    lines += [f"{key}={escape(value)}" for key, value in fields.items() if value]
    for chapter in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={chapter.start_ms}",
                  f"END={chapter.end_ms}", f"title={escape(chapter.title)}"]
    return "\n".join(lines) + "\n"


def escape(value: str) -> str:
    """A value as the ffmetadata format wants it: ``= ; # \\`` and line ends escaped."""
    for special in ("\\", "=", ";", "#", "\n"):
        value = value.replace(special, "\\" + special)
    return value


# The tag writers of tts.audio.formats' table, one per container: (path, tags, chapters).
def write_opus_tags(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Vorbis comments and chapters into the Ogg Opus file at ``path``."""
    write_vorbis_comments(OggOpus(path), tags, chapters)


def write_flac_tags(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Vorbis comments and chapters into the FLAC file at ``path``."""
    write_vorbis_comments(FLAC(path), tags, chapters)


def write_m4a_tags(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """iTunes atoms, and the chapter track's language: its chapters were written by ffmpeg
    while encoding (see tts.audio.export), since mutagen cannot write an MP4 chapter track."""
    write_mp4(path, tags)
    set_mp4_text_language(path, tags.language)


def write_wav_tags(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """An ID3 chunk of text frames: WAV has no chapters players read."""
    write_wav_id3(path, tags)


class TimeOrderedID3(ID3):
    """ID3 that stores CHAP frames last and in time order.

    mutagen stores frames smallest first, and ffmpeg (and players built on it)
    list MP3 chapters in stored order, not by the CTOC or by time. The tests
    read the order back through ffmpeg, so a mutagen change here shows up there.
    """

    def __init__(self) -> None:
        ID3.__init__(cast(ID3, self))

    def _write(self, config: object) -> bytearray:
        tags = cast(ID3, self)  # mutagen's methods, seen through its own (untyped) class
        chapters = sorted(tags.getall("CHAP"), key=lambda frame: frame.start_time)
        tags.delall("CHAP")
        try:
            data: bytearray = ID3._write(tags, config)
        finally:
            for frame in chapters:
                tags.add(frame)
        return data + b"".join(save_frame(frame, config=config) for frame in chapters)


def fit_chapters(chapters: Sequence[Chapter], limit: int) -> list[Chapter]:
    """At most ``limit`` chapters: neighbours merged in equal runs, each titled by its first."""
    size = -(-len(chapters) // limit)  # ceiling division
    runs = [chapters[i:i + size] for i in range(0, len(chapters), size)]
    return [Chapter(run[0].title, run[0].start_ms, run[-1].end_ms) for run in runs]


def write_id3(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Write the ID3v2.3 tag (text frames, CHAP frames listed by a CTOC) into the MP3 at ``path``."""
    id3_tag(tags, chapters).save(path, v2_version=ID3_VERSION)


def id3_bytes(tags: Tags, chapters: Sequence[Chapter]) -> bytes:
    """The ID3v2.3 tag alone, for an MP3 sent to standard output (its tag goes first)."""
    buffer = io.BytesIO()
    id3_tag(tags, chapters).save(buffer, v2_version=ID3_VERSION, padding=lambda info: 0)
    return buffer.getvalue()


def id3_tag(tags: Tags, chapters: Sequence[Chapter]) -> ID3:
    """ID3 text frames in UTF-16, and CHAP frames listed by a top-level CTOC."""
    if len(chapters) > CTOC_MAX_ENTRIES:
        chapters = fit_chapters(chapters, CTOC_MAX_ENTRIES)
    id3 = cast(ID3, TimeOrderedID3())
    for frame in text_frames(tags):
        id3.add(frame)
    ids = [f"ch{i}" for i in range(len(chapters))]
    if chapters:
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=UTF16, text=tags.title)]))
    for element_id, chapter in zip(ids, chapters, strict=True):
        id3.add(CHAP(element_id=element_id, start_time=chapter.start_ms, end_time=chapter.end_ms,
                     start_offset=NO_OFFSET, end_offset=NO_OFFSET,
                     sub_frames=[TIT2(encoding=UTF16, text=chapter.title)]))
    return id3


def text_frames(tags: Tags) -> list[TIT2 | TPE1 | TALB | TDRC | TLAN | TSSE | COMM]:
    """The ID3 frames the tags fill (title, artist, album, date, language, encoder, comment).

    The date is given as TDRC; saving as ID3v2.3 turns it into TYER/TDAT.
    """
    frames: list[TIT2 | TPE1 | TALB | TDRC | TLAN | TSSE | COMM] = [TIT2(encoding=UTF16, text=tags.title)]
    if tags.artist:
        frames.append(TPE1(encoding=UTF16, text=tags.artist))
    if tags.album:
        frames.append(TALB(encoding=UTF16, text=tags.album))
    if tags.date and ISO_DATE.match(tags.date):
        frames.append(TDRC(encoding=UTF16, text=tags.date[:ISO_DATE_CHARS]))
    frames += [TLAN(encoding=UTF16, text=tags.language), TSSE(encoding=UTF16, text=tags.encoder),
               COMM(encoding=UTF16, lang=tags.language, desc="", text=tags.comment)]
    return frames


def write_wav_id3(path: Path, tags: Tags) -> None:
    """Tags in an ``id3 `` chunk: RIFF INFO has no text encoding, and readers (exiftool,
    mediainfo) show its UTF-8 Arabic as mojibake, while they, ffmpeg and mutagen read ID3."""
    wav = WAVE(path)
    wav.add_tags()  # an ID3 that WAVE saves as the file's ``id3 `` chunk
    id3 = wav.tags
    assert isinstance(id3, ID3)
    for frame in text_frames(tags):
        id3.add(frame)
    wav.save(v2_version=ID3_VERSION)


def write_vorbis_comments(audio: OggOpus | FLAC, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Vorbis comments, chapters as CHAPTERnnn/CHAPTERnnnNAME (the convention ffmpeg reads)."""
    fields = {"TITLE": tags.title, "ARTIST": tags.artist, "ALBUM": tags.album,
              "LANGUAGE": tags.language, "COMMENT": tags.comment, "ENCODER": tags.encoder,
              "DATE": tags.date}
    if audio.tags is None:
        cast(FileType, audio).add_tags()
    comments = cast(VComment, audio.tags)  # add_tags() set it
    comments.clear()  # ffmpeg's own ENCODER=Lavf... goes too
    for key, value in fields.items():
        if value:
            audio[key] = value
    for i, chapter in enumerate(chapters):
        audio[f"CHAPTER{i:03d}"] = hms_millis(chapter.start_ms)
        audio[f"CHAPTER{i:03d}NAME"] = chapter.title
    audio.save()


def write_mp4(path: Path, tags: Tags) -> None:
    """iTunes-style atoms; the language is the audio track's, set by ffmpeg."""
    mp4 = MP4(path)
    fields = {"\xa9nam": tags.title, "\xa9ART": tags.artist, "\xa9alb": tags.album,
              "\xa9cmt": tags.comment, "\xa9too": tags.encoder, "\xa9day": tags.date}
    for key, value in fields.items():
        if value:
            mp4[key] = [value]
    mp4.save()


def set_mp4_text_language(path: Path, language: str) -> None:
    """Give the MP4 chapter (text) track the audio's language: ffmpeg leaves it 0, read as English.

    Two bytes of each text track's ``mdhd`` change in place; nothing moves.
    """
    code = mp4_language(language)
    with path.open("r+b") as handle:
        data = handle.read()
        for mdhd, handler in mp4_tracks(data):
            if handler == b"text":
                version = data[mdhd + 8]
                handle.seek(mdhd + (40 if version == 1 else 28))
                handle.write(struct.pack(">H", code))


def mp4_language(language: str) -> int:
    """An ISO 639-2 code packed as MP4 stores it: three 5-bit letters."""
    letters = (language if len(language) == 3 and language.isalpha() else UNDETERMINED).lower()
    return sum((ord(c) - 0x60) << shift for c, shift in zip(letters, (10, 5, 0), strict=True))


def mp4_tracks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset of the ``mdhd`` atom, handler type) of each track in an MP4 file."""
    for trak in mp4_atoms(data, 0, len(data), b"trak"):
        for mdia in mp4_atoms(data, *trak, b"mdia"):
            mdhd = next(mp4_atoms(data, *mdia, b"mdhd"), None)
            hdlr = next(mp4_atoms(data, *mdia, b"hdlr"), None)
            if mdhd is not None and hdlr is not None:
                yield mdhd[0] - 8, data[hdlr[0] + 8:hdlr[0] + 12]


def mp4_atoms(data: bytes, start: int, end: int, wanted: bytes) -> Iterator[tuple[int, int]]:
    """The (body start, end) of each ``wanted`` atom between ``start`` and ``end``, looking
    inside the container atoms on the way (moov, trak, mdia)."""
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if size < 8:
            return
        if kind == wanted:
            yield offset + 8, offset + size
        elif kind in MP4_CONTAINERS:
            yield from mp4_atoms(data, offset + 8, offset + size, wanted)
        offset += size
