"""A true-peak limiter in numpy, fed in order: peaks between samples count, not only samples.

Peaks are found on the signal 4x oversampled (as BS.1770's true-peak meter does), but
only around samples within 6 dB of the ceiling, since no speech peak between two samples
rises more than that above both. The gain needed at each sample is then held and
smoothed, looking a few ms ahead, so it is down before the peak and never above what
any sample needs: no sample, and no point between samples, passes the ceiling.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]

OVERSAMPLE = 4
# Interpolating each point between two samples from the 8 samples on either side: a
# Kaiser-windowed sinc, within 0.1 dB of the ideal peak for speech at 22.05 kHz and above.
HALF_TAPS = 8
KAISER_BETA = 6.0
# Samples below this share of the ceiling cannot make an over between them.
CANDIDATE_SHARE = 0.5
# Where more than one gap in this many is near the ceiling (loud speech), every gap is
# interpolated at once: cheaper than picking them out, which took 0.5 s of a 2.3 s render
# at -14 LUFS. Neither way uses a matrix product: OpenBLAS's threads, started by one,
# spin on the second core the MP3 encoders need (with them, a render at -14 LUFS took
# 1.96 s, best of 8, against 1.54 s with one thread, in turns in one run).
DENSE_SHARE = 16
# The gain ramps down over 2 x ATTACK_S before a peak, stays down HOLD_S after it, then
# ramps back up over 2 x ATTACK_S: fast enough to leave speech its shape, slow enough
# not to distort (a ramp of a few ms is no click).
ATTACK_S = 0.0025
HOLD_S = 0.02
# How much of the limiter's loss so far still counts a second later. The leveller adds
# the loss to its gain, which makes the limiter take more: a loss summed from the start
# lagged behind the gain in force, and left -14 LUFS at -14.9 (at 0.5, -14.4).
LOSS_MEMORY = 0.5
# Samples per tile of the gain curve: 1.5 ms at 22.05 kHz, under the attack ramp.
TILE = 32


def phase_filters(oversample: int = OVERSAMPLE, half_taps: int = HALF_TAPS,
                  beta: float = KAISER_BETA) -> npt.NDArray[np.float32]:
    """Taps (2 x ``half_taps`` per column) giving the points 1/4, 2/4, 3/4 (by default)
    between two samples."""
    offsets = np.arange(-half_taps + 1, half_taps + 1)  # samples n-7 .. n+8 around n
    window = np.kaiser(2 * half_taps, beta)
    columns = [np.sinc(offsets - p / oversample) * window for p in range(1, oversample)]
    return np.stack(columns, axis=1).astype(np.float32)


def sliding_min(values: npt.NDArray[np.floating], before: int, after: int) -> Floats:
    """Each value's minimum over [i - before, i + after] (van Herk / Gil-Werman, in numpy)."""
    width = before + after + 1
    padded = np.concatenate([np.ones(before, values.dtype), values,
                             np.ones(after + width, values.dtype)])
    blocks = len(padded) // width
    shaped = padded[:blocks * width].reshape(blocks, width)
    forward = np.minimum.accumulate(shaped, axis=1).reshape(-1)
    backward = np.minimum.accumulate(shaped[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    n = len(values)
    return np.minimum(backward[:n], forward[width - 1:width - 1 + n])


def centered_mean(values: Floats, half: int) -> Floats:
    """Each value's mean over [i - half, i + half] (edges padded with 1, the no-change gain)."""
    padded = np.concatenate([np.ones(half + 1), values.astype(np.float64), np.ones(half)])
    sums = np.cumsum(padded)
    means: Floats = ((sums[2 * half + 1:] - sums[:-2 * half - 1]) / (2 * half + 1)).astype(np.float32)
    return means


# Where each sample of a tile lies between tile centres (at TILE / 2 - 0.5): the first
# half-tile from the centre before, the second toward the centre after.
HALF = TILE // 2
FROM_BEFORE = ((np.arange(HALF) + HALF + 0.5) / TILE).astype(np.float32)
TOWARD_AFTER = ((np.arange(HALF) + 0.5) / TILE).astype(np.float32)


def between_centres(curve: Floats, first: int, tiles: int) -> Floats:
    """The gain of every sample of ``tiles`` tiles from tile ``first``: ``curve`` (one value
    per tile, at its centre) interpolated linearly, held flat past the first and last
    centres (as np.interp does, without searching for each sample's centres)."""
    padded = np.concatenate([curve[:1], curve, curve[-1:]]).astype(np.float32)
    before, own, after = (padded[first + i:first + i + tiles, None] for i in range(3))
    halves = (before + (own - before) * FROM_BEFORE, own + (after - own) * TOWARD_AFTER)
    gains: Floats = np.concatenate(halves, axis=1).reshape(-1)
    return gains


class TruePeakLimiter:
    """Keeps true peaks at or under ``ceiling_db`` dBTP; the output is the input's length.

    The gain is worked out per tile of TILE samples (the tile's highest true peak) and
    interpolated between tile centres: a curve that never rises above what any sample of
    the two tiles around it needs, at a thirtieth of the work of a per-sample curve.
    """

    def __init__(self, rate: int, ceiling_db: float) -> None:
        self.ceiling = 10 ** (ceiling_db / 20)
        self.attack = max(1, round(rate * ATTACK_S / TILE))  # in tiles, as is hold
        self.hold = round(rate * HOLD_S / TILE)
        self.taps = phase_filters()
        margin = -(-HALF_TAPS // TILE) + 2  # tiles of context: interpolation, neighbours
        self.ahead = (2 * self.attack + margin) * TILE  # in samples, whole tiles
        self.behind = (2 * self.attack + self.hold + margin) * TILE
        self.buffer = np.zeros(self.behind, np.float32)  # history, then input not yet out
        self.rate = rate
        self.energy_in = self.energy_out = 0.0

    def process(self, samples: Floats) -> Floats:
        """Limit the next ``samples``; returns what is ready (a few ms later than the input)."""
        self.buffer = np.concatenate([self.buffer, samples.astype(np.float32, copy=False)])
        ready = (len(self.buffer) - self.behind - self.ahead) // TILE * TILE
        if ready <= 0:
            return np.zeros(0, np.float32)
        chunk = self.buffer[self.behind:self.behind + ready]
        gain = self.gains(self.buffer[:self.behind + ready + self.ahead], self.behind, ready)
        out = chunk if gain is None else chunk * gain
        energy = float(np.einsum("i,i->", chunk, chunk))  # not BLAS: see DENSE_SHARE
        # The loss at the gain now: older blocks, limited at other gains, fade out.
        fade = LOSS_MEMORY ** (len(chunk) / self.rate)
        self.energy_in = self.energy_in * fade + energy
        self.energy_out = self.energy_out * fade + (energy if gain is None else float(np.einsum("i,i->", out, out)))
        self.buffer = self.buffer[ready:]
        return out

    def flush(self) -> Floats:
        """The rest of the input, limited."""
        pending = len(self.buffer) - self.behind
        out = self.process(np.zeros(self.ahead + (-pending) % TILE, np.float32))
        return out[:pending]

    @property
    def loss_db(self) -> float:
        """How much the limiter has lowered the level of the last seconds, in dB (energy,
        not gated)."""
        if self.energy_out <= 0 or self.energy_in <= 0:
            return 0.0
        return 10 * math.log10(self.energy_in / self.energy_out)

    def gains(self, signal: Floats, start: int, count: int) -> Floats | None:
        """The gain of ``signal[start:start + count]`` (whole tiles); None where nothing
        passes the ceiling."""
        tiles = self.tile_peaks(signal)
        if tiles is None:
            return None
        needed = np.minimum(1.0, self.ceiling / np.maximum(tiles, 1e-9)).astype(np.float32)
        if needed.min() >= 1.0:
            return None
        # One tile more each way than the mean spans: a point between two tile centres
        # takes from both, so each must be under what the other tile needs too.
        held = sliding_min(needed, self.attack + self.hold + 1, self.attack + 1)
        curve = np.minimum(centered_mean(held, self.attack), 1.0)
        return between_centres(curve, start // TILE, count // TILE)

    def tile_peaks(self, signal: Floats) -> Floats | None:
        """Each tile's highest true peak; None when no sample comes near the ceiling."""
        magnitude = np.abs(signal)
        near = np.flatnonzero(magnitude > self.ceiling * CANDIDATE_SHARE)
        near = near[(near >= HALF_TAPS) & (near < len(signal) - HALF_TAPS - 1)]
        if len(near) == 0:
            return None
        tiles: Floats = magnitude.reshape(-1, TILE).max(axis=1)
        starts, between = peaks_between(signal, near, self.taps)
        np.maximum.at(tiles, starts // TILE, between)  # a gap counts for the tiles on both sides
        np.maximum.at(tiles, (starts + 1) // TILE, between)
        return tiles


def peaks_between(signal: Floats, near: npt.NDArray[np.intp],
                  taps: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.intp], Floats]:
    """The gaps after and before each sample of ``near``, by the index of the sample each
    gap follows, and the highest point of the signal oversampled by ``taps`` (from
    phase_filters) within each. A gap too near either end for the taps' whole window is
    left out (its window would wrap around to the other end)."""
    gaps = np.zeros(len(signal), bool)
    gaps[near] = gaps[near - 1] = True
    half = len(taps) // 2
    gaps[:half - 1] = gaps[len(signal) - half:] = False
    starts = np.flatnonzero(gaps)
    if len(starts) * DENSE_SHARE > len(signal):  # loud: every gap at once costs less
        highest = every_gap(signal, taps)  # [i]: the gap after sample i + half - 1
        between: Floats = highest[starts - half + 1]
    else:  # the gaps alone, each from its samples
        offsets = np.arange(-half + 1, half + 1)
        between = np.abs(np.einsum("ij,jk->ik", signal[starts[:, None] + offsets], taps)).max(axis=1)
    return starts, between


def every_gap(signal: Floats, taps: npt.NDArray[np.float32]) -> Floats:
    """The highest point between each two samples (from the first full window on), as
    sums of shifted copies: numpy's own loops, where a matrix product would start BLAS
    threads that spin against the encoders for the second core."""
    width = len(taps)
    count = len(signal) - width + 1
    highest: Floats | None = None
    for phase in taps.T:
        points = signal[:count] * phase[0]
        for k in range(1, width):
            points += signal[k:k + count] * phase[k]
        np.abs(points, out=points)
        highest = points if highest is None else np.maximum(highest, points, out=highest)
    assert highest is not None
    return highest

