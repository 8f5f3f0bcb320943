"""Following accepted improvement plans through the year: a 6-month and a 12-month progress report per plan.

A report gives, for each of the plan's actions, the percent done, what was done, the evidence and the problems
met; the 12-month report adds the results reached on the plan's targets (the value of each target KPI, whether
each target checkpoint is now met), a summary, and whether the plan's OFIs are resolved. The plan's writers
(its unit, or the committee) write the 6-month report only while the year's 6-month follow-up phase is open and
the 12-month report only in the 12-month results phase; the report is a draft, submitted, sent back with the
changes asked for, or accepted by the committee, who comments on it at any time in an open year. A report
submitted after its phase's end date, or not submitted when that date has passed, is late. Accepting a
12-month report that resolves the plan closes the plan and marks its open OFIs "done". Every change is
versioned and audited.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from i18n.format import local_day, thailand_today
from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation.accounts import User, acting
from storage.plans import improvement
from storage.text import clean

ROUNDS = {"6m": "followup_6m", "12m": "results_12m"}  # report -> the phase it is written in
STATUSES = ("none", "draft", "submitted", "changes_requested", "accepted")  # none: not started
EDITABLE = ("none", "draft", "changes_requested")
FOLLOWED = ("accepted", "closed")  # the plans that are followed up
ACTION_STATES = ("done", "overdue", "in_progress", "not_started")
MAX_TEXT = improvement.MAX_TEXT


def _round(value: str) -> str:
    if value not in ROUNDS:
        raise InputError("error_report_round")
    return value


def deadline(db: Store, year: int, round_: str) -> str | None:
    """The last day of the round's phase (ISO), when the PMQA owner has set one."""
    row = db.execute("SELECT ends_on FROM phases WHERE year = ? AND phase = ?", [year, ROUNDS[round_]]).fetchone()
    return row[0] if row and row[0] else None


def is_late(submitted_at: str | None, due: str | None, today: date) -> bool:
    """Submitted after the due day (in Thailand's calendar), or still not submitted once it has passed."""
    if not due:
        return False
    return (local_day(submitted_at) if submitted_at else today) > date.fromisoformat(due)


def _row(db: Store, plan_id: int, round_: str) -> dict | None:
    rows = list(db.query("SELECT * FROM plan_reports WHERE plan_id = ? AND round = ?", [plan_id, round_]))
    return rows[0] if rows else None


def _values(db: Store, report_id: int | None) -> tuple[dict, dict]:
    if report_id is None:
        return {}, {}
    actions = {r["action_id"]: r for r in db.query("SELECT * FROM report_actions WHERE report_id = ?", [report_id])}
    results = {(r["kind"], r["ref"]): r for r in db.query("SELECT * FROM report_results WHERE report_id = ?",
                                                          [report_id])}
    return actions, results


def get(db: Store, actor: User, plan_id: int, round_: str, today: date | None = None) -> dict:
    """The plan's report for the round (``status`` "none" and version 0 before anyone starts it), with a row per
    plan action and, at 12 months, per plan target; its committee comments; its due day and whether it is late.
    A 12-month report not yet started begins from the 6-month report's figures."""
    actor, round_ = acting(db, actor), _round(round_)
    plan = improvement.get(db, actor, plan_id)
    row = _row(db, plan_id, round_)
    source = row or (_row(db, plan_id, "6m") if round_ == "12m" else None)
    actions, results = _values(db, source["id"] if source else None)
    due = deadline(db, plan["year"], round_)
    report = row or {"id": None, "status": "none", "version": 0, "summary": "", "closes": 0, "submitted_at": None,
                     "updated_by": None, "updated_at": None}
    return {
        **report, "plan": plan, "round": round_, "due": due,
        "late": is_late(report["submitted_at"], due, today or thailand_today()),
        "actions": [a | {k: actions.get(a["id"], {}).get(k) for k in ("percent", "done", "evidence", "problems")}
                    for a in plan["actions"]],
        "results": [{"kind": kind, "ref": ref} | {k: results.get((kind, ref), {}).get(k) for k in
                                                   ("value", "met", "note")} for kind, ref in plan["targets"]]
        if round_ == "12m" else [],
        "comments": list(db.query("SELECT id, author, kind, text, created_at FROM plan_comments WHERE plan_id = ? "
                                  "AND round = ? ORDER BY id", [plan_id, round_])),
    }


