"""A podcast feed of rendered articles: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces.

feedgen writes RSS 2.0 and, through its podcast extension, the iTunes tags; it has
no Podcasting 2.0 support, so the ``podcast:`` tags come from a small feedgen
extension here (made when a feed is written, so start-up does not load feedgen). An
existing feed is read back with ElementTree (we wrote it, so its shape is known) and
items are replaced by guid, so a rerun never duplicates one.

Article text is text, never markup: feed readers take an item's ``description`` as HTML
(the RSS spec allows "entity-encoded HTML" there), so it is written HTML-escaped and an
article's ``<script>`` shows as those characters. Titles are plain text (RSS Advisory
Board), escaped only when they hold a ``<`` that a reader could take for a tag.
"""

from __future__ import annotations

import datetime
import email.utils
import functools
import html
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

import mutagen

from tts.audio.export import write_text
from tts.audio.formats import mime_type
from tts.audio.metadata import headline
from tts.errors import ConfigError, InputError
from tts.options import DEFAULT_FEED_CATEGORY
from tts.outputs.podcast_categories import SEPARATOR, closest, parse_category
from tts.sources.url import is_url
from tts.types import Article
from tts.util.timefmt import hms, parse_hms

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
# podcast:guid is a UUIDv5 of the feed's URL in this namespace (Podcasting 2.0 spec).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Item guids: a UUIDv5 of what identifies the source, so the same article keeps its guid.
ITEM_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "article-tts:item")
# podcast:transcript types; LRC is not one the spec lists, so it is not announced.
TRANSCRIPT_TYPES = {".srt": "application/x-subrip", ".vtt": "text/vtt"}
CHAPTERS_TYPE = "application/json+chapters"
# Apple Podcasts takes cover art only as JPEG or PNG.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
# A description is the first paragraph; podcast apps show a few lines of it.
DESCRIPTION_MAX_CHARS = 600
# Shorter paragraphs (a dateline, a byline) do not describe the article.
DESCRIPTION_MIN_WORDS = 8
# The channel's description when no option, show file or article gives a better one: Apple
# requires one, and the title repeated says nothing.
DEFAULT_DESCRIPTION = "Articles read aloud by article-tts"


@dataclass(frozen=True)
class Channel:
    """The feed as a whole (``--feed-title`` and friends)."""

    title: str
    base_url: str
    """Where the output folder is published; every file URL starts with it."""
    author: str | None = None
    language: str | None = None
    image: str | None = None
    description: str | None = None
    """What the show is about; None takes the oldest item's description."""
    category: str = DEFAULT_FEED_CATEGORY
    """An Apple Podcasts category, ``News`` or with a subcategory ``News/Daily News``."""
    owner_name: str | None = None
    owner_email: str | None = None
    explicit: bool = False


@dataclass(frozen=True)
class FeedItem:
    """One article as an episode."""

    guid: str
    title: str
    description: str
    published: datetime.datetime
    url: str
    length: int
    mime: str
    duration_s: int
    link: str | None = None
    chapters_url: str | None = None
    transcript_url: str | None = None
    transcript_type: str | None = None


@functools.cache
def podcastindex_extension() -> tuple[type[Any], type[Any]]:
    """feedgen's extension classes for the ``podcast:`` tags (channel, item), made on first use:
    feedgen (and lxml under it) takes about 0.1 s to import, which every render without
    ``--feed`` would otherwise pay at start-up."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from feedgen.util import xml_elem

    class PodcastIndexExtension(BaseExtension):  # type: ignore[misc]
        """The channel's ``podcast:guid``, and ``itunes:explicit`` as Apple now documents it
        (``true``/``false``; feedgen only writes the older ``yes``/``no``/``clean``)."""

        def __init__(self) -> None:
            self.guid: str | None = None
            self.explicit: bool | None = None

        def extend_ns(self) -> dict[str, str]:
            return {"podcast": PODCAST_NS}

        def extend_rss(self, feed: Any) -> Any:
            if self.guid:
                xml_elem(f"{{{PODCAST_NS}}}guid", feed[0]).text = self.guid
            if self.explicit is not None:
                xml_elem(f"{{{ITUNES_NS}}}explicit", feed[0]).text = str(self.explicit).lower()
            return feed

    class PodcastIndexEntryExtension(BaseEntryExtension):  # type: ignore[misc]
        """An item's ``podcast:chapters`` and ``podcast:transcript``."""

        def __init__(self) -> None:
            self.chapters: str | None = None
            self.transcript: tuple[str, str] | None = None

        def extend_rss(self, entry: Any) -> Any:
            if self.chapters:
                xml_elem(f"{{{PODCAST_NS}}}chapters", entry).attrib.update(
                    {"url": self.chapters, "type": CHAPTERS_TYPE})
            if self.transcript:
                url, kind = self.transcript
                xml_elem(f"{{{PODCAST_NS}}}transcript", entry).attrib.update(
                    {"url": url, "type": kind, "rel": "captions"})
            return entry

    return PodcastIndexExtension, PodcastIndexEntryExtension


