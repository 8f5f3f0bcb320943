"""The year's work plan: the department's procedure as steps with planned months, the person responsible,
the roles that act, related documents (links), a status and the date each was done.

The PMQA owner (admin) starts a year's plan from the ten-step template (``data/workplan.yaml``) and edits
it as one table: add, remove, reorder, reschedule, record progress. The director approves it. Changing the
schedule of an approved plan (steps, their order, titles or months) asks for approval again; recording
progress (status, date done, person, documents) does not. Every role reads it. Saves carry the version
the editor started from (``VersionConflict``); every change is audited with what it was before.
"""

from __future__ import annotations

import json
import math
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from i18n import YAML_LOADER
from i18n.format import thailand_today
from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store
from storage.errors import AccessDenied, InputError, VersionConflict
from storage.files.evidence import clean_text, is_link
from storage.organisation.accounts import User, acting, require_admin
from storage.schema import ROLES
from storage.text import clean

TEMPLATE = Path(__file__).resolve().parents[2] / "data" / "workplan.yaml"
STATUSES = ("not_started", "in_progress", "done")

MAX_STEPS = 40
MAX_TEXT = 200
MAX_DOCUMENTS = 10
SCHEDULE = ("title_th", "title_en", "start_month", "end_month")  # a change to these asks for approval again
PROGRESS = ("owner", "roles", "documents", "status", "done_on")


class _TemplateStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: dict[str, str]
    start: int = Field(ge=1, le=12)
    end: int = Field(ge=1, le=12)
    roles: list[str] = []

    @model_validator(mode="after")
    def _check(self) -> _TemplateStep:
        if self.start > self.end:
            raise ValueError(f"{self.title.get('en')}: start after end")
        if not self.title.get("th") or set(self.title) - {"th", "en"}:
            raise ValueError("a title needs Thai (and may have English)")
        if set(self.roles) - set(ROLES):
            raise ValueError(f"unknown roles {sorted(set(self.roles) - set(ROLES))}")
        return self


class _Template(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[_TemplateStep] = Field(min_length=1, max_length=MAX_STEPS)


@cache
def template(path: Path = TEMPLATE) -> tuple[_TemplateStep, ...]:
    """The template's steps, validated (a malformed file fails loudly, naming the problem)."""
    return tuple(_Template.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)).steps)


def fiscal_months(year: int) -> list[str]:
    """The fiscal year ``year`` (B.E.) as its twelve months, October to September, as ``YYYY-MM`` (C.E.)."""
    first = year - 544
    return [f"{first}-{m:02d}" for m in (10, 11, 12)] + [f"{first + 1}-{m:02d}" for m in range(1, 10)]


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def fiscal_days(year: int) -> tuple[date, date]:
    """The first and last day of the fiscal year ``year`` (B.E.): 1 October to 30 September."""
    return date(year - 544, 10, 1), date(year - 543, 9, 30)


def dated(spans: Sequence[tuple[int, int]], year: int, today: date) -> list[tuple[str, str]]:
    """The template's steps (``spans``: each step's fiscal months, 1 = October ... 12 = September) dated for a plan
    started on ``today``: from that day (or the year's first day, if it is later) to the year's end, each step
    where it falls in the template's year scaled onto what is left of it, so they keep their order and relative
    lengths, never start in a month already past and never end after September. Started on or before
    1 October, the template's own months; late in the year, every step in its last month. Each (start, end) as
    ``YYYY-MM``."""
    months = fiscal_months(year)
    first, last = fiscal_days(year)
    day = min(max(today, first), last)
    origin = months.index(month_of(day)) + Fraction(day.day - 1, monthrange(day.year, day.month)[1])
    scale = (len(months) - origin) / len(months)  # the template's year (12 months) onto what is left
    out = []
    for start, end in spans:
        begins = math.floor(origin + (start - 1) * scale)
        ends = max(begins, math.ceil(origin + end * scale) - 1)  # the month its last moment falls in
        out.append((months[begins], months[min(ends, len(months) - 1)]))
    return out


@dataclass
class Plan:
    year: int
    version: int
    status: str  # draft, approved, or changed (approved, then its schedule changed)
    approved_by: str | None
    approved_at: str | None
    updated_at: str | None
    updated_by: str | None
    steps: list[dict] = field(default_factory=list)


def _step(row: dict) -> dict:
    return {"id": row["id"], "title_th": row["title_th"], "title_en": row["title_en"] or "",
            "start_month": row["start_month"], "end_month": row["end_month"], "owner": row["owner"] or "",
            "roles": json.loads(row["roles"] or "[]"), "documents": json.loads(row["documents"] or "[]"),
            "status": row["status"] or "not_started", "done_on": row["done_on"]}


