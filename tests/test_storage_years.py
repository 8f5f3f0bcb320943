"""Fiscal years and their phases: opening a year, the phase rules every write obeys, closing and
re-opening, thresholds, the criteria a year uses, and many processes opening a store at once."""

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import processes
import pytest
import yaml
from argon2 import PasswordHasher

from i18n import YAML_LOADER
from scoring import default_framework
from scoring.criteria import Thresholds
from storage import connect
from storage import migrations as upgrades
from storage.assessment import answers, assessments, criteria, reviews, years
from storage.db import open_database, transaction
from storage.errors import AccessDenied, InputError, NotEditable
from storage.files import evidence
from storage.migrations import Migrations
from storage.organisation import accounts, org
from storage.schema import PHASES, migrations

PASSWORD = "correct horse"
YEAR = 2570
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "frameworks" / "pmqa4-default.yaml"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheap argon2 settings: these tests are about the rules, not the hashes' strength."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def people(db):
    """Last year closed, this year open (self-assessment and review phases open), a unit with its assessor,
    the committee and the PMQA owner."""
    org.add_cycle(db, YEAR - 1, status="closed")
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    return {"unit_id": unit_id, "unit": accounts.create_user(db, "unit1", PASSWORD, "unit", unit_id=unit_id),
            "committee": accounts.create_user(db, "board", PASSWORD, "committee"),
            "admin": accounts.create_user(db, "owner", PASSWORD, "admin")}


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def audited(db, action: str) -> list[dict]:
    return [{"by": r[0], "id": r[1], "detail": json.loads(r[2]) if r[2] else None} for r in db.execute(
        "SELECT username, entity_id, detail FROM audit_log WHERE action = ? ORDER BY id", [action])]


def states(db, year: int) -> dict[str, str]:
    return {p["phase"]: p["status"] for p in years.phases(db, year)}


# -- opening a year -----------------------------------------------------------------------------------

def test_open_year_opens_the_self_assessment_phase_with_the_suggested_calendar(db, people):
    years.open_year(db, people["admin"], 2571)
    assert years.cycle(db, 2571)["status"] == "open"
    rows = years.phases(db, 2571)
    assert [p["phase"] for p in rows] == list(PHASES)
    assert [p["status"] for p in rows] == ["open", "pending", "pending", "pending", "pending"]
    suggested = {phase: (starts.isoformat(), ends.isoformat())
                 for phase, (starts, ends) in years.suggested_phases(2571).items()}
    assert {p["phase"]: (p["starts_on"], p["ends_on"]) for p in rows} == suggested
    assert suggested["self_assessment"] == ("2027-10-01", "2027-12-31")  # fiscal 2571 runs Oct 2027 - Sep 2028
    assert years.current_phase(db, 2571) == {"phase": "self_assessment", "starts_on": "2027-10-01",
                                             "ends_on": "2027-12-31"}
    [entry] = audited(db, "open")
    assert entry["by"] == "owner" and entry["id"] == "2571"
    assert entry["detail"]["phases"]["review"] == list(suggested["review"])


def test_open_year_takes_given_dates_for_some_phases(db, people):
    years.open_year(db, people["admin"], 2571, {"review": (date(2028, 1, 15), "2028-02-15"),
                                                "planning": ("", None)})
    rows = {p["phase"]: (p["starts_on"], p["ends_on"]) for p in years.phases(db, 2571)}
    assert rows["review"] == ("2028-01-15", "2028-02-15")
    assert rows["planning"] == (None, None)
    assert rows["self_assessment"] == ("2027-10-01", "2027-12-31")


def _stale_admin(db, people, change) -> accounts.User:
    """A second admin, signed in (its User object kept), then demoted or disabled by the first."""
    stale = accounts.create_user(db, "owner2", PASSWORD, "admin")
    change(db, people["admin"], stale.id)
    return stale


