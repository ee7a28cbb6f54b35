"""The package's shape: no import cycles (type-checking imports included), one orchestrator."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tts"
# Only these may import the pipeline: the command line, playback, the public API, and the
# batch, which runs the pipeline once per article.
# The front doors: the command line, playback, the API, batches and the speech server.
PIPELINE_USERS = {"tts.cli", "tts.playback", "tts.api", "tts.batch", "tts.server.speech"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from tts... import name`` and ``import tts...`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "tts":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                              else node.module, alias.name))
        elif isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.split(".")[0] == "tts"]
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        # A package's own __init__ is imported first by any of its submodules: not an edge back.
        edges[name] = {m for m, _ in imports_of(path) if m in modules and m != name
                       and not (name.startswith(m + ".") and m in ("tts", "tts.engines"))}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles_even_for_type_checking() -> None:
    edges = graph()
    edges.pop("tts", None)  # the package's __init__ re-exports the API: nothing imports it back
    for deps in edges.values():
        deps.discard("tts")
    assert find_cycle(edges) is None


def test_only_the_command_line_playback_and_api_import_the_pipeline() -> None:
    users = {name for name, deps in graph().items() if "tts.pipeline" in deps}
    assert users <= PIPELINE_USERS


def test_shared_types_import_nothing_of_ours_at_run_time() -> None:
    tree = ast.parse((PACKAGE / "types.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("tts")]
    assert [n.module for n in top] == ["tts.version"]


def test_no_private_name_crosses_a_module_line() -> None:
    crossing = [(module_name(p), mod, name) for p in PACKAGE.rglob("*.py")
                for mod, name in imports_of(p) if name.startswith("_") and name != "__version__"]
    assert crossing == []


def test_start_up_loads_only_what_a_render_of_a_file_needs() -> None:
    # Every command pays for what `import tts.cli` loads: the network, feed, page and
    # Markdown libraries (0.2 s together) and the cache's codec load when first used.
    import subprocess
    import sys

    script = "import sys, tts.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                check=True).stdout.split())
    deferred = {"requests", "urllib3", "gtts", "feedgen", "lxml", "trafilatura", "markdown_it",
                "yaml", "charset_normalizer", "onnxruntime", "soundfile", "http", "ssl"}
    assert "tts" in loaded
    assert loaded & deferred == set()


def test_a_single_render_does_not_load_the_batch_and_feed_code() -> None:
    import subprocess
    import sys

    script = "import sys, tts.cli; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "tts.cli" in loaded
    assert {"tts.batch", "tts.outputs.feed", "email.utils"} & loaded == set()


def test_the_command_runs_one_blas_thread_and_the_library_leaves_threads_alone() -> None:
    # OpenBLAS starts a thread per core with numpy, each spinning ~0.1 s of CPU the render
    # needs; the command asks for one (a user's own setting kept). Importing the library
    # loads no numpy, and sets nothing.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    command = ("import os, tts.__main__, numpy; "
               "print(len(os.listdir('/proc/self/task')), os.environ['OPENBLAS_NUM_THREADS'])")
    threads, setting = subprocess.run([sys.executable, "-c", command], capture_output=True,
                                      text=True, check=True, env=env).stdout.split()
    assert (threads, setting) == ("1", "1")
    kept = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True,
                          check=True, env={**env, "OPENBLAS_NUM_THREADS": "3"}).stdout.split()
    assert kept[1] == "3"
    library = ("import os, sys, tts; from tts import RenderConfig; "
               "print('numpy' in sys.modules, 'OPENBLAS_NUM_THREADS' in os.environ)")
    assert subprocess.run([sys.executable, "-c", library], capture_output=True, text=True,
                          check=True, env=env).stdout.split() == ["False", "False"]


def test_the_command_reuses_freed_memory_instead_of_faulting_in_fresh_pages() -> None:
    # numpy's temporaries of a few MB, made and freed in turn (as the meter and limiter do
    # on every block): glibc's malloc, left alone, hands them back to the system and the
    # next ones fault in fresh zeroed pages; the command asks it to keep them.
    import subprocess
    import sys

    work = ("import resource, numpy as np\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(50):\n"
            "    a = np.ones(1 << 19, np.float32); b = a.astype(np.float64)\n"
            "    c = np.fft.rfft(b.reshape(64, 8192), axis=1); del a, b, c\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n")

    def faults(setup: str) -> int:
        return int(subprocess.run([sys.executable, "-c", setup + work], capture_output=True,
                                  text=True, check=True).stdout)

    plain, command = faults(""), faults("import tts.__main__\n")
    assert plain > 20_000  # 4 MB blocks: about a thousand pages each, faulted again and again
    assert command < plain / 10
