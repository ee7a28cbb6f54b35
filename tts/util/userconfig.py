"""The user's own defaults for the render options: a TOML config file and ARTICLE_TTS_* variables.

Highest first: the command line (or the API's keywords), the environment, the config file,
the built-in defaults of tts.options. The command line reads the file through click's
``default_map`` (click reads the variables itself); the Python API reads neither unless
asked (``user_config=True``): a library does not read a user's file unasked.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from tts.errors import ConfigError
from tts.options import ALL, CONFIG_ENV, Option

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 takes the same parser from PyPI
    import tomli as tomllib

APP_NAME = "article-tts"
FILE_NAME = "config.toml"
# Where a value came from, as ``article-tts config show`` says it.
DEFAULT, FILE, ENVIRONMENT = "default", "config file", "environment"
# The file's keys: each option's long flag without dashes; ``sentence_pause`` works too.
KEYS: dict[str, Option] = {option.key: option for option in ALL.values()}
KIND_WORDS = {str: 'text in quotes (voice = "ar")', int: "a whole number (pause = 900)",
              float: "a number (speed = 1.25)", bool: "true or false (chapters = false)"}
# What an environment variable's text means for an on/off option, as click reads it.
TRUE_WORDS, FALSE_WORDS = {"1", "true", "t", "yes", "y", "on"}, {"0", "false", "f", "no", "n", "off"}

Choices = Mapping[str, Sequence[str]]
"""The values an option takes when only some are valid (``engine``: the registered engines)."""


@dataclass(frozen=True)
class Setting:
    """One option's value and where it came from."""

    option: Option
    value: Any
    origin: str = DEFAULT
    """``default``, ``config file`` or ``environment``."""
    where: str = ""
    """The file's line (``line 3``) or the variable's name (``ARTICLE_TTS_VOICE``)."""


def config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The config file: ``$ARTICLE_TTS_CONFIG``, else ``config.toml`` in the user config
    folder; None when the variable is set empty (no config file at all)."""
    named = (os.environ if environ is None else environ).get(CONFIG_ENV)
    if named is None:
        return Path(platformdirs.user_config_dir(APP_NAME)) / FILE_NAME
    return Path(named).expanduser() if named.strip() else None


def file_settings(environ: Mapping[str, str] | None = None,
                  choices: Choices | None = None) -> dict[str, Setting]:
    """The options the config file sets, by option name, each checked; {} without a file.

    A file named by ``$ARTICLE_TTS_CONFIG`` must exist; the usual one may be absent.
    """
    path = config_path(environ)
    if path is None:
        return {}
    if not path.is_file():
        if (os.environ if environ is None else environ).get(CONFIG_ENV) is None:
            return {}
        raise ConfigError(f"{CONFIG_ENV} names {path}, which is not a file; fix the variable, "
                          "or set it empty for no config file")
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    found = [file_setting(path, text, key, value, choices or {}) for key, value in data.items()]
    return {setting.option.name: setting for setting in found}


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc.strerror or exc}); fix its permissions, "
                          f"or set {CONFIG_ENV} to another file") from None


def file_setting(path: Path, text: str, key: str, value: Any, choices: Choices) -> Setting:
    """One key of the file as a checked setting; ConfigError naming the file, line and key."""
    line = line_of(text, key)
    place = f"{path}, line {line}" if line else str(path)
    option = KEYS.get(key.replace("_", "-"))
    if option is None:
        raise ConfigError(f"{place}: unknown option {key!r}; {suggestion(key)}")
    try:
        return Setting(option, checked(option, typed(option, value), choices),
                       FILE, f"line {line}" if line else "")
    except ValueError as exc:
        raise ConfigError(f"{place}: {exc}") from None


def line_of(text: str, key: str) -> int | None:
    """The line a top-level ``key = ...`` (or a ``[key]`` table) is on, as TOML parsers do
    not say; None if not found."""
    name = re.escape(key)
    pattern = rf"""^[ \t]*\[?[ \t]*(?:{name}|"{name}"|'{name}')[ \t]*[=.\]]"""
    match = re.search(pattern, text, re.MULTILINE)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def suggestion(key: str) -> str:
    """What the user may have meant, then where the keys are listed."""
    close = difflib.get_close_matches(key.replace("_", "-"), list(KEYS), n=1)
    meant = f"did you mean {close[0]!r}? " if close else ""
    return (f"{meant}the keys are the render options without -- (engine, voice, pause...), "
            "as `article-tts config show` lists them")


def typed(option: Option, value: Any) -> Any:
    """``value`` as the option's type; ValueError saying what was expected."""
    fits = {str: isinstance(value, str), bool: isinstance(value, bool),
            int: isinstance(value, int) and not isinstance(value, bool),
            float: isinstance(value, (int, float)) and not isinstance(value, bool)}
    if not fits[option.kind]:
        raise ValueError(f"{option.key} must be {KIND_WORDS[option.kind]}, not {toml_text(value)}")
    return float(value) if option.kind is float else value


