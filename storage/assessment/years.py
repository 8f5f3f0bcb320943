"""Fiscal years (cycles, in B.E.) and their phases, the criteria and thresholds each year uses, and the
rules that keep work inside its phase.

A year runs in the department's phases, in order: self-assessment, committee review, improvement
planning, 6-month follow-up, 12-month results. Each has dates and a status the PMQA owner sets:
``pending`` (not yet opened), ``open`` or ``closed``; re-opening a closed phase or year needs a
reason. The dates are the deadlines people see; the status is what the store enforces:

- a unit creates or changes its assessment only while the year is open and its self-assessment phase
  is open, or, at any time in an open year, when the committee has returned the form to it;
- the committee reviews (ticks, notes, returns, approves) only in an open year.

A year uses the criteria file accepted for it (``storage.assessment.criteria``), else the year's own file on
disk, else the default; the thresholds saved for it, else those of its criteria file; and the scoring rules
saved for it (how a missing KPI value counts, which categories are assessed), else the file's; and the page
limits of the application's parts saved for it, each over the file's.

A year keeps the criteria file it was opened with: opening a year without a chosen file stores the file it
takes from disk (its own ``pmqa4-<year>.yaml``, else the shipped default) the way an accepted file is stored,
so a later version of the default changes no year already opened (``schema.m024`` did the same for the years
opened before). Only the admin's own choice changes a year's file (``storage.assessment.criteria``), with the changes
shown first. A year with no stored file (the demo's, and years made with ``org.add_cycle``) follows the files on disk.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from scoring import Framework, framework_for_year
from scoring.criteria import (
    ALL_CATEGORIES,
    BUDGET_PARTS,
    DEFAULT_FILE,
    FRAMEWORK_DIR,
    MISSING_KPI_RULES,
    CriteriaError,
    Thresholds,
    parse_framework,
)
from storage import audit
from storage.db import now, transaction
from storage.engine import Store
from storage.errors import AccessDenied, InputError, NotEditable
from storage.organisation.accounts import User, acting, require_admin
from storage.schema import PHASES
from storage.text import clean

MIN_YEAR, MAX_YEAR = 2500, 2700
MAX_REASON = 500


def suggested_phases(year: int) -> dict[str, tuple[date, date]]:
    """A calendar to start from: self-assessment October-December, review January-February, planning
    March, 6-month follow-up in April, 12-month results in September of the fiscal year."""
    first = year - 544
    return {
        "self_assessment": (date(first, 10, 1), date(first, 12, 31)),
        "review": (date(first + 1, 1, 1), date(first + 1, 2, 28)),
        "planning": (date(first + 1, 3, 1), date(first + 1, 3, 31)),
        "followup_6m": (date(first + 1, 4, 1), date(first + 1, 4, 30)),
        "results_12m": (date(first + 1, 9, 1), date(first + 1, 9, 30)),
    }


def _iso(value: date | str | None, phase: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
    except ValueError:
        raise InputError("error_phase_date", phase=phase, value=value) from None


def _checked_dates(phases: dict[str, tuple]) -> dict[str, tuple[str | None, str | None]]:
    unknown = set(phases) - set(PHASES)
    if unknown:
        raise InputError("error_input")
    checked = {}
    for phase, (starts, ends) in phases.items():
        starts, ends = _iso(starts, phase), _iso(ends, phase)
        if starts and ends and starts > ends:
            raise InputError("error_phase_order", phase=phase)
        checked[phase] = (starts, ends)
    return checked


def _reason(reason: str) -> str:
    reason = clean(reason or "").strip()
    if not reason:
        raise InputError("error_reason_required")
    if len(reason) > MAX_REASON:
        raise InputError("error_text_length", limit=MAX_REASON)
    return reason


# -- reading --------------------------------------------------------------------------------------

def cycle(db: Store, year: int) -> dict | None:
    rows = list(db.query("SELECT year, status, opened_at, closed_at, criteria_sha, thresholds, rules, page_limits "
                         "FROM cycles WHERE year = ?", [year]))
    return rows[0] if rows else None


def phases(db: Store, year: int) -> list[dict]:
    """The year's phases in order, each with its dates and status."""
    return list(db.query("SELECT phase, position, starts_on, ends_on, status FROM phases WHERE year = ? "
                         "ORDER BY position", [year]))


