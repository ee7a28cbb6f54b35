"""Read an article, split it into paragraphs and normalize the text each engine will speak."""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tts.arabic import is_arabic
from tts.diacritize import diacritize_texts
from tts.engines.base import Engine
from tts.errors import InputError
from tts.normalize import normalize, normalizers_for
from tts.rules import respell
from tts.intake import DEFAULT_MAX_INPUT, read_path, read_stream
from tts.types import STDIN_NAME, STDIN_SOURCE, Paragraph


UTF8_BOM = b"\xef\xbb\xbf"
# UTF-16 text is full of NUL bytes; spotting its BOM first turns a puzzling
# "looks binary" error into a conversion the user can run.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Real text holds at most a stray control character; past this share of the
# characters the file is binary data that happens to decode as UTF-8.
CONTROL_SHARE_LIMIT = 0.3
# Control characters that are ordinary layout in text files.
LAYOUT_CONTROLS = frozenset("\t\n\r\f\v")


def read_source(source: str, limit: int = DEFAULT_MAX_INPUT) -> str:
    """The decoded text of the file at ``source``, or of standard input for "-".

    At most ``limit`` bytes are read: a larger input is refused, saying how to raise it.
    """
    if source == STDIN_SOURCE:
        return decode_text(read_stream(sys.stdin.buffer, STDIN_NAME, limit), STDIN_NAME)
    name = os.fspath(source)
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a folder, not a text file: give the path of the article file inside it")
    try:
        data = read_path(path, name, limit)
    except FileNotFoundError:
        raise InputError(f"no such file: {name}: check the path and the spelling") from None
    except PermissionError:
        raise InputError(f"cannot read {name}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}; check the path") from None
    return decode_text(data, name)


def decode_text(data: bytes, name: str) -> str:
    """``data`` as text with LF line ends; InputError names ``name`` when it is unusable."""
    reject_binary_bytes(data, name)
    text = decode_utf8(data, name)
    reject_control_characters(text, name)
    if not text.strip():
        detail = "" if not text else " (only whitespace)"
        raise InputError(f"{name} is empty{detail}: nothing to read; give a file holding the article's text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def reject_binary_bytes(data: bytes, name: str) -> None:
    """Refuse UTF-16 text and anything with NUL bytes, which no UTF-8 text holds."""
    if data.startswith(UTF16_BOMS):
        raise InputError(f"{name} is UTF-16 text, not UTF-8: convert it first, "
                         f"e.g. iconv -f UTF-16 -t UTF-8 {iconv_name(name)} > article-utf8.txt")
    if b"\x00" in data:
        raise InputError(f"{name} looks binary (it contains NUL bytes), not like text: "
                         "give a plain UTF-8 text file")


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` decoded as UTF-8, a leading BOM dropped; the error gives the first bad byte."""
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (first bad byte at offset {bom + exc.start}): convert it first, "
            f"e.g. iconv -f WINDOWS-1256 -t UTF-8 {iconv_name(name)} > article-utf8.txt"
        ) from None


def iconv_name(name: str) -> str:
    """The file name to show in a suggested iconv command."""
    return "FILE" if name == STDIN_NAME else name


def reject_control_characters(text: str, name: str) -> None:
    """Refuse text that is mostly control characters: binary data that happens to decode."""
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in LAYOUT_CONTROLS)
    if controls and controls > CONTROL_SHARE_LIMIT * len(text):
        raise InputError(f"{name} looks binary (it is mostly control characters), not like text: "
                         "give a plain UTF-8 text file")


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks when the text has blank lines, else one paragraph per line.

    Blank lines before the first or after the last text line do not count, so a
    trailing empty line does not turn a one-paragraph-per-line file into one block.
    """
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if "" not in lines:
        return lines
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [" ".join(block) for block in blocks if block]



def spoken_for(engine: Engine, paragraphs: Sequence[Paragraph], tashkeel: bool,
               lang: str = "ar") -> list[Paragraph]:
    """The paragraphs as ``engine`` will say them: tashkeel if it takes it, then its own rules.

    Both are for Arabic: text in another ``lang`` is returned as it is.
    """
    texts = engine_texts(engine, [p.spoken for p in paragraphs], tashkeel, lang)
    return [replace(p, spoken=text) for p, text in zip(paragraphs, texts, strict=True)]


def engine_texts(engine: Engine, texts: Sequence[str], tashkeel: bool, lang: str = "ar") -> list[str]:
    """Spoken texts as ``engine`` will say them (see ``spoken_for``)."""
    if not is_arabic(lang):
        return list(texts)
    if tashkeel and engine.tashkeel:
        texts = diacritize_texts(texts)
    return [respell(text, engine.rules) for text in texts]


def is_speakable(spoken: str) -> bool:
    """True when ``spoken`` holds a letter or a digit; punctuation and emoji alone are not."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in spoken)


def parse_article(text: str, lang: str = "ar") -> list[Paragraph]:
    """The paragraphs with their spoken forms for ``lang``; InputError when nothing can be spoken."""
    steps = normalizers_for(lang)
    paragraphs = []
    for index, original in enumerate(split_paragraphs(text)):
        spoken = normalize(original, steps)
        paragraphs.append(Paragraph(index, original, spoken if is_speakable(spoken) else ""))
    if not paragraphs:
        raise InputError("the text is empty: nothing to read; give a file holding the article's text")
    if not any(p.speakable for p in paragraphs):
        raise InputError("the text holds only punctuation or symbols: nothing to speak; "
                         "check that the right file was given")
    return paragraphs
