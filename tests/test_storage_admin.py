"""Administration in the store: units (add, edit, deactivate), user accounts (temporary passwords, roles
and units, disabling, the last admin) and the first-run checklist."""

import json
import math

import pytest
from argon2 import PasswordHasher
from readers import reader

from storage import audit
from storage.admin.demo import DEMO_PASSWORD
from storage.admin.setup import STEPS, Step, checklist
from storage.assessment import assessments, years
from storage.errors import AccessDenied, InputError, NotEditable
from storage.organisation import accounts, org

PASSWORD = "correct horse"
YEAR = 2570


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheap argon2 settings: these tests are about the rules, not the hashes' strength."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def people(db):
    """An open year, a unit with its assessor, the committee and the PMQA owner."""
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit", weight=10)
    return {"unit_id": unit_id, "unit": accounts.create_user(db, "unit1", PASSWORD, "unit", unit_id=unit_id),
            "committee": accounts.create_user(db, "board", PASSWORD, "committee"),
            "admin": accounts.create_user(db, "owner", PASSWORD, "admin")}


def count(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def audited(db, action: str, entity: str) -> list[dict]:
    return [{"by": r[0], "id": r[1], "detail": json.loads(r[2]) if r[2] else None} for r in db.execute(
        "SELECT username, entity_id, detail FROM audit_log WHERE action = ? AND entity = ? ORDER BY id",
        [action, entity])]


def row(db, user_id: int) -> dict:
    return next(iter(db.query("SELECT * FROM users WHERE id = ?", [user_id])))


# -- units ------------------------------------------------------------------------------------------------

def test_an_admin_adds_a_unit_trimmed_and_audited(db, people):
    unit_id = org.add_unit(db, " HR ", " กองการเจ้าหน้าที่ ", " Personnel Division ", " central ", "55",
                           actor=people["admin"])
    assert org.unit(db, unit_id) == {"id": unit_id, "code": "HR", "name_th": "กองการเจ้าหน้าที่",
                                     "name_en": "Personnel Division", "kind": "central", "weight": 55.0, "active": 1}
    [entry] = [e for e in audited(db, "create", "unit") if e["id"] == str(unit_id)]
    assert entry["by"] == "owner" and entry["detail"]["code"] == "HR" and entry["detail"]["weight"] == 55.0
    assert list(org.units(db)["code"]) == ["U1", "HR"]


UNIT_REFUSALS = {
    "code taken": ({"code": "U1"}, "error_unit_code_taken"),
    "code taken, padded": ({"code": " U1 "}, "error_unit_code_taken"),
    "code empty": ({"code": "  "}, "error_unit_code"),
    "code with a space": ({"code": "HR 2"}, "error_unit_code"),
    "code in Thai": ({"code": "กอง"}, "error_unit_code"),
    "code too long": ({"code": "X" * 21}, "error_unit_code"),
    "Thai name empty": ({"name_th": "  "}, "error_unit_name"),
    "Thai name too long": ({"name_th": "ก" * 201}, "error_text_length"),
    "English name too long": ({"name_en": "a" * 201}, "error_text_length"),
    "group too long": ({"kind": "g" * 51}, "error_text_length"),
    "weight zero": ({"weight": 0}, "error_unit_weight"),
    "weight negative": ({"weight": -5}, "error_unit_weight"),
    "weight too large": ({"weight": 1_000_001}, "error_unit_weight"),
    "weight not a number": ({"weight": "many"}, "error_unit_weight"),
    "weight missing": ({"weight": None}, "error_unit_weight"),
    "weight NaN": ({"weight": math.nan}, "error_unit_weight"),
    "weight infinite": ({"weight": math.inf}, "error_unit_weight"),
}


@pytest.mark.parametrize(("change", "key"), UNIT_REFUSALS.values(), ids=UNIT_REFUSALS.keys())
def test_a_bad_unit_is_refused_and_nothing_is_stored(db, people, change, key):
    fields = {"code": "HR", "name_th": "กองการเจ้าหน้าที่", "name_en": "Personnel", "kind": "central",
              "weight": 55} | change
    before = (count(db, "units"), count(db, "audit_log"))
    with pytest.raises(InputError) as refused:
        org.add_unit(db, **fields, actor=people["admin"])
    assert refused.value.key == key
    assert (count(db, "units"), count(db, "audit_log")) == before


def test_only_an_admin_changes_units(db, people):
    for actor in (people["committee"], people["unit"]):
        with pytest.raises(AccessDenied):
            org.add_unit(db, "HR", "กองการเจ้าหน้าที่", "Personnel", actor=actor)
        with pytest.raises(AccessDenied):
            org.update_unit(db, actor, people["unit_id"], "U1", "ใหม่", "New", "central", 10)
        with pytest.raises(AccessDenied):
            org.set_unit_active(db, actor, people["unit_id"], False)
    assert count(db, "units") == 1 and org.unit(db, people["unit_id"])["name_th"] == "หน่วยทดสอบ"


def test_updating_a_unit_audits_what_changed(db, people):
    admin, unit_id = people["admin"], people["unit_id"]
    other = org.add_unit(db, "U2", "หน่วยอื่น", "Other unit")
    org.update_unit(db, admin, unit_id, "U1", "หน่วยทดสอบ", "Testing unit", "regional", 12.5)
    assert org.unit(db, unit_id) == {"id": unit_id, "code": "U1", "name_th": "หน่วยทดสอบ",
                                     "name_en": "Testing unit", "kind": "regional", "weight": 12.5, "active": 1}
    [entry] = audited(db, "update", "unit")
    assert entry == {"by": "owner", "id": str(unit_id), "detail": {
        "name_en": ["Test unit", "Testing unit"], "kind": ["central", "regional"], "weight": [10.0, 12.5]}}
    org.update_unit(db, admin, unit_id, " U1 ", "หน่วยทดสอบ", "Testing unit", "regional", 12.5)  # no change
    assert len(audited(db, "update", "unit")) == 1
    org.update_unit(db, admin, unit_id, "U1-NEW", "หน่วยทดสอบ", "Testing unit", "regional", 12.5)  # re-coded
    assert org.unit_id_of(db, "U1-NEW") == unit_id
    with pytest.raises(InputError, match="error_unit_code_taken"):
        org.update_unit(db, admin, other, "U1-NEW", "หน่วยอื่น", "Other unit", "central", 1)
    with pytest.raises(InputError, match="error_unit_weight"):
        org.update_unit(db, admin, other, "U2", "หน่วยอื่น", "Other unit", "central", 0)
    with pytest.raises(InputError, match="error_no_unit"):
        org.update_unit(db, admin, 999, "U9", "ไม่มี", "None", "central", 1)
    assert org.unit(db, other)["code"] == "U2" and len(audited(db, "update", "unit")) == 2


def test_a_deactivated_unit_keeps_its_history_and_takes_no_new_assessment(demo_db, demo_user):
    admin = demo_user("admin")
    law = org.unit_id_of(demo_db, "LAW")
    assessor = accounts.create_user(demo_db, "law1", PASSWORD, "unit", unit_id=law)
    history = [assessments.get(demo_db, law, year)["id"] for year in (2568, 2569)]
    assert assessments.get(demo_db, law, YEAR) is None  # not started this year

    org.set_unit_active(demo_db, admin, law, False)
    org.set_unit_active(demo_db, admin, law, False)  # already inactive: nothing to do
    assert "LAW" not in set(org.units(demo_db)["code"])
    assert org.all_units(demo_db).set_index("code")["active"]["LAW"] == 0
    assert law not in set(assessments.status_table(demo_db, reader(demo_db), YEAR)["unit_id"])
    assert [assessments.get(demo_db, law, year)["id"] for year in (2568, 2569)] == history
    entries = count(demo_db, "audit_log")
    with pytest.raises(NotEditable) as refused:
        assessments.ensure(demo_db, assessor, law, YEAR)
    assert refused.value.key == "error_unit_inactive"
    assert assessments.get(demo_db, law, YEAR) is None and count(demo_db, "audit_log") == entries
    with pytest.raises(InputError, match="error_unit_inactive"):  # no new assessor for it either
        accounts.add_user(demo_db, admin, "law2", PASSWORD, "unit", unit_id=law)
    assert [e["detail"] for e in audited(demo_db, "disable", "unit")] == [{"code": "LAW"}]

    org.set_unit_active(demo_db, admin, law, True)
    assert "LAW" in set(org.units(demo_db)["code"])
    assert assessments.ensure(demo_db, assessor, law, YEAR)["status"] == "draft"
    assert [e["detail"] for e in audited(demo_db, "enable", "unit")] == [{"code": "LAW"}]
    with pytest.raises(InputError, match="error_no_unit"):
        org.set_unit_active(demo_db, admin, 999, False)


# -- users ------------------------------------------------------------------------------------------------

def test_an_admin_adds_a_user_who_must_change_the_temporary_password(db, people):
    user = accounts.add_user(db, people["admin"], "somsri", "mango-tide-temp1", "committee", "สมศรี",
                             email=" somsri@example.go.th ")
    assert user.must_change_password and user.display_name == "สมศรี"
    assert row(db, user.id)["must_change_password"] == 1 and row(db, user.id)["email"] == "somsri@example.go.th"
    signed_in = accounts.authenticate(db, "somsri", "mango-tide-temp1")
    assert signed_in == user
    [entry] = [e for e in audited(db, "create", "user") if e["id"] == str(user.id)]
    assert entry["by"] == "owner" and entry["detail"] == {"name": "somsri", "role": "committee", "unit": None}
    with pytest.raises(AccessDenied):
        accounts.add_user(db, people["committee"], "somchai", "mango-tide-temp1", "committee")
    assert accounts.authenticate(db, "somchai", "mango-tide-temp1") is None


@pytest.mark.parametrize(("current", "new", "key"), [
    ("wrong horse", "battery staple", "error_password_current"),
    ("mango-tide-temp1", "mango-tide-temp1", "error_password_same"),
    ("mango-tide-temp1", "short", "error_password_short"),
    ("mango-tide-temp1", "password123", "error_password_common"),
    ("mango-tide-temp1", "Somsri-river-2026", "error_password_username"),
])
def test_change_password_refusals(db, people, current, new, key):
    user = accounts.add_user(db, people["admin"], "somsri", "mango-tide-temp1", "director")
    entries = count(db, "audit_log")
    with pytest.raises(InputError) as refused:
        accounts.change_password(db, user, current, new)
    assert refused.value.key == key
    assert accounts.authenticate(db, "somsri", "mango-tide-temp1").must_change_password
    assert count(db, "audit_log") == entries


def test_change_password_clears_the_flag_and_only_the_new_password_works(db, people):
    user = accounts.add_user(db, people["admin"], "somsri", "mango-tide-temp1", "director")
    accounts.change_password(db, user, "mango-tide-temp1", "battery staple")
    assert accounts.authenticate(db, "somsri", "mango-tide-temp1") is None
    signed_in = accounts.authenticate(db, "somsri", "battery staple")
    assert signed_in is not None and not signed_in.must_change_password
    assert audited(db, "change_password", "user") == [{"by": "somsri", "id": str(user.id), "detail": None}]
    accounts.set_active(db, people["admin"], user.id, False)
    with pytest.raises(AccessDenied):
        accounts.change_password(db, user, "battery staple", "another river song")


def test_reset_password_sets_a_temporary_password_and_the_old_one_stops_working(db, people):
    admin, unit = people["admin"], people["unit"]
    old_hash = row(db, unit.id)["password_hash"]
    accounts.reset_password(db, admin, unit.id, "mango-tide-temp2")
    assert row(db, unit.id)["password_hash"] != old_hash and row(db, unit.id)["must_change_password"] == 1
    assert accounts.authenticate(db, "unit1", PASSWORD) is None
    assert accounts.authenticate(db, "unit1", "mango-tide-temp2").must_change_password
    accounts.reset_password(db, None, unit.id, "mango-tide-temp3")  # the command line
    assert [e["by"] for e in audited(db, "reset_password", "user")] == ["owner", "command line"]
    entries = count(db, "audit_log")
    with pytest.raises(InputError, match="error_password_short"):
        accounts.reset_password(db, admin, unit.id, "short")
    with pytest.raises(InputError, match="error_password_common"):
        accounts.reset_password(db, admin, unit.id, "qwerty12345")
    with pytest.raises(AccessDenied):
        accounts.reset_password(db, people["committee"], unit.id, "mango-tide-temp4")
    with pytest.raises(InputError, match="error_no_user"):
        accounts.reset_password(db, admin, 999, "mango-tide-temp4")
    assert accounts.authenticate(db, "unit1", "mango-tide-temp3") is not None and count(db, "audit_log") == entries


USER_REFUSALS = {
    "unit role without a unit": ({"role": "unit", "unit_id": None}, "error_user_unit"),
    "committee with a unit": ({"role": "committee", "unit_id": "U1"}, "error_user_unit"),
    "admin with a unit": ({"role": "admin", "unit_id": "U1"}, "error_user_unit"),
    "unit role, inactive unit": ({"role": "unit", "unit_id": "OLD"}, "error_unit_inactive"),
    "unit role, no such unit": ({"role": "unit", "unit_id": 999}, "error_unit_inactive"),
    "unknown role": ({"role": "king", "unit_id": None}, "error_input"),
    "e-mail without a domain": ({"email": "somsri@"}, "error_email"),
    "e-mail without a dot": ({"email": "somsri@example"}, "error_email"),
    "e-mail with a space": ({"email": "som sri@example.go.th"}, "error_email"),
    "e-mail too long": ({"email": "a" * 190 + "@example.go.th"}, "error_email"),
    "name too long": ({"display_name": "ก" * 201}, "error_text_length"),
}


@pytest.mark.parametrize(("change", "key"), USER_REFUSALS.values(), ids=USER_REFUSALS.keys())
def test_update_user_refusals_change_nothing(db, people, change, key):
    org.add_unit(db, "OLD", "หน่วยเดิม", "Old unit")
    org.set_unit_active(db, people["admin"], org.unit_id_of(db, "OLD"), False)
    fields = {"role": "committee", "unit_id": None, "display_name": "คณะกรรมการ", "email": ""} | change
    if isinstance(fields["unit_id"], str):
        fields["unit_id"] = org.unit_id_of(db, fields["unit_id"])
    target = people["committee"].id
    before, entries = row(db, target), count(db, "audit_log")
    with pytest.raises(InputError) as refused:
        accounts.update_user(db, people["admin"], target, **fields)
    assert refused.value.key == key
    assert row(db, target) == before and count(db, "audit_log") == entries


def test_update_user_changes_role_unit_name_and_e_mail_audited(db, people):
    admin, committee, unit_id = people["admin"], people["committee"], people["unit_id"]
    accounts.update_user(db, admin, committee.id, "unit", unit_id, "  สมศรี  ", " somsri@example.go.th ")
    assert accounts.get_user(db, committee.id) == accounts.User(committee.id, "board", "สมศรี", "unit", unit_id)
    assert row(db, committee.id)["email"] == "somsri@example.go.th"
    [entry] = audited(db, "update", "user")
    assert entry == {"by": "owner", "id": str(committee.id), "detail": {
        "name": "board", "role": ["committee", "unit"], "unit_id": [None, unit_id],
        "display_name": ["board", "สมศรี"], "email": [None, "somsri@example.go.th"]}}
    accounts.update_user(db, admin, committee.id, "unit", unit_id, "สมศรี", "somsri@example.go.th")  # no change
    accounts.update_user(db, admin, committee.id, "director", None, "", "")  # blank name: the username
    assert accounts.get_user(db, committee.id).display_name == "board" and row(db, committee.id)["email"] is None
    assert len(audited(db, "update", "user")) == 2
    with pytest.raises(InputError, match="error_no_user"):
        accounts.update_user(db, admin, 999, "director", None, "ไม่มี")
    with pytest.raises(AccessDenied):
        accounts.update_user(db, committee, people["unit"].id, "director", None, "")


def test_a_disabled_user_cannot_sign_in_and_stays_listed(db, people):
    admin, unit = people["admin"], people["unit"]
    accounts.set_active(db, admin, unit.id, False)
    assert accounts.get_user(db, unit.id) is None
    assert accounts.authenticate(db, "unit1", PASSWORD) is None
    assert {u["username"]: u["active"] for u in accounts.users(db)}["unit1"] == 0
    assert "unit1" not in accounts.active_usernames(db)
    accounts.set_active(db, admin, unit.id, False)  # already disabled: nothing to do
    accounts.set_active(db, admin, unit.id, True)
    assert accounts.authenticate(db, "unit1", PASSWORD) == unit
    assert [e["detail"] for e in audited(db, "disable", "user")] == [{"name": "unit1"}]
    assert [e["detail"] for e in audited(db, "enable", "user")] == [{"name": "unit1"}]
    with pytest.raises(AccessDenied):
        accounts.set_active(db, people["committee"], unit.id, False)


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(db, people):
    admin = people["admin"]
    entries = count(db, "audit_log")
    with pytest.raises(InputError, match="error_last_admin"):
        accounts.set_active(db, admin, admin.id, False)
    with pytest.raises(InputError, match="error_last_admin"):
        accounts.update_user(db, admin, admin.id, "committee", None, "owner")
    assert accounts.get_user(db, admin.id) == admin and count(db, "audit_log") == entries

    second = accounts.add_user(db, admin, "owner2", "mango-tide-temp1", "admin")
    accounts.update_user(db, admin, second.id, "director", None, "")  # another admin remains: allowed
    accounts.update_user(db, admin, second.id, "admin", None, "")
    accounts.set_active(db, second, admin.id, False)  # the second disables the first
    assert accounts.get_user(db, admin.id) is None
    with pytest.raises(AccessDenied):  # the first's session is refused from now on
        accounts.set_active(db, admin, admin.id, True)
    with pytest.raises(InputError, match="error_last_admin"):
        accounts.set_active(db, second, second.id, False)
    with pytest.raises(InputError, match="error_last_admin"):
        accounts.update_user(db, second, second.id, "committee", None, "")
    assert accounts.get_user(db, second.id).role == "admin"


def test_sign_in_records_the_time_only_when_it_succeeds(db, people):
    assert row(db, people["unit"].id)["last_sign_in"] is None
    assert accounts.authenticate(db, "unit1", "wrong horse") is None
    assert row(db, people["unit"].id)["last_sign_in"] is None
    accounts.authenticate(db, "unit1", PASSWORD)
    first = row(db, people["unit"].id)["last_sign_in"]
    assert first and first[:4].isdigit() and "T" in first
    accounts.authenticate(db, "unit1", PASSWORD)
    assert row(db, people["unit"].id)["last_sign_in"] >= first


def test_users_lists_every_account_with_its_unit_code(db, people):
    accounts.set_active(db, people["admin"], people["committee"].id, False)
    listed = {u["username"]: (u["role"], u["unit_code"], u["active"], u["must_change_password"])
              for u in accounts.users(db)}
    assert listed == {"unit1": ("unit", "U1", 1, 0), "board": ("committee", None, 0, 0),
                      "owner": ("admin", None, 1, 0)}
    assert [u["username"] for u in accounts.users(db)][-1] == "board"  # disabled accounts last


# -- the first-run checklist --------------------------------------------------------------------------

def test_a_new_store_has_every_step_to_do(db):
    assert checklist(db) == [Step("units", False, "units"), Step("users", False, "users"),
                             Step("year", False, "years"), Step("thresholds", False, "criteria")]
    assert [s.id for s in checklist(db)] == list(STEPS)


def test_each_step_is_done_by_its_store_action(db):
    def done():
        return {s.id for s in checklist(db) if s.done}

    admin = accounts.create_user(db, "owner", PASSWORD, "admin")
    accounts.create_user(db, "board", PASSWORD, "committee")
    assert done() == set()  # the admin and the committee are not unit assessors
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit", actor=admin)
    assert done() == {"units"}
    assessor = accounts.add_user(db, admin, "unit1", "mango-tide-temp1", "unit", unit_id=unit_id)
    assert done() == {"units", "users"}
    years.open_year(db, admin, YEAR)
    assert done() == {"units", "users", "year"}
    years.set_thresholds(db, admin, YEAR, {"levels": {"basic": 300, "advance": 400, "significance": 500},
                                           "awards": {"pmqa_total": 400, "pmqa_category_min": 300, "category": 400},
                                           "ladder": [300, 350, 400]})
    assert done() == set(STEPS)
    accounts.set_active(db, admin, assessor.id, False)  # a disabled assessor does not count
    assert done() == {"units", "year", "thresholds"}
    org.set_unit_active(db, admin, unit_id, False)  # nor an inactive unit
    assert done() == {"year", "thresholds"}


def test_the_demo_store_is_set_up(demo_db):
    assert all(step.done for step in checklist(demo_db))
    assert accounts.authenticate(demo_db, "demo-admin", DEMO_PASSWORD) is not None


def test_audit_entries_filter_by_the_days_people_in_thailand_see(db):
    """Thailand is seven hours ahead of the log's UTC: 20:30 UTC on 24 November is 25 November there."""
    from datetime import date

    db.execute("INSERT INTO audit_log (at, username, action, entity) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
               ["2030-11-24T16:59:59.999+00:00", "late-24th", "test", "store",
                "2030-11-24T20:30:00.000+00:00", "early-25th", "test", "store"])
    day = date(2030, 11, 25)
    assert list(audit.entries(db, since=day, until=day)["username"]) == ["early-25th"]
    assert list(audit.entries(db, since=date(2030, 11, 24), until=date(2030, 11, 24))["username"]) == ["late-24th"]
