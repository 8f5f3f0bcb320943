"""The OFI register: every value checked before anything is written, who may do what, filters,
audited updates (old -> new), carry-over into the next cycle, and OFIs made from scoring gaps."""

import json
import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from scoring import framework_for_year
from scoring.ofi import department_gaps, gaps
from storage import connect
from storage.db import transaction
from storage.errors import AccessDenied, InputError, OfiConflict
from storage.organisation import accounts, org
from storage.plans import ofis

TODAY = date(2026, 3, 1)
DUE = date(2026, 6, 30)
PASSWORD = "correct horse"


USERS = {"admin": "owner", "committee": "board", "director": "boss", "unit1": "unit1", "unit2": "unit2"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Cycles 2569 and 2570, units U1-U3, a user of each role and an inactive one, written once."""
    path = tmp_path_factory.mktemp("ofis") / "template.db"
    store = connect(path)
    for year in (2569, 2570):
        org.add_cycle(store, year)
    units = {code: org.add_unit(store, code, f"หน่วย {code}", f"Unit {code}") for code in ("U1", "U2", "U3")}
    for role, name in [("admin", "owner"), ("committee", "board"), ("director", "boss"), ("committee", "gone")]:
        accounts.create_user(store, name, PASSWORD, role)
    for name, code in [("unit1", "U1"), ("unit2", "U2")]:
        accounts.create_user(store, name, PASSWORD, "unit", unit_id=units[code])
    with transaction(store):
        store.execute("UPDATE users SET active = 0 WHERE username = 'gone'")
    store.close()
    return path


@pytest.fixture
def db(tmp_path, template):
    """A copy of the template on a real file (overrides the empty store of conftest)."""
    path = tmp_path / "store.db"
    shutil.copy(template, path)
    store = connect(path)
    yield store
    store.close()


def ver(db, ofi_id: int) -> int:
    """The OFI's version as a page would have read it just now."""
    return db.execute("SELECT version FROM ofis WHERE id = ?", [ofi_id]).fetchone()[0]


@pytest.fixture
def env(db):
    users = {key: accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = ?", [name]).fetchone()[0])
             for key, name in USERS.items()}
    return {"units": {r[1]: r[0] for r in db.execute("SELECT id, code FROM units")}, **users}


def new(db, env, actor="committee", **overrides):
    args = {"year": 2570, "item": "1.1", "description": "ทบทวนวิสัยทัศน์ร่วมกับผู้มีส่วนได้ส่วนเสีย",
            "priority": "medium", "owner": actor if actor.startswith("unit") else "board", "due_date": DUE,
            "units": [env["units"]["U1"]],
            "source": "committee", "today": TODAY}
    args.update(overrides)
    return ofis.create(db, env[actor], **args)


def counts(db):
    return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("ofis", "ofi_units", "ofi_notes", "audit_log")}


def last_audit(db):
    row = db.execute("SELECT username, action, entity, entity_id, detail FROM audit_log ORDER BY id DESC LIMIT 1"
                     ).fetchone()
    return row[:4], json.loads(row[4]) if row[4] else {}


# ---------------------------------------------------------------------------------------------
# create


def test_create_stores_the_ofi_its_unit_and_an_audit_entry(db, env):
    before = counts(db)
    ofi_id = new(db, env, points=4.5, priority="high")
    row = ofis.get(db, env["committee"], ofi_id)
    assert (row["year"], row["source"], row["item"], row["status"], row["priority"]) == (
        2570, "committee", "1.1", "open", "high")
    assert (row["owner"], row["due_date"], row["points"], row["created_by"]) == ("board", "2026-06-30", 4.5, "board")
    assert row["unit_id"] == env["units"]["U1"] and row["units"] == [env["units"]["U1"]]
    assert row["created_at"] == row["updated_at"] and row["carried_from"] is None and row["notes"] == []
    after = counts(db)
    assert (after["ofis"], after["ofi_units"], after["audit_log"]) == (
        before["ofis"] + 1, before["ofi_units"] + 1, before["audit_log"] + 1)
    head, detail = last_audit(db)
    assert head == ("board", "create", "ofi", str(ofi_id))
    assert detail["units"] == [env["units"]["U1"]] and detail["due_date"] == "2026-06-30"


def test_an_ofi_of_several_units_has_no_single_unit_and_one_link_each(db, env):
    u = env["units"]
    ofi_id = new(db, env, units=[u["U2"], u["U1"], u["U2"]], due_date="2026-04-01")
    row = ofis.get(db, env["committee"], ofi_id)
    assert row["unit_id"] is None
    assert row["units"] == sorted([u["U1"], u["U2"]])
    assert row["due_date"] == "2026-04-01"


