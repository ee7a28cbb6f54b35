"""The podcast feed: written by the batch, read back by feedparser, updated without duplicates."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest
from browser import in_ci
from conftest import ARTICLE
from pages_server import PAGES

from tts.outputs.feed import ITUNES_NS, PODCAST_NS, first_paragraph, item_link, item_title
from tts.sources.plain import text_article
from tts.types import Article, ArticleMeta, Block
from tts.util.timefmt import parse_hms

ESPEAK = ("--engine", "espeak", "--no-tashkeel", "--no-loudness")
BASE = "https://podcast.example/news"
FEED_OPTIONS = ("--feed", "feed.xml", "--base-url", BASE, "--feed-title", "نشرة",
                "--feed-author", "غرفة الأخبار", "--feed-image", "https://podcast.example/c.jpg")
# What Apple asks of a show besides the above: an owner to write to, a category.
SHOW_OPTIONS = ("--feed-owner-email", "podcast@news.example", "--feed-category", "news/daily news",
                "--feed-description", "أخبار اليوم مقروءة")
JS = Path(__file__).resolve().parent / "js"
MARKDOWN = "---\ntitle: ملاحظات\ndate: 2024-05-01\n---\n# أولا\n\nنص أول هنا.\n\n## ثانيا\n\nنص ثان."


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("structured.html", "plain-cms.html"):
        (folder / name).write_bytes((PAGES / name).read_bytes())
    (folder / "notes.md").write_text(MARKDOWN, encoding="utf-8")
    return folder


def parsed(tmp_path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(str(tmp_path / "out" / "feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_feed_items_have_everything_an_app_needs(run, articles: Path, tmp_path: Path) -> None:
    result = run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS, "--subtitles", "vtt")
    assert result.exit_code == 0, result.stderr
    assert "Feed: out/feed.xml (3 items)" in result.stderr
    feed = parsed(tmp_path)
    assert feed.version == "rss20"
    assert feed.feed.title == "نشرة" and feed.feed.author == "غرفة الأخبار"
    assert feed.feed.language == "ar-EG"  # the first article that declares one (plain-cms.html)
    assert feed.feed.image.href == "https://podcast.example/c.jpg"
    assert set(feed.namespaces) >= {"itunes", "podcast"}
    by_title = {e.title: e for e in feed.entries}
    story = by_title["مجلس الأمن يفشل في إصدار بيان بشأن طرابلس"]
    assert story.summary == "روسيا تعترض على صيغة بيان رئاسي يدعو إلى وقف الهجوم على العاصمة الليبية."
    assert story.published_parsed[:3] == (2019, 4, 8)
    (enclosure,) = story.enclosures
    audio = tmp_path / "out" / "structured.mp3"
    assert enclosure.href == f"{BASE}/structured.mp3"
    assert int(enclosure.length) == audio.stat().st_size
    assert enclosure.type == "audio/mpeg"
    assert 20 < parse_hms(story.itunes_duration) < 120
    assert story.podcast_chapters == {"url": f"{BASE}/structured.chapters.json",
                                      "type": "application/json+chapters"}
    assert story.podcast_transcript["url"] == f"{BASE}/structured.vtt"
    assert story.podcast_transcript["type"] == "text/vtt"
    # Newest first; the Markdown's date comes from its front matter.
    assert [e.title for e in feed.entries] == ["ملاحظات", "مجلس الأمن يفشل في إصدار بيان بشأن طرابلس",
                                               "واشنطن تطالب بوقف فوري للهجوم على طرابلس"]


def test_item_title_without_a_headline_is_the_first_sentence_not_the_file_name() -> None:
    article = text_article(ARTICLE.read_text(encoding="utf-8"), "article.txt")
    assert item_title(article, "article") == ("إيران برس- اوروبا: منعت روسيا في مجلس الأمن "
                                             "الدولي صدور بيان رئاسي يدعو قوات…")
    assert item_title(text_article("عنوان قصير\n\nنص الخبر.", "x.txt"), "x") == "عنوان قصير"


def test_chapters_file_is_podcasting_2_json(run, articles: Path, tmp_path: Path) -> None:
    assert run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS).exit_code == 0
    chapters = json.loads((tmp_path / "out" / "notes.chapters.json").read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    # The front matter's title is the tag, not read: the headings are the chapters.
    assert [c["title"] for c in chapters["chapters"]] == ["أولا", "ثانيا"]
    starts = [c["startTime"] for c in chapters["chapters"]]
    assert starts[0] == 0 and starts == sorted(starts)
    entry = next(e for e in parsed(tmp_path).entries if e.title == "ملاحظات")
    assert "podcast_transcript" not in entry  # no subtitles were asked for


def test_rerun_updates_and_never_duplicates(run, articles: Path, tmp_path: Path) -> None:
    assert run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS).exit_code == 0
    first = parsed(tmp_path)
    guids = sorted(e.id for e in first.entries)
    assert run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS).exit_code == 0
    assert sorted(e.id for e in parsed(tmp_path).entries) == guids
    # An edited article keeps its guid and item; a new one is added; one not given stays.
    (articles / "notes.md").write_text(MARKDOWN.replace("نص ثان.", "نص ثان أطول بكثير من قبل."),
                                       encoding="utf-8")
    (tmp_path / "extra.txt").write_text("خبر جديد.\n\nنص الخبر الجديد هنا.", encoding="utf-8")
    result = run("render", str(articles / "notes.md"), str(tmp_path / "extra.txt"), "-O", "out",
                 *ESPEAK, *FEED_OPTIONS)
    assert result.exit_code == 0, result.stderr
    entries = parsed(tmp_path).entries
    assert len(entries) == 4 and len({e.id for e in entries}) == 4
    assert set(guids) < {e.id for e in entries}
    notes = next(e for e in entries if e.title == "ملاحظات")
    assert int(notes.enclosures[0].length) == (tmp_path / "out" / "notes.mp3").stat().st_size


def test_feed_xml_namespaces(run, articles: Path, tmp_path: Path) -> None:
    assert run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, *FEED_OPTIONS,
               "--subtitles", "srt").exit_code == 0
    root = ElementTree.parse(tmp_path / "out" / "feed.xml").getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.find(f"channel/{{{PODCAST_NS}}}guid") is not None
    transcript = root.find(f"channel/item/{{{PODCAST_NS}}}transcript")
    assert transcript is not None and transcript.get("type") == "application/x-subrip"
    assert root.find("channel/item/guid").get("isPermaLink") == "false"


@pytest.mark.parametrize(("extra", "message"), [
    (("--feed", "feed.xml"), "--feed needs --base-url URL"),
    (("--feed", "feed.xml", "--base-url", BASE, "--feed-image", "https://x.example/c.gif"),
     "must end in .jpg or .png"),
    (("-O", "out", "--subtitles", "x.txt"), "--subtitles takes srt, vtt or lrc"),
])
def test_feed_usage_errors(run, articles: Path, extra: tuple[str, ...], message: str) -> None:
    options = extra if "-O" in extra else ("-O", "out", *extra)
    result = run("render", str(articles / "notes.md"), *ESPEAK, *options)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr


def test_no_feed_is_written_when_nothing_was_rendered(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", "news/", "-O", "out", *ESPEAK, *FEED_OPTIONS)
    assert result.exit_code == 1
    assert "Feed: out/feed.xml left as it was, since no article was rendered" in result.stderr.splitlines()
    assert not (tmp_path / "out" / "feed.xml").exists()


def test_a_good_feed_is_kept_when_every_input_fails(run, articles: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS).exit_code == 0
    before = (tmp_path / "out" / "feed.xml").read_bytes()
    assert run("render", "missing.txt", "-O", "out", *ESPEAK, *FEED_OPTIONS).exit_code == 1
    assert (tmp_path / "out" / "feed.xml").read_bytes() == before
    # An article up to date counts: the feed is written again with it.
    again = run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, *FEED_OPTIONS)
    assert again.exit_code == 0 and "Feed: out/feed.xml (3 items)" in again.stderr


def test_an_item_whose_audio_was_deleted_leaves_the_feed(run, articles: Path, tmp_path: Path) -> None:
    # A podcast app would list the episode and fail to play it.
    assert run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS).exit_code == 0
    (tmp_path / "out" / "structured.mp3").unlink()
    result = run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, *FEED_OPTIONS)
    assert result.exit_code == 0, result.stderr
    assert "Feed: out/feed.xml (2 items; 1 dropped, their audio was deleted)" in result.stderr
    urls = {e.enclosures[0].href for e in parsed(tmp_path).entries}
    assert urls == {f"{BASE}/notes.mp3", f"{BASE}/plain-cms.mp3"}


# --- article text stays text ------------------------------------------------------------------

EVIL_TITLE = "<b>Breaking</b> news from AT&T <img src=x onerror=alert(1)>"
EVIL_BODY = ("The page said <script>alert('feed')</script> and then <img src=x onerror=alert(2)> "
             "with AT&T and 1 < 2 & &lt;b&gt; left as written.")


class HtmlText(HTMLParser):
    """What a reader shows for an HTML value: its text, and the elements it would make."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def shown(value: str, kind: str) -> HtmlText | str:
    return HtmlText(value) if kind == "text/html" else value


