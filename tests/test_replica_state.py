"""Several app servers (replicas) serve one store, so nothing a process keeps may disagree with another's: every
cache a process holds (Streamlit's st.cache_data and st.cache_resource, functools' caches, a module's own
dictionary) is listed here with why it agrees across processes, and a new one fails this test until it is
reviewed and listed. Sessions, sign-ins, failed sign-ins and files are in the store (test_e2e_replicas.py
reloads on another replica); a save made through another connection, as another replica's, shows on the
overview at once (test_page_overview.py: test_a_new_save_shows_at_once).
"""

from __future__ import annotations

import ast
from pathlib import Path

from storage.admin import backup
from storage.db import data_version
from storage.organisation import accounts

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("i18n", "scoring", "storage", "intake", "analysis", "charts", "reports", "jobs", "ui", "pages")
DECORATORS = {"cache", "lru_cache", "cache_data", "cache_resource"}
CONTAINERS = {"dict", "set", "list", "OrderedDict", "defaultdict", "deque", "WeakValueDictionary",
              "WeakKeyDictionary"}

VERSION = "keyed by the store's data version (its ``version`` argument): a change anywhere is a new key"
CONTENT = "keyed by what it is computed from: values, a file's checksum, a file shipped with the code"
YEAR = ("keyed by a year's own version (storage.db.year_versions: every change that can move that year's figures is "
        "a new key) and by its application built or not, read from the store on every run")
PROCESS = "the process's own resources (connections, a check each process makes once): nothing to agree on"
REVIEWED = {
    "ui.overview_data._scores": VERSION,
    "ui.overview_data._cached": VERSION,
    "ui.ministry._versions": VERSION,
    "ui.ministry._year": YEAR,
    "i18n.catalogue": CONTENT,
    "scoring.criteria._with_rules": CONTENT,
    "scoring.criteria._texts": CONTENT,
    "scoring.criteria.default_framework": CONTENT,
    "scoring.criteria._load_once": CONTENT,  # a year's file in the checkout, by path and modification time
    "scoring.frames._layout": CONTENT,
    "scoring.lens.checkpoint_aims": CONTENT,
    "scoring.tables.checkpoint_table": CONTENT,
    "scoring.tables.level_sizes": CONTENT,
    "scoring.tables.kpi_table": CONTENT,
    "scoring.tables.item_table": CONTENT,
    "storage.admin.backup._expected_objects": CONTENT,
    "storage.assessment.assessments.checkpoint_ids": CONTENT,
    "storage.assessment.years._with_thresholds": CONTENT,
    "storage.assessment.years._with_page_limits": CONTENT,
    "storage.assessment.years._accepted": CONTENT,  # an accepted criteria file, by its SHA-256
    "storage.engine._driver_sql": CONTENT,
    "storage.engine._values_taken": CONTENT,
    "storage.migrations.scripts": CONTENT,
    "storage.migrations.revisions": CONTENT,  # the revision files shipped with the code
    "storage.migrations._made": CONTENT,  # what those files make in a new SQLite store
    "storage.organisation.accounts._unknown_user_hash": CONTENT,  # any hash no password matches
    "storage.plans.workplan.template": CONTENT,
    "reports.application._DRAWN": CONTENT,  # a chart's PNG, by the SHA-256 of its figure and size
    "reports.text_layer._source": CONTENT,
    "reports.text_layer._glyphs": CONTENT,
    "ui.browser._read": CONTENT,
    "ui.text.thai_lines": CONTENT,
    "storage.engine._engines": PROCESS,
    "ui.session._shelf": PROCESS,
    "ui.session._checked": PROCESS,
    # the jobs themselves, their progress and their files are in the store (storage.admin.jobs): these are the
    # process's own means of running them
    "jobs.executor._executors": PROCESS,  # this process's threads working on a SQLite store's queue
    "jobs.queue.app": PROCESS,  # Procrastinate's app for a store's address (a worker's connections)
    "jobs.queue._deferrer": PROCESS,  # writes a job on the connection it is given; holds none
}


def _name(node: ast.AST) -> str | None:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None


def _empty_container(value: ast.AST | None) -> bool:
    """A module-level value that starts empty and is filled as the process runs: a cache, not a constant."""
    if isinstance(value, ast.Dict):
        return not value.keys
    if isinstance(value, ast.Set | ast.List):
        return not value.elts
    return isinstance(value, ast.Call) and _name(value) in CONTAINERS and not value.args


def caches() -> dict[str, ast.AST]:
    """Every process-wide cache of the app: decorated functions and module-level containers that start empty."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                        _name(decorator) in DECORATORS for decorator in node.decorator_list):
                    found[f"{module}.{node.name}"] = node
            for node in tree.body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and _empty_container(node.value):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    found.update({f"{module}.{t.id}": node for t in targets if isinstance(t, ast.Name)})
    return found


def test_every_cache_a_process_keeps_is_reviewed_for_several_processes():
    found = caches()
    assert set(found) == set(REVIEWED), {"not reviewed": sorted(set(found) - set(REVIEWED)),
                                         "gone": sorted(set(REVIEWED) - set(found))}
    for name, why in REVIEWED.items():
        if why == VERSION:
            assert "version" in [argument.arg for argument in found[name].args.args], name


def test_the_scan_finds_a_cache_of_each_kind(tmp_path):
    """The scan is not blind: each way of caching is found."""
    source = ("import functools\nimport streamlit as st\nfrom functools import lru_cache\n"
              "_seen: dict[str, int] = {}\n_kept = set()\n\n"
              "@st.cache_data(ttl=60)\ndef a(x): ...\n\n@functools.cache\ndef b(): ...\n\n"
              "@lru_cache(maxsize=4)\ndef c(y): ...\n\n@st.cache_resource\ndef d(): ...\n")
    tree = ast.parse(source)
    functions = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                 and any(_name(d) in DECORATORS for d in n.decorator_list)]
    containers = [n for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign) and _empty_container(n.value)]
    assert functions == ["a", "b", "c", "d"] and len(containers) == 2


def test_a_restore_never_brings_back_a_data_version_that_stood_for_other_data(demo_db, demo_user, tmp_path):
    """A restore brings back the archive's audit log, whose ids go on from its own: the data version (id and time
    of the last entry) never repeats one that other data had, so no replica shows figures cached under it."""
    admin = demo_user("admin")
    archive = backup.backup(demo_db, tmp_path / "out", actor=admin)
    seen = set()
    for name in ("before-1", "before-2"):  # what other replicas may have cached figures under
        accounts.create_user(demo_db, name, "correct horse battery", "committee")
        seen.add(data_version(demo_db))
    backup.restore_into(demo_db, archive, admin)
    for name in ("after-1", "after-2"):  # other data than before the restore
        accounts.create_user(demo_db, name, "correct horse battery", "committee")
        assert data_version(demo_db) not in seen
