"""Listen while it renders: clips go to a player in order as soon as each is ready."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from tts.audio import join
from tts.config import RenderConfig
from tts.player import AudioPlayer, PlayerCommand
from tts.outputs import prepare_outputs, write_outputs
from tts.pipeline import make_plan, stream
from tts.timeline import assemble, at_speed
from tts.types import STDIN_SOURCE, Article, Clip, Listener, Plan, PlayResult, ignore

# Chunks synthesized ahead of playback: enough to hide request latency, little memory.
LOOKAHEAD = 8
# How often the announcer checks the playback position, in seconds.
TICK_S = 0.05

Announce = Callable[[int, int, str], None]  # (paragraph number, total, original text)


class PlaybackClock:
    """Where playback is, in ms of audio: time since the first byte, never past what was sent.

    A write to the player blocks while its buffer is full, so the clock starts
    when the first write starts, and a later write that finds the player has
    played everything sent before it means the player ran dry: the clock
    restarts from there, so announcements stay in step with the sound.
    """

    def __init__(self) -> None:
        self.started: float | None = None
        self.sent_ms = 0
        self.lock = threading.Lock()

    def sending(self, total_ms: int) -> None:
        """Call before writing audio that brings the total sent to ``total_ms``."""
        with self.lock:
            now = time.monotonic()
            if self.started is None:
                self.started = now
            elif now - self.started > self.sent_ms / 1000:
                self.started = now - self.sent_ms / 1000
            self.sent_ms = total_ms

    def position_ms(self) -> int:
        with self.lock:
            if self.started is None:
                return 0
            return min(self.sent_ms, int((time.monotonic() - self.started) * 1000))


@dataclass
class Announcer:
    """Prints each paragraph when playback reaches its first word, from a thread."""

    plan: Plan
    clock: PlaybackClock
    announce: Announce
    starts: list[tuple[int, int]] = field(default_factory=list)  # (start_ms, paragraph)
    done: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.wait(TICK_S):
            self.flush(self.clock.position_ms())

    def flush(self, position_ms: int) -> None:
        total = len(self.plan.paragraphs)
        while self.done < len(self.starts) and self.starts[self.done][0] <= position_ms:
            paragraph = self.plan.paragraphs[self.starts[self.done][1]]
            self.announce(paragraph.index + 1, total, paragraph.original)
            self.done += 1


def play(text: str | Article, config: RenderConfig, command: PlayerCommand, output: Path | None = None,
         listener: Listener = ignore, announce: Announce = lambda n, t, s: None, *,
         source: str = STDIN_SOURCE) -> PlayResult:
    """Synthesize ahead with a bounded look-ahead and feed the player as clips arrive.

    With ``output``, the whole render is also saved at the end, as ``render`` would.
    """
    started = time.perf_counter()
    if output is not None:
        prepare_outputs(output, config, source)
    plan = make_plan(text, config, listener, defer_engine_form=True)
    clock = PlaybackClock()
    announcer = Announcer(plan, clock, announce)
    clips: list[Clip] = []
    first_audio, sent_ms = 0.0, 0
    with ExitStack() as cleanup:
        cleanup.callback(announcer.stop.set)  # runs last: also on Ctrl-C or a failure
        player: AudioPlayer | None = None
        for clip, pause in stream(plan, config, listener, LOOKAHEAD):
            if player is None:
                player = cleanup.enter_context(AudioPlayer(command, clip.audio.frame_rate))
                first_audio = time.perf_counter() - started
                threading.Thread(target=announcer.run, name="announcer", daemon=True).start()
            if clip.chunk.index == 0:
                announcer.starts.append((sent_ms, clip.chunk.paragraph))
            piece, _ = join([(clip.audio, pause)], clip.audio.frame_rate)
            sent_ms += len(piece)
            clock.sending(sent_ms)
            player.write(piece.raw_data)
            if output is not None:  # kept only to save; playing alone holds a few clips
                clips.append(clip)
        if player is not None:
            player.finish()
        announcer.stop.set()
        announcer.flush(sent_ms)
    if output is not None:
        joined, timeline = assemble(plan, clips, config)
        write_outputs(plan, joined, at_speed(timeline, config.speed), output, config, source)
    return PlayResult(sent_ms, len(plan.paragraphs), len(plan.chunks), plan.engine.name,
                      first_audio, output)
