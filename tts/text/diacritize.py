"""Tashkeel for the offline voice: short vowels added by text2tashkeel's bundled ONNX model."""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence

from tts.chars import FATHA, LETTER_RANGE, LETTERS, PAUSE_MARKS, SHADDA, SHORT_VOWELS, SUKUN, TANWEEN, TASHKEEL
from tts.errors import EngineUnavailable

# text2tashkeel's default: rawi-v2 gating rawi-v3 in one INT8 ONNX file shipped
# inside the wheel (its docs: 2.04% diacritic error rate, the best of the bundled
# models). A bundled model is never downloaded; load_model refuses any other.
MODEL = "rawi-ensemble"
# The marks the model adds: tanween, the three short vowels, shadda, sukun and
# the dagger alef (هَٰذَا). Hamza and madda are part of a letter, never taken.
MARKS = frozenset(TASHKEEL)
# A word whose letters carry a mark at least this often was diacritized by its
# author: it is kept as written. Long vowels (ا و ي) and the ا of ال carry no
# mark even in fully vowelled text, hence not 1.0.
WRITTEN_SHARE = 0.5
# The marks that are a vowel sound (short vowels and tanween), as opposed to shadda and sukun.
VOWELS = frozenset(SHORT_VOWELS + TANWEEN)
# onnxruntime threads per session (text2tashkeel reads TT_ORT_THREADS; a user's
# value wins). One paragraph is too short to split: on 2 cores one thread does
# the seed article in 0.2 s, the default pool in 0.3-0.6 s as it spins for work.
ORT_THREADS = "1"
# onnxruntime's official builds start Microsoft's 1DS telemetry with the first
# session: a device id and an event database under ~/.cache/Microsoft, and DNS
# lookups of its collector. This variable, read when onnxruntime initializes,
# stops all of it (its Privacy.md); the offline voice must not phone home.
TELEMETRY_OFF = {"ORT_DISABLE_TELEMETRY": "1"}
# The model attends over its whole input: memory grows with the square of the length
# (a 200,000-character paragraph took 4.3 GB). Longer texts go to it in windows of at
# most this many characters, cut after a sentence or clause mark, else at a space;
# the seed article's longest paragraph is 601 characters, so it is never cut.
MODEL_WINDOW = 1500
SPACE = re.compile(r"\s+")
CLAUSE_END = frozenset(PAUSE_MARKS)
# A word as the model sees it: Arabic letters and the marks it adds.
WORD = re.compile(f"[{LETTER_RANGE}{TASHKEEL}]+")

Predict = Callable[[str], str]

_MODEL: Predict | None = None
_LOCK = threading.Lock()


def is_arabic_letter(ch: str) -> bool:
    """True for a letter of the Arabic alphabet (tatweel and marks excluded)."""
    return ch in LETTERS


def base_letter(ch: str) -> str:
    """``ch`` without hamza or madda (أ -> ا), as the model sees it."""
    return unicodedata.normalize("NFD", ch)[0]


def disable_telemetry() -> None:
    """Turn onnxruntime's telemetry off before it can start, whatever the environment says."""
    os.environ.update(TELEMETRY_OFF)
    import onnxruntime

    # Also the API switch, for builds that read the variable only at import.
    getattr(onnxruntime, "disable_telemetry_events", lambda: None)()


def load_model() -> Predict:
    """Build the model's onnxruntime session; EngineUnavailable says what to do if it fails."""
    os.environ.setdefault("TT_ORT_THREADS", ORT_THREADS)
    try:
        disable_telemetry()
        from text2tashkeel import BUNDLED, Diacritizer

        if MODEL not in BUNDLED:  # it would download its weights
            raise ValueError(f"{MODEL} is not bundled in this text2tashkeel")
        diacritizer = Diacritizer(MODEL)
        diacritizer.backend  # noqa: B018 - builds the session now, not on the first paragraph
    # onnxruntime's own errors derive from Exception directly.
    except Exception as exc:
        raise EngineUnavailable(
            f"cannot load the tashkeel model {MODEL} ({exc}): reinstall it "
            "(pip install --force-reinstall text2tashkeel), or pass --no-tashkeel"
        ) from exc
    predict: Predict = diacritizer.diacritize
    return predict