OPEN_REFUSALS = {
    "year exists": (lambda db, p: {"actor": p["admin"], "year": YEAR}, InputError, "error_year_exists"),
    "before 2500": (lambda db, p: {"actor": p["admin"], "year": 2499}, InputError, "error_year_range"),
    "after 2700": (lambda db, p: {"actor": p["admin"], "year": 2701}, InputError, "error_year_range"),
    "year as text": (lambda db, p: {"actor": p["admin"], "year": "2571"}, InputError, "error_year_range"),
    "no such date": (lambda db, p: {"actor": p["admin"], "year": 2571, "dates": {"review": ("2028-02-30", None)}},
                     InputError, "error_phase_date"),
    "not a date": (lambda db, p: {"actor": p["admin"], "year": 2571, "dates": {"planning": ("soon", "later")}},
                   InputError, "error_phase_date"),
    "starts after it ends": (lambda db, p: {"actor": p["admin"], "year": 2571,
                                            "dates": {"planning": ("2028-03-31", "2028-03-01")}},
                             InputError, "error_phase_order"),
    "unknown phase": (lambda db, p: {"actor": p["admin"], "year": 2571, "dates": {"holiday": (None, None)}},
                      InputError, "error_input"),
    "unknown criteria": (lambda db, p: {"actor": p["admin"], "year": 2571, "criteria_sha": "0" * 64},
                         InputError, "error_input"),
    "committee member": (lambda db, p: {"actor": p["committee"], "year": 2571}, AccessDenied, "error_access"),
    "unit assessor": (lambda db, p: {"actor": p["unit"], "year": 2571}, AccessDenied, "error_access"),
    "admin since demoted": (lambda db, p: {"actor": _stale_admin(db, p, lambda db, a, uid: accounts.update_user(
        db, a, uid, "committee", None, "owner2")), "year": 2571}, AccessDenied, "error_access"),
    "admin since disabled": (lambda db, p: {"actor": _stale_admin(db, p, lambda db, a, uid: accounts.set_active(
        db, a, uid, False)), "year": 2571}, AccessDenied, "error_access"),
}


@pytest.mark.parametrize(("arrange", "error", "key"), OPEN_REFUSALS.values(), ids=OPEN_REFUSALS.keys())
def test_open_year_refusals_change_nothing(db, people, arrange, error, key):
    kwargs = arrange(db, people)
    before = [count(db, t) for t in ("cycles", "phases", "audit_log")]
    with pytest.raises(error) as refused:
        years.open_year(db, **kwargs)
    assert refused.value.key == key
    assert [count(db, t) for t in ("cycles", "phases", "audit_log")] == before


# -- the phase rules, as a table ----------------------------------------------------------------------

OK = None
YC, PC, NE = "error_year_closed", "error_phase_closed", "error_not_editable"
# year, self-assessment phase, assessment status -> the unit's edits (ticks, narrative, evidence, submit),
# the committee's review (ticks, return, approve), the committee's note.
RULES = [
    ("open", "open", "draft", OK, NE, NE),
    ("open", "open", "returned", OK, NE, OK),
    ("open", "open", "submitted", NE, OK, OK),
    ("open", "open", "approved", NE, NE, OK),
    ("open", "pending", "draft", PC, NE, NE),
    ("open", "pending", "returned", OK, NE, OK),
    ("open", "pending", "submitted", NE, OK, OK),
    ("open", "pending", "approved", NE, NE, OK),
    ("open", "closed", "draft", PC, NE, NE),
    ("open", "closed", "returned", OK, NE, OK),
    ("open", "closed", "submitted", NE, OK, OK),
    ("open", "closed", "approved", NE, NE, OK),
    *[("closed", phase, status, unit, review, note) for phase in ("open", "pending", "closed")
      for status, unit, review, note in [("draft", YC, NE, NE), ("returned", YC, NE, YC),
                                         ("submitted", NE, YC, YC), ("approved", NE, NE, YC)]],
]