def check_channel(channel: Channel) -> Channel:
    """Refuse, before any work, what podcast apps would refuse; the channel with its
    category in Apple's spelling and an owner named when only the email was given."""
    problem = base_url_problem(channel.base_url)
    if problem:
        raise ConfigError(f"--base-url {channel.base_url} {problem}: the feed links every file "
                          "under it, as https://example.com/podcast")
    if channel.image and not channel.image.lower().endswith(IMAGE_SUFFIXES):
        raise ConfigError(f"--feed-image {channel.image} must end in .jpg or .png "
                          "(podcast apps take only those)")
    if channel.owner_email is not None and "@" not in channel.owner_email:
        raise ConfigError(f"--feed-owner-email {channel.owner_email} is not an email address; "
                          "give one Apple Podcasts can write to, as podcast@example.com")
    if channel.owner_name and not channel.owner_email:
        raise ConfigError("--feed-owner-name needs --feed-owner-email: Apple Podcasts writes "
                          "to the owner there")
    owner = channel.owner_name or channel.author or channel.title
    return replace(channel, category=apple_category(channel.category),
                   owner_name=owner if channel.owner_email else None)


def apple_category(value: str) -> str:
    """``value`` in Apple's spelling (``news/daily news`` -> ``News/Daily News``)."""
    parsed = parse_category(value)
    if parsed is None:
        guess = closest(value)
        hint = f"did you mean {guess}? " if guess else ""
        raise ConfigError(f"--feed-category {value} is not an Apple Podcasts category; {hint}"
                          "`article-tts feed categories` lists them")
    category, sub = parsed
    return f"{category}{SEPARATOR}{sub}" if sub else category


def base_url_problem(url: str) -> str | None:
    """What makes ``url`` unfit to put file names after, or None: it must be an http(s)
    address of a folder, with a host and no query (?...) or fragment (#...), which would
    end up inside every file's URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid address"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "must be an http(s) address with a host"
    if parts.query or "?" in url:
        return "must not have a query (?...)"
    if parts.fragment or "#" in url:
        return "must not have a fragment (#...)"
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return "must not hold spaces or control characters"
    return None


def file_url(base_url: str, path: Path) -> str:
    """The public URL of an output file: the base URL and the file's name."""
    return f"{base_url.rstrip('/')}/{quote(path.name)}"


def item_guid(article: Article, name: str) -> str:
    """Stable for the same source: the page's canonical URL, else the source URL, else the name."""
    key = article.meta.url or (article.source if is_url(article.source) else f"file:{name}")
    return str(uuid.uuid5(ITEM_GUID_NAMESPACE, key))


def published(article: Article, audio: Path) -> datetime.datetime:
    """The article's date, else the input file's modification time, else the audio's."""
    if article.meta.date:
        try:
            date = datetime.datetime.fromisoformat(article.meta.date.replace("Z", "+00:00"))
            return date if date.tzinfo else date.replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            pass
    source = Path(article.source)
    stamp_of = source if not is_url(article.source) and source.is_file() else audio
    return datetime.datetime.fromtimestamp(stamp_of.stat().st_mtime, datetime.timezone.utc)


def duration_seconds(audio: Path) -> int:
    """The audio file's length as its header says (mutagen reads every format we write)."""
    info = mutagen.File(audio)
    if info is None or info.info is None:
        raise InputError(f"cannot read the length of {audio}; render it again")
    return round(float(info.info.length))


