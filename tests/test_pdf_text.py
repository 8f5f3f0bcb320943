"""The PDFs' text comes back exactly (``reports.text_layer``): what pdftotext and pypdf extract is the Thai
that was typed, vowels above and below, tone marks and SARA AM included. (Before: "สาคัญ" for สำคัญ, "ผ้่" for
ผู้, "ดาเนิน" for ดำเนิน.) Whitespace aside: a line ends where the page's line ends."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from readers import printed, reader

from analysis.deliverables import application_figures
from reports.application import application_report
from reports.document import Bullets, Heading, Para, Report, Table, to_pdf

POPPLER = shutil.which("pdftotext")
# words that broke, and their kind: SARA AM after a tone mark, marks over tall consonants, consonants without
# their tail, stacked marks, Thai digits and signs
HARD = ("จัดทำ สำคัญ ผู้ ดำเนินการ น้ำ กำหนด ที่ปรึกษา ปู่ ญี่ปุ่น ฐาน ฎีกา ฤดู ไม้ เก้าอี้ ผู้ใหญ่ ศึกษา คุณภาพ ป่า "
        "ปั้น ฝ้าย ฟ้า ก๊ก ก๋วย ค่ำ ซ้ำ กล้ำ ญาติ สัญญา ปฏิบัติ กฎหมาย ฤๅษี ฐู ญุ ปั๊ม ฟั่น ป่ำ ๑๒๓ ฯลฯ ๆ "
        "ประเมินผล ผู้รับบริการ ยุทธศาสตร์ ธรรมาภิบาล ทรัพยากรบุคคล ความพึงพอใจ นวัตกรรม")


def thai_words() -> list[str]:
    """A wide, fixed sample of Thai words: every 97th word of PyThaiNLP's dictionary, and the hard ones."""
    from pythainlp.corpus import thai_words as dictionary

    return sorted(dictionary())[::97] + HARD.split()


def extracted(pdf: bytes, tmp_path, footer: str = "") -> dict[str, str]:
    """The PDF's text as pdftotext and pypdf give it, whitespace removed, without the pages' footer and number
    (which come between the two halves of a line a page ends inside). The footer ends each page's text: it is
    taken off page by page, so a page number is never read together with digits the next page begins with (an
    item's number heading the page)."""
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    pages = {"pypdf": [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]}
    if POPPLER:
        pages["pdftotext"] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                            check=True).stdout.split("\f")
    flat = {tool: ["".join(text.split()) for text in texts] for tool, texts in pages.items()}
    if footer:
        pattern = re.compile(re.escape("".join(footer.split()) + "·") + r"\d+$")
        flat = {tool: [pattern.sub("", text) for text in texts] for tool, texts in flat.items()}
    return {tool: "".join(texts) for tool, texts in flat.items()}


def test_every_word_of_a_wide_sample_comes_back_from_pdftotext_and_pypdf(tmp_path):
    words = thai_words()
    assert len(words) > 600
    lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    table = Table(("คำ", "คำ"), tuple(zip(words[:40:2], words[1:40:2], strict=True)))  # on the first page
    report = Report("ทดสอบ", "th", [Heading(lines[0], 1), table, *(Para(line) for line in lines[1:40]),
                                    Para(" ".join(lines[40:60]), muted=True), Bullets(tuple(lines[60:]))])
    for tool, text in extracted(to_pdf(report), tmp_path).items():
        missing = [w for w in words if "".join(w.split()) not in text]
        assert missing == [], (tool, missing[:20])
        thai = sum(1 for ch in text if "\u0e00" <= ch <= "\u0e7f")
        typed = sum(1 for ch in "".join([lines[0], "คำคำ", *words[:40], *lines[1:40], " ".join(lines[40:60]),
                                         *lines[60:]]) if "\u0e00" <= ch <= "\u0e7f")
        assert thai == typed, tool  # nothing doubled, nothing lost


def test_the_text_comes_back_in_the_order_it_was_typed(tmp_path):
    sentence = "ผู้บริหารกำหนดทิศทางและค่านิยมที่สำคัญ ถ่ายทอดสู่ผู้ปฏิบัติงานทุกระดับ และทบทวนผลการดำเนินการทุกไตรมาส"
    for tool, text in extracted(to_pdf(Report("t", "th", [Para(sentence)])), tmp_path).items():
        assert "".join(sentence.split()) in text, tool


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")
def test_the_applications_own_texts_come_back_exactly(full_demo_db, tmp_path):
    figures = application_figures(full_demo_db, reader(full_demo_db), 2570, "th",
                                  now=datetime(2026, 11, 24, tzinfo=UTC))
    report = application_report(figures, "th", charts=False)
    texts = extracted(to_pdf(report), tmp_path, report.footer)
    record = figures.record
    texts_typed = [*record.narratives.values(), *record.adli.values(), *figures.profile.values(),
                   *(note["analysis"] for note in record.kpi_notes.values()),
                   *(row["source"] for rows in record.comparisons.values() for row in rows)]
    sources = [*(piece for text in texts_typed for piece in printed(text)), figures.department["name_th"],
               *(f"{item.id}{item.name.get('th')}" for item in figures.framework.items())]
    phrases = {phrase for source in sources for phrase in source.split()}  # a page may end inside a paragraph
    for tool, text in texts.items():
        missing = [phrase for phrase in phrases if phrase not in text]
        assert missing == [], (tool, missing[:10])
