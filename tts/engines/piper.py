"""Piper voice files (``.onnx`` + ``.onnx.json``) spoken through the optional piper-tts package.

piper-tts is GPL-3.0-or-later, so it is an extra (``pip install -e '.[piper]'`` in a clone) and
is imported only when a piper voice is loaded: listing voices reads their JSON alone.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from pydub import AudioSegment

from tts.chars import primary
from tts.engines.base import Voice
from tts.errors import ConfigError, EngineNotInstalled, install_extra_hint
from tts.options import DEFAULT_RATE_WPM
from tts.text.diacritize import disable_telemetry
from tts.text.rules import ESPEAK_RULES
from tts.types import WordTime

if TYPE_CHECKING:  # the extra may be missing: imported where a voice is loaded
    from piper import AudioChunk, PiperVoice

APP_NAME = "article-tts"
# Where ``--voice NAME`` looks for NAME.onnx and NAME.onnx.json; the variable wins.
VOICES_ENV = "ARTICLE_TTS_PIPER_VOICES"
DISTRIBUTION = "piper-tts"
INSTALL_HINT = install_extra_hint("piper")
MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
# The inputs piper feeds a voice (piper.voice.PiperVoice.phoneme_ids_to_audio); ``sid`` too
# when it has several speakers.
MODEL_INPUTS = frozenset({"input", "input_lengths", "scales"})
# A voice file is hashed for the cache key in blocks of this size (a medium voice is 60 MB).
HASH_BLOCK = 1 << 20
# piper's markers around and between phonemes, which belong to no word.
BOS, EOS, PAD = "^", "$", "_"
WORD = re.compile(r"\S+")


def voices_dir() -> Path:
    """The voices folder: $ARTICLE_TTS_PIPER_VOICES, else the user data folder's piper-voices."""
    return Path(os.environ.get(VOICES_ENV) or Path(platformdirs.user_data_dir(APP_NAME)) / "piper-voices")


def piper_version() -> str | None:
    """The installed piper-tts version, without importing it (onnxruntime takes 0.2 s); None if absent."""
    try:
        if importlib.util.find_spec("piper") is None:
            return None
        return importlib.metadata.version(DISTRIBUTION)
    except (ValueError, importlib.metadata.PackageNotFoundError):
        return None  # blocked in sys.modules, or another package's "piper" module


@dataclass(frozen=True)
class VoiceFile:
    """A voice on disk: its model, its config beside it, and the speaker asked for."""

    name: str
    model: Path
    config: Path
    speaker: str | None = None
    """What followed ``:`` in ``--voice NAME:SPEAKER`` (a number or a speaker's name)."""


def split_speaker(spec: str) -> tuple[str, str | None]:
    """``name:speaker`` into its parts; a spec without one (or a Windows drive) is all voice."""
    base, sep, speaker = spec.rpartition(":")
    if not sep or not base or not speaker or any(ch in speaker for ch in "/\\"):
        return spec, None
    return base, speaker


def locate(spec: str, folder: Path) -> VoiceFile:
    """The voice ``--voice`` names: a path to an .onnx file, or a name in the voices folder."""
    name, speaker = split_speaker(spec.strip())
    if not is_voice_file(name, folder) and is_voice_file(spec.strip(), folder):
        name, speaker = spec.strip(), None  # the colon was part of the path
    model = as_path(name, folder)
    if not model.is_file():
        raise missing_voice(name, model, folder)
    config = Path(f"{model}.json")
    if not config.is_file():
        raise ConfigError(f"piper voice {model.name} has no config beside it ({config.name}): "
                          f"download the voice's {CONFIG_SUFFIX} file into the same folder")
    return VoiceFile(model.name.removesuffix(MODEL_SUFFIX), model, config, speaker)


def as_path(name: str, folder: Path) -> Path:
    """A name given as a path stays one; a bare voice name is NAME.onnx in ``folder``."""
    if name.endswith(MODEL_SUFFIX) or "/" in name or os.sep in name:
        return Path(name).expanduser()
    return folder / f"{name}{MODEL_SUFFIX}"


def is_voice_file(name: str, folder: Path) -> bool:
    return as_path(name, folder).is_file()