def get(db: Store, actor: User, year: int) -> Plan | None:
    """The year's plan with its steps in order; every signed-in role may read it."""
    acting(db, actor)
    rows = list(db.query("SELECT year, version, status, approved_by, approved_at, updated_at, updated_by "
                         "FROM workplans WHERE year = ?", [year]))
    if not rows:
        return None
    steps = [_step(r) for r in db.query("SELECT * FROM workplan_steps WHERE year = ? ORDER BY position, id", [year])]
    return Plan(**rows[0], steps=steps)


def start(db: Store, actor: User, year: int, today: date | None = None) -> Plan:
    """The year's plan from the template, its steps dated from the day it starts (``dated``: ``today``, the
    current date by default, or the fiscal year's first day if that is later) to the year's end; refused when it
    exists."""
    actor = require_admin(db, actor)
    years.require_open_year(db, year)
    today = today or thailand_today()
    months = dated([(step.start, step.end) for step in template()], year, today)
    with transaction(db):
        if db.execute("SELECT 1 FROM workplans WHERE year = ?", [year]).fetchone():
            raise InputError("error_wp_exists", year=year)
        stamp = now()
        db["workplans"].insert({"year": year, "version": 1, "status": "draft", "updated_at": stamp,
                                "updated_by": actor.username})
        db.execute("DELETE FROM workplan_steps WHERE year = ?", [year])  # rows no version of the app showed
        for position, step in enumerate(template(), start=1):
            db["workplan_steps"].insert({
                "year": year, "step": position, "position": position, "title_th": step.title["th"],
                "title_en": step.title.get("en", ""), "start_month": months[position - 1][0],
                "end_month": months[position - 1][1], "owner": "",
                "roles": json.dumps([r for r in ROLES if r in step.roles]),
                "documents": "[]", "status": "not_started", "done_on": None, "updated_at": stamp,
                "updated_by": actor.username})
        audit.record(db, actor.username, "start", "workplan", year, steps=len(template()),
                     dated_from=max(today, fiscal_days(year)[0]).isoformat())
    return get(db, actor, year)


def _checked(year: int, number: int, step: dict) -> dict:
    """One row of the edited table as stored, or ``InputError`` naming its row (``number``, from 1)."""
    months = fiscal_months(year)
    title_th, title_en, owner = (clean(str(step.get(k) or "")).strip() for k in ("title_th", "title_en", "owner"))
    if not title_th:
        raise InputError("error_wp_title", row=number)
    if max(len(title_th), len(title_en), len(owner)) > MAX_TEXT:
        raise InputError("error_wp_text", row=number, limit=MAX_TEXT)
    start_month, end_month = step.get("start_month"), step.get("end_month")
    if start_month not in months or end_month not in months:
        raise InputError("error_wp_month", row=number, year=year)
    if months.index(start_month) > months.index(end_month):
        raise InputError("error_wp_order", row=number)
    roles = list(step.get("roles") or [])
    if set(roles) - set(ROLES):
        raise InputError("error_wp_roles", row=number)
    status = step.get("status") or "not_started"
    if status not in STATUSES:
        raise InputError("error_wp_status", row=number)
    done_on = step.get("done_on")
    if isinstance(done_on, date):
        done_on = done_on.isoformat()
    if status == "done":
        today = thailand_today().isoformat()
        try:
            done_on = date.fromisoformat(str(done_on)).isoformat() if done_on else today
        except ValueError:
            raise InputError("error_wp_done_on", row=number) from None
        if done_on > today:
            raise InputError("error_wp_done_on", row=number)
    else:
        done_on = None
    documents = []
    for document in step.get("documents") or []:
        url, title = str(document.get("url") or "").strip(), clean_text(str(document.get("title") or ""))
        if not is_link(url) or len(title) > MAX_TEXT:
            raise InputError("error_wp_document", row=number)
        documents.append({"title": title or url, "url": url})
    if len(documents) > MAX_DOCUMENTS:
        raise InputError("error_wp_documents", row=number, limit=MAX_DOCUMENTS)
    return {"title_th": title_th, "title_en": title_en, "start_month": start_month, "end_month": end_month,
            "owner": owner, "roles": [r for r in ROLES if r in roles], "documents": documents, "status": status,
            "done_on": done_on}


