"""Control characters a person pastes (Word's line break is a vertical tab; a bell, a NUL from another program):
XML 1.0 forbids them, so a single one stored made the Word, Excel, PowerPoint and offline-form exports fail for
everyone. The store takes a person's text without them (``storage.text.clean``), and every document writer
leaves them out of the text an older store already holds (``reports.cells.xml_text``)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import docx
import openpyxl
import pytest
from pptx import Presentation
from readers import reader

from analysis import overview
from analysis.deliverables import application_figures, year_figures
from i18n.format import thailand_today
from intake import offline_form
from reports.application import EDITIONS, application_report
from reports.cells import literal, xml_text
from reports.document import Para, Report, to_docx
from reports.offline_template import offline_template
from reports.ofi_export import register_xlsx
from reports.slides import site_visit_deck
from reports.unit_report import unit_report
from reports.workbook import year_workbook
from storage.admin import announcements
from storage.assessment import answers, assessments, reviews, years
from storage.db import transaction
from storage.errors import InputError
from storage.files import evidence
from storage.organisation import accounts, org
from storage.plans import followup, improvement, ofis, workplan
from storage.record import department
from storage.text import clean, xml_safe

YEAR = 2570
BUILT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
DUE = thailand_today() + timedelta(days=60)
PASTED = "แผน\x0bงาน\x07 ปี\x00 2570\r\nสรุป\x1f "  # Word's line break, a bell, a NUL, Windows' line end
CLEAN = "แผน\nงาน ปี 2570\nสรุป"
ONE_LINE = "แผน งาน ปี 2570 สรุป"  # a title: one line (storage.files.evidence.clean_text)
RAW = "ข้อความ\x0bเก่า\x07ที่\x01เก็บไว้"  # what an older store may hold
SHOWN = "ข้อความ\nเก่าที่เก็บไว้"


# ---- the helpers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("a\x0bb\x0cc", "a\nb\nc"),  # Word's line and page breaks
    ("a\r\nb\rc", "a\nb\nc"),
    ("".join(map(chr, range(32))) + "x", "\t\n\n\n\nx"),  # of the C0 controls: tab, line feed, the 3 breaks
    ("a\ud800b\ufffec\uffffd", "abcd"),  # lone surrogates, U+FFFE, U+FFFF
    ("ไทย\u200b กับ\tEnglish \x7f", "ไทย\u200b กับ\tEnglish \x7f"),  # allowed in XML: kept
])
def test_clean_keeps_only_what_xml_allows(text, expected):
    assert clean(text) == expected


def test_a_writer_keeps_a_carriage_return_and_a_spreadsheet_trigger_stays_inert():
    assert xml_safe("a\r\nb\x07") == "a\r\nb" and xml_text(5) == 5 and xml_text(None) is None
    assert literal("\x07=1+1") == "'=1+1"  # cleaned first: what is left would run
    assert literal("\r=1") == "'\r=1"


# ---- what the store takes ---------------------------------------------------------------------------------------

def test_a_units_texts_are_stored_without_control_characters(demo_db):
    unit = reader(demo_db, "unit")
    aid = assessments.get(demo_db, unit.unit_id, YEAR)["id"]
    version = answers.load(demo_db, unit, aid).assessment["version"]
    version = answers.save_narrative(demo_db, unit, aid, version, "1.1", "basic", PASTED)
    version, kpi = answers.add_own_kpi(demo_db, unit, aid, version, "7.1", "อัตรา\x07การตอบกลับ", "ร้อย\x0bละ",
                                       "higher", 50, 90, 80)
    form = answers.load(demo_db, unit, aid)
    assert form.narratives[("1.1", "basic")] == CLEAN
    own = next(k for k in form.own_kpis if k["kpi"] == kpi)
    assert (own["name"], own["unit_label"]) == ("อัตราการตอบกลับ", "ร้อย\nละ")
    link = evidence.add_link(demo_db, unit, aid, "1.1", "basic", "https://intra.example/plan", PASTED)
    assert next(r for r in evidence.listing(demo_db, unit, aid) if r["id"] == link)["filename"] == ONE_LINE
    with pytest.raises(InputError) as refused:  # an address is refused, not changed behind the person's back
        evidence.add_link(demo_db, unit, aid, "1.1", "basic", "https://intra.example/\x07plan")
    assert refused.value.key == "error_url"


def test_the_committees_texts_are_stored_without_control_characters(demo_db):
    committee = reader(demo_db, "committee")
    submitted = assessments.get(demo_db, org.unit_id_of(demo_db, "PLAN"), YEAR)
    note = reviews.add_note(demo_db, committee, submitted["id"], "1.1", "comment", PASTED)
    assert demo_db.execute("SELECT text FROM item_comments WHERE id = ?", [note]).fetchone()[0] == CLEAN
    assessments.change_status(demo_db, committee, submitted["id"], submitted["version"], "return", PASTED)
    assert assessments.get(demo_db, submitted["unit_id"], YEAR)["return_reason"] == CLEAN
    version = department.start(demo_db, committee, YEAR).version
    version = department.save_narrative(demo_db, committee, YEAR, version, "1.1", PASTED)
    part = years.framework_of(demo_db, YEAR).profile[0].id
    department.save_profile(demo_db, committee, YEAR, part, PASTED, before="")
    record = department.get(demo_db, committee, YEAR)
    assert record.narratives["1.1"] == CLEAN
    assert department.profile(demo_db, committee, YEAR)[part]["text"] == CLEAN


def test_a_text_saved_with_control_characters_can_be_edited_again_from_what_the_box_shows(demo_db):
    """The box still holds what was typed (with the bell); the store holds it without. The next save names
    the typed text as what the box showed: that is the stored text, not someone else's change."""
    unit, committee = reader(demo_db, "unit"), reader(demo_db, "committee")
    aid = assessments.get(demo_db, unit.unit_id, YEAR)["id"]
    version = answers.load(demo_db, unit, aid).assessment["version"]
    version = answers.save_narrative(demo_db, unit, aid, version, "1.1", "basic", PASTED, before="")
    answers.save_narrative(demo_db, unit, aid, version, "1.1", "basic", "แก้แล้ว", before=PASTED)
    assert answers.load(demo_db, unit, aid).narratives[("1.1", "basic")] == "แก้แล้ว"
    version = department.start(demo_db, committee, YEAR).version
    version = department.save_narrative(demo_db, committee, YEAR, version, "1.1", PASTED, before="")
    department.save_narrative(demo_db, committee, YEAR, version, "1.1", "แก้แล้ว", before=PASTED)
    part = years.framework_of(demo_db, YEAR).profile[0].id
    department.save_profile(demo_db, committee, YEAR, part, PASTED, before="")
    department.save_profile(demo_db, committee, YEAR, part, "แก้แล้ว", before=PASTED)
    assert department.get(demo_db, committee, YEAR).narratives["1.1"] == "แก้แล้ว"
    assert department.profile(demo_db, committee, YEAR)[part]["text"] == "แก้แล้ว"