def test_boundaries_are_accepted(db, env):
    ofi_id = new(db, env, description="  " + "ก" * ofis.MAX_TEXT + "  ", due_date=TODAY)
    row = ofis.get(db, env["committee"], ofi_id)
    assert len(row["description"]) == ofis.MAX_TEXT and row["due_date"] == TODAY.isoformat()


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"description": ""}, "error_ofi_description"),
        ({"description": "   \n "}, "error_ofi_description"),
        ({"description": "ก" * (ofis.MAX_TEXT + 1)}, "error_ofi_description"),
        ({"description": None}, "error_ofi_description"),
        ({"due_date": date(2026, 2, 28)}, "error_ofi_due_past"),
        ({"due_date": "2026-02-28"}, "error_ofi_due_past"),
        ({"due_date": "31/12/2026"}, "error_ofi_due_date"),
        ({"due_date": None}, "error_ofi_due_date"),
        ({"owner": "nobody"}, "error_ofi_owner"),
        ({"owner": "gone"}, "error_ofi_owner"),
        ({"owner": ""}, "error_ofi_owner"),
        ({"priority": "urgent"}, "error_ofi_priority"),
        ({"source": "rumour"}, "error_ofi_source"),
        ({"item": "9.9"}, "error_unknown_item"),
        ({"item": "1.1.B1"}, "error_unknown_item"),
        ({"units": []}, "error_ofi_units"),
        ({"units": [999]}, "error_ofi_units"),
        ({"units": "U1"}, "error_ofi_units"),
        ({"units": [1.5]}, "error_ofi_units"),
        ({"year": 2599}, "error_ofi_year"),
        ({"points": float("nan")}, "error_ofi_points"),
        ({"points": -1.0}, "error_ofi_points"),
        ({"points": float("inf")}, "error_ofi_points"),
        ({"points": 500.01}, "error_ofi_points"),  # no OFI wins more than the whole 0-500 scale
        ({"points": 1e12}, "error_ofi_points"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(db, env, overrides, key):
    before = counts(db)
    with pytest.raises(InputError) as err:
        new(db, env, **overrides)
    assert err.value.key == key
    assert counts(db) == before


def test_one_unknown_unit_among_known_ones_stores_nothing(db, env):
    before = counts(db)
    with pytest.raises(InputError, match="error_ofi_units"):
        new(db, env, units=[env["units"]["U1"], 999])
    assert counts(db) == before


def test_due_date_check_uses_the_given_today(db, env):
    with pytest.raises(InputError, match="error_ofi_due_past"):
        new(db, env, due_date=DUE, today=date(2026, 7, 1))


@pytest.mark.parametrize(
    ("actor", "source", "units", "allowed"),
    [
        ("committee", "committee", ["U1"], True),
        ("committee", "gap", ["U1", "U2"], True),
        ("committee", "unit", ["U2"], True),
        ("admin", "committee", ["U1", "U3"], True),
        ("admin", "gap", ["U3"], True),
        ("unit1", "unit", ["U1"], True),
        ("unit1", "committee", ["U1"], False),
        ("unit1", "gap", ["U1"], False),
        ("unit1", "unit", ["U2"], False),
        ("unit1", "unit", ["U1", "U2"], False),
        ("unit1", "unit", [], False),
        ("director", "committee", ["U1"], False),
        ("director", "unit", ["U1"], False),
    ],
)
def test_who_may_create_which_ofi(db, env, actor, source, units, allowed):
    before = counts(db)
    ids = [env["units"][code] for code in units]
    if allowed:
        ofi_id = new(db, env, actor=actor, source=source, units=ids)
        assert ofis.get(db, env["committee"], ofi_id)["created_by"] == env[actor].username
    else:
        with pytest.raises(AccessDenied):
            new(db, env, actor=actor, source=source, units=ids)
        assert counts(db) == before


@pytest.mark.parametrize(("overrides", "key"), [
    ({"owner": "board"}, "error_ofi_owner_unit"),     # the committee's member
    ({"owner": "unit2"}, "error_ofi_owner_unit"),     # another unit's user
    ({"owner": "gone"}, "error_ofi_owner_unit"),
    ({"points": 3.0}, "error_ofi_points_unit"),       # points come from the scoring engine's gaps
    ({"points": 1e9}, "error_ofi_points_unit"),
])
def test_a_units_own_ofi_has_an_owner_of_that_unit_and_no_points(db, env, overrides, key):
    before = counts(db)
    with pytest.raises(InputError, match=key):
        new(db, env, actor="unit1", source="unit", **overrides)
    assert counts(db) == before


# ---------------------------------------------------------------------------------------------
# update


def test_update_changes_the_fields_and_audits_old_and_new(db, env):
    ofi_id = new(db, env)
    stamp = ofis.get(db, env["committee"], ofi_id)["updated_at"]
    diff = ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=TODAY, priority="high",
                       due_date=date(2026, 9, 30), owner="unit1", description="ทบทวนวิสัยทัศน์", status="in_progress")
    assert diff["priority"] == ("medium", "high") and diff["due_date"] == ("2026-06-30", "2026-09-30")
    row = ofis.get(db, env["committee"], ofi_id)
    assert (row["priority"], row["due_date"], row["owner"], row["description"], row["status"]) == (
        "high", "2026-09-30", "unit1", "ทบทวนวิสัยทัศน์", "in_progress")
    assert row["updated_at"] >= stamp
    head, detail = last_audit(db)
    assert head == ("board", "update", "ofi", str(ofi_id))
    assert detail["changes"] == {
        "priority": {"old": "medium", "new": "high"},
        "due_date": {"old": "2026-06-30", "new": "2026-09-30"},
        "owner": {"old": "board", "new": "unit1"},
        "description": {"old": "ทบทวนวิสัยทัศน์ร่วมกับผู้มีส่วนได้ส่วนเสีย", "new": "ทบทวนวิสัยทัศน์"},
        "status": {"old": "open", "new": "in_progress"},
    }


