"""The department's assessment of record: the one assessment per year a department sends to OPDC.

The committee starts it from the units: each checkpoint's answer is suggested by a rule it chooses over the
counted units' answers (the committee's where it reviewed, the unit's otherwise). It then edits the
answers, writes the department's narrative per item, enters the department's KPI values (the units' are
shown for reference) and cites the units' evidence, and approves it. A change of answers, narratives, KPI values
or citations may name what the editor showed for each field it changes (``before``): it is refused with
``FieldConflict`` only when someone changed one of those same fields meanwhile, so two members editing different
fields both keep their work. Other changes (and those without ``before``) name the version the editor started
from (``VersionConflict`` when someone saved in between). Every change is checked against the year's criteria
first, and is audited in the same transaction. Only the committee writes, in an open year and
while the record is a draft; the committee, the director and the admin read it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from scoring import Framework, default_framework
from scoring.criteria import AdliPart
from storage import audit
from storage.assessment import assessments, years
from storage.assessment.answers import checked_kpi_value
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, FieldConflict, InputError, NotEditable, VersionConflict
from storage.organisation.accounts import User, acting
from storage.text import clean

WRITERS = ("committee",)
READERS = ("committee", "director", "admin")
RULES = ("half", "all", "any")  # a checkpoint is suggested met when at least half / all / any counted units met it
UNIT = "department"  # the ``unit`` key of the record's rows in the scoring package's frames
MAX_NARRATIVE = 10000
MAX_REASON = 1000
RESULT_YEARS = 5  # the department's results of a KPI: this fiscal year and the four before it (LeTCI's trend)
COMPARISON_KINDS = ("agency", "national", "best")  # another agency, a national figure, a best-in-class value
MAX_COMPARISONS = 6
MAX_ANALYSIS = 3000
MAX_LABEL = 200


@dataclass
class Record:
    """The department's assessment of a year, as plain values."""

    record: dict
    ticks: dict[str, bool] = field(default_factory=dict)  # checkpoint -> met
    narratives: dict[str, str] = field(default_factory=dict)  # item -> text
    kpi_values: dict[tuple[str, int], float | None] = field(default_factory=dict)  # (kpi, fiscal year) -> value
    citations: dict[str, list[int]] = field(default_factory=dict)  # item -> evidence ids
    adli: dict[tuple[str, str], str] = field(default_factory=dict)  # (item, ADLI part) -> text
    sources: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (item, part) -> unit codes taken from
    comparisons: dict[str, list[dict]] = field(default_factory=dict)  # KPI -> [{kind, label, value, source}]
    kpi_notes: dict[str, dict] = field(default_factory=dict)  # KPI -> {analysis, items: [item ids]}

    @property
    def version(self) -> int:
        return self.record["version"]


def _reader(db: Store, actor: User) -> User:
    actor = acting(db, actor)
    if actor.role not in READERS:
        raise AccessDenied(role=actor.role)
    return actor


def unit_answers(db: Store, year: int) -> tuple[pd.DataFrame, int]:
    """Per checkpoint of the year's criteria: how many counted units met it (the committee's answer where it
    reviewed, the unit's otherwise), and how many units count."""
    framework = years.framework_of(db, year)
    units = assessments.units_with_assessment(db, year, assessments.COUNTED, "best")
    answers, _ = assessments.score_inputs(db, year, "best")
    met = answers[answers["met"]].groupby("checkpoint")["unit"].nunique()
    ids = [cp.id for _, _, cp in framework.checkpoints()]
    frame = pd.DataFrame({"checkpoint": ids, "units_met": met.reindex(ids, fill_value=0).astype(int).to_numpy()})
    return frame, len(units)


def suggest(units_met: pd.Series, counted: int, rule: str) -> pd.Series:
    """Whether each checkpoint is suggested met, from how many of the ``counted`` units met it.

    >>> suggest(pd.Series([0, 1, 2, 3]), 4, "half").tolist(), suggest(pd.Series([0, 1, 4]), 4, "all").tolist()
    ([False, False, True, True], [False, False, True])
    >>> suggest(pd.Series([0, 1]), 4, "any").tolist(), suggest(pd.Series([0]), 0, "half").tolist()
    ([False, True], [False])
    """
    if rule not in RULES:
        raise InputError("error_input")
    if counted == 0:
        return pd.Series(False, index=units_met.index)
    if rule == "half":
        return units_met * 2 >= counted
    return units_met >= counted if rule == "all" else units_met > 0


