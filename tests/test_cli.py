"""The command line through CliRunner: exit codes, messages, and the files produced."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import click
import mutagen
import pytest
from conftest import ARTICLE, FakeGoogle, ffmpeg_chapters, silent_gaps
from mutagen.mp3 import MP3

from tts import __version__
from tts.audio.clip import decode
from tts.cli import main
from tts.text.chunk import chunk_article
from tts.text.prepare import parse_article


def test_gtts_render_writes_decodable_mp3(run, google: FakeGoogle, tmp_path: Path) -> None:
    result = run("render", str(ARTICLE), "--engine", "gtts")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "output" / "article.mp3"
    audio = decode(out.read_bytes(), 24_000)
    last = result.stderr.strip().splitlines()[-1]
    assert str(Path("output") / "article.mp3") in last
    assert "13 paragraphs" in last and "engine gtts" in last
    # Every request fits Google's limit and, joined, the requests say the whole article.
    paragraphs = parse_article(ARTICLE.read_text(encoding="utf-8"))
    chunks = [c.text for c in chunk_article(paragraphs, 100)]
    assert " ".join(chunks) == " ".join(p.spoken for p in paragraphs)
    # Requests run concurrently, so they arrive in any order: compare as multisets.
    assert sorted(google.texts) == sorted(chunks)
    assert all(len(t) <= 100 for t in google.texts)
    assert f"{len(google.texts)} chunks" in last
    speech_ms = sum(len(t) for t in google.texts) * 60
    assert speech_ms < len(audio) < speech_ms + 13 * 700 + len(google.texts) * 300


def test_paragraph_pauses_measure_700ms(run, google: FakeGoogle, write_text) -> None:
    src = write_text("الفقرة الأولى قصيرة.\n\nالفقرة الثانية.\n\nوالثالثة هنا.")
    result = run("render", str(src), "--engine", "gtts", "-o", "out.wav")
    assert result.exit_code == 0, result.stderr
    audio = decode(Path("out.wav").read_bytes(), 24_000)
    gaps = silent_gaps(audio, 100)
    assert len(gaps) == 2
    assert all(abs(gap - 700) <= 50 for gap in gaps), gaps


def test_sentence_and_clause_pauses(run, google: FakeGoogle, write_text) -> None:
    # Each sentence is too long to share a 100-character request, so each break is audible.
    sentence = "كلمة " * 18
    src = write_text(f"{sentence.strip()}. {sentence.strip()}، {sentence.strip()}.")
    result = run("render", str(src), "--engine", "gtts", "--sentence-pause", "400", "-o", "o.wav")
    assert result.exit_code == 0, result.stderr
    audio = decode(Path("o.wav").read_bytes(), 24_000)
    gaps = silent_gaps(audio, 100)
    assert len(gaps) == 2
    assert abs(gaps[0] - 400) <= 50 and abs(gaps[1] - 200) <= 50


def test_auto_picks_gtts_when_google_answers(run, google: FakeGoogle, write_text) -> None:
    result = run("render", str(write_text("مرحبا بكم.")), "-o", "a.mp3")
    assert result.exit_code == 0, result.stderr
    assert "Engine: gtts" in result.stderr and "reachable" in result.stderr


def test_auto_falls_back_to_espeak_offline(run, offline: None, write_text) -> None:
    result = run("render", str(write_text("مرحبا بكم.")), "-o", "a.mp3")
    assert result.exit_code == 0, result.stderr
    assert "Engine: espeak" in result.stderr and "cannot reach" in result.stderr
    assert Path("a.mp3").stat().st_size > 1000


def test_stdin_goes_to_output_stdin_mp3(run, offline: None) -> None:
    result = run("render", "-", "--engine", "espeak", input="مرحبا بكم في النشرة.".encode())
    assert result.exit_code == 0, result.stderr
    assert Path("output/stdin.mp3").stat().st_size > 1000


def test_quiet_prints_nothing(run, offline: None, write_text) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", "-q", "-o", "q.mp3")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


def test_punctuation_paragraph_becomes_pause_with_warning(run, offline: None, write_text) -> None:
    src = write_text("أولا.\n\n* * *\n\nثانيا.")
    result = run("render", str(src), "--engine", "espeak", "-o", "p.wav")
    assert result.exit_code == 0, result.stderr
    assert "paragraph 2 has nothing to speak" in result.stderr
    audio = decode(Path("p.wav").read_bytes(), 22_050)
    gaps = silent_gaps(audio, 500)
    assert len(gaps) == 1 and abs(gaps[0] - 1400) <= 50


BAD_INPUTS = [
    (b"", "empty"),
    (b"   \n\t\n  ", "empty"),
    (b"... !!! * * *\n\n---", "nothing to speak"),
    ("مرحبا".encode() + "عربي".encode("cp1256"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
]


@pytest.mark.parametrize(("content", "words"), BAD_INPUTS)
def test_bad_input_is_usage_error(run, write_text, content: bytes, words: str) -> None:
    result = run("render", str(write_text(content)), "--engine", "espeak")
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert not Path("output/article.mp3").exists()


def test_non_utf8_gives_byte_offset(run, write_text) -> None:
    result = run("render", str(write_text("مرحبا".encode() + "عربي".encode("cp1256"))))
    assert result.exit_code == 2 and "offset 10" in result.stderr


def test_missing_file_and_folder(run, tmp_path: Path) -> None:
    missing = run("render", "nope.txt")
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    folder = run("render", str(tmp_path))
    assert folder.exit_code == 2 and "folder" in folder.stderr


@pytest.mark.parametrize("address", ["ftp://example.com/x", "file:///tmp/story.txt",
                                     "S3://bucket/story.txt"])
def test_an_address_we_cannot_fetch_is_not_called_a_missing_file(run, address: str) -> None:  # type: ignore[no-untyped-def]
    result = run("render", address, "--engine", "espeak")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: only http(s) addresses can be fetched: {address}; "
                             "download it and give the file's path\n")


def test_unknown_engine_is_usage_error(run) -> None:
    result = run("render", str(ARTICLE), "--engine", "polly")
    assert result.exit_code == 2 and "polly" in result.stderr


def test_unwritable_output(run, offline: None, write_text, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", "-o", "taken/x.mp3")
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "-o/--output" in result.stderr
    assert "taken is a file, not a folder" in result.stderr


def test_google_unreachable_exits_1_and_writes_nothing(run, offline: None, tmp_path: Path) -> None:
    existing = tmp_path / "keep.mp3"
    existing.write_bytes(b"old audio")
    result = run("render", str(ARTICLE), "--engine", "gtts", "-o", "keep.mp3")
    assert result.exit_code == 1
    assert "cannot reach Google TTS" in result.stderr and "--engine espeak" in result.stderr
    assert "Traceback" not in result.stderr
    assert existing.read_bytes() == b"old audio"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.mp3"]


def test_debug_shows_traceback(run, offline: None) -> None:
    with pytest.raises(Exception, match="cannot reach"):
        run("render", str(ARTICLE), "--engine", "gtts", "--debug")


def test_version_and_help(run) -> None:
    assert __version__ in run("--version").stdout
    assert "Examples" in run("render", "-h").stdout


def test_every_command_is_documented() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, name


def test_engines_lists_both(run, offline: None) -> None:
    result = run("engines")
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0].startswith("gtts") and "usable: no" in lines[0] and "cannot reach" in lines[0]
    assert lines[1].startswith("espeak") and "usable: yes" in lines[1]


@pytest.fixture
def model_must_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh process as far as the tashkeel model goes, and one that fails the test if loaded."""
    from tts.text import diacritize

    def refuse() -> None:
        raise AssertionError("the tashkeel model was loaded")
    monkeypatch.setattr(diacritize, "_MODEL", None)
    monkeypatch.setattr(diacritize, "load_model", refuse)