def _claim(db: Store, year: int, expected_version: int) -> tuple[int, str]:
    """Inside a transaction: the open year's plan as (version, status), refused unless still at the version
    the editor showed."""
    years.require_open_year(db, year)
    row = db.execute("SELECT version, status, updated_by FROM workplans WHERE year = ?", [year]).fetchone()
    if row is None:
        raise InputError("error_wp_none", year=year)
    version, status, updated_by = row
    if version != expected_version:
        raise VersionConflict(version, updated_by)
    return version, status


def save(db: Store, actor: User, year: int, expected_version: int, steps: list[dict]) -> int:
    """Store the plan as edited: ``steps`` in their new order, each with its ``id`` (None for a new step);
    a stored step left out is removed. Every row is checked first. Returns the new version."""
    actor = require_admin(db, actor)
    if len(steps) > MAX_STEPS:
        raise InputError("error_wp_too_many", limit=MAX_STEPS)
    if not steps:
        raise InputError("error_wp_empty")
    checked = [(step.get("id"), _checked(year, number, step)) for number, step in enumerate(steps, start=1)]
    with transaction(db):
        version, status = _claim(db, year, expected_version)
        stored = {s["id"]: s for s in get(db, actor, year).steps}
        positions = dict(db.execute("SELECT id, position FROM workplan_steps WHERE year = ?", [year]).fetchall())
        unknown = [i for i, _ in checked if i is not None and i not in stored]
        if unknown or len({i for i, _ in checked if i is not None}) != len([i for i, _ in checked if i is not None]):
            raise InputError("error_wp_unknown_step")
        stamp = now()
        kept = [i for i, _ in checked if i is not None]
        removed = [stored[i] for i in stored if i not in kept]
        added, changed = [], {}
        for position, (step_id, step) in enumerate(checked, start=1):
            values = step | {"roles": json.dumps(step["roles"]), "documents": json.dumps(step["documents"],
                                                                                          ensure_ascii=False)}
            if step_id is None:
                db["workplan_steps"].insert({"year": year, "step": position, "position": position, **values,
                                             "updated_at": stamp, "updated_by": actor.username})
                added.append(step["title_th"])
                continue
            before = stored[step_id]
            diff = {f: [before[f], step[f]] for f in (*SCHEDULE, *PROGRESS) if before[f] != step[f]}
            if diff or positions[step_id] != position:
                db["workplan_steps"].update(step_id, {"position": position, **values, "updated_at": stamp,
                                                      "updated_by": actor.username})
            if diff:
                changed[step_id] = diff
        for step in removed:
            db.execute("DELETE FROM workplan_steps WHERE id = ?", [step["id"]])
        order_changed = [i for i in stored if i in kept] != kept
        rescheduled = bool(added or removed or order_changed
                           or any(f in SCHEDULE for diff in changed.values() for f in diff))
        new_status = "changed" if rescheduled and status in ("approved", "changed") else status
        db.execute("UPDATE workplans SET version = ?, status = ?, updated_at = ?, updated_by = ? WHERE year = ?",
                   [version + 1, new_status, stamp, actor.username, year])
        audit.record(db, actor.username, "save", "workplan", year, version=version + 1, added=added,
                     removed=[s["title_th"] for s in removed], changed={str(k): v for k, v in changed.items()},
                     reordered=order_changed, status=[status, new_status] if new_status != status else None)
    return version + 1


def approve(db: Store, actor: User, year: int, expected_version: int) -> int:
    """The director approves the plan as it stands (the version shown)."""
    actor = acting(db, actor)
    if actor.role != "director":
        raise AccessDenied(role=actor.role)
    with transaction(db):
        version, status = _claim(db, year, expected_version)
        if status == "approved":
            raise InputError("error_wp_approved")
        stamp = now()
        db.execute("UPDATE workplans SET version = ?, status = 'approved', approved_by = ?, approved_at = ?, "
                   "updated_at = ?, updated_by = ? WHERE year = ?",
                   [version + 1, actor.username, stamp, stamp, actor.username, year])
        audit.record(db, actor.username, "approve", "workplan", year, version=version + 1, was=status)
    return version + 1


# -- what is due ----------------------------------------------------------------------------------------


def overdue(step: dict, today: date) -> bool:
    """Not done, and its last month is past."""
    return step["status"] != "done" and step["end_month"] < month_of(today)


def due(plan: Plan | None, role: str, today: date) -> list[dict]:
    """The steps a role acts on that are due this month or overdue, not yet done; overdue first."""
    if plan is None:
        return []
    month = month_of(today)
    mine = [s for s in plan.steps if role in s["roles"] and s["status"] != "done" and s["start_month"] <= month]
    return sorted(mine, key=lambda s: (not overdue(s, today), s["end_month"]))
