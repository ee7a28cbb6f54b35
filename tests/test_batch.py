"""Many articles in one run: names, folders, failures that do not stop the rest, reruns."""

from __future__ import annotations

from pathlib import Path

import pytest
from pages_server import PAGES, Served

import tts.batch
import tts.engines.google  # check_google imports check_reachable from it when called
from tts.batch import expand_inputs, make_jobs, output_stem
from tts.errors import InputError

ESPEAK = ("--engine", "espeak", "--no-tashkeel", "--no-loudness")
FIRST = "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو إلى وقف الهجوم على طرابلس."
SECOND = "وقال بومبيو إن بلاده تشعر بقلق عميق بسبب المعارك الدائرة قرب العاصمة الليبية."


@pytest.mark.parametrize(("source", "stem"), [
    ("news/today.txt", "today"),
    ("-", "stdin"),
    ("https://site.example/world/2019/04/security-council.html", "security-council"),
    ("https://site.example/world/story/", "story"),
    ("https://site.example/", "site-example"),
    ("https://site.example/%D8%AE%D8%A8%D8%B1.html?id=3", "خبر"),
    ("notes/a b&c.md", "a-b-c"),
])
def test_output_stem(source: str, stem: str) -> None:
    assert output_stem(source) == stem


def test_names_never_collide() -> None:
    jobs = make_jobs(["a/news.txt", "b/news.md", "https://x.example/news.html", "c/News.txt",
                      "d/news-2.txt"])
    assert [j.name for j in jobs] == ["news", "news-2", "news-3", "News-4", "news-2-2"]


def test_folders_expand_to_their_articles(tmp_path: Path) -> None:
    for name in ("b.md", "a.txt", "c.html", "d.pdf", "e.mp3"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.txt").write_text("x", encoding="utf-8")
    found = expand_inputs([str(tmp_path), "x.txt", "https://x.example/a"])
    assert found == [str(tmp_path / n) for n in ("a.txt", "b.md", "c.html")] + [
        "x.txt", "https://x.example/a"]


def test_a_folder_without_articles_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"holds no \.txt, \.md or \.html files"):
        expand_inputs([str(tmp_path)])


def test_several_inputs_need_an_output_dir(run, write_text) -> None:
    a, b = write_text(FIRST, "a.txt"), write_text(SECOND, "b.txt")
    result = run("render", str(a), str(b), *ESPEAK)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: several inputs need -O/--output-dir DIR: "
                                              "the folder their audio files are written to")
    result = run("render", str(a), str(b), "-o", "x.mp3", "-O", "out", *ESPEAK)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: -o/--output names one file; several inputs need -O/--output-dir DIR: the folder "
        "their audio files are written to")


@pytest.mark.parametrize(("extra", "message"), [
    ((), "--feed needs -O/--output-dir DIR: the folder the feed's audio files are published from"),
    (("-o", "x.mp3"), "-o/--output names one file; --feed needs -O/--output-dir DIR: the folder "
                      "the feed's audio files are published from"),
])
def test_a_feed_needs_an_output_dir(run, write_text, extra: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(write_text(FIRST, "story.txt")), "--feed", "f.xml", *extra, *ESPEAK)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_one_input_with_both_o_and_big_o_is_refused(run, write_text) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(write_text(FIRST, "story.txt")), "-o", "x.mp3", "-O", "out", *ESPEAK)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: -o/--output names one file and "
                                              "-O/--output-dir a folder: give one")


def test_batch_goes_on_after_a_failure(run, pages: Served, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(FIRST, encoding="utf-8")
    (folder / "two.md").write_text("# عنوان\n\n" + SECOND, encoding="utf-8")
    (folder / "bad.txt").write_text("   \n", encoding="utf-8")
    missing = pages.url("status/404")
    result = run("render", str(folder), pages.url("pages/comments.html"), missing, "-O", "out",
                 *ESPEAK)
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "out").glob("*.mp3")) == [
        "comments.mp3", "one.mp3", "two.mp3"]
    err = result.stderr
    assert "[1/5]" in err and "[5/5]" in err
    assert "5 articles: 3 done, 0 up to date, 2 failed" in err
    assert f"failed     {folder / 'bad.txt'}: {folder / 'bad.txt'} is empty" in err
    assert f"failed     {missing}: cannot fetch {missing}: HTTP 404 Not Found" in err