def model() -> Predict:
    """The loaded model: loaded on first use, then shared by the whole process."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = load_model()
        return _MODEL


def diacritize_texts(texts: Sequence[str]) -> list[str]:
    """Each text with short vowels added; the model is loaded only if some text needs it."""
    return [add_marks(text, predict_in_windows(model(), text)) if needs_marks(text) else text
            for text in texts]


def predict_in_windows(predict: Predict, text: str, window: int = MODEL_WINDOW) -> str:
    """The model's output for ``text``, asked a window at a time so memory stays small."""
    return "".join(predict(piece) if piece.strip() else piece for piece in windows(text, window))


def windows(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters that join back to it.

    Each cut is at the last space after a sentence or clause mark in the window,
    else at its last space, else (a run with no space at all) at the window's end.
    """
    pieces: list[str] = []
    while len(text) > size:
        spaces = list(SPACE.finditer(text, 1, size))
        after_mark = [m for m in spaces if text[m.start() - 1] in CLAUSE_END]
        cuts = after_mark or spaces
        end = cuts[-1].end() if cuts else size
        pieces.append(text[:end])
        text = text[end:]
    return [*pieces, text] if text else pieces


def needs_marks(text: str) -> bool:
    """True when ``text`` has an Arabic word its author did not diacritize."""
    return any(not is_written(word.group()) for word in WORD.finditer(text))


def is_written(word: str) -> bool:
    """True when the letters of ``word`` already carry enough marks."""
    letters = [i for i, ch in enumerate(word) if is_arabic_letter(ch)]
    marked = sum(1 for i in letters if i + 1 < len(word) and word[i + 1] in MARKS)
    return not letters or marked >= WRITTEN_SHARE * len(letters)


def predicted_marks(diacritized: str) -> list[tuple[str, str]]:
    """(base letter, its marks) for each Arabic letter of the model's output, in order."""
    letters: list[tuple[str, str]] = []
    current: int | None = None
    for ch in unicodedata.normalize("NFD", diacritized):
        if ch in MARKS:
            if current is not None:
                letters[current] = (letters[current][0], letters[current][1] + ch)
        elif unicodedata.category(ch) != "Mn":
            current = len(letters) if is_arabic_letter(ch) else None
            if current is not None:
                letters.append((ch, ""))
    return letters


def merged_marks(own: str, predicted: str, written: bool) -> str:
    """The marks one letter gets: the author's and the model's together.

    In a word the author diacritized, the author's marks. Elsewhere the model's,
    unless the author wrote a mark they lack: then the author's win, but a written
    shadda the model did not predict keeps the model's vowel (يعرّض: the model reads
    يَعْرِضُ, and a shadda with no vowel is read as a consonant cluster, yaʕrrḍu).
    """
    if written or not own:
        return own or ("" if written else predicted)
    if set(own) <= set(predicted):
        return predicted
    if adds_shadda(own, predicted, written):
        return own + "".join(mark for mark in predicted if mark in VOWELS and mark not in own)
    return own


def adds_shadda(own: str, predicted: str, written: bool) -> bool:
    """True when the author wrote a shadda on a letter where the model read none."""
    return not written and SHADDA in own and SHADDA not in predicted


def add_marks(text: str, diacritized: str) -> str:
    """``text`` with the model's marks after its letters, every written letter kept.

    The model re-spells hamzas and drops symbols, so only its marks are taken.
    A word the author diacritized keeps its marks; elsewhere a letter's written
    marks win unless the model's include them (a written shadda gains its vowel,
    see ``merged_marks``).
    If the model's letters do not line up with ours, ``text`` is returned as it
    is: no marks are better than marks on the wrong letters.
    """
    predicted = iter(predicted_marks(diacritized))
    written = {i for word in WORD.finditer(text) if is_written(word.group())
               for i in range(word.start(), word.end())}
    out: list[str] = []
    model_sukun = False  # the letter just before got a sukun from the model alone
    i = 0
    while i < len(text):
        ch = text[i]
        end = i + 1
        if is_arabic_letter(ch):
            letter, marks = next(predicted, ("", ""))
            if letter != base_letter(ch):
                return text
            while end < len(text) and text[end] in MARKS:
                end += 1
            own = text[i + 1:end]
            if model_sukun and adds_shadda(own, marks, i in written):
                # No consonant before a doubled one can be silent (يَعْرِّضُ is a cluster):
                # the model's sukun, from its reading without the shadda, becomes a fatha.
                out[-1] = out[-1][:-1] + FATHA
            ch += merged_marks(own, marks, i in written)
            model_sukun = not own and i not in written and ch.endswith(SUKUN)
        else:
            model_sukun = False
        out.append(ch)
        i = end
    return text if next(predicted, None) else "".join(out)
