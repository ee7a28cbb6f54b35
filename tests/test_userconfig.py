"""The user's defaults: a config file and ARTICLE_TTS_* variables, below the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tts import api
from tts.errors import ConfigError
from tts.util import userconfig

SHORT = "مرحبا بكم."


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Write the user's config file (named by ARTICLE_TTS_CONFIG) and return its path."""
    path = tmp_path / "settings" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("ARTICLE_TTS_CONFIG", str(path))

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path
    return write


def one_error(result) -> str:  # type: ignore[no-untyped-def]
    """The single ``Error:`` line of a command that failed as bad usage."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    return result.stderr.strip()


def test_the_command_line_beats_the_environment_beats_the_file_beats_the_default(
        run, config_file, write_text, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config_file('engine = "espeak"\nvoice = "ar+f3"\nrate = 150\npause = 900\nsentence_pause = 250\n')
    monkeypatch.setenv("ARTICLE_TTS_VOICE", "ar+m1")
    monkeypatch.setenv("ARTICLE_TTS_RATE", "160")
    result = run("render", str(write_text(SHORT)), "--rate", "170", "-o", "a.mp3", "--manifest", "a.json")
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    settings = manifest["settings"]
    assert settings["rate"] == 170  # the command line
    assert settings["voice"] == "ar+m1" and manifest["engine"]["voice"] == "ar+m1"  # the environment
    assert (settings["engine"], settings["pause_ms"], settings["sentence_pause_ms"]) == ("espeak", 900, 250)
    assert settings["jobs"] == 4  # the built-in default


def test_the_files_language_is_a_default_that_an_articles_own_beats(  # type: ignore[no-untyped-def]
        run, config_file, write_text, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file('engine = "espeak"\nlang = "fr"\n')
    article = str(write_text("---\nlang: en\n---\n\nHello there, my friend.\n", "a.md"))
    assert "[1] en: Hello there" in run("render", article, "-n").stdout
    monkeypatch.setenv("ARTICLE_TTS_LANG", "de")  # as --lang: it beats the article's
    assert "[1] de: Hello there" in run("render", article, "-n").stdout
    plain = str(write_text("Hello there, my friend.\n", "b.txt"))
    assert "[1] fr: Hello there" in run("render", plain, "-n", "--lang", "fr").stdout


@pytest.mark.parametrize(("text", "expected"), [
    ('voice = "ar"\npaus = 900\n', "line 2: unknown option 'paus'; did you mean 'pause'?"),
    ('voice = "ar"\n\npause = "900"\n', 'line 3: pause must be a whole number (pause = 900), not "900"'),
    ('speed = true\n', "line 1: speed must be a number (speed = 1.25), not true"),
    ('chapters = 1\n', "line 1: chapters must be true or false (chapters = false), not 1"),
    ('engine = "nope"\n', "line 1: engine 'nope' is not one of auto, gtts, espeak"),
    ('pause = 99999\n', "line 1: pause must be between 0 and 10000 ms, not 99999"),
    ('[render]\nengine = "espeak"\n', "line 1: unknown option 'render'"),
])
def test_a_bad_file_is_one_line_naming_the_file_key_and_line(run, config_file, write_text,  # type: ignore[no-untyped-def]
                                                              text: str, expected: str) -> None:
    path = config_file(text)
    message = one_error(run("render", str(write_text(SHORT)), "-n"))
    assert message.startswith(f"Error: {path}, {expected}"), message


def test_a_file_that_is_not_toml_says_where(run, config_file, write_text) -> None:  # type: ignore[no-untyped-def]
    path = config_file('engine = "espeak"\npause 900\n')
    message = one_error(run("say", "مرحبا", "-o", "a.wav"))
    assert message.startswith(f"Error: {path}: not valid TOML: ") and "line 2" in message


def test_a_named_file_must_exist_and_an_empty_name_means_none(run, write_text,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARTICLE_TTS_CONFIG", str(tmp_path / "missing.toml"))
    assert "ARTICLE_TTS_CONFIG names" in one_error(run("render", str(write_text(SHORT)), "-n"))
    monkeypatch.setenv("ARTICLE_TTS_CONFIG", "")
    assert userconfig.config_path() is None
    assert run("config", "path").stdout.startswith("none (ARTICLE_TTS_CONFIG is set empty)")


def test_help_and_config_path_work_with_a_broken_file(run, config_file) -> None:  # type: ignore[no-untyped-def]
    path = config_file("pause = \n")
    assert run("render", "--help").exit_code == 0
    assert run("config", "path").stdout.strip() == str(path)


def test_the_usual_file_is_in_the_user_config_folder(run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "article-tts" / "config.toml"
    assert run("config", "path").stdout.strip() == str(expected)
    assert f"config file: {expected} (none there: the built-in defaults apply)" in run("config", "show").stdout


def test_config_show_prints_each_value_and_where_it_came_from(run, config_file,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = config_file('engine = "edge"\nvoice = "ar-EG-SalmaNeural"\n# the pause\npause = 900\n')
    monkeypatch.setenv("ARTICLE_TTS_VOICE", "ar-SA-HamedNeural")
    result = run("config", "show")
    assert result.exit_code == 0, result.stderr
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in result.stdout.splitlines()[3:]}
    assert result.stdout.startswith(f"config file: {path}\n")
    assert rows["engine"] == ["edge", "config file, line 1"]
    assert rows["voice"] == ["ar-SA-HamedNeural", "environment, ARTICLE_TTS_VOICE"]
    assert rows["pause"] == ["900", "config file, line 4"]
    assert rows["sentence-pause"] == ["300", "default"] and rows["rate"] == ["-", "default"]
    assert rows["chapters"] == ["true", "default"]


def test_config_show_reports_a_bad_variable(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARTICLE_TTS_RATE", "fast")
    assert one_error(run("config", "show")) == ("Error: ARTICLE_TTS_RATE='fast': rate must be a "
                                                "whole number")


def test_the_api_reads_the_users_defaults_only_when_asked(config_file, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config_file('engine = "espeak"\npause = 900\nno-loudness = true\n')
    monkeypatch.setenv("ARTICLE_TTS_RATE", "200")

    def settings(**options: object) -> dict[str, object]:
        manifest = tmp_path / "m.json"
        api.render(SHORT, tmp_path / "a.wav", manifest=manifest, cache_dir=None, **options)
        return dict(json.loads(manifest.read_text(encoding="utf-8"))["settings"])
    plain = settings(engine="espeak")
    assert (plain["pause_ms"], plain["rate"], plain["loudness"]) == (700, None, -16.0)
    mine = settings(user_config=True, pause_ms=500)
    assert (mine["engine"], mine["pause_ms"], mine["rate"], mine["loudness"]) == ("espeak", 500, 200, None)
    with pytest.raises(ConfigError, match="not both"):
        api.render(SHORT, tmp_path / "b.wav", config=api.RenderConfig(), user_config=True)
