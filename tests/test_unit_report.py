"""One unit's printable assessment (reports.unit_report): its text compared with the store, the PDF's pages
and fonts read back with poppler, and the command line."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime

import docx
import pytest
from readers import reader

from analysis.self_assessment import live_scores
from i18n import translate
from reports.__main__ import main
from reports.document import CSS, Table, pdf_layout, to_docx, to_pdf
from reports.unit_report import MET, unit_report
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments, reviews, years
from storage.organisation import accounts, org

YEAR = 2570
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")


@pytest.fixture
def plan(demo_db):
    unit_id = org.unit_id_of(demo_db, "PLAN")
    form = answers.load(demo_db, reader(demo_db), assessments.get(demo_db, unit_id, YEAR)["id"])
    return form, years.framework_of(demo_db, YEAR), org.unit(demo_db, unit_id)


def test_every_checkpoint_with_the_units_and_the_reviewed_answer(plan):
    form, framework, unit = plan
    report = unit_report(form, framework, unit, "th", datetime(2026, 11, 24, tzinfo=UTC))
    rows = {row[0]: row for block in report.blocks if isinstance(block, Table) for row in block.rows}
    for _, _, cp in framework.checkpoints():
        tick = form.ticks.get(cp.id, {})
        reviewed = tick.get("review") if tick.get("review") is not None else tick.get("self", False)
        assert rows[cp.id][3:] == (MET[bool(tick.get("self"))], MET[bool(reviewed)]), cp.id
    own = live_scores(form, framework, "self")
    assert rows["คะแนนรวม"][1] == round(own.total, 1)
    kpi = framework.item("7.1").kpis[0]
    assert rows[kpi.id][3:6] == tuple(form.kpi_values.get((kpi.id, fy), {}).get("self")
                                      for fy in (YEAR - 2, YEAR - 1, YEAR))
    word = docx.Document(io.BytesIO(to_docx(report)))  # the same blocks as Word, should a unit want to edit
    assert word.paragraphs[0].text == "แบบประเมินตนเองของกองแผนงาน ปี 2570"


@pytest.mark.parametrize(("lang", "built"), [("th", "24 พ.ย. 2569 07:00"), ("en", "24 Nov 2026 07:00")])
def test_notes_name_their_author_and_the_build_time_is_in_the_language_calendar(demo_db, plan, lang, built):
    # issue 25: the printout named the committee by login and was built at "2026-11-24 07:00" beside B.E. years
    form, framework, unit = plan
    committee = accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD)
    reviews.add_note(demo_db, committee, form.assessment["id"], "1.1", "comment", "แนบหลักฐานเพิ่ม")
    form = answers.load(demo_db, reader(demo_db), form.assessment["id"])
    report = unit_report(form, framework, unit, lang, datetime(2026, 11, 24, tzinfo=UTC),
                         {"demo-committee": "สมศรี กรรมการ"})
    text = "\n".join(str(getattr(block, "text", "")) + " ".join(map(str, getattr(block, "items", ())))
                     for block in report.blocks)
    assert translate("note_comment", lang, author="สมศรี กรรมการ", text="แนบหลักฐานเพิ่ม") in text
    assert "demo-committee" not in text and built in text and "2026-11-24" not in text


@pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")
def test_the_pdf_reads_back(plan, tmp_path):
    form, framework, unit = plan
    path = tmp_path / "unit.pdf"
    path.write_bytes(to_pdf(unit_report(form, framework, unit, "en", datetime(2026, 11, 24, tzinfo=UTC))))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "Self-assessmentofPlanningDivision,2570" in flat and "1.1.B1" in flat and "Self-assessmentPLAN2570·1" in flat
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Laksaman" in fonts


def test_table_rows_are_kept_whole_and_the_header_repeats():
    assert "tr { break-inside: avoid;" in CSS
    assert "thead { display: table-header-group; }" in CSS


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_table_row_is_split_across_pages(plan, lang):
    # issue 25: the unit PDF split a checkpoint's row between two pages, its text half on each
    from weasyprint.formatting_structure.boxes import TableBox, TableRowGroupBox

    form, framework, unit = plan
    layout = pdf_layout(unit_report(form, framework, unit, lang, datetime(2026, 11, 24, tzinfo=UTC)))
    pages_of: dict[int, set[int]] = {}
    fragments = 0
    for number, page in enumerate(layout.pages):
        for table in (box for box in page._page_box.descendants() if isinstance(box, TableBox)):
            groups = [g for g in table.children if isinstance(g, TableRowGroupBox)]
            assert groups[0].is_header, f"a table on page {number + 1} has no header row"
            fragments += 1
            for row in (row for group in groups if not group.is_header for row in group.children):
                pages_of.setdefault(id(row.element), set()).add(number)
    assert len(layout.pages) > 10 and fragments > len(layout.pages)  # a long report, tables over many pages
    assert len(pages_of) > 150 and all(len(pages) == 1 for pages in pages_of.values())


def test_word_rows_do_not_split_and_columns_keep_their_widths(plan):
    form, framework, unit = plan
    word = docx.Document(io.BytesIO(to_docx(unit_report(form, framework, unit, "th",
                                                        datetime(2026, 11, 24, tzinfo=UTC)))))
    rows = [row._tr for table in word.tables for row in table.rows[1:]]
    assert rows and all(tr.trPr.find("{*}cantSplit") is not None for tr in rows)
    # the column grid has the document's widths (LibreOffice lays out by it; it had them all equal)
    checkpoints = next(table for table in word.tables if len(table.columns) == 5)
    assert [round(column.width.cm, 1) for column in checkpoints.columns] == [2.2, 7.4, 3.2, 1.6, 1.6]


def test_the_command_line(demo_path, tmp_path):
    assert main(["unit", "--db", str(demo_path), "--year", str(YEAR), "--unit", "PLAN", "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"pmqa-unit-PLAN-{YEAR}-th.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(SystemExit, match="NOPE"):
        main(["unit", "--db", str(demo_path), "--year", str(YEAR), "--unit", "NOPE", "--out", str(tmp_path)])