def current_phase(db: Store, year: int) -> dict | None:
    """The first open phase of an open year (with its dates), else None."""
    rows = list(db.query(
        "SELECT p.phase, p.starts_on, p.ends_on FROM phases p JOIN cycles c ON c.year = p.year "
        "WHERE p.year = ? AND p.status = 'open' AND c.status = 'open' ORDER BY p.position LIMIT 1", [year]))
    return rows[0] if rows else None


def phase_status(db: Store, year: int, phase: str) -> str | None:
    row = db.execute("SELECT status FROM phases WHERE year = ? AND phase = ?", [year, phase]).fetchone()
    return row[0] if row else None


# -- the rules the other store modules call --------------------------------------------------------

def year_refusal(db: Store, year: int) -> str | None:
    """Why nothing in the year may change (a catalogue key taking ``year``), or None when it is open."""
    row = db.execute("SELECT status FROM cycles WHERE year = ?", [year]).fetchone()
    if row is None:
        return "error_no_cycle"
    return None if row[0] == "open" else "error_year_closed"


def unit_refusal(db: Store, year: int, status: str | None = None) -> str | None:
    """Why a unit may not create or change its assessment (in ``status``; None: not created yet), or None:
    the year is open and its self-assessment phase is open, or the committee returned the form for the
    unit to correct."""
    refusal = year_refusal(db, year)
    if refusal or status == "returned":
        return refusal
    return None if phase_status(db, year, "self_assessment") == "open" else "error_phase_closed"


def _refuse(refusal: str | None, year: int) -> None:
    if refusal == "error_no_cycle":
        raise InputError(refusal, year=year)
    if refusal:
        raise NotEditable(refusal, year=year)


def require_open_year(db: Store, year: int) -> None:
    """Refuse any change to a year that is closed (or does not exist)."""
    _refuse(year_refusal(db, year), year)


def writer_in_open_year(db: Store, actor: User, roles: tuple[str, ...], year: int) -> User:
    """The acting user, refused (``AccessDenied``) unless of one of ``roles``, and the year refused unless open."""
    actor = acting(db, actor)
    if actor.role not in roles:
        raise AccessDenied(role=actor.role)
    require_open_year(db, year)
    return actor


def require_unit_phase(db: Store, year: int, status: str | None = None) -> None:
    """Refuse a unit's change outside the rules of ``unit_refusal``."""
    _refuse(unit_refusal(db, year, status), year)


# -- changing --------------------------------------------------------------------------------------

def open_year(db: Store, actor: User, year: int, dates: dict[str, tuple] | None = None,
              criteria_sha: str | None = None) -> None:
    """A new fiscal year with its phases (dates from ``dates``, else the suggested calendar), its
    self-assessment phase open, and its criteria: an accepted file's checksum, else the file it takes from disk
    today (``disk_file``), stored so that the year keeps it."""
    require_admin(db, actor)
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError("error_year_range", low=MIN_YEAR, high=MAX_YEAR)
    chosen = {phase: suggested_phases(year)[phase] for phase in PHASES} | (dates or {})
    checked = _checked_dates(chosen)
    with transaction(db):
        if db.execute("SELECT 1 FROM cycles WHERE year = ?", [year]).fetchone():
            raise InputError("error_year_exists", year=year)
        if criteria_sha and not db.execute("SELECT 1 FROM criteria_files WHERE sha256 = ?",
                                           [criteria_sha]).fetchone():
            raise InputError("error_input")
        if not criteria_sha:
            criteria_sha = store_file(db, disk_file(year), actor.username)
        db["cycles"].insert({"year": year, "status": "open", "opened_at": now(), "criteria_sha": criteria_sha})
        insert_phases(db, year, {PHASES[0]: "open"}, checked)
        audit.record(db, actor.username, "open", "cycle", year, criteria=criteria_sha,
                     phases={p: list(d) for p, d in checked.items()})