def get(db: Store, actor: User, year: int) -> Record | None:
    """The year's record, or None before the committee starts it."""
    _reader(db, actor)
    rows = list(db.query("SELECT * FROM dept_records WHERE year = ?", [year]))
    if not rows:
        return None
    record = Record(rows[0])
    record.ticks = {r[0]: bool(r[1]) for r in db.execute("SELECT checkpoint, met FROM dept_answers WHERE year = ?",
                                                        [year])}
    record.narratives = dict(db.execute("SELECT item, text FROM dept_narratives WHERE year = ?", [year]).fetchall())
    record.kpi_values = {(r[0], r[1]): r[2] for r in db.execute(
        "SELECT kpi, fiscal_year, value FROM dept_kpis WHERE year = ?", [year])}
    for item, evidence_id in db.execute("SELECT item, evidence_id FROM dept_citations WHERE year = ? "
                                        "ORDER BY item, evidence_id", [year]):
        record.citations.setdefault(item, []).append(evidence_id)
    record.adli = {(r[0], r[1]): r[2] for r in db.execute("SELECT item, part, text FROM dept_adli WHERE year = ?",
                                                         [year])}
    for item, part, code in db.execute("SELECT s.item, s.part, u.code FROM dept_adli_sources s JOIN units u ON "
                                       "u.id = s.unit_id WHERE s.year = ? ORDER BY u.code", [year]):
        record.sources.setdefault((item, part), []).append(code)
    for row in db.query("SELECT kpi, kind, label, value, source FROM dept_kpi_comparisons WHERE year = ? "
                        "ORDER BY kpi, position", [year]):
        record.comparisons.setdefault(row.pop("kpi"), []).append(row)
    record.kpi_notes = {r[0]: {"analysis": r[1] or "", "items": json.loads(r[2] or "[]")} for r in db.execute(
        "SELECT kpi, analysis, items FROM dept_kpi_notes WHERE year = ?", [year])}
    return record


def start(db: Store, actor: User, year: int, rule: str = "half") -> Record:
    """Create the year's record with every checkpoint's answer suggested by ``rule`` from the counted units;
    refused when it exists already (its answers are the committee's from then on)."""
    if rule not in RULES:
        raise InputError("error_input")
    with transaction(db):
        actor = _writer(db, actor, year)
        if db.execute("SELECT 1 FROM dept_records WHERE year = ?", [year]).fetchone():
            raise InputError("error_dept_started", year=year)
        frame, counted = unit_answers(db, year)
        frame["met"] = suggest(frame["units_met"], counted, rule)
        stamp = now()
        db["dept_records"].insert({"year": year, "status": "draft", "version": 1, "rule": rule, "created_at": stamp,
                                   "updated_at": stamp, "updated_by": actor.username})
        db.executemany("INSERT INTO dept_answers (year, checkpoint, met) VALUES (?, ?, ?)",
                            [(year, cp, int(met)) for cp, met in zip(frame["checkpoint"], frame["met"], strict=True)])
        audit.record(db, actor.username, "dept_start", "dept_record", year, rule=rule, units=counted,
                     met=int(frame["met"].sum()), checkpoints=len(frame))
    return get(db, actor, year)


def _writer(db: Store, actor: User, year: int) -> User:
    return years.writer_in_open_year(db, actor, WRITERS, year)


def _claim(db: Store, actor: User, year: int, expected_version: int | None,
           status: str = "draft") -> tuple[User, int]:
    """Inside an open transaction: check the writer, the year and the record's status; take the next version
    (refused when it is no longer ``expected_version``; any version when None: the caller checks its fields)."""
    actor = _writer(db, actor, year)
    row = db.execute("SELECT status, version, updated_by FROM dept_records WHERE year = ?", [year]).fetchone()
    if row is None:
        raise InputError("error_dept_not_started", year=year)
    if row[0] != status:
        raise NotEditable(status=row[0])
    version = row[1] if expected_version is None else expected_version
    cursor = db.execute("UPDATE dept_records SET version = version + 1, updated_at = ?, updated_by = ? "
                        "WHERE year = ? AND version = ?", [now(), actor.username, year, version])
    if cursor.rowcount != 1:
        raise VersionConflict(row[1], row[2])
    return actor, version + 1


