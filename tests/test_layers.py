"""vlab's layers hold (DESIGN.md): no import circle anywhere, models never reach a view, the CLI never
imports widgets, the knowledge layer stands on the standard library alone.

The graph is read from the source with `ast`, every import counted: top-level, inside functions and under
`if TYPE_CHECKING:` (a circle that only type checkers see is still a circle a reader has to untangle).
Importing `vlab.a.b` also runs `vlab/a/__init__.py`, so a module depends on its packages too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import vlab

ROOT = Path(vlab.__file__).resolve().parent
VIEW_LIBRARIES = ("ipywidgets", "plotly", "IPython", "anywidget")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str, source: str) -> set[str]:
    """Every module `source` imports, absolute names, relative imports resolved against `name`."""
    is_package = MODULES[name].name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            # `from vlab.models.datastore import vm_folder` imports a module, not a name.
            found.update(f"{stem}.{a.name}" for a in node.names if f"{stem}.{a.name}" in MODULES)
    return found


def vlab_edges(name: str, imported: set[str]) -> set[str]:
    """The vlab modules `name` depends on: each imported module and the packages above it."""
    edges = set()
    for target in imported:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            if candidate in MODULES and candidate != name and not name.startswith(candidate + "."):
                edges.add(candidate)
    return edges


IMPORTS = {name: imports_of(name, path.read_text(encoding="utf-8")) for name, path in MODULES.items()}
GRAPH = {name: vlab_edges(name, found) for name, found in IMPORTS.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each a circle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_a_circle_and_nothing_else():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_walk_sees_type_checking_and_function_level_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from vlab.models.datastore.volume import Datastore\n"
        "def f():\n    import plotly.graph_objects\n"
    )
    found = imports_of("vlab.models.datastore.vm", source)
    assert "vlab.models.datastore.volume" in found and "plotly.graph_objects" in found


def test_the_walk_covers_the_whole_package():
    assert len(MODULES) > 60
    assert {"vlab.models.datastore.vm", "vlab.models.datastore.volume", "vlab.widgets.storage_panel",
            "vlab.knowledge.published"} <= set(MODULES)


def test_no_import_circle_anywhere_in_vlab():
    assert cycles(GRAPH) == []


def test_models_are_grouped_by_esx_area():
    areas = {p.name for p in (ROOT / "models").iterdir() if (p / "__init__.py").is_file()}
    assert areas == {"vmkernel", "network", "storage", "datastore", "vcenter", "security"}
    assert [p.name for p in (ROOT / "models").glob("*.py")] == ["__init__.py"]
    for area in areas:
        doc = ast.get_docstring(ast.parse((ROOT / "models" / area / "__init__.py").read_text()))
        assert doc and "lab" in doc, f"models/{area}/__init__.py should say what it models and which lab"


def _layer_violations(layer: str, forbidden_vlab: tuple[str, ...], forbidden_libs: tuple[str, ...]):
    bad = []
    for name, found in IMPORTS.items():
        if name != layer and not name.startswith(layer + "."):
            continue
        for target in found:
            top = target.split(".")[0]
            if top in forbidden_libs or any(target == f or target.startswith(f + ".")
                                            for f in forbidden_vlab):
                bad.append(f"{name} imports {target}")
    return bad


@pytest.mark.parametrize(
    "layer, forbidden_vlab, forbidden_libs",
    [
        # Models are pure Python: no views, no quizzes or checkers, no CLI.
        ("vlab.models", ("vlab.widgets", "vlab.exercises", "vlab.learn", "vlab.cli"), VIEW_LIBRARIES),
        ("vlab.formats", ("vlab.models", "vlab.widgets", "vlab.exercises", "vlab.learn", "vlab.cli",
                          "vlab.knowledge"), VIEW_LIBRARIES),
        ("vlab.knowledge", ("vlab.models", "vlab.widgets", "vlab.exercises", "vlab.learn", "vlab.cli"),
         VIEW_LIBRARIES + ("pandas", "numpy", "simpy", "yaml")),
        ("vlab.learn", ("vlab.widgets", "vlab.cli"), VIEW_LIBRARIES),
        # Exercises build checker widgets over models, so only the CLI is off limits to them.
        ("vlab.exercises", ("vlab.cli",), ()),
        # The CLI never imports widgets (it must start fast and run without a notebook).
        ("vlab.cli", ("vlab.widgets",), VIEW_LIBRARIES),
    ],
)
def test_each_layer_imports_only_what_is_below_it(layer, forbidden_vlab, forbidden_libs):
    assert _layer_violations(layer, forbidden_vlab, forbidden_libs) == []


def test_the_layer_check_bites():
    IMPORTS["vlab.models.fake"] = {"plotly.graph_objects", "vlab.widgets.quiz"}
    try:
        assert len(_layer_violations("vlab.models", ("vlab.widgets",), VIEW_LIBRARIES)) == 2
    finally:
        del IMPORTS["vlab.models.fake"]