def make_item(article: Article, name: str, audio: Path, base_url: str,
              transcript: Path | None = None, chapters: Path | None = None) -> FeedItem:
    """The episode for one rendered article, from the article and the files on disk."""
    kind = TRANSCRIPT_TYPES.get(transcript.suffix) if transcript else None
    title = item_title(article, name)
    return FeedItem(
        guid=item_guid(article, name),
        title=title,
        description=article.meta.description or first_paragraph(article, title),
        published=published(article, audio),
        url=file_url(base_url, audio), length=audio.stat().st_size,
        mime=mime_type(audio), duration_s=duration_seconds(audio),
        link=item_link(article),
        chapters_url=file_url(base_url, chapters) if chapters and chapters.exists() else None,
        transcript_url=file_url(base_url, transcript) if transcript and kind else None,
        transcript_type=kind)


def item_link(article: Article) -> str | None:
    """The article's web address, when it has an http(s) one (a page's canonical link may
    name anything, javascript: included, and readers make the link clickable)."""
    for url in (article.meta.url, article.source):
        if url and is_url(url):
            return url
    return None


def item_title(article: Article, name: str) -> str:
    """The headline; else the first paragraph when short enough to be one, or its first
    sentence shortened; else the file's name."""
    first = article.blocks[0].text if article.blocks else ""
    return article.meta.title or (headline(first) if first.strip() else name)


def first_paragraph(article: Article, title: str) -> str:
    """The lede: the first paragraph of body text, not a dateline or a heading, and not the
    first block when that is the ``title`` (a headline); a first block too long to be a
    headline is the lede itself."""
    blocks = article.blocks
    start = 1 if blocks and blocks[0].text.strip() == title.strip() else 0
    body = [b.text for b in blocks[start:] if not b.heading] or [b.text for b in blocks[:1]] or [""]
    full = next((text for text in body if len(text.split()) >= DESCRIPTION_MIN_WORDS), body[0])
    return full[:DESCRIPTION_MAX_CHARS]


def read_items(path: Path) -> list[FeedItem]:
    """The items of a feed this module wrote before; [] when there is none yet."""
    if not path.exists():
        return []
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError) as exc:
        raise InputError(f"cannot update {path}: it is not a readable feed ({exc}); "
                         "move it away and rerun to write a new one") from None
    return [item for element in root.iter("item") if (item := read_item(element)) is not None]


def read_item(element: ElementTree.Element) -> FeedItem | None:
    """One ``<item>`` back as a FeedItem; None for an item without guid or enclosure."""
    guid, enclosure = element.findtext("guid"), element.find("enclosure")
    if not guid or enclosure is None:
        return None
    chapters = element.find(f"{{{PODCAST_NS}}}chapters")
    transcript = element.find(f"{{{PODCAST_NS}}}transcript")
    try:
        published = email.utils.parsedate_to_datetime(element.findtext("pubDate", ""))
    except (TypeError, ValueError):
        raise InputError(f"cannot update the feed: item {guid} has no readable pubDate; "
                         "fix or remove that item, or move the feed away") from None
    return FeedItem(
        guid=guid, title=title_text(element.findtext("title", "")),
        description=html.unescape(element.findtext("description", "")), published=published,
        url=enclosure.get("url", ""), length=int(enclosure.get("length", "0")),
        mime=enclosure.get("type", "audio/mpeg"),
        duration_s=parse_hms(element.findtext(f"{{{ITUNES_NS}}}duration", "0")),
        link=element.findtext("link"),
        chapters_url=chapters.get("url") if chapters is not None else None,
        transcript_url=transcript.get("url") if transcript is not None else None,
        transcript_type=transcript.get("type") if transcript is not None else None)


def merge(old: Sequence[FeedItem], new: Sequence[FeedItem]) -> list[FeedItem]:
    """Old items with new ones put in place by guid, newest first."""
    by_guid = {item.guid: item for item in old}
    by_guid.update({item.guid: item for item in new})
    return sorted(by_guid.values(), key=lambda item: item.published, reverse=True)