def _text(value, key: str) -> str:
    text = clean(str(value or "")).strip()
    if len(text) > MAX_TEXT:
        raise InputError(key, limit=MAX_TEXT)
    return text


def _percent(value, number: int) -> int | None:
    """An action's percent done: a whole number 0-100, or None while not reported (a blank is not 0)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        percent = float(value)
    except (TypeError, ValueError):
        raise InputError("error_report_percent", n=number) from None
    if not percent.is_integer() or not 0 <= percent <= 100:
        raise InputError("error_report_percent", n=number)
    return int(percent)


def _checked_actions(plan: dict, actions) -> list[dict]:
    known = {a["id"]: n for n, a in enumerate(plan["actions"], start=1)}
    checked = {}
    for action in actions or ():
        action_id = action.get("id")
        if action_id not in known or action_id in checked:
            raise InputError("error_report_action")
        number = known[action_id]
        checked[action_id] = {"action_id": action_id, "percent": _percent(action.get("percent"), number),
                            "done": _text(action.get("done"), "error_plan_text"),
                            "evidence": _text(action.get("evidence"), "error_plan_text"),
                            "problems": _text(action.get("problems"), "error_plan_text")}
    return list(checked.values())


def _checked_results(plan: dict, round_: str, results) -> list[dict]:
    results = list(results or ())
    if results and round_ != "12m":
        raise InputError("error_report_results")
    checked = {}
    for result in results:
        target = (result.get("kind"), str(result.get("ref")))
        if target not in plan["targets"] or target in checked:
            raise InputError("error_plan_target", ref=target[1])
        value, met = result.get("value"), result.get("met")
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise InputError("error_report_value", ref=target[1]) from None
            if not math.isfinite(value) or target[0] != "kpi":
                raise InputError("error_report_value", ref=target[1])
        else:
            value = None
        if met is not None and target[0] != "checkpoint":
            raise InputError("error_report_value", ref=target[1])
        checked[target] = {"kind": target[0], "ref": target[1], "value": value,
                         "met": None if met is None else int(bool(met)), "note": _text(result.get("note"),
                                                                                      "error_plan_text")}
    return list(checked.values())


def _require_phase(db: Store, plan_id: int, year: int, round_: str) -> None:
    """Inside a transaction: the year and the round's phase are open and the plan is followed."""
    years.require_open_year(db, year)
    if years.phase_status(db, year, ROUNDS[round_]) != "open":
        raise NotEditable(f"error_report_phase_{round_}", year=year)
    status = db.execute("SELECT status FROM improvement_plans WHERE id = ?", [plan_id]).fetchone()[0]
    if status not in FOLLOWED:
        raise NotEditable("error_report_plan", status=status)


def _claim(db: Store, actor: User, plan_id: int, round_: str, expected_version: int,
           allowed: tuple[str, ...]) -> dict:
    """Inside a transaction: the report (made when it is not there yet), refused unless still at the version
    shown and in one of the ``allowed`` statuses; its version moves on."""
    row = _row(db, plan_id, round_)
    version, status = (row["version"], row["status"]) if row else (0, "none")
    if version != expected_version:
        raise VersionConflict(version, row["updated_by"] if row else None)
    if status not in allowed:
        raise NotEditable("error_report_not_editable", status=status)
    stamp = now()
    if row is None:
        report_id = db["plan_reports"].insert({
            "plan_id": plan_id, "round": round_, "status": "draft", "summary": "", "closes": 0, "version": 1,
            "created_by": actor.username, "created_at": stamp, "updated_by": actor.username, "updated_at": stamp,
            "submitted_at": None}).last_pk
        return _row(db, plan_id, round_) | {"id": report_id, "status": "none", "version": 0}
    db.execute("UPDATE plan_reports SET version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
               [actor.username, stamp, row["id"]])
    return row


