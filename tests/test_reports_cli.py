"""`python -m reports`: every refusal is a plain English message (never a catalogue key) and writes nothing."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

import pytest
from sample_files import not_a_store

from i18n import catalogue, translate
from reports.__main__ import main
from storage import connect
from storage.admin.demo import UNITS

YEAR = 2570
NOT_STARTED = UNITS[4][0]  # the demo's fifth unit has no assessment in 2570


def _no_admin(path: Path) -> Path:
    with closing(connect(path)) as conn:
        conn.execute("UPDATE users SET active = 0 WHERE role = 'admin'")
    return path


def _gone(path: Path) -> Path:
    return path.with_name("nowhere.db")


def _as_is(path: Path) -> Path:
    return path


# (command and its own options, what the store is, the message)
@pytest.mark.parametrize(("argv", "store", "message"), [
    (["workbook"], _gone, r"nowhere.db does not exist"),
    (["application"], not_a_store, r"notes.db is not a store of this app \(not an SQLite database\)"),
    (["slides"], _no_admin, r"has no active admin to read as"),
    (["workbook", "--year", "2599"], _as_is, "the store has no fiscal year 2599"),
    (["unit", "--unit", "NOPE"], _as_is, re.escape(translate("error_no_unit_code", "en", code="NOPE"))),
    (["unit", "--unit", NOT_STARTED], _as_is, f"unit {NOT_STARTED} has no assessment in {YEAR}"),
])
def test_refusals_say_why_in_plain_english_and_write_nothing(demo_path, tmp_path, argv, store, message):
    out = tmp_path / "out"
    out.mkdir()
    year = [] if "--year" in argv else ["--year", str(YEAR)]
    with pytest.raises(SystemExit, match=message) as refused:
        # a missing file and a file that is not a store are files, whichever engine the other stores are on
        where = demo_path if store in (_no_admin, _as_is) else tmp_path / "demo.db"
        main([*argv, *year, "--db", str(store(where)), "--out", str(out)])
    shown = str(refused.value.code)
    # regression (issue 25): the store's refusals ended with their catalogue key, "(error_no_unit_code)"
    assert "error_" not in shown and not [k for k in catalogue() if k.startswith("error_") and k in shown]
    assert not list(out.iterdir())


def test_an_output_folder_that_is_not_one_is_refused(demo_path, tmp_path):
    with pytest.raises(SystemExit, match="is not a folder"):
        main(["workbook", "--db", str(demo_path), "--year", str(YEAR), "--out", str(tmp_path / "none")])


def test_a_file_that_cannot_be_written_is_named_with_the_reason(demo_path, tmp_path, monkeypatch):
    def full(path: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(SystemExit, match=r"cannot use .*pmqa-workbook-2570-th.xlsx: No space left on device"):
        main(["workbook", "--db", str(demo_path), "--year", str(YEAR), "--out", str(tmp_path)])
