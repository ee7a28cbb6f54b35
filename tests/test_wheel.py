"""The wheel holds the whole package: built from this tree, installed (not editable) in a fresh venv, it renders.

The new venv sees the dependencies of the development one (a path entry, not its .pth
files, so the editable install of this tree stays out of sight): what is tested is the
wheel's own contents, every subpackage and data file included.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "article.txt"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "-w", str(out), str(ROOT)], check=True, cwd=out, timeout=600)
    (built,) = out.glob("article_tts-*.whl")
    return built


def test_the_wheel_holds_every_subpackage_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "tts").rglob("__init__.py")}
    assert {f"{package}/__init__.py" for package in packages} <= names
    data = {str(p.relative_to(ROOT)) for p in (ROOT / "tts").rglob("*")
            if (p.is_file() and p.suffix in {".css", ".js", ".json", ".html"}) or p.name == "py.typed"}
    assert data and data <= names


def test_the_installed_wheel_renders_the_article(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies, from the development venv, after the wheel's own files.
    (Path(site) / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", str(wheel)], check=True, timeout=600)
    work = tmp_path / "work"
    work.mkdir()
    (work / "article.txt").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    where = subprocess.run([str(python), "-c", "import tts; print(tts.__file__)"], capture_output=True,
                           text=True, check=True, cwd=work).stdout.strip()
    assert where.startswith(site), where
    command = env_dir / "bin" / "article-tts"
    done = subprocess.run([str(command), "render", "article.txt", "--engine", "espeak", "-o", "article.mp3",
                           "--manifest", "article.json", "--html", "article.html"],
                          capture_output=True, text=True, cwd=work, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert done.returncode == 0, done.stderr
    manifest = json.loads((work / "article.json").read_text(encoding="utf-8"))
    assert len(manifest["paragraphs"]) == 13 and manifest["duration_ms"] > 60_000
    assert (work / "article.mp3").stat().st_size > 100_000
    page = (work / "article.html").read_text(encoding="utf-8")
    for asset in (ROOT / "tts" / "outputs" / "assets").iterdir():  # inlined from the wheel's copy
        assert asset.read_text(encoding="utf-8").strip()[:200] in page
