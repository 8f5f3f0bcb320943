"""Faults of a PostgreSQL store: the server stopped in the middle of a save (a clear refusal, nothing half
written, the same connection object working again once the server is back), a connection cut by the server
between two actions (reconnected without the user noticing), and the write lock held by another session (a
clear "try again", nothing changed). Run where a test server is given (``make test-postgres``)."""

from __future__ import annotations

from contextlib import closing

import psycopg
import pytest
from postgres_cluster import cluster, wait_ready
from stores import SERVER, drop

from storage import audit, connect, migrations, open_store
from storage import db as store_db
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments
from storage.engine import WRITE_LOCK_KEY
from storage.errors import Busy, Unavailable
from storage.organisation import accounts

pytestmark = pytest.mark.skipif(not SERVER, reason="needs a PostgreSQL server (make test-postgres)")
YEAR = 2570


def unit_form(db):
    user = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
    form = assessments.get(db, user.unit_id, YEAR)
    if form["status"] != "draft":
        db.execute("UPDATE assessments SET status = 'draft' WHERE id = ?", [form["id"]])
        form = assessments.get(db, user.unit_id, YEAR)
    return user, form


def ticked(db, aid: int) -> int | None:
    row = db.execute("SELECT self_met FROM checkpoint_answers WHERE assessment_id = ? AND checkpoint = '1.1.B1'",
                     [aid]).fetchone()
    return None if row is None else row[0]


def test_the_server_stopping_mid_save_is_a_clear_refusal_and_the_store_works_again_when_it_returns(monkeypatch):
    with cluster() as server:
        wait_ready(server)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("CREATE DATABASE store")
        location = server.rsplit("/", 1)[0] + "/store"
        db = open_store(location)
        user, form = unit_form(db)
        before_version, before_tick, before_log = form["version"], ticked(db, form["id"]), audit.entries(db)

        real_record = audit.record

        def server_goes_away(*args, **kwargs):  # after the answer is written, before the save commits
            server.stop()
            return real_record(*args, **kwargs)

        monkeypatch.setattr(audit, "record", server_goes_away)
        with pytest.raises(Unavailable):
            answers.save_checkpoints(db, user, form["id"], before_version, {"1.1.B1": not before_tick})
        monkeypatch.undo()
        with pytest.raises(Unavailable):  # still down: every action says so, none hangs
            db.execute("SELECT 1")

        server.start()
        wait_ready(server)
        after = assessments.get(db, user.unit_id, YEAR)  # the same object connects again
        assert (after["version"], ticked(db, form["id"])) == (before_version, before_tick)  # nothing half-written
        assert len(audit.entries(db)) == len(before_log)
        version = answers.save_checkpoints(db, user, form["id"], before_version, {"1.1.B1": True})
        assert version == before_version + 1 and ticked(db, form["id"]) == 1
        db.close()


def test_a_connection_cut_between_two_actions_is_opened_again(demo_db):
    user, form = unit_form(demo_db)
    pid = demo_db.execute("SELECT pg_backend_pid()").fetchone()[0]
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    version = answers.save_checkpoints(demo_db, user, form["id"], form["version"], {"1.1.B1": True})
    assert version == form["version"] + 1
    assert demo_db.execute("SELECT pg_backend_pid()").fetchone()[0] != pid


def test_a_connection_cut_inside_a_save_loses_the_whole_save_and_says_so(demo_db, monkeypatch):
    user, form = unit_form(demo_db)
    before = ticked(demo_db, form["id"])
    pid = demo_db.execute("SELECT pg_backend_pid()").fetchone()[0]
    real_record = audit.record

    def cut(*args, **kwargs):
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real_record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", cut)
    with pytest.raises(Unavailable):
        answers.save_checkpoints(demo_db, user, form["id"], form["version"], {"1.1.B1": not before})
    monkeypatch.undo()
    assert assessments.get(demo_db, user.unit_id, YEAR)["version"] == form["version"]
    assert ticked(demo_db, form["id"]) == before


def test_the_write_lock_held_by_another_session_is_a_clear_try_again(demo_path, monkeypatch):
    monkeypatch.setattr(store_db, "WRITE_WAIT", 0.5)
    with closing(connect(demo_path)) as db:
        user, form = unit_form(db)
        with psycopg.connect(str(demo_path)) as other:  # another app server's session, mid-save
            other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [WRITE_LOCK_KEY, db.department])  # its department's
            with pytest.raises(Busy):
                answers.save_checkpoints(db, user, form["id"], form["version"], {"1.1.B1": True})
            assert assessments.get(db, user.unit_id, YEAR)["version"] == form["version"]
        version = answers.save_checkpoints(db, user, form["id"], form["version"], {"1.1.B1": True})  # released
        assert version == form["version"] + 1


def test_processes_opening_a_new_server_store_at_once_all_succeed_and_it_is_made_once(tmp_path):
    from stores import new_location
    from test_storage_years import race

    locations = [new_location(tmp_path, f"new-{n}") for n in range(3)]  # empty databases: no schema yet
    try:
        outcomes = race(locations, count=4)
        assert [o for o in outcomes if o[0] != "ok"] == []
        for location in locations:
            with closing(connect(location)) as db:
                assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrations.head(),)]
    finally:
        for location in locations:
            drop(location)
