"""Tests for tts.sources.html and tts.sources.url: fixture pages read from disk and over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pages_server import PAGES, Served

from tts.errors import FetchError, InputError
from tts.sources import load_article
from tts.sources.html import decode_html, html_article, page_title
from tts.sources.url import USER_AGENT, fetch
from tts.types import Article

# Text that is on the pages but is not the article: none of it may be read.
NOT_ARTICLE = ["الرئيسية", "نستخدم ملفات تعريف الارتباط", "فيسبوك", "تويتر", "جميع الحقوق محفوظة",
               "إعلان", "الأكثر قراءة", "ارتفاع أسعار الذهب", "أخبار ذات صلة",
               "الأمم المتحدة تدعو إلى هدنة", "هذا الموقف متوقع", "نتمنى أن يعود السلام",
               "أين الجامعة العربية", "أضف تعليقك", "dataLayer", "cookie", "{", "وسوم"]


def text_of(article: Article) -> str:
    return "\n".join(b.text for b in article.blocks)


def read(name: str) -> Article:
    return load_article(str(PAGES / name))


@pytest.mark.parametrize("name", ["structured.html", "plain-cms.html", "comments.html",
                                  "windows-1256.html", "iso-8859-6.html"])
def test_only_the_article_is_read(name: str) -> None:
    text = text_of(read(name))
    for junk in NOT_ARTICLE:
        assert junk not in text, f"{junk!r} read from {name}"
    assert "طرابلس" in text or "المجلس" in text


def test_structured_data_gives_body_and_metadata() -> None:
    article = read("structured.html")
    meta = article.meta
    assert meta.title == "مجلس الأمن يفشل في إصدار بيان بشأن طرابلس"
    assert meta.author == "سارة المصري"
    assert meta.site == "شبكة الأخبار العربية"
    assert meta.date == "2019-04-08T09:30:00+02:00"
    assert meta.lang == "ar"
    assert meta.url == "https://news.example/world/2019/04/security-council-tripoli"
    texts = [b.text for b in article.blocks]
    assert texts[0] == meta.title  # the headline, read once
    assert len(texts) == 5
    assert texts[1].startswith("منعت روسيا")


def test_a_teaser_in_structured_data_gives_way_to_the_page() -> None:
    html = (PAGES / "structured.html").read_text(encoding="utf-8")
    body_start = html.index('"articleBody": "') + len('"articleBody": "')
    body_end = html.index('"', body_start)
    teaser = html[:body_start] + "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو..." + html[body_end:]
    article = html_article(teaser, "teaser.html")
    assert len(article.blocks) == 5
    assert article.blocks[-1].text.startswith("وكانت بريطانيا")


def test_page_without_structured_data_keeps_headings_and_metadata() -> None:
    article = read("plain-cms.html")
    assert [b.text for b in article.blocks if b.heading] == ["انسحاب قوة أميركية"]
    assert article.meta.title == "واشنطن تطالب بوقف فوري للهجوم على طرابلس"
    assert article.meta.author == "أحمد حسن"
    assert article.meta.site == "موقع النيل الإخباري"
    assert article.meta.date == "2019-04-07T18:05:00+00:00"
    assert article.meta.lang == "ar-EG"
    assert article.meta.url == "https://nile.example/2019/04/07/washington-tripoli/"


@pytest.mark.parametrize(("title", "site", "expected"), [
    ("خبر مهم - موقع الأخبار", "موقع الأخبار", "خبر مهم"),
    ("خبر مهم | موقع", None, "خبر مهم"),
    ("خبر مهم", None, "خبر مهم"),
    ("عنوان - طويل جدا جدا جدا جدا", "موقع", "عنوان - طويل جدا جدا جدا جدا"),
])
def test_title_loses_the_site_suffix(title: str, site: str | None, expected: str) -> None:
    from lxml import html as lxml_html
    tree = lxml_html.document_fromstring(f"<html><head><title>{title}</title></head><body/></html>")
    assert page_title(tree, site) == expected


def test_empty_page_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"no article text found in .*empty\.html") as caught:
        read("empty.html")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("data", "header", "expected"), [
    ("خبر".encode("cp1256"), "windows-1256", "خبر"),
    ('<meta charset="windows-1256"><p>خبر'.encode("cp1256"), None, "خبر"),
    ("<p>خبر</p>".encode(), "utf-8", "خبر"),
    # A header that lies loses to the meta tag.
    ('<meta charset="windows-1256"><p>خبر'.encode("cp1256"), "utf-8", "خبر"),
])
def test_charset_order(data: bytes, header: str | None, expected: str) -> None:
    assert expected in decode_html(data, "page", header)


# --- over HTTP ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["structured.html", "plain-cms.html", "comments.html",
                                  "windows-1256.html", "iso-8859-6.html"])
def test_served_page_reads_as_the_file_does(pages: Served, name: str) -> None:
    over_http = load_article(pages.url(f"pages/{name}"))
    from_disk = read(name)
    assert over_http.blocks == from_disk.blocks
    assert over_http.source == pages.url(f"pages/{name}")


def test_windows_1256_from_meta_only(pages: Served) -> None:
    article = load_article(pages.url("pages/windows-1256.html"))
    assert article.meta.title == "الخارجية الأميركية تعارض الهجوم على طرابلس"
    assert article.blocks[1].text.startswith("قالت الخارجية الأميركية")


def test_user_agent_names_us(pages: Served) -> None:
    fetch(pages.url("pages/structured.html"))
    assert pages.user_agents == [USER_AGENT]
    assert USER_AGENT.startswith("article-tts/")


def test_redirects_are_followed_up_to_five(pages: Served) -> None:
    page = fetch(pages.url("redirect/5"))
    assert page.url.endswith("/pages/structured.html")
    with pytest.raises(FetchError, match=r"redirect/6: more than 5 redirects"):
        fetch(pages.url("redirect/6"))


@pytest.mark.parametrize(("path", "expected"), [
    ("status/404", "HTTP 404 Not Found"),
    ("status/500", "HTTP 500 Internal Server Error"),
    ("status/403", "HTTP 403 Forbidden"),
    ("nowhere", "HTTP 404"),
    ("pdf", "gave application/pdf, not an HTML page"),
])
def test_http_failures_name_url_and_status(pages: Served, path: str, expected: str) -> None:
    with pytest.raises(FetchError) as caught:
        load_article(pages.url(path))
    message = str(caught.value)
    assert pages.url(path) in message
    assert expected in message
    assert "\n" not in message
    assert caught.value.exit_code == 1


def test_size_cap(pages: Served) -> None:
    with pytest.raises(FetchError, match="larger than 1 MB"):
        fetch(pages.url("big/1500000"), max_bytes=1_000_000)


def test_total_deadline_not_per_read(pages: Served) -> None:
    """Every read gets a byte within 50 ms, so only a deadline on the whole answer can end it."""
    with pytest.raises(FetchError, match=r"drip: timed out after 0.5 s"):
        fetch(pages.url("drip"), total_s=0.5)


def test_nothing_listening_is_a_fetch_error(pages: Served) -> None:
    import socket
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect"):
        fetch(f"http://127.0.0.1:{port}/story.html")


def test_compressed_chunked_answer(pages: Served) -> None:
    article = load_article(pages.url("gzip-chunked/plain-cms.html"))
    assert article.blocks == read("plain-cms.html").blocks


def test_reading_a_page_makes_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura and its helpers (htmldate, courlan, jusText) get HTML, and must not fetch."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted while reading a page")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in ("structured.html", "plain-cms.html", "comments.html"):
        html = (PAGES / name).read_text(encoding="utf-8")
        assert html_article(html, name, url="https://news.example/story.html").blocks


def test_article_body_holding_html_is_read_by_its_paragraphs() -> None:
    page = (PAGES / "structured.html").read_text(encoding="utf-8")
    start = page.index('"articleBody": "') + len('"articleBody": "')
    end = page.index('"', start)
    paragraphs = page[start:end].split("\\n")
    as_html = "".join(f"<p>{p.replace('روسيا', '&quot;روسيا&quot;')}</p>" for p in paragraphs)
    article = html_article(page[:start] + as_html + page[end:], "cms.html")
    texts = [b.text for b in article.blocks]
    assert len(texts) == 5 and texts[1].startswith('منعت "روسيا"')
    assert not any("<" in t or "&quot;" in t for t in texts)


# --- redirects away from http(s) ----------------------------------------------------------------

# Where each path of the redirecting server sends the client: another scheme, or a hop first.
ELSEWHERE = {"/to-file": "file:///etc/passwd", "/to-ftp": "ftp://127.0.0.1/story.html",
             "/hop": "/to-file", "/to-javascript": "javascript:alert(1)"}


class Redirector(BaseHTTPRequestHandler):
    """Answers 302 to the ELSEWHERE address of its path."""

    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", ELSEWHERE[self.path])
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def redirector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("path", "redirected_from", "target"), [
    ("/to-file", "/to-file", "file:///etc/passwd"),
    ("/to-ftp", "/to-ftp", "ftp://127.0.0.1/story.html"),
    ("/hop", "/to-file", "file:///etc/passwd"),
    ("/to-javascript", "/to-javascript", "javascript:alert(1)"),
])
def test_a_redirect_to_another_scheme_is_refused_in_words(redirector: str, path: str,
                                                          redirected_from: str, target: str) -> None:
    with pytest.raises(FetchError) as caught:
        load_article(redirector + path)
    assert str(caught.value) == (f"cannot fetch {redirector}{path}: the page at {redirector}{redirected_from} "
                                 f"redirected to {target}, which is not http(s); refusing. Give the "
                                 "article's http(s) address")
    assert "InvalidSchema" not in str(caught.value) and caught.value.exit_code == 1
