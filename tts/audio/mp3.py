"""MP3 specifics: the audio encoded on every core, in segments cut at silences and joined
without a gap (or, should a segment not hold its samples, in one piece after all); and the
LAME tag that makes readers trust the file's length."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import logging
import math
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from tts.audio import overshoot
from tts.audio.clip import ffmpeg_error, popen_ffmpeg, run_ffmpeg
from tts.util import fsutil

log = logging.getLogger(__name__)

# The LAME tag in the MP3's first (Xing/Info) frame: ffmpeg fills in the encoder delay and
# padding but names itself ("Lavc63.1."), and readers such as mutagen trust those fields
# only after a LAME version string, so they showed the file 53 ms too long. The encoder
# is libmp3lame, so the tag says LAME, with its CRC-16 recomputed as LAME does.
LAME_NAME = b"LAME3.100"
XING_MARKS = (b"Xing", b"Info")
# Xing flags (frames, bytes, TOC, quality) and the size of the field each one adds.
XING_FIELDS = ((1, 4), (2, 4), (4, 100), (8, 4))
# Offsets in the LAME extension: 12 bits of encoder delay and 12 of padding; the file's
# length in bytes and the CRC-16 of its audio; the CRC of the tag's first 190 bytes.
LAME_DELAY_AT = 21
LAME_MUSIC_AT = 28
LAME_MUSIC_CRC_AT = 32
LAME_CRC_AT = 34
# The start of an MP3 read for its header frame: enough past an ID3 tag of pictures.
HEAD_BYTES = 64 * 1024
# Layer III bitrates (kbit/s) by header index, and MPEG-1 sample rates (MPEG-2 halves
# them, MPEG-2.5 quarters).
MPEG1_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
MPEG2_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
MPEG1_RATES = (44100, 48000, 32000)

# LAME starts every encode with this many samples of silence (its delay), and ends it with
# at least as many of padding; the file is then whole frames (576 samples at the 16-24 kHz
# our engines speak, 1152 at 32-48 kHz). Measured on libmp3lame 3.100 through ffmpeg, for
# lengths from one frame up: frames = ceil((samples + 1152) / samples_per_frame).
ENCODER_DELAY = 576
MIN_PADDING = 576
# So a segment whose place in the whole is D samples (a multiple of the frame) is encoded
# from its first D - 1152 samples: joined, its padding and the next segment's delay fill
# exactly the 1152 left out. They must be silence, so segments end inside a pause, with a
# frame of silence more on each side for the frames' overlapping windows.
JOIN_SAMPLES = ENCODER_DELAY + MIN_PADDING
# A segment is at least this long: LAME takes ~5 ms per second of speech, an ffmpeg start
# ~20 ms, so a segment costs a few percent more than one encode would. The first ones are
# shorter (15 s, then 30), so the encoders start while the article is still being spoken.
SEGMENT_S = 60.0
FIRST_SEGMENT_S = 15.0
# Each segment has its own header frame (its length, padding and audio CRC, which the
# joined file's header is made from) and no ID3 tag.
SEGMENT_ARGS = ("-write_xing", "1", "-id3v2_version", "0")
# The last stretch, when at least this long, is cut again into TAIL_PIECES pieces for
# each encoder (none shorter than TAIL_MIN_S shared among them), read back in blocks of
# TAIL_READ_BYTES. The encoders are seldom free together when it is cut (the minute-long
# segments before it are still running), and with one piece each the last ran alone for
# 0.16 s of the article's end; with smaller pieces, whichever encoder is free takes the
# next, and they finish within a piece of each other.
TAIL_MIN_S = 10.0
TAIL_PIECES = 2
TAIL_READ_BYTES = 1 << 20
# Segments written but not yet encoding wait on disk; past this many the render waits for
# an encoder, so a long article never piles up there.
MAX_WAITING = 4
# What a full scratch folder asks of the user: it is the system's temp folder, not the output's.
SCRATCH_STEP = "free some space there (or set TMPDIR to a folder with room) and rerun"


def samples_per_frame(rate: int) -> int:
    """Samples in one MP3 frame at ``rate``: MPEG-1 above 32 kHz, MPEG-2 (and 2.5) below."""
    return 1152 if rate >= 32000 else 576


def encoders_wanted() -> int:
    """How many MP3 encoders to run at once: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# A decoded check: the true peak (dBTP) a segment must stay under, and how to start an