def test_article_text_is_text_in_the_feed(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil.txt").write_text(f"{EVIL_TITLE}\n\n{EVIL_BODY}\n", encoding="utf-8")
    (folder / "plain.txt").write_text("Plain title\n\nA plain paragraph of text that is long enough "
                                      "to describe it.\n", encoding="utf-8")
    for name in ("evil.txt", "plain.txt"):  # the second run reads the first item back and rewrites it
        result = run("render", str(folder / name), "-O", "out", *ESPEAK, "--lang", "en", *FEED_OPTIONS)
        assert result.exit_code == 0, result.stderr
    (entry,) = [e for e in parsed(tmp_path).entries if "Breaking" in e.title]
    assert entry.summary_detail.type == "text/html" and "&lt;script&gt;" in entry.summary
    description = HtmlText(entry.summary)
    assert description.tags == [] and description.text == EVIL_BODY
    title = shown(entry.title, entry.title_detail.type)
    assert isinstance(title, HtmlText) and title.tags == [] and title.text == EVIL_TITLE
    plain = next(e for e in parsed(tmp_path).entries if e.title == "Plain title")
    assert plain.title_detail.type == "text/plain"


@pytest.mark.parametrize("url", ["https://ex.com/a?b=1&c=]]>", "https://ex.com/a#top", "https://ex.com/a?",
                                 "ftp://ex.com/a", "javascript:alert(1)", "https:///a", "https://ex.com/a b"])
def test_base_url_must_be_an_http_folder_address(run, articles: Path, url: str) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, "--feed", "feed.xml",
                 "--base-url", url, "--dry-run")
    assert result.exit_code == 2, result.stderr
    assert "Invalid value for '--base-url'" in result.stderr and url in result.stderr


