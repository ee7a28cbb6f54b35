"""Offline speech engine: libespeak-ng loaded in-process through ctypes."""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import difflib
import html
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydub import AudioSegment

from tts.chars import primary
from tts.engines.base import Voice
from tts.errors import ConfigError, EngineError, EngineUnavailable, UnknownVoice
from tts.options import DEFAULT_RATE_WPM, RATE_RANGE
from tts.text.langs import PHONEMES, runs
from tts.text.rules import ESPEAK_RULES
from tts.types import WordTime

# espeak-ng's own output rate for its formant voices; the real value comes back
# from espeak_Initialize and is what we stamp on the audio.
SAMPLE_RATE = 22050

# Constants from espeak-ng's speak_lib.h (API revision 12), copied because
# ctypes cannot read a C header.
AUDIO_OUTPUT_SYNCHRONOUS = 2  # samples go to our callback; Synth returns when done
ESPEAK_CHARS_UTF8 = 1  # text passed as NUL-terminated UTF-8 bytes
ESPEAK_SSML = 0x10  # the text is SSML: <voice name="en"> switches voice for a run
ESPEAK_PHONEMES = 0x100  # phonemes written [[...]] in the text are spoken as they are
POS_CHARACTER = 1  # espeak_Synth position type; with position 0 it means "from the start"
ESPEAK_RATE = 1  # espeak_PARAMETER index of the speaking rate
INITIALIZE_DONT_EXIT = 0x8000  # report a missing data folder instead of exit(1)
PHONEMES_ASCII = 0  # TextToPhonemes mode: ascii mnemonics, as `espeak-ng -x` prints
PHONEMES_SEPARATOR_SHIFT = 8  # TextToPhonemes mode bits 8-23: a character put between phonemes
EE_OK = 0
EE_NOT_FOUND = 2
# espeak_EVENT_TYPE values: the list handed to the callback ends with a 0, and a
# WORD event marks where a word of the input starts being heard.
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
# A word of the input, as espeak's WORD events point into it: whitespace-delimited.
WORD = re.compile(r"\S+")

# espeak-ng accepts 80..450 words per minute (espeakRATE_MINIMUM/MAXIMUM);
# 175 is its default, set explicitly because the rate is process-wide state.
RATE_MIN, RATE_MAX = RATE_RANGE
RATE_DEFAULT = DEFAULT_RATE_WPM

# Length of each buffer handed to the callback, in ms (0 would mean espeak's 60 ms). The
# callback is Python: each call takes the GIL back, and while another thread runs Python
# (the streamed pass, tashkeel) it waits up to the 5 ms switch interval. With 60 ms
# buffers the article took 18 s to speak beside a busy thread, 0.9 s with 5 s buffers
# (0.25 s alone either way).
BUFFER_MS = 5000

# Said beside Arabic in `article-tts voices`: espeak-ng's variants change any voice's timbre.
VARIANTS_NOTE = "variants as VOICE+VARIANT: ar+f1..ar+f5 female, ar+m1..ar+m7 male"

INSTALL_HINT = (
    "install the espeakng-loader package (pip install espeakng-loader) "
    "or your system's libespeak-ng (apt install libespeak-ng1)"
)

# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events)
_CALLBACK_TYPE = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

# libespeak-ng keeps its voice, rate and output in globals: every call sequence
# (set voice, set rate, synth) runs under this one lock.
_LOCK = threading.Lock()

# The seed of the noise generators (breath and whispered voices: espeak's own, and libc's
# rand() that older releases and the klatt voices use), set before every clip: espeak_Initialize
# seeds its generator with the time of day.
NOISE_SEED = 1


@dataclass(frozen=True)
class _Candidate:
    """One place libespeak-ng may be loaded from."""

    library: str
    data_path: str | None  # None: the library's compiled-in default
    label: str  # "bundled" or "system", shown by check_available


