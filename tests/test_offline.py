"""Offline means offline: a render with the offline voice resolves no name and opens no socket."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTICLE

# Installed in the child through sitecustomize: every name lookup or connection
# attempt made through Python is written down, and refused.
SITECUSTOMIZE = '''
import os, sys
LOG = os.environ["NETWORK_LOG"]
WATCHED = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
           "socket.gethostbyaddr", "socket.connect", "socket.sendto", "socket.sendmsg"}

def hook(event, args):
    if event in WATCHED:
        with open(LOG, "a") as log:
            log.write(f"{event} {args!r}\\n")
        raise OSError("network refused by the test")

sys.addaudithook(hook)
'''
# A connect() to an internet address, as strace prints it.
INTERNET_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?,")


def offline_env(tmp_path: Path) -> dict[str, str]:
    """A child environment: own HOME, the audit hook, no telemetry switch inherited."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORT_")}
    home = tmp_path / "home"
    home.mkdir()
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
               NETWORK_LOG=str(tmp_path / "network.log"),
               ARTICLE_TTS_CACHE_DIR=str(tmp_path / "clips"),
               PYTHONPATH=os.pathsep.join([str(hooks), env.get("PYTHONPATH", "")]))
    return env


def render_offline(tmp_path: Path, prefix: list[str]) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "tts", "render", str(ARTICLE), "--engine",
               "espeak", "-o", str(tmp_path / "out.mp3"), "--no-loudness"]
    return subprocess.run(command, capture_output=True, text=True, env=offline_env(tmp_path),
                          timeout=300)


def test_espeak_render_with_tashkeel_touches_no_network(tmp_path: Path) -> None:
    result = render_offline(tmp_path, [])
    assert result.returncode == 0, result.stderr
    log = tmp_path / "network.log"
    assert not log.exists(), log.read_text()
    # onnxruntime's telemetry, when it starts, keeps a device id and an event
    # database in the user's cache folder before it ever sends: none may appear.
    home = tmp_path / "home"
    assert not list(home.rglob("*")), sorted(map(str, home.rglob("*")))


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_no_internet_connect_even_from_native_code(tmp_path: Path) -> None:
    """The audit hook sees only Python; strace sees onnxruntime's own C++ threads too."""
    trace = tmp_path / "trace.txt"
    result = render_offline(tmp_path, ["strace", "-f", "-qq", "-e", "trace=connect",
                                       "-o", str(trace)])
    if result.returncode != 0 and "ptrace" in result.stderr:
        pytest.skip("strace is not allowed here")
    assert result.returncode == 0, result.stderr
    assert not INTERNET_CONNECT.findall(trace.read_text())
