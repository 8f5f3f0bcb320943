"""The store's half of the offline Excel form (``intake.offline_form`` reads and checks the file): a unit's values
as stored, who last changed a field, and a checked file's changes written in one transaction and one version.

A field is keyed as the form keys it: ("met", checkpoint), ("none", item), ("text", item, level) and
("kpi", kpi, fiscal year)."""

from __future__ import annotations

import math
from typing import NamedTuple

from storage import audit
from storage.assessment import years
from storage.assessment.answers import claim_version, kpi_definition
from storage.db import transaction
from storage.engine import Store
from storage.errors import InputError
from storage.organisation.accounts import User

EMPTY = {"met": False, "none": False, "text": "", "kpi": None}  # a field's value when no row holds it


class FieldChange(NamedTuple):
    """One field a file changes, from the value the file was made with to the file's; ``where`` names it for a
    person (the sheet and cell)."""

    field: tuple
    before: object
    after: object
    where: str


def same(a, b) -> bool:
    """Equal values; numbers to the 15 significant digits a spreadsheet keeps."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300)
    return a == b


def clashes(app_value, before, after) -> bool:
    """The app's value of a field differs both from the value the file was made with and from the file's."""
    return not same(app_value, before) and not same(app_value, after)


def stored_values(db: Store, assessment_id: int) -> dict[tuple, object]:
    """The unit's values as stored now (only fields with a stored row)."""
    values: dict[tuple, object] = {}
    for cp, met in db.execute("SELECT checkpoint, self_met FROM checkpoint_answers WHERE assessment_id = ?",
                              [assessment_id]):
        values[("met", cp)] = bool(met)
    for (item,) in db.execute("SELECT item FROM none_met WHERE assessment_id = ?", [assessment_id]):
        values[("none", item)] = True
    for item, level, text in db.execute("SELECT item, level, text FROM narratives WHERE assessment_id = ?",
                                        [assessment_id]):
        values[("text", item, level)] = text or ""
    for kpi, fiscal_year, value in db.execute(
            "SELECT kpi, fiscal_year, self_value FROM kpi_results WHERE assessment_id = ?", [assessment_id]):
        values[("kpi", kpi, fiscal_year)] = value
    return values


# The audited saves that change each kind of field (besides copying last year's answers): for a field's ids,
# whether an entry (its action, its detail) changed it.
_TOUCHED = {
    "met": lambda cp: lambda action, detail: action in ("save_self", "save_offline")
    and audit.holds(detail, "ticks", cp),
    "none": lambda item: lambda action, detail: (action == "save_none_met" and detail.get("item") == item)
    or (action == "save_offline" and audit.holds(detail, "none_met", item)),
    "text": lambda item, level: lambda action, detail: (
        action == "save_narrative" and (detail.get("item"), detail.get("level")) == (item, level))
    or (action == "save_offline" and f"{item}/{level}" in (detail.get("narratives") or [])),
    "kpi": lambda kpi, fiscal_year: lambda action, detail: action in ("save_self_kpi", "save_offline")
    and audit.holds(detail, "values", f"{kpi}/{fiscal_year}"),
}


def last_change(db: Store, assessment_id: int, field_key: tuple) -> tuple[str | None, str | None]:
    """Who last changed the unit's value of a field and when, from the audit log: (user name, UTC time), or
    (None, None) when no audited save names it."""
    changed = _TOUCHED[field_key[0]](*field_key[1:])
    row = audit.last_touch(db, "assessment", assessment_id,
                           lambda action, detail: action == "copy_previous" or changed(action, detail))
    return row or (None, None)


def field_id(field_key: tuple) -> str:
    """A field as the audit log names it: "1.1.B1", "1.1/basic", "RM1/2570"."""
    return "/".join(str(part) for part in field_key[1:])


