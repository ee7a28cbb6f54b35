"""The stages' import directions, written once: a module imports its own layer and those below it.

Every import counts: at the top, inside functions (imported when used) and under
``TYPE_CHECKING``. A new subpackage must be given a layer here before it can land.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tts"

# Lowest first. The kernel holds what every stage shares (types, errors, options, config,
# the character tables); the front doors parse, build the config once and call the stages.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kernel", ("tts.version", "tts.errors", "tts.types", "tts.options", "tts.config", "tts.chars")),
    ("util", ("tts.util",)),
    ("sources", ("tts.sources",)),
    ("text", ("tts.text",)),
    ("audio", ("tts.audio",)),
    ("engines", ("tts.engines",)),
    ("synth", ("tts.synth",)),
    ("outputs", ("tts.outputs",)),
    ("front doors", ("tts", "tts.__main__", "tts.api", "tts.cli", "tts.pipeline", "tts.playback",
                     "tts.batch", "tts.server")),
)


def layer_of(module: str) -> int:
    """The index in LAYERS of the layer that owns ``module`` (the longest matching prefix)."""
    best, length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    if best < 0:
        raise AssertionError(f"{module} has no layer in tests/test_layers.py")
    return best


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (PACKAGE.parent / relative).with_suffix(".py").exists() or (PACKAGE.parent / relative).is_dir()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module of this package that ``path`` imports, with its line, wherever the import is."""
    found = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append((node.lineno, full if is_module(full) else base))
    return [(line, name) for line, name in found if name == "tts" or name.startswith("tts.")]


def upward_imports(path: Path) -> list[str]:
    """Lines of ``path`` that import a higher layer than its own."""
    own = layer_of(module_name(path))
    return [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name} ({LAYERS[layer_of(name)][0]}) "
            f"from the {LAYERS[own][0]} layer"
            for line, name in imports_of(path) if layer_of(name) > own]


def test_no_module_imports_a_higher_layer() -> None:
    problems = [line for path in sorted(PACKAGE.rglob("*.py")) for line in upward_imports(path)]
    assert problems == []


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path))


@pytest.mark.parametrize("code", [
    "from tts.pipeline import run\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tts.engines.base import Engine\n",
    "def later():\n    from tts.synth import cache\n",
    "from tts import api\n",
])
def test_an_upward_import_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    # A kernel module that imports a stage above it, in each form an import can take.
    fake = PACKAGE / "types.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: code)
    assert upward_imports(fake) != []
