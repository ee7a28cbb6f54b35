"""The streamed pass: clips in order, their pauses, loudness measured, gain and a true-peak
limiter, into each outlet (an encoder, a player), holding only a few seconds in memory.

Clips are written in order to a spool of raw PCM on disk as they arrive, and measured
(BS.1770) on the way. An outlet reads the spool back a block at a time once it is a
``lead`` of audio behind the newest clip, so the gain it applies comes from the
loudness of everything measured so far, that lead included; an outlet without a lead
reads only once every clip is in, with the whole article's loudness (and layout) known.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import numpy.typing as npt
from pydub import AudioSegment

from tts.audio.clip import SAMPLE_WIDTH, conform
from tts.audio.limiter import TruePeakLimiter
from tts.audio.loudness import SILENT_LUFS, LoudnessMeter
from tts.types import Clip, FrameSpan, Layout

Pcm = npt.NDArray[np.int16]
FULL_SCALE = 32768.0
# Audio an outlet reads at a time: its gain ramps across it from the last block's.
# Blocks this long keep numpy's per-call costs small against its per-sample work.
BLOCK_S = 3.0
# The most gain given back for what the limiter takes. Where the target cannot be had
# under the ceiling, each dB more of gain is a dB more of limiting: without a bound the
# gain ran away (+36 dB at -14 LUFS under -4 dBTP), squashing speech that the codec then
# overshot by 3.7 dB.
MAX_MAKEUP_DB = 8.0
# Trials of the limiter on the first block, to find the gain it needs.
FIRST_GAIN_TRIALS = 3
# Below this much measured speech a loudness estimate is a guess: keep the gain found.
MIN_MEASURED_S = 2.0


class Spool:
    """The whole render as raw 16-bit PCM in a temp file, appended in order, read by outlets."""

    def __init__(self) -> None:
        # Closed by close(), which the Mixer calls however the render ends.
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="article-tts-spool-")  # noqa: SIM115
        self.frames = 0

    def append(self, pcm: Pcm) -> None:
        self.file.seek(0, 2)
        self.file.write(pcm.tobytes())
        self.frames += len(pcm)

    def read(self, start: int, frames: int) -> Pcm:
        self.file.seek(start * SAMPLE_WIDTH)
        return np.frombuffer(self.file.read(frames * SAMPLE_WIDTH), np.int16)

    def close(self) -> None:
        self.file.close()


class Leveler:
    """The gain toward ``target`` LUFS (from the meter, as it stands) and the limiter."""

    def __init__(self, meter: LoudnessMeter, rate: int, target: float | None,
                 ceiling_db: float) -> None:
        self.meter, self.rate, self.target, self.ceiling_db = meter, rate, target, ceiling_db
        self.limiter = TruePeakLimiter(rate, ceiling_db)
        self.gain_db: float | None = None

    def wanted_gain_db(self) -> float:
        """Target minus the loudness measured so far, plus what the limiter takes back."""
        if self.target is None:
            return 0.0
        measured = self.meter.integrated()
        enough = self.meter.measured_s >= MIN_MEASURED_S
        if measured <= SILENT_LUFS or (not enough and self.gain_db is not None):
            return self.gain_db or 0.0
        return self.target - measured + makeup_db(self.limiter)

    def process(self, pcm: Pcm) -> bytes:
        """The block at the current gain (ramped from the last one), limited, as 16-bit PCM."""
        wanted = self.wanted_gain_db()
        if self.gain_db is None and self.target is not None:
            wanted = self.first_gain_db(pcm, wanted)
        start = wanted if self.gain_db is None else self.gain_db
        self.gain_db = wanted
        samples = pcm.astype(np.float32) * np.float32(10 ** (start / 20) / FULL_SCALE)
        if wanted != start:
            samples *= np.linspace(1.0, 10 ** ((wanted - start) / 20), len(pcm), dtype=np.float32)
        return to_pcm(self.limiter.process(samples))

    def first_gain_db(self, pcm: Pcm, open_loop: float) -> float:
        """The first block's gain, with what the limiter will take back at that gain
        estimated beforehand on the block itself, by a few trial runs (each at the gain
        the one before called for; it rises toward the gain needed, never past it).
        Learnt over the first seconds instead, it left them quieter, and a short file
        most of an LU under its target where the limiter works hard (-14 LUFS)."""
        samples = pcm.astype(np.float32) / np.float32(FULL_SCALE)
        gain = open_loop
        for _ in range(FIRST_GAIN_TRIALS):
            trial = TruePeakLimiter(self.rate, self.ceiling_db)
            trial.process(samples * np.float32(10 ** (gain / 20)))
            trial.flush()
            gain = open_loop + makeup_db(trial)
        return gain

    def flush(self) -> bytes:
        return to_pcm(self.limiter.flush())


def makeup_db(limiter: TruePeakLimiter) -> float:
    """The gain that gives back what ``limiter`` took, at most MAX_MAKEUP_DB."""
    return min(limiter.loss_db, MAX_MAKEUP_DB)


def to_pcm(samples: npt.NDArray[np.float32]) -> bytes:
    """Floats (full scale 1.0) as 16-bit PCM bytes."""
    scaled = np.clip(np.rint(samples * FULL_SCALE), -FULL_SCALE, FULL_SCALE - 1)
    return bytes(scaled.astype(np.int16).tobytes())


Write = Callable[[bytes], None]


@dataclass
class Outlet:
    """Where levelled audio goes: ``open`` is called before the first block, with the
    whole layout when the outlet waits for every clip (``lead_s`` None)."""

    open: Callable[[int, Layout | None], Write]
    lead_s: float | None
    ceiling_db: float
    codec_loss_db: float = 0.0
    """LU its codec loses: the loudness aimed at is that much above the target."""
    read: int = 0
    write: Write | None = None
    leveler: Leveler | None = None

    def pump(self, spool: Spool, meter: LoudnessMeter, rate: int, target: float | None,
             lead_frames: int, layout: Layout | None = None) -> None:
        """Level and send what is at least ``lead_frames`` behind the spool's end."""
        block = round(rate * BLOCK_S)
        while spool.frames - self.read > lead_frames:
            if self.write is None:
                self.write = self.open(rate, layout)
                aim = None if target is None else target + self.codec_loss_db
                self.leveler = Leveler(meter, rate, aim, self.ceiling_db)
            assert self.leveler is not None
            size = min(block, spool.frames - self.read - lead_frames)
            self.write(self.leveler.process(spool.read(self.read, size)))
            self.read += size

    def finish(self, spool: Spool, meter: LoudnessMeter, rate: int, target: float | None,
               layout: Layout) -> None:
        """Send the rest, and the limiter's last few ms."""
        self.pump(spool, meter, rate, target, 0, layout)
        if self.write is None:
            self.write = self.open(rate, layout)
        if self.leveler is not None:
            self.write(self.leveler.flush())


