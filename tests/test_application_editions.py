"""The application's two editions, read back from the files on the demo store as it is first made (which holds
a department assessment for its closed and its open year): the application, sent to OPDC, holds none of the
committee's internal figures; the review edition holds them all; the evidence annex gives every cited piece a
code that the accounts cite."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from readers import printed, reader

from analysis.annex import evidence_annex, is_public
from analysis.deliverables import application_figures
from i18n import translate
from i18n.format import level_label, score_text, status_label
from reports.__main__ import main
from reports.application import EDITIONS, application_report
from reports.document import to_docx, to_pdf
from scoring import LEVELS
from storage.schema import STATUSES

BUILT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
POPPLER = shutil.which("pdftotext")


def word_text(data: bytes) -> str:
    """Every text of a Word file: paragraphs, table cells, header and footer, and its properties."""
    word = docx.Document(io.BytesIO(data))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    for section in word.sections:
        parts += [p.text for p in section.footer.paragraphs] + [p.text for p in section.header.paragraphs]
    props = word.core_properties
    parts += [props.title or "", props.subject or "", props.keywords or "", props.comments or ""]
    return "\n".join(parts)


def internal_words(figures, lang: str) -> list[str]:
    """What only the committee's file may say: the status and level words, the award tiers, the headings of
    checkpoints, strengths and OFIs, and the strengths' and OFIs' own texts."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    words = [level_label(level, lang) for level in ("below_basic", *LEVELS)]
    words += [status_label(status, lang) for status in STATUSES]
    words += [t(key) for key in ("ar_checkpoints_met", "ar_none_met", "ar_strengths", "ar_ofis", "ar_readiness",
                                 "award_met")]
    words += [tier.name.get(lang) for tier in figures.framework.thresholds.awards.tiers]
    words += [text for texts in figures.strengths.values() for text in texts]
    words += [ofi.line(lang) for ofis in figures.ofis.values() for ofi in ofis]
    return [word for word in words if word]


def scores(figures) -> list[str]:
    """The department's total, category and item scores as the review edition prints them."""
    values = [figures.scores.total, *figures.scores.categories.tolist(), *figures.scores.items.tolist()]
    return sorted({score_text(v) for v in values if v})