def insert_phases(db: Store, year: int, states: dict[str, str],
                  dates: dict[str, tuple[str | None, str | None]] | None = None) -> None:
    """Inside a transaction: the year's phase rows, each in ``states`` (else pending), with ``dates``
    (else the suggested calendar)."""
    dates = dates or {p: tuple(d.isoformat() for d in pair) for p, pair in suggested_phases(year).items()}
    db["phases"].insert_all([
        {"year": year, "phase": phase, "position": position, "starts_on": dates[phase][0],
         "ends_on": dates[phase][1], "status": states.get(phase, "pending"), "changed_at": now()}
        for position, phase in enumerate(PHASES)])


def set_dates(db: Store, actor: User, year: int, dates: dict[str, tuple]) -> None:
    """Change phases' dates."""
    require_admin(db, actor)
    checked = _checked_dates(dates)
    with transaction(db):
        require_open_year(db, year)
        for phase, (starts, ends) in checked.items():
            db.execute("UPDATE phases SET starts_on = ?, ends_on = ?, changed_at = ? WHERE year = ? AND phase = ?",
                       [starts, ends, now(), year, phase])
        audit.record(db, actor.username, "set_dates", "cycle", year, phases={p: list(d) for p, d in checked.items()})


def set_phase(db: Store, actor: User, year: int, phase: str, status: str, reason: str = "") -> None:
    """Open or close a phase of an open year; opening one that was closed needs a reason."""
    require_admin(db, actor)
    if phase not in PHASES or status not in ("open", "closed"):
        raise InputError("error_input")
    with transaction(db):
        require_open_year(db, year)
        before = phase_status(db, year, phase)
        if before == status:
            return
        if before == "closed":
            reason = _reason(reason)
        db.execute("UPDATE phases SET status = ?, changed_at = ? WHERE year = ? AND phase = ?",
                   [status, now(), year, phase])
        audit.record(db, actor.username, f"{'open' if status == 'open' else 'close'}_phase", "cycle", year,
                     phase=phase, was=before, reason=clean(reason or "").strip() or None)


def close_year(db: Store, actor: User, year: int) -> None:
    """Close the year: every phase closes; nothing in it can change until it is re-opened."""
    require_admin(db, actor)
    with transaction(db):
        require_open_year(db, year)
        db.execute("UPDATE cycles SET status = 'closed', closed_at = ? WHERE year = ?", [now(), year])
        db.execute("UPDATE phases SET status = 'closed', changed_at = ? WHERE year = ? AND status != 'closed'",
                   [now(), year])
        audit.record(db, actor.username, "close", "cycle", year)


def reopen_year(db: Store, actor: User, year: int, reason: str) -> None:
    """Re-open a closed year (with a reason); its phases stay closed until the owner opens the one needed."""
    require_admin(db, actor)
    reason = _reason(reason)
    with transaction(db):
        row = db.execute("SELECT status FROM cycles WHERE year = ?", [year]).fetchone()
        if row is None:
            raise InputError("error_no_cycle", year=year)
        if row[0] == "open":
            return
        db.execute("UPDATE cycles SET status = 'open', closed_at = NULL WHERE year = ?", [year])
        audit.record(db, actor.username, "reopen", "cycle", year, reason=reason)


def set_thresholds(db: Store, actor: User, year: int, values: dict) -> Thresholds:
    """Save the year's thresholds and award rules (levels rising, every value within 0-500)."""
    require_admin(db, actor)
    thresholds = check_thresholds(values)
    text = thresholds.model_dump_json()
    with transaction(db):
        require_open_year(db, year)
        before = db.execute("SELECT thresholds FROM cycles WHERE year = ?", [year]).fetchone()[0]
        db.execute("UPDATE cycles SET thresholds = ? WHERE year = ?", [text, year])
        audit.record(db, actor.username, "set_thresholds", "cycle", year,
                     before=json.loads(before) if before else None, after=json.loads(text))
    return thresholds


