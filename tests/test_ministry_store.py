"""A ministry in one PostgreSQL store: a generated ministry's departments each run their year in their own rows,
each sees only its own (row-level security), each department's accounts sign in to it, and each department's
figures read as its own overview shows them."""

from __future__ import annotations

import pytest
from conftest import MINISTRY_SIZE
from sqlalchemy.exc import DBAPIError
from stores import copy_store, drop, on_server

from analysis import ministry as rollup
from storage import connect
from storage.admin import demo
from storage.errors import AccessDenied, InputError
from storage.organisation import accounts, ministry, signin

pytestmark = pytest.mark.skipif(not on_server(), reason="a ministry's store is PostgreSQL (make test-postgres)")
DEPARTMENTS, UNITS = MINISTRY_SIZE


@pytest.fixture(scope="module")
def generated(tmp_path_factory, ministry_template):
    """One copy of the generated ministry for the module (its tests read it; a sign-in writes only its own
    attempt); the store and the departments' ids, in the order they were made."""
    location = copy_store(ministry_template, tmp_path_factory.mktemp("ministry"), "ministry.db")
    db = connect(location)
    yield db, [d["id"] for d in ministry.departments(db) if d["kind"] == "department"]
    db.close()
    drop(location)


def test_the_ministry_is_the_root_of_its_departments(generated):
    db, made = generated
    tree = {d["id"]: d for d in ministry.departments(db)}
    root = ministry.ministry(db)
    assert root["code"] == "ministry" and root["parent_id"] is None
    assert [tree[d]["parent_id"] for d in made] == [root["id"]] * DEPARTMENTS
    assert [tree[d]["name_th"] for d in made] == [f"กรมสาธิตที่ {n}" for n in range(1, DEPARTMENTS + 1)]


def test_each_department_sees_only_its_own_rows(generated):
    db, made = generated
    seen = {}
    for department in made:
        db.act_for(department)
        seen[department] = {
            "units": db.execute("SELECT COUNT(*) FROM units").fetchone()[0],
            "users": {r[0] for r in db.execute("SELECT username FROM users")},
            "years": [r[0] for r in db.execute("SELECT year FROM cycles ORDER BY year")],
            "foreign": db.execute("SELECT COUNT(*) FROM assessments WHERE department_id <> ?",
                                  [department]).fetchone()[0]}
    for n, department in enumerate(made, start=1):
        assert seen[department]["units"] == UNITS
        assert seen[department]["users"] == {f"d{n:02d}-{role}" for role in ("admin", "committee", "director", "unit")}
        assert seen[department]["years"] == list(demo.YEARS) and seen[department]["foreign"] == 0


def test_each_department_s_accounts_sign_in_to_it(generated):
    db, made = generated
    for n, department in enumerate(made, start=1):
        db.act_for(made[0])
        outcome = signin.sign_in(db, f"d{n:02d}-committee", demo.DEMO_PASSWORD)
        assert outcome.user.department_id == department and db.department == department


def test_each_department_s_figures_are_its_own(generated):
    """The roll-up's reading of a department, acting for it, as its own director."""
    db, made = generated
    figures = {}
    for n, department in enumerate(made, start=1):
        db.act_for(department)
        director = accounts.get_user(db, accounts.user_id_of(db, f"d{n:02d}-director"))
        figures[department] = rollup.department_year(db, director, demo.YEARS[-1], key=department)
        assert figures[department].progress.units_total == UNITS
    assert len({f.total for f in figures.values()}) == DEPARTMENTS  # each its own seed, its own scores


def test_a_department_code_is_checked_and_unique(db):
    with pytest.raises(InputError, match="error_department_code"):
        ministry.add_department(db, "Bad Code!", "กรม", None, "test")
    ministry.add_department(db, "dept-a", "กรมเอ", None, "test")
    with pytest.raises(InputError, match="error_department_code_taken"):
        ministry.add_department(db, "dept-a", "กรมเอซ้ำ", None, "test")
    with pytest.raises(InputError, match="error_department_name"):
        ministry.add_department(db, "dept-b", " ", None, "test")


@pytest.fixture
def viewer(generated):
    """The ministry's viewer account, signed in: the store acting for the ministry."""
    db, made = generated
    root = ministry.ministry(db)["id"]
    db.act_for(root)
    user = signin.sign_in(db, "ministry-viewer", demo.DEMO_PASSWORD).user
    yield db, made, user
    db.act_for(made[0])


def test_the_ministry_s_accounts_are_the_ministry_s_and_department_roles_a_department_s(generated):
    db, made = generated
    db.act_for(ministry.ministry(db)["id"])
    with pytest.raises(InputError):
        accounts.create_user(db, "ministry-committee", "x", "committee", weak_password=True)
    db.act_for(made[0])
    with pytest.raises(InputError):
        accounts.create_user(db, "d01-viewer", "x", "ministry_viewer", weak_password=True)


