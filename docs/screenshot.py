"""Render the seed article with espeak and its read-along page, and photograph the page.

    .venv/bin/python docs/screenshot.py        # -> docs/readalong.png

Needs Debian's chromium (apt-get install chromium); the render goes to a temporary folder.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import Browser, find_chromium  # noqa: E402

from tts.audio.clip import ffmpeg_exe  # noqa: E402
from tts.config import RenderConfig  # noqa: E402
from tts.pipeline import render  # noqa: E402

# A 64-colour palette keeps the PNG small in the repository (140 KB -> 63 KB); text stays sharp.
PALETTE = "split[a][b];[a]palettegen=max_colors=64[p];[b][p]paletteuse=dither=none"
# The moment shown: a word of the third paragraph lit, as a listener would see it.
SHOT_AT_S = 27.3
WIDTH, HEIGHT = 1100, 720
TITLE = "روسيا تمنع بيانًا لمجلس الأمن بشأن طرابلس"


def main() -> None:
    binary = find_chromium()
    if binary is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "article.html"
        text = (ROOT / "data" / "article.txt").read_text(encoding="utf-8")
        config = RenderConfig(engine="espeak", html=page, title=TITLE, artist="إيران برس")
        render(text, Path(folder) / "article.mp3", config, source="article.txt")
        browser = Browser(binary)
        try:
            browser.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                         deviceScaleFactor=1, mobile=False)
            browser.open(page.as_uri())
            browser.wait_for("document.documentElement.dataset.duration")
            browser.evaluate(f"document.getElementById('audio').currentTime = {SHOT_AT_S}")
            browser.wait_for("document.querySelector('.w.current') !== null")
            browser.evaluate("new Promise(done => setTimeout(done, 800))")  # the smooth scroll
            browser.screenshot(Path(folder) / "shot.png", WIDTH, HEIGHT)
        finally:
            browser.close()
        shot = Path(folder) / "shot.png"
        subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(shot),
                        "-vf", PALETTE, str(ROOT / "docs" / "readalong.png")], check=True)
    print(ROOT / "docs" / "readalong.png")


if __name__ == "__main__":
    main()
