"""BS.1770 loudness measured as the audio is made: K-weighting, 400 ms blocks, two gates.

The meter keeps only one energy per 100 ms step (36,000 floats an hour), so the
integrated loudness of any length of audio is exact from those, with no second decode:
each 400 ms block (75% overlap) is the mean of four steps, and the gates are applied
to the blocks when asked.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]

# ITU-R BS.1770-4: the K-weighting is a high shelf (about +4 dB above 1.5 kHz, the head's
# effect) then a high-pass (the RLB curve). These are the analog prototypes libebur128
# and pyloudnorm use, so the filters can be made for any sample rate, not only 48 kHz.
SHELF_HZ, SHELF_Q, SHELF_GAIN_DB = 1681.974450955533, 0.7071752369554196, 3.999843853973347
HIGHPASS_HZ, HIGHPASS_Q = 38.13547087602444, 0.5003270373238773
# Loudness of a block from its mean square: LK = -0.691 + 10 log10(z).
OFFSET_DB = -0.691
STEP_S = 0.1  # blocks of 400 ms start every 100 ms
STEPS_PER_BLOCK = 4
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
# What the meter says about silence: the absolute gate, as ffmpeg's ebur128 reports it.
SILENT_LUFS = -70.0
# The filter runs as an FIR of its own impulse response, cut where the tail's energy is
# below 1e-12 of the whole (the high-pass rings for about 55 ms at any rate).
TAIL_ENERGY = 1e-12
MAX_TAPS_S = 0.25
# Frame of the overlap-save convolution: measured fastest of 4096-16384 for 1,200-2,600 taps.
FFT_SIZE = 8192
# Frames filtered per numpy call: a paragraph is measured in pieces of about 2.5 s, so
# the FFT's buffers stay under 1 MB whatever the clip's length. At 64 frames (20 s,
# buffers of several MB) malloc gave each call's buffers back to the system and faulted
# fresh pages in for the next: 39,000 page faults measuring the article, 0.21 s against
# 0.12 s at 8 (4 to 16 are as fast; fewer calls cost per call again).
FRAMES_PER_CALL = 8
# Room for the step powers, grown by doubling: an hour is 36,000 steps (288 kB).
STEPS_GROW = 4096


def biquads(rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    """The two K-weighting sections at ``rate``, as (b, a) with a[0] == 1."""
    k = math.tan(math.pi * SHELF_HZ / rate)
    vh = 10 ** (SHELF_GAIN_DB / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / SHELF_Q + k * k
    shelf = ((vh + vb * k / SHELF_Q + k * k) / a0, 2 * (k * k - vh) / a0,
             (vh - vb * k / SHELF_Q + k * k) / a0)
    shelf_a = (1.0, 2 * (k * k - 1) / a0, (1 - k / SHELF_Q + k * k) / a0)
    k = math.tan(math.pi * HIGHPASS_HZ / rate)
    a0 = 1 + k / HIGHPASS_Q + k * k
    highpass_a = (1.0, 2 * (k * k - 1) / a0, (1 - k / HIGHPASS_Q + k * k) / a0)
    return [(shelf, shelf_a), ((1.0, -2.0, 1.0), highpass_a)]


def impulse_response(rate: int) -> Samples:
    """The K-weighting's impulse response at ``rate``, long enough to be exact in practice."""
    length = int(rate * MAX_TAPS_S)
    signal = [0.0] * length
    signal[0] = 1.0
    for (b0, b1, b2), (_, a1, a2) in biquads(rate):
        x1 = x2 = y1 = y2 = 0.0
        out = []
        for x in signal:
            y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2, x1, y2, y1 = x1, x, y1, y
            out.append(y)
        signal = out
    response = np.asarray(signal)
    energy = np.cumsum(response[::-1] ** 2)[::-1]  # energy from each sample to the end
    keep = int(np.argmax(energy < TAIL_ENERGY * energy[0])) or length
    return response[:keep]