def test_update_audits_only_what_changed_and_nothing_when_nothing_did(db, env):
    ofi_id = new(db, env)
    before = counts(db)
    assert ofis.update(db, env["committee"], ofi_id, 0, today=TODAY, priority="medium", owner="board") == {}
    assert counts(db) == before
    ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=TODAY, priority="low", owner="board")
    assert last_audit(db)[1]["changes"] == {"priority": {"old": "medium", "new": "low"}}


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"description": ""}, "error_ofi_description"),
        ({"description": "ก" * (ofis.MAX_TEXT + 1)}, "error_ofi_description"),
        ({"priority": "urgent"}, "error_ofi_priority"),
        ({"status": "closed"}, "error_ofi_status"),
        ({"owner": "nobody"}, "error_ofi_owner"),
        ({"owner": "gone"}, "error_ofi_owner"),
        ({"due_date": date(2026, 2, 1)}, "error_ofi_due_past"),
        ({"due_date": "soon"}, "error_ofi_due_date"),
        ({"priority": "high", "status": "closed"}, "error_ofi_status"),  # one bad value: nothing changes
    ],
)
def test_bad_update_is_refused_and_changes_nothing(db, env, changes, key):
    ofi_id = new(db, env)
    row, before = ofis.get(db, env["committee"], ofi_id), counts(db)
    with pytest.raises(InputError) as err:
        ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=TODAY, **changes)
    assert err.value.key == key
    assert ofis.get(db, env["committee"], ofi_id) == row and counts(db) == before


def test_a_past_due_date_may_stay_but_not_be_set(db, env):
    ofi_id = new(db, env)
    later = date(2026, 8, 1)  # the due date 2026-06-30 has passed
    ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=later, priority="high", due_date=DUE)
    assert ofis.get(db, env["committee"], ofi_id)["priority"] == "high"
    with pytest.raises(InputError, match="error_ofi_due_past"):
        ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=later, due_date=date(2026, 7, 1))
    ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=later, due_date=date(2026, 8, 1))
    assert ofis.get(db, env["committee"], ofi_id)["due_date"] == "2026-08-01"


def test_unknown_field_and_unknown_ofi(db, env):
    ofi_id = new(db, env)
    with pytest.raises(TypeError):
        ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=TODAY, item="2.1")
    with pytest.raises(InputError, match="error_ofi_not_found"):
        ofis.update(db, env["committee"], 999, 0, today=TODAY, priority="high")
    with pytest.raises(InputError, match="error_ofi_not_found"):
        ofis.get(db, env["committee"], 999)


@pytest.mark.parametrize(
    ("actor", "units", "start", "changes", "allowed"),
    [
        ("admin", ["U1"], "open", {"priority": "high", "status": "dropped"}, True),
        ("committee", ["U2"], "done", {"status": "open"}, True),
        ("unit1", ["U1"], "open", {"status": "in_progress"}, True),
        ("unit1", ["U1"], "in_progress", {"status": "done"}, True),
        ("unit1", ["U1", "U2"], "open", {"status": "done"}, False),  # a shared OFI is the committee's to close
        ("unit1", ["U1", "U2"], "open", {"status": "in_progress"}, False),
        ("unit1", ["U1"], "open", {"status": "dropped"}, False),
        ("unit1", ["U1"], "done", {"status": "open"}, False),
        ("unit1", ["U1"], "dropped", {"status": "in_progress"}, False),
        ("unit1", ["U1"], "open", {"priority": "high"}, False),
        ("unit1", ["U1"], "open", {"status": "done", "description": "เสร็จแล้ว"}, False),
        ("unit1", ["U2"], "open", {"status": "in_progress"}, False),
        ("unit2", ["U1", "U3"], "open", {"status": "in_progress"}, False),
        ("director", ["U1"], "open", {"status": "in_progress"}, False),
    ],
)
def test_who_may_update_what(db, env, actor, units, start, changes, allowed):
    ofi_id = new(db, env, units=[env["units"][c] for c in units])
    if start != "open":
        ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=TODAY, status=start)
    row, before = ofis.get(db, env["committee"], ofi_id), counts(db)
    if allowed:
        ofis.update(db, env[actor], ofi_id, ver(db, ofi_id), today=TODAY, **changes)
        assert all(ofis.get(db, env["committee"], ofi_id)[field] == value for field, value in changes.items())
        assert last_audit(db)[0][:2] == (env[actor].username, "update")
    else:
        with pytest.raises(AccessDenied):
            ofis.update(db, env[actor], ofi_id, ver(db, ofi_id), today=TODAY, **changes)
        assert ofis.get(db, env["committee"], ofi_id) == row and counts(db) == before


def test_a_stale_edit_is_refused_and_names_who_changed_it_first(db, env):
    ofi_id = new(db, env)
    shown = ver(db, ofi_id)  # two people open the register
    ofis.update(db, env["admin"], ofi_id, shown, today=TODAY, priority="high")
    row, before = ofis.get(db, env["committee"], ofi_id), counts(db)
    with pytest.raises(OfiConflict) as refused:
        ofis.update(db, env["committee"], ofi_id, shown, today=TODAY, priority="low", status="in_progress")
    assert refused.value.key == "error_ofi_conflict" and refused.value.params["by"] == "owner"
    assert ofis.get(db, env["committee"], ofi_id) == row and counts(db) == before
    assert row["version"] == shown + 1 and row["updated_by"] == "owner"
    # with the version read again, the edit goes through
    ofis.update(db, env["committee"], ofi_id, ver(db, ofi_id), today=TODAY, priority="low")
    assert ofis.get(db, env["committee"], ofi_id)["version"] == shown + 2


def test_an_edit_that_changes_nothing_keeps_the_version(db, env):
    ofi_id = new(db, env)
    assert ofis.update(db, env["committee"], ofi_id, 0, today=TODAY, priority="medium") == {}
    assert ver(db, ofi_id) == 0


# ---------------------------------------------------------------------------------------------
# notes


