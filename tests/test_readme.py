"""Every command in the README's sh blocks, run as written in a shell, in a copy of the project's
data: a newcomer's first hour. The engine is espeak (ARTICLE_TTS_ENGINE), the player a stand-in,
and the process reaches nothing but 127.0.0.1 (tests/loopback_only). A command that needs the
network is run against a page served here, or with --dry-run; the server is only parsed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTICLE, ROOT
from pages_server import Served

from tts import engines
from tts.cli import main
from tts.sources.url import is_url

README = ROOT / "README.md"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMANDS = ("article-tts ", "python -m tts ")
# Two paragraphs of the seed article: every command's work, in a fraction of the time.
PARAGRAPHS = 2
FAKE_PLAYER = ROOT / "tests" / "fake_player.py"
LOOPBACK_ONLY = ROOT / "tests" / "loopback_only"


def readme_commands() -> list[str]:
    """Each line of an sh block whose command (or a stage of its pipe) is ours."""
    lines = [line.strip() for block in SH_BLOCK.findall(README.read_text(encoding="utf-8"))
             for line in block.splitlines()]
    return [line for line in lines
            if any(stage.strip().startswith(COMMANDS) for stage in line.split("|"))]


def argv(line: str) -> list[str]:
    """The arguments after the command, of the stage that is ours, without the comment."""
    stage = next(s for s in line.split("|") if s.strip().startswith(COMMANDS))
    words = shlex.split(stage.split(">")[0], comments=True)
    return words[3:] if words[0] == "python" else words[1:]


def parsed(args: list[str]) -> dict[str, object]:
    """The subcommand's parameters as click parses them; a bad option raises UsageError."""
    with main.make_context("article-tts", list(args)) as context:
        name, command, rest = main.resolve_command(context, [*context.protected_args,
                                                             *context.args])
        assert command is not None and name is not None
        with command.make_context(name, rest, parent=context) as sub:
            return {"command": name, **sub.params}


def web_pages(params: dict[str, object]) -> list[str]:
    """The command's inputs that are web pages."""
    inputs = params.get("inputs") or (params.get("source"),)
    return [i for i in inputs if isinstance(i, str) and is_url(i)]  # type: ignore[attr-defined]


def online_engine(params: dict[str, object]) -> bool:
    """True when the command names an engine that speaks over the network (edge, gtts)."""
    spec = engines.REGISTRY.get(str(params.get("engine")))
    return spec is not None and not spec.offline


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like a fresh clone's data/ (the samples the examples name), the article cut
    to its first paragraphs."""
    folder = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "data", folder / "data")
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()[:PARAGRAPHS]
    (folder / "data" / "article.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def shell_env(project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PATH with ``article-tts`` and ``python`` as installed by the README's install line."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for name, command in (("article-tts", f'"{sys.executable}" -m tts'),
                          ("python", f'"{sys.executable}"')):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec {command} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    played = tmp_path_factory.mktemp("played")
    env = dict(os.environ)
    env.update({"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
                "PYTHONPATH": f"{LOOPBACK_ONLY}{os.pathsep}{ROOT}",
                "ARTICLE_TTS_ENGINE": "espeak",
                "ARTICLE_TTS_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
                "ARTICLE_TTS_PLAYER": f"{shlex.quote(sys.executable)} {FAKE_PLAYER} {played} --discard"})
    return env


def run_line(line: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", line], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture
def served(pages: Served) -> Iterator[Served]:
    yield pages


def test_the_readme_has_commands_to_run() -> None:
    lines = readme_commands()
    assert len(lines) >= 10 and any(line.startswith("python -m tts") for line in lines)


@pytest.mark.parametrize("line", readme_commands())
def test_readme_command_works_as_written(line: str, project: Path, shell_env: dict[str, str],
                                         served: Served) -> None:
    params = parsed(argv(line))
    if params["command"] == "serve":
        return  # a server runs until stopped: that it parses is what can be checked here
    if web_pages(params) or online_engine(params):
        line = offline_form(line, params, served)
    result = run_line(line, project, shell_env)
    assert result.returncode == 0, f"{line}\n{result.stderr}"
    assert "Error" not in result.stderr, result.stderr


def offline_form(line: str, params: dict[str, object], served: Served) -> str:
    """The command with its web page served from 127.0.0.1, or as a dry run when its engine
    speaks over the network (the plan, the voice and the options are still checked)."""
    for page in web_pages(params):
        line = line.replace(page, served.url("pages/structured.html"))
    if online_engine(params):
        line = line.replace(" #", " --dry-run #", 1) if " #" in line else f"{line} --dry-run"
    return line
