"""The one table of output formats: each extension's MIME type and tag writer, used by export,
the page and the feed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import mutagen
import pytest
from pydub.generators import Sine

from tts.audio import export, formats
from tts.outputs import page
from tts.types import Chapter, Tags

MIME = [(".mp3", "audio/mpeg"), (".m4a", "audio/mp4"), (".ogg", "audio/ogg"),
        (".opus", "audio/ogg"), (".flac", "audio/flac"), (".wav", "audio/wav"),
        (".MP3", "audio/mpeg"), (".txt", "application/octet-stream"), ("", "application/octet-stream")]
TAGS = Tags("عنوان الخبر", "الكاتب", None, "ara", "a comment")
CHAPTERS = [Chapter("الأول", 0, 400), Chapter("الثاني", 400, 800)]


def test_every_format_has_a_mime_type_and_a_tag_writer() -> None:
    assert set(formats.FORMATS) == {".mp3", ".m4a", ".ogg", ".opus", ".flac", ".wav"}
    for fmt in formats.FORMATS.values():
        assert fmt.mime.startswith("audio/")
        assert callable(fmt.write_tags)


@pytest.mark.parametrize(("suffix", "mime"), MIME)
def test_mime_type_by_extension(suffix: str, mime: str) -> None:
    assert formats.mime_type(Path(f"news{suffix}")) == mime


@pytest.mark.parametrize("suffix", list(formats.FORMATS))
def test_export_tags_each_format_with_its_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 suffix: str) -> None:
    used: list[Path] = []
    entry = formats.FORMATS[suffix]

    def spy(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
        used.append(path)
        entry.write_tags(path, tags, chapters)
    monkeypatch.setitem(formats.FORMATS, suffix, dataclasses.replace(entry, write_tags=spy))
    out = tmp_path / f"news{suffix}"
    export.export(Sine(440).to_audio_segment(duration=800).set_channels(1).set_frame_rate(22_050),
                  out, tags=TAGS, chapters=CHAPTERS)
    assert len(used) == 1  # once, on the encoded file before it took its name
    read = mutagen.File(out)  # an independent reader finds the title the writer put in
    assert read is not None and read.tags is not None
    assert "عنوان الخبر" in str(read.tags)


@pytest.mark.parametrize(("suffix", "mime"), MIME[:6])
def test_the_page_embeds_audio_under_its_mime_type(tmp_path: Path, suffix: str, mime: str) -> None:
    audio = tmp_path / f"news{suffix}"
    audio.write_bytes(b"audio")
    source = page.audio_source(audio, tmp_path / "news.html", embed=True)
    assert source.startswith(f"data:{mime};base64,")