UNIT_ACTIONS = {
    "ticks": lambda db, who, a: answers.save_checkpoints(db, who["unit"], a["id"], a["version"], {"1.1.B2": True}),
    "narrative": lambda db, who, a: answers.save_narrative(db, who["unit"], a["id"], a["version"], "1.1", "basic",
                                                           "ทบทวนวิสัยทัศน์ทุกปี"),
    "evidence": lambda db, who, a: evidence.add_link(db, who["unit"], a["id"], "1.1", "basic",
                                                     "https://example.org/plan.pdf"),
    "submit": lambda db, who, a: assessments.change_status(db, who["unit"], a["id"], a["version"], "submit"),
}
REVIEW_ACTIONS = {
    "review ticks": lambda db, who, a: answers.save_checkpoints(db, who["committee"], a["id"], a["version"],
                                                                {"1.1.B1": False}, source="review"),
    "return": lambda db, who, a: assessments.change_status(db, who["committee"], a["id"], a["version"], "return",
                                                           reason="แนบหลักฐานเพิ่ม"),
    "approve": lambda db, who, a: assessments.change_status(db, who["committee"], a["id"], a["version"], "approve"),
}
NOTE = lambda db, who, a: reviews.add_note(db, who["committee"], a["id"], "1.1", "comment", "ชัดเจนดี")  # noqa: E731

CASES = [pytest.param(year, phase, status, action, expected, id=f"year {year}-phase {phase}-{status}-{name}")
         for year, phase, status, unit, review, note in RULES
         for name, action, expected in [*[(n, f, unit) for n, f in UNIT_ACTIONS.items()],
                                        *[(n, f, review) for n, f in REVIEW_ACTIONS.items()], ("note", NOTE, note)]]


@pytest.fixture(scope="module")
def rules_template(tmp_path_factory):
    """A store with one open year, a unit whose assessment answers every item (so it can be submitted)
    and a second unit with none yet; each test edits a copy."""
    path = tmp_path_factory.mktemp("rules") / "template.db"
    db = connect(path)
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    new_unit = org.add_unit(db, "U2", "หน่วยใหม่", "New unit")
    unit = accounts.create_user(db, "unit1", PASSWORD, "unit", unit_id=unit_id)
    accounts.create_user(db, "unit2", PASSWORD, "unit", unit_id=new_unit)
    accounts.create_user(db, "board", PASSWORD, "committee")
    a = assessments.ensure(db, unit, unit_id, YEAR)
    framework = default_framework()
    version = answers.save_checkpoints(db, unit, a["id"], 0, {item.checkpoints.basic[0].id: True
                                                              for item in framework.items() if not item.is_results})
    answers.save_kpi_values(db, unit, a["id"], version, {(kpi.id, YEAR): 90.0 for _, kpi in framework.kpis()})
    db.close()
    return path


@pytest.fixture
def rules_store(rules_template, tmp_path):
    path = tmp_path / "store.db"
    shutil.copy(rules_template, path)
    db = connect(path)
    yield db
    db.close()


def put(db, year_status: str, phase_status: str, status: str | None = None) -> None:
    """Set the year's, its self-assessment phase's and the assessment's status directly."""
    with transaction(db):
        if status:
            db.execute("UPDATE assessments SET status = ?", [status])
        db.execute("UPDATE phases SET status = ? WHERE phase = 'self_assessment'", [phase_status])
        db.execute("UPDATE cycles SET status = ?", [year_status])


def who(db) -> dict[str, accounts.User]:
    """The template's people as signed in: the first unit's assessor, the second's, the committee."""
    return {role: accounts.get_user(db, accounts.user_id_of(db, name))
            for role, name in (("unit", "unit1"), ("unit2", "unit2"), ("committee", "board"))}


def snapshot(db) -> dict:
    tables = ("assessments", "checkpoint_answers", "kpi_results", "narratives", "evidence", "item_comments")
    return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables} | {
        "audit": count(db, "audit_log")}


@pytest.mark.parametrize(("year_status", "phase_status", "status", "action", "expected"), CASES)
def test_phase_rules(rules_store, year_status, phase_status, status, action, expected):
    put(rules_store, year_status, phase_status, status)
    a = assessments.get(rules_store, 1, YEAR)
    before = snapshot(rules_store)
    if expected is OK:
        action(rules_store, who(rules_store), a)
        after = snapshot(rules_store)
        assert after["audit"] == before["audit"] + 1 and after != before
    else:
        with pytest.raises(NotEditable) as refused:
            action(rules_store, who(rules_store), a)
        assert refused.value.key == expected
        assert snapshot(rules_store) == before


@pytest.mark.parametrize(("year_status", "phase_status", "expected"), [
    ("open", "open", OK), ("open", "pending", PC), ("open", "closed", PC),
    ("closed", "open", YC), ("closed", "pending", YC), ("closed", "closed", YC)])
