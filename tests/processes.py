"""Other processes for the tests that need them (many processes opening a store at once, a writer killed
mid-save): multiprocessing's forkserver, whose server has imported the project's scoring and storage, so that a
process starts in milliseconds rather than importing them again (0.65 s of CPU each, some 30 processes a run).
A target must live in a module that is cheap to import in the child: this one, or a test module that imports
only the project."""

from __future__ import annotations

import multiprocessing

PRELOAD = ["scoring", "storage", "storage.answers", "storage.assessments"]


def context():
    """The forkserver context (its server starts at the first process, with PRELOAD imported)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


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