@dataclass
class Mixer:
    """Lays clips end to end with their pauses, measures them, and feeds the outlets."""

    outlets: list[Outlet]
    target: float | None
    rate: int = 0
    spool: Spool = field(default_factory=Spool)
    meter: LoudnessMeter | None = None

    def add(self, clip: Clip, pause_ms: int) -> FrameSpan:
        """Lay ``clip`` and the pause after it; where the clip's audio sits, in frames."""
        return self.add_audio(clip.audio, pause_ms)

    def add_audio(self, segment: AudioSegment, pause_ms: int) -> FrameSpan:
        """Lay ``segment`` and ``pause_ms`` of silence after it; where it sits, in frames."""
        if self.meter is None:
            self.rate = segment.frame_rate
            self.meter = LoudnessMeter(self.rate)
        audio = conform(segment, self.rate, 1)
        pcm = np.frombuffer(audio.raw_data, np.int16)
        pause = np.zeros(self.rate * pause_ms // 1000, np.int16)
        span = FrameSpan(self.spool.frames, self.spool.frames + len(pcm))
        if self.target is not None:  # without a target, nothing needs the loudness
            self.meter.add(pcm, FULL_SCALE)
            self.meter.add_silence(len(pause))
        self.spool.append(pcm)
        self.spool.append(pause)
        for outlet in self.outlets:
            if outlet.lead_s is not None:
                outlet.pump(self.spool, self.meter, self.rate, self.target,
                            math.ceil(outlet.lead_s * self.rate))
        return span

    def __enter__(self) -> Mixer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.spool.close()  # also when the render stops early; closing twice is harmless

    def finish(self) -> Layout:
        """Send everything still spooled; the layout of the whole render."""
        layout = Layout(self.spool.frames)
        if self.meter is not None:
            for outlet in self.outlets:
                outlet.finish(self.spool, self.meter, self.rate, self.target, layout)
        self.spool.close()
        return layout
