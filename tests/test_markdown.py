"""Formatted texts (``reports.markdown``): what people type becomes the document's own blocks, written natively
into Word (tables, numbered and bulleted list paragraphs, bold and italic runs with their complex-script twins)
and the PDF (its Thai text coming back exactly), and nothing typed ever becomes markup or fetches anything."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image as Picture
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from reports import document
from reports.document import Bullets, Image, Item, Numbered, Para, Report, Run, Table, to_docx, to_pdf
from reports.markdown import image_reference, missing_images, to_blocks


def picture(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Picture.new("RGB", (width, height), (200, 40, 40)).save(out, kind)
    return out.getvalue()


PNG = picture(96, 48)  # 96 px at 96 per inch: 2.54 cm
IMAGES = {7: PNG}
BOLD, ITALIC, BOTH = ({"bold": True}, {"italic": True}, {"bold": True, "italic": True})


def para(*runs: tuple[str, dict] | str) -> Para:
    made = tuple(Run(r) if isinstance(r, str) else Run(r[0], **r[1]) for r in runs)
    return Para("".join(r.text for r in made), runs=made)


CASES = [
    ("empty", "", []),
    ("plain text keeps its line breaks", "บรรทัดแรก\nบรรทัดที่สอง\nสาม", [Para("บรรทัดแรก\nบรรทัดที่สอง\nสาม")]),
    ("an empty line starts a paragraph", "ก\n\nข", [Para("ก"), Para("ข")]),
    ("a hard break is a line break too", "ก  \nข\\\nค", [Para("ก\nข\nค")]),
    ("bold and italic runs", "ข้อ **สำคัญ** และ *เอียง*",
     [para("ข้อ ", ("สำคัญ", BOLD), " และ ", ("เอียง", ITALIC))]),
    ("bold inside a Thai word", "ผู้**ดำเนิน**งาน", [para("ผู้", ("ดำเนิน", BOLD), "งาน")]),
    ("bold and italic at once, across a line break", "***ทั้ง\nสอง*** ท้าย",
     [para(("ทั้ง\nสอง", BOTH), " ท้าย")]),
    ("escaped marks are text", r"\*\*ไม่หนา\*\*", [Para("**ไม่หนา**")]),
    ("a bullet list", "- ก\n- **ข**", [Bullets(("ก", Item((Run("ข", bold=True),))))]),
    ("a numbered list", "1. ก\n2. ข", [Numbered(("ก", "ข"))]),
    ("a numbered list keeps its first number", "3. ก\n4. ข", [Numbered(("ก", "ข"), start=3)]),
    ("a paragraph after a list item's is on a line of its own", "- ก\n\n  ต่อ\n- ข", [Bullets(("ก\nต่อ", "ข"))]),
    ("a nested list; a deeper one joins it", "- ก\n  - ข\n    - ค\n- ง",
     [Bullets((Item((Run("ก"),), ((Run("ข"),), (Run("ค"),))), "ง"))]),
    ("a numbered list nested in bullets", "- ก\n  1. ข\n  2. *ค*",
     [Bullets((Item((Run("ก"),), ((Run("ข"),), (Run("ค", italic=True),)), sub_numbered=True),))]),
    ("a table: cells plain, rows as wide as the header", "| ก | ข |\n|---|--:|\n| **1** | 2 |\n| 3 |\n| 4 | 5 | 6 |",
     [Table(("ก", "ข"), (("1", "2"), ("3", ""), ("4", "5")))]),
    ("an uploaded image between lines", "ดู\n![แผนภูมิ **องค์การ**](image:7)\nต่อ",
     [Para("ดู"), Image(PNG, "แผนภูมิ องค์การ", 2.54), Para("ต่อ")]),
    ("an image in a list comes after the list", "- ก ![ภาพ](image:7)\n- ข",
     [Bullets(("ก", "ข")), Image(PNG, "ภาพ", 2.54)]),
    ("an image not uploaded: its caption, muted", "![ภาพที่ 8](image:8)", [Para("ภาพที่ 8", muted=True)]),
    ("an image on the web is never fetched", "![ภาพ](https://tracker.example/x.png)", [Para("ภาพ", muted=True)]),
    ("nor a data address", "![](data:image/png;base64,iVBORw0KGgo=)",
     [Para("data:image/png;base64,iVBORw0KGgo=", muted=True)]),
    ("a script is text", "<script>alert(1)</script>", [Para("<script>alert(1)</script>")]),
    ("a style is text", "<style>p { display: none }</style>\nข้อความ",
     [Para("<style>p { display: none }</style>\nข้อความ")]),
    ("an HTML image is text", '<img src="http://evil.example/x.png"> ท้าย',
     [Para('<img src="http://evil.example/x.png"> ท้าย')]),
    ("an inline tag is text", "ก <b onclick=x>ข</b>", [Para("ก <b onclick=x>ข</b>")]),
    ("a javascript: link is text", "[คลิก](javascript:alert(1))", [Para("[คลิก](javascript:alert(1))")]),
    ("a link: its text, then its address", "[สำนักงาน ก.พ.ร.](https://www.opdc.go.th/ผล)",
     [Para("สำนักงาน ก.พ.ร. (https://www.opdc.go.th/ผล)")]),
    ("an address typed as a link once", "<https://www.opdc.go.th>", [Para("https://www.opdc.go.th")]),
    ("a heading is a bold paragraph", "# หัวข้อ *ย่อย*", [para(("หัวข้อ ", BOLD), ("ย่อย", BOTH))]),
    ("code is plain text", "ใช้ `**x**`\n\n```\n<b>โค้ด</b>\nสอง\n```", [Para("ใช้ **x**"), Para("<b>โค้ด</b>\nสอง")]),
    ("entities are text", "&lt;script&gt; &amp;", [Para("<script> &")]),
]


@pytest.mark.parametrize(("source", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_typed_text_becomes_the_documents_blocks(source, expected):
    assert to_blocks(source, IMAGES) == expected


def test_images_are_only_the_stores_and_only_whole_images():
    jpeg = picture(96, 48, "JPEG")
    blocks = to_blocks("![a](image:1)\n\n![b](image:2)\n\n![c](image:3)",
                       {1: jpeg, 2: b"not an image", 3: picture(2000, 10)})
    first, second, third = blocks
    assert isinstance(first, Image) and first.png.startswith(b"\x89PNG") and first.width_cm == 2.54
    assert second == Para("b", muted=True)
    assert isinstance(third, Image) and third.width_cm == 16.0  # no wider than the page
    assert to_blocks("![a](image:1)") == [Para("a", muted=True)]  # no images given: none


def test_an_images_reference_reads_back_its_caption_and_missing_ones_are_named():
    caption = "แผน [ปี] 2570 **หนา** `x` \\ <b>"
    reference = image_reference(7, caption + "\n")
    assert reference.endswith("(image:7)") and "\n" not in reference
    assert to_blocks(reference, IMAGES) == [Image(PNG, caption, 2.54)]
    text = f"{reference} ![x](image:9) ![y](http://a.example/y.png)"
    assert missing_images(text, IMAGES) == ["image:9", "http://a.example/y.png"]
    assert missing_images(reference, IMAGES) == []


# ---- the documents -----------------------------------------------------------------------------------

SAMPLE = """ผู้บริหาร**สำคัญ**ดำเนินการ *ผู้ใหญ่* ต่อ
บรรทัดที่สอง

