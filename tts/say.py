"""Say a word or a sentence at once, to audition a pronunciation fix; show what the engine is given."""

from __future__ import annotations

from pathlib import Path

from tts import langs
from tts.config import RenderConfig
from tts.engines.base import PhonemeReader
from tts.play import play
from tts.player import PlayerCommand
from tts.render import make_plan, render
from tts.types import STDIN_SOURCE, Listener, ignore


def spoken_lines(text: str, config: RenderConfig, listener: Listener = ignore) -> list[str]:
    """What the engine will be given for ``text``, a line per chunk with its languages,
    and the engine's phonemes when it can tell them (espeak)."""
    plan = make_plan(text, config, listener)
    lines = []
    for chunk in plan.chunks:
        spoken = [chunk.lang] if chunk.lang else langs.languages(chunk.text, config.lang)
        lines.append(f"{'+'.join(spoken)}: {chunk.text}")
        if isinstance(plan.engine, PhonemeReader):
            lines.append(f"phonemes: {plan.engine.phonemes(chunk.text)}")
    return lines


def say(text: str, config: RenderConfig, command: PlayerCommand | None, output: Path | None = None,
        listener: Listener = ignore) -> int:
    """Speak ``text`` through the player, or into ``output`` when given; the audio's length in ms."""
    if output is not None:
        return render(text, output, config, listener, source=STDIN_SOURCE).duration_ms
    if command is None:
        raise ValueError("say needs a player command when there is no output file")
    return play(text, config, command, None, listener).duration_ms