@pytest.fixture
def world(db):
    org.add_cycle(db, YEAR)
    u1 = org.add_unit(db, "U1", "หน่วย\x07หนึ่ง", "One\x0b", "central\x00")
    people = {"admin": accounts.create_user(db, "owner", "correct horse", "admin"),
              "committee": accounts.create_user(db, "board", "correct horse", "committee"),
              "unit": accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=u1)}
    years.set_phase(db, people["admin"], YEAR, "planning", "open")
    return people | {"u1": u1}


def test_the_registers_plans_and_reports_are_stored_without_control_characters(db, world):
    admin, committee, unit = world["admin"], world["committee"], world["unit"]
    assert {k: org.unit(db, world["u1"])[k] for k in ("name_th", "name_en", "kind")} == {
        "name_th": "หน่วยหนึ่ง", "name_en": "One", "kind": "central"}
    ofi = ofis.create(db, committee, YEAR, "1.1", PASTED, "high", "board", DUE, [world["u1"]])
    note = ofis.add_note(db, committee, ofi, PASTED)
    assert db.execute("SELECT description FROM ofis WHERE id = ?", [ofi]).fetchone()[0] == CLEAN
    assert db.execute("SELECT text FROM ofi_notes WHERE id = ?", [note]).fetchone()[0] == CLEAN

    plan = improvement.create(db, unit, YEAR, "1y", "แผน\x07ปรับปรุง", [ofi])
    version = improvement.save(db, unit, plan, 1, title="แผน\x07ปรับปรุง", owner="ผอ.\x07กอง", resources=PASTED,
                               actions=[{"text": PASTED, "owner": "หัวหน้า\x00", "resources": PASTED}],
                               targets=[("checkpoint", "1.1.A1")])
    improvement.comment(db, committee, plan, PASTED)
    saved = improvement.get(db, committee, plan)
    assert (saved["title"], saved["owner"], saved["resources"]) == ("แผนปรับปรุง", "ผอ.กอง", CLEAN)
    assert saved["actions"][0] | {"id": None} == {"text": CLEAN, "owner": "หัวหน้า", "resources": CLEAN,
                                                  "starts_on": None, "ends_on": None, "id": None}
    assert saved["comments"][0]["text"] == CLEAN

    improvement.accept(db, committee, plan, improvement.submit(db, unit, plan, version))
    years.set_phase(db, admin, YEAR, "followup_6m", "open")
    action = saved["actions"][0]["id"]
    followup.save(db, unit, plan, "6m", 0, summary=PASTED,
                  actions=[{"id": action, "percent": 50, "done": PASTED, "evidence": PASTED, "problems": PASTED}])
    report = followup.get(db, unit, plan, "6m")
    assert report["summary"] == CLEAN
    assert {k: report["actions"][0][k] for k in ("done", "evidence", "problems")} == dict.fromkeys(
        ("done", "evidence", "problems"), CLEAN)


