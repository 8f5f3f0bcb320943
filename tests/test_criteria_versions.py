"""A year keeps the criteria file it was opened with (issue 28): opening a year stores the file it takes from disk,
so a new version of the shipped default changes no year already opened; a store from before this (its years on the
default, with no file stored) keeps the default's first version for them (m024); the admin sees what going back to
today's default would change, and only the admin's choice moves a year to it."""

import hashlib
import json
import shutil

import pytest
import yaml
from argon2 import PasswordHasher

from i18n import YAML_LOADER
from scoring import default_framework, load_framework
from scoring.criteria import DEFAULT_FILE, FRAMEWORK_DIR
from storage import connect, open_database
from storage.assessment import criteria, years
from storage.errors import InputError
from storage.migrations import Migrations
from storage.organisation import accounts
from storage.schema import DEFAULT_V1, migrations

V1 = FRAMEWORK_DIR / DEFAULT_V1
PASSWORD = "correct horse"


def ours_text() -> str:
    """Today's default under another id: a department's own file."""
    text = (FRAMEWORK_DIR / DEFAULT_FILE).read_text(encoding="utf-8")
    return text.replace(f"\nid: {default_framework().id}\n", "\nid: ours\n")


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def audited(db, action: str) -> list[dict]:
    return [{"by": r[0], "id": r[1], "detail": json.loads(r[2]) if r[2] else None} for r in db.execute(
        "SELECT username, entity_id, detail FROM audit_log WHERE action = ? ORDER BY id", [action])]


def stored(db) -> dict[str, dict]:
    return {r["sha256"]: r for r in db.query("SELECT sha256, name, framework_id, accepted_by FROM criteria_files")}


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def admin(db):
    return accounts.create_user(db, "owner", PASSWORD, "admin")


