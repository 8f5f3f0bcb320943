"""The store's textual SQL as each driver takes it (storage.engine: ``?`` for each value, sent to the driver's own
cursor), by a table of cases and on a real store of either engine: values go where the marks are and nowhere
else, a literal keeps its text, and the driver's errors come as SQLAlchemy's."""

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.engine import _driver_sql, _values_taken


@pytest.mark.parametrize(("sql", "psycopg", "taken"), [
    ("SELECT 1", "SELECT 1", 0),
    ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s", 2),
    ("SELECT '?' || ?", "SELECT '?' || %s", 1),  # a mark inside a literal is text
    ("SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || %s", 1),  # a quote doubled inside a literal
    ("SELECT a FROM t WHERE b LIKE '50%' AND c = ?", "SELECT a FROM t WHERE b LIKE '50%%' AND c = %s", 1),
    ("SELECT a % 2 FROM t", "SELECT a %% 2 FROM t", 0),
    ('SELECT "odd?name%" FROM t WHERE a = ?', 'SELECT "odd?name%%" FROM t WHERE a = %s', 1),  # a quoted name
    ("SELECT a::text FROM t WHERE b = :name", "SELECT a::text FROM t WHERE b = %(name)s", 0),
    ("SELECT 'at 10:30' || :when", "SELECT 'at 10:30' || %(when)s", 0),  # a colon in a literal is text
])
def test_marks_become_the_drivers_and_nothing_else_changes(sql, psycopg, taken):
    assert _driver_sql(sql, sqlite=False) == psycopg
    assert _driver_sql(sql, sqlite=True) == sql  # sqlite3 reads ? and :name itself
    assert _values_taken(sql) == taken


def test_values_go_where_the_marks_are_on_a_real_store(db):
    row = db.execute("SELECT ? || '%?:x' || ?, 'it''s' || ?", ["a", "b", "?"]).fetchone()
    assert row == ("a%?:xb", "it's?")
    assert db.execute("SELECT :one || :two", {"one": "ก", "two": "ข"}).fetchone() == ("กข",)
    assert list(db.query("SELECT ? AS first, ? AS second", [1, "สอง"])) == [{"first": 1, "second": "สอง"}]
    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [("k1", "50%"), ("k2", "?")])
    assert db.execute("SELECT value FROM meta WHERE key LIKE 'k%' ORDER BY key").fetchall() == [("50%",), ("?",)]


def test_a_wrong_number_of_values_is_refused_before_anything_is_sent(db):
    with pytest.raises(ValueError, match="takes 2 values, 1 given"):
        db.execute("SELECT ?, ?", [1])


def test_the_drivers_errors_come_as_sqlalchemys_naming_the_statement(db):
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["k", "v"])
    with pytest.raises(IntegrityError) as raised:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ["k", "again"])
    assert raised.value.orig is not None and "meta" in str(raised.value.statement)
    assert not raised.value.connection_invalidated
    with pytest.raises(DBAPIError):
        db.execute("SELECT nothing FROM nowhere")
    assert db.execute("SELECT value FROM meta WHERE key = ?", ["k"]).fetchone() == ("v",)  # the store carries on