def test_a_unit_creates_its_assessment_only_in_an_open_self_assessment_phase(rules_store, year_status,
                                                                             phase_status, expected):
    put(rules_store, year_status, phase_status)
    unit2 = who(rules_store)["unit2"]
    before = snapshot(rules_store)
    if expected is OK:
        assert assessments.ensure(rules_store, unit2, unit2.unit_id, YEAR)["status"] == "draft"
        assert snapshot(rules_store)["audit"] == before["audit"] + 1
    else:
        with pytest.raises(NotEditable) as refused:
            assessments.ensure(rules_store, unit2, unit2.unit_id, YEAR)
        assert refused.value.key == expected
        assert snapshot(rules_store) == before
    unit1 = who(rules_store)["unit"]  # an existing assessment is still read in any phase
    assert assessments.ensure(rules_store, unit1, unit1.unit_id, YEAR)["id"] == 1


def test_the_committee_reviews_in_an_open_year_whatever_its_phases_say(rules_store):
    put(rules_store, "open", "closed", "submitted")
    rules_store.execute("UPDATE phases SET status = 'closed'")
    a = assessments.get(rules_store, 1, YEAR)
    assert REVIEW_ACTIONS["review ticks"](rules_store, who(rules_store), a) == a["version"] + 1


def test_a_unit_cannot_edit_a_closed_year(demo_db, demo_user):
    """Regression: a unit could still change its form after the year was closed."""
    unit, admin = demo_user("unit"), demo_user("admin")
    a = assessments.get(demo_db, unit.unit_id, YEAR)
    assert a["status"] == "draft"
    answers.save_checkpoints(demo_db, unit, a["id"], a["version"], {"1.1.B1": True})  # open: saved
    years.close_year(demo_db, admin, YEAR)
    a = assessments.get(demo_db, unit.unit_id, YEAR)
    before = snapshot(demo_db)
    for edit in UNIT_ACTIONS.values():
        with pytest.raises(NotEditable, match=YC):
            edit(demo_db, {"unit": unit}, a)
    assert snapshot(demo_db) == before


# -- phases, closing and re-opening ---------------------------------------------------------------------

def test_reopening_a_closed_phase_needs_a_reason_and_is_audited(db, people):
    admin = people["admin"]
    years.open_year(db, admin, 2571)
    years.set_phase(db, admin, 2571, "self_assessment", "closed")  # closing needs no reason
    for reason in ("", "   "):
        with pytest.raises(InputError, match="error_reason_required"):
            years.set_phase(db, admin, 2571, "self_assessment", "open", reason)
    with pytest.raises(InputError, match="error_text_length"):
        years.set_phase(db, admin, 2571, "self_assessment", "open", "x" * 501)
    assert states(db, 2571)["self_assessment"] == "closed"
    years.set_phase(db, admin, 2571, "self_assessment", "open", "  หน่วยงานขอขยายเวลา ")
    years.set_phase(db, admin, 2571, "review", "open")  # a pending phase opens without a reason
    assert [e["detail"] for e in audited(db, "close_phase")] == [
        {"phase": "self_assessment", "was": "open", "reason": None}]
    assert [e["detail"] for e in audited(db, "open_phase")] == [
        {"phase": "self_assessment", "was": "closed", "reason": "หน่วยงานขอขยายเวลา"},
        {"phase": "review", "was": "pending", "reason": None}]
    entries = count(db, "audit_log")
    years.set_phase(db, admin, 2571, "review", "open")  # already open: nothing to do
    assert count(db, "audit_log") == entries


@pytest.mark.parametrize(("phase", "status"), [("holiday", "open"), ("review", "pending"), ("review", "done")])
def test_set_phase_refuses_unknown_phases_and_states(db, people, phase, status):
    with pytest.raises(InputError, match="error_input"):
        years.set_phase(db, people["admin"], YEAR, phase, status)


