"""Tests for tts.sources.plain: reading, decoding and paragraphs by line shape."""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path

import pytest

from tts.errors import InputError
from tts.sources.plain import decode_text, read_source, split_paragraphs
from tts.text.prepare import parse_article


@pytest.mark.parametrize(("data", "expected"), [
    ("نص".encode(), "نص"),
    (b"\xef\xbb\xbf" + "نص".encode(), "نص"),
    ("أ\r\nب\r\n".encode(), "أ\nب\n"),
    ("أ\rب\rج".encode(), "أ\nب\nج"),
    (b"\xef\xbb\xbf" + "أ\r\n\r\nب".encode(), "أ\n\nب"),
])
def test_decode_text(data: bytes, expected: str) -> None:
    assert decode_text(data, "f.txt") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("أ\nب\nج", ["أ", "ب", "ج"]),
    ("  أ  \n\n  ب ", ["أ", "ب"]),
    ("أ\nب\n\nج\nد", ["أ ب", "ج د"]),
    ("أ\nب\n   \t\nج", ["أ ب", "ج"]),
    ("أ\n\n\n\nب", ["أ", "ب"]),
    ("أ\nب\n\n", ["أ", "ب"]),
    ("\n\nأ\nب", ["أ", "ب"]),
    ("أ\r\nب", ["أ", "ب"]),
    ("", []),
    ("\n \n", []),
])
def test_split_paragraphs(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


def write(tmp_path: Path, data: bytes, name: str = "article.txt") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_read_source_reads_a_file(tmp_path: Path) -> None:
    source = write(tmp_path, b"\xef\xbb\xbf" + "سطر\r\nآخر".encode())
    assert read_source(source) == "سطر\nآخر"


def message_of(source: str) -> str:
    with pytest.raises(InputError) as caught:
        read_source(source)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    source = str(tmp_path / "nope.txt")
    assert message_of(source) == f"no such file: {source}: check the path and the spelling"


def test_folder(tmp_path: Path) -> None:
    message = message_of(str(tmp_path))
    assert message.startswith(f"{tmp_path} is a folder, not a text file")


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "نص".encode() + b"\x00",
    b"\x01\x02\x03\x04\x05\x06 ab",
])
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    source = write(tmp_path, data)
    message = message_of(source)
    assert source in message
    assert "looks binary" in message


def test_utf16_file_gets_a_conversion_hint(tmp_path: Path) -> None:
    source = write(tmp_path, "نص".encode("utf-16"))
    message = message_of(source)
    assert "UTF-16" in message
    assert f"iconv -f UTF-16 -t UTF-8 {source}" in message


@pytest.mark.parametrize(("prefix", "offset"), [(b"", 0), (b"abc ", 4), (b"\xef\xbb\xbfab", 5)])
def test_windows_1256_file(tmp_path: Path, prefix: bytes, offset: int) -> None:
    source = write(tmp_path, prefix + "مرحبا بالعالم".encode("cp1256"))
    message = message_of(source)
    assert f"{source} is not UTF-8" in message
    assert f"offset {offset}" in message
    assert f"iconv -f WINDOWS-1256 -t UTF-8 {source}" in message


def test_a_file_cut_inside_its_last_letter_is_called_cut_short(tmp_path: Path) -> None:
    # Valid UTF-8 up to half a letter (a copy or download that stopped): converting it
    # from Windows-1256, as a file that is not UTF-8 is told, would garble all of it.
    data = "مرحبا بالعالم".encode()
    source = write(tmp_path, data[:-1])
    message = message_of(source)
    assert message == (f"{source} ends in the middle of a UTF-8 character (offset {len(data) - 2}): "
                       "it looks cut short; save or download it again")


@pytest.mark.parametrize(("data", "detail"), [(b"", ""), (b"\xef\xbb\xbf", ""), (b" \n\t\r\n ", " (only whitespace)")])
def test_empty_file(tmp_path: Path, data: bytes, detail: str) -> None:
    source = write(tmp_path, data)
    assert message_of(source).startswith(f"{source} is empty{detail}: nothing to read")


def test_punctuation_only_file(tmp_path: Path) -> None:
    source = write(tmp_path, "* * *\n...\n— ، ؟\n😀".encode())
    text = read_source(source)
    with pytest.raises(InputError, match="only punctuation or symbols: nothing to speak"):
        parse_article(text)


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"\xef\xbb\xbf" + "أ\r\nب".encode())
    assert read_source("-") == "أ\nب"


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "standard input is empty: nothing to read"),
    ("نص".encode("cp1256"), "standard input is not UTF-8 text (first bad byte at offset 0)"),
    (b"\x00\x01", "standard input looks binary"),
])
def test_stdin_errors(monkeypatch: pytest.MonkeyPatch, data: bytes, expected: str) -> None:
    fake_stdin(monkeypatch, data)
    assert message_of("-").startswith(expected)


WHOLE = ("منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو إلى وقف الهجوم على طرابلس.",
         "وطالبت روسيا بتعديل صيغة البيان بحيث يطلب من كل الأطراف الليبية وقف القتال.",
         "وقال بومبيو إن بلاده تشعر بقلق عميق بسبب المعارك الدائرة قرب العاصمة الليبية.")
# The same first paragraph wrapped at about 40 characters, as an e-mail or a terminal editor cuts it.
WRAPPED = ("منعت روسيا في مجلس الأمن الدولي صدور بيان",
           "رئاسي يدعو قوات قائد الجيش الليبي الجنرال",
           "خليفة حفتر إلى وقف هجومها على طرابلس.")
HEADLINE = "روسيا تمنع بيانا لمجلس الأمن"


@pytest.mark.parametrize(("text", "expected"), [
    # One whole paragraph per line, with blank lines between blocks or none at all.
    ("\n".join(WHOLE), list(WHOLE)),
    ("\n".join(WHOLE[:2]) + "\n\n" + WHOLE[2], list(WHOLE)),
    # Hard-wrapped lines are one paragraph, with or without blank lines around it.
    ("\n".join(WRAPPED), [" ".join(WRAPPED)]),
    ("\n".join(WRAPPED) + "\n\n" + "\n".join(WRAPPED), [" ".join(WRAPPED)] * 2),
    # A headline block on top of either shape.
    (HEADLINE + "\n\n" + "\n".join(WHOLE), [HEADLINE, *WHOLE]),
    (HEADLINE + "\n\n" + "\n".join(WRAPPED) + "\n\n" + WHOLE[1], [HEADLINE, " ".join(WRAPPED), WHOLE[1]]),
    # A headline line right above either shape, no blank line.
    (HEADLINE + "\n" + "\n".join(WHOLE), [HEADLINE, *WHOLE]),
    (HEADLINE + "\n" + "\n".join(WRAPPED), [HEADLINE, " ".join(WRAPPED)]),
    # Quotes and Arabic question marks end sentences too.
    ("سأل: لماذا؟\nقال: «لا أعرف.»\nانتهى.", ["سأل: لماذا؟", "قال: «لا أعرف.»", "انتهى."]),
])
def test_paragraphs_by_line_shape(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


def test_seed_with_a_headline_on_top() -> None:
    """The seed's shape (a paragraph per line) under a headline and a blank line."""
    seed = Path(__file__).resolve().parent.parent / "data" / "article.txt"
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    paragraphs = parse_article(HEADLINE + "\n\n" + "\n".join(lines))
    assert [p.original for p in paragraphs] == [HEADLINE, *lines]
