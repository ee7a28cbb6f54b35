"""Listen while it renders: clips go to a player in order as soon as each is ready."""

from __future__ import annotations

import _thread
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tts.audio.clip import SAMPLE_WIDTH
from tts.config import RenderConfig
from tts.audio.master import Mixer, Outlet
from tts.outputs.files import AudioOutput, prepare_outputs, write_side_files, written_together
from tts.pipeline import LOOKAHEAD, make_plan, stream
from tts.audio.player import AudioPlayer, PlayerCommand
from tts.audio.tempo import Tempo
from tts.util.streams import stdout_error
from tts.audio.timeline import frames_to_ms
from tts.types import STDIN_SOURCE, Article, Layout, Listener, Plan, PlayResult, ignore

# The player gets PCM, which has no codec overshoot: the ceiling podcast platforms ask for.
PLAYER_CEILING_DB = -1.0
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
    failure: OSError | None = None
    """Why announcing stopped: standard output closed (``| head -1``) or failing."""

    def run(self) -> None:
        while not self.stop.wait(TICK_S) and self.failure is None:
            self.flush(self.clock.position_ms())

    def flush(self, position_ms: int) -> None:
        total = len(self.plan.paragraphs)
        while self.done < len(self.starts) and self.starts[self.done][0] <= position_ms:
            paragraph = self.plan.paragraphs[self.starts[self.done][1]]
            try:
                self.announce(paragraph.index + 1, total, paragraph.original)
            except OSError as exc:
                self.fail(exc)
                return
            self.done += 1

    def fail(self, exc: OSError) -> None:
        """Stop playback now: from the announcer thread, by interrupting the main thread."""
        self.failure = exc
        if threading.current_thread() is threading.main_thread():
            raise stdout_error(exc) from exc
        # A real SIGINT to the main thread wakes it even from a blocking write to the
        # player; play() turns the KeyboardInterrupt into the stdout error.
        main = threading.main_thread().ident
        if main is not None and hasattr(signal, "pthread_kill"):
            signal.pthread_kill(main, signal.SIGINT)
        else:
            _thread.interrupt_main()


@contextmanager
def stdout_failures(announcer: Announcer) -> Iterator[None]:
    """An interrupt the announcer raised because standard output failed becomes that error."""
    try:
        yield
    except KeyboardInterrupt:
        if announcer.failure is not None:
            raise stdout_error(announcer.failure) from None
        raise


def play(text: str | Article, config: RenderConfig, command: PlayerCommand, output: Path | None = None,
         listener: Listener = ignore, announce: Announce = lambda n, t, s: None, *,
         source: str = STDIN_SOURCE) -> PlayResult:
    """Synthesize ahead with a bounded look-ahead and feed the player as clips arrive.

    The player and, with ``output``, the file are two outlets of one streamed pass
    (tts.audio.master): the player hears each clip as soon as it is measured, at the gain
    the loudness so far calls for, and the file is written as ``render`` writes it. At a
    ``config.speed`` other than 1 the player hears it through the same atempo as the file.
    """
    started = time.perf_counter()
    if output is not None:
        prepare_outputs(output, config, source)
    plan = make_plan(text, config, listener, defer_engine_form=True)
    announcer = Announcer(plan, PlaybackClock(), announce)
    with stdout_failures(announcer), ExitStack() as cleanup:
        cleanup.callback(announcer.stop.set)  # runs last: also on Ctrl-C or a failure
        feed = PlayerFeed(command, announcer, cleanup, started, config.speed)
        outlets = [Outlet(feed.open, 0.0, PLAYER_CEILING_DB)]
        audio = None
        if output is not None:
            cleanup.enter_context(written_together(output, config))  # locked, replaced as a set
            audio = cleanup.enter_context(AudioOutput(plan, output, config, source))
            outlets.append(audio.outlet())
        mixer = cleanup.enter_context(Mixer(outlets, config.loudness))
        for clip, pause in stream(plan, config, listener, LOOKAHEAD):
            if clip.chunk.index == 0:  # where the player hears it: after --speed
                rate = mixer.rate or clip.audio.frame_rate
                heard = round(mixer.spool.frames / config.speed)
                announcer.starts.append((frames_to_ms(heard, rate), clip.chunk.paragraph))
            span = mixer.add(clip, pause)
            if audio is not None:
                audio.record(clip, span)
        mixer.finish()
        feed.finish()
        if audio is not None:
            timeline, duration_ms = audio.finish()
            write_side_files(plan, timeline, duration_ms, output, config, source,  # type: ignore[arg-type]
                             audio.tags)
    return PlayResult(feed.sent_ms, len(plan.paragraphs), len(plan.chunks), plan.engine.name,
                      feed.first_audio, output)


@dataclass
class PlayerFeed:
    """The player as an outlet: started on the first block, told the position as it plays;
    at a ``speed`` other than 1, through a Tempo (positions are then of the audio heard)."""

    command: PlayerCommand
    announcer: Announcer
    cleanup: ExitStack
    started: float
    speed: float = 1.0
    player: AudioPlayer | None = None
    tempo: Tempo | None = None
    rate: int = 0
    sent_bytes: int = 0
    first_audio: float = 0.0

    @property
    def sent_ms(self) -> int:
        return frames_to_ms(self.sent_bytes // SAMPLE_WIDTH, self.rate)

    def open(self, rate: int, layout: Layout | None) -> Callable[[bytes], None]:
        self.rate = rate
        self.player = self.cleanup.enter_context(AudioPlayer(self.command, rate))
        if self.speed != 1.0:
            self.tempo = self.cleanup.enter_context(Tempo(rate, self.speed, self.send))
        self.first_audio = time.perf_counter() - self.started
        threading.Thread(target=self.announcer.run, name="announcer", daemon=True).start()
        return self.write

    def write(self, pcm: bytes) -> None:
        if self.tempo is not None:
            self.tempo.write(pcm)
        else:
            self.send(pcm)

    def send(self, pcm: bytes) -> None:
        """Audio as it is heard (after the tempo) to the player."""
        assert self.player is not None
        self.sent_bytes += len(pcm)
        self.announcer.clock.sending(self.sent_ms)
        self.player.write(pcm)

    def finish(self) -> None:
        """Let the player play the rest; announce what is left."""
        if self.tempo is not None:
            self.tempo.finish()
        if self.player is not None:
            self.player.finish()
        self.announcer.stop.set()
        self.announcer.flush(self.sent_ms)
