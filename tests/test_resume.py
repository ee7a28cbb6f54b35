"""Resumable gTTS rendering from the command line: cache, edits, outages, dry run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import ARTICLE, FakeGoogle

from tts.cli import main
from tts.synth import synthesize
from tts.synth.cache import ClipCache

ARTICLE_TEXT = ARTICLE.read_text(encoding="utf-8")
# The seed article's first five paragraphs: enough chunks to resume from, quick to render.
SHORT_TEXT = "\n".join(ARTICLE_TEXT.splitlines()[:5]) + "\n"
PARAGRAPHS = 5


@pytest.fixture
def short(tmp_path: Path) -> Path:
    path = tmp_path / "short.txt"
    path.write_text(SHORT_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def run(run, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """conftest's ``run`` for ``render``, with retries that do not wait."""
    monkeypatch.setattr(synthesize, "BACKOFF_BASE_S", 0.01)
    return lambda *args: run("render", *args)


def render_gtts(run, src: Path, *extra: str) -> Result:  # type: ignore[no-untyped-def]
    result = run(str(src), "--engine", "gtts", "-o", "out.mp3", *extra)
    return result


def test_rerun_makes_no_request(short: Path, run, google: FakeGoogle) -> None:
    first = render_gtts(run, short)
    assert first.exit_code == 0, first.stderr
    made = google.attempts
    assert made > PARAGRAPHS
    second = render_gtts(run, short)
    assert second.exit_code == 0 and google.attempts == made
    assert f"({made} cached)" in second.stderr.splitlines()[-1]


def test_edit_rerequests_only_that_paragraph(run, google: FakeGoogle, write_text) -> None:
    lines = SHORT_TEXT.splitlines()
    src = write_text("\n".join(lines))
    assert render_gtts(run, src).exit_code == 0
    before = list(google.texts)
    lines[4] = "هذه فقرة جديدة تماما عن الأخبار."
    src.write_text("\n".join(lines), encoding="utf-8")
    assert render_gtts(run, src).exit_code == 0
    assert google.texts[len(before):] == ["هذه فقرة جديدة تماما عن الأخبار."]


def test_outage_then_resume(short: Path, run, google: FakeGoogle, isolated_cache: Path) -> None:
    google.down_after = 6
    failed = render_gtts(run, short, "--retries", "1", "--jobs", "2")
    assert failed.exit_code == 1
    message = failed.stderr.strip().splitlines()[-1]
    assert message.startswith("Error: paragraph ")
    assert "cannot reach Google TTS" in message and "Rerun the same command to resume" in message
    saved = ClipCache(isolated_cache).info().entries
    assert saved == 6 and f"{saved} of " in message
    assert not Path("out.mp3").exists()
    total = len(set(google.texts))
    google.down_after = None
    resumed = render_gtts(run, short)
    assert resumed.exit_code == 0, resumed.stderr
    new_requests = google.texts[total:]
    assert set(new_requests).isdisjoint(google.texts[:total])
    assert f"({saved} cached)" in resumed.stderr.splitlines()[-1]


def test_truncated_cache_entry_is_remade(short: Path, run, google: FakeGoogle, isolated_cache: Path) -> None:
    assert render_gtts(run, short).exit_code == 0
    made = google.attempts
    victim = next(ClipCache(isolated_cache).clips.rglob("*.clip"))
    victim.write_bytes(victim.read_bytes()[:200])
    again = render_gtts(run, short)
    assert again.exit_code == 0 and google.attempts == made + 1
    assert victim.stat().st_size > 10_000


def test_no_cache_requests_again(short: Path, run, google: FakeGoogle) -> None:
    assert render_gtts(run, short, "--no-cache").exit_code == 0
    made = google.attempts
    assert render_gtts(run, short, "--no-cache").exit_code == 0
    assert google.attempts == 2 * made


def test_cache_dir_option(short: Path, run, google: FakeGoogle, tmp_path: Path) -> None:
    assert render_gtts(run, short, "--cache-dir", "mine").exit_code == 0
    assert ClipCache(tmp_path / "mine").info().entries == google.attempts