def save(db: Store, actor: User, assessment_id: int, changes: list[FieldChange], source: str,
         kept: set[tuple] = frozenset()) -> dict[str, int]:
    """Write a checked file's ``changes`` to the unit's draft in one transaction and one version, audited as one
    save naming the file (``source``); the fields in ``kept`` are left as they are in the app. Refused, with
    nothing changed, when the form may not be changed now, when a field the file changes was changed in the
    app after the file was made (and not to the file's value) and is not kept, when an own KPI it gives values
    for was removed meanwhile, or when "none met yet" would stand beside a met checkpoint of its item.
    Returns {"changes": n, "kept": n, "version": v}."""
    aid = assessment_id
    framework = years.framework_of(db, db.execute("SELECT year FROM assessments WHERE id = ?",
                                                  [aid]).fetchone()[0])
    item_of = {cp.id: item.id for item, _, cp in framework.checkpoints()}
    with transaction(db):
        state = claim_version(db, actor, aid, None, "self")
        stored = stored_values(db, aid)
        now_value = lambda f: stored.get(f, EMPTY[f[0]])  # noqa: E731
        moved = [c for c in changes if clashes(now_value(c.field), c.before, c.after) and c.field not in kept]
        if moved:
            raise InputError("error_offline_conflict", fields=", ".join(c.where for c in moved[:5]), n=len(moved))
        changes = [c for c in changes if not same(now_value(c.field), c.after) and c.field not in kept]
        for change in changes:
            if change.field[0] == "kpi":
                kpi_definition(db, framework, aid, change.field[1])  # an own KPI removed meanwhile is refused
        final = stored | {c.field: c.after for c in changes}
        for item in {c.field[1] for c in changes if c.field[0] == "none" and c.after}:
            if any(final.get(("met", cp)) for cp, of in item_of.items() if of == item):
                raise InputError("error_none_met_ticked", item=item)
        ticks = {c.field[1]: c.after for c in changes if c.field[0] == "met"}
        nones = {c.field[1]: c.after for c in changes if c.field[0] == "none"}
        texts = {c.field[1:]: c.after for c in changes if c.field[0] == "text"}
        values = {c.field[1:]: c.after for c in changes if c.field[0] == "kpi"}
        db.executemany(
            "INSERT INTO checkpoint_answers (assessment_id, checkpoint, self_met) VALUES (?, ?, ?) "
            "ON CONFLICT (assessment_id, checkpoint) DO UPDATE SET self_met = excluded.self_met",
            [(aid, cp, int(met)) for cp, met in ticks.items()])
        db.executemany("DELETE FROM none_met WHERE assessment_id = ? AND item = ?",
                       [(aid, item_of[cp]) for cp, met in ticks.items() if met])
        db.executemany("INSERT INTO none_met (assessment_id, item) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       [(aid, item) for item, none in nones.items() if none])
        db.executemany("DELETE FROM none_met WHERE assessment_id = ? AND item = ?",
                       [(aid, item) for item, none in nones.items() if not none])
        db.executemany(
            "INSERT INTO narratives (assessment_id, item, level, text) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (assessment_id, item, level) DO UPDATE SET text = excluded.text",
            [(aid, item, level, text) for (item, level), text in texts.items()])
        db.executemany(
            "INSERT INTO kpi_results (assessment_id, kpi, fiscal_year, self_value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (assessment_id, kpi, fiscal_year) DO UPDATE SET self_value = excluded.self_value",
            [(aid, kpi, fy, value) for (kpi, fy), value in values.items()])
        touched = {item_of[cp] for cp in ticks} | set(nones) | {item for item, _ in texts}
        checkpoints = [cp for cp, item in item_of.items() if item in touched]
        db.executemany("UPDATE checkpoint_answers SET needs_confirm = 0 WHERE assessment_id = ? AND checkpoint = ?",
                       [(aid, cp) for cp in checkpoints])
        audit.record(db, actor.username, "save_offline", "assessment", aid, file=source,
                     ticks=ticks, none_met=nones, narratives=sorted(f"{i}/{lv}" for i, lv in texts),
                     values={f"{k}/{fy}": v for (k, fy), v in values.items()}, version=state["version"],
                     **({"kept": sorted(field_id(f) for f in kept)} if kept else {}))
    return {"changes": len(changes), "kept": len(kept), "version": state["version"]}
