"""Schema steps as decorated functions, applied in order, each once (the pattern of sqlite-utils'
companion ``sqlite-migrate``): ``migrations = Migrations()``, ``@migrations`` on each step, then
``migrations.apply(db)``. Applied steps are recorded in ``_migrations``, so re-running is safe."""

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

    def apply(self, db: Database) -> list[str]:
        """Apply pending steps, each in its own write transaction. Returns the names applied now."""
        if "_migrations" not in db.table_names():
            db["_migrations"].create({"name": str, "applied_at": str}, pk="name", if_not_exists=True)
        done = {row["name"] for row in db["_migrations"].rows}
        applied = []
        for name, step in self.steps:
            if name in done:
                continue
            with transaction(db):
                step(db)
                db["_migrations"].insert({"name": name, "applied_at": now()})
            applied.append(name)
        return applied
