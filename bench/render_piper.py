"""Benchmark: our overhead around piper. ``render --engine piper`` of the article against
piper alone (``PiperVoice.synthesize`` on the same diacritized text, its audio kept in
memory), with the tiny tone voice the tests build (tests/piper_voices.py), so the model
itself costs next to nothing and what is measured is ours: parsing, tashkeel, chunking,
mastering, MP3 encoding and the side files. Both run in this process, without the clip
cache; best of ``--repeat`` rounds, the two taking turns (the machine is shared).

    .venv/bin/python bench/render_piper.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from tts.audio.clip import decode  # noqa: F401  first: importing tts quiets pydub's ffmpeg warning

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from piper_voices import write_voice  # noqa: E402  (the tests' voice, found via sys.path)

from tts.config import RenderConfig  # noqa: E402
from tts.engines.piper import PiperEngine  # noqa: E402
from tts.pipeline import render  # noqa: E402
from tts.text.prepare import engine_texts, parse_article  # noqa: E402

ARTICLE = ROOT / "data" / "article.txt"
VOICE = "ar_JO-bench-x_low"


def piper_alone(engine: PiperEngine, texts: list[str]) -> float:
    """Seconds piper takes to speak ``texts`` (already diacritized), audio joined in memory."""
    from piper import SynthesisConfig

    started = time.perf_counter()
    settings = SynthesisConfig(length_scale=engine.length_scale)
    for text in texts:
        b"".join(chunk.audio_int16_bytes for chunk in engine.model.synthesize(text, settings))
    return time.perf_counter() - started


def ours(text: str, work: Path) -> float:
    """Seconds a whole render to MP3 (with subtitles and manifest) takes through our pipeline."""
    config = RenderConfig(engine="piper", voice=VOICE, subtitles=work / "a.vtt",
                          manifest=work / "a.json")
    started = time.perf_counter()
    render(text, work / "a.mp3", config, source=str(ARTICLE))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = ARTICLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        write_voice(work / "voices", VOICE)
        os.environ["ARTICLE_TTS_PIPER_VOICES"] = str(work / "voices")
        engine = PiperEngine(VOICE)
        spoken = [p.spoken for p in parse_article(text) if p.speakable]
        texts = engine_texts(engine, spoken, tashkeel=True)
        ours(text, work)  # warm-up: tashkeel's model and piper's espeak load once per process
        alone = min(piper_alone(engine, texts) for _ in range(args.repeat))
        whole = min(ours(text, work) for _ in range(args.repeat))
    print(f"article: {len(text)} characters, {len(texts)} paragraphs, best of {args.repeat}")
    print(f"piper alone (synthesize, tone voice): {alone:.3f} s")
    print(f"render --engine piper to MP3:         {whole:.3f} s  ({whole / alone:.1f}x piper alone)")
    print(f"our overhead:                         {whole - alone:.3f} s")


if __name__ == "__main__":
    main()