# encoder on a command line to write it again.
Check = tuple[float, Callable[[list[str]], overshoot.Encoding]]


@dataclasses.dataclass(frozen=True)
class Header:
    """What an MP3's first frame (ffmpeg's Xing/Info frame with a LAME tag) says of it."""

    frame_bytes: int
    """The size of that frame, which holds no audio."""
    frames: int
    """Audio frames in the file."""
    size: int
    """Bytes in the file, that frame included."""
    padding: int
    """Samples of padding at the end."""
    crc: int
    """CRC-16 of the audio frames' bytes."""


@dataclasses.dataclass(frozen=True)
class Segment:
    """One piece of the stream, spooled, then encoded to ``path``."""

    index: int
    samples: int
    """The samples it stands for in the whole (those encoded and those its joins give back)."""
    last: bool
    pcm: IO[bytes]
    path: Path


class SegmentMismatch(Exception):
    """A segment encoded to another length than it stands for: it cannot be joined."""


class SegmentedEncoder:
    """PCM (mono 16-bit at ``rate``) into one MP3 at ``output``, encoded by ``workers``
    ffmpeg processes at once: the stream is cut into segments (a minute, the first ones
    shorter) at the next digital silence long enough, each spooled to disk and encoded
    on its own, and the segments' frames are joined in order under one Xing/LAME header.
    Decoded, the file is as long as the input, sample for sample, every sound in place.

    ``command`` is ffmpeg's command line reading PCM from stdin, up to the output's
    name (codec and bitrate included); ``scratch`` a folder for the segments. With
    ``check`` (a true peak in dBTP, and how to start an encoder on a command line), each
    segment is decoded before it is joined and, where it passes that peak, encoded again
    with the gain dipped there (tts/audio/overshoot.py).

    Segments are an optimisation, so never the reason a render fails: should one not hold
    exactly its samples (the join would move all after it), the rest are stopped and the
    whole audio is encoded in one piece, as a single encoder writes it, from the segments'
    spools, which are kept until the file is closed for that (and for the check); the
    debug log says so.
    """

    def __init__(self, command: list[str], rate: int, output: Path, scratch: Path,
                 action: str, workers: int, check: Check | None = None) -> None:
        self.command, self.rate, self.scratch = command, rate, scratch
        self.action, self.workers, self.check = action, max(1, workers), check
        self.frame = samples_per_frame(rate)
        self.min_run = JOIN_SAMPLES + 3 * self.frame  # room for the cut, rounding and overlap
        self.pcm: IO[bytes] = self.new_spool()
        self.written = 0  # samples in the current segment's spool
        self.held = 0  # zeros at the end of the stream so far, not yet spooled
        self.segments = 0
        self.samples = 0  # in the segments cut so far: the file's length once closed
        self.tail_share = 0  # once the stream has ended, the least each last segment gets
        self.tail_end = 0  # and where it ends, in samples from the start
        self.waiting: collections.deque[Segment] = collections.deque()
        self.running: list[tuple[Segment, subprocess.Popen[bytes], IO[bytes]]] = []
        self.encoded: dict[int, Segment] = {}  # finished, not yet joined
        self.headers: list[Header] = []  # of the segments joined
        self.kept: list[Segment] = []  # every segment cut, its spool open until close
        self.fallback: str | None = None  # why the file is encoded in one piece after all
        self.output = output
        self.joined = output.open("w+b")

    def new_spool(self) -> IO[bytes]:
        with self.scratch_errors():
            return tempfile.TemporaryFile(dir=self.scratch, prefix="segment-")

    def scratch_errors(self) -> contextlib.AbstractContextManager[None]:
        """A failed write of the spools or segments (in the temp folder): one line naming it."""
        return fsutil.write_errors(f"the MP3's segments in {self.scratch.parent}", SCRATCH_STEP)

    def write(self, pcm: bytes) -> None:
        """Take the next PCM; a run of zeros that ends here may become a segment's end."""
        samples = np.frombuffer(pcm, np.int16)
        sound = np.flatnonzero(samples)
        if len(sound) == 0:
            self.held += len(samples)
            return
        self.held += int(sound[0])
        start = int(sound[0])
        for i in np.flatnonzero(np.diff(sound) > self.min_run):  # silences long enough
            end = int(sound[i]) + 1
            self.end_silence()
            self.spool(samples[start:end])
            self.held, start = int(sound[i + 1]) - end, int(sound[i + 1])
        self.end_silence()
        self.spool(samples[start:int(sound[-1]) + 1])
        self.held = len(samples) - int(sound[-1]) - 1
        if self.waiting:  # a segment waits for an encoder: one may have finished since
            self.start_encoders()

    def end_silence(self) -> None:
        """The held silence is over: end the segment inside it if the segment is long
        enough, and spool the rest of it."""
        shortest = self.tail_share or min(SEGMENT_S, FIRST_SEGMENT_S * 2 ** min(self.segments, 8)) * self.rate
        # A piece of the last stretch leaves at least half a piece for the last one.
        sliver = bool(self.tail_share) and self.tail_end - self.samples - self.written < self.tail_share // 2
        if self.written >= shortest and self.held >= self.min_run and not sliver:
            place = math.ceil((self.written + JOIN_SAMPLES + self.frame) / self.frame) * self.frame
            left = self.written + self.held - place
            self.spool(np.zeros(place - JOIN_SAMPLES - self.written, np.int16))
            self.end_segment(place, last=False)
            self.held = left
        self.spool_held()

    def spool_held(self) -> None:
        """Spool the zeros held back at the stream's end so far."""
        self.spool(np.zeros(self.held, np.int16))
        self.held = 0

    def spool(self, samples: npt.NDArray[np.int16]) -> None:
        with self.scratch_errors():
            self.pcm.write(samples.tobytes())
        self.written += len(samples)

    def end_segment(self, samples: int, last: bool) -> None:
        """Queue the spooled segment for an encoder, and start what can start."""
        self.pcm.seek(0)
        path = self.scratch / f"{self.segments}.mp3"
        segment = Segment(self.segments, samples, last, self.pcm, path)
        self.kept.append(segment)
        if self.fallback is None:
            self.waiting.append(segment)
        self.segments += 1
        self.samples += samples
        self.pcm, self.written = self.new_spool(), 0
        self.start_encoders()
        while len(self.waiting) > MAX_WAITING:
            self.wait_for_one()

    def start_encoders(self) -> None:
        """Join what has finished (raising on a failure; falling back to one piece when a
        segment cannot be joined), and start waiting segments."""
        try:
            for item in [r for r in self.running if r[1].poll() is not None]:
                self.reap(item)
        except SegmentMismatch as exc:
            self.fall_back(str(exc))
        while self.waiting and len(self.running) < self.workers:
            segment = self.waiting.popleft()
            with self.scratch_errors():
                errors = tempfile.TemporaryFile(dir=self.scratch, prefix="ffmpeg-")  # noqa: SIM115
            # The child reads the spool through its own descriptor (the same offset): it
            # is read again only once the child has ended (a check, or the one-piece encode).
            process = popen_ffmpeg(self.segment_command(segment), stdin=segment.pcm,
                                   stdout=subprocess.DEVNULL, stderr=errors)
            self.running.append((segment, process, errors))

    def segment_command(self, segment: Segment) -> list[str]:
        return [*self.command, *SEGMENT_ARGS, str(segment.path)]

    def wait_for_one(self) -> None:
        """Wait until an encoder finishes (whichever is first), then start what can start.
        Waiting for the oldest left a core idle while a later one that had finished
        waited to be noticed: 0.2 s of the article's 1.9 s in one render traced."""
        wait_for_any([process for _, process, _ in self.running])
        self.start_encoders()

    def reap(self, item: tuple[Segment, subprocess.Popen[bytes], IO[bytes]]) -> None:
        """Join a finished encoder's segment; an OutputError with its last message if it failed."""
        self.running.remove(item)
        segment, process, errors = item
        if process.returncode != 0:
            error = ffmpeg_error(self.action, errors, process.returncode)
            code = fsutil.errno_in(str(error))  # it wrote the segment in the temp folder
            if code is not None:
                raise fsutil.write_failure(f"the MP3's segments in {self.scratch.parent}",
                                           OSError(code, os.strerror(code)), SCRATCH_STEP) from error
            raise error
        errors.close()
        self.encoded[segment.index] = segment
        while len(self.headers) in self.encoded:
            self.join(self.encoded.pop(len(self.headers)))

    def join(self, segment: Segment) -> None:
        """Append ``segment`` to the output: the first whole, the others without their
        header frame. It must be exactly as long as it stands for, or all after it would
        move: LAME's frame count is checked, not assumed. The last one's padding is what
        its frames hold past its samples (ffmpeg writes at most 1105 there, short by up
        to 46 samples when LAME padded more). SegmentMismatch when it is not."""
        if self.check is not None:
            self.hold_peak(segment, *self.check)
        with segment.path.open("rb") as encoded:
            header = read_header(encoded.read(HEAD_BYTES))
            if header is not None and segment.last:
                header = dataclasses.replace(header, padding=header.frames * self.frame
                                             - ENCODER_DELAY - segment.samples)
            if header is None or not self.holds(header, segment):
                held = "no LAME header" if header is None else f"{header.frames} frames"
                raise SegmentMismatch(f"MP3 segment {segment.index + 1} ({held}) does not hold "
                                      f"exactly the {segment.samples} samples it stands for")
            encoded.seek(0 if segment.index == 0 else header.frame_bytes)
            shutil.copyfileobj(encoded, self.joined)
        segment.path.unlink()
        self.headers.append(header)

    def hold_peak(self, segment: Segment, peak_db: float,
                  encoder: Callable[[list[str]], overshoot.Encoding]) -> None:
        """Decode the segment and, where it passes ``peak_db``, encode it again from its
        spool with the gain dipped there: the same samples, so it joins as before."""
        overshoot.hold(segment.path, self.rate, peak_db, self.action, segment.pcm, self.rate,
                       1.0, lambda: encoder(self.segment_command(segment)))

    def holds(self, header: Header, segment: Segment) -> bool:
        """True when the frames ``header`` counts are ``segment``'s length: a whole segment
        (its joins give back the 1152 samples left out), or LAME's padding after the last."""
        if segment.last:
            return MIN_PADDING <= header.padding < MIN_PADDING + self.frame
        return header.frames * self.frame == segment.samples

    def fall_back(self, reason: str) -> None:
        """Stop encoding in segments: the file will be encoded in one piece at close."""
        log.debug("%s; the whole MP3 is encoded again in one piece", reason)
        self.fallback = reason
        self.stop_encoders()
        for segment in self.kept:
            segment.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Encode what is left, wait for every segment, and give the joined file its header
        (or, after a segment that did not hold its samples, encode the whole in one piece)."""
        self.spool_held()
        if self.fallback is None:
            self.cut_tail()
        self.end_segment(self.written, last=True)
        while self.running:
            self.wait_for_one()
        if self.fallback is None:
            self.write_header()
        else:
            self.joined.close()
            self.encode_whole()
        for segment in self.kept:
            segment.pcm.close()
        self.pcm.close()  # the empty spool the last segment left

    def write_header(self) -> None:
        """Give the joined file the header of all its segments, and close it."""
        self.joined.seek(0)
        head = bytearray(self.joined.read(self.headers[0].frame_bytes))
        self.joined.seek(0)
        self.joined.write(joined_header(head, self.headers))
        self.joined.close()

    def encode_whole(self) -> None:
        """The plain path: the segments' audio, with the silence their joins left out put
        back, encoded by one ffmpeg into the output, checked as a segment would be; then
        its LAME tag made exact as the joined header's is."""
        with self.new_spool() as whole:
            with self.scratch_errors():
                for segment in self.kept:
                    segment.pcm.seek(0)
                    shutil.copyfileobj(segment.pcm, whole)
                    if not segment.last:
                        whole.write(bytes(JOIN_SAMPLES * 2))  # 16-bit zeros
            whole.seek(0)
            command = [*self.command, str(self.output)]
            with tempfile.TemporaryFile(dir=self.scratch, prefix="ffmpeg-") as errors:
                code = run_ffmpeg(command, stdin=whole, stdout=subprocess.DEVNULL,
                                  stderr=errors, check=False).returncode
                if code != 0:
                    raise ffmpeg_error(self.action, errors, code)
            if self.check is not None:
                peak_db, encoder = self.check
                overshoot.hold(self.output, self.rate, peak_db, self.action, whole, self.rate,
                               1.0, lambda: encoder(command))
        mark_lame_tag(self.output, self.samples, self.rate)
        log.debug("MP3 encoded in one piece: %d samples, as the segments stood for", self.samples)

    def cut_tail(self) -> None:
        """Cut the last stretch again, into pieces for the encoders: once the stream ends
        nothing else is left to encode, and one long last segment kept one core busy
        while the others waited. Read back from its spool, a few seconds at a time."""
        if self.written < TAIL_MIN_S * self.rate:
            return  # a few seconds: another encoder's start would cost more than it saves
        rest, self.pcm = self.pcm, self.new_spool()
        least = TAIL_MIN_S * self.rate / self.workers  # a piece, at the fewest pieces
        pieces = max(self.workers, min(self.workers * TAIL_PIECES, round(self.written / least)))
        self.tail_share, self.tail_end = self.written // pieces, self.samples + self.written
        self.written = 0
        with rest:
            rest.seek(0)
            while block := rest.read(TAIL_READ_BYTES):
                self.write(block)
        self.spool_held()

    def stop_encoders(self) -> None:
        """Stop every encoder at once, and forget the segments not yet joined."""
        for _, process, errors in self.running:
            if process.poll() is None:
                process.kill()
            process.wait()
            errors.close()
        self.running.clear()
        self.waiting.clear()
        self.encoded.clear()

    def abort(self) -> None:
        """Stop every encoder at once and drop the spooled segments."""
        self.stop_encoders()
        for segment in self.kept:
            segment.pcm.close()
        self.pcm.close()
        with contextlib.suppress(OSError):  # what a full disk would not take: it goes anyway
            self.joined.close()


