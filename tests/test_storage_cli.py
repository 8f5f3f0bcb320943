"""`python -m storage`: an empty production store with a chosen admin password, or a demo store."""

import io
import re
from contextlib import closing
from pathlib import Path

import pytest
from sample_files import not_a_store

from i18n import catalogue, translate
from storage import connect, is_demo
from storage.__main__ import main
from storage.assessment import assessments, years
from storage.organisation.accounts import authenticate


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
    with pytest.raises(SystemExit, match="at least 10"):
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


# -- scripted set-up and nightly jobs ----------------------------------------------------------------

DEFAULT_CRITERIA = Path(__file__).resolve().parent.parent / "data" / "frameworks" / "pmqa4-default.yaml"
CSV = ("code,name_th,name_en,group,weight\nPLAN,กองแผนงาน,Planning Division,ส่วนกลาง,60\n"
       "RC01,ศูนย์เขต 1,Regional Centre 1,ศูนย์เขต,150\n")


@pytest.fixture
def production(tmp_path, monkeypatch):
    path = tmp_path / "prod.db"
    monkeypatch.setattr("sys.stdin", io.StringIO("a strong secret\n"))
    main(["init", "--db", str(path), "--admin", "owner", "--password-stdin"])
    return path


def run(argv, stdin="", monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_a_department_sets_itself_up_from_the_command_line(production, tmp_path, monkeypatch, capsys):
    db_arg = ["--db", str(production)]
    units_file = tmp_path / "units.csv"
    units_file.write_text(CSV, encoding="utf-8")
    assert run(["units", "import", str(units_file), *db_arg]) == 0
    assert "2 unit(s) added" in capsys.readouterr().out
    assert run(["users", "add", *db_arg, "--username", "plan1", "--role", "unit", "--unit", "PLAN",
                "--password-stdin"], "mango-tide-temp1\n", monkeypatch) == 0
    assert run(["year", "open", *db_arg, "--year", "2570"]) == 0
    default = DEFAULT_CRITERIA.read_text(encoding="utf-8")
    criteria_file = tmp_path / "pmqa4-2570.yaml"
    criteria_file.write_text(default.replace("ผู้บริหารกำหนดวิสัยทัศน์ พันธกิจ", "ผู้บริหารกำหนดวิสัยทัศน์และพันธกิจ"),
                             encoding="utf-8")
    assert run(["criteria", "load", str(criteria_file), "--year", "2570", *db_arg]) == 0
    assert "1 change(s)" in capsys.readouterr().out.splitlines()[-1]
    assert run(["users", "reset-password", *db_arg, "--username", "plan1", "--password-stdin"],
               "mango-tide-temp2\n", monkeypatch) == 0
    db = connect(production)
    user = authenticate(db, "plan1", "mango-tide-temp2")
    assert user is not None and user.must_change_password and user.role == "unit"
    assert years.current_phase(db, 2570)["phase"] == "self_assessment"
    assert years.framework_of(db, 2570).item("1.1").checkpoints.basic[0].text.th.startswith(
        "ผู้บริหารกำหนดวิสัยทัศน์และพันธกิจ")
    assessments.ensure(db, user, user.unit_id, 2570)  # the unit can start its form
    assert run(["year", "close", *db_arg, "--year", "2570"]) == 0
    assert years.cycle(db, 2570)["status"] == "closed"


def test_backup_then_restore_into_a_new_file(production, tmp_path, capsys):
    assert run(["backup", "--db", str(production), "--out", str(tmp_path / "nightly")]) == 0
    archive = Path(capsys.readouterr().out.strip())
    assert archive.parent == tmp_path / "nightly" and archive.suffix == ".zip"
    target = tmp_path / "restored" / "pmqa.db"
    assert run(["restore", str(archive), "--db", str(target)]) == 0
    assert "restored" in capsys.readouterr().out
    assert authenticate(connect(target), "owner", "a strong secret") is not None
    with pytest.raises(SystemExit, match="exists"):
        run(["restore", str(archive), "--db", str(target)])


def en(key: str, **params) -> str:
    """The catalogue's English text, which the command line prints for the store's refusals."""
    return re.escape(translate(key, "en", **params))


def no_key_in(message: str) -> None:
    """regression (issue 25): refusals ended with the catalogue key, "(error_password_common)"."""
    keys = [key for key in catalogue() if key.startswith("error_") and key in message]
    assert not keys and "error_" not in message, message


def _open_year(path: Path) -> None:
    run(["year", "open", "--db", str(path), "--year", "2570"])


def _close_year(path: Path) -> None:
    _open_year(path)
    run(["year", "close", "--db", str(path), "--year", "2570"])


# every refusal of every command on an existing store: (argv, stdin, what is there first, the message)
@pytest.mark.parametrize(("argv", "stdin", "before", "message"), [
    (["units", "import", "{bad_csv}"], "", None,
     r"1 problem\(s\); nothing was imported\nrow 3, column weight: The weight must be"),
    (["units", "import", "{missing}"], "", None, r"cannot read .*missing.csv: No such file"),
    (["units", "import", "{bad_yaml}"], "", None, en("error_import_file_type", name="bad.yaml")),
    (["users", "add", "--username", "x1", "--role", "unit", "--unit", "NOPE", "--password-stdin"], "long enough\n",
     None, en("error_no_unit_code", code="NOPE")),
    (["users", "add", "--username", "x1", "--role", "unit", "--password-stdin"], "mango-tide-temp1\n", None,
     en("error_user_unit")),
    (["users", "add", "--username", "x1", "--role", "director", "--password-stdin"], "short\n", None,
     en("error_password_short", n=10)),
    (["users", "add", "--username", "x1", "--role", "director", "--password-stdin"], "password123\n", None,
     en("error_password_common")),
    (["users", "add", "--username", "somchai", "--role", "director", "--password-stdin"], "somchai-has-a-long-pass\n",
     None, en("error_password_username")),
    (["users", "add", "--username", "a", "--role", "director", "--password-stdin"], "mango-tide-temp1\n", None,
     en("error_username", name="a")),
    (["users", "add", "--username", "owner", "--role", "director", "--password-stdin"], "mango-tide-temp1\n", None,
     en("error_username_taken", name="owner")),
    (["users", "add", "--username", "x1", "--role", "director", "--email", "bad", "--password-stdin"],
     "mango-tide-temp1\n", None, en("error_email", email="bad")),
    (["users", "reset-password", "--username", "nobody", "--password-stdin"], "long enough\n", None,
     en("error_no_user", name="nobody")),
    (["users", "reset-password", "--username", "owner", "--password-stdin"], "password123\n", None,
     en("error_password_common")),
    (["year", "open", "--year", "1999"], "", None, en("error_year_range", low=2500, high=2700)),
    (["year", "open", "--year", "2570"], "", _open_year, en("error_year_exists", year=2570)),
    (["year", "open", "--year", "2570", "--criteria", "{bad_yaml}"], "", None, "cannot be used"),
    (["year", "open", "--year", "2570", "--criteria", "{missing}"], "", None, r"cannot read .*missing.csv"),
    (["year", "close", "--year", "2599"], "", None, en("error_no_cycle", year=2599)),
    (["year", "close", "--year", "2570"], "", _close_year, en("error_year_closed", year=2570)),
    (["criteria", "load", "{bad_yaml}", "--year", "2570"], "", _open_year, "cannot be used"),
    (["criteria", "load", "{missing}", "--year", "2570"], "", _open_year, r"cannot read .*missing.csv"),
    (["criteria", "load", str(DEFAULT_CRITERIA), "--year", "2570"], "", None, en("error_no_cycle", year=2570)),
    (["criteria", "load", str(DEFAULT_CRITERIA), "--year", "2570"], "", _close_year,
     en("error_year_closed", year=2570)),
    (["backup", "--out", "{bad_yaml}"], "", None, r"cannot use .*bad.yaml: File exists"),
    (["restore", "{bad_yaml}"], "", None, en("error_backup_not_archive", name="bad.yaml")),
    (["restore", "{missing}"], "", None, r"cannot use .*missing.csv: No such file"),
])
def test_bad_input_exits_with_a_clear_message_and_changes_nothing(production, tmp_path, monkeypatch, argv, stdin,
                                                                   before, message):
    bad_csv, bad_yaml, missing = tmp_path / "units.csv", tmp_path / "bad.yaml", tmp_path / "missing.csv"
    bad_csv.write_text("code,name_th,name_en,group,weight\nPLAN,กองแผนงาน,Planning,ส่วนกลาง,60\n"
                       "HR,กองการเจ้าหน้าที่,Personnel,ส่วนกลาง,-5\n", encoding="utf-8")
    bad_yaml.write_text("id: broken\ncategories: [", encoding="utf-8")
    if before:
        before(production)
    argv = [a.format(bad_csv=bad_csv, bad_yaml=bad_yaml, missing=missing) for a in argv]
    target = ["--db", str(tmp_path / "new.db")] if argv[0] == "restore" else ["--db", str(production)]
    logged = connect(production).execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(SystemExit, match=message) as refused:
        run([*argv, *target], stdin, monkeypatch)
    no_key_in(str(refused.value.code))
    assert connect(production).execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == logged
    assert not (tmp_path / "new.db").exists()


def _no_admin(path: Path) -> Path:
    with closing(connect(path)) as conn:
        conn.execute("UPDATE users SET active = 0")
    return path


NO_ADMIN = "the store has no active admin; nothing was changed"
NOT_A_STORE = r"notes.db is not a store of this app \(not an SQLite database\); nothing was changed"


@pytest.mark.parametrize(("spoil", "command", "message"), [
    *[(_no_admin, command, NO_ADMIN) for command in (["units", "import", "units.csv"],
                                                     ["year", "open", "--year", "2570"],
                                                     ["year", "close", "--year", "2570"])],
    *[(not_a_store, command, NOT_A_STORE) for command in (["units", "import", "units.csv"],
                                                           ["year", "open", "--year", "2570"],
                                                           ["year", "close", "--year", "2570"],
                                                           ["backup", "--out", "nightly"])],
])
def test_a_store_without_an_admin_or_no_store_at_all_is_refused_plainly(production, tmp_path, spoil, command,
                                                                         message):
    (tmp_path / "units.csv").write_text(CSV, encoding="utf-8")
    store = spoil(production)
    before = _state(store)
    argv = [str(tmp_path / a) if a in ("units.csv", "nightly") else a for a in command]
    with pytest.raises(SystemExit, match=message) as refused:
        run([*argv, "--db", str(store)])
    no_key_in(str(refused.value.code))
    assert _state(store) == before and not (tmp_path / "nightly").exists()


def _state(path: Path):
    """What a refused command must leave as it was: the notes file, or the store's log and years."""
    if path.name == "notes.db":
        return path.read_text(encoding="utf-8")
    db = connect(path)
    return [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("audit_log", "cycles", "units")]


@pytest.mark.parametrize(("argv", "stdin", "again", "message"), [
    (["init", "--admin", "somchai", "--password-stdin"], "password123\n", None, en("error_password_common")),
    (["init", "--admin", "somchai", "--password-stdin"], "short\n", None, en("error_password_short", n=10)),
    (["init", "--admin", "somchai"], "", "mango-tide-temp2", "the passwords differ; nothing was changed"),
    (["init", "--admin", "somchai", "--password-stdin"], "a strong secret\n", "exists", "already exists"),
    (["demo"], "", "exists", "already exists; choose a new file"),
])
def test_init_and_demo_refusals_write_nothing(tmp_path, monkeypatch, argv, stdin, again, message):
    path = tmp_path / "new.db"
    if again == "exists":
        path.write_bytes(b"")
    elif again:  # typed twice, differently
        typed = iter(["mango-tide-temp1", again])
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    with pytest.raises(SystemExit, match=message) as refused:
        run([*argv, "--db", str(path)], stdin, monkeypatch)
    no_key_in(str(refused.value.code))
    assert path.exists() == (again == "exists") and (not path.exists() or path.stat().st_size == 0)


def test_commands_on_a_missing_store_name_the_file_and_create_nothing(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(SystemExit, match="does not exist; create a store with"):
        run(["year", "open", "--db", str(missing), "--year", "2570"])
    assert not missing.exists()
