"""A store made before the default criteria took the field's shape (192 checkpoints, not 160): on
opening, answers to checkpoints the year's criteria no longer have move to ``retired_answers``; the
count is audited per cycle, nothing else in the audit log changes, and the scores read again."""

import json

import pytest

from analysis.scores import cycle_scores
from scoring import default_framework
from storage import connect, open_database
from storage.engine import Store
from storage.migrations import Migrations
from storage.schema import migrations

RETIRED = ["1.1.A2", "1.1.S2", "3.1.B2"]  # in the old default, not in the new one
KEPT = ["1.1.B1", "1.1.A1", "1.2.S2"]


def old_store(path) -> Store:
    """The schema as the version before this change left it, with a cycle's answers in the old criteria."""
    before = Migrations()
    before.steps = [step for step in migrations.steps if step[0] != "m010_retired_answers"]
    db = open_database(path)
    before.apply(db)
    # in plain SQL: ``store["table"]`` writes the tables as they are now
    db.executemany("INSERT INTO cycles (year, status, criteria_sha) VALUES (?, 'open', ?)",
                   [(2569, None), (2570, None), (2571, "f" * 64)])
    db.execute("INSERT INTO units (id, code, name_th) VALUES (1, 'U1', 'กอง ก')")
    for aid, year in ((1, 2569), (2, 2570), (3, 2571)):
        db.execute("INSERT INTO assessments (id, unit_id, year, status, version) VALUES (?, 1, ?, 'submitted', 3)",
                   [aid, year])
        db.executemany("INSERT INTO checkpoint_answers (assessment_id, checkpoint, self_met, review_met) "
                       "VALUES (?, ?, 1, ?)", [(aid, cp, 0 if cp == "1.1.A2" else None) for cp in [*RETIRED, *KEPT]])
        db.executemany("INSERT INTO record_answers (assessment_id, checkpoint, self_met) VALUES (?, ?, 1)",
                       [(aid, cp) for cp in RETIRED[:2]])
    db.execute("INSERT INTO audit_log (at, username, action, entity, entity_id, detail) VALUES "
               "('2026-01-01T00:00:00', 'unit1', 'save_checkpoints', 'assessment', '2', '{\"1.1.A2\": true}')")
    db.close()
    return path


@pytest.fixture
def migrated(tmp_path):
    path = old_store(tmp_path / "old.db")
    return connect(path)


def test_answers_to_retired_checkpoints_move_aside_whole(migrated):
    live = {(r["assessment_id"], r["checkpoint"]) for r in migrated["checkpoint_answers"].rows}
    assert live == {(aid, cp) for aid in (1, 2) for cp in KEPT} | {(3, cp) for cp in [*RETIRED, *KEPT]}
    retired = {(r["assessment_id"], r["checkpoint"], r["kind"]): (r["self_met"], r["review_met"], r["criteria"])
               for r in migrated["retired_answers"].rows}
    # retired by the default of the day m010 runs (every version of it has the same 160 checkpoints)
    assert retired[(2, "1.1.A2", "live")] == (1, 0, default_framework().id)
    assert retired[(2, "3.1.B2", "live")] == (1, None, default_framework().id)
    assert set(retired) == ({(aid, cp, "live") for aid in (1, 2) for cp in RETIRED}
                            | {(aid, cp, "record") for aid in (1, 2) for cp in RETIRED[:2]})
    assert not list(migrated.query("SELECT 1 FROM record_answers WHERE checkpoint IN ('1.1.A2', '1.1.S2') "
                                   "AND assessment_id IN (1, 2)"))


def test_the_audit_log_says_how_many_per_cycle_and_keeps_every_earlier_entry(migrated):
    entries = list(migrated.query("SELECT username, action, entity, entity_id, detail FROM audit_log ORDER BY id"))
    assert entries[0]["action"] == "save_checkpoints" and json.loads(entries[0]["detail"]) == {"1.1.A2": True}
    moves = [e for e in entries if e["action"] == "retire_answers"]
    assert [(e["username"], e["entity"], e["entity_id"]) for e in moves] == [("system", "cycle", "2569"),
                                                                             ("system", "cycle", "2570")]
    assert json.loads(moves[1]["detail"]) == {"criteria": default_framework().id, "answers": 3, "record_answers": 2,
                                              "checkpoints": sorted(RETIRED)}


def test_the_migrated_cycle_scores_on_the_new_criteria(migrated):
    scores = cycle_scores(migrated, 2570, "self")
    assert scores.grid.loc[1, "1.1"] == pytest.approx(300 / 3)  # 1.1.B1 of three Basic; A1 is locked
    assert scores.result.units == 1


def test_a_new_store_has_nothing_to_retire(tmp_path):
    db = connect(tmp_path / "new.db")
    assert db["retired_answers"].count == 0
    assert not list(db.query("SELECT 1 FROM audit_log WHERE action = 'retire_answers'"))


def test_answers_to_a_checkpoint_a_criteria_file_drops_stay_in_the_store_and_no_longer_count(demo_path):
    """Before: accepting the file left answers to 1.2.B3 in place, and every score of the year failed with
    'unknown checkpoint id(s): 1.2.B3'."""
    import yaml

    from analysis.self_assessment import live_scores
    from i18n import YAML_LOADER
    from scoring.criteria import DEFAULT_FILE, FRAMEWORK_DIR
    from storage.admin.demo import DEMO_PASSWORD
    from storage.assessment import answers, assessments, criteria, years
    from storage.organisation import accounts

    db = connect(demo_path)
    admin = accounts.authenticate(db, "demo-admin", DEMO_PASSWORD)
    data = yaml.load((FRAMEWORK_DIR / DEFAULT_FILE).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    data["categories"][0]["items"][1]["checkpoints"]["basic"].pop()  # 1.2.B3
    seen = criteria.accept(db, admin, 2570, yaml.safe_dump(data, allow_unicode=True).encode(), "no-b3.yaml")
    assert seen.orphaned_answers > 0
    framework = years.framework_of(db, 2570)
    counted, _ = assessments.score_inputs(db, 2570, "self")
    assert "1.2.B3" not in set(counted["checkpoint"]) and len(counted)
    assert cycle_scores(db, 2570, "self").result.units > 0  # the year's figures score again
    unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
    form = answers.load(db, unit, assessments.get(db, unit.unit_id, 2570)["id"])
    assert live_scores(form, framework).total >= 0  # the unit's form scores too
