"""Write docs/CLI.md from the commands' own --help, so the reference cannot drift from the code.

    python docs/cli_reference.py          # rewrite docs/CLI.md
    python docs/cli_reference.py --check  # exit 1 if docs/CLI.md differs (CI runs this as a test)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

TARGET = Path(__file__).resolve().with_name("CLI.md")
WIDTH = 100

HEADER = """# Command-line reference

Generated from `article-tts COMMAND --help` by `python docs/cli_reference.py`; a test fails
when it differs from the commands' own help, so this page is always the code's.
"""


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command under ``group``, depth first, in the order ``--help`` lists them."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def help_of(path: tuple[str, ...]) -> str:
    """What ``article-tts PATH --help`` prints, at a fixed width."""
    from click.testing import CliRunner

    from tts.cli import main
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="article-tts",
                                terminal_width=WIDTH, max_content_width=WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"article-tts {' '.join(path)} --help failed: {result.output}")
    return result.output


def reference() -> str:
    from tts.cli import main
    parts = [HEADER]
    for path in [(), *command_paths(main)]:
        parts += [f"## {' '.join(('article-tts', *path))}\n", "```\n" + help_of(path) + "```\n"]
    return "\n".join(parts)


def main() -> int:
    text = reference()
    if "--check" in sys.argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.name} is out of date: run python docs/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
