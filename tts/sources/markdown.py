"""Markdown (CommonMark): what a reader hears from it, front matter as metadata, tables skipped."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from tts.chars import PAUSE_MARKS
from tts.sources.plain import items_as_sentences
from tts.types import STDIN_SOURCE, Article, ArticleMeta, Block

# Inline tokens whose text is heard; everything else (images, inline HTML such as
# comments, emphasis markers, link targets) is markup, not words.
HEARD_INLINE = frozenset({"text", "code_inline"})
# <https://...>: a link whose text is its target, which is not read.
AUTOLINK = "autolink"
# Line breaks inside a paragraph are only where the writer's editor wrapped.
BREAK_INLINE = frozenset({"softbreak", "hardbreak"})
# Blocks read (or skipped) as a whole, the walk moving past their closing token.
# Code blocks and raw HTML blocks (comments too) are never read: walk() ignores them.
WHOLE_BLOCKS = frozenset({"table_open", "heading_open", "bullet_list_open", "ordered_list_open"})
# A dropped image or comment leaves a space before the punctuation that followed it.
SPACE_BEFORE_MARK = re.compile(rf"\s+([{re.escape(PAUSE_MARKS)}])")


def parser() -> MarkdownIt:
    """CommonMark with GFM tables (so they can be found and skipped) and YAML front matter."""
    return MarkdownIt("commonmark").use(front_matter_plugin).enable("table")


def markdown_article(text: str, source: str = STDIN_SOURCE) -> Article:
    """The article a Markdown document holds: headings, paragraphs, list items as sentences."""
    tokens = parser().parse(text)
    blocks: list[Block] = []
    warnings: list[str] = []
    meta = ArticleMeta()
    for kind, value in walk(tokens):
        if kind == "meta":
            meta = front_matter(value)
        elif kind == "table":
            warnings.append(f"a table ({value} rows) was skipped: tables are not read aloud")
        elif isinstance(value, Block) and value.text:
            blocks.append(value)
    return Article(tuple(blocks), meta, source, tuple(warnings))


def walk(tokens: Sequence[Token]) -> Iterator[tuple[str, Any]]:
    """("meta", yaml), ("table", rows) or ("block", Block) for each top-level piece."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        end = closing(tokens, i)
        if token.type == "front_matter":
            yield "meta", token.content
        elif token.type == "table_open":
            yield "table", sum(1 for t in tokens[i:end] if t.type == "tr_open")
        elif token.type == "heading_open":
            yield "block", Block(inline_text(tokens[i + 1]), heading=True)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            yield "block", Block(list_text(tokens[i:end]))
        elif token.type == "inline":
            yield "block", Block(inline_text(token))
        i = end if token.type in WHOLE_BLOCKS else i + 1


def closing(tokens: Sequence[Token], start: int) -> int:
    """The index after the token that closes ``tokens[start]`` (itself when it opens nothing)."""
    if tokens[start].nesting != 1:
        return start + 1
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i + 1
    return len(tokens)


def inline_text(token: Token) -> str:
    """The words of an inline token: link text kept, images, HTML and markers dropped."""
    parts, in_autolink = [], False
    for child in token.children or []:
        if child.type in ("link_open", "link_close") and child.markup == AUTOLINK:
            in_autolink = child.type == "link_open"
        elif child.type in HEARD_INLINE and not in_autolink:
            parts.append(child.content)
        elif child.type in BREAK_INLINE:
            parts.append(" ")
    return SPACE_BEFORE_MARK.sub(r"\1", " ".join("".join(parts).split()))


def list_text(tokens: Sequence[Token]) -> str:
    """Every item of a list (nested ones too), each ending as a sentence, in one paragraph."""
    items = [inline_text(t) for t in tokens if t.type == "inline"]
    return items_as_sentences(items)


def front_matter(content: str) -> ArticleMeta:
    """Title, author, date and language from YAML front matter; anything unreadable is ignored."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return ArticleMeta()
    if not isinstance(data, dict):
        return ArticleMeta()
    return ArticleMeta(title=field(data, "title"), author=field(data, "author"),
                       date=field(data, "date"), lang=field(data, "lang") or field(data, "language"),
                       description=field(data, "description"))


def field(data: dict[str, Any], key: str) -> str | None:
    """One front-matter value as text: dates as ISO 8601, lists of authors joined."""
    value = data.get(key)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value).strip() or None if value is not None else None
