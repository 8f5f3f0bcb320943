"""The first-run checklist: what a new department still has to set up before units can fill their forms."""

from __future__ import annotations

from dataclasses import dataclass

from storage.engine import Store

STEPS = ("units", "users", "year", "thresholds")


@dataclass(frozen=True)
class Step:
    id: str  # one of STEPS; its title and hint are catalogue keys setup_<id> and setup_<id>_hint
    done: bool
    tab: str  # the admin page's tab where it is done


def checklist(db: Store) -> list[Step]:
    """Units exist; a unit assessor has an account; a fiscal year is open (with its criteria); an open year's
    thresholds were reviewed and saved. (Between a year's close and the next one's opening, the last two
    show again, as a reminder.)"""
    checks = [("units", "SELECT 1 FROM units WHERE active = 1", "units"),
              ("users", "SELECT 1 FROM users WHERE role = 'unit' AND active = 1", "users"),
              ("year", "SELECT 1 FROM cycles WHERE status = 'open'", "years"),
              ("thresholds", "SELECT 1 FROM cycles WHERE status = 'open' AND thresholds IS NOT NULL", "criteria")]
    return [Step(step, db.execute(sql).fetchone() is not None, tab) for step, sql, tab in checks]
