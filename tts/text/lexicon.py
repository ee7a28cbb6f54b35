"""Pronunciation lexicons: files of ``written = spoken`` entries that fix how words are said.

The format (see the README): one entry per line, ``WRITTEN = SPOKEN``; ``#`` starts a
comment line; ``re:`` before the written form makes it a regular expression;
``[engine=NAME lang=CODE]`` scopes the entries below it, ``[*]`` ends the scope.
A spoken form written ``[[...]]`` is phonemes for engines that take them (espeak).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

from tts.chars import MARKS
from tts.errors import InputError
from tts.text.langs import PHONEMES, map_runs, same_language
from tts.text.normalize import normalize, normalizers_for
from tts.types import Paragraph

APP_NAME = "article-tts"
# Found without being asked for: in the current folder (a project's names) and in
# the user's config folder (everyone's names). Explicit --lexicon files come first.
FILE_NAME = "article-tts.text.lexicon"
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
ARABIC_START = re.compile(r"[\u0621-\u064a\u0671]")
# Proclitics as espeak phonemes, for a phoneme entry: و[[Haft'ar]] would have the
# lone و read as its letter name (waw), so the proclitic joins the phonemes instead.
PROCLITIC_PHONEMES = {"و": "wa", "ف": "fa", "ب": "bi", "ك": "ka", "ل": "li", "ال": "?al", "لل": "lil"}


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


@dataclass(frozen=True)
class Matcher:
    """An entry compiled: its regex and how a match becomes the spoken form."""

    entry: Entry
    pattern: re.Pattern[str]

    def spoken(self, match: re.Match[str]) -> str:
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

    One pass, so a spoken form is never matched again by a later entry.
    """
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


def next_match(matcher: Matcher, text: str, pos: int) -> re.Match[str] | None:
    """The first match of ``matcher`` at or after ``pos`` that is not empty."""
    return next((m for m in matcher.pattern.finditer(text, pos) if m.end() > m.start()), None)


def compile_entry(entry: Entry, steps: Sequence[Callable[[str], str]] = ()) -> Matcher:
    """The entry as a regex: a regex entry as written, a word (cleaned up by ``steps``) whole."""
    if entry.regex:
        return Matcher(entry, re.compile(entry.written))
    written = normalize(entry.written, steps) or entry.written
    return Matcher(entry, re.compile(word_pattern(written), word_flags(written)))


def word_flags(written: str) -> re.RegexFlag:
    """Smart case: an entry in lower case matches any case; one with a capital, that case."""
    return re.IGNORECASE if written == written.lower() else re.NOFLAG


def marked(text: str) -> str:
    """A regex for ``text`` that also matches it with Arabic marks on its letters."""
    parts = []
    for ch in text:
        if ch.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(ch) + (f"[{MARKS}]*" if ARABIC_START.match(ch) else ""))
    return "".join(parts)


def word_pattern(written: str) -> str:
    """Whole-word regex for ``written``; an Arabic word also after its proclitics."""
    start, end = rf"(?<![\w{MARKS}])", rf"[{MARKS}]*(?![\w{MARKS}])"
    if not ARABIC_START.match(written):
        return start + marked(written) + r"(?!\w)"
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
    regex = written.startswith(REGEX_PREFIX)
    entry = Entry(source, number, written.removeprefix(REGEX_PREFIX) if regex else written,
                  spoken, regex, scope["engine"], scope["lang"])
    check_entry(entry, where)
    return entry


def check_entry(entry: Entry, where: str) -> None:
    """Refuse an entry that could not work: a broken regex, or malformed phonemes."""
    if "[[" in entry.spoken and not PHONEMES.fullmatch(entry.spoken):
        raise LexiconError(f"{where}: phonemes must be the whole spoken form, as [[...]]; "
                           f"got {entry.spoken!r}")
    if entry.regex:
        try:
            pattern = re.compile(entry.written)
        except re.error as exc:
            raise LexiconError(f"{where}: the regular expression {entry.written!r} is invalid "
                               f"({exc}); fix it or drop the re: prefix") from None
        if pattern.fullmatch(""):
            raise LexiconError(f"{where}: the regular expression {entry.written!r} matches "
                               "empty text, so it would match everywhere")
        try:
            check_template(pattern, entry.spoken)
        except re.error as exc:
            raise LexiconError(f"{where}: the replacement {entry.spoken!r} does not fit the "
                               f"expression ({exc})") from None


def check_template(pattern: re.Pattern[str], template: str) -> None:
    """Raise re.error when ``template`` names a group ``pattern`` does not have."""
    for ref in re.findall(r"\\(\d+)|\\g<(\w+)>", template):
        number, name = ref
        if number and int(number) > pattern.groups:
            raise re.error(f"invalid group reference {number}")
        if name and not name.isdigit() and name not in pattern.groupindex:
            raise re.error(f"unknown group name {name!r}")
        if name.isdigit() and int(name) > pattern.groups:
            raise re.error(f"invalid group reference {name}")


def discover(cwd: Path | None = None) -> list[Path]:
    """The lexicons found without --lexicon: the current folder's, then the user's config folder's."""
    folder = cwd or Path(os.getcwd())
    config = Path(platformdirs.user_config_dir(APP_NAME))
    return [path for path in (folder / FILE_NAME, config / FILE_NAME) if path.is_file()]
