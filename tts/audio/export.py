"""Write the joined audio to disk through ffmpeg, atomically, in the format the extension names:
tempo, loudness, tags and chapters included."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, BinaryIO

import mutagen
import numpy as np
from pydub import AudioSegment

from tts.audio import metadata, mp3, overshoot
from tts.audio.clip import SAMPLE_WIDTH, ffmpeg_error, ffmpeg_exe, popen_ffmpeg, wav_header, widen_pipe
from tts.audio.formats import FORMATS, Format
from tts.audio.master import Mixer, Outlet, Write
from tts.errors import ArticleTTSError, ConfigError, OutputError
from tts.options import DEFAULT_BITRATE, FORMAT_BITRATES
from tts.types import Chapter, Layout, Tags
from tts.util import fsutil, streams

# Where a lossy file's decoded true peak is brought when its codec overshot the limiter
# (tts/audio/overshoot.py): -1 dBTP, less what other meters read over ours (ffmpeg's ebur128
# read 0.2 dB higher on the same WAV).
DECODED_PEAK_DB = -1.2
# An MP3 encoded in segments (the default) is decoded and checked too when levelled louder
# than this: at -16 LUFS its overshoot left 1.2 dB under -1 dBTP over eight renders (-2.5
# dBTP at worst), at -14 only 0.3; and the check (a decode) adds an eighth to the CPU of a
# render.
MP3_CHECKED_ABOVE_LUFS = -16.0


# An encoder writing while clips are still being made reads this far behind the newest,
# so the gain it applies comes from the loudness of all the audio made so far, this
# much ahead included. Whatever is within it when synthesis ends is encoded after, so
# it is short: 15 s of speech is a few sentences, enough for a first estimate.
LEAD_S = 15.0
# Copy ffmpeg's standard output to ours in pieces this big.
COPY_BYTES = 1 << 16
# The output name that means standard output.
STDOUT = "-"


def is_stdout(output: Path) -> bool:
    """True when ``output`` is ``-``: the audio goes to standard output, not a file."""
    return str(output) == STDOUT


def format_for(path: Path) -> str:
    """The output format's extension, or a ConfigError that lists the supported ones."""
    return check_format(path.suffix.lower(), path.name)


def check_format(suffix: str, shown_name: str) -> str:
    """``suffix`` (like ``.mp3``) when we can write it, else a ConfigError listing the others."""
    if suffix not in FORMATS:
        supported = ", ".join(FORMATS)
        shown = f"{suffix} files" if suffix else "a file without an extension"
        raise ConfigError(f"cannot write {shown} ({shown_name}); use one of: {supported}")
    return suffix


def prepare_output(path: Path) -> None:
    """Fail early, before any synthesis, when ``path`` cannot be written as audio."""
    format_for(path)
    check_writable(path)


def check_streamable(suffix: str, shown_name: str) -> str:
    """``suffix`` when it can go to standard output, else a ConfigError listing those that can."""
    check_format(suffix, shown_name)
    if not FORMATS[suffix].streamable:
        can = ", ".join(s[1:] for s, f in FORMATS.items() if f.streamable)
        raise ConfigError(f"{suffix[1:]} cannot be written to standard output (it must seek); "
                          f"use --format with one of: {can}, or -o FILE{suffix}")
    return suffix


def check_writable(path: Path, option: str = "-o/--output") -> None:
    """Fail early when ``path`` is a folder, read-only, or its folder cannot take a new file.

    No folder is made yet (a failed render must not leave empty ones): the probe goes
    in the closest folder that exists. Temp files of killed runs there are removed.
    """
    if path.is_dir():
        example = path / f"article{path.suffix or '.mp3'}"
        raise OutputError(f"{path} is a folder; give a file name such as {example}")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"cannot write to {path.parent}: {blocker} is a file, not a folder; "
                          f"choose another {option}")
    read_only = fsutil.refuse_read_only(path)
    if read_only is not None:
        raise OutputError(f"{path} is {read_only}; make it writable (chmod u+w) or choose "
                          f"another {option}")
    folder = fsutil.nearest_existing(path)
    try:
        fsutil.make_temp(folder).unlink()
    except OSError as exc:
        raise OutputError(
            f"cannot write to {path.parent} ({exc.strerror or exc}); choose another {option}"
        ) from exc
    fsutil.remove_stale_temps(folder)


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temp file beside ``path`` that replaces it on success and vanishes on failure.

    A failed write leaves no partial file, and an existing file stays as it was.
    """
    tmp = fsutil.temp_beside(path)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the mode the user's
        # umask gives new files, or the mode of the file it replaces.
        tmp.chmod(path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~current_umask())
        fsutil.commit(tmp, path)  # now, or with the rest of the render's outputs
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 side file (subtitles, manifest) atomically."""
    with fsutil.write_errors(str(path)), atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def bitrate_for(suffix: str, asked: str | None) -> str:
    """The bitrate asked, else the format's default (``32k`` for Opus, ``64k`` for MP3)."""
    return asked or FORMAT_BITRATES.get(suffix, DEFAULT_BITRATE)


