"""Engines from other packages: an installed distribution's ``article_tts.engines`` entry points,
read only when needed; a broken one is a one-line warning."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tts import engines, render
from tts.config import RenderConfig
from tts.errors import ConfigError

PLUGIN = '''
"""A speech engine in a package of its own: a tone 20 ms per character."""
from pydub.generators import Sine
from tts.engines import EngineSpec


class ToneEngine:
    name = "tone"
    offline = True
    max_chars = None
    max_concurrency = 2
    tashkeel = False
    rules = ()
    chars_per_second = 50.0
    inline_languages = True
    phoneme_input = False

    def synthesize(self, text, lang=None):
        return Sine(330).to_audio_segment(20 * len(text), volume=-12).set_frame_rate(16000)

    def cache_key(self):
        return {"engine": "tone", "version": "1"}


SPEC = EngineSpec("tone", lambda config: ToneEngine(), lambda config, timeout: (True, "a tone"),
                  offline=False, description="a plugin's tone")  # answers at once: auto would take it


def make_spec():
    return SPEC


def broken():
    raise RuntimeError("needs a library that is not installed")
'''

ENTRY_POINTS = """
[article_tts.engines]
tone = tone_plugin:SPEC
tone2 = tone_plugin:make_spec
broken = tone_plugin:broken
missing = tone_plugin_gone:SPEC
espeak = tone_plugin:SPEC
"""


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A distribution installed into a folder on sys.path, as pip would lay it out."""
    site = tmp_path / "site-packages"
    info = site / "tone_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "tone_plugin.py").write_text(PLUGIN, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tone-plugin\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(textwrap.dedent(ENTRY_POINTS), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(engines, "PLUGINS", engines.Plugins())
    builtin = dict(engines.REGISTRY)
    yield site
    for name in set(engines.REGISTRY) - set(builtin):
        engines.unregister(name)
    engines.REGISTRY.update(builtin)
    sys.modules.pop("tone_plugin", None)


def test_a_built_in_name_reads_no_entry_points(installed: Path) -> None:
    assert engines.is_known("espeak") and engines.is_known("auto")
    assert not engines.PLUGINS.loaded


def test_render_with_a_plugin_engine_by_name_from_the_command_line(run, installed: Path) -> None:  # type: ignore[no-untyped-def]
    Path("a.txt").write_text("مرحبا بكم في النشرة.", encoding="utf-8")
    result = run("render", "a.txt", "--engine", "tone", "-o", "a.wav", "--no-loudness")
    assert result.exit_code == 0, result.stderr
    assert "engine tone" in result.stderr.splitlines()[-1]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(warnings) == 3  # broken, missing, and the one that would replace espeak
    assert any("engine plugin broken (tone_plugin:broken) cannot be loaded (RuntimeError: needs"
               in line for line in warnings)
    assert any("engine plugin espeak (tone_plugin:SPEC) is ignored: espeak is built in" in line
               for line in warnings)
    assert engines.REGISTRY["espeak"].description == "offline voice"
    assert Path("a.wav").stat().st_size > 1000


def test_engines_lists_the_plugins_and_warns_once_about_the_broken_ones(run, installed: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("engines")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed[:6] == ["gtts", "espeak", "edge", "piper", "tone", "tone2"]
    assert "a plugin's tone; a tone" in result.stdout
    assert result.stderr.count("Warning: engine plugin") == 3
    assert result.stderr.count("\n") == 3  # one line each
    assert run("engines").stderr == ""  # told once per process


def test_an_unknown_engine_names_the_plugins_among_the_choices(run, installed: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", "a.txt", "--engine", "polly")
    assert result.exit_code == 2
    assert "unknown engine 'polly'; choose one of auto, gtts, espeak, edge, piper, tone" in \
        " ".join(result.stderr.split())


def test_the_api_finds_a_plugin_engine_too(installed: Path, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    result = render("نص قصير.", tmp_path / "a.wav", engine="tone2", loudness=None)
    assert result.engine == "tone"  # the engine's own name; tone2 is another entry point to it
    assert any("engine plugin broken" in r.getMessage() for r in caplog.records)
    with pytest.raises(ConfigError, match="unknown engine 'nothing'"):
        render("نص.", tmp_path / "b.wav", engine="nothing")


def test_auto_never_picks_a_plugin_nor_reads_the_entry_points(installed: Path, offline: None) -> None:
    engine, _ = engines.choose(RenderConfig())
    assert engine.name == "espeak" and not engines.PLUGINS.loaded
    engines.names()  # listed, so loaded: auto still keeps to the built-in engines
    assert engines.choose(RenderConfig())[0].name == "espeak"