def test_dry_run_makes_no_request_and_writes_nothing(short: Path, run, google: FakeGoogle) -> None:
    result = render_gtts(run, short, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert google.attempts == 0 and not Path("out.mp3").exists()
    article, chunks = result.stdout.split("\n\n", 1)  # the paragraphs read, then the chunks
    assert article.splitlines()[0].startswith("(1) ")
    assert article.splitlines()[-1].startswith(f"({PARAGRAPHS}) ")
    lines = chunks.strip().splitlines()
    chunk_lines, summary = lines[:-1], lines[-1]
    assert chunk_lines[0].startswith("[1] ") and chunk_lines[-1].startswith(f"[{PARAGRAPHS}] ")
    n = len(chunk_lines)
    assert f"{PARAGRAPHS} paragraphs, {n} chunks, 0 cached, {n} requests to make" in summary
    assert "about 1:" in summary  # over a minute of speech


def test_dry_run_counts_cached(short: Path, run, google: FakeGoogle) -> None:
    assert render_gtts(run, short).exit_code == 0
    made = google.attempts
    result = render_gtts(run, short, "--dry-run")
    assert f"{made} cached, 0 requests to make" in result.stdout
    assert "(cached)" in result.stdout.split("\n\n", 1)[1].splitlines()[0]


def test_cache_info_and_clear(short: Path, google: FakeGoogle, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    runner.invoke(main, ["render", str(short), "--engine", "gtts", "-o", "a.mp3"])
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and f"entries: {google.attempts}" in info.output
    cleared = runner.invoke(main, ["cache", "clear"])
    assert f"Removed {google.attempts} clips" in cleared.output
    assert "entries: 0" in runner.invoke(main, ["cache", "info"]).output


def test_dry_run_estimate_of_a_cached_article_is_close(short: Path, run, google: FakeGoogle) -> None:
    done = render_gtts(run, short, "--no-loudness")
    assert done.exit_code == 0, done.stderr
    length = done.stderr.splitlines()[-1].split("(")[1].split(",")[0]  # m:ss.s
    planned = render_gtts(run, short, "--dry-run").stdout.splitlines()[-1]
    estimate = planned.split("about ")[1].split(" ")[0]

    def seconds(clock: str) -> float:
        minutes, rest = clock.split(":")
        return int(minutes) * 60 + float(rest)
    assert abs(seconds(estimate) - seconds(length)) < 1.0


def test_damaged_entries_are_not_counted_as_cached(short: Path, run, google: FakeGoogle,
                                                   isolated_cache: Path) -> None:
    assert render_gtts(run, short).exit_code == 0
    victim = next(ClipCache(isolated_cache).clips.rglob("*.clip"))
    victim.write_bytes(victim.read_bytes()[:300])
    planned = render_gtts(run, short, "--dry-run").stdout.splitlines()[-1]
    assert "1 request to make" in planned


def test_unusable_cache_folder_warns_and_renders(short: Path, run, google: FakeGoogle, tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    result = render_gtts(run, short, "--cache-dir", "not-a-folder/cache")
    assert result.exit_code == 0, result.stderr
    assert "cannot use the clip cache" in result.stderr and Path("out.mp3").exists()
    assert "Encoding out.mp3" in result.stderr


def test_wrong_clip_copied_over_an_entry_is_remade_with_a_warning(
        run, google: FakeGoogle, isolated_cache: Path) -> None:
    assert render_gtts(run, ARTICLE).exit_code == 0
    made = google.attempts
    first, second = sorted(ClipCache(isolated_cache).clips.rglob("*.clip"))[:2]
    first.write_bytes(second.read_bytes())  # another paragraph's speech under this key
    again = render_gtts(run, ARTICLE)
    assert again.exit_code == 0 and google.attempts == made + 1
    assert "another text's clip" in again.stderr and f"({made - 1} cached)" in again.stderr


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_an_entry_that_is_not_a_file_is_a_warning_not_a_traceback(
        run, google: FakeGoogle, isolated_cache: Path, kind: str) -> None:
    assert render_gtts(run, ARTICLE).exit_code == 0
    victim = next(ClipCache(isolated_cache).clips.rglob("*.clip"))
    victim.unlink()
    victim.mkdir() if kind == "directory" else os.mkfifo(victim)
    again = render_gtts(run, ARTICLE)
    assert again.exit_code == 0, again.stderr
    assert "Warning: ignored the cache entry" in again.stderr and "Traceback" not in again.stderr


def test_cache_size_option_prune_and_info(google: FakeGoogle, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    runner.invoke(main, ["render", str(ARTICLE), "--engine", "gtts", "-o", "a.mp3"])
    total = ClipCache(Path(os.environ["ARTICLE_TTS_CACHE_DIR"])).info().size_bytes
    info = runner.invoke(main, ["cache", "info", "--cache-size", "2G"])
    assert "limit:   2000.0 MB" in info.output
    monkeypatch.setenv("ARTICLE_TTS_CACHE_SIZE", str(total // 2))
    pruned = runner.invoke(main, ["cache", "prune"])
    assert pruned.exit_code == 0 and "Removed" in pruned.output
    assert ClipCache(Path(os.environ["ARTICLE_TTS_CACHE_DIR"])).info().size_bytes <= total // 2
    bad = runner.invoke(main, ["render", str(ARTICLE), "--cache-size", "lots"])
    assert bad.exit_code == 2 and "like 500M" in bad.output