1. ข้อแรก **สำคัญ**
2. ข้อสอง
   - ย่อย *ดำเนิน*

- หัวข้อ

1. รายการใหม่

| ตัวชี้วัด | ผล |
|---|---:|
| ผู้รับบริการ | 95 |

![แผนภูมิ](image:7)
<script>alert("x")</script> <style>body{display:none}</style> <img src=http://evil.example/x.png>
[ลิงก์](javascript:alert(1))"""


def report(text: str = SAMPLE) -> Report:
    return Report("ทดสอบ", "th", to_blocks(text, IMAGES))


def test_word_has_real_tables_lists_and_bold_and_italic_for_thai():
    word = Document(io.BytesIO(to_docx(report())))
    [table] = word.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [["ตัวชี้วัด", "ผล"], ["ผู้รับบริการ", "95"]]
    styles = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("List")]
    assert styles == [("List Number", "ข้อแรก สำคัญ"), ("List Number", "ข้อสอง"), ("List Bullet 2", "ย่อย ดำเนิน"),
                      ("List Bullet", "หัวข้อ"), ("List Number", "รายการใหม่")]
    numbered = [p for p in word.paragraphs if p.style.name == "List Number"]
    ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert ids[0] == ids[1] != ids[2]  # the second list counts from 1 again
    counted = Document(io.BytesIO(to_docx(report("3. สาม\n4. สี่"))))
    [num_id] = {p._p.pPr.numPr.numId.val for p in counted.paragraphs if p.style.name == "List Number"}
    num = counted.part.numbering_part.element.num_having_numId(num_id)
    assert num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "3"
    for run in (r for p in word.paragraphs for r in p.runs):
        rpr = run._r.rPr
        assert bool(run.bold) == (rpr is not None and rpr.find(qn("w:bCs")) is not None), run.text
        assert bool(run.italic) == (rpr is not None and rpr.find(qn("w:iCs")) is not None), run.text
    bold = [r.text for p in word.paragraphs for r in p.runs if r.bold]
    italic = [r.text for p in word.paragraphs for r in p.runs if r.italic]
    assert bold == ["สำคัญ", "สำคัญ"] and italic == ["ผู้ใหญ่", "ดำเนิน"]
    assert word.paragraphs[0].text == "ผู้บริหารสำคัญดำเนินการ ผู้ใหญ่ ต่อ\nบรรทัดที่สอง"
    assert len(word.inline_shapes) == 1
    body = zipfile.ZipFile(io.BytesIO(to_docx(report()))).read("word/document.xml").decode()
    assert "<script>" not in body and "&lt;script&gt;" in body and "evil.example" in body  # as text only
    assert "r:link=" not in body and "hyperlink" not in body  # nothing linked, nothing fetched


def test_a_control_character_in_a_run_does_not_spoil_the_word_file():
    word = Document(io.BytesIO(to_docx(report("**ก\x0bข** *ค\x08*\n\n- **ง\x1b**"))))
    assert [p.text for p in word.paragraphs] == ["ก\nข ค", "ง"]  # Word's own line break (a vertical tab) kept


POPPLER = shutil.which("pdftotext")


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext) not installed")
def test_the_pdfs_thai_comes_back_exactly_with_bold_and_italic(tmp_path):
    pdf = to_pdf(report())
    path = tmp_path / "formatted.pdf"
    path.write_bytes(pdf)
    texts = {"pdftotext": subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                         check=True).stdout,
             "pypdf": "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)}
    for tool, text in texts.items():
        flat = "".join(text.split())
        for phrase in ("ผู้บริหารสำคัญดำเนินการผู้ใหญ่ต่อ", "1.ข้อแรกสำคัญ2.ข้อสอง", "ย่อยดำเนิน", "ผู้รับบริการ95",
                       "•หัวข้อ1.รายการใหม่", "สำคัญ", "ผู้", "ดำเนิน", '<script>alert("x")</script>'):
            assert phrase in flat, (tool, phrase)  # a list's numbers too, each list counting from its own start
        assert "**" not in flat and "![" not in flat, tool
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout if shutil.which(
        "pdffonts") else str(PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values())
    assert "Laksaman-Bold" in fonts and "Laksaman-Italic" in fonts  # bold and italic drawn in their own faces
    counted = subprocess.run(["pdftotext", "-", "-"], input=to_pdf(report("3. สาม\n4. สี่")), capture_output=True,
                             check=True).stdout.decode()
    assert "".join(counted.split()).startswith("3.สาม4.สี่")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_for_weasyprint_holds_no_markup_of_the_users():
    nasty = (SAMPLE + '\n\n**<iframe src="https://x.example">** *<a href="https://x.example">a</a>*\n\n'
             "| <b>x</b> |\n|---|\n| <i>y</i> |")
    made = document._html(report(nasty))
    parsed = Tags()
    parsed.feed(made)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "p", "br", "strong", "em", "ul", "ol", "li",
                    "table", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption", "col"}, tags
    assert [tag for tag, _ in parsed.tags].count("style") == 1  # the document's own
    assert all(attrs["src"].startswith("data:image/png;base64,") for tag, attrs in parsed.tags if tag == "img")
    assert not any(name.startswith("on") or name == "href" for _, attrs in parsed.tags for name in attrs)
    text = "".join(parsed.text)
    for typed in ('<script>alert("x")</script>', "<style>body{display:none}</style>", '<iframe src="https://x.example">',
                  "<img src=http://evil.example/x.png>", "<b>x</b>", "<i>y</i>", "[ลิงก์](javascript:alert(1))"):
        assert typed in text, typed


# ---- the preview ---------------------------------------------------------------------------------------

def _preview(text: str) -> None:
    import io as _io

    from PIL import Image as _Picture

    from ui.formatted_text import help_text, preview

    out = _io.BytesIO()
    _Picture.new("RGB", (40, 20), "blue").save(out, "PNG")
    help_text()
    preview(text, {7: out.getvalue()})


def test_the_preview_draws_the_blocks_with_streamlits_elements_and_shows_what_was_typed():
    text = ("ข้อ **สำคัญ** [ลิงก์](https://x.example) ![ภาพ](https://x.example/a.png) <b>x</b> :red[แดง] $x$\n\n"
            "1. หนึ่ง\n2. สอง\n   - ย่อย\n\n| ก | ก |\n|---|---|\n| **1** | [a](https://x.example) |\n\n"
            "![แผนภูมิ](image:7)\n\n![หาย](image:9)")
    at = AppTest.from_function(_preview, args=(text,), default_timeout=30).run()
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert any(r"ข้อ **สำคัญ** ลิงก์ \(https\:" in m for m in markdown), markdown
    assert any(r"\<b\>x\<\/b\>" in m and r"\:red\[แดง\]" in m and r"\$x\$" in m for m in markdown), markdown
    assert any(m.startswith("1. หนึ่ง\n2. สอง\n    - ย่อย") for m in markdown), markdown
    [table] = at.table
    assert list(table.value.iloc[0]) == ["1", r"a \(https\:\/\/x\.example\)"]
    assert [c.value for c in at.caption] == ["ภาพ", "หาย"]
    assert r"image\:9" in at.warning[0].value and r"https\:\/\/x\.example\/a\.png" in at.warning[0].value
    assert len(at.get("image")) == 1
    assert not any(m.proto.allow_html for m in [*at.markdown, *at.caption])


def _panel(user, year: int, editable: bool) -> None:
    from ui import session
    from ui.formatted_text import images_panel

    images_panel(session.store(), user, year, editable)


@pytest.mark.parametrize(("role", "year", "uploader"), [("committee", 2570, True), ("committee", 2569, False),
                                                        ("director", 2570, False)])
def test_the_images_panel_lists_the_years_images_with_their_references(demo_path, demo_db, demo_user, monkeypatch,
                                                                       role, year, uploader):
    from storage.record import images

    monkeypatch.setenv("PMQA_DB", str(demo_path))
    committee = demo_user("committee")
    first = images.upload(demo_db, committee, 2570, "แผนภูมิ_องค์การ [ใหม่].png", picture(30, 20))
    second = images.upload(demo_db, committee, 2570, "x.jpg", picture(20, 30, "JPEG"))
    at = AppTest.from_function(_panel, args=(demo_user(role), year, True), default_timeout=30).run()
    assert not at.exception
    assert len(at.get("file_uploader")) == int(uploader)
    if year != 2570:
        assert [c.value for c in at.caption][-1] == "ยังไม่มีภาพของปีนี้"
        return
    assert [c.value for c in at.code] == [rf"![แผนภูมิ องค์การ \[ใหม่\]](image:{first})", f"![x](image:{second})"]
    assert len(at.get("image")) == 2
    assert any("30×20 พิกเซล" in c.value and "แผนภูมิ\\_องค์การ" in c.value for c in at.caption)
    assert ("คณะกรรมการ PMQA อัปโหลดภาพได้ในปีที่ยังเปิดอยู่" in [c.value for c in at.caption]) == (not uploader)


def test_the_pdf_fetches_nothing_even_when_its_html_asks(monkeypatch):
    # defence in depth: were text ever to reach the HTML as markup, WeasyPrint still reads no file or address
    import http.server
    import threading

    from reports import document

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(document, "_html", lambda doc: f'<link rel="stylesheet" href="{address}/s.css">'
                                                        f'<img src="{address}/x.png"><img src="file:///etc/hostname">'
                                                        f'<p style="background: url({address}/b.png)">ก</p>')
    try:
        layout = document.pdf_layout(document.Report("t", "th", []))
    finally:
        server.shutdown()
        server.server_close()
    assert hits == [] and len(layout.pages) == 1
