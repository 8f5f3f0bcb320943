"""`python -m storage`: an empty production store with a chosen admin password, or a demo store."""

import io
from pathlib import Path

import pytest

from storage import assessments, connect, is_demo, years
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


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["units", "import", "{bad_csv}"], "", r"row 3, column weight"),
    (["users", "add", "--username", "x1", "--role", "unit", "--unit", "NOPE", "--password-stdin"], "long enough\n",
     "No unit has the code NOPE"),
    (["users", "add", "--username", "x1", "--role", "director", "--password-stdin"], "short\n", "at least 10"),
    (["users", "add", "--username", "x1", "--role", "director", "--password-stdin"], "password123\n", "common"),
    (["users", "reset-password", "--username", "nobody", "--password-stdin"], "long enough\n", "nobody not found"),
    (["year", "open", "--year", "1999"], "", "from 2500 to 2700"),
    (["year", "open", "--year", "2570", "--criteria", "{bad_yaml}"], "", "cannot be used"),
    (["year", "close", "--year", "2599"], "", "2599 not found"),
    (["criteria", "load", "{bad_yaml}", "--year", "2570"], "", "cannot be used"),
    (["criteria", "load", str(DEFAULT_CRITERIA), "--year", "2570"], "", "2570 not found"),
    (["restore", "{bad_yaml}"], "", "not a backup archive"),
])
def test_bad_input_exits_with_a_message_and_changes_nothing(production, tmp_path, monkeypatch, argv, stdin, message):
    bad_csv, bad_yaml = tmp_path / "units.csv", tmp_path / "bad.yaml"
    bad_csv.write_text("code,name_th,name_en,group,weight\nPLAN,กองแผนงาน,Planning,ส่วนกลาง,60\n"
                       "HR,กองการเจ้าหน้าที่,Personnel,ส่วนกลาง,-5\n", encoding="utf-8")
    bad_yaml.write_text("id: broken\ncategories: [", encoding="utf-8")
    argv = [a.format(bad_csv=bad_csv, bad_yaml=bad_yaml) for a in argv]
    target = ["--db", str(tmp_path / "new.db")] if argv[0] == "restore" else ["--db", str(production)]
    before = connect(production).execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(SystemExit, match=message):
        run([*argv, *target], stdin, monkeypatch)
    assert connect(production).execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before
    assert not (tmp_path / "new.db").exists()


def test_commands_on_a_missing_store_name_the_file_and_create_nothing(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(SystemExit, match="does not exist; create a store with"):
        run(["year", "open", "--db", str(missing), "--year", "2570"])
    assert not missing.exists()
