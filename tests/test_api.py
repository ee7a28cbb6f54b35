"""The documented Python API: ``from tts import render, play, RenderConfig``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ARTICLE, ROOT
from mutagen.mp3 import MP3

import tts
from tts import ArticleTTSError, RenderConfig, play, render
from tts.audio.clip import decode
from tts.errors import ConfigError, InputError

README = ROOT / "README.md"
API_DOC = ROOT / "docs" / "API_PYTHON.md"
FAKE_PLAYER = Path(__file__).resolve().parent / "fake_player.py"


def test_render_takes_text_and_a_str_output(tmp_path: Path) -> None:
    result = render("مرحبا بكم. هذه نشرة قصيرة.", str(tmp_path / "a.mp3"), engine="espeak")
    assert result.output == tmp_path / "a.mp3"
    assert result.paragraphs == 1 and result.chunks == 1 and result.engine == "espeak"
    decoded = decode(result.output.read_bytes(), 22_050)
    assert abs(len(decoded) - result.duration_ms) < 30  # the MP3 encoder's padding at most


def test_render_reads_a_path_and_names_it_in_the_tags(tmp_path: Path) -> None:
    article = tmp_path / "story.txt"
    article.write_text("الفقرة الأولى.\n\nالفقرة الثانية.", encoding="utf-8")
    result = render(article, tmp_path / "story.mp3", engine="espeak", pause_ms=900)
    assert result.paragraphs == 2
    assert "story.txt" in str(MP3(result.output).tags.getall("COMM")[0])


def test_render_uses_the_command_lines_cache_by_default(tmp_path: Path) -> None:
    # conftest points ARTICLE_TTS_CACHE_DIR at a temporary folder, as a user's setting would.
    first = render("جملة تحفظ في الذاكرة.", tmp_path / "a.mp3", engine="espeak")
    again = render("جملة تحفظ في الذاكرة.", tmp_path / "b.mp3", engine="espeak")
    assert first.cached == 0 and again.cached == again.chunks == 1
    assert any(Path(os.environ["ARTICLE_TTS_CACHE_DIR"]).rglob("*"))


def test_cache_dir_none_keeps_nothing(tmp_path: Path) -> None:
    render("لا شيء يحفظ.", tmp_path / "a.mp3", engine="espeak", cache_dir=None)
    again = render("لا شيء يحفظ.", tmp_path / "b.mp3", engine="espeak", cache_dir=None)
    assert again.cached == 0


def test_a_config_and_keywords_combine(tmp_path: Path) -> None:
    config = RenderConfig(engine="espeak", tashkeel=False)
    result = render("نص.", tmp_path / "a.wav", config=config, loudness=None)
    assert result.output.stat().st_size > 1000


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"pause_ms": -1}, ConfigError, "pause_ms must be between 0 and 10000"),
    ({"no_such_option": 1}, ConfigError, "no_such_option"),
    ({"engine": "nope"}, ConfigError, "unknown engine 'nope'"),
])
def test_bad_options_raise_our_errors(tmp_path: Path, kwargs: dict[str, object],
                                      error: type[ArticleTTSError], message: str) -> None:
    with pytest.raises(error, match=message):
        render("نص.", tmp_path / "a.mp3", **kwargs)
    assert not (tmp_path / "a.mp3").exists()


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        render(tmp_path / "missing.txt", tmp_path / "a.mp3", engine="espeak")


def test_play_feeds_the_player_and_saves(tmp_path: Path) -> None:
    heard = tmp_path / "player"
    player = f"{sys.executable} {FAKE_PLAYER} {heard}"
    result = play("فقرة تسمع الآن.", player=player, output=tmp_path / "saved.mp3", engine="espeak")
    assert result.output == tmp_path / "saved.mp3" and result.output.exists()
    # 16-bit mono samples at espeak's 22,050 Hz, after a 44-byte header.
    assert (heard / "received.wav").stat().st_size >= 44 + result.duration_ms * 44


@pytest.mark.parametrize("page", [README, API_DOC], ids=["README", "API_PYTHON"])
def test_the_first_python_example_runs_as_written(tmp_path: Path, page: Path) -> None:
    code = re.search(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert code, f"{page.name} has a python example"
    (tmp_path / "data").mkdir()
    shutil.copy(ARTICLE, tmp_path / "data" / "article.txt")
    done = subprocess.run([sys.executable, "-c", code.group(1)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "article.mp3").stat().st_size > 100_000
    assert "article.mp3" in done.stdout


def test_the_public_names() -> None:
    assert callable(tts.render) and callable(tts.play)
    assert set(tts.__all__) >= {"render", "play", "RenderConfig", "RenderResult", "ArticleTTSError"}


def test_say_with_a_lexicon_writes_the_file_and_shows_the_spoken_form(tmp_path: Path) -> None:
    names = tmp_path / "names.lexicon"
    names.write_text("حفتر = [[Haft'ar]]\n", encoding="utf-8")
    lines = tts.api.spoken_lines("قال حفتر", engine="espeak", lexicons=[str(names)])
    assert lines[0].startswith("ar: ") and "[[Haft'ar]]" in lines[0]
    assert lines[1].startswith("phonemes: ") and "Haft'ar" in lines[1]
    ms = tts.say("قال حفتر", engine="espeak", lexicons=names, output=tmp_path / "h.wav")
    assert abs(len(decode((tmp_path / "h.wav").read_bytes(), 22_050)) - ms) < 30
def test_render_takes_markdown_paths_and_articles(tmp_path: Path) -> None:
    from mutagen.id3 import ID3

    from tts.sources import load_article
    notes = tmp_path / "notes.md"
    notes.write_text("---\ntitle: Notes\nlang: en\n---\n# First\n\nThe council met today.",
                     encoding="utf-8")
    result = render(notes, tmp_path / "notes.mp3", engine="espeak", tashkeel=False)
    tags = ID3(result.output)
    assert result.paragraphs == 2 and str(tags["TIT2"]) == "Notes"
    assert str(tags["TLAN"]) == "eng"  # the front matter's language, as lang was not given
    page = ROOT / "tests" / "fixtures" / "pages" / "structured.html"
    article = load_article(str(page))
    again = render(article, tmp_path / "page.mp3", engine="espeak", tashkeel=False, lang="ar")
    assert again.paragraphs == 5
    assert str(ID3(again.output)["TPE1"]) == "سارة المصري"


@pytest.mark.parametrize("call", ["render", "play", "say"])
def test_a_str_naming_a_file_is_refused_with_the_way_to_read_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    # A str is the text: render("data/article.txt", ...) spoke the path's letters (3.5 s).
    (tmp_path / "data").mkdir()
    shutil.copy(ARTICLE, tmp_path / "data" / "article.txt")
    monkeypatch.chdir(tmp_path)
    heard = tmp_path / "player"
    player = f"{sys.executable} {FAKE_PLAYER} {heard}"
    calls: dict[str, Callable[[], object]] = {"render": lambda: render("data/article.txt", "out.mp3", engine="espeak"),
             "play": lambda: play(" data/article.txt\n", player=player, engine="espeak"),
             "say": lambda: tts.say("data/article.txt", output="out.mp3", engine="espeak")}
    with pytest.raises(InputError) as caught:
        calls[call]()
    assert str(caught.value) == ("the text 'data/article.txt' looks like a file name; pass "
                                 "Path('data/article.txt') to read the file (a str is spoken "
                                 "as it is written)")
    assert not (tmp_path / "out.mp3").exists() and not heard.exists()


def test_a_str_that_names_no_file_is_spoken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    for text in ["data", "data/missing.txt", "article.txt\nsecond line"]:
        result = render(text, tmp_path / "a.wav", engine="espeak", cache_dir=None)
        assert result.duration_ms > 300, text


def test_the_library_reads_a_folders_lexicon_only_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The command line finds ./article-tts.lexicon (and says so); a program using the library
    # does not read its current folder unless it passes lexicon_discovery=True.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article-tts.lexicon").write_text("حفتر = سمير\n", encoding="utf-8")
    assert tts.api.spoken_lines("قال حفتر", engine="espeak", tashkeel=False)[0] == "ar: قال حفتر"
    assert tts.api.spoken_lines("قال حفتر", engine="espeak", tashkeel=False,
                                lexicon_discovery=True)[0] == "ar: قال سمير"
    notices: list[object] = []
    render("قال حفتر.", tmp_path / "a.wav", engine="espeak", lexicon_discovery=True,
           listener=notices.append)
    assert any(getattr(n, "message", "") == "using lexicon ./article-tts.lexicon (found in the "
               "current folder)" for n in notices)