def missing_voice(name: str, model: Path, folder: Path) -> ConfigError:
    """The error for a voice that is not there, with the ones that are."""
    if model.parent != folder or name.endswith(MODEL_SUFFIX):
        return ConfigError(f"piper voice file {model} not found: give the path to a voice's "
                           f"{MODEL_SUFFIX} file, or a name from `article-tts voices`")
    found = [voice.name for voice in list_voices(folder)]
    have = f"it has {', '.join(found)}" if found else "it has none"
    return ConfigError(f"no piper voice {name!r} in {folder} ({have}): download {name}{MODEL_SUFFIX} "
                       f"and {name}{CONFIG_SUFFIX} there, or set {VOICES_ENV} to their folder")


def read_config(path: Path) -> dict[str, Any]:
    """A voice's JSON config, checked for the fields piper reads; ConfigError when unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"piper voice config {path.name} cannot be read ({first_line(exc)}): "
                          "download it again") from None
    problem = config_problem(data)
    if problem:
        raise ConfigError(f"piper voice config {path.name} is not a piper voice's ({problem}): "
                          "download it again")
    return data  # type: ignore[no-any-return]


def config_problem(data: Any) -> str | None:
    """What a config lacks that piper needs, or None."""
    if not isinstance(data, dict):
        return "not a JSON object"
    for keys in (("audio", "sample_rate"), ("espeak", "voice"), ("phoneme_id_map",), ("num_speakers",)):
        value: Any = data
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return f"no {'.'.join(keys)}"
            value = value[key]
    return None


def first_line(exc: BaseException) -> str:
    """An exception's message on one line, short enough for an error message."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def voice_language(config: dict[str, Any]) -> str:
    """The voice's language as BCP 47 (``ar-JO``): its ``language.code``, else its espeak voice."""
    language = config.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    return str(code or config["espeak"]["voice"]).replace("_", "-")


def list_voices(folder: Path | None = None) -> list[Voice]:
    """The voices in the voices folder, as ``article-tts voices`` lists them (JSON only, no piper)."""
    folder = voices_dir() if folder is None else folder
    if not folder.is_dir():
        return []
    voices = []
    for model in sorted(folder.glob(f"*{MODEL_SUFFIX}")):
        name = model.name.removesuffix(MODEL_SUFFIX)
        try:
            config = read_config(Path(f"{model}.json"))
        except ConfigError as exc:
            voices.append(Voice("piper", name, "", notes=f"unusable: {exc}"))
            continue
        voices.append(Voice("piper", name, voice_language(config), notes=voice_notes(config)))
    return voices


def voice_notes(config: dict[str, Any]) -> str:
    """Quality and speakers, as the voice's JSON says them."""
    audio = config.get("audio", {})
    quality = audio.get("quality") if isinstance(audio, dict) else None
    speakers = int(config.get("num_speakers", 1))
    notes = [f"quality {quality}"] if quality else []
    notes.append(f"{speakers} speakers (NAME:N)" if speakers > 1 else "1 speaker")
    return ", ".join(notes)


def check_available(voice: str | None = None) -> tuple[bool, str]:
    """Whether piper can speak here, e.g. (True, "piper-tts 1.8.0, 2 voices in FOLDER")."""
    version = piper_version()
    if version is None:
        return False, f"the piper-tts package is not installed; {INSTALL_HINT}"
    folder = voices_dir()
    count = len([v for v in list_voices(folder) if v.lang])
    if count:
        return True, f"piper-tts {version}, {count} voice{'s' if count > 1 else ''} in {folder}"
    if voice:
        return True, f"piper-tts {version}"
    return False, (f"piper-tts {version}, but no voice files in {folder}: download a voice's "
                   f"{MODEL_SUFFIX} and {CONFIG_SUFFIX} there (or set {VOICES_ENV}), or give --voice PATH")


def import_piper() -> Any:
    """The piper package, with onnxruntime's telemetry off; EngineNotInstalled when missing."""
    if piper_version() is None:
        raise EngineNotInstalled(f"the piper engine needs the piper-tts package; {INSTALL_HINT}")
    disable_telemetry()
    try:
        import piper
    except ImportError as exc:
        raise EngineNotInstalled(f"the piper-tts package does not import ({first_line(exc)}); "
                                 f"{INSTALL_HINT}") from None
    return piper