def toml_text(value: Any) -> str:
    """A value as the file spells it: ``true``, ``"900"``, ``[1, 2]``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return "a table" if isinstance(value, dict) else repr(value)


def checked(option: Option, value: Any, choices: Choices) -> Any:
    """``value`` when it is in the option's range and among its choices; ValueError otherwise."""
    problem = option.check(value)
    if problem:
        raise ValueError(problem.replace(option.name, option.key, 1))
    allowed = choices.get(option.name)
    if allowed is not None and value not in allowed:
        raise ValueError(f"{option.key} {value!r} is not one of {', '.join(allowed)}")
    return value


def env_settings(environ: Mapping[str, str] | None = None,
                 choices: Choices | None = None) -> dict[str, Setting]:
    """The options set by their environment variables (an empty one counts as unset, as
    click takes it), by option name, each checked."""
    environ = os.environ if environ is None else environ
    found = {}
    for option in ALL.values():
        text = environ.get(option.envvar) if option.envvar else None
        if not text:
            continue
        try:
            value = checked(option, parsed(option, text), choices or {})
        except ValueError as exc:
            raise ConfigError(f"{option.envvar}={text!r}: {exc}") from None
        found[option.name] = Setting(option, value, ENVIRONMENT, option.envvar or "")
    return found


def parsed(option: Option, text: str) -> Any:
    """A variable's text as the option's type; ValueError saying what was expected."""
    if option.kind is bool:
        if text.strip().lower() not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"{option.key} must be true or false")
        return text.strip().lower() in TRUE_WORDS
    try:
        return option.kind(text.strip()) if option.kind in (int, float) else text
    except ValueError:
        raise ValueError(f"{option.key} must be {KIND_WORDS[option.kind].split(' (')[0]}") from None


def effective_settings(environ: Mapping[str, str] | None = None,
                       choices: Choices | None = None) -> list[Setting]:
    """Every option's value for the next render without flags, and where it came from."""
    from_file, from_env = file_settings(environ, choices), env_settings(environ, choices)
    return [from_env.get(name) or from_file.get(name) or Setting(option, option.default)
            for name, option in ALL.items()]


def user_options(environ: Mapping[str, str] | None = None,
                 choices: Choices | None = None) -> dict[str, Setting]:
    """The options the user set, in the file or the environment (which wins), by option name."""
    return {**file_settings(environ, choices), **env_settings(environ, choices)}


def render_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Option values as RenderConfig's fields: ``no-loudness`` turns loudness off, and
    ``no-lexicon`` (for the lexicons the command line finds by itself) is dropped."""
    fields = {name: value for name, value in values.items()
              if name not in ("no_loudness", "no_lexicon")}
    if values.get("no_loudness"):
        fields["loudness"] = None
    return fields
