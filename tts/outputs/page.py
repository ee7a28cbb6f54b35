"""The read-along page: one self-contained HTML file, the article beside its audio, the word lit."""

from __future__ import annotations

import base64
import html
import os
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tts.audio.export import check_writable, is_stdout
from tts.audio.formats import mime_type
from tts.audio.metadata import ELLIPSIS, first_words, source_label
from tts.chars import primary
from tts.engines.base import voice_label
from tts.errors import ConfigError
from tts.outputs.base import SideInput, SideOutput
from tts.outputs.subtitles import is_rtl
from tts.types import ENCODER, STDIN_SOURCE, Paragraph, Tags, Word
from tts.util import fsutil
from tts.util.timefmt import player_clock

# Speeds offered by the page's control (the audio's own --speed is 1 here).
PLAYBACK_RATES = (0.75, 1.0, 1.25, 1.5, 2.0)
# Link previews and search results show about this much of a description.
DESCRIPTION_CHARS = 160
# How far the arrow keys move, in seconds.
SEEK_STEP_S = 5
# The page's own words, in the article's language when we have them, else English.
UI_TEXT = {
    "ar": {"skip": "انتقل إلى النص", "chapters": "الفقرات", "player": "المشغّل",
           "speed": "السرعة", "article": "نص المقال", "duration": "المدة", "voice": "الصوت",
           "keys": "المسافة: تشغيل/إيقاف · ← →: {step} ثوانٍ · انقر كلمة أو فقرة للانتقال إليها",
           "error": "تعذّر تحميل الصوت.", "made": "قرأه محرّك {engine} من {source}",
           "stdin": "نص مُدخَل"},
    "en": {"skip": "Skip to the text", "chapters": "Paragraphs", "player": "Player",
           "speed": "Speed", "article": "Article text", "duration": "Duration", "voice": "Voice",
           "keys": "Space: play/pause · ← →: {step} s · click a word or paragraph to go there",
           "error": "The audio could not be loaded.",
           "made": "Read aloud from {source} by the {engine} engine", "stdin": "standard input"},
}
ASSETS = resources.files("tts.outputs") / "assets"


@dataclass(frozen=True)
class PageInput:
    """What the page shows: the article, its timed words, its tags, the audio's length, and
    where it came from (the input, the engine, the page's canonical URL)."""

    paragraphs: Sequence[Paragraph]
    words: Mapping[int, Sequence[Word]]
    """Each paragraph's timed words, by its index."""
    tags: Tags
    duration_ms: int
    lang: str
    voice: str = ""
    """The engine and voice that spoke it (``edge ar-EG-SalmaNeural``); "" leaves it out."""
    source: str = STDIN_SOURCE
    """Where the article came from: a file's path, or ``-``."""
    engine: str = ""
    """The engine's name, for the credit line."""
    url: str | None = None
    """The article's address, when it came from the web."""


def check_page(path: Path, output: Path, option: str = "--html") -> None:
    """Fail before any synthesis when the page cannot be written or has no audio file to play."""
    if is_stdout(output):
        raise ConfigError("--html needs the audio in a file it can play: give -o FILE "
                          "instead of -o -")
    check_writable(path, option)


def audio_source(output: Path, page: Path, embed: bool) -> str:
    """The page's ``<audio src>``: the file relative to the page, or inside it as a data URI."""
    if embed:
        mime = mime_type(output)  # what a browser is told the embedded audio is
        data = fsutil.written_form(output).read_bytes()  # replaced only once the set is written
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    relative = os.path.relpath(output.resolve(), page.resolve().parent)
    return urllib.parse.quote(Path(relative).as_posix())


def ui_text(lang: str) -> dict[str, str]:
    return UI_TEXT.get(primary(lang), UI_TEXT["en"])


def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def word_span(word: Word) -> str:
    return (f'<span class="w" data-start="{word.start_ms}" data-end="{word.end_ms}">'
            f"{html.escape(word.text)}</span>")


def paragraph_html(paragraph: Paragraph, words: Sequence[Word]) -> str:
    """A paragraph: words as timed spans; one with nothing spoken stays plain text."""
    tag = "h2" if paragraph.heading else "p"
    pid = f"p-{paragraph.index + 1}"
    if not words:
        return f'<{tag} id="{pid}">{html.escape(paragraph.original)}</{tag}>'
    spans = " ".join(word_span(w) for w in words)
    return (f'<{tag} id="{pid}" class="para" tabindex="0" data-start="{words[0].start_ms}" '
            f'data-end="{words[-1].end_ms}">{spans}</{tag}>')