def test_current_phase_is_the_first_open_phase_of_an_open_year(db, people):
    admin = people["admin"]
    years.open_year(db, admin, 2571)
    assert years.current_phase(db, 2571)["phase"] == "self_assessment"
    years.set_phase(db, admin, 2571, "planning", "open")
    assert years.current_phase(db, 2571)["phase"] == "self_assessment"
    years.set_phase(db, admin, 2571, "self_assessment", "closed")
    assert years.current_phase(db, 2571)["phase"] == "planning"
    years.set_phase(db, admin, 2571, "review", "open")
    assert years.current_phase(db, 2571)["phase"] == "review"
    years.close_year(db, admin, 2571)
    assert years.current_phase(db, 2571) is None
    assert years.current_phase(db, 2599) is None


def test_close_year_closes_its_open_phases_and_reopen_needs_a_reason(db, people):
    admin, unit = people["admin"], people["unit"]
    years.open_year(db, admin, 2571)
    years.set_phase(db, admin, 2571, "review", "open")
    years.close_year(db, admin, 2571)
    cycle = years.cycle(db, 2571)
    assert cycle["status"] == "closed" and cycle["closed_at"]
    assert "open" not in states(db, 2571).values()
    assert states(db, 2571)["self_assessment"] == states(db, 2571)["review"] == "closed"
    assert len(audited(db, "close")) == 1

    for reason in ("", "  "):
        with pytest.raises(InputError, match="error_reason_required"):
            years.reopen_year(db, admin, 2571, reason)
    assert years.cycle(db, 2571)["status"] == "closed"
    with pytest.raises(InputError, match="error_no_cycle"):
        years.reopen_year(db, admin, 2599, "no such year")
    with pytest.raises(AccessDenied):
        years.reopen_year(db, people["committee"], 2571, "not mine to open")

    closed = states(db, 2571)
    years.reopen_year(db, admin, 2571, "แก้ไขคะแนนหลังการทบทวน")
    cycle = years.cycle(db, 2571)
    assert cycle["status"] == "open" and cycle["closed_at"] is None
    assert states(db, 2571) == closed and years.current_phase(db, 2571) is None  # phases stay closed
    assert [e["detail"] for e in audited(db, "reopen")] == [{"reason": "แก้ไขคะแนนหลังการทบทวน"}]
    with pytest.raises(NotEditable, match=PC):  # the self-assessment phase is still closed
        assessments.ensure(db, unit, people["unit_id"], 2571)
    years.set_phase(db, admin, 2571, "self_assessment", "open", "หน่วยงานส่งช้า")
    assert years.current_phase(db, 2571)["phase"] == "self_assessment"
    assert assessments.ensure(db, unit, people["unit_id"], 2571)["status"] == "draft"
    entries = count(db, "audit_log")
    years.reopen_year(db, admin, 2571, "already open")  # nothing to do
    assert count(db, "audit_log") == entries


CLOSED_YEAR_CHANGES = {
    "set_phase": lambda db, a: years.set_phase(db, a, YEAR - 1, "review", "open", "a reason"),
    "set_dates": lambda db, a: years.set_dates(db, a, YEAR - 1, {"review": ("2026-01-01", "2026-01-31")}),
    "set_thresholds": lambda db, a: years.set_thresholds(db, a, YEAR - 1, VALID),
    "close_year": lambda db, a: years.close_year(db, a, YEAR - 1),
    "use_default": lambda db, a: criteria.use_default(db, a, YEAR - 1),
    "accept criteria": lambda db, a: criteria.accept(db, a, YEAR - 1, DEFAULT_FILE.read_bytes(), "default.yaml"),
}


@pytest.mark.parametrize("change", CLOSED_YEAR_CHANGES.values(), ids=CLOSED_YEAR_CHANGES.keys())
def test_nothing_about_a_closed_year_changes(db, people, change):
    before = [db.execute(f"SELECT * FROM {t}").fetchall() for t in ("cycles", "phases", "criteria_files")]
    entries = count(db, "audit_log")
    with pytest.raises(NotEditable, match=YC):
        change(db, people["admin"])
    assert [db.execute(f"SELECT * FROM {t}").fetchall() for t in ("cycles", "phases", "criteria_files")] == before
    assert count(db, "audit_log") == entries