def test_announcements_the_work_plan_and_reasons_are_stored_without_control_characters(db, world):
    admin = world["admin"]
    aid = announcements.publish(db, admin, PASTED, PASTED,
                                links=[{"title": PASTED, "url": "https://intra.example/a"}])
    [row] = [r for r in announcements.listing(db, admin) if r["id"] == aid]
    assert (row["title"], row["body"], row["links"]) == (ONE_LINE, CLEAN, [{"title": ONE_LINE,
                                                                           "url": "https://intra.example/a"}])
    with pytest.raises(InputError):
        announcements.publish(db, admin, "ประกาศ", "", links=[{"title": "", "url": "https://intra.example/\x07"}])

    plan = workplan.start(db, admin, YEAR, date(2026, 10, 1))
    first = plan.steps[0] | {"title_th": PASTED, "title_en": "Plan\x07", "owner": PASTED,
                             "documents": [{"title": PASTED, "url": "https://intra.example/doc"}]}
    workplan.save(db, admin, YEAR, plan.version, [first, *plan.steps[1:]])
    step = workplan.get(db, admin, YEAR).steps[0]
    assert (step["title_th"], step["title_en"], step["owner"]) == (CLEAN, "Plan", CLEAN)
    assert step["documents"] == [{"title": ONE_LINE, "url": "https://intra.example/doc"}]

    years.set_phase(db, admin, YEAR, "planning", "closed")
    years.set_phase(db, admin, YEAR, "planning", "open", reason=PASTED)
    entry = db.execute("SELECT detail FROM audit_log WHERE action = 'open_phase' ORDER BY id DESC").fetchone()[0]
    assert json.loads(entry)["reason"] == CLEAN


# ---- what an older store holds still makes every document -------------------------------------------------------

@pytest.fixture
def old_store(demo_db):
    """The demo store with control characters written straight into it, as a store written before the store
    cleaned text may hold them: in narratives, notes, strengths, OFIs, a unit's name, the department's record and
    the name of a cited piece of evidence."""
    committee = reader(demo_db, "committee")
    version = department.start(demo_db, committee, YEAR).version
    version = department.save_narrative(demo_db, committee, YEAR, version, "1.1", "บันทึก")
    unit = reader(demo_db, "unit")
    sec = assessments.get(demo_db, unit.unit_id, YEAR)["id"]
    plan_unit = org.unit_id_of(demo_db, "PLAN")
    plan = assessments.get(demo_db, plan_unit, YEAR)["id"]
    cited = evidence.add_link(demo_db, unit, sec, "1.1", "basic", "https://intra.example/plan", "แผน")
    department.cite(demo_db, committee, YEAR, version, "1.1", [cited])
    part = years.framework_of(demo_db, YEAR).profile[0].id
    department.save_profile(demo_db, committee, YEAR, part, "ลักษณะ", before="")
    ofi = ofis.create(demo_db, committee, YEAR, "1.1", "ทบทวน", "high", "demo-committee", DUE, [plan_unit])
    with transaction(demo_db):
        for aid in (sec, plan):
            demo_db.execute("INSERT INTO narratives (assessment_id, item, level, text) VALUES (?, '1.1', 'basic', ?) "
                            "ON CONFLICT (assessment_id, item, level) DO UPDATE SET text = excluded.text", [aid, RAW])
            for kind in ("comment", "strength"):
                demo_db.execute("INSERT INTO item_comments (assessment_id, item, kind, author, text, created_at) "
                                "VALUES (?, '1.1', ?, 'demo-committee', ?, '2026-11-01T00:00:00+00:00')",
                                [aid, kind, RAW])
        demo_db.execute("UPDATE ofis SET description = ? WHERE id = ?", [RAW + " OFI", ofi])
        demo_db.execute("UPDATE units SET name_th = ? WHERE id = ?", ["กอง\x0bแผนงาน\x07", plan_unit])
        demo_db.execute("UPDATE dept_narratives SET text = ? WHERE year = ?", [RAW, YEAR])
        demo_db.execute("UPDATE org_profiles SET text = ? WHERE year = ?", [RAW, YEAR])
        demo_db.execute("UPDATE evidence SET filename = ? WHERE id = ?", ["แผน\x07ลับ", cited])
    return demo_db


