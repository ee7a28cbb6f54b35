"""Each option is declared once: the config and --help agree (docs/CLI.md is --help itself,
checked by tests/test_docs.py)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from tts.cli import main
from tts.config import RenderConfig
from tts.errors import ConfigError
from tts.options import ALL


def help_text(command: str) -> str:
    """``article-tts COMMAND --help`` with its wrapping undone."""
    result = CliRunner().invoke(main, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    return " ".join(result.output.split())


def test_render_help_shows_every_declared_option_with_its_default() -> None:
    shown = help_text("render")
    for option in ALL.values():
        flag = next(f for f in option.flags if f.startswith("--"))
        assert flag.replace("/", " / ") in shown, f"{flag} is missing from render --help"
        if option.default not in (None, True, False) and option.show_default:
            assert f"default: {option.default}" in shown, flag


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
