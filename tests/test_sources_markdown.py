"""Tests for tts.sources.markdown: what is heard from Markdown, front matter, skipped tables."""

from __future__ import annotations

import pytest

from tts.sources import load_article
from tts.sources.markdown import markdown_article
from tts.types import ArticleMeta, Block


@pytest.mark.parametrize(("markdown", "expected"), [
    ("# عنوان\n\nنص.", [Block("عنوان", heading=True), Block("نص.")]),
    ("## قسم *مهم*\n", [Block("قسم مهم", heading=True)]),
    ("Setext heading\n===\n\nبعده.", [Block("Setext heading", heading=True), Block("بعده.")]),
    # Emphasis markers are not read; link text is, its target is not.
    ("نص **عريض** و_مائل_ و[رابط](https://example.com/a.html).",
     [Block("نص عريض و_مائل_ ورابط.")]),
    ("*مائل* و __عريض__.", [Block("مائل و عريض.")]),
    # Images and HTML comments are not read, nor is the space they leave.
    ("صورة ![طرابلس](tripoli.jpg).", [Block("صورة.")]),
    ("المصدر: <https://news.example/a.html>.", [Block("المصدر:.")]),
    ("قبل <!-- ملاحظة --> بعد.", [Block("قبل بعد.")]),
    ("<!-- تعليق كامل -->\n\nنص.", [Block("نص.")]),
    # Code blocks are not read; inline code is a word of the sentence.
    ("```\nprint(1)\n```\n\n    indented code\n\nنص `x`.", [Block("نص x.")]),
    # A hard-wrapped paragraph is one paragraph.
    ("سطر أول\nسطر ثان.", [Block("سطر أول سطر ثان.")]),
    # List items are read as sentences, nested ones too.
    ("- أول\n- ثان.\n  1. ثالث", [Block("أول. ثان. ثالث.")]),
    ("1. واحد\n2. اثنان؟", [Block("واحد. اثنان؟")]),
    ("> اقتباس هنا.", [Block("اقتباس هنا.")]),
    ("فوق\n\n---\n\nتحت", [Block("فوق"), Block("تحت")]),
])
def test_what_is_read(markdown: str, expected: list[Block]) -> None:
    assert list(markdown_article(markdown).blocks) == expected


def test_front_matter_is_metadata_not_text() -> None:
    article = markdown_article("---\ntitle: نشرة المساء\nauthor: [سارة, أحمد]\ndate: 2024-05-01\n"
                               "lang: ar\n---\n\nنص.")
    assert article.meta == ArticleMeta(title="نشرة المساء", author="سارة, أحمد",
                                       date="2024-05-01", lang="ar")
    assert list(article.blocks) == [Block("نص.")]


def test_broken_front_matter_is_ignored() -> None:
    article = markdown_article("---\ntitle: [unclosed\n---\n\nنص.")
    assert article.meta == ArticleMeta()
    assert list(article.blocks) == [Block("نص.")]


def test_tables_are_skipped_with_a_warning() -> None:
    article = markdown_article("قبل.\n\n| أ | ب |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\nبعد.")
    assert list(article.blocks) == [Block("قبل."), Block("بعد.")]
    assert article.warnings == ("a table (3 rows) was skipped: tables are not read aloud",)


@pytest.mark.parametrize("name", ["notes.md", "notes.markdown", "NOTES.MD"])
def test_markdown_files_by_extension(tmp_path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text("# عنوان\n\nنص [رابط](x.html).", encoding="utf-8")
    assert list(load_article(str(path)).blocks) == [Block("عنوان", True), Block("نص رابط.")]


@pytest.mark.parametrize(("data", "expected"), [
    (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
    (b"\xef\xbb\xbf<!-- saved from url=(0040)https://news.example/ -->\n<html lang='ar'>", "html"),
    ("---\ntitle: عنوان\n---\nنص".encode(), "markdown"),
    ("# عنوان\n\nنص".encode(), "markdown"),
    ("نص فيه [رابط](https://example.com).".encode(), "markdown"),
    ("سطر أول.\nسطر ثان.".encode(), "text"),
    ("العدد #5 من المجلة.".encode(), "text"),
])
def test_standard_input_is_sniffed(data: bytes, expected: str) -> None:
    from tts.sources import detect_format
    assert detect_format("-", data) == expected