def _require_unchanged(db: Store, year: int, field: str, shown, new, stored, action: str, path: tuple[str, ...],
                       value=None) -> None:
    """Inside the save's transaction: refuse (``FieldConflict``) when the stored value of a field is no longer the
    one the editor showed (unless it is already the ``new`` one), naming who changed it last: the latest audited
    ``action`` whose detail has the keys ``path`` (its value there equal to ``value`` when given), else the
    record's last saver."""
    if stored in (shown, new):
        return

    def touched(done: str, detail: dict) -> bool:
        *outer, last = path
        for key in outer:
            detail = detail.get(key) if isinstance(detail, dict) else None
        if done != action or not isinstance(detail, dict) or last not in detail:
            return False
        return value is None or detail[last] == value

    row = audit.last_touch(db, "dept_record", year, touched)
    by = row[0] if row else db.execute("SELECT updated_by FROM dept_records WHERE year = ?", [year]).fetchone()[0]
    raise FieldConflict(field, by, stored)


def save_answers(db: Store, actor: User, year: int, expected_version: int, ticks: dict[str, bool],
                 before: dict[str, bool] | None = None) -> int:
    """The department's answers, checkpoint id -> met; ``before``: what the editor showed for each."""
    unknown = sorted(set(ticks) - assessments.checkpoint_ids(years.framework_of(db, year)))
    if unknown:
        raise InputError("error_unknown_checkpoint", ids=", ".join(unknown[:5]))
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        for cp in before or {}:
            row = db.execute("SELECT met FROM dept_answers WHERE year = ? AND checkpoint = ?", [year, cp]).fetchone()
            _require_unchanged(db, year, cp, bool(before[cp]), bool(ticks.get(cp)), bool(row and row[0]),
                               "dept_answers", ("ticks", cp))
        db.executemany("INSERT INTO dept_answers (year, checkpoint, met) VALUES (?, ?, ?) ON CONFLICT "
                            "(department_id, year, checkpoint) DO UPDATE SET met = excluded.met",
                            [(year, cp, int(bool(met))) for cp, met in ticks.items()])
        audit.record(db, actor.username, "dept_answers", "dept_record", year,
                     ticks={cp: bool(met) for cp, met in ticks.items()}, version=version)
    return version


def _require_item(framework: Framework, item: str) -> None:
    if item not in framework.item_ids():
        raise InputError("error_unknown_item", item=item)


def save_narrative(db: Store, actor: User, year: int, expected_version: int, item: str, text: str,
                   before: str | None = None) -> int:
    """The department's account of an item: how it works and what it achieved (categories 1-7); ``before``: the
    text the editor showed."""
    _require_item(years.framework_of(db, year), item)
    text = clean(text).strip()
    if len(text) > MAX_NARRATIVE:
        raise InputError("error_text_length", limit=MAX_NARRATIVE)
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        if before is not None:
            row = db.execute("SELECT text FROM dept_narratives WHERE year = ? AND item = ?", [year, item]).fetchone()
            _require_unchanged(db, year, item, clean(before).strip(), text, clean(row[0] or "") if row else "",
                               "dept_narrative", ("item",), item)
        db.execute("INSERT INTO dept_narratives (year, item, text) VALUES (?, ?, ?) "
                   "ON CONFLICT (department_id, year, item) DO UPDATE SET text = excluded.text", [year, item, text])
        audit.record(db, actor.username, "dept_narrative", "dept_record", year, item=item, chars=len(text),
                     version=version)
    return version


def adli_parts(framework: Framework) -> tuple[AdliPart, ...]:
    """The parts of a process account (categories 1-6) the year's criteria name, in order; a criteria file that
    names none (one written before them) takes the default file's."""
    return framework.application.adli or default_framework().application.adli


def _require_adli(framework: Framework, item: str, part: str) -> None:
    _require_item(framework, item)
    if framework.item(item).is_results or part not in {p.id for p in adli_parts(framework)}:
        raise InputError("error_adli_part", item=item, part=part)