def test_set_dates_changes_dates_and_is_audited(db, people):
    admin = people["admin"]
    years.set_dates(db, admin, YEAR, {"review": ("2027-01-10", date(2027, 2, 20))})
    assert {p["phase"]: (p["starts_on"], p["ends_on"]) for p in years.phases(db, YEAR)}["review"] == (
        "2027-01-10", "2027-02-20")
    assert audited(db, "set_dates")[0]["detail"] == {"phases": {"review": ["2027-01-10", "2027-02-20"]}}
    with pytest.raises(InputError, match="error_phase_order"):
        years.set_dates(db, admin, YEAR, {"review": ("2027-02-20", "2027-01-10")})
    with pytest.raises(AccessDenied):
        years.set_dates(db, people["committee"], YEAR, {"review": (None, None)})


# -- thresholds -------------------------------------------------------------------------------------------

VALID = {"levels": {"basic": 250, "advance": 350, "significance": 450},
         "awards": {"pmqa_total": 380, "pmqa_category_min": 280, "category": 390},
         "ladder": [250, 300, 350]}


def edited(**changes) -> dict:
    """VALID with ``levels__basic=...`` style changes (None: remove the key)."""
    values = json.loads(json.dumps(VALID))
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = values
        for parent in parents:
            target = target[parent]
        if value is None:
            del target[key]
        else:
            target[key] = value
    return values


THRESHOLD_CASES = {
    "valid": (VALID, None),
    "advance equals significance": (edited(levels__advance=450), None),
    "numbers as text": (edited(levels__basic="250", ladder=["250", "300"]), None),
    "basic equals advance": (edited(levels__basic=350), "error_thresholds_levels"),
    "advance above significance": (edited(levels__advance=460), "error_thresholds_levels"),
    "basic zero": (edited(levels__basic=0), "error_thresholds_levels"),
    "significance above 500": (edited(levels__significance=501), "error_thresholds_range"),
    "negative award": (edited(awards__category=-1), "error_thresholds_range"),
    "award above 500": (edited(awards__pmqa_total=500.5), "error_thresholds_range"),
    "ladder above 500": (edited(ladder=[300, 600]), "error_thresholds_range"),
    "not a number (NaN)": (edited(awards__category=float("nan")), "error_thresholds_range"),
    "ladder descending": (edited(ladder=[350, 300]), "error_thresholds_ladder"),
    "ladder numbers as text, ascending": (edited(ladder=["50", "300"]), None),
    "ladder numbers as text, descending": (edited(ladder=["300", "50"]), "error_thresholds_ladder"),
    "ladder empty": (edited(ladder=[]), "error_thresholds_ladder"),
    "level not a number": (edited(levels__basic="abc"), "error_thresholds_values"),
    "ladder entry not a number": (edited(ladder=[300, "x"]), "error_thresholds_values"),
    "ladder not a list": (edited(ladder=None), "error_thresholds_values"),
    "level missing": (edited(levels__significance=None), "error_thresholds_values"),
    "award missing": (edited(awards__category=None), "error_thresholds_values"),
    "awards missing": (edited(awards=None), "error_thresholds_values"),
    "unknown award": (edited(awards__bonus=100), "error_thresholds_values"),
    "levels not a mapping": (edited(levels=[250, 350, 450]), "error_thresholds_values"),
}


@pytest.mark.parametrize(("values", "key"), THRESHOLD_CASES.values(), ids=THRESHOLD_CASES.keys())
def test_check_thresholds(values, key):
    if key is None:
        assert isinstance(years.check_thresholds(values), Thresholds)
    else:
        with pytest.raises(InputError) as refused:
            years.check_thresholds(values)
        assert refused.value.key == key


def test_refused_thresholds_change_nothing(db, people):
    entries = count(db, "audit_log")
    with pytest.raises(InputError, match="error_thresholds_levels"):
        years.set_thresholds(db, people["admin"], YEAR, edited(levels__basic=400))
    with pytest.raises(AccessDenied):
        years.set_thresholds(db, people["committee"], YEAR, VALID)
    assert years.cycle(db, YEAR)["thresholds"] is None and count(db, "audit_log") == entries


