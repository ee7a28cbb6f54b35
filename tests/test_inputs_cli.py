"""Web pages, URLs and Markdown through the command line: exit codes, messages, tags, chapters."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ffmpeg_chapters
from mutagen.id3 import ID3
from pages_server import PAGES, Served

# Fast offline renders: the tests here are about what is read, not how it sounds.
ESPEAK = ("--engine", "espeak", "--no-tashkeel", "--no-loudness")


def test_url_renders_with_the_pages_metadata(run, pages: Served, tmp_path: Path) -> None:
    url = pages.url("pages/structured.html")
    result = run("render", url, *ESPEAK, "--manifest", "story.json")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "output" / "structured.mp3"
    assert "5 paragraphs" in result.stderr.splitlines()[-1]
    tags = ID3(out)
    assert str(tags["TIT2"]) == "مجلس الأمن يفشل في إصدار بيان بشأن طرابلس"
    assert str(tags["TPE1"]) == "سارة المصري"
    assert str(tags["TALB"]) == "شبكة الأخبار العربية"
    assert str(tags["TDRC"]) == "2019-04-08"
    assert str(tags["TLAN"]) == "ara"
    canonical = "https://news.example/world/2019/04/security-council-tripoli"
    assert str(tags.getall("COMM")[0]) == canonical
    manifest = json.loads(Path("story.json").read_text(encoding="utf-8"))
    assert manifest["article"]["url"] == canonical
    assert manifest["source"] == url
    spoken = " ".join(p["original"] for p in manifest["paragraphs"])
    assert "فيسبوك" not in spoken and "الرئيسية" not in spoken


def test_page_language_is_the_default_lang(run, write_text) -> None:
    page = write_text("<html lang='en-GB'><head><title>Council fails - The Paper</title></head>"
                      "<body><article><p>" + "The council could not agree on a statement today. " * 4
                      + "</p></article></body></html>", "story.html")
    assert run("render", str(page), *ESPEAK, "-o", "en.mp3").exit_code == 0
    assert str(ID3("en.mp3")["TLAN"]) == "eng"
    assert str(ID3("en.mp3")["TIT2"]) == "Council fails"
    # --lang given wins over the page.
    assert run("render", str(page), *ESPEAK, "--lang", "ar", "-o", "ar.mp3").exit_code == 0
    assert str(ID3("ar.mp3")["TLAN"]) == "ara"


def test_page_without_article_text_is_exit_2(run, pages: Served) -> None:
    url = pages.url("pages/empty.html")
    result = run("render", url, *ESPEAK)
    assert result.exit_code == 2
    assert f"Error: no article text found in {url}" in result.stderr
    assert not Path("output").exists() or not list(Path("output").iterdir())


def test_http_error_is_exit_1_naming_url_and_status(run, pages: Served) -> None:
    url = pages.url("status/404")
    result = run("render", url, *ESPEAK)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: cannot fetch {url}: HTTP 404 Not Found; check the "
                                     "address, or save the page and give the file")


def test_non_html_answer_is_exit_1(run, pages: Served) -> None:
    result = run("render", pages.url("pdf"), *ESPEAK)
    assert result.exit_code == 1
    assert "gave application/pdf, not an HTML page" in result.stderr


def test_html_file_is_not_read_as_markup(run) -> None:
    result = run("render", str(PAGES / "comments.html"), *ESPEAK, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "<" not in result.stdout and "DOCTYPE" not in result.stdout
    assert "التعليقات" not in result.stdout and "أخبار ذات صلة" not in result.stdout


def test_dry_run_shows_metadata_and_paragraphs_first(run) -> None:
    result = run("render", str(PAGES / "plain-cms.html"), *ESPEAK, "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["Title: واشنطن تطالب بوقف فوري للهجوم على طرابلس", "Author: أحمد حسن",
                         "Site: موقع النيل الإخباري"]
    assert "Language: ar-EG" in lines
    assert "(4) # انسحاب قوة أميركية" in lines
    assert lines.index("(1) واشنطن تطالب بوقف فوري للهجوم على طرابلس") < lines.index(
        next(line for line in lines if line.startswith("[1]")))


MARKDOWN = """---
title: نشرة المساء
author: سارة
date: 2024-05-01
---
# روسيا ومجلس الأمن

منعت روسيا **صدور** بيان رئاسي، كما ذكرت [وكالة](https://example.com/a.html) الأنباء.

![طرابلس](tripoli.jpg)

## واشنطن

- أعلنت واشنطن موقفها
- ودعت إلى وقف القتال

| عمود | آخر |
|---|---|
| 1 | 2 |
"""


def test_markdown_headings_are_chapters(run, write_text) -> None:
    src = write_text(MARKDOWN, "news.md")
    result = run("render", str(src), *ESPEAK, "-o", "news.mp3")
    assert result.exit_code == 0, result.stderr
    assert "Warning: a table (2 rows) was skipped" in result.stderr
    assert [title for _, _, title in ffmpeg_chapters(Path("news.mp3"))] == [
        "روسيا ومجلس الأمن", "واشنطن"]
    tags = ID3("news.mp3")
    assert str(tags["TIT2"]) == "نشرة المساء" and str(tags["TPE1"]) == "سارة"


def test_markdown_dry_run_reads_no_markup(run, write_text) -> None:
    result = run("render", str(write_text(MARKDOWN, "news.md")), *ESPEAK, "--dry-run")
    assert result.exit_code == 0, result.stderr
    # The skipped table is told once (it was on both outputs: the article's and the plan's).
    assert (result.stdout + result.stderr).count("a table (2 rows) was skipped") == 1
    for markup in ("#", "**", "https://", "jpg", "tripoli", "title:", "|"):
        assert markup not in result.stdout.split("\n\n", 1)[1], markup
    assert "أعلنت واشنطن موقفها. ودعت إلى وقف القتال." in result.stdout


def test_standard_input_is_sniffed(run) -> None:
    page = (PAGES / "plain-cms.html").read_bytes()
    result = run("render", "-", *ESPEAK, "--dry-run", input=page)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Title: واشنطن تطالب")
    forced = run("render", "-", *ESPEAK, "--dry-run", "--input-format", "text", input=page)
    assert "<!DOCTYPE html>" in forced.stdout


def test_url_with_text_format_is_a_usage_error(run, pages: Served) -> None:
    result = run("render", pages.url("pages/structured.html"), "--input-format", "markdown")
    assert result.exit_code == 2
    assert "is a web page: drop --input-format markdown" in result.stderr


def test_play_a_url(run, pages: Served, tmp_path: Path) -> None:
    from test_play import player
    result = run("play", pages.url("pages/plain-cms.html"), *ESPEAK, "--player",
                 player(tmp_path / "p"))
    assert result.exit_code == 0, result.stderr
    announced = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert announced[0] == "[1/6] واشنطن تطالب بوقف فوري للهجوم على طرابلس"
    assert announced[3] == "[4/6] انسحاب قوة أميركية"
    assert (tmp_path / "p" / "received.wav").stat().st_size > 100_000


def test_input_format_overrides_the_extension(run, write_text) -> None:
    src = write_text("# عنوان\n\nنص **مهم**.", "notes.txt")
    as_text = run("render", str(src), *ESPEAK, "--dry-run")
    assert "(2) نص **مهم**." in as_text.stdout
    as_markdown = run("render", str(src), *ESPEAK, "--dry-run", "--input-format", "markdown")
    assert "(1) # عنوان\n(2) نص مهم." in as_markdown.stdout
