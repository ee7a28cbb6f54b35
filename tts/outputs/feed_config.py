"""A show's fixed settings (owner, category, cover ...) in a TOML file, so each render of a
new episode does not repeat them: ``FEED.toml`` beside ``FEED.xml``, or ``--feed-config``.

Each key is a ``--feed-...`` option's name without ``feed-`` (``owner_email``, ``explicit``),
or ``base_url``; an option given on the command line wins over the file.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tts.errors import ConfigError
from tts.options import FEED
from tts.outputs.feed import Channel

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli, tomllib's origin
    import tomli as tomllib

PREFIX = "feed_"
BASE_URL = "base_url"
# File key -> (option name, value type).
KEYS: dict[str, tuple[str, type]] = {
    **{o.name.removeprefix(PREFIX): (o.name, o.kind) for o in FEED},
    BASE_URL: (BASE_URL, str),
}


def show_file(feed: Path, given: Path | None) -> Path | None:
    """``--feed-config`` when given; else ``FEED.toml`` beside the feed, when there is one."""
    if given is not None:
        return given
    beside = feed.with_suffix(".toml")
    return beside if beside.is_file() else None


def read_show_file(path: Path) -> dict[str, Any]:
    """The settings ``path`` holds, by option name (``owner_email`` -> ``feed_owner_email``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the show file {path} ({exc}); fix or move it") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the show file {path} is not valid TOML ({exc}); fix it, as "
                          'category = "News"') from None
    settings = {}
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigError(f"the show file {path} has an unknown key {key!r}; it takes "
                              f"{', '.join(KEYS)}")
        name, kind = KEYS[key]
        if not isinstance(value, kind):
            raise ConfigError(f"{key} in the show file {path} must be "
                              f"{'true or false' if kind is bool else 'a string'}, not {value!r}")
        settings[name] = value
    return settings


def channel_settings(given: Mapping[str, Any], from_file: Mapping[str, Any]) -> dict[str, Any]:
    """Every channel setting by option name: the options' defaults, then the show file, then
    the options given on the command line."""
    return {**{o.name: o.default for o in FEED}, BASE_URL: None, **from_file, **given}


def make_channel(settings: Mapping[str, Any], default_title: str) -> Channel:
    """The channel from ``channel_settings``; its base URL must be set (the caller checks)."""
    return Channel(
        title=settings["feed_title"] or default_title, base_url=settings[BASE_URL],
        author=settings["feed_author"], language=settings["feed_language"],
        image=settings["feed_image"], description=settings["feed_description"],
        category=settings["feed_category"], owner_name=settings["feed_owner_name"],
        owner_email=settings["feed_owner_email"], explicit=settings["feed_explicit"])