def has_number(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", text) is not None


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("year", [2569, 2570])
def test_the_application_holds_no_internal_figure_and_the_review_holds_them(full_demo_db, lang, year):
    figures = application_figures(full_demo_db, reader(full_demo_db), year, lang, now=BUILT)
    sent = word_text(to_docx(application_report(figures, lang, charts=False)))
    review = word_text(to_docx(application_report(figures, lang, charts=False, edition="review")))
    words = internal_words(figures, lang)
    assert [w for w in words if w in sent] == []
    assert [s for s in scores(figures) if has_number(sent, s)] == []
    assert has_number(review, score_text(figures.scores.total)) and level_label(figures.scores.level, lang) in review
    assert translate("ar_title", lang, year=year) in sent and translate("ar_review_title", lang, year=year) in review
    # the department's own text is in both: its name, head, every account (overview, ADLI part, results), KPI
    # analysis and profile answer, as formatted text prints it (no Markdown marks)
    assert figures.department["head_name"] in sent and "python-docx" not in sent
    record = figures.record
    texts = [*record.narratives.values(), *record.adli.values(), *figures.profile.values()]
    assert len(record.adli) > 20 and all("**" in t for t in record.adli.values() if t.startswith("กรมกำหนด"))
    for text in texts:
        for piece in printed(text):
            assert piece in sent and piece in review
        assert "**" not in sent and "|---" not in sent and "image:" not in sent
    for note in record.kpi_notes.values():
        assert note["analysis"] in sent
    headers = [[cell.text for cell in table.rows[0].cells] for table in docx.Document(io.BytesIO(
        to_docx(application_report(figures, lang, charts=False)))).tables]
    assert ["ประเภทบุคลากร", "จำนวน (คน)", "ร้อยละ"] in headers  # the profile's table is a table


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")
def test_the_applications_pdf_holds_no_internal_figure_either(full_demo_db, tmp_path):
    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, "th", now=BUILT)
    path = tmp_path / "application.pdf"
    path.write_bytes(to_pdf(application_report(figures, "th", charts=False)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert [s for s in scores(figures) if has_number(flat, s)] == []
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert translate("ar_title", "th", year=2570).split()[0] in info  # its title is the application's


def test_every_cited_piece_has_a_code_the_accounts_cite_and_the_annex_lists(full_demo_db):
    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, "th", now=BUILT)
    cited = {(item, i) for item, ids in figures.record.citations.items() for i in ids}
    assert len(figures.annex) == len(cited) >= 5
    assert [e.code for e in figures.annex] == sorted({e.code for e in figures.annex}, key=lambda c: (
        [int(p) for p in c.split("-")[0].split(".")], c))
    sent = word_text(to_docx(application_report(figures, "th", charts=False)))
    for entry in figures.annex:
        assert sent.count(entry.code) >= 2  # cited under its item, listed in the annex
    rows = {e.code: e for e in figures.annex}
    intranet = [e for e in rows.values() if e.intranet]
    assert intranet and all(e.url is None for e in intranet)  # shown at the site visit, and flagged
    confidential = [e for e in rows.values() if e.url is None and not e.intranet]
    assert confidential and "dashboard.example.go.th" not in sent  # a confidential address never shows


@pytest.mark.parametrize(("url", "public"), [
    ("https://www.opdc.go.th/content/x", True), ("http://example.org/a?b=1", True),
    ("http://intranet/vision", False), ("https://sharepoint/sites/pmqa", False),
    ("http://10.2.3.4/docs", False), ("http://192.168.1.20/a", False), ("http://127.0.0.1:8080/", False),
    ("http://[fd00::1]/a", False), ("https://8.8.8.8/a", True), ("https://files.dept.local/a", False),
    ("https://wiki.corp/a", False), ("ftp://example.org/file", False), ("javascript:alert(1)", False),
    ("", False), (None, False), ("https://", False), ("http://[::1", False),
])
def test_a_public_link_is_one_anyone_can_open(url, public):
    assert is_public(url) is public


def test_the_annex_numbers_each_items_evidence_from_one():
    import pandas as pd

    evidence = pd.DataFrame([(7, "1.1", "PLAN", "กองแผนงาน", "a.pdf", None, 0),
                             (3, "1.1", "HR", "กองบุคคล", "t", "https://x.go.th/t", 0),
                             (5, "2.1", "PLAN", "กองแผนงาน", "https://in/x", "https://in/x", 1)],
                            columns=["id", "item", "code", "unit", "filename", "url", "confidential"])
    annex = evidence_annex(evidence, {"1.1": [3, 7, 3], "2.1": [5], "9.9": [99]}, ["1.1", "2.1"])
    assert [(e.code, e.evidence_id, e.title, e.url) for e in annex] == [
        ("1.1-01", 3, "t", "https://x.go.th/t"), ("1.1-02", 7, "a.pdf", None), ("2.1-01", 5, "", None)]
    assert annex[0].unit == "HR กองบุคคล"


def test_the_command_line_builds_both_editions_and_the_slides_on_a_fresh_demo_store(full_demo_path, tmp_path, capsys):
    # both editions and both years: the closed year's approved assessment and the open year's, in progress (each
    # build is some 5 s: one of each, not every pair)
    for edition, year in (("application", 2569), (EDITIONS[1], 2570)):
        assert main(["application", "--db", str(full_demo_path), "--year", str(year), "--out", str(tmp_path),
                     "--edition", edition]) == 0
        assert (tmp_path / f"pmqa-{edition}-{year}-th.docx").stat().st_size > 10_000
        assert (tmp_path / f"pmqa-{edition}-{year}-th.pdf").read_bytes().startswith(b"%PDF")
    assert main(["slides", "--db", str(full_demo_path), "--year", "2569", "--out", str(tmp_path)]) == 0  # closed
    assert (tmp_path / "pmqa-site-visit-2569-th.pptx").stat().st_size > 10_000


def test_word_sets_every_heading_in_th_sarabun_new_black_and_tags_thai_as_thai(full_demo_db):
    import zipfile

    from docx.oxml.ns import qn

    from reports.document import FONT

    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, "th", now=BUILT)
    data = to_docx(application_report(figures, "th", charts=False))
    word = docx.Document(io.BytesIO(data))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        fonts = word.styles[name].element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs")} == {FONT}, name
        assert not [a for a in fonts.attrib if "Theme" in a or "theme" in a], name  # a theme font would win
        color = word.styles[name].element.rPr.find(qn("w:color"))
        assert color.get(qn("w:val")) == "000000" and color.get(qn("w:themeColor")) is None, name
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert re.search(r'<w:lang w:val="th-TH"[^>]*w:bidi="th-TH"', styles)  # not proofed as Arabic
    assert 'w:bidi="ar-SA"' not in styles