def test_notes_are_kept_in_order_and_audited(db, env):
    ofi_id = new(db, env)
    first = ofis.add_note(db, env["committee"], ofi_id, "  มอบหมายผู้รับผิดชอบแล้ว ")
    second = ofis.add_note(db, env["unit1"], ofi_id, "จัดประชุมชี้แจงแล้ว")
    notes = ofis.get(db, env["committee"], ofi_id)["notes"]
    assert [(n["id"], n["author"], n["text"]) for n in notes] == [
        (first, "board", "มอบหมายผู้รับผิดชอบแล้ว"), (second, "unit1", "จัดประชุมชี้แจงแล้ว")]
    head, detail = last_audit(db)
    assert head == ("unit1", "add_note", "ofi", str(ofi_id)) and detail["note"] == second


@pytest.mark.parametrize(
    ("actor", "text", "error"),
    [
        ("committee", "", InputError),
        ("committee", "   ", InputError),
        ("committee", "ก" * (ofis.MAX_TEXT + 1), InputError),
        ("unit2", "ไม่ใช่หน่วยงานของฉัน", AccessDenied),
        ("director", "ขอดูความคืบหน้า", AccessDenied),
    ],
)
def test_bad_or_unallowed_notes_store_nothing(db, env, actor, text, error):
    ofi_id = new(db, env)
    before = counts(db)
    with pytest.raises(error):
        ofis.add_note(db, env[actor], ofi_id, text)
    assert counts(db) == before


def test_note_on_unknown_ofi(db, env):
    with pytest.raises(InputError, match="error_ofi_not_found"):
        ofis.add_note(db, env["committee"], 999, "ข้อความ")


# ---------------------------------------------------------------------------------------------
# register


@pytest.fixture
def filled(db, env):
    """Five OFIs of 2570 and one of 2569; names for each."""
    u = env["units"]
    ids = {
        "a": new(db, env, item="1.1", priority="low", due_date=date(2026, 3, 10), units=[u["U1"]]),
        "b": new(db, env, item="2.3", priority="high", due_date=date(2026, 5, 1), units=[u["U1"], u["U2"]],
                 owner="unit1"),
        "c": new(db, env, item="2.1", priority="high", due_date=date(2026, 3, 5), units=[u["U2"]]),
        "d": new(db, env, item="7.2", priority="medium", due_date=date(2026, 3, 20), units=[u["U3"]],
                 owner="unit1", points=2.5),
        "e": new(db, env, item="1.2", priority="medium", due_date=date(2026, 3, 2), units=[u["U2"]]),
        "old": new(db, env, year=2569, item="1.1", units=[u["U1"]]),
    }
    ofis.update(db, env["committee"], ids["c"], ver(db, ids["c"]), today=TODAY, status="in_progress")
    ofis.update(db, env["committee"], ids["e"], ver(db, ids["e"]), today=TODAY, status="done")
    return ids


def test_register_columns_values_and_order(db, env, filled):
    frame = ofis.register(db, env["committee"], 2570, today=date(2026, 3, 15))
    assert list(frame.columns) == ofis.REGISTER_COLUMNS
    # priority high, medium, low; within a priority the earliest due date first
    assert list(frame["id"]) == [filled[k] for k in ("c", "b", "e", "d", "a")]
    b = frame.set_index("id").loc[filled["b"]]
    assert (b["units"], b["unit_ids"], b["category"], b["owner"]) == (
        "U1, U2", [env["units"]["U1"], env["units"]["U2"]], 2, "unit1")
    assert b["due_date"] == date(2026, 5, 1) and pd.isna(b["points"]) and pd.isna(b["carried_from"])
    assert frame.set_index("id").loc[filled["d"], "points"] == 2.5
    overdue = dict(zip(frame["id"], frame["overdue"], strict=True))
    # a (low, due 10 Mar) and c (in progress, due 5 Mar) are late; e (due 2 Mar) is done
    assert overdue == {filled["a"]: True, filled["b"]: False, filled["c"]: True, filled["d"]: False,
                       filled["e"]: False}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["c", "b", "e", "d", "a"]),
        ({"category": 2}, ["c", "b"]),
        ({"category": 7}, ["d"]),
        ({"category": 5}, []),
        ({"unit": "U1"}, ["b", "a"]),
        ({"unit": "U2"}, ["c", "b", "e"]),
        ({"owner": "unit1"}, ["b", "d"]),
        ({"owner": "nobody"}, []),
        ({"status": "open"}, ["b", "d", "a"]),
        ({"status": ["in_progress", "done"]}, ["c", "e"]),
        ({"overdue": True}, ["c", "a"]),
        ({"category": 2, "unit": "U2"}, ["c", "b"]),
        ({"category": 2, "status": "open"}, ["b"]),
        ({"unit": "U2", "overdue": True}, ["c"]),
        ({"owner": "unit1", "unit": "U1"}, ["b"]),
        ({"owner": "board", "overdue": True, "category": 1}, ["a"]),
    ],
)
def test_register_filters_alone_and_combined(db, env, filled, filters, expected):
    filters = dict(filters)
    if "unit" in filters:
        filters["unit_id"] = env["units"][filters.pop("unit")]
    frame = ofis.register(db, env["committee"], 2570, today=date(2026, 3, 15), **filters)
    assert list(frame["id"]) == [filled[k] for k in expected]
    assert list(frame.columns) == ofis.REGISTER_COLUMNS


