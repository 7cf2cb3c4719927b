"""The package's structure: layered subpackages, no import cycles, small modules, declared deps.

Imports are read from the source (every ``import`` statement, including the ones inside
functions, which used to hide cycles such as figures ↔ render and runner ↔ reports_index).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
MAX_LINES = 560  # "about 500": a module that needs more is two concerns

LAYERS = ("data", "stats", "disclosure", "text", "surveys", "report", "pipeline", "cli")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names]
            # "from pkg import submodule" imports the submodule, not names of pkg/__init__
            targets = subs + ([base] if any(s not in known for s in subs) else [])
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name and t != "analysis":
                out.add(t)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: _imports(p, m, known) for m, p in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, f"import cycles: {cycles}"


def test_cycle_detector_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_the_size_limit():
    big = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines: {big}"


def test_the_layers_are_subpackages():
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file(), layer
    flat = sorted(
        p.name
        for p in PACKAGE.glob("*.py")
        if p.stem
        not in {
            "__init__",
            "__main__",
            "paths",
            "errors",
            "atomic",
            "yamlload",
            "sourcehash",
            "lazystate",
        }
    )
    assert not flat, f"modules outside the layers: {flat}"


def test_lower_layers_do_not_import_higher_ones():
    order = {
        "data": 1,
        "stats": 1,
        "disclosure": 2,
        "text": 2,
        "report": 3,
        "surveys": 4,
        "pipeline": 5,
        "cli": 6,
    }
    allowed = {  # documented exceptions: pii detection is shared by data (ingest) and disclosure
        ("data", "disclosure"),
    }
    bad = []
    for mod, deps in _graph().items():
        parts = mod.split(".")
        if len(parts) < 2 or parts[1] not in order:
            continue
        for dep in deps:
            dparts = dep.split(".")
            if len(dparts) < 2 or dparts[1] not in order:
                continue
            if order[dparts[1]] > order[parts[1]] and (parts[1], dparts[1]) not in allowed:
                bad.append(f"{mod} → {dep}")
    assert not bad, "imports from a higher layer: " + ", ".join(sorted(bad))


# -- dependencies: declare what is imported, and nothing else ---------------------------------
RUNTIME_ONLY = {"ipykernel", "jupyterlab"}  # the kernel and the researcher's environment
DIST_FOR_MODULE = {"yaml": "pyyaml", "IPython": "ipython", "calamine": "python-calamine"}


def _declared() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {
        re.match(r"[A-Za-z0-9_.\-]+", s).group(0).lower().replace("_", "-")
        for s in data["project"]["dependencies"]
    }


def _third_party_imports(paths) -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    out = set()
    for p in paths:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".ipynb":
            import json

            cells = json.loads(text)["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
            text = "\n".join(line for line in text.splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for n in names:
                top = n.split(".")[0]
                if top and top not in stdlib and top not in {"analysis", "benchmarks"}:
                    out.add(DIST_FOR_MODULE.get(top, top).lower().replace("_", "-"))
    return out


def test_every_imported_package_is_declared_and_every_declared_one_used():
    used = _third_party_imports([*PACKAGE.rglob("*.py"), *(ROOT / "notebooks").rglob("*.ipynb")])
    declared = _declared()
    assert used - declared == set(), f"imported but not declared: {sorted(used - declared)}"
    unused = declared - used - RUNTIME_ONLY
    assert unused == set(), f"declared but never imported: {sorted(unused)}"