@dataclass
class _Library:
    """The initialized library and what espeak_Initialize told us."""

    lib: ctypes.CDLL
    sample_rate: int
    version: str
    candidate: _Candidate  # where it was loaded from: a clip after another loads it again
    samples: bytearray = field(default_factory=bytearray)
    """Filled by the callback during one espeak_Synth call."""
    callback: object = None  # kept referenced so ctypes does not free the trampoline
    words: list[tuple[int, int]] = field(default_factory=list)
    """(character offset into the text, ms into the audio) of each WORD event of the call."""
    used: bool = False
    """Whether a voice or a text was given to this load of the library: its state is not fresh."""

    @property
    def label(self) -> str:
        return self.candidate.label


class _EventId(ctypes.Union):
    """The ``id`` union of espeak_EVENT: a number, a name, or an 8-byte phoneme string."""

    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """espeak_EVENT from speak_lib.h: what espeak reports alongside each buffer of samples.

    ``text_position`` counts characters (not bytes) of the input from 1;
    ``audio_position`` is ms from the start of this synthesis.
    """

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


class _Voice(ctypes.Structure):
    """espeak_VOICE from speak_lib.h, as espeak_ListVoices returns it."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),  # priority byte, then the language code
        ("identifier", ctypes.c_char_p),  # file under voices/, e.g. b"sem/ar"
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_STATE: _Library | None = None


def _candidates() -> Iterator[_Candidate]:
    """The libraries to try, in order: espeakng-loader's bundled one, then the system's.

    Lazily: looking for the system's runs ldconfig and a gcc link (35 ms), not needed
    when the bundled library loads.
    """
    try:
        import espeakng_loader

        yield _Candidate(espeakng_loader.get_library_path(), espeakng_loader.get_data_path(),
                         "bundled")
    except (ImportError, RuntimeError, OSError):
        pass  # no wheel for this platform, or its data folder is missing
    system = ctypes.util.find_library("espeak-ng")
    if system:
        yield _Candidate(system, None, "system")


def _load_first(candidates: Iterable[_Candidate]) -> tuple[ctypes.CDLL, _Candidate]:
    """Open the first candidate library that loads, or raise EngineUnavailable."""
    reasons: list[str] = []
    for candidate in candidates:
        try:
            return ctypes.CDLL(candidate.library), candidate
        except OSError as exc:
            reasons.append(f"{candidate.label} library {candidate.library}: {exc}")
    detail = f" ({'; '.join(reasons)})" if reasons else ""
    raise EngineUnavailable(f"espeak-ng is not available{detail}: {INSTALL_HINT}")


def _declare(lib: ctypes.CDLL) -> None:
    """Give ctypes the C signatures of the functions we call."""
    c_int, c_char_p, c_void_p = ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p
    signatures = {
        "espeak_Initialize": ([c_int, c_int, c_char_p, c_int], c_int),
        "espeak_SetSynthCallback": ([_CALLBACK_TYPE], None),
        "espeak_SetVoiceByName": ([c_char_p], c_int),
        "espeak_SetParameter": ([c_int, c_int, c_int], c_int),
        "espeak_Synth": (
            [c_void_p, ctypes.c_size_t, ctypes.c_uint, c_int, ctypes.c_uint,
             ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), c_void_p],
            c_int,
        ),
        "espeak_Synchronize": ([], c_int),
        "espeak_TextToPhonemes": ([ctypes.POINTER(c_void_p), c_int, c_int], c_char_p),
        "espeak_Info": ([ctypes.POINTER(c_char_p)], c_char_p),
        "espeak_ListVoices": ([c_void_p], ctypes.POINTER(ctypes.POINTER(_Voice))),
        "espeak_Terminate": ([], c_int),
    }
    if hasattr(lib, "espeak_ng_SetRandSeed"):  # espeak-ng 1.52 and later
        signatures["espeak_ng_SetRandSeed"] = ([ctypes.c_long], c_int)
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype


def _initialize(lib: ctypes.CDLL, candidate: _Candidate) -> _Library:
    """Run espeak_Initialize in synchronous retrieval mode and hook our callback."""
    _declare(lib)
    data = candidate.data_path.encode() if candidate.data_path else None
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, data, INITIALIZE_DONT_EXIT)
    data_dir = ctypes.c_char_p()
    version = (lib.espeak_Info(ctypes.byref(data_dir)) or b"").decode("utf-8", "replace")
    found_dir = (data_dir.value or b"").decode("utf-8", "replace")
    # With a missing data folder Initialize returns 0 (or -1) instead of exiting.
    if rate <= 0 or not (Path(found_dir) / "phontab").is_file():
        raise EngineUnavailable(
            f"espeak-ng {version} ({candidate.label}) found no voice data in "
            f"{found_dir or 'its default folder'}: reinstall espeakng-loader or "
            "install espeak-ng-data (apt install espeak-ng-data)"
        )
    state = _Library(lib, rate, version, candidate)
    state.callback = _CALLBACK_TYPE(
        lambda wav, count, events: _collect(state, wav, count, events))
    lib.espeak_SetSynthCallback(state.callback)
    return state


def _collect(state: _Library, wav: ctypes._Pointer[ctypes.c_short], count: int,
             events: int | None) -> int:
    """Synth callback: append ``count`` 16-bit samples and note the WORD events; NULL wav ends."""
    if events:
        event = ctypes.cast(events, ctypes.POINTER(_Event))
        index = 0
        while event[index].type != EVENT_LIST_TERMINATED:
            if event[index].type == EVENT_WORD:
                state.words.append((event[index].text_position - 1, event[index].audio_position))
            index += 1
    if wav and count > 0:
        state.samples += ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short))
    return 0  # 0 = continue synthesis


def _library() -> _Library:
    """Load and initialize libespeak-ng once per process; call with _LOCK held."""
    global _STATE
    if _STATE is None:
        lib, candidate = _load_first(_candidates())
        _STATE = _initialize(lib, candidate)
    return _STATE


def _fresh_library() -> _Library:
    """The library as loaded, nothing asked of it yet, its noise seeded; call with _LOCK held.

    libespeak-ng keeps its synthesis state in static variables that no call resets: the pitch
    flutter's phase (wavegen.c's Flutter_ix), the waveform's phase, the gain control, the
    last pitch. A clip spoken after others started where they ended: the same sentence came
    back 200 samples longer and differed from the 87th ms on. Unloading the library and loading
    it again gives it fresh statics, in under 1 ms with the voice loaded by its file.
    """
    global _STATE
    state = _library()
    if state.used:
        _STATE = None  # if the reload fails, the next call starts from scratch
        _STATE = state = _reload(state)
    _seed(state)
    return state


def _reload(state: _Library) -> _Library:
    """Unload ``state``'s library and load it again from the same file (or a private copy)."""
    candidate = state.candidate
    state.lib.espeak_Terminate()
    _unload(state.lib)
    if _still_loaded(candidate.library):  # another handle on it (another module) keeps it
        candidate = _private_copy(candidate)
    try:
        lib = ctypes.CDLL(candidate.library)
    except OSError as exc:
        raise EngineUnavailable(
            f"espeak-ng could not be loaded again from {candidate.library} ({exc}): {INSTALL_HINT}"
        ) from exc
    return _initialize(lib, candidate)


