"""Web pages: the article's body and metadata, never menus, comments, related links or scripts."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import charset_normalizer
import lxml.html
from lxml import etree

from tts.errors import InputError
from tts.sources.plain import UTF8_BOM, items_as_sentences, split_paragraphs
from tts.types import STDIN_SOURCE, Article, ArticleMeta, Block

# Schema.org types whose articleBody is the story itself.
ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                           "OpinionNewsArticle", "BackgroundNewsArticle", "BlogPosting",
                           "Report", "ScholarlyArticle", "TechArticle"})
# articleBody is often a teaser: it counts as the whole article only when it holds
# at least this share of the text the extractor finds on the page.
WHOLE_BODY_SHARE = 0.8
# Fewer words than this is a menu or a cookie notice, not an article.
MIN_ARTICLE_WORDS = 15
# A teaser ends with an ellipsis where the article goes on.
TRUNCATED = re.compile(r"(\.\.\.|\u2026|\[\u2026\])\s*$")
# Some CMSs put HTML in articleBody: a tag in it means it is markup, read by its blocks.
MARKUP = re.compile(r"<(p|br|div|h[1-6])[\s/>]", re.IGNORECASE)
PARAGRAPH_TAGS = ("p", "h2", "h3", "h4", "li", "blockquote")
# Where a <meta> may declare the charset: the HTML standard says the first 1024 bytes,
# but CMS heads full of scripts put it later, so look a little further.
META_CHARSET_BYTES = 4096
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Encodings detection chooses between: Arabic sites still serve the two legacy ones.
DETECTABLE = ["utf_8", "cp1256", "iso8859_6"]
# "Headline - Site" / "Headline | Site": the separators a <title> puts before the site's name.
TITLE_SEPARATORS = re.compile(r"\s+[-|\u2013\u2014:\u00bb]\s+")


def decode_html(data: bytes, name: str, header_charset: str | None = None) -> str:
    """The page as text: the HTTP header's charset, then the page's meta charset, then detection."""
    for charset in (header_charset, meta_charset(data)):
        text = try_decode(data, charset)
        if text is not None:
            return text
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM):].decode("utf-8", errors="replace")
    best = charset_normalizer.from_bytes(data, cp_isolation=DETECTABLE).best()
    if best is None:
        raise InputError(f"{name}: cannot tell the page's character encoding (not UTF-8, "
                         "windows-1256 or iso-8859-6); save it as UTF-8 and give the file")
    return str(best)


def meta_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` tag declares near the top of the page."""
    found = META_CHARSET.search(data[:META_CHARSET_BYTES])
    return found.group(1).decode("ascii") if found else None


def try_decode(data: bytes, charset: str | None) -> str | None:
    """``data`` decoded as ``charset``; None when the charset is unknown or does not fit."""
    if not charset:
        return None
    try:
        return data.decode(charset.strip())
    except (LookupError, UnicodeDecodeError):
        return None


def html_article(page: str, source: str = STDIN_SOURCE, url: str | None = None) -> Article:
    """The article a web page holds; InputError (exit 2) when it holds no article text."""
    if not page.strip():
        raise no_article(source)
    tree = parse_tree(page, source)
    structured = structured_article(tree)
    extracted = extract_main_text(page, url)
    blocks = extracted_blocks(extracted.body if extracted is not None else None)
    body = structured.get("articleBody")
    if isinstance(body, str) and holds_whole(body_text(body), blocks):
        blocks = [Block(p) for p in body_paragraphs(body)]
    if word_count(blocks) < MIN_ARTICLE_WORDS:
        raise no_article(source)
    meta = page_meta(tree, structured, extracted, url)
    return Article(tuple(with_headline(blocks, meta.title)), meta, source)


def extract_main_text(page: str, url: str | None) -> Any:
    """trafilatura's main text and metadata (a Document), without comments, tables or links."""
    # Imported here: it takes most of a second, which only web pages should pay for.
    import trafilatura

    return trafilatura.bare_extraction(
        page, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, include_links=False)


def no_article(source: str) -> InputError:
    return InputError(f"no article text found in {source}: the page has no story text (it may be "
                      "built by JavaScript, or be an index page); give the article's own page")


