"""One speech request's synthesis: the CLI's front-end and clip cache, levelled as it goes, encoded
by one ffmpeg process whose output is streamed back while later sentences are still being made.

It runs in a thread of its own (the engines, the mixer and ffmpeg block), and hands the
encoded bytes to the event loop through a ``Channel``; a client that leaves cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from tts.audio.clip import wav_header
from tts.audio.export import Encoder, pcm_input, tempo_filters
from tts.audio.formats import LOSSLESS_CEILING_DB, MP3_LOUDNESS_LOSS_DB, MP3_UNCHECKED_CEILING_DB
from tts.audio.master import Mixer, Outlet, Write
from tts.audio.timeline import pauses_after
from tts.config import RenderConfig, article_config
from tts.errors import (
    ArticleTTSError,
    ChunkFailed,
    ConfigError,
    EngineUnavailable,
    FetchError,
    InputError,
    UnknownVoice,
)
from tts.pipeline import LOOKAHEAD, make_plan
from tts.server.catalog import Choice
from tts.server.errors import ApiError, invalid
from tts.server.request import SpeechRequest
from tts.sources import load_article
from tts.sources.url import is_url
from tts.synth.cache import ClipCache
from tts.synth.synthesize import Synthesizer
from tts.text.chunk import sentence_chunks
from tts.types import Article, Clip, Event, Layout, Notice

log = logging.getLogger("tts.server")

# OpenAI's audio is 24 kHz mono; ``pcm`` is defined as 24 kHz 16-bit little-endian.
WIRE_RATE = 24000
# Encoded blocks held for a client that reads slowly, before the encoder waits for it.
ROOM_BLOCKS = 64
# How often a blocked hand-over looks whether the client has gone.
POLL_S = 0.1


@dataclass(frozen=True)
class Wire:
    """How one ``response_format`` is encoded and labelled."""

    media_type: str
    args: tuple[str, ...]
    ceiling_db: float
    """True-peak ceiling of the streamed limiter: lossy codecs overshoot it, unchecked."""
    loss_db: float = 0.0
    """LU the codec loses, given back as gain (tts.audio.export)."""
    riff_header: bool = False
    """A WAV header with 0xFFFFFFFF sizes goes first: the length is not known yet."""


# No Xing/Info header and no ID3 tag: a streamed MP3's length is unknown when it starts,
# and a header giving a wrong one made players stop joined replies after the first.
# Opus is Ogg Opus and AAC is ADTS, as OpenAI sends them: both stream without seeking.
WIRES: dict[str, Wire] = {
    "mp3": Wire("audio/mpeg", ("-f", "mp3", "-c:a", "libmp3lame", "-b:a", "64k", "-ar", str(WIRE_RATE),
                               "-write_xing", "0", "-id3v2_version", "0"),
                MP3_UNCHECKED_CEILING_DB, MP3_LOUDNESS_LOSS_DB),
    "opus": Wire("audio/ogg", ("-f", "ogg", "-c:a", "libopus", "-b:a", "48k", "-ar", "48000"),
                 MP3_UNCHECKED_CEILING_DB),
    "aac": Wire("audio/aac", ("-f", "adts", "-c:a", "aac", "-b:a", "64k", "-ar", str(WIRE_RATE)),
                MP3_UNCHECKED_CEILING_DB),
    "flac": Wire("audio/flac", ("-f", "flac", "-c:a", "flac", "-sample_fmt", "s16", "-ar", str(WIRE_RATE)),
                 LOSSLESS_CEILING_DB),
    "wav": Wire("audio/wav", ("-f", "s16le", "-c:a", "pcm_s16le", "-ar", str(WIRE_RATE)),
                LOSSLESS_CEILING_DB, riff_header=True),
    "pcm": Wire("audio/pcm", ("-f", "s16le", "-c:a", "pcm_s16le", "-ar", str(WIRE_RATE)),
                LOSSLESS_CEILING_DB),
}


@dataclass(frozen=True)
class Job:
    """Everything one request's synthesis needs."""

    request: SpeechRequest
    choice: Choice
    cache: ClipCache | None
    lexicons: tuple[Path, ...] = ()
    loudness: float | None = -16.0
    allow_urls: bool = False


class Cancelled(Exception):
    """The client left, or the request ran out of time: stop making audio for it."""


_END = object()