def wait_for_any(processes: list[subprocess.Popen[bytes]]) -> None:
    """Return once any of ``processes`` (not yet waited for) has exited: watched through
    their pidfds (Linux), else by waiting for the first."""
    handles: list[int] = []
    try:
        try:
            for process in processes:
                handles.append(os.pidfd_open(process.pid))
        except (AttributeError, OSError):  # pragma: no cover - not Linux, or an old kernel
            processes[0].wait()
            return
        select.select(handles, [], [])
    finally:
        for handle in handles:
            os.close(handle)


def read_header(head: bytes) -> Header | None:
    """The Xing/LAME header at the start of ``head`` (an MP3 without ID3), or None."""
    found = find_lame_tag(head)
    if found is None or int.from_bytes(head[found[0] + 4:found[0] + 8], "big") & 3 != 3:
        return None
    mark, lame = found
    delays = int.from_bytes(head[lame + LAME_DELAY_AT:lame + LAME_DELAY_AT + 3], "big")
    return Header(frame_bytes(head), int.from_bytes(head[mark + 8:mark + 12], "big"),
                  int.from_bytes(head[mark + 12:mark + 16], "big"), delays & 0xFFF,
                  int.from_bytes(head[lame + LAME_MUSIC_CRC_AT:lame + LAME_MUSIC_CRC_AT + 2], "big"))


