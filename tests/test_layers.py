"""The import graph: the pure layers never climb into the UI, and no two modules import each other.

Layers, lowest first: ``i18n`` and ``scoring`` (pure), ``storage``, then ``intake`` (files people bring in, read
and checked, written through the store) and ``analysis``, then ``charts`` and ``reports`` (figures and files from
plain data), then ``jobs`` (documents built by a worker: the queue, the in-process executor and the worker, calling
the report builders), then ``ui`` and the pages. A module imports only from layers below it; the store's command line
(``storage.__main__``) sits on top of the store and may call ``intake`` to import a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("i18n", "scoring", "storage", "intake", "analysis", "charts", "reports", "jobs", "ui", "pages")
# what each package may import from the project besides itself
ALLOWED = {
    "i18n": set(),
    "scoring": set(),
    "storage": {"i18n", "scoring"},  # i18n: the command line prints the store's messages in English
    "intake": {"i18n", "scoring", "storage"},
    "analysis": {"i18n", "scoring", "storage"},
    "charts": {"i18n", "scoring"},
    "reports": {"i18n", "scoring", "storage", "intake", "analysis", "charts"},
    "jobs": {"i18n", "scoring", "storage", "intake", "analysis", "charts", "reports"},
    "ui": {"i18n", "scoring", "storage", "intake", "analysis", "charts", "reports", "jobs"},
    "pages": {"i18n", "scoring", "storage", "intake", "analysis", "charts", "reports", "jobs", "ui"},
}
ENTRY_POINTS = {"storage.__main__": {"intake"}}  # a package's command line, and what it may call besides
NO_STREAMLIT = ("i18n", "scoring", "storage", "intake", "analysis", "charts", "reports", "jobs")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Project modules (or, for ``from package import name``, the submodule ``package.name`` when it is
    one) and outside top-level packages that ``path`` imports anywhere in its body."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


GRAPH = {name: imports_of(path, set(modules())) for name, path in modules().items()}


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_a_module_imports_only_its_own_layer_or_below(name):
    package = name.split(".")[0]
    project = {target.split(".")[0] for target in GRAPH[name]} & set(PACKAGES)
    allowed = ALLOWED[package] | ENTRY_POINTS.get(name, set())
    assert project - {package} <= allowed, f"{name} imports {sorted(project - {package} - allowed)}"
    if package in NO_STREAMLIT:
        assert not any(t == "streamlit" or t.startswith("streamlit.") for t in GRAPH[name]), f"{name} uses Streamlit"


def test_no_import_cycles():
    project = {name: {t for t in targets if t in GRAPH and t != name} for name, targets in GRAPH.items()}
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        path.append(name)
        for target in sorted(project[name]):
            if state.get(target) == "open":
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(target):], target]))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = "done"

    for name in sorted(project):
        if name not in state:
            visit(name)


def test_the_catalogue_lookup_is_pure():
    assert "streamlit" not in GRAPH["i18n"] and "ui.i18n" not in GRAPH["charts.overview"]


def test_the_store_reads_no_spreadsheet_and_intake_writes_nothing_itself():
    """Files people bring in are read in ``intake``; the store keeps the SQL. No store module opens a spreadsheet
    or a CSV file, and no intake module sends a statement or opens a transaction: it calls the store."""
    for name, path in modules().items():
        if name.startswith("storage"):
            assert not {"openpyxl", "csv"} & {t.split(".")[0] for t in GRAPH[name]}, f"{name} reads files"
        if name.startswith("intake"):
            calls = {node.func.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
            assert not calls & {"execute", "executemany", "query", "insert", "upsert", "update"}, f"{name} writes"
            assert "storage.db" not in GRAPH[name], f"{name} opens transactions"
