"""The offline Excel form: built from the store, filled in a spreadsheet, imported back. Every cell is checked
first and each problem named by sheet, row and column; nothing changes unless the whole file is valid; only
what the file changed is applied, in one audited save; a round trip keeps every value."""

import io
import json
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_files import edited_workbook

from intake import offline_form as of
from reports.offline_template import offline_template
from scoring import LEVELS
from storage.assessment import answers, assessments, offline, years
from storage.errors import AccessDenied, InputError, NotEditable
from storage.organisation import accounts, org

BUILT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SHEET = {"checkpoints": "ประเด็นพิจารณา", "items": "คำอธิบายการดำเนินงาน", "kpis": "ตัวชี้วัด"}


@pytest.fixture
def form(db):
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, user, unit_id, 2570)
    return {"db": db, "user": user, "id": a["id"], "unit": org.unit(db, unit_id)}


def template(form, lang="th") -> bytes:
    db = form["db"]
    loaded = answers.load(db, form["user"], form["id"])
    return offline_template(loaded, years.framework_of(db, 2570), form["unit"], lang, BUILT)


def edited(data: bytes, changes: dict[tuple[str, str], object]) -> bytes:
    """The file with cells changed: (sheet key or name, cell) -> value."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    names = {key: name for key in SHEET for name in book.sheetnames if name in (SHEET[key], of.sheet_name(key, "en"))}
    return edited_workbook(data, {(names.get(sheet, sheet), cell): value for (sheet, cell), value in changes.items()})


def row_of(data: bytes, sheet: str, row_id: str) -> int:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    name = next(n for n in book.sheetnames if n in (SHEET[sheet], of.sheet_name(sheet, "en")))
    for number, cells in enumerate(book[name].iter_rows(values_only=True), start=1):
        if cells[0] == row_id:
            return number
    raise AssertionError(row_id)


def plan_of(form, data: bytes, name="form.xlsx", who=False) -> of.OfflinePlan:
    """The file checked against the form as it is now; ``who``: each conflict names who changed it and when."""
    db = form["db"]
    return of.plan(answers.load(db, form["user"], form["id"]), years.framework_of(db, 2570), of.read(data, name),
                   db if who else None)


def state(form) -> tuple:
    db = form["db"]
    return (db.execute("SELECT version FROM assessments WHERE id = ?", [form["id"]]).fetchone()[0],
            db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0], offline.stored_values(db, form["id"]))


# ---- the file as built -------------------------------------------------------------------------------


def test_the_form_lists_every_checkpoint_item_and_kpi_with_the_units_values(form):
    db, user, aid = form["db"], form["user"], form["id"]
    v = answers.save_checkpoints(db, user, aid, 0, {"1.1.B1": True})
    v = answers.save_narrative(db, user, aid, v, "1.2", "advance", "เราประชุมทุกเดือน")
    answers.save_kpi_values(db, user, aid, v, {("RM1", 2569): 71.5})
    data = template(form)
    book = openpyxl.load_workbook(io.BytesIO(data))
    framework = years.framework_of(db, 2570)
    assert book.sheetnames == ["คำชี้แจง", *SHEET.values(), of.META]
    assert book[of.META].sheet_state == "veryHidden"
    rows = {key: list(book[name].iter_rows(values_only=True)) for key, name in SHEET.items()}
    assert [r[0] for r in rows["checkpoints"][1:]] == [cp.id for item, _, cp in framework.checkpoints()
                                                         if not item.is_results]
    met = {r[0]: r[4] for r in rows["checkpoints"][1:]}
    assert met["1.1.B1"] == "ใช่" and met["1.1.B2"] == "ไม่ใช่"
    accounts_ = {r[0]: r for r in rows["items"][1:]}
    assert accounts_["1.2"][2 + 1 + LEVELS.index("advance")] == "เราประชุมทุกเดือน"
    kpis = {r[0]: r for r in rows["kpis"][1:]}
    assert set(kpis) == {kpi.id for _, kpi in framework.kpis()}
    assert kpis["RM1"][8:11] == (None, 71.5, None)
    assert rows["kpis"][0][8:11] == ("ผล ปี 2568", "ผล ปี 2569", "ผล ปี 2570")
    # answers are the only editable cells, each with its list or range; ids and texts are protected
    sheet = book[SHEET["checkpoints"]]
    assert sheet.protection.sheet and sheet["A2"].protection.locked and not sheet["E2"].protection.locked
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"ใช่,ไม่ใช่"' and "E2" in str(lists[0].sqref)
    ranges = book[SHEET["kpis"]].data_validations.dataValidation
    assert any(dv.type == "decimal" and "I2" in str(dv.sqref) for dv in ranges)
    # read straight back, it changes nothing
    plan = plan_of(form, data)
    assert plan.ok and plan.changes == []


def test_the_english_form_has_english_sheets_and_words_and_imports_the_same(form):
    data = template(form, "en")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames[:4] == ["Instructions", "Checkpoints", "Accounts", "KPIs"]
    assert next(book["Checkpoints"].iter_rows(min_row=2, values_only=True))[4] == "No"
    row = row_of(data, "checkpoints", "1.1.B1")
    plan = plan_of(form, edited(data, {("checkpoints", f"E{row}"): "Yes"}))
    assert plan.ok and [(c.field, c.after) for c in plan.changes] == [(("met", "1.1.B1"), True)]


def test_text_that_looks_like_a_formula_is_written_as_text(form):
    db, user, aid = form["db"], form["user"], form["id"]
    answers.save_narrative(db, user, aid, 0, "1.1", "basic", "=HYPERLINK(\"http://x\")")
    book = openpyxl.load_workbook(io.BytesIO(template(form)))  # formulas as written, not their values
    cell = book[SHEET["items"]]["D2"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    assert plan_of(form, template(form)).changes == []


# ---- importing ---------------------------------------------------------------------------------------


def test_an_import_applies_what_the_file_changed_in_one_audited_save(form):
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    r_cp, r_item, r_kpi = row_of(data, "checkpoints", "1.1.B1"), row_of(data, "items", "1.2"), row_of(data, "kpis",
                                                                                                          "RM1")
    filled = edited(data, {("checkpoints", f"E{r_cp}"): "ใช่", ("items", f"E{r_item}"): "  บัญชีใหม่\r\nบรรทัดสอง ",
                           ("items", f"C{row_of(data, 'items', '2.1')}"): "ใช่",
                           ("kpis", f"K{r_kpi}"): "๘๐.๕", ("kpis", f"J{r_kpi}"): 1.0e-3})
    plan = plan_of(form, filled, "filled.xlsx")
    assert plan.ok
    assert {c.field: c.after for c in plan.changes} == {
        ("met", "1.1.B1"): True, ("text", "1.2", "advance"): "บัญชีใหม่\nบรรทัดสอง", ("none", "2.1"): True,
        ("kpi", "RM1", 2570): 80.5, ("kpi", "RM1", 2569): 0.001}
    change = next(c for c in plan.changes if c.field[0] == "met")
    assert (change.sheet, change.row, change.column) == (SHEET["checkpoints"], r_cp, "E")
    version, audits, _ = state(form)
    assert of.apply(db, user, plan) == {"changes": 5, "kept": 0, "version": version + 1}
    loaded = answers.load(db, user, aid)
    assert loaded.ticks["1.1.B1"]["self"] is True and loaded.none_met == {"2.1"}
    assert loaded.narratives[("1.2", "advance")] == "บัญชีใหม่\nบรรทัดสอง"
    assert loaded.kpi_values[("RM1", 2570)]["self"] == 80.5 and loaded.kpi_values[("RM1", 2569)]["self"] == 0.001
    entries = list(db.query("SELECT * FROM audit_log WHERE id > ?", [audits]))
    assert [e["action"] for e in entries] == ["save_offline"]
    detail = json.loads(entries[0]["detail"])
    assert detail["ticks"] == {"1.1.B1": True} and detail["values"] == {"RM1/2570": 80.5, "RM1/2569": 0.001}
    assert detail["file"] == "filled.xlsx" and detail["narratives"] == ["1.2/advance"]


def test_edits_made_in_the_app_meanwhile_stay_and_a_field_changed_in_both_is_refused(form):
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    v = answers.save_checkpoints(db, user, aid, 0, {"1.1.B2": True, "1.1.B3": True})
    r2, r3 = row_of(data, "checkpoints", "1.1.B1"), row_of(data, "checkpoints", "1.1.B3")
    # the file changes 1.1.B1 only: the app's 1.1.B2 and 1.1.B3 stay
    plan = plan_of(form, edited(data, {("checkpoints", f"E{r2}"): "ใช่"}))
    of.apply(db, user, plan)
    ticks = answers.load(db, user, aid).ticks
    assert {cp: ticks[cp]["self"] for cp in ("1.1.B1", "1.1.B2", "1.1.B3")} == dict.fromkeys(
        ("1.1.B1", "1.1.B2", "1.1.B3"), True)
    # the file leaves 1.1.B3 as it was downloaded (not met): the app's later tick stays
    assert ticks["1.1.B3"]["self"] is True and r3
    # a KPI value and an account changed in the app after the download, and differently in the file: refused
    v = answers.save_kpi_values(db, user, aid, v + 1, {("RM2", 2570): 50.0})
    answers.save_narrative(db, user, aid, v, "1.1", "basic", "ในระบบ")
    plan = plan_of(form, edited(data, {("checkpoints", f"E{r3}"): "ใช่", ("kpis", "K3"): 60.0,
                                       ("items", "D2"): "ในไฟล์", ("items", "E2"): "ข้อความอื่น"}))
    before = state(form)
    with pytest.raises(InputError) as refused:
        of.apply(db, user, plan)
    assert refused.value.key == "error_offline_conflict" and refused.value.params["n"] == 2
    assert refused.value.params["fields"] == f"{SHEET['items']} D2, {SHEET['kpis']} K3"
    assert state(form) == before
    # the same value in both is no conflict
    plan = plan_of(form, edited(data, {("kpis", "K3"): 50.0, ("items", "D2"): "ในระบบ", ("items", "E2"): "อื่น"}))
    of.apply(db, user, plan)
    assert answers.load(db, user, aid).narratives[("1.1", "advance")] == "อื่น"


def colleague(form):
    return accounts.create_user(form["db"], "unit1b", "correct horse", "unit", display_name="สมศรี",
                                unit_id=form["unit"]["id"])


def test_a_file_with_one_conflicting_cell_imports_every_other_cell_when_the_user_chooses_so(form):
    """Issue 25: the import refused the whole file for one conflicting cell that its preview did not mention."""
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    other = colleague(form)
    answers.save_narrative(db, other, aid, 0, "1.1", "basic", "ในระบบ")  # after the download, in the app
    r_cp, r_item, r_kpi = row_of(data, "checkpoints", "1.1.B1"), row_of(data, "items", "1.1"), row_of(data, "kpis",
                                                                                                          "RM1")
    filled = edited(data, {("checkpoints", f"E{r_cp}"): "ใช่", ("items", f"D{r_item}"): "ในไฟล์",
                           ("items", f"E{r_item}"): "ขั้นก้าวหน้า", ("kpis", f"K{r_kpi}"): 70})
    plan = plan_of(form, filled, who=True)
    assert plan.ok and len(plan.changes) == 4
    # the preview names the conflict: where, what the file says, what the app holds, who changed it when
    [conflict] = plan.conflicts
    assert (conflict.change.sheet, conflict.change.row, conflict.change.column) == (SHEET["items"], r_item, "D")
    assert (conflict.change.field, conflict.change.before, conflict.change.after) == (
        ("text", "1.1", "basic"), "", "ในไฟล์")
    assert (conflict.app, conflict.by) == ("ในระบบ", "unit1b") and conflict.at.startswith("20")
    assert [c.field for c in plan.rest] == [("met", "1.1.B1"), ("text", "1.1", "advance"), ("kpi", "RM1", 2570)]
    # importing it all is refused, and changes nothing
    before = state(form)
    with pytest.raises(InputError) as refused:
        of.apply(db, user, plan)
    assert refused.value.key == "error_offline_conflict"
    assert state(form) == before
    # importing the rest leaves the conflicting cell as it is in the app, in one audited save
    assert of.apply(db, user, plan, keep_app_values=True) == {"changes": 3, "kept": 1, "version": before[0] + 1}
    saved = answers.load(db, user, aid)
    assert saved.narratives[("1.1", "basic")] == "ในระบบ" and saved.narratives[("1.1", "advance")] == "ขั้นก้าวหน้า"
    assert saved.ticks["1.1.B1"]["self"] is True and saved.kpi_values[("RM1", 2570)]["self"] == 70
    entry = json.loads(db.execute("SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert entry["kept"] == ["1.1/basic"] and entry["narratives"] == ["1.1/advance"]


def test_a_conflict_made_after_the_preview_refuses_the_import_even_when_keeping_the_others(form):
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    other = colleague(form)
    v = answers.save_kpi_values(db, other, aid, 0, {("RM2", 2570): 50.0})
    plan = plan_of(form, edited(data, {("kpis", "K3"): 60.0, ("items", "D2"): "ในไฟล์"}), who=True)
    [conflict] = plan.conflicts
    assert (conflict.change.field, conflict.app, conflict.by) == (("kpi", "RM2", 2570), 50.0, "unit1b")
    answers.save_narrative(db, other, aid, v, "1.1", "basic", "ในระบบ")  # after the preview
    before = state(form)
    with pytest.raises(InputError) as refused:
        of.apply(db, user, plan, keep_app_values=True)
    assert refused.value.params["fields"] == f"{SHEET['items']} D2"
    assert state(form) == before
    # checked again, the file names both, and the rest (nothing here) can be imported
    again = plan_of(form, edited(data, {("kpis", "K3"): 60.0, ("items", "D2"): "ในไฟล์"}), who=True)
    assert [(c.change.field, c.by) for c in again.conflicts] == [(("text", "1.1", "basic"), "unit1b"),
                                                                 (("kpi", "RM2", 2570), "unit1b")]
    assert again.rest == []


def test_who_changed_a_field_last_is_read_from_the_audit_log(form):
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    other = colleague(form)
    assert offline.last_change(db, aid, ("kpi", "RM1", 2570)) == (None, None)
    v = answers.save_kpi_values(db, other, aid, 0, {("RM1", 2570): 60.0})
    answers.save_none_met(db, other, aid, v, "2.1", True)
    of.apply(db, user, plan_of(form, edited(data, {("kpis", f"K{row_of(data, 'kpis', 'RM1')}"): 61.0,  # kept
                                                     ("kpis", f"K{row_of(data, 'kpis', 'RM3')}"): 80.0,
                                                     ("items", "D2"): "ใหม่"})), keep_app_values=True)
    last = {key: offline.last_change(db, aid, key)[0] for key in (
        ("kpi", "RM1", 2570), ("kpi", "RM3", 2570), ("kpi", "RM2", 2570), ("text", "1.1", "basic"), ("none", "2.1"),
        ("met", "1.1.B1"))}
    assert last == {("kpi", "RM1", 2570): "unit1b", ("kpi", "RM3", 2570): "unit1", ("kpi", "RM2", 2570): None,
                    ("text", "1.1", "basic"): "unit1", ("none", "2.1"): "unit1b", ("met", "1.1.B1"): None}


@pytest.mark.parametrize(("sheet", "column", "value", "key"), [
    ("checkpoints", "E", "maybe", "off_problem_yes_no"),
    ("checkpoints", "E", 2, "off_problem_yes_no"),
    ("items", "C", "ไม่แน่ใจ", "off_problem_yes_no"),
    ("items", "D", "ก" * (answers.MAX_NARRATIVE + 1), "off_problem_too_long"),
    ("kpis", "K", "eighty", "off_problem_number"),
    ("kpis", "K", True, "off_problem_number"),
    ("kpis", "K", 101, "error_kpi_range"),
    ("kpis", "I", -0.5, "error_kpi_range"),
])
def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_changes(form, sheet, column, value, key):
    data = template(form)
    good = {("checkpoints", "E2"): "ใช่", ("kpis", "J2"): 75}
    plan = plan_of(form, edited(data, good | {(sheet, f"{column}4"): value}))
    assert not plan.ok and plan.changes == []
    assert [(p.sheet, p.row, p.column, p.key) for p in plan.problems] == [(SHEET[sheet], 4, column, key)]
    before = state(form)
    with pytest.raises(InputError):
        of.apply(form["db"], form["user"], plan)
    assert state(form) == before


def test_every_problem_of_a_file_is_listed_at_once_in_sheet_order(form):
    data = template(form)
    r_cp = row_of(data, "checkpoints", "1.1.B1")
    plan = plan_of(form, edited(data, {
        ("kpis", "K2"): "x", ("checkpoints", "E5"): "?", ("checkpoints", "A6"): "9.9.Z9",
        ("checkpoints", "A7"): "1.1.B1", ("checkpoints", "A8"): None,
        ("items", "C2"): "ใช่", ("checkpoints", f"E{r_cp}"): "ใช่"}))
    assert [(p.sheet, p.row, p.column, p.key) for p in plan.problems] == [
        (SHEET["checkpoints"], 5, "E", "off_problem_yes_no"),
        (SHEET["checkpoints"], 6, "A", "off_problem_unknown_id"),
        (SHEET["checkpoints"], 7, "A", "off_problem_repeated"),
        (SHEET["checkpoints"], 8, "A", "off_problem_no_id"),
        (SHEET["items"], 2, "C", "off_problem_none_met"),
        (SHEET["kpis"], 2, "K", "off_problem_number"),
    ]
    assert plan.problems[2].params == {"id": "1.1.B1", "first": r_cp}


def test_a_moved_column_or_a_renamed_sheet_is_a_problem(form):
    data = template(form)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book[SHEET["kpis"]].title = "ผลลัพธ์"
    book[SHEET["checkpoints"]]["E1"] = "คำตอบ"
    out = io.BytesIO()
    book.save(out)
    plan = plan_of(form, out.getvalue())
    assert [(p.sheet, p.row, p.column, p.key) for p in plan.problems] == [
        (SHEET["checkpoints"], 1, "E", "off_problem_header"), ("ตัวชี้วัด", 0, "", "off_problem_no_sheet")]


def test_ticking_an_item_answered_none_met_withdraws_that_answer_as_in_the_app(form):
    db, user, aid = form["db"], form["user"], form["id"]
    answers.save_none_met(db, user, aid, 0, "1.1", True)
    data = template(form)
    plan = plan_of(form, edited(data, {("checkpoints", f"E{row_of(data, 'checkpoints', '1.1.B1')}"): "ใช่"}))
    assert plan.ok
    of.apply(db, user, plan)
    assert answers.load(db, user, aid).none_met == set()


def test_rows_may_be_sorted_or_deleted(form):
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[SHEET["checkpoints"]]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    sheet.delete_rows(2, sheet.max_row)
    for r, values in enumerate(reversed(rows[:10]), start=2):  # ten rows kept, in reverse order
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c, value)
    sheet["E2"] = "ใช่"
    out = io.BytesIO()
    book.save(out)
    plan = plan_of(form, out.getvalue())
    assert plan.ok and [c.field for c in plan.changes] == [("met", rows[9][0])]
    of.apply(db, user, plan)
    assert {cp for cp, tick in answers.load(db, user, aid).ticks.items() if tick["self"]} == {rows[9][0]}


# ---- whole files refused ------------------------------------------------------------------------------


def other_form_file(form) -> bytes:
    db = form["db"]
    unit_id = org.add_unit(db, "U2", "หน่วยที่สอง", "Second unit")
    other = accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, other, unit_id, 2570)
    return offline_template(answers.load(db, other, a["id"]), years.framework_of(db, 2570), org.unit(db, unit_id),
                            "th", BUILT)


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (of.MAX_UNPACKED + 1))
    return out.getvalue()


def plain_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "รหัสประเด็น"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("make", "name", "key"), [
    (lambda form: b"code,met\n1.1.B1,yes\n", "form.csv", "error_offline_file_type"),
    (lambda form: b"PK\x03\x04 not really a zip", "form.xlsx", "error_offline_unreadable"),
    (lambda form: b"\x00" * 100, "form.xlsx", "error_offline_unreadable"),
    (lambda form: b"0" * (of.MAX_BYTES + 1), "form.xlsx", "error_file_size"),
    (lambda form: zip_bomb(), "form.xlsx", "error_file_unpacked"),
    (lambda form: plain_workbook(), "form.xlsx", "error_offline_not_form"),
    (other_form_file, "form.xlsx", "error_offline_other_form"),
])
def test_a_file_that_is_not_this_forms_is_refused_as_a_whole(form, make, name, key):
    data = make(form)
    before = state(form)
    with pytest.raises(InputError) as refused:
        plan_of(form, data, name)
    assert refused.value.key == key
    assert state(form) == before


def test_an_import_is_refused_when_the_form_cannot_be_changed_or_is_not_the_users(form):
    db, user, aid = form["db"], form["user"], form["id"]
    data = template(form)
    plan = plan_of(form, edited(data, {("checkpoints", "E2"): "ใช่"}))
    stranger = accounts.create_user(db, "other", "correct horse", "unit", unit_id=org.add_unit(db, "U9", "อื่น", "x"))
    committee = accounts.create_user(db, "board", "correct horse", "committee")
    before = state(form)
    for who, error in ((stranger, AccessDenied), (committee, AccessDenied)):
        with pytest.raises(error):
            of.apply(db, who, plan)
    db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [aid])
    with pytest.raises(NotEditable):
        of.apply(db, user, plan)
    assert state(form)[2] == before[2]


# ---- the round trip -----------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n=+-@'ก่ำ"),
               max_size=60).map(str.strip)


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_round_trip_keeps_every_value(form, data):
    """Values written in the file are the values stored; a form built afterwards holds them all and reads
    back as changing nothing."""
    original = template(form)
    changes, expected = {}, {}
    for sheet, row_id, column, kind in data.draw(st.lists(st.sampled_from([
            ("checkpoints", "1.1.B1", "E", "met"), ("checkpoints", "2.3.A1", "E", "met"),
            ("items", "1.3", "E", "text"), ("items", "4.1", "F", "text"), ("items", "6.2", "C", "none"),
            ("kpis", "RM1", "I", "kpi"), ("kpis", "RM3", "K", "kpi")]), unique=True, max_size=7)):
        cell = f"{column}{row_of(original, sheet, row_id)}"
        if kind in ("met", "none"):
            value = data.draw(st.booleans())
            changes[(sheet, cell)] = ("ใช่" if value else "ไม่ใช่") if kind == "met" else ("ใช่" if value else None)
        elif kind == "text":
            value = data.draw(TEXT)
            changes[(sheet, cell)] = value or None
        else:
            value = data.draw(st.none() | st.floats(0, 100).map(lambda x: round(x, 6)))  # Excel keeps 15 digits
            changes[(sheet, cell)] = value
        expected[(sheet, row_id, column)] = value
    plan = plan_of(form, edited(original, changes))
    assert plan.ok, plan.problems
    if plan.changes:
        of.apply(form["db"], form["user"], plan)
    after = offline.stored_values(form["db"], form["id"])
    for (sheet, row_id, column), value in expected.items():
        if sheet == "checkpoints":
            assert after.get(("met", row_id), False) is value
        elif sheet == "items" and column == "C":
            assert after.get(("none", row_id), False) is value
        elif sheet == "items":
            level = LEVELS[ord(column) - ord("D")]
            assert after.get(("text", row_id, level), "") == value
        else:
            fy = {"I": 2568, "J": 2569, "K": 2570}[column]
            assert after.get(("kpi", row_id, fy)) == value
    assert plan_of(form, template(form)).changes == []