def parse_tree(page: str, source: str) -> Any:
    """The page's element tree (lxml's HTML parser recovers from broken markup)."""
    try:
        return lxml.html.document_fromstring(page.encode("utf-8"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        raise no_article(source) from None


def structured_article(tree: Any) -> dict[str, Any]:
    """The first schema.org Article-like object in the page's ld+json, or {}."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        for item in json_objects(data):
            types = item.get("@type")
            names = types if isinstance(types, list) else [types]
            if any(isinstance(name, str) and name in ARTICLE_TYPES for name in names):
                return item
    return {}


def json_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of an ld+json document: lists and ``@graph`` flattened."""
    if isinstance(data, list):
        for item in data:
            yield from json_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from json_objects(data.get("@graph", []))


def extracted_blocks(body: Any) -> list[Block]:
    """trafilatura's main text as blocks: ``head`` elements are headings, list items sentences."""
    if body is None:
        return []
    blocks = []
    for element in body:
        text = " ".join(element.xpath("string()").split())
        if element.tag == "list":
            items = [" ".join(item.xpath("string()").split()) for item in element]
            text = items_as_sentences(items)
        if text:
            blocks.append(Block(text, heading=element.tag == "head"))
    return blocks


def holds_whole(body: str, extracted: list[Block]) -> bool:
    """True when structured data's articleBody is the whole story, not a teaser."""
    if TRUNCATED.search(body) or len(body.split()) < MIN_ARTICLE_WORDS:
        return False
    found = sum(len(b.text) for b in extracted if not b.heading)
    return len(body) >= WHOLE_BODY_SHARE * found


def body_text(body: str) -> str:
    """articleBody as plain text: some CMSs put HTML (and entities) in it."""
    return "\n\n".join(body_paragraphs(body))


def body_paragraphs(body: str) -> list[str]:
    """articleBody's paragraphs: its HTML blocks when it holds markup, else by line shape."""
    body = html.unescape(body)
    if not MARKUP.search(body):
        return split_paragraphs(body)
    fragment = lxml.html.fragment_fromstring(body, create_parent="div")
    texts = [" ".join(e.text_content().split()) for e in fragment.iter(*PARAGRAPH_TAGS)]
    return [t for t in texts if t] or split_paragraphs(fragment.text_content())


def word_count(blocks: list[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks if not b.heading)


def with_headline(blocks: list[Block], title: str | None) -> list[Block]:
    """The headline first, read as the opening paragraph; not twice when the body starts with it."""
    if not title:
        return blocks
    if blocks and same_text(blocks[0].text, title):
        return [Block(title), *blocks[1:]]
    return [Block(title), *blocks]


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def page_meta(tree: Any, structured: dict[str, Any], extracted: Any, url: str | None) -> ArticleMeta:
    """Title, author, site, date, language and canonical URL, from the surest source first."""
    site = first(meta_content(tree, "og:site_name"), name_of(structured.get("publisher")),
                 getattr(extracted, "sitename", None))
    return ArticleMeta(
        title=first(text_of(structured.get("headline")), meta_content(tree, "og:title"),
                    page_title(tree, site), getattr(extracted, "title", None)),
        author=first(name_of(structured.get("author")), meta_content(tree, "author"),
                     getattr(extracted, "author", None)),
        site=site,
        date=first(text_of(structured.get("datePublished")),
                   meta_content(tree, "article:published_time"), getattr(extracted, "date", None)),
        lang=first(tree.get("lang"), text_of(structured.get("inLanguage"))),
        url=first(link_href(tree, "canonical"), meta_content(tree, "og:url"),
                  url_of(structured.get("mainEntityOfPage")), url),
        description=first(meta_content(tree, "description"), meta_content(tree, "og:description"),
                          text_of(structured.get("description"))),
    )


def first(*values: str | None) -> str | None:
    """The first value that holds text, stripped."""
    for value in values:
        if value and value.strip():
            return " ".join(value.split())
    return None


def text_of(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def name_of(value: Any) -> str | None:
    """A schema.org Person/Organization (or a list of them, or a bare string) as names."""
    if isinstance(value, list):
        names = [name_of(v) for v in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, dict):
        return text_of(value.get("name"))
    return text_of(value)


def url_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return text_of(value.get("@id")) or text_of(value.get("url"))
    return text_of(value)


def meta_content(tree: Any, key: str) -> str | None:
    """The content of ``<meta property=key>`` or ``<meta name=key>``."""
    for attribute in ("property", "name"):
        found = tree.xpath(f'//meta[@{attribute}="{key}"]/@content')
        if found:
            return str(found[0])
    return None


def link_href(tree: Any, rel: str) -> str | None:
    found = tree.xpath(f'//link[@rel="{rel}"]/@href')
    return str(found[0]) if found else None


def page_title(tree: Any, site: str | None) -> str | None:
    """``<title>`` without the site's name after a separator ("Headline - Site")."""
    titles = tree.xpath("//title")
    if not titles:
        return None
    title = " ".join(titles[0].text_content().split())
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) > 1 and (site is None or same_text(parts[-1], site) or len(parts[-1]) < len(parts[0])):
        return " - ".join(parts[:-1])
    return title or None