def test_overdue_depends_on_today(db, env, filled):
    assert list(ofis.register(db, env["committee"], 2570, overdue=True, today=date(2026, 3, 1))["id"]) == []
    assert set(ofis.register(db, env["committee"], 2570, overdue=True, today=date(2026, 7, 1))["id"]) == {
        filled[k] for k in ("a", "b", "c", "d")}


def test_register_of_another_year_and_an_empty_one(db, env, filled):
    assert list(ofis.register(db, env["committee"], 2569, today=TODAY)["id"]) == [filled["old"]]
    org.add_cycle(db, 2571)
    empty = ofis.register(db, env["committee"], 2571, today=TODAY)
    assert empty.empty and list(empty.columns) == ofis.REGISTER_COLUMNS


def test_for_unit_lists_every_ofi_that_applies_to_the_unit(db, env, filled):
    # regression: OFIs for several units (unit_id NULL) were missing from the unit's list
    listed = ofis.for_unit(db, env["committee"], env["units"]["U2"], 2570)
    assert [o["id"] for o in listed] == [filled["b"], filled["c"], filled["e"]]  # done ones last


# ---------------------------------------------------------------------------------------------
# carry-over


def test_carry_over_copies_open_work_links_it_and_is_idempotent(db, env):
    u = env["units"]
    open_id = new(db, env, year=2569, units=[u["U1"], u["U2"]], points=3.0, priority="high")
    going = new(db, env, year=2569, item="3.2")
    done = new(db, env, year=2569, item="4.1")
    dropped = new(db, env, year=2569, item="5.1")
    ofis.update(db, env["committee"], going, ver(db, going), today=TODAY, status="in_progress")
    ofis.update(db, env["committee"], done, ver(db, done), today=TODAY, status="done")
    ofis.update(db, env["committee"], dropped, ver(db, dropped), today=TODAY, status="dropped")
    ofis.add_note(db, env["committee"], open_id, "บันทึกความคืบหน้าปีก่อน")
    audits = counts(db)["audit_log"]

    created = ofis.carry_over(db, env["admin"], 2569, 2570)

    assert len(created) == 2
    copies = {ofis.get(db, env["committee"], i)["carried_from"]: ofis.get(db, env["committee"], i) for i in created}
    assert set(copies) == {open_id, going}
    original = ofis.get(db, env["committee"], open_id)
    copy = copies[open_id]
    for field in ("source", "item", "description", "priority", "owner", "due_date", "status", "points", "unit_id"):
        assert copy[field] == original[field], field
    assert copy["year"] == 2570 and copy["units"] == original["units"] and copy["notes"] == []
    assert copy["created_by"] == "owner"
    assert copies[going]["status"] == "in_progress"
    assert counts(db)["audit_log"] == audits + 2
    head, detail = last_audit(db)
    assert head[1:3] == ("carry_over", "ofi") and detail["from_year"] == 2569
    register = ofis.register(db, env["committee"], 2570, today=TODAY)
    assert set(register["carried_from"].dropna()) == {open_id, going}

    before = counts(db)
    assert ofis.carry_over(db, env["committee"], 2569, 2570) == []
    assert counts(db) == before


def test_carry_over_picks_up_only_what_was_not_carried_yet(db, env):
    first = new(db, env, year=2569)
    ofis.carry_over(db, env["committee"], 2569, 2570)
    second = new(db, env, year=2569, item="2.2")
    created = ofis.carry_over(db, env["committee"], 2569, 2570)
    assert [ofis.get(db, env["committee"], i)["carried_from"] for i in created] == [second]
    assert sorted(ofis.register(db, env["committee"], 2570, today=TODAY)["carried_from"]) == [first, second]


@pytest.mark.parametrize(
    ("actor", "from_year", "to_year", "error"),
    [
        ("unit1", 2569, 2570, AccessDenied),
        ("director", 2569, 2570, AccessDenied),
        ("committee", 2569, 2599, InputError),
        ("committee", 2570, 2569, InputError),
        ("committee", 2570, 2570, InputError),
    ],
)
def test_carry_over_refusals_store_nothing(db, env, actor, from_year, to_year, error):
    new(db, env, year=2569)
    new(db, env, year=2570)
    before = counts(db)
    with pytest.raises(error):
        ofis.carry_over(db, env[actor], from_year, to_year)
    assert counts(db) == before


# ---------------------------------------------------------------------------------------------
# from gaps


@pytest.fixture
def unit_gaps(env):
    """Real ``gaps`` output for two units: U1 misses 1.1.B2, U2 misses 1.1.B2 too; RM3 below ceiling."""
    framework = framework_for_year(2570)
    u1, u2 = env["units"]["U1"], env["units"]["U2"]
    ids = [cp.id for _, _, cp in framework.checkpoints()]
    answers = pd.DataFrame([(unit, cp, cp != "1.1.B2") for unit in (u1, u2) for cp in ids],
                           columns=["unit", "checkpoint", "met"])
    values = {kpi.id: kpi.ceiling for _, kpi in framework.kpis()} | {"RM3": 85.0}
    kpis = pd.DataFrame([(unit, k, v) for unit in (u1, u2) for k, v in values.items()],
                        columns=["unit", "kpi", "value"])
    return gaps(answers, kpis, framework)


