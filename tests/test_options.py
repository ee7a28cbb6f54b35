"""Each option is declared once: the config, --help and the README's option table agree."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tts.cli import main
from tts.config import RenderConfig
from tts.errors import ConfigError
from tts.options import ALL

README = Path(__file__).resolve().parent.parent / "README.md"
LONG_FLAG = re.compile(r"--[a-z][a-z-]*")


def readme_rows() -> dict[str, str]:
    """Each long flag in the README's option table, with that row's default column."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| option | default | meaning |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        for flag in LONG_FLAG.findall(cells[0]):
            rows[flag] = cells[1]
    return rows


def help_flags(command: click.Command) -> set[str]:
    flags = set()
    for param in command.params:
        if isinstance(param, click.Option):
            flags.update(f for f in (*param.opts, *param.secondary_opts) if f.startswith("--"))
    return flags - {"--help"}


@pytest.mark.parametrize("name", ["render", "play"])
def test_every_option_in_help_is_in_the_readme_table(name: str) -> None:
    command = main.commands[name]
    missing = help_flags(command) - set(readme_rows())
    assert not missing, f"document {sorted(missing)} in the README's option table"


def test_the_readme_table_lists_no_option_the_commands_lack() -> None:
    known = set().union(*(help_flags(c) for c in main.commands.values()))
    assert not set(readme_rows()) - known


def test_readme_defaults_are_the_declared_ones() -> None:
    rows = readme_rows()
    for option in ALL.values():
        if option.default in (None, True, False):
            continue
        flag = next(f for f in option.flags if f.startswith("--")).split("/")[0]
        shown = f"{option.default:g}" if isinstance(option.default, float) else str(option.default)
        assert shown in rows[flag], f"README says {rows[flag]!r} for {flag}, --help {shown}"


def test_help_shows_the_declared_defaults_and_ranges() -> None:
    params = {p.name: p for p in main.commands["render"].params}
    for option in ALL.values():
        param = params[option.name]
        assert param.default == option.default
        if option.low is not None:
            assert isinstance(param.type, (click.IntRange, click.FloatRange))
            assert (param.type.min, param.type.max) == (option.low, option.high)


@pytest.mark.parametrize("name", [o.name for o in ALL.values() if o.low is not None])
def test_config_refuses_what_click_refuses(name: str) -> None:
    option = ALL[name]
    assert option.high is not None
    too_big = option.high + (1 if option.kind is int else 0.5)
    with pytest.raises(ConfigError, match=f"{name} must be between"):
        RenderConfig(**{name: option.kind(too_big)})


def test_config_defaults_are_the_declared_ones() -> None:
    config = RenderConfig()
    for option in ALL.values():
        if hasattr(config, option.name):
            assert getattr(config, option.name) == option.default