def test_the_ministry_reads_each_department_read_only(viewer):
    db, made, user = viewer
    for department in made:
        db.act_for(user.department_id)
        reader = ministry.read_as(db, user, department)
        figures = rollup.department_year(db, reader, demo.YEARS[-1], key=department)
        assert figures.progress.units_total == UNITS and db.department == department
        with pytest.raises(DBAPIError, match="read-only"):
            db.execute("UPDATE units SET name_th = 'เปลี่ยน'")
    db.act_for(user.department_id)
    assert db.execute("SELECT COUNT(*) FROM units").fetchone() == (0,)  # the ministry's own rows: none


def test_only_the_ministry_s_accounts_read_its_departments(viewer):
    db, made, user = viewer
    db.act_for(made[1])
    committee = accounts.get_user(db, accounts.user_id_of(db, "d02-committee"))
    with pytest.raises(AccessDenied):
        ministry.read_as(db, committee, made[0])
    db.act_for(user.department_id)
    with pytest.raises(AccessDenied):
        ministry.read_as(db, user, user.department_id)  # the ministry itself is not one of its departments
    reader = ministry.read_as(db, user, made[0])
    with pytest.raises(AccessDenied):  # while reading for the ministry, no one else acts through the store
        accounts.acting(db, committee)
    db.act_for(made[0])  # acting again: the reader is gone, writes are the department's again
    with pytest.raises(AccessDenied):
        accounts.acting(db, reader)
    db.execute("UPDATE units SET weight = weight WHERE id = (SELECT MIN(id) FROM units)")


def test_the_ministry_s_admin_makes_a_department_and_its_first_admin(generated):
    db, made = generated
    root = ministry.ministry(db)["id"]
    db.act_for(root)
    admin = signin.sign_in(db, "ministry-admin", demo.DEMO_PASSWORD).user
    before = len(ministry.departments(db))
    for bad, key in ((("new-dept", "กรมใหม่", None, "d01-admin", "a long temporary pass 7"), "error_username_taken"),
                     (("new-dept", "กรมใหม่", None, "newadmin", "short"), "error_password_short"),
                     (("Bad!", "กรมใหม่", None, "newadmin", "a long temporary pass 7"), "error_department_code")):
        with pytest.raises(InputError, match=key):
            ministry.create_department(db, admin, *bad)
    assert len(ministry.departments(db)) == before  # refused: nothing made
    department = ministry.create_department(db, admin, "new-dept", "กรมใหม่", "New Department", "newadmin",
                                            "a long temporary pass 7", "ผู้ดูแล กรมใหม่")
    assert db.department == root
    first = signin.sign_in(db, "newadmin", "a long temporary pass 7").user
    assert first.department_id == department and first.role == "admin" and first.must_change_password
    db.act_for(root)
    setups = {d["id"]: d for d in ministry.set_up(db, admin)}
    assert setups[department]["units"] == 0 and setups[department]["accounts"] == {"admin": 1}
    assert not any(setups[department]["steps"].values())
    assert setups[made[0]]["units"] == UNITS and setups[made[0]]["years"] == list(demo.YEARS)
    assert setups[made[0]]["accounts"] == {"admin": 1, "committee": 1, "director": 1, "unit": 1}
    db.act_for(made[0])
    committee = accounts.get_user(db, accounts.user_id_of(db, "d01-committee"))
    with pytest.raises(AccessDenied):
        ministry.create_department(db, committee, "x-dept", "กรมเอ็กซ์", None, "xadmin", "a long temporary pass 7")


def test_the_command_line_makes_a_new_store_a_ministry(db, capsys, monkeypatch):
    """``python -m storage ministry``: a new store's one department becomes the ministry, with its admin, who then
    adds the departments."""
    import io

    from storage.__main__ import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a long ministry pass 9\n"))
    main(["ministry", "--db", str(db.location), "--code", "moi", "--name-th", "กระทรวงทดลอง", "--admin", "somchai",
          "--password-stdin"])
    assert "ministry moi (department 1)" in capsys.readouterr().out
    assert ministry.ministry(db)["id"] == 1
    admin = signin.sign_in(db, "somchai", "a long ministry pass 9").user
    assert admin.role == "ministry_admin" and admin.department_id == 1
    made = ministry.create_department(db, admin, "first", "กรมแรก", None, "firstadmin", "a long temporary pass 7")
    assert [d["id"] for d in ministry.of_ministry(db, admin)[1]] == [made]
    with pytest.raises(InputError, match="error_ministry_exists"):
        ministry.found(db, "moi2", "กระทรวงที่สอง", None, "other", "a long ministry pass 9")
    viewer = ministry.add_account(db, admin, "viewer", "mango tide river 11", "ministry_viewer")
    assert viewer.department_id == 1 and viewer.must_change_password
    with pytest.raises(InputError):
        ministry.add_account(db, admin, "committee", "mango tide river 11", "committee")
    with pytest.raises(AccessDenied):
        ministry.add_account(db, viewer, "another", "mango tide river 11", "ministry_viewer")
