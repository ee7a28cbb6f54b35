"""Outputs: read-only files refused, one render's set never mixed with another's, nothing left on failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tts.errors import OutputError
from tts.outputs import manifest
from tts.util import fsutil

TEXT = "مرحبا بكم. هذا نص قصير."
WITHOUT_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv to drop root's override")
def test_read_only_output_is_refused_and_left_untouched(tmp_path: Path, write_text) -> None:
    src = write_text(TEXT)
    out = tmp_path / "out.mp3"
    out.write_bytes(b"keep me")
    out.chmod(0o444)
    env = {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([*WITHOUT_DAC, sys.executable, "-m", "tts", "render", str(src),
                           "--engine", "espeak", "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "read-only (mode 0444)" in proc.stderr and "chmod u+w" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert out.read_bytes() == b"keep me"


def test_a_symlink_output_is_replaced_and_its_target_untouched(run, offline: None, write_text,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "target.mp3"
    target.write_bytes(b"target")
    target.chmod(0o444)  # the link is replaced, not written through: allowed
    (tmp_path / "link.mp3").symlink_to(target)
    result = run("render", str(write_text(TEXT)), "--engine", "espeak", "-o", "link.mp3")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "link.mp3").is_symlink() and target.read_bytes() == b"target"


def test_a_render_waits_then_names_the_one_writing_the_same_output(
        run, offline: None, write_text, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fsutil, "LOCK_WAIT_S", 0.3)
    out = tmp_path / "out.mp3"
    held, release = threading.Event(), threading.Event()

    def other_render() -> None:  # another process's lock, as flock sees it (a separate open)
        with fsutil.locked([out]):
            held.set()
            release.wait(30)
    holder = threading.Thread(target=other_render)
    holder.start()
    held.wait(10)
    try:
        result = run("render", str(write_text(TEXT)), "--engine", "espeak", "-o", "out.mp3",
                     "--subtitles", "out.srt")
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 1
    assert f"being written by another article-tts (pid {os.getpid()}" in result.stderr
    assert not out.exists() and not (tmp_path / "out.srt").exists()
    again = run("render", str(write_text(TEXT)), "--engine", "espeak", "-o", "out.mp3")
    assert again.exit_code == 0 and out.exists()
    assert not list(tmp_path.glob(".*.lock"))


def test_a_failed_side_file_replaces_nothing(run, offline: None, write_text, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("out.mp3", "out.srt", "out.json"):
        (tmp_path / name).write_text("old")

    def fail(data: object) -> str:
        raise OutputError("cannot write out.json (disk full); choose another path")
    monkeypatch.setattr(manifest, "manifest_json", fail)
    result = run("render", str(write_text(TEXT)), "--engine", "espeak", "-o", "out.mp3",
                 "--subtitles", "out.srt", "--manifest", "out.json")
    assert result.exit_code == 1 and "disk full" in result.stderr
    # The audio and subtitles were written to temp files, but none replaced the old set.
    assert all((tmp_path / n).read_text() == "old" for n in ("out.mp3", "out.srt", "out.json"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "out.json", "out.mp3",
                                                          "out.srt"]


def test_a_failed_render_leaves_no_folder_it_made(run, offline: None, tmp_path: Path,
                                                  write_text) -> None:
    result = run("render", str(write_text(TEXT)), "--engine", "gtts", "-o", "new/deep/out.mp3",
                 "--manifest", "other/m.json")
    assert result.exit_code == 1 and "cannot reach Google" in result.stderr
    assert not (tmp_path / "new").exists() and not (tmp_path / "other").exists()


def test_stale_temp_files_of_a_killed_run_are_removed(run, offline: None, write_text,
                                                      tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".article-tts-{dead}-x1y2.mp3"
    stale.write_bytes(b"partial")
    abandoned = tmp_path / ".other.mp3.article-tts.lock"  # left by a render killed while writing
    abandoned.write_text(f"pid {dead}")
    unrelated = tmp_path / ".article-tts-notes"
    unrelated.write_text("not ours")
    result = run("render", str(write_text(TEXT)), "--engine", "espeak", "-o", "out.mp3")
    assert result.exit_code == 0, result.stderr
    assert not stale.exists() and not abandoned.exists() and unrelated.exists()
