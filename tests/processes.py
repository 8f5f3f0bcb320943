"""Other processes for the tests that need them (many processes opening a store at once, a writer killed
mid-save): multiprocessing's forkserver, whose server has imported the project's scoring and storage, so that a
process starts in milliseconds rather than importing them again (0.65 s of CPU each, some 30 processes a run).
A target must live in a module that is cheap to import in the child: this one, or a test module that imports
only the project."""

from __future__ import annotations

import multiprocessing
import sys
import types
from contextlib import contextmanager

PRELOAD = ["scoring", "storage", "storage.assessment.answers", "storage.assessment.assessments"]


def context():
    """The forkserver context (its server starts at the first process, with PRELOAD imported)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start(*processes) -> None:
    """Start the processes (and the forkserver, the first time). A new process runs the parent's ``__main__``
    again unless it has none, and a test process's may be a script Streamlit's AppTest ran last (it puts its
    script there): the child would fail in it. So they start beside a plain one."""
    with _plain_main():
        for process in processes:
            process.start()


@contextmanager
def _plain_main():
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def connect_in_turn(paths: list[str], barrier, results) -> None:
    """For each store: wait for the other processes, then connect (which migrates a new or old store) and read
    its phases; each outcome goes to ``results``."""
    from storage import connect

    for path in paths:
        try:
            barrier.wait(timeout=60)
            db = connect(path)
            results.put(("ok", path, db.execute("SELECT COUNT(*) FROM phases").fetchone()[0]))
            db.close()
        except Exception as exc:  # reported to the parent, which fails the test
            results.put(("error", path, repr(exc)))
