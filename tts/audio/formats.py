"""The output formats in one table: extension, ffmpeg's muxer and codec, MIME type, tag writer,
and the limiter's room for each codec."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tts.audio import metadata
from tts.types import Chapter, Tags

TagWriter = Callable[[Path, Tags, Sequence[Chapter]], None]
# What a file of an extension we do not write is called (never the audio we make).
UNKNOWN_MIME = "application/octet-stream"

# True-peak ceilings of the limiter, in dBTP. Podcast platforms ask for -1 dBTP on the
# decoded file; a lossy codec's rebuilt waveform overshoots the limited one, by an amount
# that varies with espeak's noise (it differs from one call to the next in a process).
# Most lossy files are decoded once written and dipped where they still pass (see
# tts/audio/overshoot.py), so -3 leaves the codec room for most of its overshoot, and the check
# the rest. An MP3 whose decoded file is not checked (in segments at the default loudness,
# or to standard output) gets -3.5: over many renders of the same text at -14 LUFS MP3 at
# 64k overshot by up to 2.3 dB (one render in twenty at -0.9 dBTP under -3). Lower still,
# the limiter cannot reach -14 LUFS (-15.2 under -4). Lossless files get a little room too.
LOSSY_CEILING_DB = -3.0
MP3_UNCHECKED_CEILING_DB = -3.5
LOSSLESS_CEILING_DB = -1.2

# LU that MP3 at speech rates loses against the audio it encodes (its filtering of the
# highest band, which the K-weighting counts): measured on the same clips as MP3 and WAV,
# 0.4-0.5 LU at -16 and -14 LUFS. It is given back as gain.
MP3_LOUDNESS_LOSS_DB = 0.45


@dataclass(frozen=True)
class Format:
    """One output extension: how ffmpeg writes it, what it is called on the web, how it is tagged."""

    args: tuple[str, ...]
    """Muxer and codec arguments."""
    mime: str
    """Its MIME type: a page's data URI and a feed's enclosure say it."""
    write_tags: TagWriter
    """Tags (and chapters, where the container holds them) into the encoded file."""
    lossy: bool = True
    """Takes a bitrate (PCM and FLAC do not)."""
    streamable: bool = True
    """Can be written to a pipe (standard output); MP4 must seek back to finish its index."""
    ffmpeg_metadata: bool = False
    """Tags and chapters go in while encoding, from an ffmetadata input: mutagen cannot
    write an MP4 chapter track. Other formats are tagged afterwards."""
    bitrate_curve: tuple[tuple[int, float], ...] = ()
    """(kbit/s asked of the encoder, kbit/s a file of speech averages), measured: the
    rate asked is read off it so the file averages ``--bitrate``. Empty: ask for it as is."""
    ceiling_db: float = LOSSY_CEILING_DB
    """The limiter's true-peak ceiling (dBTP): under -1 by the codec's overshoot."""
    unchecked_ceiling_db: float | None = None
    """The ceiling when the decoded file is not checked, if lower."""
    loudness_loss_db: float = 0.0
    """LU the encoded file measures under the audio given it; added to the gain."""
    header_gain: bool = False
    """The header holds a gain every decoder applies (Opus): the last resort of the
    decoded-peak check."""


# Opus runs only at 48 kHz (or 8/12/16/24); engines give 22.05 or 24 kHz, so resample.
# Opus in free VBR averaged 1.8x the asked bitrate on espeak's voice (115 for 64 kbit/s);
# constrained VBR keeps the average within a few percent of it.
# ffmpeg's AAC encoder overshoots at speech rates, and not in proportion: asked for 24k it
# averages 30, for 32k 42, for 64k 72 (espeak's article at 22.05 and 24 kHz, the two rates
# our engines speak at; the two agree within 3 kbit/s up to 64k). The rate asked is read
# off this curve so the file averages --bitrate. Past about 110 kbit/s, mono at these
# rates gives no more. Its "fast" coder is 5x quicker than the default two-loop search
# (2.5 s against 13 s for 3.5 minutes) at the same bitrate.
AAC_SPEECH_CURVE = ((16, 18.3), (18, 20.5), (20, 23.3), (22, 26.2), (24, 29.9), (26, 33.3),
                    (28, 36.7), (30, 39.2), (32, 42.6), (36, 44.3), (40, 48.7), (44, 52.6),
                    (48, 56.6), (56, 65.0), (64, 73.5), (80, 91.1), (96, 112.5))
# faststart puts the M4A index first, so podcast apps can play while downloading.
# FLAC keeps 16 bits: the audio is 16-bit, and 24 only makes the file bigger.
# WAV: bitexact keeps ffmpeg from writing its name as RIFF INFO (tags go in an ID3 chunk).
FORMATS: dict[str, Format] = {
    ".mp3": Format(("-f", "mp3", "-c:a", "libmp3lame", "-write_xing", "1"),
                   "audio/mpeg", metadata.write_id3, unchecked_ceiling_db=MP3_UNCHECKED_CEILING_DB,
                   loudness_loss_db=MP3_LOUDNESS_LOSS_DB),
    ".ogg": Format(("-f", "ogg", "-c:a", "libopus", "-vbr", "constrained", "-ar", "48000"),
                   "audio/ogg", metadata.write_opus_tags, header_gain=True),
    ".opus": Format(("-f", "opus", "-c:a", "libopus", "-vbr", "constrained", "-ar", "48000"),
                    "audio/ogg", metadata.write_opus_tags, header_gain=True),
    ".m4a": Format(("-f", "ipod", "-c:a", "aac", "-aac_coder", "fast", "-movflags", "+faststart"),
                   "audio/mp4", metadata.write_m4a_tags,
                   streamable=False, ffmpeg_metadata=True, bitrate_curve=AAC_SPEECH_CURVE),
    ".wav": Format(("-f", "wav", "-c:a", "pcm_s16le", "-fflags", "+bitexact"),
                   "audio/wav", metadata.write_wav_tags, lossy=False,
                   ceiling_db=LOSSLESS_CEILING_DB),
    ".flac": Format(("-f", "flac", "-c:a", "flac", "-sample_fmt", "s16"),
                    "audio/flac", metadata.write_flac_tags, lossy=False,
                    ceiling_db=LOSSLESS_CEILING_DB),
}


def mime_type(path: Path) -> str:
    """The MIME type of the audio file at ``path`` by its extension (any case)."""
    fmt = FORMATS.get(path.suffix.lower())
    return UNKNOWN_MIME if fmt is None else fmt.mime