def test_saved_thresholds_are_used_for_that_year_only_and_audited(db, people):
    default = default_framework().thresholds
    assert years.framework_of(db, YEAR).thresholds == default
    saved = years.set_thresholds(db, people["admin"], YEAR, VALID)
    assert years.framework_of(db, YEAR).thresholds == saved == Thresholds.model_validate(VALID)
    assert years.framework_of(db, YEAR - 1).thresholds == default
    again = years.set_thresholds(db, people["admin"], YEAR, edited(ladder=[300]))
    assert years.framework_of(db, YEAR).thresholds == again
    first, second = audited(db, "set_thresholds")
    assert first["detail"]["before"] is None and first["detail"]["after"] == json.loads(saved.model_dump_json())
    assert second["detail"]["before"] == first["detail"]["after"]
    assert second["detail"]["after"]["ladder"] == [300.0]


# -- the criteria a year uses ------------------------------------------------------------------------

def criteria_file(edit=None) -> bytes:
    """The default criteria file with ``edit(data)`` applied, as uploaded bytes."""
    data = yaml.load(DEFAULT_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    if edit:
        edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def _rename(data):
    data["name"]["en"] = "Our department's criteria"
    data["thresholds"]["levels"]["basic"] = 250


def _without_1_1_b3(data):
    item = data["categories"][0]["items"][0]
    assert item["id"] == "1.1"
    item["checkpoints"]["basic"] = [cp for cp in item["checkpoints"]["basic"] if cp["id"] != "1.1.B3"]


def test_a_year_uses_the_default_until_a_file_is_accepted_then_again_after_use_default(db, people):
    admin = people["admin"]
    assert years.framework_of(db, YEAR) == default_framework()
    data = criteria_file(_rename)
    seen = criteria.preview(db, YEAR, data, "ours.yaml")
    assert ("threshold", "levels.basic", "250") in {(c.kind, c.ref, c.after) for c in seen.diff.changes}
    assert count(db, "criteria_files") == 0  # a preview stores nothing
    criteria.accept(db, admin, YEAR, data, "ours.yaml")
    used = years.framework_of(db, YEAR)
    assert used.name.en == "Our department's criteria" and used.thresholds.levels.basic == 250
    assert years.framework_of(db, YEAR - 1) == default_framework()
    assert years.cycle(db, YEAR)["criteria_sha"] == seen.sha256
    [entry] = audited(db, "set_criteria")
    assert entry["detail"]["file"] == "ours.yaml" and entry["detail"]["sha256"] == seen.sha256
    criteria.use_default(db, admin, YEAR)
    assert years.framework_of(db, YEAR) == default_framework()
    kept = years.cycle(db, YEAR)["criteria_sha"]  # the default as it is today, kept for the year
    assert kept == hashlib.sha256(DEFAULT_FILE.read_bytes()).hexdigest()
    assert audited(db, "set_criteria")[-1]["detail"] == {"file": None, "default": f"{default_framework().id}.yaml",
                                                         "sha256": kept}
    assert count(db, "criteria_files") == 2  # the accepted file stays on record, beside the default
    with pytest.raises(AccessDenied):
        criteria.accept(db, people["committee"], YEAR, data, "ours.yaml")


def test_thresholds_saved_for_a_year_stay_in_force_and_the_preview_says_so(demo_db, demo_user):
    data = criteria_file(_rename)
    seen = criteria.preview(demo_db, YEAR, data, "ours.yaml")
    assert "threshold" not in {c.kind for c in seen.diff.changes}  # the demo saved its thresholds
    criteria.accept(demo_db, demo_user("admin"), YEAR, data, "ours.yaml")
    used = years.framework_of(demo_db, YEAR)
    assert used.name.en == "Our department's criteria" and used.thresholds.levels.basic == 300


def test_a_file_removing_a_checkpoint_counts_the_answers_it_orphans(demo_db, demo_user):
    expected = demo_db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT c.assessment_id) FROM checkpoint_answers c "
        "JOIN assessments a ON a.id = c.assessment_id WHERE a.year = ? AND c.checkpoint = '1.1.B3'",
        [YEAR]).fetchone()
    assert expected[0] > 0
    kept = count(demo_db, "checkpoint_answers")
    data = criteria_file(_without_1_1_b3)
    seen = criteria.preview(demo_db, YEAR, data, "fewer.yaml")
    assert seen.diff.removed_checkpoint_ids == ("1.1.B3",)
    assert (seen.orphaned_answers, seen.orphaned_assessments) == expected
    accepted = criteria.accept(demo_db, demo_user("admin"), YEAR, data, "fewer.yaml")
    assert (accepted.orphaned_answers, accepted.orphaned_assessments) == expected
    assert audited(demo_db, "set_criteria")[-1]["detail"]["orphaned_answers"] == expected[0]
    assert "1.1.B3" not in {cp.id for _, _, cp in years.framework_of(demo_db, YEAR).checkpoints()}
    assert "1.1.B3" in {cp.id for _, _, cp in years.framework_of(demo_db, YEAR - 1).checkpoints()}
    assert count(demo_db, "checkpoint_answers") == kept  # answers are kept, only no longer counted