def _write_adli(db: Store, year: int, item: str, part: str, text: str) -> None:
    db.execute("INSERT INTO dept_adli (year, item, part, text) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (department_id, year, item, part) DO UPDATE SET text = excluded.text",
               [year, item, part, text])
    if not text:  # an emptied part has taken nothing from anyone
        db.execute("DELETE FROM dept_adli_sources WHERE year = ? AND item = ? AND part = ?", [year, item, part])


def _stored_adli(db: Store, year: int, item: str, part: str) -> str:
    row = db.execute("SELECT text FROM dept_adli WHERE year = ? AND item = ? AND part = ?",
                     [year, item, part]).fetchone()
    return clean(row[0] or "") if row else ""


def _checked_text(text: str, limit: int = MAX_NARRATIVE) -> str:
    text = clean(text).strip()
    if len(text) > limit:
        raise InputError("error_text_length", limit=limit)
    return text


def save_adli(db: Store, actor: User, year: int, expected_version: int, item: str, part: str, text: str,
              before: str | None = None) -> int:
    """One ADLI part (approach, deployment, learning, integration) of the department's account of an item of
    categories 1-6; ``before``: the text the editor showed."""
    _require_adli(years.framework_of(db, year), item, part)
    text = _checked_text(text)
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        if before is not None:
            _require_unchanged(db, year, f"{item}/{part}", clean(before).strip(), text,
                               _stored_adli(db, year, item, part), "dept_adli", ("ref",), f"{item}/{part}")
        _write_adli(db, year, item, part, text)
        audit.record(db, actor.username, "dept_adli", "dept_record", year, ref=f"{item}/{part}", item=item, part=part,
                     chars=len(text), version=version)
    return version


def take_passage(db: Store, actor: User, year: int, item: str, part: str, unit_id: int, level: str,
                 before: str) -> int:
    """A counted unit's account of an item (at one level) added to the end of an ADLI part, and the unit kept as
    one of the part's sources; ``before``: the part's text the editor showed (refused when someone changed it)."""
    _require_adli(years.framework_of(db, year), item, part)
    passage = unit_narratives(db, year, item)
    passage = passage[(passage["unit_id"] == unit_id) & (passage["level"] == level)]
    if passage.empty:
        raise InputError("error_adli_passage")
    before = clean(before or "").strip()
    text = "\n\n".join(filter(None, (before, clean(passage["text"].iloc[0]).strip())))
    if len(text) > MAX_NARRATIVE:
        raise InputError("error_text_length", limit=MAX_NARRATIVE)
    with transaction(db):
        actor, version = _claim(db, actor, year, None)
        _require_unchanged(db, year, f"{item}/{part}", before, None, _stored_adli(db, year, item, part),
                           "dept_adli", ("ref",), f"{item}/{part}")
        _write_adli(db, year, item, part, text)
        db.execute("INSERT INTO dept_adli_sources (year, item, part, unit_id) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT DO NOTHING", [year, item, part, unit_id])
        audit.record(db, actor.username, "dept_adli", "dept_record", year, ref=f"{item}/{part}", item=item, part=part,
                     chars=len(text), taken_from=passage["code"].iloc[0], level=level, version=version)
    return version


def save_kpi_values(db: Store, actor: User, year: int, expected_version: int,
                    values: dict[tuple[str, int], float | None],
                    before: dict[tuple[str, int], float | None] | None = None) -> int:
    """The department's KPI results, (criteria KPI, fiscal year) -> value or None (cleared); each value a number
    in the KPI's valid range, the year one of the last ``RESULT_YEARS``; ``before``: what the editor showed for
    each."""
    kpis = {k.id: k for _, k in years.framework_of(db, year).kpis()}
    unknown = sorted({kpi_id for kpi_id, _ in values} - set(kpis))
    if unknown:
        raise InputError("error_unknown_kpi", kpi=unknown[0])
    checked = {(kpi_id, fiscal_year): checked_kpi_value(kpis[kpi_id], fiscal_year, year, value, RESULT_YEARS)
             for (kpi_id, fiscal_year), value in values.items()}
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        for (kpi_id, fiscal_year), shown in (before or {}).items():
            row = db.execute("SELECT value FROM dept_kpis WHERE year = ? AND kpi = ? AND fiscal_year = ?",
                             [year, kpi_id, fiscal_year]).fetchone()
            _require_unchanged(db, year, f"{kpi_id}/{fiscal_year}", shown, checked.get((kpi_id, fiscal_year)),
                               row[0] if row else None, "dept_kpis", ("values", f"{kpi_id}/{fiscal_year}"))
        db.executemany("INSERT INTO dept_kpis (year, kpi, fiscal_year, value) VALUES (?, ?, ?, ?) ON CONFLICT "
                            "(department_id, year, kpi, fiscal_year) DO UPDATE SET value = excluded.value",
                            [(year, k, fy, v) for (k, fy), v in checked.items()])
        audit.record(db, actor.username, "dept_kpis", "dept_record", year,
                     values={f"{k}/{fy}": v for (k, fy), v in checked.items()}, version=version)
    return version