def _unload(lib: ctypes.CDLL) -> None:
    """Give back our handle on ``lib``: with no other handle, its code and statics go."""
    import _ctypes

    if sys.platform == "win32":
        _ctypes.FreeLibrary(lib._handle)
    else:
        _ctypes.dlclose(lib._handle)


def _still_loaded(library: str) -> bool:
    """Whether ``library`` is still in the process. Where that cannot be asked (Windows), only
    a copy of ours is taken to be gone: no one else knows its name."""
    no_load = getattr(os, "RTLD_NOLOAD", None)
    if no_load is None:
        return library not in _COPIES.values()
    try:
        probe = ctypes.CDLL(library, mode=no_load)
    except OSError:
        return False
    _unload(probe)
    return True


_COPIES: dict[str, str] = {}
"""Library file -> this process's own copy of it, loaded where another handle holds the file."""


def _private_copy(candidate: _Candidate) -> _Candidate:
    """``candidate`` with its library copied to a folder of this process's, removed at exit:
    a file of our own is unloaded with our last handle, whoever else loaded the original."""
    if candidate.library not in _COPIES:
        folder = tempfile.mkdtemp(prefix="article-tts-espeak-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        source = candidate.library
        if not os.path.isabs(source):  # the system's, found by name
            source = _loaded_path(source)
        _COPIES[candidate.library] = shutil.copy(source, folder)
    return _Candidate(_COPIES[candidate.library], candidate.data_path, candidate.label)


def _loaded_path(library: str) -> str:
    """The file a library named without a folder (``libespeak-ng.so.1``) is loaded from."""
    lib = ctypes.CDLL(library)
    try:
        info = _DlInfo()
        ctypes.CDLL(None).dladdr(ctypes.cast(lib.espeak_Initialize, ctypes.c_void_p),
                                 ctypes.byref(info))
        return (info.dli_fname or b"").decode()
    finally:
        _unload(lib)


class _DlInfo(ctypes.Structure):
    """Dl_info from dlfcn.h: the file and symbol dladdr found an address in."""

    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def _seed(state: _Library) -> None:
    """Seed the noise generators with NOISE_SEED: a breathy voice's clip is the same each time."""
    if hasattr(state.lib, "espeak_ng_SetRandSeed"):
        state.lib.espeak_ng_SetRandSeed(NOISE_SEED)
    if sys.platform != "win32":  # espeak-ng 1.51 (Debian 12's) draws its noise from libc's rand()
        ctypes.CDLL(None).srand(NOISE_SEED)


def _check(code: int, action: str) -> None:
    """Raise EngineError when an espeak call did not return EE_OK."""
    if code != EE_OK:
        raise EngineError(
            f"espeak-ng failed to {action} (error code {code}): retry, and if it "
            "keeps failing use another engine"
        )


def _voice_names(state: _Library) -> list[str]:
    """Return the name of every installed voice, e.g. ["af", "am", "an", "ar"].

    These are the file names under espeak-ng-data/voices (what `espeak-ng -v`
    takes); the language codes in the list are not always accepted by name.
    """
    voices = state.lib.espeak_ListVoices(None)
    names: set[str] = set()
    index = 0
    while voices[index]:
        identifier = (voices[index].contents.identifier or b"").decode("utf-8", "replace")
        if identifier:
            names.add(identifier.rsplit("/", 1)[-1])
        index += 1
    return sorted(names)


def _unknown_voice(state: _Library, voice: str) -> UnknownVoice:
    """Build the error for a voice name espeak does not know, with close matches."""
    names = _voice_names(state)
    close = difflib.get_close_matches(voice, names, n=3)
    hint = f" (close: {', '.join(close)})" if close else ""
    return UnknownVoice(f"espeak-ng has no voice named {voice!r}{hint}",
                        f"use --voice ar for Arabic, or one of the {len(names)} that "
                        "`article-tts voices` lists")


_FILES: dict[str, str] = {}
"""Voice name -> its file under espeak-ng-data (``ar`` -> ``sem/ar``), once per process."""


def _voice_files(state: _Library) -> dict[str, str]:
    """The file of each voice whose name is a file's last part, alone of its kind (``ar``).

    Given a name, espeak lists every voice file to find it (2 ms, and 2 KB of the list it
    never frees, lost when the library is unloaded for the next clip); given the file, it
    loads it (0.2 ms). A name that is some voice's title (``Arabic``) is left to espeak.
    """
    if not _FILES:
        voices = state.lib.espeak_ListVoices(None)
        files: dict[str, list[str]] = {}
        titles: set[str] = set()
        index = 0
        while voices[index]:
            voice = voices[index].contents
            identifier = (voice.identifier or b"").decode("utf-8", "replace")
            titles.add((voice.name or b"").decode("utf-8", "replace").lower())
            files.setdefault(identifier.rsplit("/", 1)[-1].lower(), []).append(identifier)
            index += 1
        _FILES.update({name: found[0] for name, found in files.items()
                       if len(found) == 1 and name and name not in titles})
    return _FILES


def _select(state: _Library, voice: str, rate: int) -> None:
    """Set the voice (by its file where known: ``ar+f3`` is ``sem/ar+f3``) and the rate;
    both persist in the library between calls."""
    name, plus, variant = voice.partition("+")
    known = _voice_files(state).get(name.lower(), name) + plus + variant
    # Each selection queues a voice change for the wave generator: a clip after two of them
    # (the engine's check of its voice, then the clip's) came out 67 samples longer.
    state.used = True
    code = state.lib.espeak_SetVoiceByName(known.encode("utf-8"))
    if code == EE_NOT_FOUND:
        raise _unknown_voice(state, voice)
    _check(code, f"select voice {voice!r}")
    _check(state.lib.espeak_SetParameter(ESPEAK_RATE, rate, 0), f"set rate {rate}")


def _synth(state: _Library, text: str, ssml: bool = False) -> bytes:
    """Speak ``text`` with the current voice and return raw 16-bit mono samples.

    ``[[...]]`` in the text is phoneme input; with ``ssml`` the text is SSML markup.
    """
    data = text.encode("utf-8")
    flags = ESPEAK_CHARS_UTF8 | ESPEAK_PHONEMES | (ESPEAK_SSML if ssml else 0)
    state.samples, state.words, state.used = bytearray(), [], True
    code = state.lib.espeak_Synth(
        data, len(data) + 1, 0, POS_CHARACTER, 0, flags, None, None
    )
    _check(code, "synthesize the text")
    _check(state.lib.espeak_Synchronize(), "finish synthesis")
    samples, state.samples = bytes(state.samples), bytearray()
    return samples


def _text_to_phonemes(state: _Library, text: str, separator: str = "") -> str:
    """Translate ``text`` clause by clause until espeak sets the text pointer to NULL."""
    return " ".join(_clause_phonemes(state, text, separator))


def _clause_phonemes(state: _Library, text: str, separator: str = "") -> list[str]:
    """The phonemes of each clause of ``text``: espeak stops a clause where it pauses."""
    buffer = ctypes.create_string_buffer(text.encode("utf-8"))
    pointer = ctypes.c_void_p(ctypes.addressof(buffer))
    mode = PHONEMES_ASCII | (ord(separator) << PHONEMES_SEPARATOR_SHIFT if separator else 0)
    clauses: list[str] = []
    state.used = True  # the translator keeps state from one text to the next as well
    while pointer.value:
        result = state.lib.espeak_TextToPhonemes(ctypes.byref(pointer), ESPEAK_CHARS_UTF8, mode)
        clause = (result or b"").decode("utf-8", "replace").strip()
        if clause:
            clauses.append(clause)
    return clauses


def escape(text: str) -> str:
    """``text`` safe inside SSML: ``&``, ``<`` and ``>`` as entities (quotes need none outside
    attributes). html.escape, not xml.sax.saxutils: that one loads urllib and http at start-up."""
    return html.escape(text, quote=False)


class EspeakEngine:
    """espeak-ng speaking at its native rate (22050 Hz mono 16-bit), fully offline."""

    name = "espeak"
    offline = True
    max_chars: int | None = None  # a whole paragraph per call
    # libespeak-ng keeps its state in globals: one chunk at a time (it is fast anyway).
    max_concurrency: int | None = 1
    # espeak-ng guesses the short vowels of bare Arabic and often guesses none
    # (منعت -> mnAt): it reads far better with tashkeel.
    tashkeel = True
    rules = ESPEAK_RULES
    # Measured at 175 wpm (the default rate), short-vowel marks not counted: 2,303 characters
    # of the seed article in 222.7 s of speech, 10.3 a second (10.0-10.6 by paragraph), and
    # 10.3 on the two web pages of the tests. With tashkeel's marks counted it is 17.4.
    chars_per_second = 10.3
    # One call switches voice for a Latin run with SSML's <voice name="en">.
    inline_languages = True
    phoneme_input = True

    def __init__(self, voice: str = "ar", rate: int | None = None, lang: str = "ar") -> None:
        if rate is not None and not RATE_MIN <= rate <= RATE_MAX:
            raise ConfigError(
                f"espeak rate {rate} is out of range: give words per minute between "
                f"{RATE_MIN} and {RATE_MAX} (default {RATE_DEFAULT})"
            )
        if not voice.strip():
            raise ConfigError("espeak voice is empty: use --voice ar for Arabic")
        self.voice = voice
        self.rate = rate
        self.lang = lang  # the article's language: runs in another one switch voice
        with _LOCK:  # an unknown voice is a usage error, found before any work starts
            _select(_library(), voice, self._rate)

    @property
    def _rate(self) -> int:
        return RATE_DEFAULT if self.rate is None else self.rate

    def voice_for(self, lang: str | None) -> str:
        """The voice for a chunk or run in ``lang``: ours, or that language's (``en``)."""
        return self.voice if lang is None else primary(lang)

    def markup(self, text: str) -> str | None:
        """SSML that speaks each Latin run of ``text`` with its own voice; None when it has none."""
        marked = self.markup_map(text)
        return None if marked is None else marked[0]

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        """Speak ``text`` and return it as mono 16-bit audio at espeak's sample rate."""
        return self.synthesize_words(text, lang)[0]

    def synthesize_words(self, text: str,
                         lang: str | None = None) -> tuple[AudioSegment, tuple[WordTime, ...]]:
        """Speak ``text`` (as SSML when it mixes languages); also say when each of its words
        starts and ends, from espeak's events, their positions mapped back into ``text``."""
        marked = self.markup_map(text) if lang is None else None
        with _LOCK:
            if not text.strip():
                return AudioSegment.silent(duration=0, frame_rate=_library().sample_rate), ()
            state = _fresh_library()  # what was spoken before leaves nothing in this clip
            _select(state, self.voice_for(lang), self._rate)
            samples = _synth(state, marked[0] if marked else text, marked is not None)
            events = list(state.words)
        audio = AudioSegment(data=samples, sample_width=2, frame_rate=state.sample_rate, channels=1)
        if marked is not None:
            back = marked[1]
            events = [(back[min(max(0, pos), len(back) - 1)], ms) for pos, ms in events]
        return audio, word_times(text, events, len(audio))

    def markup_map(self, text: str) -> tuple[str, list[int]] | None:
        """``markup(text)`` with, for each of its characters, the offset in ``text`` it came
        from (markup and entities count as the text character at or after them)."""
        parts = runs(text, self.lang)
        if all(run.lang is None for run in parts):
            return None
        pieces: list[str] = []
        back: list[int] = []

        def emit(piece: str, at: int) -> None:
            pieces.append(piece)
            back.extend([at] * len(piece))
        emit("<speak>", 0)
        for run in parts:  # a run in another language is a <voice> element, its text escaped
            emit("" if run.lang is None else f'<voice name="{self.voice_for(run.lang)}">', run.start)
            for offset in range(run.start, run.end):
                emit(escape(text[offset]), offset)
            emit("" if run.lang is None else "</voice>", run.end)
        emit("</speak>", len(text))
        back.append(len(text))
        return "".join(pieces), back

    def cache_key(self) -> dict[str, str]:
        """Engine version, voice and rate: everything besides the text that shapes the audio."""
        return {
            "engine": self.name,
            "version": espeak_version(),
            "voice": self.voice,
            "rate": str(self._rate),
            # How Latin runs and [[phonemes]] reach the library: a change re-makes the clips.
            "input": "ssml-runs-phonemes",
            # Each clip from a freshly loaded library and seeded noise; clips made before
            # depended on what the process had spoken earlier, and are made again.
            "state": f"fresh-seed-{NOISE_SEED}",
        }

    def phonemes(self, text: str, separator: str = "") -> str:
        """Return espeak's ascii phoneme mnemonics for ``text`` (as `espeak-ng -x` prints).

        A ``separator`` character goes between phonemes, so multi-letter names
        (``dZ``, ``s[``) can be told apart: ``phonemes("منعت", "|")`` is ``m|n|A|t``.
        """
        parts = [] if not text.strip() else runs(text, self.lang)
        with _LOCK:
            state = _library()
            return " ".join(filter(None, (self.run_phonemes(state, text[run.start:run.end], run.lang, separator)
                                          for run in parts)))

    def clause_phonemes(self, text: str, separator: str = "") -> list[str]:
        """The phonemes of each clause of ``text`` in our voice, one string per pause espeak makes."""
        with _LOCK:
            state = _library()
            _select(state, self.voice, self._rate)
            return _clause_phonemes(state, text, separator) if text.strip() else []

    def run_phonemes(self, state: _Library, text: str, lang: str | None, separator: str) -> str:
        """One run's phonemes in its voice; ``[[...]]`` input shown as written. Call with _LOCK held."""
        _select(state, self.voice_for(lang), self._rate)
        pieces, pos = [], 0
        for match in PHONEMES.finditer(text):
            pieces += [_text_to_phonemes(state, text[pos:match.start()], separator) if match.start() > pos else "",
                       match.group()[2:-2]]
            pos = match.end()
        pieces.append(_text_to_phonemes(state, text[pos:], separator))
        return " ".join(piece for piece in pieces if piece.strip())


def word_times(text: str, events: list[tuple[int, int]], length_ms: int) -> tuple[WordTime, ...]:
    """Each word of ``text`` that a WORD event points into, from its first event to the next word's.

    espeak sends several events for one written word it reads as several (``2019``
    is four words spoken), all inside that word: the first one is its start. The
    last word ends with the audio; trailing silence is cut from ends later.
    """
    starts: dict[int, tuple[int, int, int]] = {}
    spans = [m.span() for m in WORD.finditer(text)]
    for position, ms in events:
        index = next((i for i, (a, b) in enumerate(spans) if a <= position < b), None)
        if index is not None and index not in starts:
            starts[index] = (*spans[index], max(0, min(ms, length_ms)))
    ordered = [starts[i] for i in sorted(starts)]
    ends = [ms for _, _, ms in ordered[1:]] + [length_ms]
    return tuple(WordTime(a, b, ms, max(ms, end))
                 for (a, b, ms), end in zip(ordered, ends, strict=True))


def espeak_version() -> str:
    """Return the loaded libespeak-ng version, e.g. "1.52.0"; raises EngineUnavailable."""
    with _LOCK:
        return _library().version


def list_voices() -> list[str]:
    """Return the names usable as ``voice`` ("ar", "en", ...); may raise EngineUnavailable."""
    with _LOCK:
        return _voice_names(_library())


def voices() -> tuple[Voice, ...]:
    """espeak-ng's voices as ``article-tts voices`` lists them; none when it cannot load here.

    Any voice takes a variant as ``VOICE+VARIANT`` (``ar+f3``): +f1..+f5 female, +m1..+m7 male.
    """
    try:
        names = list_voices()
    except EngineError:
        return ()
    return tuple(Voice("espeak", name, name, "", VARIANTS_NOTE if name == "ar" else "")
                 for name in names)


def check_available() -> tuple[bool, str]:
    """Report whether espeak-ng can run here, e.g. (True, "libespeak-ng 1.52.0 (bundled)")."""
    try:
        with _LOCK:
            state = _library()
    except EngineError as exc:
        return False, str(exc)
    except Exception as exc:  # never raise: this feeds a diagnostics listing
        return False, f"espeak-ng failed to load ({exc}): {INSTALL_HINT}"
    return True, f"libespeak-ng {state.version} ({state.label})"
