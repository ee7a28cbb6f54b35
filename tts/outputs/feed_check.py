"""Check a podcast feed against what Apple Podcasts and the Podcast Index require.

The rules are the required tags of Apple's "Podcast RSS feed requirements" and of the
Podcast Index (which reads feeds with podcast-partytime): a channel with title, description,
language, cover art, a valid category, ``itunes:explicit`` true/false, an owner's email and
its own ``atom:link rel="self"``; items with a title, an enclosure (url, length, type), a
guid, a date and a duration. Recommended tags only warn. Nothing is fetched: the cover art's
size (1400 to 3000 px, square) cannot be checked here, only that it is a JPEG or PNG.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from tts.errors import InputError
from tts.outputs.feed import ATOM_NS, IMAGE_SUFFIXES, ITUNES_NS, PODCAST_NS
from tts.outputs.podcast_categories import category_problem

EXPLICIT_VALUES = ("true", "false")
# Item titles in problem lines are cut to this, so each problem stays one line.
SHOWN_TITLE_CHARS = 40


@dataclass(frozen=True)
class Problem:
    """One thing a podcast directory would refuse (``required``) or would rather have."""

    where: str
    message: str
    required: bool = True

    def __str__(self) -> str:
        return f"{'error' if self.required else 'warning'}: {self.where}: {self.message}"


def check_feed(path: Path) -> list[Problem]:
    """Every problem of the feed at ``path``, channel first, then each item in order."""
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        return [Problem("feed", f"not well-formed XML ({exc})")]
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror or exc}); give a readable feed "
                         "file") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return [Problem("feed", "not an RSS feed (no <rss><channel>)")]
    return [*channel_problems(channel), *all_item_problems(channel)]


def channel_problems(channel: ElementTree.Element) -> Iterator[Problem]:
    """What the channel lacks: required tags as errors, recommended ones as warnings."""
    where = "channel"
    for tag, why in (("title", "every app shows it"), ("description", "Apple requires one"),
                     ("language", "Apple requires one")):
        if not text_of(channel, tag):
            yield Problem(where, f"no {tag} ({why})")
    yield from image_problems(channel)
    yield from category_problems(channel)
    explicit = text_of(channel, f"{{{ITUNES_NS}}}explicit")
    if explicit not in EXPLICIT_VALUES:
        found = f'is "{explicit}"' if explicit else "is missing"
        yield Problem(where, f"itunes:explicit {found}; Apple takes true or false "
                             "(--feed-explicit/--feed-clean)")
    if not text_of(channel, f"{{{ITUNES_NS}}}owner/{{{ITUNES_NS}}}email"):
        yield Problem(where, "no itunes:owner email (Apple writes there to verify the show; "
                             "--feed-owner-email)")
    if not any(link.get("rel") == "self" and link.get("href")
               for link in channel.iter(f"{{{ATOM_NS}}}link")):
        yield Problem(where, 'no atom:link rel="self" (the feed\'s own URL, which the Podcast '
                             "Index follows)")
    if channel.find("item") is None:
        yield Problem(where, "no items (Apple lists a show only once it has an episode)")
    for tag, shown, why in (("link", "link", "the show's web page"),
                            (f"{{{ITUNES_NS}}}author", "itunes:author", "shown under the title"),
                            (f"{{{PODCAST_NS}}}guid", "podcast:guid",
                             "the Podcast Index's lasting id for the show")):
        if not text_of(channel, tag):
            yield Problem(where, f"no {shown} ({why})", required=False)


def image_problems(channel: ElementTree.Element) -> Iterator[Problem]:
    """Apple requires cover art as JPEG or PNG; its size is not checked (nothing is fetched)."""
    image = channel.find(f"{{{ITUNES_NS}}}image")
    href = (image.get("href") or "").strip() if image is not None else ""
    if not href:
        yield Problem("channel", "no itunes:image (Apple requires cover art: a square JPEG or "
                                 "PNG of 1400 to 3000 px; --feed-image)")
    elif not urlsplit(href).path.lower().endswith(IMAGE_SUFFIXES):
        yield Problem("channel", f"itunes:image {href} is not a .jpg or .png (Apple takes only "
                                 "those)")


def category_problems(channel: ElementTree.Element) -> Iterator[Problem]:
    """At least one ``itunes:category``, each one of Apple's, with at most a subcategory of it."""
    categories = channel.findall(f"{{{ITUNES_NS}}}category")
    if not categories:
        yield Problem("channel", "no itunes:category (Apple requires one; --feed-category News)")
    for element in categories:
        subs: list[str | None] = [sub.get("text", "")
                                  for sub in element.findall(f"{{{ITUNES_NS}}}category")]
        for sub in subs or [None]:
            problem = category_problem(element.get("text", ""), sub)
            if problem:
                yield Problem("channel", f"itunes:category {problem} (`article-tts feed "
                                         "categories` lists Apple's)")


