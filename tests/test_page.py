"""The read-along page: its HTML, and its behaviour in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, find_chromium, in_ci
from conftest import ARTICLE

from tts.config import RenderConfig
from tts.errors import ConfigError
from tts.outputs.page import audio_source
from tts.pipeline import render

TEXT = ("منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي.\n\n"
        "وطالبت روسيا بتعديل صيغة البيان، بحيث يطلب من كل الأطراف وقف القتال في عام ٢٠١٩.\n\n"
        "* * *\n\n"
        "قال بومبيو إن بلاده تشعر بقلق عميق بسبب المعارك الدائرة قرب العاصمة.")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """TEXT spoken by espeak into an MP3, with its page, an embedded page and the manifest."""
    folder = tmp_path_factory.mktemp("page")
    audio, page, manifest = folder / "audio" / "talk 1.mp3", folder / "page.html", folder / "m.json"
    config = RenderConfig(engine="espeak", html=page, manifest=manifest, title="خبر",
                          artist="غرفة الأخبار", cache_dir=None)
    render(TEXT, audio, config)
    embedded = folder / "embedded.html"
    render(TEXT, folder / "e.mp3", RenderConfig(engine="espeak", html=embedded, embed_audio=True))
    return {"page": page, "embedded": embedded, "audio": audio,
            "manifest": json.loads(manifest.read_text(encoding="utf-8"))}


def manifest_words(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for p in manifest["paragraphs"] for c in p["chunks"] for w in c["words"]]


def test_page_is_arabic_right_to_left_with_timed_words(rendered: dict[str, Any]) -> None:
    html = rendered["page"].read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html and "<title>خبر</title>" in html
    assert '<meta name="author" content="غرفة الأخبار">' in html
    assert '<meta name="description" content="منعت روسيا في مجلس الأمن' in html
    assert 'src="audio/talk%201.mp3"' in html  # relative to the page, a space escaped
    spans = re.findall(r'<span class="w" data-start="(\d+)" data-end="(\d+)">([^<]*)</span>', html)
    words = manifest_words(rendered["manifest"])
    assert [(int(a), int(b), t) for a, b, t in spans] == [
        (w["start_ms"], w["end_ms"], w["text"]) for w in words]
    assert [t for _, _, t in spans] == " ".join(TEXT.split("* * *")).split()
    assert "* * *" in html  # the unspoken break is shown as text
    assert "<bdi>الصوت espeak ar</bdi>" in html  # the voice that spoke it, in the page's language
    for landmark in ("<header>", "<main ", "<nav ", '<section class="player" aria-label='):
        assert landmark in html
    # Offline: nothing is fetched from elsewhere.
    assert not re.search(r'(src|href)="(https?:)?//', html) and "@import" not in html


def test_embedded_page_carries_the_audio(rendered: dict[str, Any]) -> None:
    html = rendered["embedded"].read_text(encoding="utf-8")
    assert 'src="data:audio/mpeg;base64,' in html
    # No --title: the heading is the article's opening line, not the input's name.
    assert "<h1>منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي.</h1>" in html


def test_page_credit_is_in_the_articles_language(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(TEXT, encoding="utf-8")
    page = tmp_path / "article.html"
    render(TEXT, tmp_path / "article.mp3", RenderConfig(engine="espeak", html=page, cache_dir=None),
           source=str(source))
    html = page.read_text(encoding="utf-8")
    assert "<bdi>قرأه محرّك espeak من article.txt</bdi>" in html and "Read aloud" not in html


def test_html_needs_an_audio_file() -> None:
    with pytest.raises(ConfigError, match="--html needs the audio in a file"):
        render(TEXT, Path("-"), RenderConfig(engine="espeak", html=Path("p.html")))
    with pytest.raises(ConfigError, match="--embed-audio"):
        RenderConfig(embed_audio=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = find_chromium()
    if binary is None:
        message = "chromium is not installed (apt-get install chromium)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    driver = Browser(binary)
    try:
        yield driver
    finally:
        driver.close()


CURRENT = """(() => {
  const article = document.querySelector('article');
  const index = Number(article.dataset.currentWord);
  const span = document.querySelectorAll('.w')[index];
  return {index, start: Number(span.dataset.start), end: Number(span.dataset.end),
          lit: document.querySelectorAll('.w.current').length,
          time: document.getElementById('audio').currentTime};
})()"""


def seek_to(browser: Browser, ms: int) -> dict[str, Any]:
    """Seek the page's audio to ``ms`` and wait for the element to get there."""
    browser.evaluate(f"""new Promise(done => {{
      const audio = document.getElementById('audio');
      audio.addEventListener('seeked', () => done(true), {{once: true}});
      audio.currentTime = {ms / 1000};
    }})""")
    return dict(browser.evaluate(CURRENT))


