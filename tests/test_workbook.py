"""The department's workbook (reports.workbook), read back with openpyxl and compared, figure by figure, with
what the store and the scoring package give; and its command line."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from readers import reader
from sheet_checks import check_print_setup

from analysis.deliverables import year_figures
from analysis.scores import categories_of, cycle_scores
from i18n import translate
from reports.__main__ import main
from reports.workbook import year_workbook
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments, years
from storage.db import transaction
from storage.organisation import accounts
from storage.plans import ofis
from storage.record import department

YEAR = 2570
BUILT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _book(db, lang="th", source="best"):
    figures = year_figures(db, reader(db), YEAR, source, lang, now=BUILT)
    data = year_workbook(figures, ofis.register(db, reader(db), YEAR), lang)
    return openpyxl.load_workbook(io.BytesIO(data)), figures


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _sheet(book, key, lang="th"):
    return book[translate(f"wb_sheet_{key}", lang)]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_sheets_are_named_in_the_language_with_frozen_filtered_headers(demo_db, lang):
    book, _ = _book(demo_db, lang)
    names = [translate(f"wb_sheet_{k}", lang) for k in ("summary", "units", "items", "answers", "kpis", "gaps")]
    assert book.sheetnames == [*names, translate("ofi_register_title", lang)]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.b for cell in sheet[1] if cell.value is not None)
        assert sheet.max_row == 1 or sheet["A2"].font.name == "Tahoma", sheet.title


HEADERS = {  # issue 25: the answer and KPI sheets said "score" over answers and KPI values
    "th": {
        "summary": ["รายการ", "ค่า"],
        "units": ["รหัสหน่วยงาน", "หน่วยงาน", "สถานะ", "คะแนนรวม", *(f"คะแนนหมวด {c}" for c in range(1, 8))],
        "items": ["ประเด็น", "หมวด", "ชื่อประเด็น", "คะแนนประเมินตนเอง (ค่าเฉลี่ยของหน่วยงาน)",
                  "คะแนนตามผลตรวจ (ถ้ามี) หรือประเมินตนเอง (ค่าเฉลี่ยของหน่วยงาน)", "คะแนนตามแบบประเมินระดับกรม"],
        "answers": ["รหัสหน่วยงาน", "ประเด็นพิจารณา", "ประเด็น", "ระดับ", "คำตอบของหน่วยงาน",
                    "ผลตรวจ (ถ้ามี) หรือคำตอบของหน่วยงาน"],
        "kpis": ["รหัสหน่วยงาน", "ตัวชี้วัด", "ปีงบประมาณ (พ.ศ.)", "ค่าที่หน่วยงานรายงาน",
                 "ค่าจากการตรวจ (ถ้ามี) หรือค่าที่หน่วยงานรายงาน"],
        "gaps": ["ชนิด", "รหัสประเด็นพิจารณาหรือตัวชี้วัด", "ประเด็น", "หมวด", "ระดับ", "จำนวนหน่วยงานที่มีช่องว่างนี้",
                 "คะแนนรวมของกรมที่จะเพิ่มขึ้น", "ข้อความประเด็นพิจารณาหรือชื่อตัวชี้วัด"],
    },
    "en": {
        "summary": ["What", "Value"],
        "units": ["Unit code", "Unit", "Status", "Total score", *(f"Category {c} score" for c in range(1, 8))],
        "items": ["Item", "Category", "Item name", "Self-assessed score (mean of the units)",
                  "Score: Reviewed where available, else self (mean of the units)",
                  "Score in the department's assessment"],
        "answers": ["Unit code", "Checkpoint", "Item", "Level", "Unit's answer", "Reviewed answer, else the unit's"],
        "kpis": ["Unit code", "KPI", "Fiscal year (B.E.)", "Unit's value", "Reviewed value, else the unit's"],
        "gaps": ["Kind", "Checkpoint or KPI", "Item", "Category", "Level", "Units with this gap",
                 "Points the department's total gains", "Checkpoint text or KPI name"],
    },
}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_headers_say_what_each_column_holds(demo_db, lang):
    book, _ = _book(demo_db, lang)
    for sheet, headers in HEADERS[lang].items():
        assert [c.value for c in _sheet(book, sheet, lang)[1]] == headers, sheet


@pytest.mark.parametrize(("source", "header"), [("self", "Score: Self-assessed (mean of the units)"),
                                                ("review", "Score: Committee-reviewed (mean of the units)")])
def test_the_item_scores_header_names_the_score_source(demo_db, source, header):
    book, _ = _book(demo_db, "en", source)
    assert _sheet(book, "items", "en")["E1"].value == header


# every sheet prints fitted to the width of an A4 page: on its side where its columns are wide
ORIENTATION = {"summary": "portrait", "units": "landscape", "items": "landscape", "answers": "portrait",
               "kpis": "portrait", "gaps": "landscape"}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_sheet_is_set_up_to_print(demo_db, lang):
    # issue 25: the workbook had no print set-up
    book, _ = _book(demo_db, lang)
    expected = {translate(f"wb_sheet_{key}", lang): orientation for key, orientation in ORIENTATION.items()}
    expected[translate("ofi_register_title", lang)] = "landscape"
    assert set(book.sheetnames) == set(expected)
    for sheet in book.worksheets:
        check_print_setup(sheet, expected[sheet.title], lang)
    items = _sheet(book, "items", lang)  # headers wider than their columns wrap in a taller row
    assert items.row_dimensions[1].height >= 30 and items["E1"].alignment.wrap_text


@pytest.mark.parametrize(("lang", "shown"), [("th", "[$-7041E]d mmm yyyy hh:mm"), ("en", "[$-409]d mmm yyyy hh:mm")])
def test_the_build_time_shows_in_the_language_calendar_and_owners_by_name(demo_db, lang, shown):
    # issue 25: the workbook wrote "yyyy-mm-dd hh:mm" beside B.E. years, and the register's owners by login
    figures = year_figures(demo_db, reader(demo_db), YEAR, "best", lang, now=BUILT)
    ofis.create(demo_db, reader(demo_db), YEAR, "1.1", "ทบทวน", "high", "demo-unit", date(2099, 1, 1),
                [accounts.authenticate(demo_db, "demo-unit", DEMO_PASSWORD).unit_id])
    with transaction(demo_db):
        demo_db.execute("UPDATE users SET display_name = 'สมชาย ใจดี' WHERE username = 'demo-unit'")
    data = year_workbook(figures, ofis.register(demo_db, reader(demo_db), YEAR), lang, accounts.people(demo_db))
    book = openpyxl.load_workbook(io.BytesIO(data))
    built = next(row[1] for row in _sheet(book, "summary", lang).iter_rows(min_row=2)
                 if row[0].value == translate("wb_built_at", lang))
    assert built.value == datetime(2026, 11, 24, 10, 0) and built.number_format == shown
    register = book[translate("ofi_register_title", lang)]
    owners = [c.value for c in next(register.iter_cols(min_col=1 + [h.value for h in register[1]].index(
        translate("ofi_col_owner", lang))))][1:]
    assert "สมชาย ใจดี" in owners and "demo-unit" not in owners


def test_the_summary_names_the_year_source_build_time_and_figures(demo_db):
    book, figures = _book(demo_db)
    summary = dict(_rows(_sheet(book, "summary")))
    scores = cycle_scores(demo_db, YEAR, "best")
    assert summary[translate("wb_year", "th")] == YEAR
    assert summary[translate("wb_source", "th")] == translate("ov_source_best", "th")
    assert summary[translate("wb_built_at", "th")] == datetime(2026, 11, 24, 10, 0)  # Thailand time
    assert summary[translate("department_total", "th")] == pytest.approx(scores.result.total, abs=1e-9)
    for c, score in scores.result.categories.items():
        assert summary[translate("wb_category_score", "th", n=c)] == pytest.approx(score, abs=1e-9)
    tier = figures.award.tiers[0]
    assert summary[translate("wb_readiness", "th", tier=tier.tier.name.th)] == translate(
        "award_missing", "th", points=f"{tier.total_missing:,.1f}")
    assert translate("award_readiness_note", "th") in summary  # readiness, not an award


def test_units_items_answers_and_kpis_equal_the_store(demo_db):
    book, _ = _book(demo_db)
    scores, own = cycle_scores(demo_db, YEAR, "best"), cycle_scores(demo_db, YEAR, "self")
    table = assessments.status_table(demo_db, reader(demo_db), YEAR).set_index("code")
    by_unit = categories_of(scores.grid, years.framework_of(demo_db, YEAR))
    units = _rows(_sheet(book, "units"))
    assert len(units) == 20
    for code, name, status, total, *categories in units:
        unit_id = table.loc[code, "unit_id"]
        assert name == table.loc[code, "name_th"] and status == translate(f"status_{table.loc[code, 'status']}", "th")
        if unit_id in by_unit.index:
            assert total == pytest.approx(by_unit.loc[unit_id, "total"], abs=1e-9)
            assert categories == pytest.approx(by_unit.loc[unit_id, list(range(1, 8))].tolist(), abs=1e-9)
        else:
            assert total is None and categories == [None] * 7

    items = {row[0]: row for row in _rows(_sheet(book, "items"))}
    assert len(items) == 30
    for item, score in scores.result.items.items():
        assert items[item][4] == pytest.approx(score, abs=1e-9)
        assert items[item][3] == pytest.approx(own.result.items[item], abs=1e-9)
        assert items[item][5] is None  # no department assessment yet

    codes = table.reset_index().set_index("unit_id")["code"]
    answers = {(code, cp): (own_, review) for code, cp, _, _, own_, review in _rows(_sheet(book, "answers"))}
    met = {True: "ผ่าน", False: "ไม่ผ่าน"}
    for source, column in (("self", 0), ("best", 1)):
        frame, _ = assessments.score_inputs(demo_db, YEAR, source)
        assert {(codes[u], cp): met[m] for u, cp, m in frame.itertuples(index=False)} == {
            key: value[column] for key, value in answers.items()}

    kpis = {(code, kpi, fy): (own_, review) for code, kpi, fy, own_, review in _rows(_sheet(book, "kpis"))}
    results = assessments.kpi_results(demo_db, YEAR, "best")
    assert len(kpis) == len(results)
    for u, kpi, fy, value in results.itertuples(index=False):
        assert kpis[(codes[u], kpi, fy)][1] == pytest.approx(value)


def test_gaps_and_the_ofi_register_are_whole(demo_db):
    book, figures = _book(demo_db)
    gaps = _rows(_sheet(book, "gaps"))
    assert len(gaps) == len(figures.gaps) > 0
    assert [g[6] for g in gaps] == pytest.approx(figures.gaps["points"].tolist())
    register = ofis.register(demo_db, reader(demo_db), YEAR)
    assert len(_rows(book[translate("ofi_register_title", "th")])) == len(register)


def test_the_department_assessment_is_in_the_workbook_once_started(demo_db, demo_user):
    record = department.start(demo_db, demo_user("committee"), YEAR)
    book, figures = _book(demo_db)
    summary = dict(_rows(_sheet(book, "summary")))
    assert summary[translate("wb_record_total", "th")] == pytest.approx(figures.record.total)
    assert summary[translate("wb_record_status", "th")] == translate("status_draft", "th")
    items = {row[0]: row[5] for row in _rows(_sheet(book, "items"))}
    assert items["1.1"] == pytest.approx(figures.record.items["1.1"]) and record.version == 1


def test_no_cell_runs_as_a_formula(demo_db):
    demo_db.execute("UPDATE units SET name_th = '=HYPERLINK(\"http://x\",\"y\")' WHERE code = 'PLAN'")
    book, _ = _book(demo_db)
    cell = next(row[1] for row in _sheet(book, "units").iter_rows(min_row=2) if row[0].value == "PLAN")
    assert cell.value == "'=HYPERLINK(\"http://x\",\"y\")" and cell.data_type == "s"
    assert not any(c.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)


def test_the_command_line_writes_the_workbook(demo_path, tmp_path, capsys):
    assert main(["workbook", "--db", str(demo_path), "--year", str(YEAR), "--out", str(tmp_path), "--lang", "en"]) == 0
    path = tmp_path / f"pmqa-workbook-{YEAR}-en.xlsx"
    assert str(path) in capsys.readouterr().out
    assert openpyxl.load_workbook(path).sheetnames[0] == "Summary"
    with pytest.raises(SystemExit, match="no fiscal year 2599"):
        main(["workbook", "--db", str(demo_path), "--year", "2599", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="does not exist"):
        main(["workbook", "--db", str(tmp_path / "none.db"), "--year", str(YEAR), "--out", str(tmp_path)])
