"""`python -m storage`: an empty production store with a chosen admin password, or a demo store."""

import io

import pytest

from storage import connect, is_demo
from storage.__main__ import main
from storage.accounts import authenticate


def test_init_creates_empty_production_store_with_one_admin(tmp_path, monkeypatch):
    path = tmp_path / "prod.db"
    monkeypatch.setattr("sys.stdin", io.StringIO("a strong secret\n"))
    assert main(["init", "--db", str(path), "--admin", "somchai", "--password-stdin"]) == 0
    db = connect(path)
    assert not is_demo(db)
    assert db.execute("SELECT username, role FROM users").fetchall() == [("somchai", "admin")]
    assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 0
    assert authenticate(db, "somchai", "a strong secret") is not None
    assert authenticate(db, "demo-admin", "demo-pass") is None  # no default password exists


def test_init_refuses_short_password_and_writes_no_file(tmp_path, monkeypatch):
    path = tmp_path / "prod.db"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit, match="at least 8"):
        main(["init", "--db", str(path), "--admin", "somchai", "--password-stdin"])
    assert not path.exists()


def test_init_refuses_an_existing_file(tmp_path, monkeypatch):
    path = tmp_path / "prod.db"
    path.write_bytes(b"")
    monkeypatch.setattr("sys.stdin", io.StringIO("a strong secret\n"))
    with pytest.raises(SystemExit, match="already exists"):
        main(["init", "--db", str(path), "--admin", "somchai", "--password-stdin"])


def test_demo_command_writes_the_demo_department(tmp_path, capsys):
    path = tmp_path / "demo.db"
    assert main(["demo", "--db", str(path)]) == 0
    assert is_demo(connect(path))
    assert "demo-pass" in capsys.readouterr().out