def joined_header(head: bytearray, parts: list[Header]) -> bytearray:
    """``head`` (the first part's header frame) rewritten for all ``parts`` joined: their
    frames, bytes, seek table, the last part's padding, and the audio's CRC."""
    mark, lame = find_lame_tag(head) or (0, 0)
    audio = [p.size - p.frame_bytes for p in parts]
    size = parts[0].frame_bytes + sum(audio)
    frames = sum(p.frames for p in parts)
    head[mark + 8:mark + 16] = frames.to_bytes(4, "big") + size.to_bytes(4, "big")
    if int.from_bytes(head[mark + 4:mark + 8], "big") & 4:  # the seek table: 100 points
        at_frame = np.cumsum([0] + [p.frames for p in parts])
        at_byte = parts[0].frame_bytes + np.cumsum([0, *audio])
        points = np.interp(np.arange(100) * frames / 100, at_frame, at_byte)
        head[mark + 16:mark + 116] = bytes(np.minimum(255, points * 256 // size).astype(np.uint8))
    crc = 0
    for part, length in zip(parts, audio, strict=True):
        crc = crc16_after_zeros(crc, length) ^ part.crc
    head[lame + LAME_DELAY_AT:lame + LAME_DELAY_AT + 3] = (
        (ENCODER_DELAY << 12) | parts[-1].padding).to_bytes(3, "big")
    head[lame + LAME_MUSIC_AT:lame + LAME_MUSIC_AT + 4] = size.to_bytes(4, "big")
    head[lame + LAME_MUSIC_CRC_AT:lame + LAME_MUSIC_CRC_AT + 2] = crc.to_bytes(2, "big")
    return set_lame_name(head, mark, lame)


def frame_bytes(head: bytes) -> int:
    """The size of the Layer III frame whose 4-byte header starts ``head``."""
    version = (head[1] >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    kbps = (MPEG1_KBPS if version == 3 else MPEG2_KBPS)[head[2] >> 4]
    rate = MPEG1_RATES[(head[2] >> 2) & 3] >> (0 if version == 3 else 1 if version == 2 else 2)
    return (144 if version == 3 else 72) * kbps * 1000 // rate + ((head[2] >> 1) & 1)


def find_lame_tag(head: bytes | bytearray) -> tuple[int, int] | None:
    """Where the first frame's Xing/Info header and its LAME extension start in ``head``
    (the file's first bytes), or None when it has none."""
    frame = id3_size(head)
    mark = next((at for m in XING_MARKS if (at := head.find(m, frame, frame + 64)) >= 0), -1)
    if mark < 0:
        return None
    flags = int.from_bytes(head[mark + 4:mark + 8], "big")
    lame = mark + 8 + sum(size for bit, size in XING_FIELDS if flags & bit)
    if lame + LAME_CRC_AT + 2 > len(head) or not head[lame:lame + 4].isalpha():
        return None
    return mark, lame


def mark_lame_tag(path: Path, samples: int | None = None, rate: int = 0) -> None:
    """Name the encoder LAME in the MP3's LAME tag, so readers trim its delay and padding;
    given the ``samples`` it holds (at ``rate``), make that padding what its frames hold
    past them: ffmpeg writes at most 1105 there, so a file LAME padded more decoded up to
    46 samples long (see SegmentedEncoder.join)."""
    with path.open("r+b") as handle:
        head = bytearray(handle.read(HEAD_BYTES))
        found = find_lame_tag(head)
        if found is None:
            return
        mark, lame = found
        frames = int.from_bytes(head[mark + 8:mark + 12], "big")
        padding = -1 if samples is None else frames * samples_per_frame(rate) - ENCODER_DELAY - samples
        if 0 <= padding < 1 << 12:  # else no count given, or not these samples': kept
            head[lame + LAME_DELAY_AT:lame + LAME_DELAY_AT + 3] = (
                (ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
        handle.seek(0)
        handle.write(set_lame_name(head, mark, lame))


def set_lame_name(head: bytearray, mark: int, lame: int) -> bytearray:
    """``head`` with the LAME tag at ``lame`` naming LAME, and its CRC made again."""
    head[lame:lame + len(LAME_NAME)] = LAME_NAME
    crc = crc16(bytes(head[id3_size(head):lame + LAME_CRC_AT]))
    head[lame + LAME_CRC_AT:lame + LAME_CRC_AT + 2] = crc.to_bytes(2, "big")
    return head


def id3_size(head: bytes | bytearray) -> int:
    """Bytes an ID3v2 tag takes at the start of ``head`` (0 when there is none)."""
    if head[:3] != b"ID3" or len(head) < 10:
        return 0
    return 10 + sum((b & 0x7F) << shift for b, shift in zip(head[6:10], (21, 14, 7, 0), strict=True))


def crc16(data: bytes) -> int:
    """CRC-16 (poly 0x8005, reflected, initial 0): the checksum of the LAME tag."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc



def crc16_after_zeros(crc: int, count: int) -> int:
    """The CRC-16 of some bytes, given the CRC of their first part (``crc``) and that the
    other ``count`` bytes are zeros: as zlib combines CRC-32s, by squaring the operator
    one zero byte is, in log(count) steps. With CRC(A + B) = that of A after len(B)
    zeros, xor CRC(B), the joined file's audio CRC comes from the segments' own."""
    zero_byte = [crc16_step(1 << bit) for bit in range(16)]
    while count:
        if count & 1:
            crc = apply_gf2(zero_byte, crc)
        zero_byte = [apply_gf2(zero_byte, column) for column in zero_byte]
        count >>= 1
    return crc


def crc16_step(crc: int) -> int:
    """The CRC register after one zero byte."""
    for _ in range(8):
        crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def apply_gf2(matrix: list[int], vector: int) -> int:
    """A 16x16 matrix over GF(2) (its columns as bit masks) times ``vector``."""
    result = 0
    for bit, column in enumerate(matrix):
        if vector >> bit & 1:
            result ^= column
    return result