BAD_FILES = {
    "malformed YAML": b"id: pmqa4-broken\nname: {th: [unclosed\n",
    "not a mapping": b"- one\n- two\n",
    "category 7 missing": criteria_file(lambda d: d.update(categories=d["categories"][:6])),
    "checkpoint id twice": criteria_file(lambda d: d["categories"][0]["items"][0]["checkpoints"]["basic"].append(
        dict(d["categories"][0]["items"][0]["checkpoints"]["basic"][0]))),
}


@pytest.mark.parametrize("data", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_criteria_file_is_refused_and_nothing_changes(demo_db, demo_user, data):
    before = [demo_db.execute(f"SELECT * FROM {t}").fetchall() for t in ("cycles", "criteria_files")]
    entries = count(demo_db, "audit_log")
    for attempt in (lambda: criteria.preview(demo_db, YEAR, data, "bad.yaml"),
                    lambda: criteria.accept(demo_db, demo_user("admin"), YEAR, data, "bad.yaml")):
        with pytest.raises(InputError) as refused:
            attempt()
        assert refused.value.key == "error_criteria_file" and refused.value.params["name"] == "bad.yaml"
    assert [demo_db.execute(f"SELECT * FROM {t}").fetchall() for t in ("cycles", "criteria_files")] == before
    assert count(demo_db, "audit_log") == entries


# -- many processes opening a store at once --------------------------------------------------------------

def race(paths: list[Path], count: int = 6) -> list[tuple]:
    """``count`` processes each connect to every store in ``paths``, all at once per store."""
    context = processes.context()
    barrier, results = context.Barrier(count), context.Queue()
    workers = [context.Process(target=processes.connect_in_turn, args=([str(p) for p in paths], barrier, results))
               for _ in range(count)]
    processes.start(*workers)
    outcomes = [results.get(timeout=120) for _ in range(count * len(paths))]
    for worker in workers:
        worker.join(timeout=30)
    assert all(worker.exitcode == 0 for worker in workers)
    return outcomes


def assert_migrated_once(path: Path) -> None:
    db = open_database(path)
    assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(upgrades.head(),)]
    if "_migrations" in db.table_names():  # a store made by the hand-made steps: each ran once
        assert db.execute("SELECT name, COUNT(*) FROM _migrations GROUP BY name ORDER BY rowid").fetchall() == [
            (name, 1) for name in migrations.names]
    db.close()


def _before_m004(path: Path) -> Path:
    """A store as an earlier release left it: only the first three steps, with a closed and an open year."""
    db = open_database(path)
    old = Migrations()
    old.steps = migrations.steps[:3]
    old.apply(db)
    db["cycles"].insert_all([{"year": 2569, "status": "closed", "opened_at": "2025-10-01"},
                             {"year": 2570, "status": "open", "opened_at": "2026-10-01"}])
    db.close()
    return path


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path):
    new = [tmp_path / f"new-{n}.db" for n in range(3)]
    upgraded = [_before_m004(tmp_path / f"old-{n}.db") for n in range(3)]
    outcomes = race([*new, *upgraded])
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert {(path, phases) for _, path, phases in outcomes} == {
        *((str(p), 0) for p in new), *((str(p), 2 * len(PHASES)) for p in upgraded)}
    for path in [*new, *upgraded]:
        assert_migrated_once(path)
    db = open_database(upgraded[0])
    assert [r[0] for r in db.execute("SELECT status FROM phases WHERE year = 2569 ORDER BY position")] == [
        "closed"] * len(PHASES)
    assert [r[0] for r in db.execute("SELECT status FROM phases WHERE year = 2570 ORDER BY position")] == [
        "open", "open", "pending", "pending", "pending"]
    db.close()