def test_no_tashkeel_never_loads_the_model(run, offline: None, write_text, model_must_not_load: None) -> None:
    path = write_text("منعت روسيا صدور بيان.")
    result = run("render", str(path), "--engine", "espeak", "--no-tashkeel", "-o", "out.wav")
    assert result.exit_code == 0, result.stderr
    assert (path.parent / "out.wav").stat().st_size > 1000


def test_other_languages_get_no_arabic_rules_and_no_tashkeel(run, offline: None, write_text,
                                                             model_must_not_load: None) -> None:
    path = write_text("Sales rose 5% in 2019-2020.\n\nCall 555-1234 now, not 5-10 min.")
    result = run("render", str(path), "--engine", "espeak", "--dry-run", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "[1] en: Sales rose 5% in 2019-2020." in result.stdout
    assert "[2] en: Call 555-1234 now, not 5-10 min." in result.stdout
    assert not any("\u0600" <= ch <= "\u06ff" for ch in result.stdout)


def test_tags_subtitles_manifest_and_speed(run, offline: None, write_text) -> None:
    src = write_text("عاجل من طرابلس\n\nمنعت روسيا صدور البيان. وطالبت بتعديل صيغته.")
    result = run("render", str(src), "--engine", "espeak", "-o", "news.m4a", "--artist", "النشرة",
                 "--album", "أخبار", "--speed", "1.25", "--subtitles", "news.vtt",
                 "--manifest", "news.json")
    assert result.exit_code == 0, result.stderr
    tags = mutagen.File("news.m4a").tags
    assert tags["\xa9nam"] == ["عاجل من طرابلس"] and tags["\xa9ART"] == ["النشرة"]
    assert tags["\xa9alb"] == ["أخبار"]
    assert len(ffmpeg_chapters(Path("news.m4a"))) == 2
    assert Path("news.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    manifest = json.loads(Path("news.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["speed"] == 1.25 and len(manifest["paragraphs"]) == 2
    assert sorted(p.name for p in Path().iterdir()) == ["article.txt", "news.json", "news.m4a", "news.vtt"]


def test_title_option_and_no_chapters(run, offline: None, write_text) -> None:
    src = write_text("أولا.\n\nثانيا.")
    result = run("render", str(src), "--engine", "espeak", "-o", "t.mp3", "--title", "My title",
                 "--no-chapters", "--no-loudness")
    assert result.exit_code == 0, result.stderr
    assert str(MP3("t.mp3").tags["TIT2"]) == "My title"
    assert ffmpeg_chapters(Path("t.mp3")) == []


def test_stdin_title_is_the_first_sentence_shortened_when_first_line_is_long(run, offline: None) -> None:
    text = "كلمة " * 30
    result = run("render", "-", "--engine", "espeak", "-o", "s.mp3", input=text.encode())
    assert result.exit_code == 0, result.stderr
    assert str(MP3("s.mp3").tags["TIT2"]) == "كلمة " * 15 + "كلمة…"


@pytest.mark.parametrize(("args", "words"), [
    (("--subtitles", "subs.txt"), [".srt", ".vtt", ".lrc"]),
    (("-o", "out.aiff"), [".mp3", ".ogg", ".opus", ".m4a", ".wav", ".flac"]),
    (("--speed", "3"), ["--speed", "0.5<=x<=2.0"]),
    (("--loudness", "0"), ["--loudness"]),
])
def test_bad_finish_options_are_usage_errors(run, write_text, args: tuple[str, ...],
                                             words: list[str]) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", *args)
    assert result.exit_code == 2, result.stderr
    assert all(word in result.stderr for word in words), result.stderr
    assert not Path("output").exists()


def test_help_shows_the_new_options(run) -> None:
    help_text = run("render", "-h").stdout
    for option in ("--title", "--artist", "--album", "--no-chapters", "--subtitles", "--manifest",
                   "--speed", "--loudness", "--no-loudness", "--subtitles out.srt", "--word-timing",
                   "--html", "--embed-audio"):
        assert option in help_text, option


def test_outputs_get_the_usual_file_mode(run, offline: None, write_text, tmp_path: Path) -> None:
    old_mask = os.umask(0o022)
    try:
        kept = tmp_path / "kept.mp3"
        kept.write_bytes(b"old")
        kept.chmod(0o640)
        src = write_text("مرحبا بكم.")
        assert run("render", str(src), "--engine", "espeak", "-o", "new.mp3",
                   "--manifest", "new.json").exit_code == 0
        assert run("render", str(src), "--engine", "espeak", "-o", "kept.mp3").exit_code == 0
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(Path("new.mp3").stat().st_mode) == 0o644
    assert stat.S_IMODE(Path("new.json").stat().st_mode) == 0o644
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() != b"old"


@pytest.mark.parametrize("args", [("--manifest", "article.txt"),
                                  ("-o", "a.mp3", "--manifest", "a.mp3"),
                                  ("--subtitles", "s.srt", "--manifest", "s.srt"),
                                  ("--html", "p.html", "--manifest", "p.html")])
def test_two_outputs_at_one_path_are_refused(run, write_text, args: tuple[str, ...]) -> None:
    src = write_text("مرحبا بكم.")
    result = run("render", str(src), "--engine", "espeak", *args)
    assert result.exit_code == 2 and "same file" in result.stderr
    assert src.read_text(encoding="utf-8") == "مرحبا بكم."


def test_manifest_keeps_machine_paths_out(run, offline: None, write_text) -> None:
    src = write_text("مرحبا بكم.")
    result = run("render", str(src), "--engine", "espeak", "-o", "-", "--manifest", "m.json")
    assert result.exit_code == 0, result.stderr
    manifest = json.loads(Path("m.json").read_text(encoding="utf-8"))
    assert manifest["output"] == "stdout" and "cache_dir" not in manifest["settings"]
    assert manifest["settings"]["manifest"] == "m.json"


def test_loudness_past_what_the_limiter_allows_is_refused(run, write_text) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", "--loudness", "-10")
    assert result.exit_code == 2 and "--loudness" in result.stderr


def test_unknown_voice_is_a_usage_error_before_any_work(run, write_text) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", "--voice", "xx")
    assert result.exit_code == 2 and "no voice named 'xx'" in result.stderr
    assert "Synthesizing" not in result.stderr
    voices = run("voices")
    assert voices.exit_code == 0 and " ar " in f" {voices.stdout} "


def test_read_along_outputs(run, offline: None, write_text) -> None:
    src = write_text("منعت روسيا صدور البيان. وطالبت بتعديل صيغته.")
    result = run("render", str(src), "--engine", "espeak", "-o", "out/news.mp3",
                 "--subtitles", "news.vtt", "--word-timing", "--html", "news.html")
    assert result.exit_code == 0, result.stderr
    vtt = Path("news.vtt").read_text(encoding="utf-8")
    assert re.search(r"<00:00:0\d\.\d{3}>", vtt)  # a word timestamp inside a cue
    page = Path("news.html").read_text(encoding="utf-8")
    assert 'src="out/news.mp3"' in page and 'class="w"' in page


@pytest.mark.parametrize(("args", "words"), [
    (("--embed-audio",), ["--embed-audio", "--html"]),
    (("-o", "-", "--html", "p.html"), ["--html", "-o FILE"]),
])
def test_page_options_misused_are_usage_errors(run, write_text, args: tuple[str, ...],
                                               words: list[str]) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", *args)
    assert result.exit_code == 2, result.stderr
    assert all(word in result.stderr for word in words), result.stderr


@pytest.mark.parametrize(("text", "counts"), [
    ("منعت روسيا صدور البيان.", "1 paragraph, 1 chunk, 0 cached, 1 clip to synthesize"),
    ("منعت روسيا صدور البيان.\n\nوطالبت بتعديل صيغته.",
     "2 paragraphs, 2 chunks, 0 cached, 2 clips to synthesize"),
])
def test_dry_run_counts_agree_in_number(run, write_text, text: str, counts: str) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(write_text(text)), "--engine", "espeak", "--no-tashkeel", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith(counts), result.stdout


def test_render_and_cache_counts_agree_in_number(run, write_text) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(write_text("منعت روسيا صدور البيان.")), "--engine", "espeak",
                 "--no-tashkeel", "-o", "one.wav")
    assert result.exit_code == 0, result.stderr
    assert ", 1 paragraph, 1 chunk (0 cached)," in result.stderr.strip().splitlines()[-1], result.stderr
    cleared = run("cache", "clear")
    assert cleared.exit_code == 0 and cleared.stdout.startswith("Removed 1 clip from "), cleared.stdout
    assert run("cache", "clear").stdout.startswith("Removed 0 clips from ")