def test_rerun_renders_only_what_changed(run, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(FIRST, encoding="utf-8")
    (folder / "two.txt").write_text(SECOND, encoding="utf-8")
    assert run("render", str(folder), "-O", "out", *ESPEAK).exit_code == 0
    again = run("render", str(folder), "-O", "out", *ESPEAK)
    assert again.exit_code == 0
    assert "2 articles: 0 done, 2 up to date, 0 failed" in again.stderr
    (folder / "two.txt").write_text(SECOND + "\n\n" + FIRST, encoding="utf-8")
    edited = run("render", str(folder), "-O", "out", *ESPEAK)
    assert "2 articles: 1 done, 1 up to date, 0 failed" in edited.stderr
    assert "up to date " + str(folder / "one.txt") in edited.stderr
    # Another setting that changes the audio renders everything again; a lost file too.
    (tmp_path / "out" / "one.mp3").unlink()
    slower = run("render", str(folder), "-O", "out", *ESPEAK, "--pause", "900")
    assert "2 articles: 2 done, 0 up to date, 0 failed" in slower.stderr


def test_one_engine_probe_and_one_limit_for_the_batch(run, tmp_path: Path, offline: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    probes: list[str] = []
    monkeypatch.setattr(tts.engines.google, "check_reachable",
                        lambda tld, timeout: probes.append(tld) or (False, "cannot reach Google"))
    limits = []
    real_render = tts.batch.render

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        limits.append(kwargs["limit"])
        return real_render(*args, **kwargs)
    monkeypatch.setattr(tts.batch, "render", spy)
    inputs = []
    for i in range(3):
        inputs.append(tmp_path / f"a{i}.txt")
        inputs[-1].write_text(FIRST + f" {i}", encoding="utf-8")
    result = run("render", *map(str, inputs), "-O", "out", "--no-tashkeel", "--no-loudness")
    assert result.exit_code == 0, result.stderr
    assert len(probes) == 1
    assert result.stderr.count("Engine: espeak") == 1
    assert len(limits) == 3 and limits[0] is limits[1] is limits[2] and limits[0] is not None


def test_each_article_speaks_its_own_language(run, tmp_path: Path) -> None:
    english = tmp_path / "en.html"
    english.write_text("<html lang='en'><body><article><p>" + "The council met today. " * 6
                       + "</p></article></body></html>", encoding="utf-8")
    result = run("render", str(english), str(PAGES / "structured.html"), "-O", "out", *ESPEAK,
                 "--manifest", "json")
    assert result.exit_code == 0, result.stderr
    import json
    langs = [json.loads((tmp_path / "out" / f"{n}.json").read_text(encoding="utf-8"))["settings"]
             ["lang"] for n in ("en", "structured")]
    assert langs == ["en", "ar"]


@pytest.mark.parametrize(("declared", "expected"), [
    ("ar-EG", "ar"), ("en_GB", "en"), ("AR", "ar"), ("", None), (None, None), ("x-default", None),
])
def test_base_lang(declared: str | None, expected: str | None) -> None:
    from tts.config import base_lang
    assert base_lang(declared) == expected


def test_dry_run_of_a_batch_reads_each_and_writes_nothing(run, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "b.md").write_text("# عنوان\n\n" + SECOND, encoding="utf-8")
    result = run("render", str(tmp_path / "a.txt"), str(tmp_path / "b.md"), str(tmp_path / "c.txt"),
                 "-O", "out", *ESPEAK, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "== [2/3]" in result.stdout and "(1) # عنوان" in result.stdout
    assert "failed: no such file" in result.stdout
    assert not (tmp_path / "out").exists()


def test_each_article_gets_its_own_read_along_page(run, tmp_path: Path) -> None:
    # --html names a kind of file in a batch, as --subtitles does: one page was written
    # once per article over the last, and showed only the last article's audio.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(FIRST, encoding="utf-8")
    (folder / "two.txt").write_text(SECOND, encoding="utf-8")
    result = run("render", str(folder), "-O", "out", *ESPEAK, "--html", "page.html")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "page.html").exists()
    for name, text in (("one", FIRST), ("two", SECOND)):
        page = (tmp_path / "out" / f"{name}.html").read_text(encoding="utf-8")
        assert f'src="{name}.mp3"' in page
        assert text.split()[1] in page
    # The pages are part of each article's files: one deleted is made again on a rerun.
    (tmp_path / "out" / "two.html").unlink()
    again = run("render", str(folder), "-O", "out", *ESPEAK, "--html", "page.html")
    assert "2 articles: 1 done, 1 up to date, 0 failed" in again.stderr
    assert (tmp_path / "out" / "two.html").exists()


def test_a_subtitle_kind_in_capitals_is_taken_as_for_one_file(run, tmp_path: Path) -> None:
    # One render writes x.SRT as SubRip; a batch refused --subtitles x.SRT (exit 2).
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(FIRST, encoding="utf-8")
    result = run("render", str(folder), "-O", "out", *ESPEAK, "--subtitles", "x.SRT")
    assert result.exit_code == 0, result.stderr
    cue = (tmp_path / "out" / "one.srt").read_text(encoding="utf-8")
    assert cue.startswith("1\n00:00:00,") and FIRST.split()[0] in cue


def test_an_edited_lexicon_renders_the_batch_again(run, tmp_path: Path) -> None:
    # The settings name a lexicon by its file name only: an edited entry left every
    # article "up to date" with the old pronunciation.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(FIRST, encoding="utf-8")
    lexicon = tmp_path / "names.lexicon"
    lexicon.write_text(f"{FIRST.split()[1]} = كلمة\n", encoding="utf-8")
    options = ("-O", "out", *ESPEAK, "--lexicon", str(lexicon))
    assert run("render", str(folder), *options).exit_code == 0
    assert "1 up to date" in run("render", str(folder), *options).stderr
    lexicon.write_text(f"{FIRST.split()[1]} = كلمات\n", encoding="utf-8")
    assert "1 article: 1 done, 0 up to date" in run("render", str(folder), *options).stderr
