"""Importing the unit list from CSV or Excel: files read in their encodings, every problem named by the row
and column a person sees, a preview of what changes, and an all-or-nothing audited apply."""

import csv
import io
import json

import openpyxl
import pytest

from intake import unit_import
from intake.unit_import import Problem
from storage.admin.demo import UNITS
from storage.db import transaction
from storage.errors import InputError
from storage.organisation import org

HEADER = ["code", "name_th", "name_en", "group", "weight"]
ALLOWED = "code (รหัส), name_th (ชื่อภาษาไทย), name_en (ชื่อภาษาอังกฤษ), group (กลุ่ม), weight (น้ำหนัก)"
GOOD = [["U1", "สำนักงานเลขานุการ", "Secretariat", "central", "12"],
        ["U2", "กองแผนงาน", "Planning", "central", ""],
        ["U3", "ศูนย์เขต 1", "", "regional", "1,200"]]


def csv_bytes(rows, header=HEADER, encoding="utf-8", sep=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for cells in [header, *rows]:
        sheet.append(cells)
    book.create_sheet("notes").append(["not", "read"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_of(db, rows, header=HEADER):
    return unit_import.plan(db, unit_import.read_table(csv_bytes(rows, header), "units.csv"))


def units_table(db) -> list[tuple]:
    return db.execute("SELECT * FROM units ORDER BY id").fetchall()


def audit_count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def demo_rows(**edits) -> list[list[str]]:
    """The demo department's units as a file would list them; ``edits`` replace a code's cells."""
    return [edits.get(code, [code, th, en, kind, str(staff)]) for code, th, en, kind, staff in UNITS]


# ---- reading ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "filename"), [
    (csv_bytes(GOOD), "units.csv"),
    (b"\xef\xbb\xbf" + csv_bytes(GOOD), "units.CSV"),
    (csv_bytes(GOOD, encoding="cp874"), "units.csv"),
    (csv_bytes(GOOD, encoding="utf-16"), "units.csv"),
    (csv_bytes(GOOD, sep=";"), "units.csv"),
    (csv_bytes(GOOD, sep="\t"), "units.csv"),
    (xlsx_bytes(GOOD), "units.xlsx"),
], ids=["utf8", "utf8-bom", "cp874", "utf16", "semicolon", "tab", "xlsx"])
def test_files_are_read_in_their_encodings(data, filename):
    table = unit_import.read_table(data, filename)
    assert table.header == HEADER
    assert table.rows == [(n, cells) for n, cells in enumerate(GOOD, start=2)]
    assert table.name == filename


def test_excel_numbers_become_text_and_blank_rows_keep_their_numbers():
    rows = [[101, "หน่วย 101", None, "central", 12.0], [None] * 5, ["R-2", "หน่วย 2", "Unit 2", None, 2.5]]
    table = unit_import.read_table(xlsx_bytes(rows), "units.xlsx")
    assert table.rows == [(2, ["101", "หน่วย 101", "", "central", "12"]), (4, ["R-2", "หน่วย 2", "Unit 2", "", "2.5"])]


def test_cells_are_trimmed_and_short_rows_padded():
    data = "code,name_th,name_en\n  U1 , \u200bชื่อ\u200b \n".encode()
    assert unit_import.read_table(data, "u.csv").rows == [(2, ["U1", "ชื่อ", ""])]


@pytest.mark.parametrize(("data", "filename", "key"), [
    (b"%PDF-1.7\n" + b"\x00" * 50, "units.pdf", "error_import_file_type"),
    (csv_bytes(GOOD), "units.xls", "error_import_file_type"),
    (csv_bytes(GOOD), "units", "error_import_file_type"),
    (b"", "units.csv", "error_import_empty"),
    (b" \r\n", "units.csv", "error_import_empty"),
    (csv_bytes([]), "units.csv", "error_import_empty"),
    (xlsx_bytes([]), "units.xlsx", "error_import_empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00\x01" * 50, "units.csv", "error_import_unreadable"),
    (b"%PDF-1.7\n" + b"x" * 100, "units.xlsx", "error_import_unreadable"),
    (xlsx_bytes(GOOD)[:200], "units.xlsx", "error_import_unreadable"),
    (csv_bytes([[f"U{n}", "x"] for n in range(2001)], ["code", "name_th"]), "units.csv",
     "error_import_too_many_rows"),
], ids=["pdf", "xls", "no-suffix", "zero-bytes", "whitespace", "header-only", "xlsx-header-only",
        "binary-as-csv", "pdf-as-xlsx", "truncated-xlsx", "2001-rows"])
def test_unusable_files_are_refused(data, filename, key):
    with pytest.raises(InputError) as error:
        unit_import.read_table(data, filename)
    assert error.value.key == key
    assert error.value.params["name"] == filename


def test_2000_rows_are_accepted():
    data = csv_bytes([[f"U{n}", "x"] for n in range(2000)], ["code", "name_th"])
    assert len(unit_import.read_table(data, "u.csv").rows) == 2000


# ---- checking ---------------------------------------------------------------------------------------------

def test_good_file_adds_units_with_defaults(db):
    plan = plan_of(db, GOOD)
    assert plan.ok and plan.problems == []
    assert plan.added == [
        {"code": "U1", "name_th": "สำนักงานเลขานุการ", "name_en": "Secretariat", "group": "central", "weight": 12.0},
        {"code": "U2", "name_th": "กองแผนงาน", "name_en": "Planning", "group": "central", "weight": 1.0},
        {"code": "U3", "name_th": "ศูนย์เขต 1", "name_en": "", "group": "regional", "weight": 1200.0},
    ]
    assert (plan.changed, plan.unchanged) == ([], 0)
    assert unit_import.apply(db, plan, "owner") == {"added": 3, "changed": 0}
    assert db.execute("SELECT code, name_th, name_en, kind, weight, active FROM units ORDER BY code").fetchall() == [
        ("U1", "สำนักงานเลขานุการ", "Secretariat", "central", 12.0, 1),
        ("U2", "กองแผนงาน", "Planning", "central", 1.0, 1),
        ("U3", "ศูนย์เขต 1", "", "regional", 1200.0, 1),
    ]


@pytest.mark.parametrize(("header", "column"), [
    (["รหัส", "ชื่อหน่วยงาน", "ชื่อภาษาอังกฤษ", "กลุ่ม", "น้ำหนัก"], "น้ำหนัก"),
    (["รหัส", "ชื่อภาษาไทย", "ชื่อภาษาอังกฤษ", "กลุ่ม", "น้ำหนัก"], "น้ำหนัก"),
    ([" Code ", "Name TH", "name-en", "GROUP", "Weight"], "Weight"),
])
def test_header_aliases_and_problems_name_the_header_as_written(db, header, column):
    assert plan_of(db, GOOD, header).added[0]["weight"] == 12.0
    [problem] = plan_of(db, [*GOOD[:2], ["U3", "ศูนย์", "", "", "-1"]], header).problems
    assert (problem.row, problem.column) == (4, column)


BAD = [  # (cells of the third data row, column named, key, params)
    (["", "ชื่อ", "", "", ""], "code", "import_problem_required", {"column": "code"}),
    (["A" * 21, "ชื่อ", "", "", ""], "code", "import_problem_too_long", {"column": "code", "limit": 20, "length": 21}),
    (["ศข01", "ชื่อ", "", "", ""], "code", "import_problem_code_chars", {"value": "ศข01"}),
    (["A B", "ชื่อ", "", "", ""], "code", "import_problem_code_chars", {"value": "A B"}),
    (["A/B", "ชื่อ", "", "", ""], "code", "import_problem_code_chars", {"value": "A/B"}),
    (["U9", "", "Name", "", ""], "name_th", "import_problem_required", {"column": "name_th"}),
    (["U9", "ก" * 201, "", "", ""], "name_th", "import_problem_too_long",
     {"column": "name_th", "limit": 200, "length": 201}),
    (["U9", "ชื่อ", "N" * 201, "", ""], "name_en", "import_problem_too_long",
     {"column": "name_en", "limit": 200, "length": 201}),
    (["U9", "ชื่อ", "", "g" * 51, ""], "group", "import_problem_too_long",
     {"column": "group", "limit": 50, "length": 51}),
    *[(["U9", "ชื่อ", "", "", value], "weight", "import_problem_weight", {"value": value, "limit": 1_000_000})
      for value in ("0", "-1", "abc", "1,2", "12,00", "1000001", "1e3", "nan", "inf", "1 200", "๐")],
]


@pytest.mark.parametrize(("cells", "column", "key", "params"), BAD,
                         ids=[f"{n}-{column}-{key.removeprefix('import_problem_')}" for n, (_, column, key, _) in
                              enumerate(BAD)])
def test_each_problem_is_named_by_row_and_column(db, cells, column, key, params):
    plan = plan_of(db, [*GOOD[:2], cells])
    assert plan.problems == [Problem(4, column, key, params)]
    assert not plan.ok
    assert [u["code"] for u in plan.added] == ["U1", "U2"]  # only rows without problems are previewed


@pytest.mark.parametrize(("value", "weight"), [("1,200", 1200.0), ("1,000,000", 1e6), ("12.5", 12.5), ("๑๒", 12.0),
                                               ("0.01", 0.01), ("007", 7.0)])
def test_weights_accepted(db, value, weight):
    plan = plan_of(db, [["U1", "ชื่อ", "", "", value]])
    assert plan.ok and plan.added[0]["weight"] == weight


def test_one_row_can_have_several_problems(db):
    plan = plan_of(db, [["", "", "", "", "x"]])
    assert [(p.row, p.column, p.key) for p in plan.problems] == [
        (2, "code", "import_problem_required"), (2, "name_th", "import_problem_required"),
        (2, "weight", "import_problem_weight")]


def test_repeated_codes_name_every_row_ignoring_case(db):
    rows = [["AB", "หนึ่ง", "", "", ""], ["CD", "สอง", "", "", ""], ["ab", "สาม", "", "", ""], ["CD", "สี่", "", "", ""],
            ["EF", "ห้า", "", "", ""]]
    plan = plan_of(db, rows)
    assert plan.problems == [Problem(2, "code", "import_problem_duplicate_code", {"code": "AB", "rows": "2, 4"}),
                             Problem(3, "code", "import_problem_duplicate_code", {"code": "CD", "rows": "3, 5"}),
                             Problem(4, "code", "import_problem_duplicate_code", {"code": "ab", "rows": "2, 4"}),
                             Problem(5, "code", "import_problem_duplicate_code", {"code": "CD", "rows": "3, 5"})]
    assert [u["code"] for u in plan.added] == ["EF"]


def test_blank_rows_are_skipped_but_counted_in_row_numbers(db):
    data = "code,name_th,weight\nU1,หนึ่ง,1\n,,\n\nU2,สอง,x\n".encode()
    plan = unit_import.plan(db, unit_import.read_table(data, "u.csv"))
    assert plan.problems == [Problem(5, "weight", "import_problem_weight", {"value": "x", "limit": 1_000_000})]


@pytest.mark.parametrize(("header", "rows", "problems"), [
    (["code", "name_en"], [["U1", "x"]],
     [Problem(1, "name_th", "import_problem_missing_column", {"column": "name_th", "thai": "ชื่อภาษาไทย"})]),
    (["name_th"], [["x"]],
     [Problem(1, "code", "import_problem_missing_column", {"column": "code", "thai": "รหัส"})]),
    (["code", "name_th", "remark"], [["U1", "x", "y"]],
     [Problem(1, "remark", "import_problem_unknown_column", {"column": "remark", "allowed": ALLOWED})]),
    (["code", "name_th", "", "weight"], [["U1", "x", "", "1"], ["U2", "y", "z", "1"]],
     [Problem(1, "C", "import_problem_unnamed_column", {"column": "C"})]),
    (["code", "ชื่อหน่วยงาน", "name_th"], [["U1", "x", "y"]],
     [Problem(1, "name_th", "import_problem_duplicate_column", {"column": "name_th", "first": "ชื่อหน่วยงาน"})]),
])
def test_header_problems(db, header, rows, problems):
    plan = plan_of(db, rows, header)
    assert plan.problems == problems
    assert not plan.ok


def test_unnamed_empty_columns_and_extra_cells_without_data_are_ignored(db):
    data = "code,name_th,,\nU1,หนึ่ง,,\nU2,สอง\n".encode()
    assert unit_import.plan(db, unit_import.read_table(data, "u.csv")).ok


def test_missing_column_stops_row_checks_but_unknown_column_does_not(db):
    assert len(plan_of(db, [["", "x"]], ["code", "name_en"]).problems) == 1
    plan = plan_of(db, [["U1", "x", "y"], ["U2", "", "z"]], ["code", "name_th", "remark"])
    assert [(p.row, p.key) for p in plan.problems] == [(1, "import_problem_unknown_column"),
                                                       (3, "import_problem_required")]


# ---- preview against a department ------------------------------------------------------------------------

def test_preview_of_changes_against_the_demo_department(demo_db):
    rows = demo_rows(SEC=["SEC", "สำนักงานเลขานุการกรม (ใหม่)", "Office of the Secretary", "central", "120"],
                     PLAN=["PLAN", "กองแผนงาน", "Planning Division", "central", "65"],
                     HR=["HR", "กองการเจ้าหน้าที่", "", "", ""])  # blanks keep the stored values
    plan = plan_of(demo_db, [*rows, ["QA", "กลุ่มพัฒนาระบบบริหาร", "Public Sector Development Group", "central", ""]])
    assert plan.ok
    assert plan.added == [{"code": "QA", "name_th": "กลุ่มพัฒนาระบบบริหาร", "name_en": "Public Sector Development Group",
                           "group": "central", "weight": 1.0}]
    assert [(b["code"], {k: (b[k], a[k]) for k in b if b[k] != a[k]}) for b, a in plan.changed] == [
        ("SEC", {"name_th": ("สำนักงานเลขานุการกรม", "สำนักงานเลขานุการกรม (ใหม่)")}),
        ("PLAN", {"weight": (60.0, 65.0)}),
    ]
    assert plan.unchanged == 18
    before, after = plan.changed[0]
    assert set(before) == set(after) == {"id", "code", "name_th", "name_en", "group", "weight", "active"}


def test_units_not_in_the_file_are_left_alone(demo_db):
    plan = plan_of(demo_db, [["PLAN", "กองแผนงาน", "", "", "61"]])
    assert (len(plan.changed), plan.unchanged, plan.added) == (1, 0, [])
    unit_import.apply(demo_db, plan, "owner")
    assert demo_db.execute("SELECT COUNT(*) FROM units WHERE active = 1").fetchone()[0] == 20


def test_codes_match_ignoring_case(demo_db):
    plan = plan_of(demo_db, [["sec", "สำนักงานเลขานุการกรม", "", "", ""], ["rc01", "ศูนย์ใหม่", "", "", ""]])
    assert (plan.added, plan.unchanged) == ([], 1)
    [(before, after)] = plan.changed
    assert before["code"] == after["code"] == "RC01"


def test_deactivated_unit_is_reactivated(demo_db):
    with transaction(demo_db):
        demo_db.execute("UPDATE units SET active = 0 WHERE code = 'RC12'")
    code, th, en, kind, staff = UNITS[-1]
    plan = plan_of(demo_db, [[code, th, en, kind, str(staff)]])
    [(before, after)] = plan.changed
    assert (before["active"], after["active"], plan.added) == (False, True, [])
    unit_import.apply(demo_db, plan, "owner")
    assert "RC12" in set(org.units(demo_db)["code"])
    detail = json.loads(demo_db.execute("SELECT detail FROM audit_log WHERE action = 'update'").fetchone()[0])
    assert detail == {"code": "RC12", "active": [False, True]}


# ---- applying ---------------------------------------------------------------------------------------------

def test_apply_writes_changes_with_audit_entries(demo_db):
    rows = demo_rows(SEC=["SEC", "สำนักเลขานุการกรม", "Secretariat", "central", ""],
                     PLAN=["PLAN", "กองแผนงาน", "Planning Division", "ส่วนกลาง", "65"])
    plan = plan_of(demo_db, [*rows, ["QA", "กลุ่มพัฒนาระบบบริหาร", "", "", "8"]])
    start = audit_count(demo_db)
    assert unit_import.apply(demo_db, plan, "owner") == {"added": 1, "changed": 2}
    entries = demo_db.execute("SELECT username, action, entity, entity_id, detail FROM audit_log WHERE id > "
                              "(SELECT MAX(id) - 4 FROM audit_log) ORDER BY id").fetchall()
    assert audit_count(demo_db) == start + 4
    ids = dict(demo_db.execute("SELECT code, id FROM units").fetchall())
    assert [(u, a, e, i) for u, a, e, i, _ in entries] == [
        ("owner", "create", "unit", str(ids["QA"])), ("owner", "update", "unit", str(ids["SEC"])),
        ("owner", "update", "unit", str(ids["PLAN"])), ("owner", "import", "units", None)]
    details = [json.loads(d) for *_, d in entries]
    assert details == [
        {"code": "QA", "name_th": "กลุ่มพัฒนาระบบบริหาร", "name_en": "", "kind": "", "weight": 8.0},
        {"code": "SEC", "name_th": ["สำนักงานเลขานุการกรม", "สำนักเลขานุการกรม"],
         "name_en": ["Office of the Secretary", "Secretariat"]},
        {"code": "PLAN", "kind": ["central", "ส่วนกลาง"], "weight": [60.0, 65.0]},
        {"file": "units.csv", "added": 1, "changed": 2, "unchanged": 18},
    ]
    assert demo_db.execute("SELECT name_th, name_en, kind, weight FROM units WHERE code = 'SEC'").fetchone() == (
        "สำนักเลขานุการกรม", "Secretariat", "central", 120.0)
    assert plan_of(demo_db, rows).changed == []  # the same file again changes nothing


def test_apply_refuses_a_plan_with_problems_and_changes_nothing(demo_db):
    plan = plan_of(demo_db, demo_rows(SEC=["SEC", "ใหม่", "", "", ""], PLAN=["PLAN", "กองแผนงาน", "", "", "-5"]))
    assert len(plan.changed) == 1 and not plan.ok
    units, entries = units_table(demo_db), audit_count(demo_db)
    with pytest.raises(InputError) as error:
        unit_import.apply(demo_db, plan, "owner")
    assert (error.value.key, error.value.params) == ("error_import_invalid", {"count": 1})
    assert (units_table(demo_db), audit_count(demo_db)) == (units, entries)


@pytest.mark.parametrize("meanwhile", [
    # a code the plan would add (in other letter case), a unit it would change, one it leaves unchanged
    lambda db: db.execute("INSERT INTO units (code, name_th) VALUES ('qa', 'กลุ่มอื่น')"),
    lambda db: db.execute("UPDATE units SET weight = 99 WHERE code = 'PLAN'"),
    lambda db: db.execute("UPDATE units SET active = 0 WHERE code = 'HR'"),
], ids=["added", "changed", "unchanged"])
def test_apply_refuses_when_units_changed_since_the_plan(demo_db, meanwhile):
    plan = plan_of(demo_db, [*demo_rows(PLAN=["PLAN", "กองแผนงาน", "", "", "65"]), ["QA", "ใหม่", "", "", ""]])
    with transaction(demo_db):
        meanwhile(demo_db)
    units, entries = units_table(demo_db), audit_count(demo_db)
    with pytest.raises(InputError) as error:
        unit_import.apply(demo_db, plan, "owner")
    assert error.value.key == "error_import_conflict"
    assert (units_table(demo_db), audit_count(demo_db)) == (units, entries)


def test_a_plan_cannot_be_applied_twice(db):
    plan = plan_of(db, GOOD)
    unit_import.apply(db, plan, "owner")
    with pytest.raises(InputError) as error:
        unit_import.apply(db, plan, "owner")
    assert (error.value.key, error.value.params) == ("error_import_conflict", {"codes": "U1, U2, U3"})
    assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 3


def test_an_oversized_file_is_refused_before_it_is_read():
    with pytest.raises(InputError) as refused:
        unit_import.read_table(b"code,name_th\n" + b"X" * unit_import.MAX_BYTES, "units.csv")
    assert refused.value.key == "error_file_size"
