"""What a lossy codec adds to the peaks, found in the decoded file and taken back out.

The limiter keeps the audio under its ceiling, but a codec rebuilds another waveform
that overshoots it, and not by a fixed amount: espeak's noise differs from call to call,
and at -14 LUFS libopus at 64 kbit/s overshot the same article by 0.8-3.3 dB over renders
(three in eight decoded above -1 dBTP under a -3 dBTP ceiling). A ceiling low enough for
the worst render leaves the limiter no room to reach the loudness. So the audio given
the encoder is kept on disk, the encoded file is decoded and measured, and where it
passes the limit it is encoded again with the gain dipped there by the excess and a
margin, for a few ms either side (a limiter's own move): the rest of the file, and its
loudness, stay as they were. If it still passes after GUARD_TRIES, an Opus file's
header gain (which every decoder applies, RFC 7845 5.1) takes the whole file down by
the rest; another format keeps its last encode.
"""

from __future__ import annotations

import math
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import numpy.typing as npt
from mutagen.ogg import OggPage

from tts.audio.clip import ffmpeg_error, ffmpeg_exe, popen_ffmpeg, widen_pipe
from tts.audio.limiter import CANDIDATE_SHARE, peaks_between, phase_filters
from tts.errors import OutputError

# The points between samples are measured 8x oversampled, each from 32 samples on either
# side: a codec's noise reaches up to the top of the band, where the limiter's shorter
# filter (enough for speech) read an AAC file 0.5 dB under its true peak (soxr at 16x
# read -0.07 dBTP; this, -0.01).
OVERSAMPLE = 8
HALF_TAPS = 32
KAISER_BETA = 9.0
# Only where the limiter's filter finds a point above this share of the limit (-2 dB; it
# read at most 0.5 dB under the long filter) is the long one run: a tenth of the work.
QUICK_SHARE = 10 ** (-2 / 20)
# The decoded file is read this many samples at a time, so a long one takes little memory;
# each block keeps the end of the one before, so the points between them are measured too.
DECODE_BLOCK = 1 << 18
OVERLAP = 2 * HALF_TAPS + 2
# Places over the limit this close together are one stretch to dip.
GROUP_S = 0.03
# A dip: the excess and this much more, held this long either side of the stretch, and
# ramped in and out over DIP_RAMP_S.
DIP_MARGIN_DB = 0.5
DIP_HOLD_S = 0.015
DIP_RAMP_S = 0.01
# Encodes again at most this many times.
GUARD_TRIES = 3
# OpusHead: "OpusHead", version, channels, pre-skip, input rate, then the output gain
# (signed, in 1/256 dB, little-endian) at this offset.
OPUS_GAIN_AT = 16
OPUS_GAIN_STEP = 256


@dataclass(frozen=True)
class Over:
    """A stretch of the decoded audio above the limit."""

    start_s: float
    end_s: float
    excess_db: float
    """How far its highest true peak is above the limit."""


@dataclass(frozen=True)
class Scan:
    peak_db: float
    """The decoded file's true peak (exact when near the limit or above)."""
    overs: list[Over]


def scan(path: Path, rate: int, limit_db: float, action: str) -> Scan:
    """Decode ``path`` (at ``rate``, the codec's) with ffmpeg, a block at a time so a long
    file takes little memory, and find where its true peak passes ``limit_db``; an
    OutputError naming ``action`` when it cannot be decoded."""
    limit = 10 ** (limit_db / 20)
    taps, quick = phase_filters(OVERSAMPLE, HALF_TAPS, KAISER_BETA), phase_filters()
    highest, places, peaks = 0.0, [], []  # places over the limit (samples), their peaks
    for offset, samples in decoded_blocks(path, action):
        magnitude = np.abs(samples)
        highest = max(highest, float(magnitude.max(initial=0.0)))
        over = np.flatnonzero(magnitude > limit)
        places.append(offset + over)
        peaks.append(magnitude[over])
        near = np.flatnonzero(magnitude > limit * CANDIDATE_SHARE)
        if len(near):  # first the limiter's short filter, then the long one where it is near
            starts, between = peaks_between(samples, near, quick)
            starts = starts[between > limit * QUICK_SHARE]
            if len(starts):
                starts, between = peaks_between(samples, starts, taps)
                highest = max(highest, float(between.max()))
                places.append(offset + starts[between > limit])
                peaks.append(between[between > limit])
    peak_db = 20 * math.log10(highest) if highest > 0 else -math.inf
    return Scan(peak_db, group_overs(np.concatenate(places), np.concatenate(peaks), rate, limit))


def decoded_blocks(path: Path, action: str) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """``path`` decoded to mono floats, in blocks that each begin with the end of the one
    before (so the points between them are measured too), with each block's place."""
    command = [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path),
               "-f", "f32le", "-ac", "1", "pipe:1"]
    with tempfile.TemporaryFile(prefix="article-tts-ffmpeg-") as errors:
        process = popen_ffmpeg(command, stdout=subprocess.PIPE, stderr=errors)
        widen_pipe(process.stdout)
        assert process.stdout is not None
        carried, offset = np.zeros(0, np.float32), 0
        try:
            with process.stdout:
                while block := process.stdout.read(DECODE_BLOCK * 4):
                    samples = np.concatenate([carried, np.frombuffer(block, np.float32)])
                    yield offset - len(carried), samples
                    offset += len(block) // 4
                    carried = samples[-OVERLAP:]
        except BaseException:  # Ctrl-C, a failure, or the reader stopped early
            process.kill()
            process.wait()
            raise
        if (code := process.wait()) != 0:
            raise ffmpeg_error(action, errors, code)