def _word_text(data: bytes) -> str:
    word = docx.Document(io.BytesIO(data))
    return "\n".join([p.text for p in word.paragraphs] +
                     [c.text for table in word.tables for row in table.rows for c in row.cells])


def test_the_word_documents_are_made_from_an_older_stores_control_characters(old_store):
    figures = application_figures(old_store, reader(old_store), YEAR, "th", now=BUILT)
    for edition in EDITIONS:  # the review edition holds the OFIs too
        text = _word_text(to_docx(application_report(figures, "th", charts=False, edition=edition)))
        assert SHOWN in text and "แผนลับ" in text and (SHOWN + " OFI" in text) == (edition == "review")
        assert "\x07" not in text and "\x0b" not in text
    plan = org.unit_id_of(old_store, "PLAN")
    form = answers.load(old_store, reader(old_store), assessments.get(old_store, plan, YEAR)["id"])
    text = _word_text(to_docx(unit_report(form, years.framework_of(old_store, YEAR), org.unit(old_store, plan), "th",
                                          BUILT)))
    assert "กอง\nแผนงาน" in text and SHOWN in text
    assert _word_text(to_docx(Report("a\x07", "th", footer="b\x0b").add(Para("c\x01")))) == "c"


def test_the_workbooks_are_made_from_an_older_stores_control_characters(old_store):
    figures = year_figures(old_store, reader(old_store), YEAR, "best", "th", now=BUILT)
    register = ofis.register(old_store, reader(old_store), YEAR)
    book = openpyxl.load_workbook(io.BytesIO(year_workbook(figures, register, "th")))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert SHOWN + " OFI" in cells and "กอง\nแผนงาน" in cells  # the register's sheet, the units' sheet
    assert not any(ch in c for c in cells for ch in "\x07\x0b\x01")
    sheet = openpyxl.load_workbook(io.BytesIO(register_xlsx(register))).active
    assert SHOWN + " OFI" in [c for row in sheet.iter_rows(values_only=True) for c in row]


def test_the_offline_form_is_made_from_an_older_stores_control_characters_and_comes_back_unchanged(old_store):
    unit = reader(old_store, "unit")
    aid = assessments.get(old_store, unit.unit_id, YEAR)["id"]
    framework = years.framework_of(old_store, YEAR)
    form = answers.load(old_store, unit, aid)
    data = offline_template(form, framework, org.unit(old_store, unit.unit_id), "th", BUILT)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert SHOWN in cells and not any(ch in c for c in cells for ch in "\x07\x0b\x01")
    assert offline_form.plan(form, framework, offline_form.read(data, "form.xlsx")).changes == []


def test_the_slides_are_made_from_an_older_stores_control_characters(old_store):
    figures = application_figures(old_store, reader(old_store), YEAR, "th")
    deck = Presentation(io.BytesIO(site_visit_deck(figures, overview.trend(old_store), "th", charts=False)))
    text = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    shown = SHOWN.replace("\n", "\v")  # python-pptx reads a line break within a paragraph as a vertical tab
    assert f"+ {shown}" in text and f"กอง\vแผนงาน: {shown} OFI" in text  # a strength and an OFI
    assert "_x0007_" not in text and "\x07" not in text and "_x0001_" not in text


def test_an_imported_unit_list_is_read_without_control_characters():
    from intake import unit_import

    data = "รหัส,ชื่อหน่วยงาน\nU1,กอง\x07แผน\x0bงาน\n".encode()
    assert unit_import.read_table(data, "units.csv").rows[0][1][:2] == ["U1", "กองแผน\nงาน"]