def _criteria_kpi(framework: Framework, kpi_id: str):
    kpis = {k.id: k for _, k in framework.kpis()}
    if kpi_id not in kpis:
        raise InputError("error_unknown_kpi", kpi=kpi_id)
    return kpis[kpi_id]


def _checked_comparison(kpi, row: dict) -> dict:
    kind, label, source = row.get("kind"), clean(row.get("label") or "").strip(), clean(row.get("source") or "").strip()
    value = row.get("value")
    if kind not in COMPARISON_KINDS:
        raise InputError("error_comparison_kind")
    if not label or not source or len(label) > MAX_LABEL or len(source) > MAX_LABEL:
        raise InputError("error_comparison_text", limit=MAX_LABEL)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError("error_not_number", kpi=kpi.id)
    if not kpi.min <= value <= kpi.max:
        raise InputError("error_kpi_range", kpi=kpi.id, value=value, min=kpi.min, max=kpi.max)
    return {"kind": kind, "label": label, "value": float(value), "source": source}


def save_comparisons(db: Store, actor: User, year: int, expected_version: int, kpi: str, rows: list[dict],
                     before: list[dict] | None = None) -> int:
    """The values a KPI's results are compared with (replacing the KPI's earlier list), each {kind (another
    agency, a national figure, best in class), label (whose), value (in the KPI's range), source (where it comes
    from)}; at most ``MAX_COMPARISONS``. ``before``: the list the editor showed."""
    definition = _criteria_kpi(years.framework_of(db, year), kpi)
    if len(rows) > MAX_COMPARISONS:
        raise InputError("error_comparisons_many", limit=MAX_COMPARISONS)
    checked = [_checked_comparison(definition, row) for row in rows]
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        if before is not None:
            stored = [r for r in db.query("SELECT kind, label, value, source FROM dept_kpi_comparisons WHERE "
                                          "year = ? AND kpi = ? ORDER BY position", [year, kpi])]
            _require_unchanged(db, year, f"{kpi}/comparisons", [dict(r) for r in before], checked, stored,
                               "dept_comparisons", ("kpi",), kpi)
        db.execute("DELETE FROM dept_kpi_comparisons WHERE year = ? AND kpi = ?", [year, kpi])
        db.executemany("INSERT INTO dept_kpi_comparisons (year, kpi, position, kind, label, value, source) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(year, kpi, i, r["kind"], r["label"], r["value"], r["source"])
                             for i, r in enumerate(checked, start=1)])
        audit.record(db, actor.username, "dept_comparisons", "dept_record", year, kpi=kpi, comparisons=checked,
                     version=version)
    return version