def test_a_feed_item_links_only_to_an_http_page() -> None:
    meta = ArticleMeta(url="javascript:alert(1)")
    assert item_link(Article((), meta, source="https://news.example/a")) == "https://news.example/a"
    assert item_link(Article((), meta, source="in/a.html")) is None


# --- what podcast apps require ----------------------------------------------------------------

@pytest.fixture
def node() -> str:
    """node, with podcast-partytime (the Podcast Index's parser) installed in tests/js from npm.
    Missing either: a skip on a laptop, a failure in CI (.ci/run installs both)."""
    found = shutil.which("node")
    missing = ("node is not installed (apt-get install nodejs npm)" if found is None else
               None if (JS / "node_modules" / "podcast-partytime").is_dir() else
               "podcast-partytime is not installed (npm ci --prefix tests/js)")
    if missing or found is None:
        if in_ci():
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return found


def partytime(node: str, feed: Path) -> dict[str, Any]:
    """The feed as podcast-partytime reads it, through tests/js/parse_feed.mjs."""
    done = subprocess.run([node, str(JS / "parse_feed.mjs"), str(feed)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_the_channel_has_what_apple_requires(run, articles: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS, *SHOW_OPTIONS)
    assert result.exit_code == 0, result.stderr
    assert "Warning: feed" not in result.stderr
    feed = parsed(tmp_path).feed
    assert [t.term for t in feed.tags] == ["News", "Daily News"]  # in Apple's spelling
    assert feed.publisher_detail == {"name": "غرفة الأخبار", "email": "podcast@news.example"}
    assert {(link.rel, link.href) for link in feed.links} == {("alternate", BASE),
                                                              ("self", f"{BASE}/feed.xml")}
    assert feed.subtitle == "أخبار اليوم مقروءة"
    root = ElementTree.parse(tmp_path / "out" / "feed.xml").getroot()
    assert root.findtext(f"channel/{{{ITUNES_NS}}}explicit") == "false"
    check = run("feed", "check", "out/feed.xml")
    assert check.exit_code == 0, check.stdout
    assert check.stdout.splitlines()[-1] == ("out/feed.xml passes Apple's and the Podcast Index's "
                                             "required tags")


def test_the_podcast_index_parser_reads_the_feed(run, node: str, articles: Path,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    result = run("render", str(articles), "-O", "out", *ESPEAK, *FEED_OPTIONS, *SHOW_OPTIONS,
                 "--feed-explicit")
    assert result.exit_code == 0, result.stderr
    feed = partytime(node, tmp_path / "out" / "feed.xml")
    assert feed["title"] == "نشرة" and feed["description"] == "أخبار اليوم مقروءة"
    assert feed["language"] == "ar-EG"
    assert feed["itunesCategory"] == ["News > Daily News"]
    assert feed["owner"] == {"name": "غرفة الأخبار", "email": "podcast@news.example"}
    assert feed["explicit"] is True
    assert feed["pubsub"]["self"] == f"{BASE}/feed.xml"
    assert feed["itunesImage"] == "https://podcast.example/c.jpg"
    items = {item["title"]: item for item in feed["items"]}
    assert len(items) == 3 and len({item["guid"] for item in items.values()}) == 3
    for name, item in (("structured", items["مجلس الأمن يفشل في إصدار بيان بشأن طرابلس"]),
                       ("notes", items["ملاحظات"])):
        audio = tmp_path / "out" / f"{name}.mp3"
        assert item["enclosure"] == {"url": f"{BASE}/{name}.mp3", "length": audio.stat().st_size,
                                     "type": "audio/mpeg"}
        assert item["duration"] > 0 and item["pubDate"]


def test_a_show_file_beside_the_feed_with_options_over_it(run, articles: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "feed.toml").write_text(
        f'base_url = "{BASE}"\ntitle = "من الملف"\ncategory = "Technology"\nexplicit = true\n'
        'owner_name = "المالك"\nowner_email = "owner@news.example"\n'
        'image = "https://podcast.example/c.png"\n', encoding="utf-8")
    result = run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, "--feed", "feed.xml",
                 "--feed-title", "من الخيارات", "--feed-clean")
    assert result.exit_code == 0, result.stderr
    feed = parsed(tmp_path).feed
    assert feed.title == "من الخيارات"  # the option given wins over the file
    assert [t.term for t in feed.tags] == ["Technology"]
    assert feed.publisher_detail == {"name": "المالك", "email": "owner@news.example"}
    assert feed.subtitle == "نص أول هنا."  # no description given: the first article's lede
    root = ElementTree.parse(tmp_path / "out" / "feed.xml").getroot()
    assert root.findtext(f"channel/{{{ITUNES_NS}}}explicit") == "false"


@pytest.mark.parametrize(("show", "extra", "message"), [
    ('category = "News"\n', (), "--feed needs --base-url URL (or base_url in its show file)"),
    (f'base_url = "{BASE}"\nowner = "x"\n', (), "unknown key 'owner'"),
    (f'base_url = "{BASE}"\nexplicit = "no"\n', (), "explicit in the show file"),
    (f'base_url = "{BASE}"\ncategory = \n', (), "is not valid TOML"),
    (f'base_url = "{BASE}"\n', ("--feed-category", "Newz"), "did you mean News?"),
    (f'base_url = "{BASE}"\n', ("--feed-category", "News/Cooking"), "not an Apple Podcasts category"),
    (f'base_url = "{BASE}"\n', ("--feed-owner-name", "x"), "--feed-owner-name needs --feed-owner-email"),
    (f'base_url = "{BASE}"\n', ("--feed-owner-email", "nobody"), "is not an email address"),
])
def test_show_settings_are_checked_before_any_work(run, articles: Path, tmp_path: Path, show: str,  # type: ignore[no-untyped-def]
                                                   extra: tuple[str, ...], message: str) -> None:
    (tmp_path / "show.toml").write_text(show, encoding="utf-8")
    result = run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, "--feed", "feed.xml",
                 "--feed-config", "show.toml", *extra)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out" / "notes.mp3").exists()


def test_without_owner_or_cover_the_render_warns(run, articles: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(articles / "notes.md"), "-O", "out", *ESPEAK, "--feed", "feed.xml",
                 "--base-url", BASE)
    assert result.exit_code == 0, result.stderr
    assert "Warning: feed channel: no itunes:owner email" in result.stderr
    assert "Warning: feed channel: no itunes:image" in result.stderr


@pytest.mark.parametrize(("blocks", "title", "lede"), [
    # A headline as the first block: the lede is the paragraph after it.
    ((Block("عنوان قصير"), Block("هذه هي الفقرة الأولى من الخبر وفيها ما يكفي من الكلمات.")),
     "عنوان قصير", "هذه هي الفقرة الأولى من الخبر وفيها ما يكفي من الكلمات."),
    # No short headline (a plain-text article): the first block is the lede, not skipped.
    ((Block("فقرة أولى طويلة لا تصلح عنوانا وفيها ما يكفي من الكلمات لوصف الخبر كله."),
      Block("فقرة ثانية فيها كلام آخر بما يكفي من الكلمات هنا أيضا.")),
     "article", "فقرة أولى طويلة لا تصلح عنوانا وفيها ما يكفي من الكلمات لوصف الخبر كله."),
    # A title from elsewhere (front matter): a heading is skipped, not the body under it.
    ((Block("أولا", heading=True), Block("نص أول هنا.")), "ملاحظات", "نص أول هنا."),
])
def test_the_item_description_starts_at_the_lede(blocks: tuple[Block, ...], title: str,
                                                 lede: str) -> None:
    assert first_paragraph(Article(blocks), title) == lede
