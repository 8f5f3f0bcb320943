"""The ministry's workbook (reports.ministry_workbook), read back with openpyxl: its sheets in each language, the
Thai text exactly as given, the figures of ``analysis.ministry``, and a workbook of two departments read from
their real stores."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from ministry_helpers import TIERS, department
from readers import reader
from sheet_checks import check_print_setup

from analysis import ministry
from charts.ministry import reason_text
from i18n import translate
from reports.ministry_workbook import SHEETS, ministry_workbook
from storage.assessment import years

pytestmark = pytest.mark.filterwarnings("error")
BUILT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
SEVEN = dict.fromkeys(range(1, 8), 500.0)
NAME = "กรมควบคุมโรค (สำนักงานป้องกันควบคุมโรคที่ ๑๒ สงขลา) =ทดสอบ"


def made():
    return [department("A", {c: 300.0 + 20 * c for c in range(1, 8)}, name_th="กรมอนามัย", tiers=TIERS,
                       record="approved", built=True, units=20, submitted=18, reviewed=12),
            department("B", {c: 250.0 for c in range(1, 7)}, name_th=NAME, record="draft", units=40, submitted=10,
                       reviewed=4),
            department("C", {**dict.fromkeys(range(1, 8), 420.0), 3: 700.0}, maxima={**SEVEN, 3: 1000.0},
                       name_th="กรมการแพทย์", tiers=TIERS, units=30, submitted=30, reviewed=30),
            department("D", None, name_th="กรมสุขภาพจิต", units=12, submitted=0, reviewed=0)]


def book_of(departments, lang="th", history=()):
    data = ministry_workbook(departments, history, lang, ministry="กระทรวงสาธารณสุข", now=BUILT)
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_sheets_in_the_language_with_frozen_filtered_headers_set_up_to_print(lang):
    book = book_of(made(), lang)
    assert book.sheetnames == [translate(key, lang)[:31] for key in SHEETS.values()]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(cell.font.b and cell.font.name == "Tahoma" for cell in sheet[1] if cell.value is not None)
        assert sheet.max_row == 1 or sheet["A2"].font.name == "Tahoma", sheet.title
        check_print_setup(sheet, sheet.page_setup.orientation, lang)


def test_thai_text_is_kept_exactly_and_made_inert():
    book = book_of(made())
    names = {r[0]: r[1] for r in rows(book[translate("mn_sheet_progress", "th")])}
    assert names["B"] == NAME and names["A"] == "กรมอนามัย"  # no formula: the name does not start with "="
    note = {r[0]: r[1] for r in rows(book[translate("mn_sheet_note", "th")])}
    assert note[translate("mn_wb_ministry", "th")] == "กระทรวงสาธารณสุข"
    assert note[translate("wb_built_at", "th")] == datetime(2026, 12, 7, 10, 0)  # Thailand time
    assert translate("mn_wb_note_readiness", "th") in note and translate("award_readiness_note", "th") in note
    formula = department("F", {1: 100.0}, name_th="=HYPERLINK(\"x\")")
    sheet = book_of([formula])[translate("mn_sheet_progress", "th")]
    assert sheet["B2"].value == "'=HYPERLINK(\"x\")" and sheet["B2"].data_type == "s"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_figures_are_the_roll_ups(lang):
    departments = made()
    book = book_of(departments, lang)
    found = ministry.heatmap(departments)
    shares = book[translate("mn_sheet_heatmap", lang)]
    header = [c.value for c in shares[1]]
    assert header[:2] == [translate("mn_wb_key", lang), translate("mn_department", lang)]
    assert header[2] == translate("mn_wb_column_max", lang, column=translate("category_short", lang, n=1),
                                  maximum="500")
    assert header[-1] == translate("mn_wb_column_max", lang, column=translate("total_score", lang), maximum="500")
    by_key = {r[0]: r[2:] for r in rows(shares)}
    assert list(by_key) == ["A", "B", "C"]  # D has no scores: on the sheet of what is not compared
    for key, values in by_key.items():
        expected = found.shares.loc[key].tolist()
        assert [None if v != v else v for v in expected] == [pytest.approx(v) if v is not None else None
                                                            for v in values]
    assert shares["C2"].number_format == "0.0%"
    (rule_range, rules), = shares.conditional_formatting._cf_rules.items()
    assert str(rule_range.sqref) == "C2:J4" and rules[0].type == "colorScale"
    scores = {r[0]: r[2:] for r in rows(book[translate("mn_sheet_scores", lang)])}
    assert scores["C"][0] == 420.0 and scores["C"][2] is None and scores["B"][7] is None

    left = rows(book[translate("mn_sheet_left_out", lang)])
    assert [r[0] for r in left] == ["B", "B", "C", "C", "D"]
    assert left[-1][2:] == (translate("mn_wb_whole_department", lang), reason_text("no_scores", lang))
    assert left[2][2:] == (translate("category_short", lang, n=3), reason_text("other_maximum", lang, 1000, 500))

    tiers = rows(book[translate("mn_sheet_readiness", lang)])
    assert [r[0] for r in tiers] == (["ระดับ advance", "ระดับ own"] if lang == "th" else ["advance", "own"])
    assert tiers[0][4:8] == (1, 2, 1, 0) and tiers[1][4:8] == (1, 1, 0, 2)
    assert tiers[0][8] == departments[2].label(lang)

    progress = {r[0]: r for r in rows(book[translate("mn_sheet_progress", lang)])}
    assert progress["A"][2:9] == (20, 18, 12, 12, 0, 0.9, 0.6)
    assert progress["A"][9:] == (translate("status_approved", lang), translate("mn_built_yes", lang))
    assert progress["D"][9:] == (translate("status_not_started", lang), translate("mn_not_recorded", lang))
    assert progress["D"][7] is None or progress["D"][7] == 0  # 0 of 12 units submitted

    criteria = rows(book[translate("mn_sheet_criteria", lang)])
    assert len(criteria) == 3 and all(len(r[2]) == 64 for r in criteria)  # A and D use the same criteria
    assert criteria[0][5] == ", ".join(departments[i].label(lang) for i in (0, 3))


def test_trends_cover_every_year_given():
    history = [department("A", {1: 100.0, 2: 300.0}, year=2569), department("A", {1: 200.0, 2: 400.0})]
    book = book_of([history[1]], history=history)
    trend = rows(book[translate("mn_sheet_trends", "th")])
    assert [(r[0], r[2], r[3]) for r in trend] == [("A", 2569, "หมวด 1"), ("A", 2569, "หมวด 2"),
                                                   ("A", 2569, "คะแนนรวม"), ("A", 2570, "หมวด 1"),
                                                   ("A", 2570, "หมวด 2"), ("A", 2570, "คะแนนรวม")]
    assert [r[6] for r in trend] == pytest.approx([0.2, 0.6, 0.4, 0.4, 0.8, 0.6])


def test_a_workbook_of_two_real_departments(full_demo_db, demo_db):
    """Two departments' stores, one assessing categories 1-6: the workbook holds each one's Thai name and the
    category left out of the second."""
    years.set_rules(demo_db, reader(demo_db, "admin"), 2570, "zero", [1, 2, 3, 4, 5, 6])
    current = [ministry.department_year(full_demo_db, reader(full_demo_db, "director"), 2570, key="A"),
               ministry.department_year(demo_db, reader(demo_db, "director"), 2570, key="B")]
    history = ministry.department_years(full_demo_db, reader(full_demo_db, "director"), key="A")
    book = book_of(current, history=history)
    names = {r[0]: r[1] for r in rows(book[translate("mn_sheet_progress", "th")])}
    assert names == {"A": "กรมส่งเสริมคุณภาพบริการสาธารณะ", "B": "กรมส่งเสริมคุณภาพบริการสาธารณะ"}
    left = rows(book[translate("mn_sheet_left_out", "th")])
    assert [(r[0], r[2]) for r in left] == [("B", "หมวด 7"), ("B", "คะแนนรวม")]
    assert {r[2] for r in rows(book[translate("mn_sheet_trends", "th")])} == {2568, 2569, 2570}
