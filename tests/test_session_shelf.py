"""The shelf of open stores (ui.session): each script run borrows an open, migrated store and gives it back, so a
run opens no connection and checks no schema; two runs at once never share one; a store left inside a
transaction is closed, not lent again."""

from __future__ import annotations

import threading

import pytest

from storage.db import transaction
from ui import session


@pytest.fixture
def shelf(demo_path, monkeypatch):
    monkeypatch.setenv("PMQA_DB", str(demo_path))
    session.forget_stores()
    yield session._shelf
    session.forget_stores()


def on_a_thread(action) -> object:
    """``action()`` on a new thread (as Streamlit runs each script run), its result."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", action()))
    thread.start()
    thread.join()
    return result["value"]


def a_run():
    db = session.store()
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] > 0
    session.release()
    return db


def test_runs_one_after_another_borrow_the_same_open_store(shelf, demo_path):
    first = on_a_thread(a_run)
    second = on_a_thread(a_run)
    assert second is first
    assert shelf[session.db_path()] == [first]


def test_a_run_holds_one_store_until_it_ends(shelf):
    def run():
        db = session.store()
        assert session.store() is db  # asked again in the same run: the same store
        session.release()
        return db

    on_a_thread(run)
    assert len(shelf[session.db_path()]) == 1


def test_runs_at_the_same_time_never_share_a_store(shelf):
    both_hold = threading.Barrier(2)
    held = []

    def run():
        db = session.store()
        held.append(db)
        both_hold.wait(timeout=30)  # each holds its store while the other asks for one
        session.release()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert held[0] is not held[1]
    assert sorted(map(id, shelf[session.db_path()])) == sorted(map(id, held))
    assert on_a_thread(a_run) in held  # and both are lent again


def test_a_run_cut_short_gives_its_store_back_when_its_thread_ends(shelf):
    lent = on_a_thread(session.store)  # no release: the run ended by an exception, say
    assert shelf[session.db_path()] == [lent]


def test_a_store_left_inside_a_transaction_is_closed_not_lent_again(shelf):
    unfinished = []

    def run():
        db = session.store()
        unfinished.append(transaction(db))
        unfinished[0].__enter__()  # a transaction never ended
        session.release()
        return db

    broken = on_a_thread(run)
    assert shelf[session.db_path()] == []
    assert broken.connection.closed
    assert on_a_thread(a_run) is not broken


def test_the_shelf_keeps_at_most_its_size_of_open_stores(shelf, monkeypatch):
    monkeypatch.setattr(session, "SHELF_SIZE", 2)
    start = threading.Barrier(3)

    def run():
        db = session.store()
        start.wait(timeout=30)
        session.release()
        return db

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(shelf[session.db_path()]) == 2
