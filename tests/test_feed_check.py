"""`article-tts feed check`: passes on the feed we write, and names each required tag missing."""

from __future__ import annotations

import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tts.outputs.feed import ATOM_NS, ITUNES_NS, Channel, FeedItem, feed_xml
from tts.outputs.feed_check import check_feed
from tts.outputs.podcast_categories import all_names, parse_category

IT = f"{{{ITUNES_NS}}}"
CHANNEL = Channel("نشرة", "https://podcast.example/news", author="غرفة الأخبار", language="ar",
                  image="https://podcast.example/cover.png", category="News/Daily News",
                  owner_name="غرفة الأخبار", owner_email="podcast@news.example")
ITEMS = [FeedItem(guid=f"guid-{n}", title=f"الخبر {n}", description="وصف الخبر.",
                  published=datetime.datetime(2024, 5, n, tzinfo=datetime.timezone.utc),
                  url=f"https://podcast.example/news/{n}.mp3", length=1000 * n, mime="audio/mpeg",
                  duration_s=60 * n) for n in (2, 1)]  # newest first, as written
PASSES = "feed.xml passes Apple's and the Podcast Index's required tags"


@pytest.fixture
def feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = Path("feed.xml")
    path.write_text(feed_xml(CHANNEL, ITEMS, "feed.xml"), encoding="utf-8")
    return path


def edit(path: Path, where: str, tag: str, value: str | None = None) -> None:
    """Remove ``tag`` from the first element at ``where`` (or set its text to ``value``)."""
    ElementTree.register_namespace("itunes", ITUNES_NS)
    ElementTree.register_namespace("atom", ATOM_NS)
    tree = ElementTree.parse(path)
    parent = tree.getroot().find(where)
    assert parent is not None
    element = parent.find(tag)
    assert element is not None, tag
    if value is None:
        parent.remove(element)
    elif value.startswith("@"):
        name, _, text = value[1:].partition("=")
        element.set(name, text)
    else:
        element.text = value
    tree.write(path, encoding="utf-8", xml_declaration=True)


def test_our_feed_passes(run, feed: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("feed", "check", str(feed))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == f"{PASSES}\n"


@pytest.mark.parametrize(("where", "tag", "value", "line"), [
    ("channel", "title", None, "error: channel: no title"),
    ("channel", "description", None, "error: channel: no description (Apple requires one)"),
    ("channel", "language", None, "error: channel: no language (Apple requires one)"),
    ("channel", f"{IT}image", None, "error: channel: no itunes:image (Apple requires cover art"),
    ("channel", f"{IT}image", "@href=https://podcast.example/c.gif",
     "error: channel: itunes:image https://podcast.example/c.gif is not a .jpg or .png"),
    ("channel", f"{IT}category", None, "error: channel: no itunes:category (Apple requires one"),
    ("channel", f"{IT}category", "@text=Newz",
     'error: channel: itunes:category "Newz" is not an Apple Podcasts category'),
    (f"channel/{IT}category", f"{IT}category", "@text=Cooking",
     'error: channel: itunes:category "Cooking" is not a subcategory of News'),
    ("channel", f"{IT}explicit", None, "error: channel: itunes:explicit is missing; Apple takes "
                                      "true or false"),
    ("channel", f"{IT}explicit", "no", 'error: channel: itunes:explicit is "no"; Apple takes true '
                                      "or false"),
    ("channel", f"{IT}owner", None, "error: channel: no itunes:owner email"),
    (f"channel/{IT}owner", f"{IT}email", None, "error: channel: no itunes:owner email"),
    ("channel", f"{{{ATOM_NS}}}link", None, 'error: channel: no atom:link rel="self"'),
    ("channel", "item", None, None),  # one item left: still passes
    ("channel/item", "title", None, "error: item 1: no title"),
    ("channel/item", "enclosure", None, 'error: item 1 ("الخبر 2"): no enclosure'),
    ("channel/item", "enclosure", "@url=", "error: item 1 (\"الخبر 2\"): enclosure url '' is not "
                                           "an http(s) address"),
    ("channel/item", "enclosure", "@length=", "error: item 1 (\"الخبر 2\"): enclosure length '' "
                                              "is not a size in bytes"),
    ("channel/item", "enclosure", "@type=", 'error: item 1 ("الخبر 2"): enclosure has no type'),
    ("channel/item", "guid", None, 'error: item 1 ("الخبر 2"): no guid'),
    ("channel/item", "guid", "guid-1", 'error: item 2 ("الخبر 1"): guid guid-1 is also item 1\'s'),
    ("channel/item", "pubDate", None, 'error: item 1 ("الخبر 2"): no pubDate'),
    ("channel/item", "pubDate", "2024-05-02", 'error: item 1 ("الخبر 2"): pubDate \'2024-05-02\' '
                                              "is not an RFC 2822 date"),
    ("channel/item", f"{IT}duration", None, 'error: item 1 ("الخبر 2"): no itunes:duration'),
])
def test_each_required_tag_missing_is_a_line_and_exit_1(  # type: ignore[no-untyped-def]
        run, feed: Path, where: str, tag: str, value: str | None, line: str | None) -> None:
    edit(feed, where, tag, value)
    result = run("feed", "check", str(feed))
    if line is None:
        assert result.exit_code == 0 and result.stdout == f"{PASSES}\n"
        return
    assert result.exit_code == 1, result.stdout
    *problems, verdict = result.stdout.splitlines()
    assert [p for p in problems if p.startswith("error")] == [next(p for p in problems
                                                                  if p.startswith(line))]
    assert verdict == "feed.xml fails: 1 required tag missing or wrong"


@pytest.mark.parametrize(("where", "tag", "line"), [
    ("channel", f"{IT}author", "warning: channel: no itunes:author"),
    ("channel", "link", "warning: channel: no link"),
    ("channel/item", "description", 'warning: item 1 ("الخبر 2"): no description'),
])
def test_a_recommended_tag_missing_only_warns(run, feed: Path, where: str, tag: str,  # type: ignore[no-untyped-def]
                                              line: str) -> None:
    edit(feed, where, tag)
    result = run("feed", "check", str(feed))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [next(p for p in result.stdout.splitlines()
                                               if p.startswith(line)), PASSES]


def test_what_is_not_a_feed_fails(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<html><body/></html>", encoding="utf-8")
    (tmp_path / "b.xml").write_text("<rss><channel>", encoding="utf-8")
    assert [str(p) for p in check_feed(tmp_path / "a.xml")] == [
        "error: feed: not an RSS feed (no <rss><channel>)"]
    assert str(check_feed(tmp_path / "b.xml")[0]).startswith("error: feed: not well-formed XML")


def test_every_listed_category_is_accepted_as_written() -> None:
    names = all_names()
    assert "News" in names and "News/Daily News" in names and len(names) == 19 + 91
    for name in names:
        category, _, sub = name.partition("/")
        assert parse_category(name.upper()) == (category, sub or None)
    assert parse_category("News/Cooking") is None and parse_category("Newz") is None


def test_categories_command_lists_them(run) -> None:  # type: ignore[no-untyped-def]
    result = run("feed", "categories")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == all_names()