def feed_xml(channel: Channel, items: Sequence[FeedItem], feed_name: str) -> str:
    """The whole feed as RSS 2.0 text."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", *podcastindex_extension(), atom=False)
    fg.title(channel.title)
    # The self link first: feedgen makes the last link given the channel's <link>.
    fg.link(href=feed_url(channel, feed_name), rel="self", type="application/rss+xml")
    fg.link(href=channel.base_url)
    fg.description(channel_description(channel, items))
    fg.generator("article-tts")
    if channel.language:
        fg.language(channel.language)
    describe_channel(fg, channel, feed_name)
    for item in items:
        add_item(fg, item)
    return bytes(fg.rss_str(pretty=True)).decode("utf-8")


def describe_channel(fg: Any, channel: Channel, feed_name: str) -> None:
    """The channel's iTunes tags and its podcast:guid."""
    if channel.author:
        fg.podcast.itunes_author(channel.author)
    if channel.image:
        fg.podcast.itunes_image(channel.image)
        fg.image(url=channel.image, title=channel.title, link=channel.base_url)
    category, _, sub = channel.category.partition(SEPARATOR)
    fg.podcast.itunes_category({"cat": category, "sub": sub} if sub else {"cat": category})
    if channel.owner_name and channel.owner_email:
        fg.podcast.itunes_owner(name=channel.owner_name, email=channel.owner_email)
    fg.podcastindex.explicit = channel.explicit
    fg.podcastindex.guid = str(uuid.uuid5(PODCAST_GUID_NAMESPACE, feed_address(channel, feed_name)))


def channel_description(channel: Channel, items: Sequence[FeedItem]) -> str:
    """The one given; else the lede of the show's first article (the oldest item, so it
    stays the same as episodes are added); else a line saying what the feed is."""
    oldest = min(items, key=lambda item: item.published, default=None)
    return channel.description or (oldest.description if oldest else "") or DEFAULT_DESCRIPTION


def feed_url(channel: Channel, feed_name: str) -> str:
    """Where the feed itself is published: in the output folder, at ``--base-url``."""
    return f"{channel.base_url.rstrip('/')}/{quote(feed_name)}"


def feed_address(channel: Channel, feed_name: str) -> str:
    """The feed's own URL without its scheme and trailing slashes, as podcast:guid hashes it."""
    url = f"{channel.base_url.rstrip('/')}/{feed_name}"
    return url.split("://", 1)[-1].rstrip("/")


def add_item(fg: Any, item: FeedItem) -> None:
    """One episode in feedgen's terms, the Podcasting 2.0 tags through our extension."""
    entry = fg.add_entry(order="append")
    entry.guid(item.guid, permalink=False)
    entry.title(title_markup(item.title))
    entry.description(html.escape(item.description, quote=False))
    entry.pubDate(item.published)
    entry.enclosure(item.url, str(item.length), item.mime)
    if item.link:
        entry.link(href=item.link)
    entry.podcast.itunes_duration(hms(item.duration_s))
    entry.podcastindex.chapters = item.chapters_url
    if item.transcript_url and item.transcript_type:
        entry.podcastindex.transcript = (item.transcript_url, item.transcript_type)


def title_markup(title: str) -> str:
    """A plain-text title as written in the feed: as is, unless a ``<`` in it could open a
    tag in the readers that take titles as HTML; then HTML-escaped (those show it right,
    the others show ``&lt;``: rare titles, and no markup anywhere)."""
    return html.escape(title, quote=False) if "<" in title else title


def title_text(written: str) -> str:
    """The plain-text title back from what ``title_markup`` wrote."""
    return html.unescape(written) if "&lt;" in written and "<" not in written else written


def write_feed(path: Path, channel: Channel, new_items: Sequence[FeedItem],
               audio_dir: Path) -> tuple[int, int]:
    """Write or update the feed at ``path`` (atomically); how many items it now holds, and
    how many earlier items it dropped because their audio is gone from ``audio_dir``
    (deleted by hand): an episode whose file is gone cannot be played."""
    old = read_items(path)
    kept = [item for item in old if (audio_dir / file_name(item.url)).is_file()]
    items = merge(kept, new_items)
    write_text(path, feed_xml(channel, items, path.name))
    return len(items), len(old) - len(kept)


def file_name(url: str) -> str:
    """The name of the output file an item's URL points to (file_url's inverse)."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])