def save_kpi_note(db: Store, actor: User, year: int, expected_version: int, kpi: str, analysis: str | None = None,
                  items: list[str] | None = None, before: dict | None = None) -> int:
    """The committee's short analysis of a KPI's results and the items of categories 1-6 whose processes it
    tracks; a field given as None is kept. ``before``: what the editor showed of the fields given."""
    framework = years.framework_of(db, year)
    _criteria_kpi(framework, kpi)
    processes = {item.id for item in framework.items() if not item.is_results}
    if items is not None and any(not isinstance(i, str) or i not in processes for i in items):
        raise InputError("error_kpi_items")
    new = {"analysis": None if analysis is None else _checked_text(analysis, MAX_ANALYSIS),
           "items": None if items is None else sorted(set(items))}
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        row = db.execute("SELECT analysis, items FROM dept_kpi_notes WHERE year = ? AND kpi = ?",
                         [year, kpi]).fetchone()
        stored = {"analysis": clean(row[0] or "") if row else "", "items": json.loads(row[1] or "[]") if row else []}
        for name, value in new.items():
            if value is not None and before is not None and name in before:
                shown = clean(before[name] or "").strip() if name == "analysis" else sorted(before[name] or [])
                _require_unchanged(db, year, f"{kpi}/{name}", shown, value, stored[name], "dept_kpi_note",
                                   (f"{name}_of",), kpi)
        merged = {name: stored[name] if value is None else value for name, value in new.items()}
        db.execute("INSERT INTO dept_kpi_notes (year, kpi, analysis, items) VALUES (?, ?, ?, ?) ON CONFLICT "
                   "(department_id, year, kpi) DO UPDATE SET analysis = excluded.analysis, items = excluded.items",
                   [year, kpi, merged["analysis"], json.dumps(merged["items"])])
        audit.record(db, actor.username, "dept_kpi_note", "dept_record", year, kpi=kpi,
                     **{f"{name}_of": kpi for name, value in new.items() if value is not None},
                     chars=len(merged["analysis"]), items=merged["items"], version=version)
    return version


def citable(db: Store, year: int, item: str) -> pd.DataFrame:
    """The units' evidence the record may cite for an item (not removed), with its unit: id, unit_id, code,
    level, kpi, kind, filename, url, confidential."""
    rows = db.query("SELECT e.id, a.unit_id, u.code, e.level, e.kpi, e.kind, e.filename, e.url, e.confidential "
                    "FROM evidence e JOIN assessments a ON a.id = e.assessment_id JOIN units u ON u.id = a.unit_id "
                    "WHERE a.year = ? AND e.item = ? AND e.removed_at IS NULL ORDER BY u.code, e.id", [year, item])
    return pd.DataFrame(list(rows), columns=["id", "unit_id", "code", "level", "kpi", "kind", "filename", "url",
                                             "confidential"])


def cite(db: Store, actor: User, year: int, expected_version: int, item: str, evidence_ids: list[int],
         before: list[int] | None = None) -> int:
    """The units' evidence the department cites for an item (replacing the item's earlier choice); each must
    be the year's evidence for that item. ``before``: the choice the editor showed."""
    _require_item(years.framework_of(db, year), item)
    ids = sorted(set(evidence_ids))
    allowed = set(citable(db, year, item)["id"])
    if any(isinstance(i, bool) or not isinstance(i, int) or i not in allowed for i in ids):
        raise InputError("error_dept_evidence", item=item)
    with transaction(db):
        actor, version = _claim(db, actor, year, None if before is not None else expected_version)
        if before is not None:
            stored = sorted(r[0] for r in db.execute("SELECT evidence_id FROM dept_citations WHERE year = ? AND "
                                                     "item = ?", [year, item]))
            _require_unchanged(db, year, item, sorted(set(before)), ids, stored, "dept_cite", ("item",), item)
        db.execute("DELETE FROM dept_citations WHERE year = ? AND item = ?", [year, item])
        db.executemany("INSERT INTO dept_citations (year, item, evidence_id) VALUES (?, ?, ?)",
                            [(year, item, i) for i in ids])
        audit.record(db, actor.username, "dept_cite", "dept_record", year, item=item, evidence=ids, version=version)
    return version


def approve(db: Store, actor: User, year: int, expected_version: int) -> int:
    """Lock the record as the department's assessment of the year."""
    with transaction(db):
        actor, version = _claim(db, actor, year, expected_version)
        db.execute("UPDATE dept_records SET status = 'approved', approved_at = ?, approved_by = ? WHERE year = ?",
                   [now(), actor.username, year])
        audit.record(db, actor.username, "dept_approve", "dept_record", year, version=version)
    return version


def reopen(db: Store, actor: User, year: int, expected_version: int, reason: str) -> int:
    """Open an approved record for changes again, with a reason."""
    reason = clean(reason).strip()
    if not reason or len(reason) > MAX_REASON:
        raise InputError("error_reason_required")
    with transaction(db):
        actor, version = _claim(db, actor, year, expected_version, status="approved")
        db.execute("UPDATE dept_records SET status = 'draft', approved_at = NULL, approved_by = NULL WHERE year = ?",
                   [year])
        audit.record(db, actor.username, "dept_reopen", "dept_record", year, reason=reason, version=version)
    return version


