"""Tests for tts.text.lexicon: the file format, its errors, whole-word matching with proclitics, scopes,
and the lexicon in a render (dry run, subtitles, the cache)."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import FakeGoogle

from tts.text import lexicon as lexicon_module
from tts.text.lexicon import Entry, Lexicon, LexiconError, discover, parse
from tts.types import Paragraph

ENGINES = ("gtts", "espeak")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def lexicon(text: str) -> Lexicon:
    return Lexicon(tuple(parse(text, "test.lexicon", ENGINES)))


def spoken(lex: Lexicon, text: str, engine: str = "gtts", lang: str = "ar") -> str:
    paragraph = Paragraph(0, text, text)
    (result,) = lex.apply_to([paragraph], engine, engine == "espeak", lang)
    return result.spoken


def test_parse_reads_entries_comments_regexes_and_sections() -> None:
    entries = parse("# names\n\nحفتر = حَفْتَر\nre:(\\d+) كم = \\1 كيلومتر\n[engine=espeak lang=ar]\n"
                    "بومبيو = [[bu:mbi:'o:]]\n[*]\nReuters = رويترز\n", "my.lexicon", ENGINES)
    assert entries == [
        Entry("my.lexicon", 3, "حفتر", "حَفْتَر"),
        Entry("my.lexicon", 4, "(\\d+) كم", "\\1 كيلومتر", regex=True),
        Entry("my.lexicon", 6, "بومبيو", "[[bu:mbi:'o:]]", engine="espeak", lang="ar"),
        Entry("my.lexicon", 8, "Reuters", "رويترز"),
    ]
    assert entries[2].phonemes and not entries[0].phonemes


@pytest.mark.parametrize(("text", "line", "message"), [
    ("حفتر حَفْتَر", 1, "is not an entry; write WRITTEN = SPOKEN"),
    ("# ok\nحفتر =", 2, "is not an entry"),
    ("حفتر=حَفْتَر", 1, "spaces around the ="),
    (" = حَفْتَر", 1, "is not an entry"),
    ("re:(unclosed = x", 1, "regular expression '(unclosed' is invalid"),
    ("re:a* = x", 1, "matches empty text"),
    ("re:(a)b = \\2", 1, "does not fit the expression"),
    ("re:(?P<n>a)b = \\g<m>", 1, "does not fit the expression"),
    ("[voice=en]", 1, "cannot read the section [voice=en]"),
    ("[engine=espek]", 1, "unknown engine 'espek'"),
    ("a = b\n\n[engine=]", 3, "cannot read the section"),
    ("حفتر = [[Haft'ar]] قال", 1, "phonemes must be the whole spoken form"),
])
def test_a_bad_entry_names_the_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(LexiconError) as caught:
        parse(text, "names.lexicon", ENGINES)
    assert str(caught.value).startswith(f"names.lexicon:{line}: ")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


# (entry, text, expected): whole words, Arabic proclitics, marks, case.
MATCH_CASES = [
    ("حفتر = حَفْتَر", "قال حفتر", "قال حَفْتَر"),
    ("حفتر = حَفْتَر", "وحفتر ولحفتر فبحفتر كحفتر", "وحَفْتَر ولحَفْتَر فبحَفْتَر كحَفْتَر"),
    ("حفتر = حَفْتَر", "قوات حَفتر.", "قوات حَفْتَر."),
    ("حفتر = حَفْتَر", "حفترها وحفترون", "حفترها وحفترون"),
    ("حفتر = حَفْتَر", "محفتر", "محفتر"),
    ("ليبي = لِيبِي", "الليبي والليبي بالليبي لليبي", "اللِيبِي واللِيبِي باللِيبِي للِيبِي"),
    ("الجيش = الجَيْش", "الجيش والجيش بالجيش للجيش وللجيش", "الجَيْش والجَيْش بالجَيْش للجَيْش وللجَيْش"),
    ("خليفة حفتر = المشير", "الجنرال خليفة  حفتر قال", "الجنرال المشير قال"),
    ("Reuters = رويترز", "قالت Reuters إن", "قالت رويترز إن"),
    ("Reuters = رويترز", "REUTERS reuters", "REUTERS reuters"),
    ("reuters = رويترز", "REUTERS Reuters", "رويترز رويترز"),
    ("Pompeo = Pom-pay-oh", "Pompeos Pompeo.", "Pompeos Pom-pay-oh."),
    ("IMF = صندوق النقد", "قال I-M-F أمس", "قال صندوق النقد أمس"),
    ("re:(\\d+) كم = \\1 كيلومتر", "مسافة 40 كم", "مسافة 40 كيلومتر"),
    ("حفتر = بنغازي\nبنغازي = حفتر", "حفتر بنغازي", "بنغازي حفتر"),
    # Word edges as re drew them, though entries now run on the regex package: ² and a
    # digit are part of a word, so km² is not km.
    ("km = كيلومتر", "5 km² و5 km و km2", "5 km² و5 كيلومتر و km2"),
    ("re:\\bحفتر\\b = المشير", "قال حفتر. محفتر", "قال المشير. محفتر"),
    ("re:(\\p{Nd}+) كم = \\1 كيلومتر", "مسافة ٤٠ كم", "مسافة ٤٠ كيلومتر"),
]


@pytest.mark.parametrize(("entries", "text", "expected"), MATCH_CASES)
def test_entries_match_whole_words_after_proclitics(entries: str, text: str, expected: str) -> None:
    assert nfc(spoken(lexicon(entries), text)) == nfc(expected)


def test_the_first_entry_that_matches_wins() -> None:
    lex = lexicon("خليفة حفتر = المشير\nحفتر = حَفْتَر")
    assert spoken(lex, "خليفة حفتر وحفتر") == "المشير وحَفْتَر"


def test_phoneme_entries_are_for_engines_that_take_phonemes() -> None:
    lex = lexicon("بومبيو = [[bu:mbi:'o:]]")
    assert spoken(lex, "قال بومبيو وبومبيو", "espeak") == "قال [[bu:mbi:'o:]] [[wabu:mbi:'o:]]"
    assert spoken(lex, "قال بومبيو", "gtts") == "قال بومبيو"


def test_engine_and_language_scopes() -> None:
    lex = lexicon("[engine=gtts]\nحفتر = حَفْتَر\n[lang=en]\nsaid = told\n[lang=ar]\nقال = ذكر\n")
    assert spoken(lex, "قال حفتر", "espeak") == "ذكر حفتر"
    assert spoken(lex, "قال حفتر", "gtts") == "ذكر حَفْتَر"
    # "said" is in a Latin run of an Arabic text: the [lang=en] entry applies there only.
    assert spoken(lex, "قال Pompeo said", "gtts") == "ذكر Pompeo told"
    assert spoken(lex, "said قال", "gtts", lang="en") == "told قال"


def test_discover_finds_the_current_and_the_config_folder(tmp_path: Path) -> None:
    assert discover(tmp_path) == []
    here = tmp_path / "article-tts.lexicon"
    here.write_text("a = b\n", encoding="utf-8")
    import os
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "article-tts" / "article-tts.lexicon"
    config.parent.mkdir(parents=True)
    config.write_text("c = d\n", encoding="utf-8")
    assert discover(tmp_path) == [here, config]


# --- in a render -------------------------------------------------------------------------------

ARTICLE_TEXT = ("قال بومبيو إن بلاده قلقة.\n\nمنعت روسيا صدور البيان.\n\n"
                "وأضاف بومبيو أن قوات حفتر يجب أن تتوقف.")


def test_dry_run_shows_the_lexicon_and_a_bad_file_is_exit_2(run, offline: None, write_text) -> None:  # type: ignore[no-untyped-def]
    article = write_text(ARTICLE_TEXT)
    good = write_text("بومبيو = بُومْبِيُو\n", "names.lexicon")
    result = run("render", str(article), "--engine", "espeak", "--no-tashkeel", "--dry-run",
                 "--lexicon", str(good))
    assert result.exit_code == 0, result.stderr
    assert "[1] ar: قال بُومْبِيُو" in nfc(result.stdout) and "وأضاف بُومْبِيُو أن" in nfc(result.stdout)
    bad = write_text("بومبيو = بُومْبِيُو\nحفتر\n", "bad.lexicon")
    result = run("render", str(article), "--engine", "espeak", "--dry-run", "--lexicon", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2: " in result.stderr and "WRITTEN = SPOKEN" in result.stderr


def test_a_lexicon_in_the_current_folder_is_used(run, offline: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "article.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    (tmp_path / "article-tts.lexicon").write_text("حفتر = المشير\n", encoding="utf-8")
    result = run("render", "article.txt", "--engine", "espeak", "--no-tashkeel", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "قوات المشير" in result.stdout


def test_subtitles_keep_the_written_words(run, offline: None, write_text) -> None:  # type: ignore[no-untyped-def]
    article = write_text(ARTICLE_TEXT)
    names = write_text("بومبيو = مايك بومبيو وزير الخارجية\n", "names.lexicon")
    result = run("render", str(article), "--engine", "espeak", "--no-tashkeel", "-o", "out.wav",
                 "--lexicon", str(names), "--subtitles", "out.srt", "--no-loudness")
    assert result.exit_code == 0, result.stderr
    srt = (article.parent / "out.srt").read_text(encoding="utf-8")
    assert "قال بومبيو إن" in srt and "وزير الخارجية" not in srt


def test_editing_one_entry_resynthesizes_only_the_chunks_it_changes(run, google: FakeGoogle,
                                                                   write_text) -> None:  # type: ignore[no-untyped-def]
    article = write_text(ARTICLE_TEXT)
    names = write_text("بومبيو = بومبيو\n", "names.lexicon")
    args = ("render", str(article), "--engine", "gtts", "-o", "out.mp3", "--no-loudness",
            "--lexicon", str(names))
    assert run(*args).exit_code == 0
    first = list(google.texts)
    names.write_text("بومبيو = بُومبيُو\n", encoding="utf-8")
    assert run(*args).exit_code == 0
    again = google.texts[len(first):]
    changed = [text for text in first if "بومبيو" in text]
    assert len(again) == len(changed) == 2 < len(first)
    assert all("بُومبيُو" in text for text in again)


# --- an expression that backtracks without end ----------------------------------------------

# Catastrophic on a run of a's that does not end the text: every way of splitting the run is
# tried (the regex package catches (a+)+$ itself, not this one).
RUNAWAY = "(a|a)+$"


def test_a_runaway_expression_stops_with_its_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon_module, "ENTRY_BASE_BUDGET_S", 0.05)
    lex = lexicon(f"قال = ذكر\nre:{RUNAWAY} = x\n")
    with pytest.raises(LexiconError) as caught:
        spoken(lex, "قال " + "a" * 40 + "!", lang="en")
    assert str(caught.value).startswith(f"test.lexicon:2: the regular expression {RUNAWAY} took too long")
    assert str(caught.value).endswith("simplify it or remove it") and caught.value.exit_code == 2


def test_the_budget_is_shared_by_the_texts_of_a_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each text under the limit is not enough: many slow texts use up the entry's time too."""
    monkeypatch.setattr(lexicon_module, "ENTRY_BASE_BUDGET_S", 0.2)
    lex = lexicon(f"re:{RUNAWAY} = x\n")
    paragraphs = [Paragraph(i, text, text) for i, text in enumerate(["a" * 16 + "!"] * 400)]
    assert lex.apply_to(paragraphs[:1], "gtts", False, "en")[0].spoken == "a" * 16 + "!"
    with pytest.raises(LexiconError, match=r"test\.lexicon:1: "):
        lex.apply_to(paragraphs, "gtts", False, "en")


