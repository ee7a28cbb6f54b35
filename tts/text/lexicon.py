"""Pronunciation lexicons: files of ``written = spoken`` entries that fix how words are said.

The format (see the README): one entry per line, ``WRITTEN = SPOKEN``; ``#`` starts a
comment line; ``re:`` before the written form makes it a regular expression;
``[engine=NAME lang=CODE]`` scopes the entries below it, ``[*]`` ends the scope.
A spoken form written ``[[...]]`` is phonemes for engines that take them (espeak).

Entries match through the ``regex`` package, not ``re``: it can stop a match after a
time limit, so an expression that backtracks without end (``(a|a)+$`` on a run of a's)
ends the render with an error naming its file and line instead of hanging it. A lexicon
is picked up from the current folder, which may be a cloned repository or a shared drive.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from tts.chars import ARABIC_LETTER, MARKS
from tts.errors import InputError
from tts.text.langs import PHONEMES, map_runs, same_language
from tts.text.normalize import normalize, normalizers_for
from tts.types import Paragraph

if TYPE_CHECKING:
    # Imported where entries are compiled: it takes about 25 ms, which a run without a
    # lexicon (most runs, and --help) should not pay.
    import regex

APP_NAME = "article-tts"
# Found without being asked for: in the current folder (a project's names) and in
# the user's config folder (everyone's names). Explicit --lexicon files come first.
FILE_NAME = "article-tts.lexicon"
# One "=" with spaces around it splits an entry: written forms and regexes may hold
# "=" without spaces (a regex may spell a spaced one as "[=]").
SEPARATOR = re.compile(r"\s+=\s+")
REGEX_PREFIX = "re:"
SECTION = re.compile(r"^\[(.*)\]$")
SCOPE_KEYS = ("engine", "lang")
# Arabic proclitics written joined to the next word: و and ف (and, so), then ب ك ل
# (with, like, for), then the article ال, which after ل is written لل (للجيش).
# An entry for حفتر also fixes وحفتر, لحفتر, فبحفتر; one for الجيش, للجيش.
CONJUNCTIONS = "وف"
PREPOSITIONS = "بكل"
# Proclitics as espeak phonemes, for a phoneme entry: و[[Haft'ar]] would have the
# lone و read as its letter name (waw), so the proclitic joins the phonemes instead.
PROCLITIC_PHONEMES = {"و": "wa", "ف": "fa", "ب": "bi", "ك": "ka", "ل": "li", "ال": "?al", "لل": "lil"}
# What ``re`` calls a word character (str.isalnum() and "_"), spelled for ``regex``, whose
# own \w also takes combining marks and joiners and leaves out ² and ½: whole-word
# entries keep the edges they had under ``re``.
WORD_CHARS = r"\p{L}\p{N}_"
# Matching time each entry may take: this much for any text, plus this much per character
# of the text it is matched against (5 s per million), summed over a render. An expression
# that backtracks without end uses it up within a second; a whole-word entry takes about
# 0.05 s per million characters, a hundredth of its allowance. Both are processor time
# (the regex package's timeout counts it too), so a busy machine does not make an
# ordinary entry run out.
ENTRY_BASE_BUDGET_S = 1.0
ENTRY_BUDGET_PER_CHAR_S = 5e-6


class LexiconError(InputError):
    """A lexicon file that cannot be used: the message names the file and the line."""


@dataclass(frozen=True)
class Entry:
    """One lexicon line: where it is, what it matches, what is said instead, and its scope."""

    source: str
    line: int
    written: str
    spoken: str
    regex: bool = False
    engine: str | None = None
    lang: str | None = None

    @property
    def phonemes(self) -> bool:
        """True when the spoken form is phonemes (``[[...]]``), for engines that take them."""
        return self.spoken.startswith("[[")

    def applies(self, engine: str, phoneme_input: bool, lang: str) -> bool:
        """True when this entry is for ``engine`` and text in ``lang``."""
        return ((self.engine is None or self.engine == engine)
                and (self.lang is None or same_language(self.lang, lang))
                and (phoneme_input or not self.phonemes))


@dataclass
class Budget:
    """The matching time an entry has left in one render (see ENTRY_BASE_BUDGET_S)."""

    allowed_s: float
    spent_s: float = 0.0

    @classmethod
    def fresh(cls) -> Budget:
        return cls(ENTRY_BASE_BUDGET_S)

    def grant(self, text: str) -> None:
        """More time for matching against ``text``, in proportion to its length."""
        self.allowed_s += ENTRY_BUDGET_PER_CHAR_S * len(text)

    @property
    def left_s(self) -> float:
        return self.allowed_s - self.spent_s


@dataclass(frozen=True)
class Matcher:
    """An entry compiled: its regex, how a match becomes the spoken form, its time budget."""

    entry: Entry
    pattern: regex.Pattern[str]
    budget: Budget = field(default_factory=Budget.fresh)

    def spoken(self, match: regex.Match[str]) -> str:
        """The spoken form for ``match``: the regex template expanded, or proclitics + spoken."""
        if self.entry.regex:
            return match.expand(self.entry.spoken)
        groups = match.groupdict()
        prefix, spoken = groups.get("prefix") or "", self.entry.spoken
        if groups.get("lam"):  # للجيش: ل, then the entry's الجيش without its alif
            prefix = groups["lam"]
            spoken = spoken if self.entry.phonemes or not spoken.startswith("ال") else spoken[1:]
        if self.entry.phonemes and prefix:
            return "[[" + proclitic_phonemes(prefix) + spoken[2:]
        return prefix + spoken


@dataclass(frozen=True)
class Lexicon:
    """Every entry of the lexicon files, in priority order (the first that matches wins)."""

    entries: tuple[Entry, ...] = ()

    def for_engine(self, engine: str, phoneme_input: bool, article_lang: str) -> Callable[[str, str], str]:
        """A function that applies the entries for ``engine`` to a run of text in a language.

        A word's written form is cleaned up as the article is (``IMF`` is spelled
        ``I-M-F`` there, ``٥٪`` is ``5 بالمئة``), so it is written as in the article.
        """
        cache: dict[str, list[Matcher]] = {}
        steps = normalizers_for(article_lang)

        def apply(text: str, lang: str) -> str:
            key = lang.lower()
            if key not in cache:
                cache[key] = [compile_entry(e, steps) for e in self.entries
                              if e.applies(engine, phoneme_input, lang)]
            return substitute(text, cache[key])
        return apply

    def apply_to(self, paragraphs: Sequence[Paragraph], engine: str, phoneme_input: bool,
                 lang: str) -> list[Paragraph]:
        """The paragraphs with every entry for ``engine`` applied to their spoken forms.

        Each language run is looked up with its own language, so ``[lang=en]`` entries
        touch only English runs and ``[lang=ar]`` ones only the Arabic around them.
        """
        if not self.entries:
            return list(paragraphs)
        apply = self.for_engine(engine, phoneme_input, lang)
        return [replace(p, spoken=map_runs(p.spoken, lang, lambda run, run_lang: apply(run, run_lang or lang)))
                for p in paragraphs]


def proclitic_phonemes(prefix: str) -> str:
    """The espeak phonemes of a written proclitic sequence such as وبال."""
    bare = prefix.translate(dict.fromkeys(map(ord, MARKS)))
    out, i = [], 0
    while i < len(bare):
        piece = bare[i:i + 2] if bare[i:i + 2] in PROCLITIC_PHONEMES else bare[i]
        out.append(PROCLITIC_PHONEMES.get(piece, ""))
        i += len(piece)
    return "".join(out)


def substitute(text: str, matchers: Sequence[Matcher]) -> str:
    """``text`` with every match replaced in one pass: the leftmost match wins, then the first entry.

    One pass, so a spoken form is never matched again by a later entry. LexiconError
    when an entry uses up its matching time (see ENTRY_BASE_BUDGET_S).
    """
    for matcher in matchers:
        matcher.budget.grant(text)
    found = [next_match(m, text, 0) for m in matchers]
    out, pos = [], 0
    while any(found):
        _, best = min((match.start(), i) for i, match in enumerate(found) if match is not None)
        match = found[best]
        if match is None:  # pragma: no cover - chosen among the matches found
            break
        out += [text[pos:match.start()], matchers[best].spoken(match)]
        pos = match.end()
        found = [m if m is None or m.start() >= pos else next_match(matchers[i], text, pos)
                 for i, m in enumerate(found)]
    return "".join(out) + text[pos:]


def next_match(matcher: Matcher, text: str, pos: int) -> regex.Match[str] | None:
    """The first match of ``matcher`` at or after ``pos`` that is not empty, within its budget."""
    budget = matcher.budget
    started = time.thread_time()
    try:
        if budget.left_s <= 0:
            raise TimeoutError
        matches = matcher.pattern.finditer(text, pos, timeout=budget.left_s)
        return next((m for m in matches if m.end() > m.start()), None)
    except TimeoutError:
        raise too_slow(matcher.entry, text) from None
    finally:
        budget.spent_s += time.thread_time() - started


def too_slow(entry: Entry, text: str) -> LexiconError:
    """The error for an entry that used up its matching time: where it is, and what to do."""
    if entry.regex:
        return LexiconError(f"{entry.source}:{entry.line}: the regular expression {entry.written} "
                            f"took too long on a text of {len(text):,} characters, likely from a "
                            "repetition inside a repetition such as (a+)+ or (a|a)+; simplify it or "
                            "remove it")
    return LexiconError(f"{entry.source}:{entry.line}: the entry {entry.written} took too long "
                        f"on a text of {len(text):,} characters; shorten it or remove it")


def compile_entry(entry: Entry, steps: Sequence[Callable[[str], str]] = ()) -> Matcher:
    """The entry as a regex: a regex entry as written, a word (cleaned up by ``steps``) whole."""
    import regex
    if entry.regex:
        return Matcher(entry, regex.compile(entry.written))
    written = normalize(entry.written, steps) or entry.written
    return Matcher(entry, regex.compile(word_pattern(written), word_flags(written)))


def word_flags(written: str) -> int:
    """Smart case: an entry in lower case matches any case; one with a capital, that case."""
    return re.IGNORECASE.value if written == written.lower() else 0


def marked(text: str) -> str:
    """A regex for ``text`` that also matches it with Arabic marks on its letters."""
    parts = []
    for ch in text:
        if ch.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(ch) + (f"[{MARKS}]*" if ARABIC_LETTER.match(ch) else ""))
    return "".join(parts)


def word_pattern(written: str) -> str:
    """Whole-word regex for ``written``; an Arabic word also after its proclitics."""
    start, end = rf"(?<![{WORD_CHARS}{MARKS}])", rf"[{MARKS}]*(?![{WORD_CHARS}{MARKS}])"
    if not ARABIC_LETTER.match(written):
        return start + marked(written) + rf"(?![{WORD_CHARS}])"
    conj, prep = f"[{CONJUNCTIONS}][{MARKS}]*", f"[{PREPOSITIONS}][{MARKS}]*"
    if written.startswith("ال"):
        # الجيش: وبالجيش, and with ل the article's alif drops: للجيش.
        body = (rf"(?:(?P<prefix>(?:{conj})?(?:[بك][{MARKS}]*)?){marked(written)}"
                rf"|(?P<lam>(?:{conj})?ل[{MARKS}]*){marked(written[1:])})")
        return start + body + end
    article = rf"(?:[بك][{MARKS}]*)?ا[{MARKS}]*ل[{MARKS}]*|ل[{MARKS}]*ل[{MARKS}]*"
    prefix = rf"(?P<prefix>(?:{conj})?(?:{article}|{prep})?)"
    return start + prefix + marked(written) + end


def load(paths: Iterable[Path], engines: Sequence[str]) -> Lexicon:
    """Read the lexicon files in priority order; LexiconError names a bad file and line."""
    entries: list[Entry] = []
    for path in paths:
        entries += parse(read(path), str(path), engines)
    return Lexicon(tuple(entries))


def read(path: Path) -> str:
    """The text of a lexicon file; LexiconError when it cannot be read as UTF-8."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise LexiconError(f"no such lexicon file: {path}; check the path given to --lexicon") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path} is not UTF-8 text (first bad byte at offset {exc.start}); "
                           "save the lexicon as UTF-8") from None
    except OSError as exc:
        raise LexiconError(f"cannot read the lexicon {path}: {exc.strerror or exc}") from None


