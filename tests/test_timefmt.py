"""One formatter per time notation, each checked against the notation's own examples."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tts.util import timefmt

H, M, S = 3_600_000, 60_000, 1000


@pytest.mark.parametrize(("write", "ms", "text"), [
    # WebVTT cues and Vorbis chapters: HH:MM:SS.mmm; SRT: a comma before the milliseconds.
    (timefmt.hms_millis, 0, "00:00:00.000"),
    (timefmt.hms_millis, 3_723_045, "01:02:03.045"),
    (timefmt.hms_millis, 100 * H + 5, "100:00:00.005"),
    (lambda ms: timefmt.hms_millis(ms, timefmt.SRT_SEPARATOR), 3_723_045, "01:02:03,045"),
    # LRC: minutes go past 59, hundredths cut down.
    (timefmt.lrc_clock, 0, "00:00.00"),
    (timefmt.lrc_clock, 1_209, "00:01.20"),
    (timefmt.lrc_clock, 3_723_045, "62:03.04"),
    # A player's clock: m:ss, whole seconds cut down.
    (timefmt.player_clock, 0, "0:00"),
    (timefmt.player_clock, 59_999, "0:59"),
    (timefmt.player_clock, 61 * M + 5 * S, "61:05"),
    # The command's closing line: m:ss.s, to the nearest tenth.
    (timefmt.summary_duration, 0, "0:00.0"),
    (timefmt.summary_duration, 5_340, "0:05.3"),
    (timefmt.summary_duration, 83_460, "1:23.5"),
    (timefmt.summary_duration, 59_960, "1:00.0"),  # rounds into the next minute, not 0:60.0
    (timefmt.summary_duration, 12 * M, "12:00.0"),
])
def test_each_notation(write: Callable[[int], str], ms: int, text: str) -> None:
    assert write(ms) == text


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00:00"), (59, "0:00:59"), (3725, "1:02:05"),
                                               (36_000, "10:00:00")])
def test_hms_round_trip(seconds: int, text: str) -> None:
    # itunes:duration: H:MM:SS, read back as written.
    assert timefmt.hms(seconds) == text
    assert timefmt.parse_hms(text) == seconds


@pytest.mark.parametrize(("text", "seconds"), [("1:05", 65), ("90", 90), ("12.7", 12), (" 0:01:02 ", 62)])
def test_parse_hms_takes_the_shorter_forms(text: str, seconds: int) -> None:
    assert timefmt.parse_hms(text) == seconds
