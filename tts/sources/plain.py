"""Plain text: read a file or standard input, decode it, and find its paragraphs by line shape."""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from tts.chars import ends_sentence
from tts.errors import InputError
from tts.types import STDIN_NAME, STDIN_SOURCE, Article, ArticleMeta, Block
from tts.util.intake import DEFAULT_MAX_INPUT, read_path, read_stream

UTF8_BOM = b"\xef\xbb\xbf"
# UTF-16 text is full of NUL bytes; spotting its BOM first turns a puzzling
# "looks binary" error into a conversion the user can run.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Real text holds at most a stray control character; past this share of the
# characters the file is binary data that happens to decode as UTF-8.
CONTROL_SHARE_LIMIT = 0.3
# Control characters that are ordinary layout in text files.
LAYOUT_CONTROLS = frozenset("\t\n\r\f\v")
# A list item is read as a sentence: this full stop ends an item that lacks one,
# so the chunker pauses between items instead of running them together.
ITEM_END = "."
# When at least this share of a block's lines (all but its last) end a sentence,
# each line is a whole paragraph (one paragraph per line, as newsrooms paste);
# below it, the lines were wrapped at a width and belong together.
WHOLE_LINE_SHARE = 0.5
# Without blank lines, lines at least this long (all but the last) that do not end
# sentences are a hard-wrapped paragraph; a shorter one (a headline, a list item,
# verse) means the lines stand one per line.
WRAPPED_MIN_CHARS = 40


def items_as_sentences(items: Iterable[str]) -> str:
    """List items (of HTML or Markdown) as one paragraph, each ending a sentence."""
    return " ".join(item if ends_sentence(item) else item + ITEM_END for item in items if item)


def read_source(source: str, limit: int = DEFAULT_MAX_INPUT) -> str:
    """The decoded text of the file at ``source``, or of standard input for "-".

    At most ``limit`` bytes are read: a larger input is refused, saying how to raise it.
    """
    return decode_text(read_bytes(source, limit), display_name(source))


def display_name(source: str) -> str:
    """How errors name ``source``: its path, or "standard input"."""
    return STDIN_NAME if source == STDIN_SOURCE else os.fspath(source)


def read_bytes(source: str, limit: int = DEFAULT_MAX_INPUT) -> bytes:
    """The raw bytes of the file at ``source``, or of standard input for "-", at most ``limit``."""
    if source == STDIN_SOURCE:
        return read_stream(sys.stdin.buffer, STDIN_NAME, limit)
    name = os.fspath(source)
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a folder, not a text file: give the path of the article file inside it")
    try:
        return read_path(path, name, limit)
    except FileNotFoundError:
        raise InputError(f"no such file: {name}: check the path and the spelling") from None
    except PermissionError:
        raise InputError(f"cannot read {name}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}; check the path") from None


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
        if exc.reason == "unexpected end of data" and exc.start > 0:  # a last letter cut in two
            raise InputError(
                f"{name} ends in the middle of a UTF-8 character (offset {bom + exc.start}): "
                "it looks cut short; save or download it again") from None
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
    """The paragraphs of plain text, by the shape of its lines.

    Blank lines separate blocks. Within a block, lines that each end a sentence
    are whole paragraphs and stay apart; lines cut mid-sentence (hard-wrapped)
    are joined. Text without blank lines is one paragraph per line, unless its
    lines are long and cut mid-sentence, which is one wrapped paragraph (under a
    short headline line, perhaps).
    """
    blocks = split_blocks(text)
    if len(blocks) == 1 and not looks_wrapped(blocks[0]):
        lines = blocks[0]
        if len(lines) > 2 and len(lines[0]) < WRAPPED_MIN_CHARS and looks_wrapped(lines[1:]):
            return [lines[0], " ".join(lines[1:])]  # a headline right above a wrapped paragraph
        return lines
    paragraphs: list[str] = []
    for block in blocks:
        paragraphs += block if ends_sentences(block) else [" ".join(block)]
    return paragraphs


def split_blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines, each line stripped; blank lines only separate."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def ends_sentences(lines: list[str]) -> bool:
    """True when the lines are whole paragraphs: most of them (but the last) end a sentence."""
    if len(lines) < 2:
        return True
    ended = sum(1 for line in lines[:-1] if ends_sentence(line))
    return ended >= WHOLE_LINE_SHARE * (len(lines) - 1)


def looks_wrapped(lines: list[str]) -> bool:
    """True for a hard-wrapped paragraph: long lines, most cut mid-sentence."""
    long_lines = all(len(line) >= WRAPPED_MIN_CHARS for line in lines[:-1])
    return len(lines) >= 2 and long_lines and not ends_sentences(lines)


def text_article(text: str, source: str = STDIN_SOURCE) -> Article:
    """Plain text as an article: its paragraphs, and no metadata beyond what the text holds."""
    return Article(tuple(Block(p) for p in split_paragraphs(text)), ArticleMeta(), source)