def group_overs(places: npt.NDArray[np.intp], peaks: npt.NDArray[np.float32], rate: int,
                limit: float) -> list[Over]:
    """Places over the limit, within GROUP_S of each other, as one stretch each."""
    if len(places) == 0:
        return []
    order = np.argsort(places, kind="stable")
    places, peaks = places[order], peaks[order]
    cuts = np.flatnonzero(np.diff(places) > GROUP_S * rate) + 1
    return [Over(float(p[0]) / rate, float(p[-1] + 1) / rate, 20 * math.log10(float(v.max()) / limit))
            for p, v in zip(np.split(places, cuts), np.split(peaks, cuts), strict=True)]


class Dips:
    """Where the gain is dipped in the audio given the encoder (mono 16-bit at ``rate``),
    as (first sample, last sample, gain) stretches, each ramped in and out."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.ramp = max(1, round(DIP_RAMP_S * rate))
        self.stretches: list[tuple[int, int, float]] = []

    def add(self, overs: list[Over], speed: float) -> None:
        """Dip the audio under each of ``overs`` (found in a file played ``speed`` times
        faster) by its excess and DIP_MARGIN_DB more, on top of the dips already there."""
        hold = round(DIP_HOLD_S * self.rate * speed)
        for over in overs:
            first = max(0, round(over.start_s * speed * self.rate) - hold)
            last = round(over.end_s * speed * self.rate) + hold
            now = float(self.gains(first, last - first + 1).min())
            self.stretches.append((first, last, now * 10 ** (-(over.excess_db + DIP_MARGIN_DB) / 20)))

    def gains(self, start: int, count: int) -> npt.NDArray[np.float32]:
        """The gain of samples ``start`` to ``start + count``."""
        gains = np.ones(count, np.float32)
        positions = np.arange(start, start + count)
        for first, last, gain in self.stretches:
            if last + self.ramp < start or first - self.ramp >= start + count:
                continue
            # 0 inside the stretch, rising to 1 over the ramp on either side
            outside = np.maximum(first - positions, positions - last).clip(0, self.ramp) / self.ramp
            np.minimum(gains, gain + (1 - gain) * outside.astype(np.float32), out=gains)
        return gains

    def replay(self, pcm: IO[bytes], write: Callable[[bytes], None]) -> None:
        """The spooled audio ``pcm`` from its start, dipped, to ``write``."""
        pcm.seek(0)
        start = 0
        while block := pcm.read(DECODE_BLOCK * 2):
            samples = np.frombuffer(block, np.int16)
            dipped = np.rint(samples * self.gains(start, len(samples))).astype(np.int16)
            write(dipped.tobytes())
            start += len(samples)


class Encoding(Protocol):
    """An encoder writing ``path`` again (export.Encoder)."""

    def write(self, pcm: bytes) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


def hold(path: Path, rate: int, limit_db: float, action: str, pcm: IO[bytes], pcm_rate: int,
         speed: float, encoder: Callable[[], Encoding]) -> Scan:
    """Decode ``path`` (at ``rate``) and, where it passes ``limit_db``, have a new
    ``encoder`` write it again from ``pcm`` (the audio it was made from, at ``pcm_rate``,
    played ``speed`` times faster), dipped there; at most GUARD_TRIES times. The last
    scan: with overs left when it still passed."""
    dips = Dips(pcm_rate)
    found = scan(path, rate, limit_db, action)
    for _ in range(GUARD_TRIES):
        if not found.overs:
            break
        dips.add(found.overs, speed)
        again = encoder()
        try:
            dips.replay(pcm, again.write)
        except BaseException:
            again.abort()
            raise
        again.close()
        found = scan(path, rate, limit_db, action)
    return found


def opus_output_gain_db(path: Path) -> float:
    """The output gain an Opus file's header asks every decoder to apply, in dB."""
    with path.open("rb") as file:
        head = OggPage(file).packets[0]
    steps: int = struct.unpack_from("<h", head, OPUS_GAIN_AT)[0]
    return steps / OPUS_GAIN_STEP


def set_opus_output_gain(path: Path, gain_db: float) -> None:
    """Set the output gain in an Opus file's header (rounded down to a 256th of a dB, so
    never louder than asked); the first page is rewritten in place, its CRC with it."""
    step = max(-32768, min(32767, math.floor(gain_db * OPUS_GAIN_STEP)))
    with path.open("r+b") as file:
        page = OggPage(file)
        head = bytearray(page.packets[0])
        if not head.startswith(b"OpusHead"):
            raise OutputError(f"{path.name} does not start with an Opus header: please report this")
        struct.pack_into("<h", head, OPUS_GAIN_AT, step)
        page.packets = [bytes(head), *page.packets[1:]]
        data = page.write()
        if len(data) != file.tell():  # same packets, same lengths: the page keeps its size
            raise OutputError(f"{path.name}: its Opus header page changed size: please report this")
        file.seek(0)
        file.write(data)


def lower_opus_gain(path: Path, by_db: float) -> None:
    """Lower an Opus file's output gain by ``by_db``."""
    set_opus_output_gain(path, opus_output_gain_db(path) - by_db)
