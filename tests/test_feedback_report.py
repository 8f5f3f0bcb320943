"""The examiner rehearsal's feedback report (reports.feedback) read back from Word and PDF: per item the agreed
band with its points, the strengths and OFIs; the points per category for the agreement and each member; the note
that it is the committee's rehearsal; and its command line."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime

import docx
import pytest

from i18n import translate
from reports.__main__ import main
from reports.document import to_docx, to_pdf
from reports.feedback import feedback_figures, feedback_report
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import examiners, years
from storage.errors import AccessDenied
from storage.organisation import accounts

YEAR = 2570


@pytest.fixture
def rehearsed(demo_db, demo_user):
    """Two members submitted (40% and 60% everywhere but 1.1: 30 and 70); 1.1 agreed at 55 with strengths and
    OFIs."""
    one = demo_user("committee")
    two = accounts.create_user(demo_db, "committee-two", DEMO_PASSWORD, "committee", display_name="กรรมการสอง",
                               actor="test", weak_password=True)
    for member, base, first in ((one, 40, 30), (two, 60, 70)):
        for item in examiners.scored_items(years.framework_of(demo_db, YEAR)):
            examiners.save(demo_db, member, YEAR, item, percent=first if item == "1.1" else base,
                           strengths=f"จุดแข็งจาก {member.username}", ofis=f"ข้อเสนอจาก {member.username}")
        examiners.submit(demo_db, member, YEAR)
    examiners.agree(demo_db, one, YEAR, "1.1", 55, "ถ่ายทอดครบแต่ยังไม่วัดผล", "- ผู้บริหารสื่อสารสม่ำเสมอ",
                    "- ยังไม่ทบทวนผลการถ่ายทอด\n- ไม่มีตัวชี้วัดนำ")
    return demo_db, one


def _word_text(data: bytes) -> str:
    word = docx.Document(io.BytesIO(data))
    return "\n".join([p.text for p in word.paragraphs] +
                     [cell.text for table in word.tables for row in table.rows for cell in row.cells])


def test_each_item_shows_its_agreed_band_strengths_and_ofis(rehearsed):
    db, one = rehearsed
    figures = feedback_figures(db, one, YEAR, now=datetime(2026, 12, 7, tzinfo=UTC))
    text = _word_text(to_docx(feedback_report(figures, "th", charts=False)))
    assert translate("fb_title", "th", year=YEAR) in text and translate("fb_note", "th") in text
    # 1.1: 55% of 30 points (category 1: 120 over 4 items) = 16.5
    assert translate("fb_agreed", "th", band="50-65", percent=55, points="16.5", weight="30") in text
    assert "ผู้บริหารสื่อสารสม่ำเสมอ" in text and "ไม่มีตัวชี้วัดนำ" in text and "- ยังไม่" not in text
    # 1.2 not agreed: the members' range and their own strengths and OFIs, each once
    assert translate("fb_not_agreed", "th", low=40, high=60, median="50") in text
    assert text.count("ข้อเสนอจาก committee-two") >= 1
    # the summary: category 1 for the agreement (16.5), each member (0.3*30 + 3*0.4*30 = 45; 0.7*30 + 3*0.6*30 = 75)
    word = docx.Document(io.BytesIO(to_docx(feedback_report(figures, "th", charts=False))))
    summary = word.tables[0]
    header = [c.text for c in summary.rows[0].cells]
    first = [c.text for c in summary.rows[1].cells]
    assert header[:2] == [translate("category", "th"), translate("fb_weight", "th")]
    assert dict(zip(header[2:], first[2:], strict=True)) == {
        translate("ex_agreed_partial", "th", n=1, total=len(examiners.scored_items(figures.framework))): "16.50",
        "demo-committee": "45.00", "กรรมการสอง": "75.00"}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_pdf_gives_its_text_back(rehearsed, tmp_path):
    db, one = rehearsed
    path = tmp_path / "feedback.pdf"
    path.write_bytes(to_pdf(feedback_report(feedback_figures(db, one, YEAR), "en", charts=False)))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    for phrase in ("ถ่ายทอดครบแต่ยังไม่วัดผล", "ยังไม่ทบทวนผลการถ่ายทอด", translate("fb_ofis", "en")):
        assert " ".join(phrase.split()) in text


def test_a_member_who_has_not_submitted_cannot_build_it(demo_db, demo_user):
    with pytest.raises(AccessDenied):
        feedback_figures(demo_db, demo_user("committee"), YEAR)


def test_the_command_line(rehearsed, demo_path, tmp_path):
    assert main(["feedback", "--db", str(demo_path), "--year", str(YEAR), "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"pmqa-feedback-{YEAR}-th.pdf").stat().st_size > 0
    assert (tmp_path / f"pmqa-feedback-{YEAR}-th.docx").stat().st_size > 0


def test_the_documents_page_builds_it_for_a_member_who_submitted(app, rehearsed, finish_jobs):
    at = app("committee", page="pages/documents.py")
    next(b for b in at.button if b.key == "doc:build:feedback").click().run()
    finish_jobs(at)
    assert not at.error, [e.value for e in at.error]
    names = [b.label for b in at.get("download_button")]
    assert translate("doc_download", "th", name=f"pmqa-feedback-{YEAR}-th.pdf") in names


def test_the_documents_page_says_why_a_member_who_has_not_submitted_cannot(app, demo_db, finish_jobs):
    at = app("committee", page="pages/documents.py")
    next(b for b in at.button if b.key == "doc:build:feedback").click().run()
    finish_jobs(at)  # the build runs with the member's own rights, and says why it cannot
    assert at.error[0].value == translate("error_exam_not_submitted", "th")
    assert translate("doc_retry", "th") in [b.label for b in at.button]