def test_a_runaway_lexicon_in_the_folder_ends_the_command_with_exit_2(tmp_path: Path) -> None:
    """The issue's case, in a real process: a lexicon in the current folder, a text of a's."""
    (tmp_path / "article-tts.lexicon").write_text(f"re:(a+)+$ = y\nre:{RUNAWAY} = x\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a" * 30 + "!\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tts", "render", "a.txt", "--dry-run", "--engine", "espeak",
                           "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (f"Error: {tmp_path / 'article-tts.lexicon'}:2: the regular expression {RUNAWAY} "
                           "took too long on a text of 31 characters, likely from a repetition inside a "
                           "repetition such as (a+)+ or (a|a)+; simplify it or remove it\n")


# --- lexicons found without --lexicon ----------------------------------------------------------

ANNOUNCED = "Using lexicon ./article-tts.lexicon (found in the current folder; --no-lexicon skips it)"


@pytest.fixture
def folder_lexicon(tmp_path: Path) -> Path:
    (tmp_path / "article.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    path = tmp_path / "article-tts.lexicon"
    path.write_text("حفتر = المشير\n", encoding="utf-8")
    return path


DRY_RUN = ("render", "article.txt", "--engine", "espeak", "--no-tashkeel", "--dry-run")


def test_a_lexicon_found_in_the_folder_is_announced(run, offline: None, folder_lexicon: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(*DRY_RUN)
    assert result.exit_code == 0, result.stderr
    assert ANNOUNCED in result.stderr.splitlines() and "قوات المشير" in result.stdout
    quiet = run(*DRY_RUN, "-q")
    assert "Using lexicon" not in quiet.stderr and "قوات المشير" in quiet.stdout


def test_a_lexicon_in_the_config_folder_is_announced_with_its_path(run, offline: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "article.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "article-tts" / "article-tts.lexicon"
    path.parent.mkdir(parents=True)
    path.write_text("حفتر = المشير\n", encoding="utf-8")
    result = run(*DRY_RUN)
    assert (f"Using lexicon {path} (found in the user config folder; --no-lexicon skips it)"
            in result.stderr.splitlines())


def test_no_lexicon_skips_discovery_but_not_the_files_given(run, offline: None, folder_lexicon: Path,  # type: ignore[no-untyped-def]
                                                            write_text) -> None:
    result = run(*DRY_RUN, "--no-lexicon")
    assert result.exit_code == 0, result.stderr
    assert "Using lexicon" not in result.stderr and "قوات حفتر" in result.stdout
    names = write_text("قوات = جنود\n", "names.lexicon")
    result = run(*DRY_RUN, "--no-lexicon", "--lexicon", str(names))
    assert "جنود حفتر" in result.stdout and "Using lexicon" not in result.stderr


def test_a_found_lexicon_also_given_is_not_announced(run, offline: None, folder_lexicon: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(*DRY_RUN, "--lexicon", "article-tts.lexicon")
    assert result.exit_code == 0 and "قوات المشير" in result.stdout
    assert "Using lexicon" not in result.stderr
