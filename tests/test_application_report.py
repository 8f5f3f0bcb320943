"""The application report (reports.application) read back as a person would: the Word file opened with
python-docx and its text compared with the store; the PDF's text extracted with poppler's pdftotext, its
fonts listed, and its pages rendered with pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime

import docx
import pytest
from ofi_scenario import MET, check_lines, register_ofis
from readers import reader
from sample_files import pdf_bytes

from analysis.deliverables import application_figures
from i18n import translate
from reports.__main__ import main
from reports.application import application_report
from reports.document import FONT, to_docx, to_pdf
from storage.admin.demo import IDENTITY
from storage.assessment import assessments, years
from storage.errors import InputError
from storage.files import evidence
from storage.organisation import org
from storage.record import department

YEAR = 2570
BUILT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
NARRATIVE = "ผู้บริหารกำหนดทิศทางร่วมกับทุกหน่วยงาน และสื่อสารผ่านการประชุมประจำเดือน"
PROFILE = "กรมมีพันธกิจตามกฎหมายสามด้าน ได้แก่ การส่งเสริม การกำกับ และการบริการประชาชน"
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdffonts")


@pytest.fixture
def record(demo_db):
    committee = reader(demo_db, "committee")
    version = department.start(demo_db, committee, YEAR).version
    version = department.save_narrative(demo_db, committee, YEAR, version, "1.1", NARRATIVE)
    department.save_kpi_values(demo_db, committee, YEAR, version, {("RM1", YEAR - 1): 88.5, ("RM1", YEAR): 91.25})
    part = years.framework_of(demo_db, YEAR).profile[0]
    department.save_profile(demo_db, committee, YEAR, part.id, PROFILE, before="")
    return demo_db


def _report(db, lang="th", charts=False, edition="review"):
    """The committee's review edition (these tests read its figures); the editions side by side are in
    test_application_editions.py."""
    return application_report(application_figures(db, reader(db), YEAR, lang, now=BUILT), lang, charts=charts,
                              edition=edition)


def test_it_needs_the_departments_assessment(demo_db):
    with pytest.raises(InputError) as refused:
        application_figures(demo_db, reader(demo_db), YEAR)
    assert refused.value.key == "error_dept_not_started"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_word_file_reads_back_with_the_stores_text(record, lang):
    framework = years.framework_of(record, YEAR)
    word = docx.Document(io.BytesIO(to_docx(_report(record, lang))))
    paragraphs = [p.text for p in word.paragraphs]
    styles = {p.text: p.style.name for p in word.paragraphs}
    assert styles[translate("ar_review_title", lang, year=YEAR)] == "Title"
    for item in framework.items():  # every item of the assessed categories is a heading of its own
        assert any(p.startswith(f"{item.id} {item.name.get(lang)} · ") and styles[p] == "Heading 2"
                   for p in paragraphs), item.id
    assert NARRATIVE in paragraphs and PROFILE in paragraphs
    assert translate("ar_draft_note", lang) in paragraphs  # not approved yet
    assert translate("award_readiness_note", lang) in paragraphs
    met = department.get(record, reader(record), YEAR).ticks
    first = framework.item("1.1").level_checkpoints("basic")[0]
    if met[first.id]:
        assert any(f"{first.id} {first.text.get(lang)}" in p for p in paragraphs)
    kpi_rows = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    rm1 = framework.item("7.1").kpis[0]
    assert ["RM1", rm1.name.get(lang), f"{rm1.target:.2f}", "–", "88.50", "91.25"] in kpi_rows
    header = word.tables[0].rows[0]._tr
    assert header.find(".//{*}tblHeader") is not None  # the header row repeats on every page
    normal = word.styles["Normal"].element.rPr.rFonts
    assert normal.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cs") == FONT
    footer = word.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer  # page numbers


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm, pdffonts) not installed")
def test_the_pdf_has_the_text_a_thai_font_and_pages(record, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(to_pdf(_report(record, charts=True)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    # whole words (the text layer gives back every vowel and tone mark as typed: test_pdf_text.py); lines
    # broken by the layout are joined again
    flat = "".join(text.split())
    footer = f"{IDENTITY['short_th']} · {translate('ar_review_footer', 'th', year=YEAR)} · 2"
    for expected in (translate("ar_review_title", "th", year=YEAR), "1.1 วิสัยทัศน์และทิศทาง", NARRATIVE, PROFILE,
                     translate("ar_readiness", "th"), footer):
        assert "".join(expected.split()) in flat, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Laksaman" in fonts and "DejaVu" not in fonts  # every Thai glyph from the Thai font
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 1000 for p in pages)


def _item_section(word, item: str) -> list:
    """The paragraphs of an item, from its heading to the next item's or category's."""
    paragraphs = word.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 2" and p.text.startswith(f"{item} "))
    end = next(i for i in range(start + 1, len(paragraphs)) if paragraphs[i].style.name in ("Heading 1", "Heading 2"))
    return paragraphs[start:end]


def _bullets_under(section: list, heading: str) -> list[str]:
    at = next(i for i, p in enumerate(section) if p.style.name == "Heading 3" and p.text == heading)
    lines = []
    for paragraph in section[at + 1:]:
        if paragraph.style.name != "List Bullet":
            break
        lines.append(paragraph.text)
    return lines


@pytest.mark.parametrize("lang", ["th", "en"])
def test_an_item_shows_the_departments_ofis_and_names_a_units(record, lang):
    # issue 25: unit OFIs were listed under department items without the unit's name, twice when a unit and
    # the department shared a gap, and as a gap of the department next to "checkpoints met" naming it
    scenario = register_ofis(record, YEAR)
    section = _item_section(docx.Document(io.BytesIO(to_docx(_report(record, lang)))), "1.1")
    check_lines(_bullets_under(section, translate("ar_ofis", lang)), scenario, lang)
    basic = _bullets_under(section, translate("ar_checkpoints_met", lang))[0]
    assert f"{MET} " in basic  # what the department meets is said just above


SECRET = "https://drive.example/d/plan?token=s3cr3t"
PDF = pdf_bytes("minutes")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_cited_confidential_link_is_listed_without_its_address(record, lang):
    """A confidential link's address may carry its access token, and the report leaves the department: a
    confidential link is marked so and never shows its address (one without a title shows the mark alone); an
    ordinary link shows its title and address, or its address once when it has no title."""
    unit, committee = reader(record, "unit"), reader(record, "committee")
    aid = assessments.get(record, unit.unit_id, YEAR)["id"]
    untitled = evidence.add_link(record, unit, aid, "1.1", "basic", SECRET, "", confidential=True)
    titled = evidence.add_link(record, unit, aid, "1.1", "basic", SECRET + "2", "แผนลับ", confidential=True)
    file = evidence.add_file(record, unit, aid, "1.1", "basic", "minutes.pdf", PDF, confidential=True)
    plain = evidence.add_link(record, unit, aid, "1.1", "basic", "https://intra.example/plan", "")
    named = evidence.add_link(record, unit, aid, "1.1", "basic", "https://intra.example/kpi", "ตัวชี้วัด")
    version = department.get(record, committee, YEAR).version
    department.cite(record, committee, YEAR, version, "1.1", [untitled, titled, file, plain, named])
    report = _report(record, lang)
    word = docx.Document(io.BytesIO(to_docx(report)))
    code, tag = org.unit(record, unit.unit_id)["code"], f"({translate('ev_confidential_tag', lang)})"
    assert _bullets_under(_item_section(word, "1.1"), translate("dp_cite", lang)) == [
        f"{code} · {tag}", f"{code} · แผนลับ {tag}", f"{code} · minutes.pdf {tag}",
        f"{code} · https://intra.example/plan", f"{code} · ตัวชี้วัด — https://intra.example/kpi"]
    blocks = [getattr(b, "text", "") + " ".join(getattr(b, "items", ())) for b in report.blocks]
    assert not any("s3cr3t" in text or "drive.example" in text for text in blocks)  # the PDF has the same blocks


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm, pdffonts) not installed")
def test_the_pdf_names_a_units_ofi_with_its_unit(record, tmp_path):
    scenario = register_ofis(record, YEAR)
    path = tmp_path / "report.pdf"
    path.write_bytes(to_pdf(_report(record, "en")))
    flat = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    plan, hr = scenario.names["PLAN"]["en"], scenario.names["HR"]["en"]
    assert "".join(f"{plan}: จัดทำ".split()) in flat
    assert "".join(f"{hr}: {MET} not met yet".split()) in flat  # a gap's OFI in the document's language
    assert "(theunitsnamedonly:thedepartment'sassessmentmeetsthischeckpoint)" in flat


def test_the_command_line_writes_both_files(record, demo_path, tmp_path, capsys):
    assert main(["application", "--db", str(demo_path), "--year", str(YEAR), "--out", str(tmp_path),
                 "--edition", "review"]) == 0
    for suffix in ("docx", "pdf"):
        assert (tmp_path / f"pmqa-review-{YEAR}-th.{suffix}").stat().st_size > 10_000
    assert "written" in capsys.readouterr().out


def test_a_chart_drawn_before_is_not_drawn_again(monkeypatch):
    import plotly.graph_objects as go

    from reports import application

    drawn = []
    monkeypatch.setattr(go.Figure, "to_image", lambda fig, **kw: drawn.append(kw) or f"png{len(drawn)}".encode())
    monkeypatch.setattr(application.kaleido, "start_sync_server", lambda **kw: None)
    monkeypatch.setattr(application, "_DRAWN", application.OrderedDict())
    one, other = go.Figure(go.Bar(x=[1], y=[2])), go.Figure(go.Bar(x=[1], y=[3]))
    assert application.chart_png(one, 700, 400) == b"png1"
    assert application.chart_png(go.Figure(go.Bar(x=[1], y=[2])), 700, 400) == b"png1"  # the same chart: kept
    assert application.chart_png(other, 700, 400) == b"png2" and application.chart_png(one, 800, 400) == b"png3"
    assert len(drawn) == 3