def check_thresholds(values: dict) -> Thresholds:
    """Thresholds from plain values, each problem named: levels must rise, every value within 0-500,
    the ladder ascending."""
    try:
        levels, awards = values["levels"], values["awards"]
        basic, advance, significance = (float(levels[level]) for level in ("basic", "advance", "significance"))
        ladder = [float(v) for v in values["ladder"]]
        tiers = awards.get("tiers", [awards])
        award_values = [tier[k] for tier in tiers for k in ("total", "category_min", "pmqa_total",
                                                           "pmqa_category_min") if k in tier]
        numbers = [float(v) for v in (*levels.values(), *award_values, awards["category"])] + ladder
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError("error_thresholds_values") from None
    if not ladder:
        raise InputError("error_thresholds_ladder")
    if any(not 0 <= v <= 500 for v in numbers):
        raise InputError("error_thresholds_range")
    if not 0 < basic < advance <= significance:
        raise InputError("error_thresholds_levels")
    if ladder != sorted(ladder):
        raise InputError("error_thresholds_ladder")
    try:
        return Thresholds.model_validate(values)
    except ValidationError:
        raise InputError("error_thresholds_values") from None


# Rules a year may change from its criteria file's (``scoring.criteria.Rules``)
YEAR_RULES = ("missing_kpis", "categories")


def set_rules(db: Store, actor: User, year: int, missing_kpis: str, categories: list[int]) -> None:
    """Choose how the year counts a missing KPI value and which categories it assesses (at least one).
    Audited with the rules before and after; the year's scores follow at once."""
    require_admin(db, actor)
    if missing_kpis not in MISSING_KPI_RULES:
        raise InputError("error_input")
    try:
        chosen = sorted({int(c) for c in categories})
    except (TypeError, ValueError):
        raise InputError("error_input") from None
    if not chosen:
        raise InputError("error_rules_no_category")
    if set(chosen) - set(ALL_CATEGORIES):
        raise InputError("error_input")
    rules = {"missing_kpis": missing_kpis, "categories": chosen}
    with transaction(db):
        require_open_year(db, year)
        before = {name: value for name, value in framework_of(db, year).rules.model_dump().items()
                  if name in YEAR_RULES}
        db.execute("UPDATE cycles SET rules = ? WHERE year = ?", [json.dumps(rules), year])
        audit.record(db, actor.username, "set_rules", "cycle", year, before=before, after=rules)


MIN_PAGES, MAX_PAGES = 1, 500


def set_page_limits(db: Store, actor: User, year: int, limits: dict[str, int | None]) -> dict[str, int | None]:
    """Save the most pages each part of the year's application may take (parts of ``BUDGET_PARTS``: each a
    whole number 1-500, or None for no limit), over the criteria file's limits: a part not named keeps the
    file's, and no parts at all go back to the file's. Audited with the limits before and after; gives the
    limits the year now uses (part -> pages or None, every part)."""
    require_admin(db, actor)
    checked = check_page_limits(limits)
    with transaction(db):
        require_open_year(db, year)
        before = page_limits_of(framework_of(db, year))
        db.execute("UPDATE cycles SET page_limits = ? WHERE year = ?",
                   [json.dumps(checked, sort_keys=True) if checked else None, year])
        after = page_limits_of(framework_of(db, year))
        audit.record(db, actor.username, "set_page_limits", "cycle", year, before=before, after=after)
    return after


def check_page_limits(limits: dict) -> dict[str, int | None]:
    """Page limits from plain values (part -> whole pages 1-500, or None), each problem named."""
    if not isinstance(limits, dict):
        raise InputError("error_input")
    checked = {}
    for part, pages in limits.items():
        part = str(part)
        if part not in BUDGET_PARTS:
            raise InputError("error_page_limit_part", part=part)
        if pages is not None and (isinstance(pages, bool) or not isinstance(pages, int)
                                  or not MIN_PAGES <= pages <= MAX_PAGES):
            raise InputError("error_page_limit_range", part=part, low=MIN_PAGES, high=MAX_PAGES)
        checked[part] = pages
    return checked


def page_limits_of(framework: Framework) -> dict[str, int | None]:
    """Every part's page limit in the criteria (None: no limit), in ``BUDGET_PARTS`` order."""
    return {part: framework.application.page_limit(part) for part in BUDGET_PARTS}