def bitrate_args(fmt: Format, bitrate: str) -> list[str]:
    """``-b:a`` for a lossy format, scaled so the file averages ``bitrate`` (``64k``)."""
    if not fmt.lossy:
        return []
    wanted = int(bitrate[:-1])
    if not fmt.bitrate_curve:
        return ["-b:a", f"{wanted}k"]
    asked, averaged = zip(*fmt.bitrate_curve, strict=True)
    return ["-b:a", f"{round(float(np.interp(wanted, averaged, asked)))}k"]


def export(audio: AudioSegment, path: Path, bitrate: str | None = None, *, speed: float = 1.0,
           loudness: float | None = None, tags: Tags | None = None,
           chapters: Sequence[Chapter] = ()) -> None:
    """Encode ``audio`` to ``path`` at ``speed``, normalized to ``loudness`` LUFS, tagged:
    the streamed pass with a single clip."""
    def describe(frames: int) -> tuple[Tags, list[Chapter]]:
        assert tags is not None
        return tags, list(chapters)

    with AudioTarget(path, format_for(path), bitrate, speed,
                     None if tags is None else describe) as target:
        mixer = Mixer([target.outlet(loudness)], loudness)
        mixer.add_audio(audio, 0)
        mixer.finish()
        target.finish()


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (mutagen raises its own error with the OSError as its
    argument or cause), or None when it did not come from one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        if seen.args and isinstance(seen.args[0], OSError):
            return seen.args[0]
        seen = seen.__cause__ or seen.__context__
    return None


def codec_rate(fmt: Format, rate: int) -> int:
    """The rate a file of ``fmt`` made from audio at ``rate`` decodes at."""
    return int(fmt.args[fmt.args.index("-ar") + 1]) if "-ar" in fmt.args else rate


# ffmpeg's atempo takes 0.5-2.0 in one instance on older builds: wider speeds (the speech
# server's 0.25-4.0) chain several.
ATEMPO_RANGE = (0.5, 2.0)
# No probing of an input whose layout is given: by default ffmpeg reads 5 s of audio before
# it writes anything, which for a streamed reply of a sentence or two is the whole reply.
NO_PROBING = ("-probesize", "32", "-analyzeduration", "0")


def pcm_input(rate: int, probe: bool = True) -> list[str]:
    """An ffmpeg command line so far: mono 16-bit PCM at ``rate`` read from stdin
    (``probe=False``: written out as soon as it comes, see NO_PROBING)."""
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error",
            *(() if probe else NO_PROBING),
            "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]


def tempo_filters(speed: float, exact_frames: int | None) -> list[str]:
    """``atempo`` steps whose product is ``speed``, each within ATEMPO_RANGE (pitch kept);
    with ``exact_frames``, padded or cut to that many frames, so a length announced before
    encoding (a WAV header, chapters) is the length written."""
    low, high = ATEMPO_RANGE
    steps = []
    while speed < low:
        steps.append(low)
        speed /= low
    while speed > high:
        steps.append(high)
        speed /= high
    if abs(speed - 1.0) > 1e-9:
        steps.append(speed)
    filters = [f"atempo={step:g}" for step in steps]
    if exact_frames is not None:
        filters += [f"apad=whole_len={exact_frames}", f"atrim=end_sample={exact_frames}"]
    return filters


