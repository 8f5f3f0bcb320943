"""Schema steps as decorated functions, applied in order, each once (the pattern of sqlite-utils'
companion ``sqlite-migrate``): ``migrations = Migrations()``, ``@migrations`` on each step, then
``migrations.apply(db)``. Applied steps are recorded in ``_migrations``, so re-running is safe.

Pending steps run in one write transaction that takes the write lock first (BEGIN IMMEDIATE) and then
reads which steps are done: when several sessions or processes open a new store (or the first start
after an upgrade) at once, one applies the steps and the others wait for it, find them applied and go
on, instead of failing with "table already exists" or "database is locked".
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from storage.db import now, transaction

Step = Callable[[Database], None]


class Migrations:
    def __init__(self) -> None:
        self.steps: list[tuple[str, Step]] = []

    def __call__(self, step: Step) -> Step:
        """Register a step; steps run once each, in the order they are declared."""
        self.steps.append((step.__name__, step))
        return step

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.steps]

    def applied(self, db: Database) -> set[str]:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone():
            return set()
        return {row[0] for row in db.execute("SELECT name FROM _migrations")}

    def pending(self, db: Database) -> list[str]:
        done = self.applied(db)
        return [name for name in self.names if name not in done]

    def apply(self, db: Database) -> list[str]:
        """Apply pending steps under the write lock, once. Returns the names applied by this call."""
        if not self.pending(db):  # the common case: a plain read, no lock taken
            return []
        with transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
            done = self.applied(db)  # re-read under the lock: another process may have applied them
            applied = []
            for name, step in self.steps:
                if name in done:
                    continue
                step(db)
                db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, now()])
                applied.append(name)
        return applied