def all_item_problems(channel: ElementTree.Element) -> Iterator[Problem]:
    """Each item's problems, and a guid used twice (apps would merge the two episodes)."""
    first_with: dict[str, int] = {}
    for number, item in enumerate(channel.iter("item"), 1):
        where = item_label(item, number)
        yield from item_problems(item, where)
        guid = text_of(item, "guid")
        if guid and guid in first_with:
            yield Problem(where, f"guid {guid} is also item {first_with[guid]}'s (each episode "
                                 "needs its own)")
        first_with.setdefault(guid, number)


def item_problems(item: ElementTree.Element, where: str) -> Iterator[Problem]:
    """One item's missing or malformed tags."""
    for tag, why in (("title", "apps list episodes by it"), ("guid", "apps tell episodes apart "
                     "by it"), ("pubDate", "apps sort episodes by it"),
                     (f"{{{ITUNES_NS}}}duration", "Apple shows it")):
        if not text_of(item, tag):
            yield Problem(where, f"no {tag.replace(f'{{{ITUNES_NS}}}', 'itunes:')} ({why})")
    date = text_of(item, "pubDate")
    if date and not rfc822_date(date):
        yield Problem(where, f"pubDate {date!r} is not an RFC 2822 date (as Mon, 08 Apr 2019 "
                             "10:00:00 +0000)")
    yield from enclosure_problems(item, where)
    if not text_of(item, "description"):
        yield Problem(where, "no description (apps show it under the title)", required=False)


def enclosure_problems(item: ElementTree.Element, where: str) -> Iterator[Problem]:
    """The audio: an enclosure with an http(s) url, a length in bytes and a MIME type."""
    enclosure = item.find("enclosure")
    if enclosure is None:
        yield Problem(where, "no enclosure (the episode's audio)")
        return
    url, length, kind = (enclosure.get(name, "").strip() for name in ("url", "length", "type"))
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        yield Problem(where, f"enclosure url {url!r} is not an http(s) address")
    if not length.isdigit():
        yield Problem(where, f"enclosure length {length!r} is not a size in bytes")
    if not kind:
        yield Problem(where, "enclosure has no type (as audio/mpeg)")


def item_label(item: ElementTree.Element, number: int) -> str:
    """``item 2 ("Title...")``: where a problem is, in words a user can find in the feed."""
    title = " ".join(text_of(item, "title").split())
    if len(title) > SHOWN_TITLE_CHARS:
        title = title[:SHOWN_TITLE_CHARS - 1] + "…"
    return f'item {number} ("{title}")' if title else f"item {number}"


def text_of(element: ElementTree.Element, path: str) -> str:
    """The stripped text at ``path`` under ``element``; "" when absent or empty."""
    return (element.findtext(path) or "").strip()


def rfc822_date(text: str) -> bool:
    """True when ``text`` is a date as RSS writes it (RFC 822, years in four digits)."""
    try:
        return email.utils.parsedate_to_datetime(text) is not None
    except (TypeError, ValueError):
        return False
