"""A year's page limits for the application's parts (storage.assessment.years.set_page_limits): the PMQA owner's
alone, each 1-500 pages or none, audited, refused in a closed year; the year's criteria (framework_of) carry
them over the file's."""

import json
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher

from i18n import YAML_LOADER
from scoring import default_framework
from scoring.criteria import BUDGET_PARTS
from storage.assessment import criteria, years
from storage.errors import AccessDenied, InputError, NotEditable
from storage.organisation import accounts, org

PASSWORD = "correct horse"
YEAR = 2570
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "frameworks" / "pmqa4-default.yaml"
FILE_LIMITS = {"profile": 5, "1": 6, "2": 6, "3": 6, "4": 6, "5": 6, "6": 6, "7": 10, "annex": None}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def people(db):
    """Last year closed, this year open, and one account of each role."""
    org.add_cycle(db, YEAR - 1, status="closed")
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    return {"unit": accounts.create_user(db, "unit1", PASSWORD, "unit", unit_id=unit_id),
            "committee": accounts.create_user(db, "board", PASSWORD, "committee"),
            "director": accounts.create_user(db, "head", PASSWORD, "director"),
            "admin": accounts.create_user(db, "owner", PASSWORD, "admin")}


def audited(db) -> list[dict]:
    return [{"by": r[0], "entity": r[1], "id": r[2], "detail": json.loads(r[3])} for r in db.execute(
        "SELECT username, entity, entity_id, detail FROM audit_log WHERE action = 'set_page_limits' ORDER BY id")]


def limits(db, year: int = YEAR) -> dict:
    return years.page_limits_of(years.framework_of(db, year))


def snapshot(db) -> tuple:
    return (db.execute("SELECT * FROM cycles ORDER BY year").fetchall(),
            db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


def test_a_year_uses_the_files_limits_until_it_saves_its_own(db, people):
    assert limits(db) == FILE_LIMITS  # the file's: annex without a limit
    assert years.framework_of(db, YEAR).application == default_framework().application
    assert years.cycle(db, YEAR)["page_limits"] is None


def test_saved_limits_are_the_years_over_the_files_and_audited(db, people):
    saved = years.set_page_limits(db, people["admin"], YEAR, {"1": 8, "annex": 40, "profile": None})
    expected = FILE_LIMITS | {"1": 8, "annex": 40, "profile": None}  # a part not named keeps the file's
    assert saved == limits(db) == expected
    application = years.framework_of(db, YEAR).application
    assert application.page_limit("1") == 8 and application.page_limit("annex") == 40
    assert application.page_limit("profile") is None and application.page_limit("2") == 6
    assert [part for part, _ in application.page_limits] == [p for p in BUDGET_PARTS if expected[p] is not None]
    assert application.adli == default_framework().application.adli  # the rest of the criteria as they were
    assert limits(db, YEAR - 1) == FILE_LIMITS  # another year keeps the file's
    [entry] = audited(db)
    assert (entry["by"], entry["entity"], entry["id"]) == ("owner", "cycle", str(YEAR))
    assert entry["detail"] == {"before": FILE_LIMITS, "after": expected}

    again = years.set_page_limits(db, people["admin"], YEAR, {"7": 12})  # the year's saved limits are replaced
    assert again == FILE_LIMITS | {"7": 12}
    assert audited(db)[1]["detail"] == {"before": expected, "after": FILE_LIMITS | {"7": 12}}


def test_no_parts_go_back_to_the_files_limits(db, people):
    years.set_page_limits(db, people["admin"], YEAR, {part: 1 for part in BUDGET_PARTS})
    assert set(limits(db).values()) == {1}
    assert years.set_page_limits(db, people["admin"], YEAR, {}) == FILE_LIMITS
    assert years.cycle(db, YEAR)["page_limits"] is None
    assert len(audited(db)) == 2


@pytest.mark.parametrize("pages", [1, 500])
def test_the_ends_of_the_range_are_taken(db, people, pages):
    years.set_page_limits(db, people["admin"], YEAR, {"3": pages})
    assert limits(db)["3"] == pages


@pytest.mark.parametrize("role", ["unit", "committee", "director"])
def test_only_the_pmqa_owner_sets_them(db, people, role):
    before = snapshot(db)
    with pytest.raises(AccessDenied):
        years.set_page_limits(db, people[role], YEAR, {"1": 8})
    assert snapshot(db) == before and limits(db) == FILE_LIMITS


@pytest.mark.parametrize(("change", "key"), [
    ({"1": 0}, "error_page_limit_range"),
    ({"1": 501}, "error_page_limit_range"),
    ({"1": -3}, "error_page_limit_range"),
    ({"1": 2.5}, "error_page_limit_range"),
    ({"1": "6"}, "error_page_limit_range"),
    ({"1": True}, "error_page_limit_range"),
    ({"2": 6, "8": 6}, "error_page_limit_part"),
    ({"cover": 2}, "error_page_limit_part"),
])
def test_a_bad_limit_is_refused_and_nothing_changes(db, people, change, key):
    before = snapshot(db)
    with pytest.raises(InputError, match=key):
        years.set_page_limits(db, people["admin"], YEAR, change)
    assert snapshot(db) == before and limits(db) == FILE_LIMITS


def test_the_refusal_names_the_part(db, people):
    with pytest.raises(InputError) as refused:
        years.set_page_limits(db, people["admin"], YEAR, {"annex": 900})
    assert refused.value.params == {"part": "annex", "low": 1, "high": 500}


def test_a_closed_or_missing_year_is_refused(db, people):
    before = snapshot(db)
    with pytest.raises(NotEditable, match="error_year_closed"):
        years.set_page_limits(db, people["admin"], YEAR - 1, {"1": 8})
    with pytest.raises(InputError, match="error_no_cycle"):
        years.set_page_limits(db, people["admin"], 2599, {"1": 8})
    assert snapshot(db) == before


def test_the_years_limits_stay_over_a_criteria_file_accepted_later(db, people):
    admin = people["admin"]
    years.set_page_limits(db, admin, YEAR, {"1": 9})
    data = yaml.load(DEFAULT_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    data["application"]["page_limits"] = {"profile": 3, "1": 4, "annex": 20}
    criteria.accept(db, admin, YEAR, yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode(), "ours.yaml")
    assert limits(db) == {part: None for part in BUDGET_PARTS} | {"profile": 3, "1": 9, "annex": 20}
    assert dict(years.file_framework(db, YEAR).application.page_limits) == {"profile": 3, "1": 4, "annex": 20}


def test_thresholds_rules_and_page_limits_apply_together(db, people):
    admin = people["admin"]
    years.set_rules(db, admin, YEAR, "entered_only", [1, 2, 3])
    years.set_page_limits(db, admin, YEAR, {"2": 11})
    used = years.framework_of(db, YEAR)
    assert used.rules.categories == (1, 2, 3) and used.rules.missing_kpis == "entered_only"
    assert used.application.page_limit("2") == 11
    assert years.framework_of(db, YEAR) == used  # the same criteria each time they are read