@pytest.mark.parametrize(("lang", "numbers"), [("th", ["1 ก", "1 ข", "2 ก", "2 ข", "2 ค"]),
                                               ("en", ["1a", "1b", "2a", "2b", "2c"])])
def test_the_profile_is_numbered_as_opdc_numbers_it(full_demo_db, lang, numbers):
    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, lang, now=BUILT)
    word = docx.Document(io.BytesIO(to_docx(application_report(figures, lang, charts=False))))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    parts = figures.framework.profile
    assert [f"{n} {part.name.get(lang)}" for n, part in zip(numbers, parts, strict=True)] == headings[:len(parts)]


def test_word_lays_out_by_the_pdfs_measures(full_demo_db):
    # the same content was 54 pages as PDF and 73 in Word: Word took its own line heights and spacing
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    from reports.document import BODY_PT, CSS, LINE, SIZES, TABLE_PT

    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, "th", now=BUILT)
    word = docx.Document(io.BytesIO(to_docx(application_report(figures, "th", charts=False))))
    normal = word.styles["Normal"].paragraph_format
    assert (normal.line_spacing_rule, normal.line_spacing) == (WD_LINE_SPACING.EXACTLY, Pt(BODY_PT * LINE))
    assert f"line-height: {LINE};" in CSS and f"font-size: {TABLE_PT}pt" in CSS
    for name, size in SIZES.items():
        assert word.styles[name].font.size == Pt(size) and f"font-size: {size}pt" in CSS
    cell = word.tables[0].rows[1].cells[0].paragraphs[0]
    assert cell.runs[0].font.size == Pt(TABLE_PT) and cell.paragraph_format.space_after == Pt(0)


def test_a_picture_in_word_is_not_cut_to_a_line(full_demo_db):
    # the charts and the organisation chart showed as a sliver in Word: their paragraph had the text's exact line
    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, "th", now=BUILT)
    word = docx.Document(io.BytesIO(to_docx(application_report(figures, "th", charts=False))))
    pictures = [p for p in word.paragraphs if p._p.xpath(".//w:drawing")]
    assert len(pictures) >= 2  # the logo and the organisation chart in the profile
    rules = [p.style.paragraph_format.line_spacing_rule if p.paragraph_format.line_spacing_rule is None
             else p.paragraph_format.line_spacing_rule for p in pictures]  # its own, else its style's
    assert WD_LINE_SPACING.EXACTLY not in rules


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")
def test_a_kpis_table_and_its_chart_sit_side_by_side_in_both_files(tmp_path):
    from reports.document import Beside, Image, Report, Table

    png = (Path(__file__).resolve().parent.parent / "data" / "demo-logo.png").read_bytes()
    results = Table(("ปีงบประมาณ", "ผลการดำเนินงาน"), (("2569", 81.5), ("2570", 90.25)), widths=(2.1, 2.7))
    report = Report("t", "th", [Beside(results, Image(png, "ผลการดำเนินงานรายปี", 10.6))])
    word = docx.Document(io.BytesIO(to_docx(report)))
    row = word.tables[0].rows[0]
    assert len(word.tables) == 1 and len(row.cells) == 2
    assert [c.text for c in row.cells[0].tables[0].rows[1].cells] == ["2569", "81.50"]
    assert row.cells[1]._tc.xpath(".//w:drawing") and "ผลการดำเนินงานรายปี" in row.cells[1].text
    assert row._tr.xpath("./w:trPr/w:cantSplit")  # kept together on one page
    path = tmp_path / "beside.pdf"
    path.write_bytes(to_pdf(report))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    line = next(line for line in text.splitlines() if "2569" in line)
    assert "81.50" in line  # the table's own row, beside the picture