def score_inputs(db: Store, year: int) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The record as the scoring package's frames (``unit`` is "department"): answers (unit, checkpoint, met)
    and kpis (unit, kpi, value) of the cycle's fiscal year; None before the committee starts it."""
    if db.execute("SELECT 1 FROM dept_records WHERE year = ?", [year]).fetchone() is None:
        return None
    answers = pd.DataFrame([(UNIT, cp, bool(met)) for cp, met in db.execute(
        "SELECT checkpoint, met FROM dept_answers WHERE year = ?", [year])], columns=["unit", "checkpoint", "met"])
    answers = assessments.counted_answers(answers, years.framework_of(db, year))
    kpis = pd.DataFrame([(UNIT, kpi, value) for kpi, value in db.execute(
        "SELECT kpi, value FROM dept_kpis WHERE year = ? AND fiscal_year = ?", [year, year])],
        columns=["unit", "kpi", "value"])
    return answers, kpis


def unit_narratives(db: Store, year: int, item: str) -> pd.DataFrame:
    """The counted units' narratives for an item (what the department's may draw from): code, unit_id, level,
    text, in unit code and level order."""
    units = assessments.units_with_assessment(db, year, assessments.COUNTED)
    rows = db.execute(f"SELECT u.code, a.unit_id, n.level, n.text FROM assessments a JOIN narratives n ON "
                      f"n.assessment_id = a.id JOIN units u ON u.id = a.unit_id WHERE a.year = ? AND n.item = ? "
                      f"AND n.text != '' AND a.unit_id IN ({marks(units)}) ORDER BY u.code, "
                      f"CASE n.level WHEN 'basic' THEN 0 WHEN 'advance' THEN 1 ELSE 2 END",
                      [year, item, *units]).fetchall()
    return pd.DataFrame(rows, columns=["code", "unit_id", "level", "text"])


def kpi_results(db: Store, year: int) -> pd.DataFrame:
    """The record's KPI values of every fiscal year it holds: unit ("department"), kpi, fiscal_year, value."""
    rows = db.execute("SELECT kpi, fiscal_year, value FROM dept_kpis WHERE year = ? AND value IS NOT NULL "
                      "ORDER BY kpi, fiscal_year", [year]).fetchall()
    return pd.DataFrame([(UNIT, *r) for r in rows], columns=["unit", "kpi", "fiscal_year", "value"])


def profile(db: Store, actor: User, year: int) -> dict[str, dict]:
    """The year's organisation profile: part id -> {text, updated_at, updated_by}, for the parts answered."""
    _reader(db, actor)
    return {r["part"]: r for r in db.query("SELECT part, text, updated_at, updated_by FROM org_profiles "
                                           "WHERE year = ?", [year])}


def profile_version(db: Store, year: int) -> int:
    """How many times the year's profile has been saved: it rises with every save (the audit log is
    append-only), so an editor can tell whether someone else saved since it read the profile."""
    return db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'profile' AND entity = 'dept_record' AND "
                      "entity_id = ?", [str(year)]).fetchone()[0]


def save_profile(db: Store, actor: User, year: int, part: str, text: str, before: str) -> int:
    """The committee's answer to a part of the organisation profile; the profile's new version.
    ``before``: the text the editor showed; refused (``FieldConflict``) when someone changed the part since."""
    if part not in {p.id for p in years.framework_of(db, year).profile}:
        raise InputError("error_profile_part", part=part)
    text = clean(text).strip()
    if len(text) > MAX_NARRATIVE:
        raise InputError("error_text_length", limit=MAX_NARRATIVE)
    with transaction(db):
        actor = _writer(db, actor, year)
        row = db.execute("SELECT text, updated_by FROM org_profiles WHERE year = ? AND part = ?",
                         [year, part]).fetchone()
        stored = clean(row[0] or "") if row else ""
        if stored not in (clean(before).strip(), text):
            raise FieldConflict(part, row[1], stored)
        db.execute("INSERT INTO org_profiles (year, part, text, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (department_id, year, part) DO UPDATE SET text = excluded.text, "
                   "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                   [year, part, text, now(), actor.username])
        audit.record(db, actor.username, "profile", "dept_record", year, part=part, chars=len(text))
        return profile_version(db, year)