# -- the year's criteria ---------------------------------------------------------------------------

def disk_file(year: int) -> Path:
    """The criteria file on disk a year takes (``scoring.framework_for_year``'s choice): its own
    ``pmqa4-<year>.yaml`` if there is one, else the shipped default."""
    own = FRAMEWORK_DIR / f"pmqa4-{year}.yaml"
    return own if own.is_file() else FRAMEWORK_DIR / DEFAULT_FILE


def stored_name(path: Path, framework: Framework) -> str:
    """The name a file from disk is stored under: the shipped default by its version (its id, e.g.
    ``pmqa4-default-v2.yaml``, since every version of it has the same file name), any other by its file name."""
    return f"{framework.id}.yaml" if path.name == DEFAULT_FILE else path.name


def store_file(db: Store, path: Path, username: str) -> str:
    """Inside a write transaction: the criteria file at ``path``, checked, stored as an accepted file is (once, under
    the checksum of its text); gives the checksum. A file that does not load is refused (``InputError``) and nothing
    is stored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        framework = parse_framework(text, source=path.name)
    except (OSError, CriteriaError) as exc:
        raise InputError("error_criteria_file", name=path.name, message=str(exc)) from None
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    db.execute("INSERT INTO criteria_files (sha256, name, framework_id, text, accepted_at, accepted_by) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
               [sha, stored_name(path, framework), framework.id, text, now(), username])
    return sha


def framework_of(db: Store, year: int) -> Framework:
    """The criteria the year uses, with the thresholds, rules and page limits saved for it (one read of the year:
    pages ask for it several times a run)."""
    row = db.execute("SELECT criteria_sha, thresholds, rules, page_limits FROM cycles WHERE year = ?",
                     [year]).fetchone()
    sha, *saved = row if row else (None, None, None, None)
    return _as_saved(_file(db, year, sha), *saved)


def file_framework(db: Store, year: int) -> Framework:
    """The criteria file the year uses (an accepted file, else the year's own or the default) as it is, without
    what was saved for the year."""
    row = db.execute("SELECT criteria_sha FROM cycles WHERE year = ?", [year]).fetchone()
    return _file(db, year, row[0] if row else None)


def _file(db: Store, year: int, sha: str | None) -> Framework:
    return accepted_framework(db, sha) if sha else framework_for_year(year)


def as_used(db: Store, year: int, framework: Framework) -> Framework:
    """``framework`` as the year would use it: with the thresholds, rules and page limits saved for the year, if
    any."""
    row = db.execute("SELECT thresholds, rules, page_limits FROM cycles WHERE year = ?", [year]).fetchone()
    return _as_saved(framework, *(row if row else (None, None, None)))


def _as_saved(framework: Framework, thresholds: str | None, rules: str | None, page_limits: str | None) -> Framework:
    framework = _with_thresholds(framework, thresholds) if thresholds else framework
    framework = framework.with_rules(**json.loads(rules)) if rules else framework
    return _with_page_limits(framework, page_limits) if page_limits else framework


_accepted: dict[str, Framework] = {}


def accepted_framework(db: Store, sha: str) -> Framework:
    """An accepted criteria file, parsed once per process (its checksum names its content)."""
    if sha not in _accepted:
        text = db.execute("SELECT text FROM criteria_files WHERE sha256 = ?", [sha]).fetchone()[0]
        _accepted[sha] = parse_framework(text, source=sha[:12])
    return _accepted[sha]


@lru_cache(maxsize=64)
def _with_thresholds(base: Framework, thresholds: str) -> Framework:
    return Framework.model_validate(base.model_dump() | {"thresholds": json.loads(thresholds)})


@lru_cache(maxsize=64)
def _with_page_limits(base: Framework, limits: str) -> Framework:
    """``base`` with the year's page limits (part -> pages, or None for none) over its file's."""
    merged = dict(base.application.page_limits) | json.loads(limits)
    kept = tuple((part, merged[part]) for part in BUDGET_PARTS if merged.get(part) is not None)
    return base.model_copy(update={"application": base.application.model_copy(update={"page_limits": kept})})