def can_align() -> bool:
    """Whether piper can expose a voice's phoneme durations: it patches the model with onnx."""
    return importlib.util.find_spec("onnx") is not None


def load_voice(voice: VoiceFile) -> PiperVoice:
    """The voice loaded by piper, with its own tashkeel off; ConfigError when the model is not one."""
    piper = import_piper()
    try:
        loaded: PiperVoice = piper.PiperVoice.load(voice.model, config_path=voice.config,
                                                  include_alignments=can_align())
    except Exception as exc:  # onnx and onnxruntime raise their own types for a corrupt file
        raise ConfigError(f"piper voice file {voice.model.name} cannot be loaded ({first_line(exc)}): "
                          "download it again") from None
    # Our text2tashkeel has already added the vowels; piper's model would add its own.
    loaded.use_tashkeel = False
    names = {item.name for item in loaded.session.get_inputs()}
    needed = MODEL_INPUTS | ({"sid"} if loaded.config.num_speakers > 1 else set())
    if not needed <= names:
        raise ConfigError(f"piper voice file {voice.model.name} is not a piper voice (it lacks the "
                          f"inputs {', '.join(sorted(needed - names))}): download it again")
    return loaded


def speaker_id(voice: PiperVoice, name: str, speaker: str | None) -> int | None:
    """The speaker index ``speaker`` (a number or a name) selects; None for the voice's default."""
    if speaker is None:
        return None
    count = voice.config.num_speakers
    if count <= 1:
        raise ConfigError(f"piper voice {name} has one speaker: drop ':{speaker}' from --voice")
    by_name = voice.config.speaker_id_map
    index = by_name.get(speaker) if speaker in by_name else int(speaker) if speaker.isdigit() else None
    if index is None or not 0 <= index < count:
        names = f" or a name ({', '.join(sorted(by_name))})" if by_name else ""
        raise ConfigError(f"piper voice {name} has no speaker {speaker!r}: give a number from 0 to "
                          f"{count - 1}{names} after the colon")
    return index