def save(db: Store, actor: User, plan_id: int, round_: str, expected_version: int, *, actions=(),
         summary: str = "", results=(), closes: bool = False) -> int:
    """Store the report as written (made at the first save): ``actions`` are {id, percent, done, evidence,
    problems} for the plan's actions; at 12 months ``results`` {kind, ref, value (a target KPI's), met (a target
    checkpoint's), note} for the plan's targets and ``closes`` whether the plan's OFIs are resolved. Every part
    is checked first. Returns the new version."""
    actor, round_ = acting(db, actor), _round(round_)
    plan = improvement.get(db, actor, plan_id)
    improvement.may_write(actor, plan)
    clean_actions = _checked_actions(plan, actions)
    clean_results = _checked_results(plan, round_, results)
    summary = _text(summary, "error_plan_text")
    if closes and round_ != "12m":
        raise InputError("error_report_results")
    with transaction(db):
        _require_phase(db, plan_id, plan["year"], round_)
        report = _claim(db, actor, plan_id, round_, expected_version, EDITABLE)
        db.execute("UPDATE plan_reports SET summary = ?, closes = ? WHERE id = ?",
                   [summary, int(bool(closes)), report["id"]])
        for table in ("report_actions", "report_results"):
            db.execute(f"DELETE FROM {table} WHERE report_id = ?", [report["id"]])
        db["report_actions"].insert_all([a | {"report_id": report["id"]} for a in clean_actions])
        db["report_results"].insert_all([r | {"report_id": report["id"]} for r in clean_results])
        audit.record(db, actor.username, "save", "plan_report", report["id"], plan=plan_id, round=round_,
                     version=report["version"] + 1, percent={a["action_id"]: a["percent"] for a in clean_actions},
                     results=len(clean_results), closes=bool(closes))
    return report["version"] + 1


def _move(db: Store, actor: User, report: dict, to: str, action: str, **detail) -> None:
    db.execute("UPDATE plan_reports SET status = ? WHERE id = ?", [to, report["id"]])
    audit.record(db, actor.username, action, "plan_report", report["id"], plan=report["plan_id"],
                 round=report["round"], version=report["version"] + 1, was=report["status"], **detail)


def _require_complete(db: Store, plan: dict, report: dict) -> None:
    """Inside a transaction: refuse a report with anything left to fill (``InputError`` naming what): every action
    its percent done and what was done or the problems met; at 12 months every target KPI's value and a summary."""
    numbers = {a["id"]: n for n, a in enumerate(plan["actions"], start=1)}
    actions, results = _values(db, report["id"])
    unreported = [n for a, n in numbers.items() if actions.get(a, {}).get("percent") is None]
    if unreported:
        raise InputError("error_report_percent_missing", actions=", ".join(map(str, unreported)))
    untold = [n for a, n in numbers.items() if not (actions[a]["done"] or actions[a]["problems"])]
    if untold:
        raise InputError("error_report_text_missing", actions=", ".join(map(str, untold)))
    if report["round"] == "12m":
        values = [ref for kind, ref in plan["targets"] if kind == "kpi"
                  and results.get((kind, ref), {}).get("value") is None]
        if values:
            raise InputError("error_report_values_missing", refs=", ".join(values))
        if not (db.execute("SELECT summary FROM plan_reports WHERE id = ?", [report["id"]]).fetchone()[0] or ""):
            raise InputError("error_report_summary_missing")


