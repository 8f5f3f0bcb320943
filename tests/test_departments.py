"""Departments side by side in one store: every row a department owns carries its department, keys that were
unique within one department are unique within each, and on PostgreSQL row-level security lets a connection
see and write only its acting department's rows, whatever statement it sends."""

from __future__ import annotations

import importlib.util
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError
from stores import on_server, second_department

from storage import connect
from storage.assessment import years
from storage.db import transaction
from storage.errors import InputError
from storage.organisation import accounts, signin
from storage.tables import metadata

REVISION = Path(__file__).resolve().parent.parent / "storage" / "revisions" / "versions" / "0003_departments.py"
_spec = importlib.util.spec_from_file_location("departments_revision", REVISION)
revision = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(revision)

# and the tables made since, each a department's as it is made
OWNED = (*revision.OWNED, "document_jobs", "announcement_deliveries")
INSTALLATION = {"meta", "sign_in_attempts", "web_sessions", "departments", "directory"}
needs_server = pytest.mark.skipif(not on_server(), reason="row-level security is PostgreSQL's (make test-postgres)")


def test_every_table_is_the_installation_s_or_a_department_s():
    """A new table must say whose rows it holds: ``storage.tables`` gives a department's a department_id, and the
    revision lists it (so that PostgreSQL's row-level security covers it)."""
    for table in metadata.sorted_tables:
        if table.name in INSTALLATION - {"web_sessions", "directory"}:
            assert "department_id" not in table.c, table.name
        else:
            assert "department_id" in table.c, table.name
            assert not table.c.department_id.nullable, table.name
    assert set(OWNED) == set(metadata.tables) - INSTALLATION


def test_a_store_s_rows_are_its_first_department_s(full_demo_db):
    db = full_demo_db
    assert db.department == 1
    assert db.execute("SELECT id, code FROM departments").fetchall() == [(1, "main")]
    for name in OWNED:
        assert db.execute(f"SELECT COUNT(*) FROM {name} WHERE department_id <> 1").fetchone()[0] == 0, name
    assert db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0] > 0


def test_the_first_department_is_named_as_the_store_s_identity(full_demo_db):
    identity = full_demo_db.execute("SELECT name_th, name_en FROM department_identity").fetchone()
    assert full_demo_db.execute("SELECT name_th, name_en FROM departments WHERE id = 1").fetchone() == identity


def test_a_row_written_without_its_department_is_the_acting_department_s(db):
    other = second_department(db)
    db.act_for(other)
    db.execute("INSERT INTO units (code, name_th) VALUES (?, ?)", ["U1", "หน่วยหนึ่ง"])
    db["units"].insert({"code": "U2", "name_th": "หน่วยสอง"})
    db.act_for(1)
    db.execute("INSERT INTO units (code, name_th) VALUES (?, ?)", ["U1", "หน่วยหนึ่ง"])  # a code in each department
    rows = db.execute("SELECT department_id, code FROM units ORDER BY department_id, code").fetchall()
    assert rows == ([(1, "U1")] if on_server() else [(1, "U1"), (other, "U1"), (other, "U2")])
    db.act_for(other)
    assert db.execute("SELECT department_id, code FROM units ORDER BY code").fetchall() == (
        [(other, "U1"), (other, "U2")] if on_server() else rows)


@needs_server
def test_two_departments_run_the_same_year(db):
    """A year, its phases and its criteria file are each department's own: the same year opens in both."""
    other = second_department(db)
    for department in (1, other):
        db.act_for(department)
        admin = accounts.create_user(db, f"admin{department}", "x", "admin", weak_password=True)
        years.open_year(db, admin, 2569)
    db.act_for(other)
    assert years.cycle(db, 2569)["status"] == "open"
    assert db.execute("SELECT COUNT(*) FROM cycles WHERE department_id = ?", [other]).fetchone()[0] == 1


def test_the_acting_department_changes_only_between_transactions(db):
    with transaction(db), pytest.raises(RuntimeError):
        db.act_for(2)
    assert db.department == 1


# ---- PostgreSQL's wall: row-level security -------------------------------------------------------------

@needs_server
def test_the_store_s_role_is_held_to_the_policies(db):
    """Row-level security binds neither a superuser nor a role that bypasses it: the tests' stores connect as
    neither, as an installation's must."""
    assert db.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone() == (
        False,)
    forced = dict(db.execute("SELECT relname, relforcerowsecurity AND relrowsecurity FROM pg_class "
                             "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace").fetchall())
    assert {name for name, on in forced.items() if on} == set(OWNED)


@needs_server
def test_another_department_s_rows_are_out_of_sight_whatever_is_asked(full_demo_path):
    """Acting for a second department, no statement reads, changes or deletes a row of the first's, in any
    table; rows written naming the first department are refused by the database."""
    with connect(full_demo_path) as first:
        before = {name: first.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in OWNED}
        other = second_department(first)
    assert before["assessments"] > 0 and before["audit_log"] > 0
    with connect(full_demo_path) as db:
        db.act_for(other)
        for name in OWNED:
            assert db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] == 0, name
            assert db.execute(f"DELETE FROM {name}").rowcount == 0, name
            assert db.execute(f"UPDATE {name} SET department_id = {other}").rowcount == 0, name
        with pytest.raises(DBAPIError, match="row-level security"):
            db.execute("INSERT INTO units (code, name_th, department_id) VALUES (?, ?, 1)", ["X", "แทรก"])
    with connect(full_demo_path) as first:
        assert {name: first.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in OWNED} == before