def test_browser_lights_the_word_being_heard(browser: Browser, rendered: dict[str, Any]) -> None:
    browser.open(rendered["page"].as_uri())
    duration = float(browser.wait_for("document.documentElement.dataset.duration"))
    assert abs(duration * 1000 - rendered["manifest"]["duration_ms"]) < 150
    words = manifest_words(rendered["manifest"])
    for index in (0, 5, len(words) // 2, len(words) - 2):
        word = words[index]
        middle = (word["start_ms"] + word["end_ms"]) // 2
        state = seek_to(browser, middle)
        assert state["start"] <= middle < state["end"] or state["start"] == middle
        assert state["index"] == index and state["lit"] == 1
    assert browser.errors() == []


def test_browser_seeks_on_click_and_keys(browser: Browser, rendered: dict[str, Any]) -> None:
    browser.open(rendered["page"].as_uri())
    browser.wait_for("document.documentElement.dataset.duration")
    words = manifest_words(rendered["manifest"])
    browser.evaluate("document.querySelectorAll('.w')[7].click()")
    browser.wait_for(f"Math.abs(document.getElementById('audio').currentTime * 1000 - "
                     f"{words[7]['start_ms']}) < 2 && "
                     f"document.querySelector('article').dataset.currentWord === '7'")
    press(browser, "ArrowRight", "ArrowRight", 39)
    expected = words[7]["start_ms"] / 1000 + 5
    browser.wait_for(f"Math.abs(document.getElementById('audio').currentTime - {expected}) < 0.01")
    browser.evaluate("document.getElementById('speed').value = '1.5';"
                     "document.getElementById('speed').dispatchEvent(new Event('change'))")
    assert browser.evaluate("document.getElementById('audio').playbackRate") == 1.5
    press(browser, " ", "Space", 32)
    browser.wait_for("!document.getElementById('audio').paused")
    press(browser, " ", "Space", 32)
    browser.wait_for("document.getElementById('audio').paused")
    assert browser.errors() == []


def press(browser: Browser, key: str, code: str, key_code: int) -> None:
    """A real key press, as the keyboard sends it to the focused page."""
    for kind in ("keyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                     windowsVirtualKeyCode=key_code)


def test_visible_words_are_the_articles_language(browser: Browser,
                                                rendered: dict[str, Any]) -> None:
    browser.open(rendered["page"].as_uri())
    browser.wait_for("document.documentElement.dataset.duration")
    shown = browser.evaluate("document.body.innerText")
    # Every label, the key help and the credit line in Arabic; the engine and its voice keep
    # their names ("espeak ar").
    assert set(re.findall(r"[A-Za-z]+", shown)) == {"espeak", "ar"}, shown
    assert "الصوت espeak ar" in shown
    assert "قرأه محرّك espeak من نص مُدخَل" in shown


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article's page: 13 chapters, a list that filled a phone's first screen."""
    folder = tmp_path_factory.mktemp("seed")
    page = folder / "article.html"
    render(ARTICLE.read_text(encoding="utf-8"), folder / "article.mp3",
           RenderConfig(engine="espeak", html=page), source=str(ARTICLE))
    return page


def test_phone_screen_opens_at_the_heading_with_the_text_first(browser: Browser,
                                                               seed_page: Path) -> None:
    # On a 390-px phone the page scrolled by itself on load (to the first word, lit at 0 s),
    # clipping the heading, and the whole chapter list came before the text. Reduced motion
    # makes any scroll instant, so one that starts on load has happened when the page is ready.
    browser.send("Emulation.setDeviceMetricsOverride", width=390, height=844,
                 deviceScaleFactor=1, mobile=True)
    browser.send("Emulation.setEmulatedMedia",
                 features=[{"name": "prefers-reduced-motion", "value": "reduce"}])
    try:
        browser.open(seed_page.as_uri())
        browser.wait_for("document.documentElement.dataset.duration")
        state = browser.evaluate("""(() => {
          const first = document.querySelector('article p').getBoundingClientRect();
          return {scroll: window.scrollY, top: first.top, screen: window.innerHeight,
                  folded: !document.querySelector('details.chapters').open,
                  lit: document.querySelectorAll('.w.current').length};
        })()""")
        assert state["scroll"] == 0 and state["folded"] and state["lit"] == 1, state
        assert 0 < state["top"] < state["screen"], state
        browser.evaluate("document.querySelector('details.chapters summary').click()")
        assert browser.evaluate("document.querySelector('nav a').offsetHeight") > 0
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride")
        browser.send("Emulation.setEmulatedMedia", features=[])


def test_focus_order_follows_the_page(browser: Browser, rendered: dict[str, Any]) -> None:
    browser.send("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                 deviceScaleFactor=1, mobile=False)
    try:
        browser.open(rendered["page"].as_uri())
        tab_through(browser)
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride")


def tab_through(browser: Browser) -> None:
    """Tab through a wide page, where the chapter list is open beside the text."""
    order: list[str] = []
    for _ in range(40):
        press(browser, "Tab", "Tab", 9)
        focused = browser.evaluate("(e => e.classList.contains('para') ? 'para' : "
                                   "e.id || e.className || e.tagName)(document.activeElement)")
        if not order or order[-1] != focused:  # the audio player's own buttons are one stop here
            order.append(focused)
    # The skip link, the player and its speed menu, the chapter list's fold and its links,
    # then the paragraphs.
    assert order[:6] == ["skip", "audio", "speed", "SUMMARY", "A", "para"]


def test_page_without_javascript_still_reads_and_plays(browser: Browser,
                                                       rendered: dict[str, Any]) -> None:
    browser.send("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open(rendered["page"].as_uri())
        assert browser.evaluate("document.getElementById('audio').controls") is True
        assert browser.evaluate("document.querySelector('.controls').hidden") is True
        assert "بومبيو" in browser.evaluate("document.querySelector('main').innerText")
    finally:
        browser.send("Emulation.setScriptExecutionDisabled", value=False)


def test_audio_is_linked_relative_to_the_page(tmp_path: Path) -> None:
    audio, page = tmp_path / "media" / "ملف 1.mp3", tmp_path / "site" / "index.html"
    assert audio_source(audio, page, embed=False) == "../media/%D9%85%D9%84%D9%81%201.mp3"
