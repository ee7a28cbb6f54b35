"""Concurrency, retries and the adaptive limit, against the fake Google endpoint."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from conftest import FakeGoogle

from tts.engines.google import GoogleEngine, _retry_after
from tts.errors import ChunkFailed
from tts.synth import synthesize
from tts.synth.cache import ClipCache
from tts.synth.synthesize import AdaptiveLimit, Synthesizer
from tts.types import Break, Chunk


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synthesize, "BACKOFF_BASE_S", 0.01)


def chunks(n: int) -> list[Chunk]:
    texts = [f"جملة رقم {i} في المقال" for i in range(n)]
    return [Chunk(i, 0, t, 0, len(t), Break.PARAGRAPH) for i, t in enumerate(texts)]


def test_clips_come_back_in_order(google: FakeGoogle) -> None:
    google.latency = 0.02
    wanted = chunks(12)
    got = list(Synthesizer(GoogleEngine(), None, jobs=4).clips(wanted))
    assert [c.chunk for c in got] == wanted
    assert all(len(c.audio) > 500 for c in got)


def test_in_flight_never_exceeds_jobs(google: FakeGoogle) -> None:
    google.latency = 0.05
    list(Synthesizer(GoogleEngine(), None, jobs=3).clips(chunks(15)))
    assert google.max_in_flight == 3  # bounded, and the bound is actually used


def test_429_is_retried_until_it_passes(google: FakeGoogle) -> None:
    google.fail_status, google.fail_times = 429, 3
    got = list(Synthesizer(GoogleEngine(), None, jobs=1, retries=5).clips(chunks(1)))
    assert len(got) == 1 and google.attempts == 4


def test_5xx_exhausting_retries_fails_with_the_chunk(google: FakeGoogle) -> None:
    google.fail_status, google.fail_times = 503, 10
    with pytest.raises(ChunkFailed) as info:
        list(Synthesizer(GoogleEngine(), None, jobs=1, retries=2).clips(chunks(3)))
    assert info.value.chunk.paragraph == 0 and info.value.tries == 3
    assert google.attempts == 3  # nothing new started after the failure


def test_other_4xx_is_not_retried(google: FakeGoogle) -> None:
    google.fail_status, google.fail_times = 403, 10
    with pytest.raises(ChunkFailed, match="403"):
        list(Synthesizer(GoogleEngine(), None, jobs=1, retries=5).clips(chunks(1)))
    assert google.attempts == 1


def test_outage_keeps_finished_clips_and_stops(google: FakeGoogle, tmp_path: Path) -> None:
    google.down_after = 5
    cache = ClipCache(tmp_path / "c")
    with pytest.raises(ChunkFailed, match="cannot reach"):
        list(Synthesizer(GoogleEngine(), cache, jobs=2, retries=1).clips(chunks(20)))
    assert cache.info().entries == 5
    # Two workers, each fails twice (one retry), then nothing more is attempted.
    assert google.attempts <= 5 + 2 * 2 + 2


def test_adaptive_limit_halves_and_recovers() -> None:
    limit = AdaptiveLimit(8)
    limit.throttle()
    assert limit.limit == 4
    limit.throttle()
    limit.throttle()
    limit.throttle()
    assert limit.limit == 1
    for _ in range(synthesize.RECOVER_AFTER * 3):
        limit.succeed()
    assert limit.limit == 4


def test_429_lowers_requests_in_flight(google: FakeGoogle) -> None:
    google.latency, google.fail_status, google.fail_times = 0.02, 429, 1
    runner = Synthesizer(GoogleEngine(), None, jobs=8, retries=5)
    list(runner.clips(chunks(3)))
    assert runner.limit.limit < 8


def test_backoff_grows_and_honours_retry_after() -> None:
    first, later = synthesize.backoff_seconds(0, None), synthesize.backoff_seconds(4, None)
    assert later > first * 8
    assert synthesize.backoff_seconds(3, 2.0) == 2.0


def test_a_host_never_reached_is_not_retried(google: FakeGoogle) -> None:
    google.down_after = 0  # offline from the start: fail at once, not after 5 backoffs
    with pytest.raises(ChunkFailed, match="cannot reach"):
        list(Synthesizer(GoogleEngine(), None, jobs=1, retries=5).clips(chunks(3)))
    assert google.attempts == 1


def test_the_earliest_failed_chunk_is_reported(google: FakeGoogle) -> None:
    google.latency, google.fail_status, google.fail_times = 0.02, 403, 100
    with pytest.raises(ChunkFailed) as info:
        list(Synthesizer(GoogleEngine(), None, jobs=4).clips(chunks(8)))
    assert info.value.chunk.paragraph == 0


def test_retry_after_as_an_http_date() -> None:
    response = requests.Response()
    response.headers["Retry-After"] = format_datetime(
        datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    assert 15 <= (_retry_after(response) or 0) <= 21
    response.headers["Retry-After"] = "120"
    assert _retry_after(response) == 120 and synthesize.backoff_seconds(0, 120) == 120


def test_a_cache_that_stops_taking_clips_is_dropped_with_a_warning(
        google: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ClipCache(tmp_path / "c")

    def full(key: str, clip: object, words: object = None) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cache, "put", full)
    warnings: list[str] = []
    got = list(Synthesizer(GoogleEngine(), cache, jobs=2, warn=warnings.append).clips(chunks(4)))
    assert len(got) == 4 and len(warnings) == 1 and "No space left" in warnings[0]