@needs_server
def test_a_connection_acting_for_no_department_sees_nothing_and_writes_nothing(full_demo_path):
    with connect(full_demo_path) as db:
        db.execute("SELECT set_config('pmqa.department', '', false)")
        assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
        with pytest.raises(DBAPIError, match=r"row-level security|department_id"):
            db.execute("INSERT INTO units (code, name_th) VALUES (?, ?)", ["X", "แทรก"])


@needs_server
def test_departments_write_without_waiting_for_one_another(db):
    """Each department's writes take their own lock: one department's long transaction does not hold up
    another's save."""
    other = second_department(db)
    with connect(db.location) as second:
        second.act_for(other)
        with transaction(db):
            db.execute("INSERT INTO units (code, name_th) VALUES (?, ?)", ["A", "ก"])
            with transaction(second):  # would wait for the first (and time out) if both took one lock
                second.execute("INSERT INTO units (code, name_th) VALUES (?, ?)", ["A", "ก"])


# ---- signing in: the directory names each account's department ------------------------------------------

def test_the_directory_follows_the_accounts(db):
    """The database keeps the directory with ``users``, whatever writes them."""
    user = accounts.create_user(db, "somchai", "x", "admin", email="somchai@dept.go.th", weak_password=True)
    assert db.execute("SELECT user_id, username, email, department_id FROM directory").fetchall() == [
        (user.id, "somchai", "somchai@dept.go.th", 1)]
    db.execute("UPDATE users SET email = 'new@dept.go.th' WHERE id = ?", [user.id])
    assert db.execute("SELECT email FROM directory").fetchall() == [("new@dept.go.th",)]
    db.execute("DELETE FROM users")
    assert db.execute("SELECT COUNT(*) FROM directory").fetchone() == (0,)


@needs_server
def test_a_user_name_or_e_mail_is_one_account_s_in_the_whole_installation(db):
    accounts.create_user(db, "somchai", "x", "admin", email="somchai@dept.go.th", weak_password=True)
    db.act_for(second_department(db))
    with pytest.raises(InputError, match="error_username_taken"):
        accounts.create_user(db, "somchai", "x", "admin", weak_password=True)
    with pytest.raises(InputError, match="error_email_taken"):
        accounts.create_user(db, "somsri", "x", "admin", email="SOMCHAI@dept.go.th", weak_password=True)


@needs_server
def test_signing_in_acts_for_the_account_s_department(db):
    """A sign-in, a browser coming back with its token, and single sign-on each find the account in its own
    department, whichever department the store acted for before."""
    other = second_department(db)
    db.act_for(other)
    accounts.create_user(db, "somsri", "secret pass 1", "admin", email="somsri@second.go.th", weak_password=True)
    db.act_for(1)
    outcome = signin.sign_in(db, "somsri", "secret pass 1")
    assert outcome.user is not None and outcome.user.department_id == other and db.department == other
    token = signin.open_session(db, outcome.user, timedelta(minutes=30))
    db.act_for(1)
    assert signin.resume_session(db, token, timedelta(minutes=30)).username == "somsri" and db.department == other
    db.act_for(1)
    assert signin.sign_in_sso(db, "somsri@second.go.th", True, "test").user.username == "somsri"
    assert db.department == other
    db.act_for(1)
    assert signin.sign_in(db, "somsri", "wrong password").user is None


def test_a_sqlite_store_keeps_its_one_department(db):
    if on_server():
        pytest.skip("SQLite's limit")
    from storage.organisation import ministry

    with pytest.raises(InputError, match="error_ministry_needs_server"):
        ministry.add_department(db, "second", "กรมที่สอง", None, "test")
    assert db.execute("SELECT COUNT(*) FROM departments").fetchone() == (1,)


@needs_server
def test_a_ministry_s_store_is_refused_to_an_account_that_passes_row_level_security(db):
    """A superuser (or a BYPASSRLS role) would see every department's rows: with several departments in the
    store, the store is not opened for it, with the reason; with one, nothing changes."""
    from storage.errors import StoreError

    superuser = str(db.location).replace("//pmqa@", "//pmqa_admin@")
    connect(superuser).close()  # one department: opened
    second_department(db)
    with pytest.raises(StoreError, match="error_store_role_passes_walls"):
        connect(superuser)
    # the refused connection was closed, but its server session ends a moment later; until it has, the store's own
    # role may not drop the database (only a superuser ends a superuser's session: the teardown failed so once)
    for _ in range(500):
        if not db.execute("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND usename = ?",
                          ["pmqa_admin"]).fetchone():
            break
        time.sleep(0.01)  # polling the server for a session that is ending
    else:
        pytest.fail("the superuser's session never ended")