def submit(db: Store, actor: User, plan_id: int, round_: str, expected_version: int) -> int:
    """Send the report to the committee once nothing is left to fill (``_require_complete``). The first
    submission's time is the one lateness is judged by."""
    actor, round_ = acting(db, actor), _round(round_)
    plan = improvement.get(db, actor, plan_id)
    improvement.may_write(actor, plan)
    with transaction(db):
        _require_phase(db, plan_id, plan["year"], round_)
        report = _claim(db, actor, plan_id, round_, expected_version, ("draft", "changes_requested"))
        _require_complete(db, plan, report)
        db.execute("UPDATE plan_reports SET submitted_at = COALESCE(submitted_at, ?) WHERE id = ?",
                   [now(), report["id"]])
        _move(db, actor, report, "submitted", "submit")
    return expected_version + 1


def _committee_report(db: Store, actor: User, plan_id: int, round_: str) -> tuple[User, dict]:
    actor, round_ = acting(db, actor), _round(round_)
    if actor.role != "committee":
        raise AccessDenied(role=actor.role)
    plan = improvement.get(db, actor, plan_id)
    if _row(db, plan_id, round_) is None:
        raise InputError("error_report_unknown")
    return actor, plan


def _comment_text(text) -> str:
    text = _text(text, "error_plan_comment")
    if not text:
        raise InputError("error_plan_comment", limit=MAX_TEXT)
    return text


def _add_comment(db: Store, actor: User, plan_id: int, round_: str, kind: str, text: str) -> int:
    return db["plan_comments"].insert({"plan_id": plan_id, "round": round_, "author": actor.username, "kind": kind,
                                       "text": text, "created_at": now()}).last_pk


def comment(db: Store, actor: User, plan_id: int, round_: str, text: str) -> int:
    """The committee's comment on a report (at any time in an open year)."""
    actor, plan = _committee_report(db, actor, plan_id, round_)
    text = _comment_text(text)
    with transaction(db):
        years.require_open_year(db, plan["year"])
        comment_id = _add_comment(db, actor, plan_id, round_, "comment", text)
        audit.record(db, actor.username, "comment", "plan_report", _row(db, plan_id, round_)["id"], plan=plan_id,
                     round=round_, comment=comment_id)
    return comment_id


def request_changes(db: Store, actor: User, plan_id: int, round_: str, expected_version: int, text: str) -> int:
    """Send a submitted report back, saying what to change."""
    actor, plan = _committee_report(db, actor, plan_id, round_)
    text = _comment_text(text)
    with transaction(db):
        years.require_open_year(db, plan["year"])
        report = _claim(db, actor, plan_id, round_, expected_version, ("submitted",))
        _move(db, actor, report, "changes_requested", "request_changes", reason=text)
        _add_comment(db, actor, plan_id, round_, "changes", text)
    return expected_version + 1


def accept(db: Store, actor: User, plan_id: int, round_: str, expected_version: int) -> int:
    """Accept a submitted report. A 12-month report that resolves the plan closes it, and its OFIs still open
    or in progress become "done" (each audited)."""
    actor, plan = _committee_report(db, actor, plan_id, round_)
    with transaction(db):
        years.require_open_year(db, plan["year"])
        report = _claim(db, actor, plan_id, round_, expected_version, ("submitted",))
        _move(db, actor, report, "accepted", "accept")
        if round_ == "12m" and report["closes"]:
            db.execute("UPDATE improvement_plans SET status = 'closed', version = version + 1, updated_by = ?, "
                       "updated_at = ? WHERE id = ?", [actor.username, now(), plan_id])
            audit.record(db, actor.username, "close", "plan", plan_id, version=plan["version"] + 1,
                         was=plan["status"], report=report["id"])
            improvement.move_ofis(db, actor, plan_id, ("open", "in_progress"), "done")
    return expected_version + 1


# -- reading across the year's plans ---------------------------------------------------------------------

def _followed(db: Store, actor: User, year: int) -> list[dict]:
    return [p for p in improvement.listing(db, actor, year) if p["status"] in FOLLOWED]