class Encoder:
    """One ffmpeg process encoding PCM written to its stdin as it comes.

    Its standard output, when ``sink`` is given, is copied there after ``prefix`` (an
    ID3 tag, a WAV header), cut or padded to ``exact_bytes`` when that is given.
    """

    def __init__(self, command: list[str], action: str, sink: BinaryIO | None = None,
                 prefix: bytes = b"", exact_bytes: int | None = None) -> None:
        self.action = action
        # ffmpeg's messages, read (and the file closed) by close() or abort().
        self.errors = tempfile.TemporaryFile(prefix="article-tts-ffmpeg-")  # noqa: SIM115
        self.process = popen_ffmpeg(command, stdin=subprocess.PIPE, stderr=self.errors,
                                    stdout=subprocess.PIPE if sink else subprocess.DEVNULL)
        widen_pipe(self.process.stdin)
        self.copier: threading.Thread | None = None
        self.copy_error: ArticleTTSError | None = None
        if sink is not None:
            self.copier = threading.Thread(target=self.copy, args=(sink, prefix, exact_bytes),
                                           name="encoder-out", daemon=True)
            self.copier.start()

    def copy(self, sink: BinaryIO, prefix: bytes, exact_bytes: int | None) -> None:
        """Pass ffmpeg's output on (in a thread, so its pipe never fills). A reader that
        goes away (``| head``), or a sink that fails with our error (a player that
        stopped), stops ffmpeg, and ``close`` says so."""
        assert self.process.stdout is not None
        try:
            streams.write_all(sink, prefix)
            left = exact_bytes
            # Whatever ffmpeg has written so far, not a full COPY_BYTES: a buffered read
            # held a streamed reply's first second back until 64 kB were encoded.
            while block := os.read(self.process.stdout.fileno(), COPY_BYTES):
                if left is not None:
                    block, left = block[:left], left - min(left, len(block))
                streams.write_all(sink, block)  # a short write is finished, not taken as done
            if left:
                streams.write_all(sink, b"\x00" * left)
        except ArticleTTSError as exc:  # OutputError, StdoutClosed, or the sink's own
            self.copy_error = exc
            self.process.kill()

    def write(self, pcm: bytes) -> None:
        """Send PCM to ffmpeg (blocking while its pipe is full: the encoder sets the pace)."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(pcm)
        except (BrokenPipeError, ValueError):
            self.close()  # ffmpeg is gone: its message says why
            raise OutputError(f"ffmpeg could not {self.action}: it stopped reading") from None

    def close(self) -> None:
        """Let ffmpeg finish; an OutputError with its last message when it failed."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # ffmpeg gone already: its code says why
            self.process.stdin.close()
        code = self.process.wait()
        if self.copier is not None:
            self.copier.join()
        if self.copy_error is not None:
            self.errors.close()
            raise self.copy_error  # the reader left (ends quietly), or a one-line error
        if code != 0:
            raise ffmpeg_error(self.action, self.errors, code)
        self.errors.close()

    def abort(self) -> None:
        """Stop ffmpeg at once (a failure elsewhere, Ctrl-C)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.errors.close()


Describe = Callable[[int], tuple[Tags, list[Chapter]]]


class AudioTarget:
    """The render's audio file, or standard output, as an outlet of the streamed pass.

    A file is encoded into a temp file beside it while clips are still being made, then
    tagged and moved into place by ``finish``. An M4A (whose chapter track ffmpeg writes
    while encoding) and standard output (whose tag or WAV header comes first) wait until
    every clip is in, so their length and chapters are known when encoding starts. Opus
    to standard output is encoded to a scratch file, checked and tagged, then sent.
    ``describe`` gives the tags and chapters for an output of a given length in frames.
    """

    def __init__(self, output: Path, suffix: str, bitrate: str | None, speed: float,
                 describe: Describe | None, sink: BinaryIO | None = None) -> None:
        self.output, self.suffix, self.speed = output, suffix, speed
        self.bitrate = bitrate_for(suffix, bitrate)
        self.describe, self.sink = describe, sink
        self.format = FORMATS[suffix]
        self.stdout = is_stdout(output)
        self.whole = self.stdout or self.format.ffmpeg_metadata
        # A lossy format with no ceiling of its own for an unchecked file (Opus, Ogg) goes
        # to standard output through a scratch file, checked and tagged as a file is, then
        # sent: under the checked ceiling its overshoot passed -1 dBTP in three renders of
        # eight at -14 LUFS, and what was sent cannot be taken back. Its encoder starts
        # after the last clip anyway (``whole``), so the first byte waits only for the encode.
        self.sent_whole = (self.stdout and self.format.lossy
                           and self.format.unchecked_ceiling_db is None)
        fsutil.remove_stale_temps(Path(tempfile.gettempdir()))  # scratch of killed runs
        self.scratch = Path(tempfile.mkdtemp(prefix=fsutil.temp_prefix()))
        self.cleanup = ExitStack()  # the atomic temp file beside the output, until finish
        self.tmp: Path | None = None
        self.encoder: Encoder | mp3.SegmentedEncoder | None = None
        self.exact_frames: int | None = None
        self.rate = 0  # the input's sample rate, known when the first block comes
        # What ffmpeg could not do, in its errors.
        self.action = "write the audio to standard output" if self.stdout else f"write {output.name}"
        self.shown = "standard output" if self.stdout else str(output)  # in a failed write's line
        self.command: list[str] = []  # of a single encoder writing the file
        self.guarded: IO[bytes] | None = None  # what it was given, for the decoded-peak check
        self.loud = False  # levelled louder than MP3_CHECKED_ABOVE_LUFS
        # An MP3 file at 1x is encoded in segments on every core (no tempo filter between).
        self.segmented = (suffix == ".mp3" and not self.stdout and speed == 1.0
                          and mp3.encoders_wanted() > 1)

    def outlet(self, loudness: float | None) -> Outlet:
        """This output fed by the streamed pass, levelled to ``loudness`` LUFS (None: the
        engine's own level, so nothing to wait for)."""
        lead = None if self.whole else 0.0 if loudness is None else LEAD_S
        self.loud = loudness is not None and loudness > MP3_CHECKED_ABOVE_LUFS
        checked = (not self.stdout or self.sent_whole) and (not self.segmented or self.loud)
        ceiling = self.format.ceiling_db
        if not checked and self.format.unchecked_ceiling_db is not None:
            ceiling = self.format.unchecked_ceiling_db
        return Outlet(self.open, lead, ceiling, self.format.loudness_loss_db)

    def open(self, rate: int, layout: Layout | None) -> Write:
        """Start ffmpeg (see ``start``); what it is given, and every file it writes, fail
        in one line naming the output (write_errors)."""
        with self.write_errors():
            write = self.start(rate, layout)

        def checked_write(pcm: bytes) -> None:
            with self.write_errors():
                write(pcm)
        return checked_write

    @contextmanager
    def write_errors(self) -> Iterator[None]:
        """An OSError writing the output, or an encoder that stopped on one (ffmpeg's last
        line ends in the system's words), becomes one line naming the output and the cause."""
        try:
            with fsutil.write_errors(self.shown):
                yield
        except OutputError as exc:
            found = fsutil.errno_in(str(exc)) if str(exc).startswith("ffmpeg could not") else None
            if found is None:
                raise
            raise fsutil.write_failure(self.shown, OSError(found, os.strerror(found))) from exc
        except mutagen.MutagenError as exc:  # the tags: mutagen wraps the OSError
            cause = os_error_in(exc)
            if cause is None:
                raise
            raise fsutil.write_failure(self.shown, cause) from exc

    def start(self, rate: int, layout: Layout | None) -> Write:
        """Start ffmpeg; with the whole ``layout`` known, at its exact length, chapters in."""
        self.rate = rate
        command = pcm_input(rate)
        if layout is not None:
            self.exact_frames = layout.frames_at(self.speed)
        if layout is not None and self.format.ffmpeg_metadata and self.describe is not None:
            meta = self.scratch / "metadata.txt"
            tags, chapters = self.describe(self.exact_frames or 0)
            meta.write_text(metadata.ffmetadata(tags, chapters), encoding="utf-8")
            command += ["-i", str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                        "-metadata:s:a:0", f"language={tags.language}"]
        # Segments (at 1x) are cut to their own lengths and counted as they are joined: the
        # whole file's pad-or-trim would stretch each of them to the whole file's length.
        filters = [] if self.segmented else tempo_filters(self.speed, self.exact_frames)
        command += ["-af", ",".join(filters)] if filters else []
        if self.stdout and not self.sent_whole:
            self.encoder = self.stream_encoder(command, rate)
        else:
            self.tmp = (self.scratch / f"whole{self.suffix}" if self.sent_whole
                        else self.cleanup.enter_context(atomic_target(self.output)))
            command += [*self.format.args, *bitrate_args(self.format, self.bitrate), "-y"]
            if self.segmented:
                check = (DECODED_PEAK_DB, lambda again: Encoder(again, self.action)) if self.loud else None
                self.encoder = mp3.SegmentedEncoder(command, rate, self.tmp, self.scratch,
                                                    self.action, mp3.encoders_wanted(), check)
            else:
                self.command = [*command, str(self.tmp)]
                self.encoder = Encoder(self.command, self.action)
                if self.format.lossy:
                    return self.guard_writes(self.encoder)
        return self.encoder.write

    def guard_writes(self, encoder: Encoder) -> Write:
        """The encoder's input, also kept on disk for the decoded-peak check."""
        self.guarded = guarded = tempfile.TemporaryFile(dir=self.scratch, prefix="encoded-")  # noqa: SIM115

        def write(pcm: bytes) -> None:
            with fsutil.write_errors(f"the render's scratch files in {self.scratch.parent}",
                                     mp3.SCRATCH_STEP):
                guarded.write(pcm)
            encoder.write(pcm)
        return write

    def hold_decoded_peak(self, pcm: IO[bytes]) -> None:
        """Decode the file and, where the codec overshot DECODED_PEAK_DB, encode it again
        with the gain dipped there (see tts/audio/overshoot.py)."""
        assert self.tmp is not None
        found = overshoot.hold(self.tmp, codec_rate(self.format, self.rate), DECODED_PEAK_DB,
                               self.action, pcm, self.rate, self.speed,
                               lambda: Encoder(self.command, self.action))
        if found.overs and self.format.header_gain:
            overshoot.lower_opus_gain(self.tmp, found.peak_db - DECODED_PEAK_DB)

    def stream_encoder(self, command: list[str], rate: int) -> Encoder:
        """ffmpeg writing to standard output: MP3 after its ID3 tag, WAV after an exact header."""
        frames = self.exact_frames or 0
        prefix, exact, args = b"", None, [*self.format.args, *bitrate_args(self.format, self.bitrate)]
        if self.suffix == ".wav":
            prefix, exact, args = wav_header(rate, frames), frames * SAMPLE_WIDTH, ["-f", "s16le"]
        elif self.suffix == ".mp3":
            args += ["-id3v2_version", "0", "-write_xing", "0"]
            if self.describe is not None:
                prefix = metadata.id3_bytes(*self.describe(frames))
        return Encoder([*command, *args, "pipe:1"], self.action, self.sink, prefix, exact)

    def finish(self) -> int:
        """Close the encoder, tag the file and move it into place; its length in frames. A
        failed write is one line (write_errors), the old output as it was."""
        if self.encoder is None:
            raise OutputError("no audio was made")
        with self.write_errors():
            return self.finish_file(self.encoder)

    def finish_file(self, encoder: Encoder | mp3.SegmentedEncoder) -> int:
        """``finish``, once there is an encoder."""
        encoder.close()
        if self.tmp is None:  # streamed to standard output as it was encoded
            shutil.rmtree(self.scratch, ignore_errors=True)
            return self.exact_frames or 0
        if self.guarded is not None:
            with self.guarded:
                self.hold_decoded_peak(self.guarded)
        if isinstance(encoder, Encoder) and self.suffix == ".mp3":  # segments' header says LAME
            # First: the length the headers then give is the true one; with the length
            # known, to the sample (ffmpeg's padding can be 46 short), as the segments' is.
            mp3.mark_lame_tag(self.tmp, self.exact_frames, self.rate)
        frames = (encoder.samples if isinstance(encoder, mp3.SegmentedEncoder)  # as counted
                  else self.exact_frames if self.exact_frames is not None
                  else self.measured_frames())
        if self.describe is not None:
            tags, chapters = self.describe(frames)
            self.format.write_tags(self.tmp, tags, chapters)
        if self.sent_whole:
            self.send(self.tmp)
        self.cleanup.close()  # chmod and os.replace into place
        shutil.rmtree(self.scratch, ignore_errors=True)
        return frames

    def send(self, path: Path) -> None:
        """Copy the finished file at ``path`` to standard output."""
        assert self.sink is not None
        with path.open("rb") as finished:
            while block := finished.read(COPY_BYTES):
                streams.write_all(self.sink, block)

    def measured_frames(self) -> int:
        """The encoded file's length in frames of the input rate, as its headers say."""
        assert self.tmp is not None
        info = mutagen.File(self.tmp).info
        return int(info.length * self.rate)  # rounded down: no time passes the end

    def abort(self) -> None:
        """Stop the encoder and remove every temp file; an existing output stays as it was."""
        if self.encoder is not None:
            self.encoder.abort()
        if self.guarded is not None:
            self.guarded.close()
        stopped = OutputError("the render stopped")
        self.cleanup.__exit__(OutputError, stopped, None)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> AudioTarget:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is not None:
            self.abort()