def file_digest(paths: Iterable[Path]) -> str:
    """A short SHA-256 of the files' bytes, in order: a voice re-downloaded changes it."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while block := handle.read(HASH_BLOCK):
                digest.update(block)
    return digest.hexdigest()[:16]


class PiperEngine:
    """A Piper voice file, read by piper-tts in-process (one ONNX session), fully offline."""

    name = "piper"
    offline = True
    max_chars: int | None = None  # a whole paragraph per call: piper cuts it into sentences itself
    # One ONNX session per voice, which already uses every core: one chunk at a time.
    max_concurrency: int | None = 1
    # Piper's Arabic voices (ar_JO-kareem) were trained on vocalized text; text2tashkeel adds
    # the vowels (our measured best) and piper's own diacritizer stays off.
    tashkeel = True
    # piper phonemizes with espeak-ng's Arabic voice, which misreads the same spellings.
    rules = ESPEAK_RULES
    # An estimate for --dry-run, near espeak's measured 10.3 at 175 wpm; no real voice was
    # measured (none can be downloaded where this was built).
    chars_per_second = 12.0
    # espeak-ng inside piper reads a Latin run with its English rules in the same call.
    inline_languages = True
    # [[...]] in our lexicons is espeak's ascii notation; piper's [[...]] takes IPA.
    phoneme_input = False

    def __init__(self, voice: str | None, rate: int | None = None, lang: str = "ar") -> None:
        if not voice or not voice.strip():
            raise ConfigError(f"the piper engine needs a voice: --voice NAME from {voices_dir()} "
                              f"(see `article-tts voices`), or --voice PATH{MODEL_SUFFIX}")
        self.file = locate(voice, voices_dir())
        config = read_config(self.file.config)
        spoken = voice_language(config)
        if primary(spoken) != primary(lang):
            raise ConfigError(f"piper voice {self.file.name} speaks {spoken}, not {lang}: choose a "
                              f"voice for {primary(lang)} (`article-tts voices`), or give --lang {primary(spoken)}")
        self.model = load_voice(self.file)
        self.speaker = speaker_id(self.model, self.file.name, self.file.speaker)
        self.voice = self.file.name if self.speaker is None else f"{self.file.name}:{self.speaker}"
        """The voice file's name, and the speaker's number when one was asked for."""
        # --rate in words per minute; 175 (espeak's default) keeps the voice's own pace.
        pace = 1.0 if rate is None else DEFAULT_RATE_WPM / rate
        self.length_scale = self.model.config.length_scale * pace
        self.sample_rate = self.model.config.sample_rate
        self.aligned = len(self.model.session.get_outputs()) > 1
        self.word_timing = "piper alignments" if self.aligned else "estimated"
        """Where word times come from: the voice's phoneme durations, or spread by letters."""
        self._key: dict[str, str] | None = None
        self._lock = threading.Lock()

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        """Speak ``text`` sentence by sentence and return the sentences' audio joined."""
        return self.synthesize_words(text, lang)[0]

    def synthesize_words(self, text: str,
                         lang: str | None = None) -> tuple[AudioSegment, tuple[WordTime, ...]]:
        """Speak ``text``; also its words' times from the voice's alignments, or () to estimate."""
        from piper import SynthesisConfig

        settings = SynthesisConfig(speaker_id=self.speaker, length_scale=self.length_scale)
        with self._lock:
            chunks = list(self.model.synthesize(text, settings, include_alignments=self.aligned))
        data = b"".join(chunk.audio_int16_bytes for chunk in chunks)
        audio = AudioSegment(data=data, sample_width=2, frame_rate=self.sample_rate, channels=1)
        spans = spoken_spans(chunks, self.sample_rate) if self.aligned else None
        return audio, (() if spans is None else word_times(text, spans))

    def cache_key(self) -> dict[str, str]:
        """piper's version, the voice's bytes, speaker and pace: all that shapes the audio."""
        if self._key is None:
            self._key = {
                "engine": self.name,
                "version": piper_version() or "",
                "voice": self.file.name,
                "voice_sha256": file_digest((self.file.model, self.file.config)),
                "speaker": "" if self.speaker is None else str(self.speaker),
                "length_scale": f"{self.length_scale:.4g}",
                "tashkeel": "ours",
            }
        return self._key


def is_boundary(phoneme: str) -> bool:
    """Whether a phoneme of piper's ends a word: its markers and spaces. (espeak also writes
    ``.`` between syllables inside a word, so punctuation alone does not end one.)"""
    return phoneme in (BOS, EOS, PAD) or phoneme.isspace()


def is_sounding(phoneme: str) -> bool:
    """Whether a phoneme is heard: not a boundary and not punctuation."""
    return not is_boundary(phoneme) and unicodedata.category(phoneme[:1])[0] != "P"


def spoken_spans(chunks: Sequence[AudioChunk], rate: int) -> list[tuple[int, int]] | None:
    """(start_ms, end_ms) of each word piper spoke, from its phoneme alignments; None without them.

    A word runs from its first heard phoneme to the end of its last, between spaces."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None
        position, word = offset, None
        for alignment in chunk.phoneme_alignments:
            end = position + int(alignment.num_samples)
            if is_boundary(alignment.phoneme):
                if word is not None:
                    spans.append(word)
                word = None
            elif is_sounding(alignment.phoneme):
                word = (position if word is None else word[0], end)
            position = end
        if word is not None:
            spans.append(word)
        offset += len(chunk.audio_float_array)
    return [(a * 1000 // rate, b * 1000 // rate) for a, b in spans]


def word_times(text: str, spans: Sequence[tuple[int, int]]) -> tuple[WordTime, ...]:
    """The spoken spans laid on ``text``'s words in order; () (estimate instead) when the counts
    differ, as when espeak reads one written word as two."""
    words = [m.span() for m in WORD.finditer(text) if any(ch.isalnum() for ch in m.group())]
    if len(words) != len(spans):
        return ()
    return tuple(WordTime(a, b, start, end) for (a, b), (start, end) in zip(words, spans, strict=True))