class Channel:
    """Encoded bytes from the job's threads to the event loop, a bounded number at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, room: int = ROOM_BLOCKS) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.room = threading.Semaphore(room)
        self.cancelled = threading.Event()
        self.done = False
        """The job's end (or its error) has reached the loop."""

    # --- the job's side (threads) ---

    def write(self, data: bytes | memoryview) -> int:
        """Hand one block over (Encoder's sink); BrokenPipeError once the client has left."""
        while not self.room.acquire(timeout=POLL_S):
            if self.cancelled.is_set():
                raise BrokenPipeError("the client left")
        if self.cancelled.is_set():
            raise BrokenPipeError("the client left")
        self.send(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here (Encoder flushes its sink after each block)."""

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled()

    def send(self, item: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server is stopping
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def end(self, error: BaseException | None = None) -> None:
        self.send(_END if error is None else error)

    # --- the event loop's side ---

    async def next(self, timeout: float | None) -> bytes | None:
        """The next block; None at the end; the job's error raised; TimeoutError past ``timeout``."""
        item = await asyncio.wait_for(self.queue.get(), timeout)
        if item is _END:
            self.done = True
            return None
        if isinstance(item, BaseException):
            self.done = True
            raise item
        self.room.release()
        assert isinstance(item, bytes)
        return item

    def cancel(self) -> None:
        self.cancelled.set()


def start(job: Job, channel: Channel, done: Callable[[], None]) -> threading.Thread:
    """Run ``job`` in a thread feeding ``channel``; ``done`` is called (in the loop) when it ends."""
    def run() -> None:
        try:
            produce(job, channel)
            channel.end()
        except Cancelled:
            channel.end(Cancelled())
        except ApiError as exc:
            channel.end(exc)
        except Exception as exc:
            channel.end(as_api_error(exc, channel))
        finally:
            with contextlib.suppress(RuntimeError):
                channel.loop.call_soon_threadsafe(done)
    thread = threading.Thread(target=run, name="speech", daemon=True)
    thread.start()
    return thread


def as_api_error(exc: Exception, channel: Channel) -> Exception:
    """What a failure means to the client: its own fault (400), or ours (5xx)."""
    if channel.cancelled.is_set():
        return Cancelled()
    if isinstance(exc, InputError):
        return invalid("input", str(exc))
    if isinstance(exc, UnknownVoice):  # its own next step is the command line's --voice
        return invalid("voice", f"{exc.problem}: send another name in the voice field; "
                                "GET /v1/audio/voices lists them")
    if isinstance(exc, ConfigError):
        return invalid("voice", f"{exc}; GET /v1/audio/voices lists the voices")
    if isinstance(exc, FetchError):
        return ApiError(502, str(exc), "input", "fetch_failed")
    if isinstance(exc, EngineUnavailable):
        return ApiError(503, str(exc), None, "engine_unavailable")
    if isinstance(exc, ArticleTTSError):
        return ApiError(500, str(exc), None, "synthesis_failed")
    log.exception("speech request failed")
    return ApiError(500, f"internal error ({type(exc).__name__}); see the server's log", None,
                    "internal_error")


def produce(job: Job, channel: Channel) -> None:
    """Plan, synthesize clip by clip, level, encode; each encoded block goes to ``channel``."""
    config = RenderConfig(engine=job.choice.engine, voice=job.choice.voice, lexicons=job.lexicons,
                          loudness=job.loudness, cache_dir=None)
    text: str | Article = job.request.input
    if job.allow_urls and is_url(job.request.input.strip()):
        text = load_article(job.request.input.strip())  # an http(s) address only: never a path
        config = article_config(config, text, lang_given=False)
    plan = make_plan(text, config, note, defer_engine_form=True)
    plan = replace(plan, chunks=sentence_chunks(plan.chunks))
    channel.check()
    synth = Synthesizer(plan.engine, job.cache, config.jobs, config.retries, warn=log.warning,
                        prepare=plan.prepare)
    wire = WIRES[job.request.response_format]
    encoding = EncodedOutlet(wire, job.request.speed, channel)
    pauses = pauses_after(plan.chunks, config)
    try:
        with Mixer([encoding.outlet()], config.loudness) as mixer, \
                contextlib.closing(cast("Generator[Clip, None, None]",
                                         synth.clips(plan.chunks, LOOKAHEAD))) as clips:
            for clip, pause in zip(clips, pauses, strict=True):
                channel.check()
                mixer.add(clip, pause)
            mixer.finish()
        encoding.close()
    except ChunkFailed as exc:
        encoding.abort()
        raise exc.cause from exc
    except BaseException:
        encoding.abort()
        raise


def note(event: Event) -> None:
    if isinstance(event, Notice):
        log.info("%s", event.message)


class EncodedOutlet:
    """The mixer's outlet: one ffmpeg fed levelled PCM, its output copied to the channel."""

    def __init__(self, wire: Wire, speed: float, channel: Channel) -> None:
        self.wire, self.speed, self.channel = wire, speed, channel
        self.encoder: Encoder | None = None

    def outlet(self) -> Outlet:
        """Levelled as it is made (no lead): the first clip is heard at once."""
        return Outlet(self.open, 0.0, self.wire.ceiling_db, self.wire.loss_db)

    def open(self, rate: int, layout: Layout | None) -> Write:
        prefix = wav_header(WIRE_RATE) if self.wire.riff_header else b""
        self.encoder = Encoder(encoder_command(self.wire, rate, self.speed), "encode the reply",
                               self.channel, prefix)  # type: ignore[arg-type]
        return self.encoder.write

    def close(self) -> None:
        if self.encoder is None:
            raise ApiError(500, "no audio was made", None, "synthesis_failed")
        self.encoder.close()

    def abort(self) -> None:
        if self.encoder is not None:
            self.encoder.abort()


def encoder_command(wire: Wire, rate: int, speed: float) -> list[str]:
    """ffmpeg reading mono 16-bit PCM at ``rate`` and writing ``wire`` to its standard output,
    each packet as soon as it is made."""
    filters = tempo_filters(speed, None)
    return [*pcm_input(rate, probe=False), *(["-af", ",".join(filters)] if filters else []),
            *wire.args, "-flush_packets", "1", "pipe:1"]
