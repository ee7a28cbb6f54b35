"""Listen while it renders: clips go to a player in order as soon as each is ready."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tts.audio.clip import SAMPLE_WIDTH
from tts.audio.deck import Deck, PlaybackClock
from tts.audio.master import Mixer, Outlet
from tts.audio.player import AudioPlayer, PlayerCommand
from tts.audio.tempo import Tempo
from tts.audio.timeline import frames_to_ms
from tts.config import RenderConfig
from tts.outputs.files import AudioOutput, prepare_outputs, write_side_files, written_together
from tts.pipeline import LOOKAHEAD, make_plan, stream
from tts.types import STDIN_SOURCE, Article, Layout, Listener, Plan, PlayResult, ignore
from tts.util.signals import interrupt_main
from tts.util.streams import stdout_error
from tts.util.terminal import StatusLine, keys_mode, split_keys

# The player gets PCM, which has no codec overshoot: the ceiling podcast platforms ask for.
PLAYER_CEILING_DB = -1.0
# How often the announcer checks the playback position, in seconds.
TICK_S = 0.05
# Keys on a terminal, and what they do; arrows in both of a terminal's cursor-key modes.
KEYS: dict[bytes, str] = {
    b" ": "pause", b"\x1b[D": "back", b"\x1bOD": "back", b"\x1b[C": "forward",
    b"\x1bOC": "forward", b"p": "previous", b"\x1b[A": "previous", b"\x1bOA": "previous",
    b"n": "next", b"\x1b[B": "next", b"\x1bOB": "next", b"q": "quit",
}
KEYS_HELP = "space pause  \u2190/\u2192 10 s  p/n paragraph  q quit"
JUMP_MS = 10_000
# "p" this far into a paragraph goes back to its start; sooner, to the paragraph before
# (as audiobook players do, so a double press walks back).
RESTART_MS = 3_000

Announce = Callable[[int, int, str], None]  # (paragraph number, total, original text)


def unannounced(number: int, total: int, text: str) -> None:
    """An Announce that says nothing."""


class Quit(KeyboardInterrupt):
    """The listener pressed q: playback stops as on Ctrl-C (what was made stays cached,
    ``-o`` is not written); the message says where."""


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
        # play() turns the KeyboardInterrupt into the stdout error.
        interrupt_main()

    def heard(self, position_ms: int) -> int:
        """How many paragraph starts playback has passed at ``position_ms``."""
        return sum(start <= position_ms for start, _ in self.starts)

    def jumped(self, position_ms: int) -> None:
        """After a jump: the paragraph jumped into is announced again, unless it is the
        one just announced."""
        reached = self.heard(position_ms)
        if reached != self.done:
            self.done = max(0, reached - 1)


@contextmanager
def interruptions(announcer: Announcer, feed: PlayerFeed) -> Iterator[None]:
    """An interrupt another thread raised to stop playback becomes its reason: standard
    output failed, or the listener pressed q."""
    try:
        yield
    except KeyboardInterrupt:
        if announcer.failure is not None:
            raise stdout_error(announcer.failure) from None
        if feed.controls is not None and feed.controls.quit:
            raise Quit(feed.controls.where()) from None
        raise


def play(text: str | Article, config: RenderConfig, command: PlayerCommand, output: Path | None = None,
         listener: Listener = ignore, announce: Announce = unannounced, *,
         source: str = STDIN_SOURCE, keys: int | None = None,
         status: TextIO | None = None) -> PlayResult:
    """Synthesize ahead with a bounded look-ahead and feed the player as clips arrive.

    The player and, with ``output``, the file are two outlets of one streamed pass
    (tts.audio.master): the player hears each clip as soon as it is measured, at the gain
    the loudness so far calls for, and the file is written as ``render`` writes it. At a
    ``config.speed`` other than 1 the player hears it through the same atempo as the file.

    With ``keys`` (a terminal's file descriptor) the keys in KEYS pause, jump and quit
    (tts.audio.deck), and ``status`` gets a line saying where playback is; q raises Quit.
    """
    started = time.perf_counter()
    if output is not None:
        prepare_outputs(output, config, source)
    plan = make_plan(text, config, listener, defer_engine_form=True)
    announcer = Announcer(plan, PlaybackClock(), announce)
    controls = None if keys is None else Controls(announcer, keys, StatusLine(status) if status else None)
    feed = PlayerFeed(command, announcer, started, config.speed, controls)
    with interruptions(announcer, feed), ExitStack() as cleanup:
        cleanup.callback(announcer.stop.set)  # runs last: also on Ctrl-C or a failure
        feed.cleanup = cleanup
        if controls is not None:
            cleanup.enter_context(keys_mode(controls.keys))
            cleanup.callback(controls.clear)
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
    started: float
    speed: float = 1.0
    controls: Controls | None = None
    """Keys on a terminal: the player is then a Deck, fed from a tape."""
    cleanup: ExitStack = field(default_factory=ExitStack)
    player: AudioPlayer | Deck | None = None
    tempo: Tempo | None = None
    rate: int = 0
    sent_bytes: int = 0
    first_audio: float = 0.0

    @property
    def sent_ms(self) -> int:
        return frames_to_ms(self.sent_bytes // SAMPLE_WIDTH, self.rate)

    def open(self, rate: int, layout: Layout | None) -> Callable[[bytes], None]:
        self.rate = rate
        if self.controls is not None:  # the deck's thread announces, between keys
            deck = Deck(self.command, rate, self.announcer.clock, self.controls.keys,
                        self.controls.press, self.controls.tick)
            self.player = self.controls.deck = self.cleanup.enter_context(deck)
        else:
            self.player = self.cleanup.enter_context(AudioPlayer(self.command, rate))
            threading.Thread(target=self.announcer.run, name="announcer", daemon=True).start()
        if self.speed != 1.0:
            self.tempo = self.cleanup.enter_context(Tempo(rate, self.speed, self.send))
        self.first_audio = time.perf_counter() - self.started
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
        if self.controls is not None:
            self.controls.clear()
        self.announcer.stop.set()
        self.announcer.flush(self.sent_ms)


@dataclass
class Controls:
    """Keys on a terminal drive the deck; one status line says where playback is."""

    announcer: Announcer
    keys: int
    status: StatusLine | None
    deck: Deck | None = None
    quit: bool = False

    def press(self, data: bytes) -> None:
        """Act on the keys read (from the deck's thread)."""
        for key in split_keys(data):
            action = KEYS.get(key.lower() if len(key) == 1 else key)
            if action == "quit":
                self.quit = True
                interrupt_main()
                return
            if action is not None and self.deck is not None:
                self.act(action, self.deck, self.announcer.clock.position_ms())
        self.tick()

    def act(self, action: str, deck: Deck, position: int) -> None:
        if action == "pause":
            deck.toggle_pause()
            return
        starts = [start for start, _ in self.announcer.starts]
        current = self.announcer.heard(position) - 1
        if action == "back":
            target: int | None = position - JUMP_MS
        elif action == "forward":
            target = position + JUMP_MS
        elif action == "next":
            target = starts[current + 1] if current + 1 < len(starts) else None
        elif current < 0:  # previous, before the first paragraph began
            target = 0
        else:
            to_its_start = position - starts[current] >= RESTART_MS or current == 0
            target = starts[current] if to_its_start else starts[current - 1]
        if target is not None:
            deck.jump(target)
            self.announcer.jumped(self.announcer.clock.position_ms())

    def tick(self) -> None:
        """Announce the paragraphs reached (the status line out of their way), then show it."""
        position = self.announcer.clock.position_ms()
        if self.announcer.heard(position) > self.announcer.done:
            self.clear()
            self.announcer.flush(position)
        if self.status is not None and self.deck is not None:
            mark = "\u23f8" if self.deck.paused else "\u25b6"
            paragraph = max(1, self.announcer.heard(position))
            self.status.show(f"{mark} {paragraph}/{len(self.announcer.plan.paragraphs)} "
                             f"{clock_time(position)}  {KEYS_HELP}")

    def clear(self) -> None:
        if self.status is not None:
            self.status.clear()

    def where(self) -> str:
        """Where playback was: ``at 0:42, paragraph 3/13``."""
        position = self.announcer.clock.position_ms()
        paragraph = max(1, self.announcer.heard(position))
        return f"at {clock_time(position)}, paragraph {paragraph}/{len(self.announcer.plan.paragraphs)}"


def clock_time(ms: int) -> str:
    """``m:ss``, as a player's clock shows it."""
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes}:{seconds:02d}"
