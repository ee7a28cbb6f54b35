"""Synthesize chunks concurrently, politely and resumably: cache, retries, adaptive limit."""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from pydub import AudioSegment

from tts.audio.clip import speech_bounds
from tts.engines.base import Engine
from tts.errors import Cancelled, ChunkFailed, EngineError, NetworkError
from tts.synth.cache import ClipCache, clip_key
from tts.synth.wordtimes import WordTimer, settle_ends, shift_words
from tts.types import Chunk, Clip, WordTime

# First retry waits about this long; each next one twice as long, plus jitter.
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
# A Retry-After is obeyed up to this long; past it, a run would look hung.
RETRY_AFTER_CAP_S = 300.0
# After a 429, this many successes in a row earn back one request in flight.
RECOVER_AFTER = 4


class AdaptiveLimit:
    """A semaphore whose size halves on a 429 and creeps back up on success."""

    def __init__(self, maximum: int) -> None:
        self.maximum = self.limit = maximum
        self.active = self.streak = 0
        self.cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self.cond:
            self.cond.wait_for(lambda: self.active < self.limit)
            self.active += 1
        try:
            yield
        finally:
            with self.cond:
                self.active -= 1
                self.cond.notify_all()

    def throttle(self) -> None:
        with self.cond:
            self.limit, self.streak = max(1, self.limit // 2), 0

    def succeed(self) -> None:
        with self.cond:
            self.streak += 1
            if self.streak >= RECOVER_AFTER and self.limit < self.maximum:
                self.limit, self.streak = self.limit + 1, 0
                self.cond.notify_all()


def backoff_seconds(attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter; the server's Retry-After wins when given."""
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP_S)
    base = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** attempt)
    return float(base + random.uniform(0, base / 2))


