"""Side outputs come from one registry: both front doors take the same options and write the
same files, a new one is one registration, and the last line names every file written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tts import render
from tts.errors import ConfigError
from tts.outputs import registry
from tts.outputs.base import SideInput, SideOutput

ARTICLE = "قال الوزير إن المحادثات مستمرة.\n\nوأضاف أن الوفد سيعود غدا."
OFFLINE = ("--engine", "espeak", "--no-tashkeel")


def heard_text(path: Path, made: SideInput) -> str:
    """A transcript: each spoken paragraph's words, with the second each starts at."""
    return "".join(f"{words[0].start_ms // 1000}s {' '.join(w.text for w in words)}\n"
                   for p in made.plan.paragraphs if (words := made.words.get(p.index)))


@pytest.fixture
def transcript() -> Iterator[SideOutput]:
    """A side output registered as another package would: one module, one registration."""
    output = SideOutput("transcript", "FILE.txt", "Also write the words as heard.", heard_text)
    registry.register(output)
    yield output
    registry.unregister(output.name)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "news.md"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def side_options(folder: str) -> list[str]:
    return ["--subtitles", f"{folder}/a.vtt", "--manifest", f"{folder}/a.json",
            "--html", f"{folder}/a.html", "--transcript", f"{folder}/a.txt"]


def test_the_command_line_and_the_api_write_the_same_side_files(
        run, article: Path, tmp_path: Path, transcript: SideOutput) -> None:  # type: ignore[no-untyped-def]
    result = run("render", article.name, *OFFLINE, "-o", "cli/a.mp3", *side_options("cli"))
    assert result.exit_code == 0, result.stderr
    made = render(article, tmp_path / "api" / "a.mp3", engine="espeak", tashkeel=False,
                  subtitles="api/a.vtt", manifest=Path("api/a.json"), html="api/a.html",
                  transcript="api/a.txt")
    names = ["a.mp3", "a.vtt", "a.json", "a.html", "a.txt"]
    assert [p.name for p in made.files] == names
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == sorted(names)
    for name in ("a.vtt", "a.html", "a.txt"):
        assert (tmp_path / "cli" / name).read_text(encoding="utf-8") == \
            (tmp_path / "api" / name).read_text(encoding="utf-8"), name
    manifests = [json.loads((tmp_path / d / "a.json").read_text(encoding="utf-8"))
                 for d in ("cli", "api")]
    for manifest in manifests:  # the second render took its clips from the first's cache
        for paragraph in manifest["paragraphs"]:
            for chunk in paragraph["chunks"]:
                chunk.pop("cached")
    assert manifests[0]["paragraphs"] == manifests[1]["paragraphs"]
    assert (tmp_path / "cli" / "a.txt").read_text(encoding="utf-8").startswith("0s قال الوزير")
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Wrote cli/a.mp3, cli/a.vtt, cli/a.json, cli/a.html, cli/a.txt (")


def test_a_registered_side_output_is_an_option_of_render_and_play(
        run, transcript: SideOutput) -> None:  # type: ignore[no-untyped-def]
    for command in ("render", "play"):
        shown = run(command, "-h").stdout
        assert "--transcript FILE.txt" in shown and "Also write the words as heard." in shown


def test_a_side_file_that_cannot_be_written_stops_the_render_before_any_work(
        run, article: Path, tmp_path: Path, transcript: SideOutput) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run("render", article.name, *OFFLINE, "-o", "a.mp3", "--transcript", "taken/a.txt")
    assert result.exit_code == 1
    assert "taken is a file, not a folder; choose another --transcript" in result.stderr
    assert not (tmp_path / "a.mp3").exists()
    clash = run("render", article.name, *OFFLINE, "-o", "a.mp3", "--transcript", "a.mp3")
    assert clash.exit_code == 2 and "--transcript and -o/--output are the same file" in clash.stderr


def test_a_batch_writes_each_side_output_beside_each_audio_file(
        run, article: Path, tmp_path: Path, transcript: SideOutput) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "other.txt").write_text("نص آخر قصير.", encoding="utf-8")
    result = run("render", article.name, "other.txt", *OFFLINE, "-O", "out",
                 "--transcript", "x.txt", "--subtitles", "srt")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.name[0] != ".") == [
        "news.mp3", "news.srt", "news.txt", "other.mp3", "other.srt", "other.txt"]
    assert "[2/2] Wrote out/other.mp3, out/other.srt, out/other.txt (" in result.stderr


def test_the_api_takes_a_registered_side_output_as_a_keyword_and_no_other(
        tmp_path: Path, transcript: SideOutput) -> None:
    result = render("نص قصير.", tmp_path / "a.wav", engine="espeak", tashkeel=False,
                    transcript=tmp_path / "a.txt", loudness=None)
    assert result.side_files == (tmp_path / "a.txt",)
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "0s نص قصير.\n"
    registry.unregister(transcript.name)
    with pytest.raises(ConfigError, match="transcript"):
        render("نص قصير.", tmp_path / "b.wav", engine="espeak", transcript="b.txt")


def test_the_first_render_without_o_says_the_folder_is_the_current_ones(
        run, article: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("render", article.name, *OFFLINE)
    assert first.exit_code == 0, first.stderr
    lines = first.stderr.strip().splitlines()
    assert lines[-2] == "(no -o: wrote to ./output/, relative to the current folder)"
    assert lines[-1].startswith("Wrote output/news.mp3 (")
    again = run("render", article.name, *OFFLINE)
    assert "no -o" not in again.stderr  # said once: the folder exists now
    assert "relative to the current folder" in " ".join(run("render", "-h").stdout.split())