def test_from_gap_makes_an_ofi_of_a_missing_checkpoint(db, env, unit_gaps):
    u1 = env["units"]["U1"]
    row = unit_gaps[(unit_gaps["ref"] == "1.1.B2") & (unit_gaps["unit"] == u1)].iloc[0]
    ofi_id = ofis.from_gap(db, env["committee"], 2570, row.to_dict(), owner="unit1", due_date=DUE, today=TODAY)
    ofi = ofis.get(db, env["committee"], ofi_id)
    text = next(cp.text.th for _, _, cp in framework_for_year(2570).checkpoints() if cp.id == "1.1.B2")
    assert ofi["description"] == f"ยังไม่ผ่าน 1.1.B2: {text}"
    assert (ofi["source"], ofi["item"], ofi["units"], ofi["priority"]) == ("gap", "1.1", [u1], "medium")
    assert ofi["points"] == pytest.approx(float(row["points"])) and ofi["points"] > 0


def test_from_gap_makes_an_ofi_of_a_kpi_below_its_ceiling(db, env, unit_gaps):
    u2 = env["units"]["U2"]
    row = unit_gaps[(unit_gaps["ref"] == "RM3") & (unit_gaps["unit"] == u2)].iloc[0]
    ofi_id = ofis.from_gap(db, env["admin"], 2570, row, owner="board", due_date=DUE, priority="high", today=TODAY)
    ofi = ofis.get(db, env["committee"], ofi_id)
    name = next(k.name.th for _, k in framework_for_year(2570).kpis() if k.id == "RM3")
    assert ofi["description"] == f"ยกระดับ RM3 {name} ให้ถึงเกณฑ์สูงสุด"
    assert (ofi["item"], ofi["units"], ofi["priority"]) == ("7.2", [u2], "high")
    assert ofi["points"] == pytest.approx(float(row["points"]))


def test_from_gap_takes_a_department_gap_with_its_units(db, env, unit_gaps):
    shared = department_gaps(unit_gaps)
    row = shared[shared["ref"] == "1.1.B2"].iloc[0].to_dict()
    assert row["units"] == 2
    before = counts(db)
    with pytest.raises(InputError, match="error_ofi_units"):
        ofis.from_gap(db, env["committee"], 2570, row, owner="board", due_date=DUE, today=TODAY)
    assert counts(db) == before
    both = [env["units"]["U1"], env["units"]["U2"]]
    ofi_id = ofis.from_gap(db, env["committee"], 2570, row, owner="board", due_date=DUE, today=TODAY, units=both)
    ofi = ofis.get(db, env["committee"], ofi_id)
    assert ofi["units"] == both and ofi["unit_id"] is None
    assert ofi["points"] == pytest.approx(float(row["points"]))


@pytest.mark.parametrize(
    ("actor", "gap", "key"),
    [
        ("unit1", {"kind": "checkpoint", "ref": "1.1.B2", "item": "1.1", "points": 1.0}, None),
        ("committee", {"kind": "checkpoint", "ref": "9.9.B9", "item": "1.1", "points": 1.0},
         "error_unknown_checkpoint"),
        ("committee", {"kind": "kpi", "ref": "RM99", "item": "7.1", "points": 1.0}, "error_unknown_kpi"),
    ],
)
def test_from_gap_refusals_store_nothing(db, env, actor, gap, key):
    gap = {**gap, "unit": env["units"]["U1"]}
    before = counts(db)
    with pytest.raises(AccessDenied if key is None else InputError) as err:
        ofis.from_gap(db, env[actor], 2570, gap, owner="board", due_date=DUE, today=TODAY)
    if key:
        assert err.value.key == key
    assert counts(db) == before


def test_numpy_numbers_from_frames_are_accepted(db, env):
    ofi_id = new(db, env, year=np.int64(2570), units=[np.int64(env["units"]["U2"])], points=np.float64(1.5))
    row = ofis.get(db, env["committee"], ofi_id)
    assert (row["year"], row["units"], row["points"]) == (2570, [env["units"]["U2"]], 1.5)


# ---------------------------------------------------------------------------------------------
# descriptions in the reader's language (issue 25: gap OFIs stayed Thai in English screens and documents)


def texts_of(ref: str) -> dict[str, str]:
    framework = framework_for_year(2570)
    found = next(cp.text for _, _, cp in framework.checkpoints() if cp.id == ref)
    return {"th": found.th, "en": found.en}


def test_a_gap_ofi_reads_in_the_readers_language_and_keeps_its_gap(db, env, unit_gaps):
    row = unit_gaps[(unit_gaps["ref"] == "1.1.B2") & (unit_gaps["unit"] == env["units"]["U1"])].iloc[0]
    ofi_id = ofis.from_gap(db, env["committee"], 2570, row.to_dict(), owner="board", due_date=DUE, today=TODAY)
    text = texts_of("1.1.B2")
    expected = {"th": f"ยังไม่ผ่าน 1.1.B2: {text['th']}", "en": f"1.1.B2 not met yet: {text['en']}"}
    record = ofis.get(db, env["committee"], ofi_id)
    assert (record["gap_kind"], record["gap_ref"], record["generated"]) == ("checkpoint", "1.1.B2", 1)
    assert record["description"] == expected["th"]  # stored in the department's language
    listed = ofis.register(db, env["committee"], 2570, today=TODAY).iloc[0]
    [mine] = ofis.for_unit(db, env["unit1"], env["units"]["U1"], 2570)
    for lang in ("th", "en"):
        assert ofis.description(record, lang) == ofis.description(listed, lang) == expected[lang]
        assert ofis.description(mine, lang) == expected[lang]
    assert (listed["gap_kind"], listed["gap_ref"]) == ("checkpoint", "1.1.B2")
    _, detail = last_audit(db)
    assert detail["gap"] == "checkpoint:1.1.B2"