class Synthesizer:
    """Turns chunks into clips, at most ``jobs`` at once, in chunk order."""

    def __init__(self, engine: Engine, cache: ClipCache | None, jobs: int = 4,
                 retries: int = 5, warn: Callable[[str], None] = lambda message: None,
                 prepare: Callable[[Chunk], Chunk] | None = None,
                 limit: AdaptiveLimit | None = None) -> None:
        self.engine, self.cache, self.retries, self.warn = engine, cache, retries, warn
        self.prepare = prepare  # a deferred step that gives a chunk its final text
        # An engine that is not thread-safe in-process runs one chunk at a time.
        self.jobs = min(jobs, engine.max_concurrency or jobs)
        # A batch passes one limit for all its articles: --jobs counts the whole run.
        self.limit = limit or AdaptiveLimit(self.jobs)
        self.stop = threading.Event()
        self.engine_key = engine.cache_key()
        self.failure: ChunkFailed | None = None  # the earliest chunk that failed for good
        self.reached = False  # whether the engine has answered once in this run
        self.lock = threading.Lock()

    def key(self, chunk: Chunk) -> str:
        return clip_key(self.engine_key, chunk.text, chunk.lang)

    def cached_count(self, chunks: Sequence[Chunk]) -> int:
        return 0 if self.cache is None else sum(self.cache.contains(self.key(c)) for c in chunks)

    def clips(self, chunks: Sequence[Chunk], lookahead: int | None = None) -> Iterator[Clip]:
        """Yield each chunk's clip in order, keeping at most ``lookahead`` chunks ahead.

        A deferred ``prepare`` step (tashkeel) runs in a thread of its own, in order, so
        the next paragraph gets its vowels while the engine speaks this one.
        """
        window = lookahead or len(chunks)
        todo = iter(chunks)
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="tts")
        preparing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") \
            if self.prepare is not None else None
        pending: deque[Future[Clip]] = deque()

        def submit_next() -> None:
            chunk = next(todo, None)
            if chunk is not None:
                ready = preparing.submit(self.prepare, chunk) if preparing and self.prepare else None
                pending.append(pool.submit(self.make_clip, chunk, ready))

        for _ in range(window):
            submit_next()
        leaving = False
        try:
            while pending:
                try:
                    clip = pending.popleft().result()
                except Cancelled:
                    raise self.failure or EngineError("synthesis was stopped") from None
                submit_next()
                yield clip
        except (KeyboardInterrupt, GeneratorExit):
            leaving = True  # Ctrl-C, or the consumer stopped: do not wait for requests in flight
            raise
        finally:
            # Start nothing new. After a failure, requests in flight finish and are
            # cached, so the error can say how much a rerun will not redo.
            self.stop.set()
            for executor in (pool, preparing):
                if executor is not None:
                    executor.shutdown(wait=not leaving, cancel_futures=True)

    def make_clip(self, chunk: Chunk, ready: Future[Chunk] | None = None) -> Clip:
        """The chunk's clip from the cache, else from the engine (then stored).

        ``ready`` is the chunk in its final form, being prepared in another thread.
        """
        try:
            if ready is not None:
                chunk = ready.result()
            key = self.key(chunk)
            stored = self.from_cache(key, chunk)
            if stored is not None:
                return stored
            audio, words = trimmed(*self.request(chunk))
            self.store(key, audio, words)
            return Clip(chunk, audio, cached=False, words=words)
        except Exception:
            self.stop.set()  # whatever went wrong, start nothing new
            raise

    def from_cache(self, key: str, chunk: Chunk) -> Clip | None:
        """The stored clip with its word times. One stored without them is made again when
        the engine reports times; else they are estimated when needed (wordtimes.chunk_words)."""
        stored = self.cache.get(key) if self.cache else None
        if stored is None:
            return None
        audio, words = stored.audio, stored.words
        if words is None and isinstance(self.engine, WordTimer):
            return None
        return Clip(chunk, audio, cached=True, words=words or ())

    def store(self, key: str, audio: AudioSegment, words: tuple[WordTime, ...] = ()) -> None:
        """Keep a clip; a cache that stops taking them (disk full) is dropped with a warning."""
        cache = self.cache
        if cache is None:
            return
        try:
            cache.put(key, audio, words)
        except OSError as exc:
            with self.lock:
                if self.cache is not None:
                    self.cache = None
                    self.warn(f"cannot store clips in {cache.root} ({exc.strerror or exc}); "
                              f"going on without the cache, so a rerun will not resume")

    def request(self, chunk: Chunk) -> tuple[AudioSegment, tuple[WordTime, ...]]:
        """Ask the engine, retrying what may pass: 429, 5xx, timeouts, lost connections.

        A host that has never answered in this run is not retried: that is a
        machine offline, not a passing fault, and waiting would only delay the error.
        """
        for attempt in range(self.retries + 1):
            if self.stop.is_set():
                raise Cancelled()
            try:
                with self.limit.slot():
                    spoken = speak(self.engine, chunk.text, chunk.lang)
                self.limit.succeed()
                self.reached = True
                return spoken
            except NetworkError as exc:
                never_reached = exc.unreachable and not self.reached
                if not exc.retryable or never_reached or attempt == self.retries:
                    raise self.fail(ChunkFailed(chunk, exc, attempt + 1)) from exc
                if exc.throttled:
                    self.limit.throttle()
                self.stop.wait(backoff_seconds(attempt, exc.retry_after))
            except EngineError as exc:
                raise self.fail(ChunkFailed(chunk, exc, attempt + 1)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def fail(self, failure: ChunkFailed) -> ChunkFailed:
        """Remember the earliest failed chunk (the one to report), stop starting new ones."""
        with self.lock:
            if self.failure is None or failure.chunk_order < self.failure.chunk_order:
                self.failure = failure
        self.stop.set()
        return failure


def speak(engine: Engine, text: str,
          lang: str | None = None) -> tuple[AudioSegment, tuple[WordTime, ...]]:
    """The engine's audio for ``text`` (in ``lang`` when not the article's), with its word
    times when the engine reports them."""
    if isinstance(engine, WordTimer):
        return engine.synthesize_words(text, lang)
    return engine.synthesize(text, lang), ()


def trimmed(audio: AudioSegment,
            words: tuple[WordTime, ...]) -> tuple[AudioSegment, tuple[WordTime, ...]]:
    """The clip without its edge silence, its word times (if any) moved to match."""
    start, end = speech_bounds(audio)
    clip = audio[start:end]
    if not words:
        return clip, ()
    return clip, settle_ends(shift_words(words, -start, len(clip)), clip)