def rounds(db: Store, actor: User, year: int, today: date | None = None) -> dict[int, dict[str, dict]]:
    """For each followed plan the reader may see: per round, the report's status, due day and lateness."""
    actor, today = acting(db, actor), today or thailand_today()
    plans = _followed(db, actor, year)
    due = {r: deadline(db, year, r) for r in ROUNDS}
    found = {(r["plan_id"], r["round"]): r for r in db.query(
        "SELECT r.plan_id, r.round, r.status, r.submitted_at FROM plan_reports r JOIN improvement_plans p "
        "ON p.id = r.plan_id WHERE p.year = ?", [year])}
    table = {}
    for plan in plans:
        table[plan["id"]] = {}
        for r in ROUNDS:
            row = found.get((plan["id"], r), {"status": "none", "submitted_at": None})
            table[plan["id"]][r] = {"status": row["status"], "due": due[r],
                                    "late": is_late(row["submitted_at"], due[r], today)}
    return table


def action_state(percent: int | None, ends_on: str | None, today: date) -> str:
    if percent == 100:
        return "done"
    if ends_on and ends_on < today.isoformat():
        return "overdue"
    return "in_progress" if percent else "not_started"


def progress(db: Store, actor: User, year: int, today: date | None = None) -> pd.DataFrame:
    """One row per action of the year's followed plans the reader may see: the plan, its unit (None: the
    department), the categories of its OFIs, the action's end day, the percent done by the latest submitted
    report (12 months over 6 months) and its state: done, overdue (past its end day and not done), in progress
    or not started."""
    actor, today = acting(db, actor), today or thailand_today()
    plans = {p["id"]: p for p in _followed(db, actor, year)}
    columns = ["plan", "title", "unit", "categories", "action", "text", "ends_on", "percent", "state"]
    if not plans:
        return pd.DataFrame(columns=columns)
    among = marks(plans)
    categories: dict[int, set[int]] = {}
    for plan_id, item in db.execute(f"SELECT p.plan_id, o.item FROM plan_ofis p JOIN ofis o ON o.id = p.ofi_id "
                                    f"WHERE p.plan_id IN ({among})", list(plans)):
        categories.setdefault(plan_id, set()).add(int(item.split(".")[0]))
    latest = {}
    for action_id, percent in db.execute(
            f"SELECT a.action_id, a.percent FROM report_actions a JOIN plan_reports r ON r.id = a.report_id "
            f"WHERE r.plan_id IN ({among}) AND r.submitted_at IS NOT NULL ORDER BY r.round = '12m'", list(plans)):
        latest[action_id] = percent  # the 12-month figure, read last, wins
    rows = []
    for action in db.query(f"SELECT id, plan_id, text, ends_on FROM plan_actions WHERE plan_id IN ({among}) "
                           f"ORDER BY plan_id, position, id", list(plans)):
        plan, percent = plans[action["plan_id"]], latest.get(action["id"])
        rows.append({"plan": plan["id"], "title": plan["title"], "unit": plan["unit_id"],
                     "categories": tuple(sorted(categories.get(plan["id"], ()))), "action": action["id"],
                     "text": action["text"], "ends_on": action["ends_on"], "percent": percent,
                     "state": action_state(percent, action["ends_on"], today)})
    return pd.DataFrame(rows, columns=columns)


def carry_over(db: Store, actor: User, year: int) -> tuple[int, int]:
    """Of the OFIs the year's followed plans (that the reader may see) answer: how many are not yet done or
    dropped, and how many of those have been carried into the next year's register."""
    plans = [p["id"] for p in _followed(db, acting(db, actor), year)]
    if not plans:
        return 0, 0
    row = db.execute(
        f"SELECT COUNT(DISTINCT o.id), COUNT(DISTINCT c.carried_from) FROM ofis o JOIN plan_ofis p ON p.ofi_id = o.id "
        f"LEFT JOIN ofis c ON c.carried_from = o.id AND c.year = ? WHERE p.plan_id IN ({marks(plans)}) "
        f"AND o.status IN ('open', 'in_progress')", [year + 1, *plans]).fetchone()
    return row[0], row[1]