def test_a_kpi_gap_and_a_units_own_kpi_gap_read_in_either_language(db, env, unit_gaps):
    row = unit_gaps[(unit_gaps["ref"] == "RM3") & (unit_gaps["unit"] == env["units"]["U2"])].iloc[0]
    kpi = ofis.get(db, env["committee"], ofis.from_gap(db, env["committee"], 2570, row, owner="board",
                                                       due_date=DUE, today=TODAY))
    name = next(k.name for _, k in framework_for_year(2570).kpis() if k.id == "RM3")
    assert ofis.description(kpi, "en") == f"Raise RM3 {name.en} to its ceiling"
    assert ofis.description(kpi, "th") == f"ยกระดับ RM3 {name.th} ให้ถึงเกณฑ์สูงสุด"
    from storage.assessment import answers, assessments
    a = assessments.ensure(db, env["unit1"], env["units"]["U1"], 2570)
    _, own = answers.add_own_kpi(db, env["unit1"], a["id"], a["version"], "7.1", "อัตราการเบิกจ่ายรายไตรมาส", "%",
                                 "higher", 60.0, 90.0, 80.0)
    mine = ofis.get(db, env["committee"], ofis.from_gap(
        db, env["committee"], 2570, {"kind": "kpi", "ref": own, "item": "7.1", "unit": env["units"]["U1"]},
        owner="board", due_date=DUE, today=TODAY))
    assert ofis.description(mine, "en") == f"Raise {own} อัตราการเบิกจ่ายรายไตรมาส to its ceiling"


def test_a_description_a_person_edits_stays_as_typed_in_every_language(db, env, unit_gaps):
    row = unit_gaps[(unit_gaps["ref"] == "1.1.B2") & (unit_gaps["unit"] == env["units"]["U1"])].iloc[0]
    ofi_id = ofis.from_gap(db, env["committee"], 2570, row.to_dict(), owner="board", due_date=DUE, today=TODAY)
    ofis.update(db, env["committee"], ofi_id, 0, today=TODAY, status="in_progress")  # another field: still generated
    assert ofis.description(ofis.get(db, env["committee"], ofi_id), "en").startswith("1.1.B2 not met yet")
    ofis.update(db, env["committee"], ofi_id, 1, today=TODAY, description="Hold a vision workshop with partners")
    record = ofis.get(db, env["committee"], ofi_id)
    assert record["generated"] == 0 and record["gap_ref"] == "1.1.B2"
    for lang in ("th", "en"):
        assert ofis.description(record, lang) == "Hold a vision workshop with partners"
    frame = ofis.register(db, env["committee"], 2570, today=TODAY)
    assert list(frame[ofis.DESCRIPTIONS].iloc[0]) == ["Hold a vision workshop with partners"] * 2


def test_a_typed_ofi_reads_as_typed_and_a_carried_gap_ofi_stays_generated(db, env, unit_gaps):
    typed = new(db, env, description="ทบทวนวิสัยทัศน์")
    assert [ofis.description(ofis.get(db, env["committee"], typed), lang) for lang in ("th", "en")] == [
        "ทบทวนวิสัยทัศน์", "ทบทวนวิสัยทัศน์"]
    gap = {"kind": "checkpoint", "ref": "2.1.B1", "item": "2.1", "unit": env["units"]["U1"], "points": 1.0}
    old = ofis.from_gap(db, env["committee"], 2569, gap, owner="board", due_date=DUE, today=TODAY)
    [carried] = ofis.carry_over(db, env["committee"], 2569, 2570)
    record = ofis.get(db, env["committee"], carried)
    assert (record["carried_from"], record["gap_ref"], record["generated"]) == (old, "2.1.B1", 1)
    assert ofis.description(record, "en").startswith("2.1.B1 not met yet: ")


def test_a_gap_no_longer_in_the_criteria_reads_as_stored(db, env):
    ofi_id = new(db, env, description="ยังไม่ผ่าน 1.1.B9: ข้อความเดิม", source="gap")
    db.execute("UPDATE ofis SET gap_kind = 'checkpoint', gap_ref = '1.1.B9', generated = 1 WHERE id = ?", [ofi_id])
    record = ofis.get(db, env["committee"], ofi_id)
    assert ofis.description(record, "en") == "ยังไม่ผ่าน 1.1.B9: ข้อความเดิม"


# ---------------------------------------------------------------------------------------------
# gap OFIs of a store made before m019


