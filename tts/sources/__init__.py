"""Inputs as a stage: a file, standard input or a URL, in any supported format, becomes one Article."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tts.errors import ConfigError
from tts.sources.plain import decode_text, display_name, read_bytes, text_article
from tts.sources.url import Page, fetch, is_url, refuse_unfetchable
from tts.types import STDIN_SOURCE, Article
from tts.util.intake import DEFAULT_MAX_INPUT

AUTO, TEXT, MARKDOWN, HTML = "auto", "text", "markdown", "html"
INPUT_FORMATS = (AUTO, TEXT, MARKDOWN, HTML)
# File extensions that name a format; anything else is read as plain text.
EXTENSIONS = {".md": MARKDOWN, ".markdown": MARKDOWN, ".html": HTML, ".htm": HTML,
              ".xhtml": HTML, ".txt": TEXT}
# The files a folder given as input stands for.
ARTICLE_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
# Sniffing standard input: markup a web page starts with (after a BOM, and comments such as
# a browser's "saved from url"), and Markdown's usual marks (front matter, an ATX heading,
# a list item, a link) at the start of a line.
HTML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*(<!--.*?-->\s*)*"
                        rb"(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
                        re.IGNORECASE | re.DOTALL)
MARKDOWN_MARKS = re.compile(r"\A---\n|^#{1,6} \S|^\s*[-*] \S.*\n|\[[^\]\n]+\]\([^)\s]+\)", re.MULTILINE)

Fetcher = Callable[[str], Page]


def load_article(source: str, input_format: str = AUTO, fetcher: Fetcher = fetch,
                 limit: int = DEFAULT_MAX_INPUT) -> Article:
    """The article at ``source`` (a path, ``-`` for standard input, or an http(s) URL).

    ``input_format`` ``auto`` goes by the URL scheme, the file extension, or a sniff
    of standard input. InputError (exit 2) when it holds nothing to read;
    FetchError (exit 1) when a URL cannot be fetched.
    """
    if input_format not in INPUT_FORMATS:
        raise ConfigError(f"unknown input format {input_format!r}; choose one of "
                          f"{', '.join(INPUT_FORMATS)}")
    if is_url(source):
        if input_format not in (AUTO, HTML):
            raise ConfigError(f"{source} is a web page: drop --input-format {input_format}, "
                              "or save the page's text to a file and give that")
        page = fetcher(source)
        return parse_bytes(page.body, HTML, source, page.charset, page.url)
    refuse_unfetchable(source)
    data = read_bytes(source, limit)
    chosen = input_format if input_format != AUTO else detect_format(source, data)
    return parse_bytes(data, chosen, source)


def parse_bytes(data: bytes, input_format: str, source: str, charset: str | None = None,
                url: str | None = None) -> Article:
    """The article in ``data``, read as ``input_format`` (a page's header charset and final URL)."""
    # The HTML and Markdown readers are imported when needed: their parsers take a tenth
    # of a second to load, which plain text (and `play`'s first audio) should not pay.
    name = display_name(source)
    if input_format == HTML:
        from tts.sources.html import decode_html, html_article
        return html_article(decode_html(data, name, charset), source, url=url)
    text = decode_text(data, name)
    if input_format == MARKDOWN:
        from tts.sources.markdown import markdown_article
        return markdown_article(text, source)
    return text_article(text, source)


def detect_format(source: str, data: bytes) -> str:
    """The format by the file's extension, or by a sniff of standard input's content."""
    if source != STDIN_SOURCE:
        return EXTENSIONS.get(Path(source).suffix.lower(), TEXT)
    if HTML_START.match(data[:1024]):
        return HTML
    if MARKDOWN_MARKS.search(data[:4096].decode("utf-8", errors="ignore")):
        return MARKDOWN
    return TEXT


def article_files(folder: Path) -> list[Path]:
    """The article files a folder holds (not its subfolders'), in name order."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in ARTICLE_EXTENSIONS)