class LoudnessMeter:
    """Integrated loudness (LUFS) of mono audio fed in order, in pieces of any size.

    The K-weighting runs as overlap-save FFT convolution over frames of FFT_SIZE, many
    frames per numpy call; samples short of a whole frame wait for the next piece.
    """

    def __init__(self, rate: int) -> None:
        kernel = impulse_response(rate)
        self.history = len(kernel) - 1
        self.hop = FFT_SIZE - self.history
        self.spectrum = np.fft.rfft(kernel.astype(np.float32), FFT_SIZE)
        self.step = round(rate * STEP_S)
        self.pending = np.zeros(self.history, np.float32)  # input not yet filtered, after history
        self.partial = np.zeros(0, np.float32)  # filtered samples short of a whole step
        self.powers = np.zeros(STEPS_GROW)  # mean square of each 100 ms step, then room
        self.count = 0  # steps measured
        # The integrated loudness at ``count`` steps: every block of audio an outlet levels
        # asks for it, and gating the whole history each time cost 2.3 ms an hour of audio.
        self.cached: tuple[int, float] | None = None

    @property
    def measured_s(self) -> float:
        """How much audio has been measured, in seconds."""
        return self.count * STEP_S

    @property
    def steps(self) -> Samples:
        """The mean square of each 100 ms step measured so far."""
        return self.powers[:self.count]

    def add(self, samples: npt.NDArray[np.floating] | npt.NDArray[np.integer],
            full_scale: float = 1.0) -> None:
        """Measure ``samples`` as the next stretch of the audio: floats at full scale 1.0, or
        integers at ``full_scale`` (32768 for 16-bit PCM), turned to floats a piece at a
        time, so a clip of minutes is never held as floats whole."""
        piece = self.hop * FRAMES_PER_CALL
        for start in range(0, len(samples), piece):
            part = samples[start:start + piece].astype(np.float32, copy=False)
            self.add_piece(part / np.float32(full_scale))

    def add_piece(self, samples: npt.NDArray[np.floating]) -> None:
        """Measure a stretch of at most FRAMES_PER_CALL frames."""
        self.pending = np.concatenate([self.pending, samples.astype(np.float32, copy=False)])
        frames = (len(self.pending) - self.history) // self.hop
        if frames == 0:
            return
        used = frames * self.hop
        windows = np.lib.stride_tricks.sliding_window_view(self.pending[:used + self.history],
                                                           FFT_SIZE)[::self.hop]
        filtered = np.fft.irfft(np.fft.rfft(windows, axis=1) * self.spectrum, FFT_SIZE, axis=1)
        self.take(filtered[:, self.history:].reshape(-1))
        self.pending = self.pending[used:]

    def add_silence(self, frames: int) -> None:
        """Measure ``frames`` of digital silence (a pause): once the filter has rung out
        (a frame of zeros), its output is zeros too, so the rest is not filtered."""
        ring = min(frames, FFT_SIZE)
        self.add(np.zeros(ring, np.float32))
        rest = frames - ring
        if rest > 0:
            waiting = len(self.pending) - self.history  # zeros, not yet filtered
            self.pending = np.zeros(self.history, np.float32)  # the filter's memory: zeros
            self.take(np.zeros(waiting + rest, np.float32))

    def take(self, filtered: npt.NDArray[np.floating]) -> None:
        """Add K-weighted samples to the 100 ms steps."""
        joined = np.concatenate([self.partial, filtered]) if len(self.partial) else filtered
        whole = len(joined) // self.step * self.step
        if whole:
            squares = np.square(joined[:whole], dtype=np.float64).reshape(-1, self.step)
            self.keep(squares.mean(axis=1))
        self.partial = joined[whole:]

    def keep(self, powers: Samples) -> None:
        """Append step powers, doubling the room when it runs out (8 bytes per 100 ms)."""
        if self.count + len(powers) > len(self.powers):
            grown = np.zeros(max(2 * len(self.powers), self.count + len(powers)))
            grown[:self.count] = self.steps
            self.powers = grown
        self.powers[self.count:self.count + len(powers)] = powers
        self.count += len(powers)

    def integrated(self) -> float:
        """The gated integrated loudness of everything measured so far (-70 when silent).

        The last few hundred ms, short of a whole frame, count once more audio follows.
        """
        if self.cached is None or self.cached[0] != self.count:
            self.cached = (self.count, integrated_loudness(self.block_powers()))
        return self.cached[1]

    def block_powers(self) -> Samples:
        """Mean square of each 400 ms block, one starting every 100 ms."""
        steps = self.steps
        if len(steps) < STEPS_PER_BLOCK:
            return np.zeros(0)
        windows = np.lib.stride_tricks.sliding_window_view(steps, STEPS_PER_BLOCK)
        powers: Samples = windows.mean(axis=1)
        return powers


def integrated_loudness(powers: Samples) -> float:
    """BS.1770's gated loudness of blocks with mean squares ``powers``."""
    if len(powers) == 0:
        return SILENT_LUFS
    with np.errstate(divide="ignore"):
        levels = OFFSET_DB + 10 * np.log10(powers)
    gated = powers[levels > ABSOLUTE_GATE_LUFS]
    if len(gated) == 0:
        return SILENT_LUFS
    relative = OFFSET_DB + 10 * math.log10(gated.mean()) + RELATIVE_GATE_LU
    kept = gated[OFFSET_DB + 10 * np.log10(gated) > relative]
    return OFFSET_DB + 10 * math.log10(kept.mean()) if len(kept) else SILENT_LUFS