def parse(text: str, source: str, engines: Sequence[str] = ()) -> list[Entry]:
    """The entries of one lexicon file's ``text``; ``source`` names it in errors."""
    entries: list[Entry] = []
    scope: dict[str, str | None] = {"engine": None, "lang": None}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = SECTION.match(line)
        if section:
            scope = parse_scope(section.group(1), f"{source}:{number}", engines)
        else:
            entries.append(parse_entry(line, source, number, scope))
    return entries


def parse_scope(body: str, where: str, engines: Sequence[str]) -> dict[str, str | None]:
    """The scope a ``[engine=NAME lang=CODE]`` line sets; ``[*]`` or ``[]`` clears it."""
    scope: dict[str, str | None] = {"engine": None, "lang": None}
    for item in body.split():
        key, _, value = item.partition("=")
        if item == "*":
            continue
        if key not in SCOPE_KEYS or not value:
            raise LexiconError(f"{where}: cannot read the section [{body}]; write [engine=espeak], "
                               "[lang=en], both, or [*] for every engine and language")
        if key == "engine" and engines and value not in engines:
            raise LexiconError(f"{where}: unknown engine {value!r} in [{body}]; choose one of "
                               f"{', '.join(engines)}")
        scope[key] = value
    return scope


def parse_entry(line: str, source: str, number: int, scope: dict[str, str | None]) -> Entry:
    """One ``written = spoken`` line as an Entry, checked."""
    where = f"{source}:{number}"
    parts = SEPARATOR.split(line, maxsplit=1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise LexiconError(f"{where}: {line!r} is not an entry; write WRITTEN = SPOKEN "
                           "(spaces around the =), or start a comment with #")
    written, spoken = parts[0].strip(), parts[1].strip()
    is_regex = written.startswith(REGEX_PREFIX)
    entry = Entry(source, number, written.removeprefix(REGEX_PREFIX) if is_regex else written,
                  spoken, is_regex, scope["engine"], scope["lang"])
    check_entry(entry, where)
    return entry


def check_entry(entry: Entry, where: str) -> None:
    """Refuse an entry that could not work: a broken regex, or malformed phonemes."""
    import regex
    if "[[" in entry.spoken and not PHONEMES.fullmatch(entry.spoken):
        raise LexiconError(f"{where}: phonemes must be the whole spoken form, as [[...]]; "
                           f"got {entry.spoken!r}")
    if entry.regex:
        try:
            pattern = regex.compile(entry.written)
        except regex.error as exc:
            raise LexiconError(f"{where}: the regular expression {entry.written!r} is invalid "
                               f"({exc}); fix it or drop the re: prefix") from None
        if pattern.fullmatch(""):
            raise LexiconError(f"{where}: the regular expression {entry.written!r} matches "
                               "empty text, so it would match everywhere")
        try:
            check_template(pattern, entry.spoken)
        except (re.error, regex.error) as exc:
            raise LexiconError(f"{where}: the replacement {entry.spoken!r} does not fit the "
                               f"expression ({exc})") from None


def check_template(pattern: regex.Pattern[str], template: str) -> None:
    """Raise re.error when ``template`` names a group ``pattern`` does not have."""
    for ref in re.findall(r"\\(\d+)|\\g<(\w+)>", template):
        number, name = ref
        if number and int(number) > pattern.groups:
            raise re.error(f"invalid group reference {number}")
        if name and not name.isdigit() and name not in pattern.groupindex:
            raise re.error(f"unknown group name {name!r}")
        if name.isdigit() and int(name) > pattern.groups:
            raise re.error(f"invalid group reference {name}")


@dataclass(frozen=True)
class Found:
    """A lexicon found without --lexicon: its path, that path as the user would write it,
    and the place it was found in (for the line that announces it)."""

    path: Path
    shown: str
    place: str


def find_lexicons(cwd: Path | None = None) -> list[Found]:
    """The lexicons found without --lexicon: the current folder's, then the user's config folder's."""
    here = (cwd or Path(os.getcwd())) / FILE_NAME
    config = Path(platformdirs.user_config_dir(APP_NAME)) / FILE_NAME
    places = (Found(here, os.path.join(os.curdir, FILE_NAME), "the current folder"),
              Found(config, str(config), "the user config folder"))
    return [found for found in places if found.path.is_file()]


def discover(cwd: Path | None = None) -> list[Path]:
    """The paths of the lexicons found without --lexicon, in priority order."""
    return [found.path for found in find_lexicons(cwd)]