def test_gap_ofis_of_an_older_store_get_their_reference_where_the_text_allows(tmp_path):
    from storage import open_database
    from storage.migrations import Migrations
    from storage.schema import migrations

    before = Migrations()
    before.steps = [step for step in migrations.steps if step[0] != "m019_ofi_gap_reference"]
    path = tmp_path / "old.db"
    old = open_database(path)
    before.apply(old)
    old["cycles"].insert({"year": 2570, "status": "open"})
    old["units"].insert({"id": 1, "code": "U1", "name_th": "กอง ก"})
    cp, kpi = texts_of("1.1.B2")["th"], next(k.name.th for _, k in framework_for_year(2570).kpis() if k.id == "RM3")
    rows = {
        1: ("gap", f"ยังไม่ผ่าน 1.1.B2: {cp}", None),  # generated, never edited
        2: ("gap", f"ยกระดับ RM3 {kpi} ให้ถึงเกณฑ์สูงสุด", None),
        3: ("gap", "ยังไม่ผ่าน 1.1.B3: ข้อความที่แก้แล้ว", None),  # edited (the audit log says so)
        4: ("gap", "ประชุมทีมทบทวนแผน", None),  # a gap OFI typed over: no reference to find
        5: ("committee", f"ยังไม่ผ่าน 1.1.B2: {cp}", None),  # not made from a gap
        6: ("gap", "ยังไม่ผ่าน 1.1.B3: ข้อความที่แก้แล้ว", 3),  # carried from an edited one
    }
    for ofi_id, (source, text, carried) in rows.items():
        old["ofis"].insert({"id": ofi_id, "year": 2570, "source": source, "item": "1.1", "unit_id": 1,
                            "description": text, "priority": "medium", "owner": "board", "due_date": "2026-06-30",
                            "status": "open", "carried_from": carried, "version": 0})
    old.execute("INSERT INTO audit_log (at, username, action, entity, entity_id, detail) VALUES "
                "('2026-01-01T00:00:00', 'board', 'update', 'ofi', '3', ?)",
                [json.dumps({"changes": {"description": {"old": "ยังไม่ผ่าน 1.1.B3: x", "new": "แก้"}}})])
    old.close()
    db = connect(path)
    got = {r[0]: r[1:] for r in db.execute("SELECT id, gap_kind, gap_ref, generated FROM ofis ORDER BY id")}
    assert got == {1: ("checkpoint", "1.1.B2", 1), 2: ("kpi", "RM3", 1), 3: ("checkpoint", "1.1.B3", 0),
                   4: (None, None, 0), 5: (None, None, 0), 6: ("checkpoint", "1.1.B3", 0)}
    board = accounts.create_user(db, "board", PASSWORD, "committee")
    assert ofis.description(ofis.get(db, board, 1), "en") == f"1.1.B2 not met yet: {texts_of('1.1.B2')['en']}"
    assert ofis.description(ofis.get(db, board, 3), "en") == "ยังไม่ผ่าน 1.1.B3: ข้อความที่แก้แล้ว"
    assert ofis.description(ofis.get(db, board, 4), "en") == "ประชุมทีมทบทวนแผน"
    db.close()


# ---------------------------------------------------------------------------------------------
# several gaps at once (issue 25: one gap at a time out of a 120-entry list)


def test_several_gaps_become_ofis_in_one_action_each_audited(db, env, unit_gaps):
    shared = department_gaps(unit_gaps)
    chosen = [shared[shared["ref"] == ref].iloc[0].to_dict() for ref in ("1.1.B2", "RM3")]
    before = counts(db)
    ids = ofis.from_gaps(db, env["committee"], 2570, chosen, ["board", "unit1"], DUE, "high", today=TODAY)
    assert len(ids) == 2
    made = [ofis.get(db, env["committee"], i) for i in ids]
    assert [(o["gap_ref"], o["owner"], o["priority"], o["source"]) for o in made] == [
        ("1.1.B2", "board", "high", "gap"), ("RM3", "unit1", "high", "gap")]
    assert made[0]["units"] == sorted(env["units"][u] for u in ("U1", "U2"))
    after = counts(db)
    assert (after["ofis"], after["audit_log"]) == (before["ofis"] + 2, before["audit_log"] + 2)
    assert [e[0] for e in db.execute("SELECT entity_id FROM audit_log WHERE action = 'create' ORDER BY id")][-2:] == [
        str(i) for i in ids]


def test_one_refused_gap_creates_none_and_the_message_names_it(db, env, unit_gaps):
    shared = department_gaps(unit_gaps)
    good = shared[shared["ref"] == "1.1.B2"].iloc[0].to_dict()
    unknown = {**good, "ref": "9.9.B9"}
    before = counts(db)
    with pytest.raises(InputError) as refused:
        ofis.from_gaps(db, env["committee"], 2570, [good, unknown], ["board", "board"], DUE, today=TODAY)
    assert refused.value.key == "error_ofi_gaps_refused"
    assert (refused.value.params["ref"], refused.value.params["n"]) == ("9.9.B9", 2)
    assert refused.value.params["reason"].key == "error_unknown_checkpoint"
    with pytest.raises(InputError) as refused:
        ofis.from_gaps(db, env["committee"], 2570, [good, good], ["board", "gone"], DUE, today=TODAY)
    assert refused.value.params["reason"].key == "error_ofi_owner"
    assert counts(db) == before
    with pytest.raises(InputError, match="error_ofi_gaps_none"):
        ofis.from_gaps(db, env["committee"], 2570, [], [], DUE, today=TODAY)
    with pytest.raises(AccessDenied):
        ofis.from_gaps(db, env["unit1"], 2570, [good], ["unit1"], DUE, today=TODAY)
    assert counts(db) == before


def test_default_owners_a_units_assessor_for_its_gap_the_committee_for_a_shared_one(db, env):
    from storage.assessment import answers, assessments

    u = env["units"]
    extra = accounts.create_user(db, "unit1b", PASSWORD, "unit", unit_id=u["U1"])
    a = assessments.ensure(db, extra, u["U1"], 2570)
    answers.save_narrative(db, extra, a["id"], a["version"], "1.1", "basic", "บันทึก")  # unit1b saved it last
    owners = ofis.default_owners(db, env["committee"], 2570, [[u["U1"]], [u["U2"]], [u["U1"], u["U2"]], [u["U3"]]])
    # U3 has no assessor: the committee member making the OFI
    assert owners == ["unit1b", "unit2", "board", "board"]
    assert ofis.default_owners(db, env["admin"], 2570, [[u["U1"], u["U3"]]]) == ["owner"]
    assert ofis.default_owners(db, env["committee"], 2569, [[u["U1"]]]) == ["unit1"]  # first by name