def chapters_html(page: PageInput, by_paragraph: Mapping[int, Sequence[Word]], label: str) -> str:
    """The chapter list: a link to each spoken paragraph, which also seeks there."""
    items = [f'<li><a href="#p-{p.index + 1}" data-start="{by_paragraph[p.index][0].start_ms}">'
             f'<span class="time">{player_clock(by_paragraph[p.index][0].start_ms)}</span> '
             f"{html.escape(first_words(p.original))}</a></li>"
             for p in page.paragraphs if by_paragraph.get(p.index)]
    # A <details>: the script folds it on a phone's narrow screen, where the list would come
    # before the text; open, it is the sidebar of a wide one (and the list without JavaScript).
    return (f'<nav aria-labelledby="chapters-title"><details class="chapters" open><summary>'
            f'<h2 id="chapters-title">{label}</h2></summary>'
            f'<ol>{"".join(items)}</ol></details></nav>')


def credit(page: PageInput, text: dict[str, str]) -> str:
    """Where the audio came from, in the page's language: the article's URL, else the input
    and the engine (the tags' comment says it in English)."""
    if page.url:
        return page.url
    source = text["stdin"] if page.source == STDIN_SOURCE else source_label(page.source)
    return text["made"].format(source=source, engine=page.engine) if page.engine else ""


def meta_html(page: PageInput, text: dict[str, str]) -> str:
    """The line under the title: artist, album, length, voice, how it was made."""
    voice = f"{text['voice']} {page.voice}" if page.voice else None
    parts = [page.tags.artist, page.tags.album, f"{text['duration']} {player_clock(page.duration_ms)}",
             voice, credit(page, text)]
    # Each part isolated: an English comment beside Arabic keeps its own direction.
    return " · ".join(f"<bdi>{html.escape(p)}</bdi>" for p in parts if p)


def player_html(src: str, text: dict[str, str]) -> str:
    """The audio element (usable without JavaScript) and the controls the script brings to life."""
    options = "".join(f'<option value="{r:g}"{" selected" if r == 1.0 else ""}>{r:g}×</option>'
                      for r in PLAYBACK_RATES)
    return (f'<section class="player" aria-label="{text["player"]}">'
            f'<audio id="audio" controls preload="metadata" src="{html.escape(src)}"></audio>'
            f'<div class="controls" hidden><label for="speed">{text["speed"]}</label> '
            f'<select id="speed" dir="ltr">{options}</select>'
            f'<p class="keys">{html.escape(text["keys"].format(step=SEEK_STEP_S))}</p></div>'
            f'<p class="status" role="status" data-error="{html.escape(text["error"])}"></p>'
            f"</section>")


def description(paragraphs: Sequence[Paragraph]) -> str:
    """The article's opening, as search results and link previews show a page."""
    text = " ".join(" ".join(p.original.split()) for p in paragraphs if p.speakable)
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + ELLIPSIS


def make_page(page: PageInput, src: str) -> str:
    """The whole HTML document: offline (no CDN, no web fonts), readable without JavaScript."""
    text = ui_text(page.lang)
    by_paragraph = page.words
    direction = "rtl" if is_rtl(" ".join(p.original for p in page.paragraphs)) else "ltr"
    lang = html.escape(page.lang.replace("_", "-"))
    body = "\n".join(paragraph_html(p, by_paragraph.get(p.index, ())) for p in page.paragraphs)
    title = html.escape(page.tags.title)
    author = f'\n<meta name="author" content="{html.escape(page.tags.artist)}">' \
        if page.tags.artist else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="generator" content="{html.escape(ENCODER)}">{author}
<meta name="description" content="{html.escape(description(page.paragraphs))}">
<style>{asset("readalong.css")}</style>
</head>
<body>
<a class="skip" href="#text">{text["skip"]}</a>
<header><h1>{title}</h1><p class="meta">{meta_html(page, text)}</p></header>
{player_html(src, text)}
<div class="layout">
{chapters_html(page, by_paragraph, text["chapters"])}
<main id="text" tabindex="-1"><article aria-label="{text["article"]}" data-current-word="-1"
 data-seek-step="{SEEK_STEP_S}">
{body}
</article></main>
</div>
<script>{asset("readalong.js")}</script>
</body>
</html>
"""


def write_file(path: Path, made: SideInput) -> str:
    """The read-along page of a finished render."""
    return make_page(PageInput(made.plan.paragraphs, made.words, made.tags, made.duration_ms,
                               made.config.lang, voice_label(made.plan.engine), made.source,
                               made.plan.engine.name, made.plan.meta.url),
                     audio_source(made.output, path, made.config.embed_audio))


PAGE = SideOutput("html", "PAGE.html", "Also write a read-along web page: the text beside the "
                  "audio, the spoken word highlighted.", write_file, check_page,
                  batch_suffix=lambda path, option: ".html")