def a_newer_default(directory, **kpi_targets):
    """``directory`` holding a later version of the shipped default: its id and some KPI targets changed."""
    data = yaml.load((FRAMEWORK_DIR / DEFAULT_FILE).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    data["id"] = "pmqa4-default-v3"
    for category in data["categories"]:
        for item in category["items"]:
            for kpi in item.get("kpis", ()):
                kpi["target"] = kpi_targets.get(kpi["id"], kpi["target"])
    (directory / DEFAULT_FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


# -- opening a year --------------------------------------------------------------------------------------------

def test_a_year_opened_keeps_the_default_of_that_day_and_a_later_version_changes_it_not(db, admin, tmp_path,
                                                                                         monkeypatch):
    years.open_year(db, admin, 2571)
    kept = years.cycle(db, 2571)["criteria_sha"]
    assert kept == sha(FRAMEWORK_DIR / DEFAULT_FILE)
    assert stored(db)[kept] == {"sha256": kept, "name": f"{default_framework().id}.yaml",
                                "framework_id": default_framework().id, "accepted_by": "owner"}
    assert years.framework_of(db, 2571) == default_framework()
    assert audited(db, "open")[0]["detail"]["criteria"] == kept
    assert criteria.default_preview(db, 2571) is None  # nothing to go back to

    monkeypatch.setattr(years, "FRAMEWORK_DIR", a_newer_default(tmp_path, RM1=70))  # the default is revised
    years.open_year(db, admin, 2572)
    assert years.file_framework(db, 2572).id == "pmqa4-default-v3"
    assert years.file_framework(db, 2572).item("7.1").kpis[0].target == 70
    assert years.framework_of(db, 2571) == default_framework()  # the year opened before keeps its file
    preview = criteria.default_preview(db, 2571)
    assert [(c.kind, c.ref, c.change, c.after) for c in preview.diff.changes] == [("kpi", "RM1", "target", "70")]

    criteria.use_default(db, admin, 2571)  # the admin's choice, audited
    assert years.file_framework(db, 2571).id == "pmqa4-default-v3"
    assert audited(db, "set_criteria")[-1]["detail"]["default"] == "pmqa4-default-v3.yaml"
    assert criteria.default_preview(db, 2571) is None


def test_a_years_own_file_on_disk_when_it_opens_is_the_one_it_keeps(db, admin, tmp_path, monkeypatch):
    data = yaml.load((FRAMEWORK_DIR / DEFAULT_FILE).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    (tmp_path / "pmqa4-2571.yaml").write_text(yaml.safe_dump(data | {"id": "ours-2571"}, allow_unicode=True),
                                              encoding="utf-8")
    monkeypatch.setattr(years, "FRAMEWORK_DIR", tmp_path)
    years.open_year(db, admin, 2571)
    row = stored(db)[years.cycle(db, 2571)["criteria_sha"]]
    assert (row["name"], row["framework_id"]) == ("pmqa4-2571.yaml", "ours-2571")
    assert years.framework_of(db, 2571).id == "ours-2571"


def test_a_year_whose_own_file_does_not_load_is_not_opened(db, admin, tmp_path, monkeypatch):
    (tmp_path / "pmqa4-2571.yaml").write_text("id: x\ncategories: [\n", encoding="utf-8")
    monkeypatch.setattr(years, "FRAMEWORK_DIR", tmp_path)
    with pytest.raises(InputError) as refused:
        years.open_year(db, admin, 2571)
    assert refused.value.key == "error_criteria_file" and refused.value.params["name"] == "pmqa4-2571.yaml"
    assert years.cycle(db, 2571) is None and not stored(db) and not audited(db, "open")


def test_a_file_chosen_at_opening_is_used_and_nothing_else_is_stored(db, admin):
    data = ours_text()
    years.open_year(db, admin, 2570)
    criteria.accept(db, admin, 2570, data.encode(), "ours.yaml")
    chosen = years.cycle(db, 2570)["criteria_sha"]
    years.open_year(db, admin, 2571, criteria_sha=chosen)
    assert years.framework_of(db, 2571).id == "ours" and len(stored(db)) == 2  # the default of 2570 and ours


def test_the_demo_years_follow_the_default_on_disk(demo_db):
    assert {row[0] for row in demo_db.execute("SELECT criteria_sha FROM cycles")} == {None}
    assert all(years.framework_of(demo_db, c["year"]) == default_framework()
               for c in demo_db.query("SELECT year FROM cycles"))


# -- a store from before: m024 -------------------------------------------------------------------------------

def store_before_m024(path):
    """A store as the version before this change left it: a closed and an open year on the default (no file
    stored), and a year on an accepted file."""
    before = Migrations()
    before.steps = [step for step in migrations.steps if step[0] != "m024_years_keep_their_criteria"]
    db = open_database(path)
    before.apply(db)
    ours = ours_text()
    ours_sha = hashlib.sha256(ours.encode("utf-8")).hexdigest()
    db["criteria_files"].insert({"sha256": ours_sha, "name": "ours.yaml", "framework_id": "ours", "text": ours,
                                 "accepted_at": "2026-01-01T00:00:00", "accepted_by": "owner"})
    db["cycles"].insert_all([{"year": 2568, "status": "closed"}, {"year": 2569, "status": "open"},
                             {"year": 2570, "status": "open", "criteria_sha": ours_sha}])
    db.close()
    return ours_sha


def test_years_opened_before_keep_the_first_version_and_a_year_opened_after_takes_todays(tmp_path):
    ours = store_before_m024(tmp_path / "old.db")
    db = connect(tmp_path / "old.db")
    first = load_framework(V1)
    for year in (2568, 2569):
        assert years.cycle(db, year)["criteria_sha"] == sha(V1)
        used = years.framework_of(db, year)
        assert used == first and used.id == "pmqa4-default"
        assert used.text_of("2.4.B1") == first.text_of("2.4.B1") != default_framework().text_of("2.4.B1")
        assert {k.id: k.target for _, k in used.kpis()}["RM6"] == 92  # version 1's target, not the field's 60
        assert [t.id for t in used.thresholds.awards.tiers] == ["advance", "significance"]
    assert years.cycle(db, 2570)["criteria_sha"] == ours and years.framework_of(db, 2570).id == "ours"
    assert stored(db)[sha(V1)] == {"sha256": sha(V1), "name": DEFAULT_V1, "framework_id": "pmqa4-default",
                                   "accepted_by": "system"}
    assert [(e["by"], e["id"], e["detail"]) for e in audited(db, "set_criteria")] == [
        ("system", str(year), {"file": DEFAULT_V1, "sha256": sha(V1), "changes": 0}) for year in (2568, 2569)]

    admin = accounts.create_user(db, "owner", PASSWORD, "admin")
    years.open_year(db, admin, 2571)
    assert years.framework_of(db, 2571) == default_framework()
    assert {k.id: k.target for _, k in years.framework_of(db, 2571).kpis()}["RM6"] == 60

    # the admin sees what going back to today's default would change for a year kept on version 1
    preview = criteria.default_preview(db, 2569)
    assert {"2.4.B1", "5.2.B1", "6.4.B1", "6.3.S1"} <= {c.ref for c in preview.diff.checkpoints_reworded}
    assert ("RM6", "92", "60") in {(c.ref, c.before, c.after) for c in preview.diff.kpis_changed}
    assert preview.orphaned_answers == 0 and criteria.default_preview(db, 2571) is None
    criteria.use_default(db, admin, 2569)
    assert years.framework_of(db, 2569) == default_framework()
    assert years.framework_of(db, 2568) == first  # a closed year stays as it was
    db.close()


def test_a_year_with_its_own_file_on_disk_keeps_that_file(tmp_path, monkeypatch):
    disk = tmp_path / "frameworks"
    disk.mkdir()
    shutil.copy(V1, disk / DEFAULT_V1)
    data = yaml.load(V1.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    (disk / "pmqa4-2569.yaml").write_text(yaml.safe_dump(data | {"id": "ours-2569"}, allow_unicode=True),
                                          encoding="utf-8")
    (disk / "pmqa4-2568.yaml").write_text("id: broken\n", encoding="utf-8")  # does not load: the year is left as is
    store_before_m024(tmp_path / "old.db")
    monkeypatch.setattr("scoring.criteria.FRAMEWORK_DIR", disk)
    db = connect(tmp_path / "old.db")
    assert years.cycle(db, 2568)["criteria_sha"] is None
    row = stored(db)[years.cycle(db, 2569)["criteria_sha"]]
    assert (row["name"], row["framework_id"], row["accepted_by"]) == ("pmqa4-2569.yaml", "ours-2569", "system")
    db.close()


def test_a_new_store_has_no_year_to_keep(tmp_path):
    db = connect(tmp_path / "new.db")
    assert not stored(db) and not audited(db, "set_criteria")
    db.close()
