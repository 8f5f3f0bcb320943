"""A printed document as a list of blocks, written out as Word (python-docx) or PDF (WeasyPrint).

A report builds its content once, as ``Heading``, ``Para``, ``Bullets``, ``Numbered``, ``Table``, ``Image`` and
``PageBreak`` blocks; ``to_docx`` and ``to_pdf`` lay the same blocks out. Word gets real heading styles (so
the department can keep editing and the contents update), a Thai font declared for complex scripts, page
numbers and tables whose header row repeats; the PDF gets TLWG's Laksaman (TH Sarabun New's measures, from
Debian's fonts-thai-tlwg), a contents list with page numbers, the footer and page number below, and tables
whose rows are never split across pages and whose header row repeats on every page they run over.

A paragraph or a list item may be written in ``Run``s, stretches of bold or italic text (``reports.markdown``
makes them from the formatted texts people type). Word gets them with the complex-script bold and italic too
(``w:bCs``, ``w:iCs``: Thai is a complex script, and without them its letters stay upright and light), the PDF
as ``strong`` and ``em``, in Laksaman's bold and italic faces.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field, replace

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports.cells import xml_text
from reports.text_layer import exact_text

FONT = "TH Sarabun New"  # the government's standard Thai font; Word substitutes when it is missing
# TLWG's Laksaman is drawn to TH Sarabun New's measures. Asked for by name: fontconfig's alias from
# "TH Sarabun New" to Laksaman also shrinks it to two thirds of its width, which squeezed every line
PDF_FONTS = "Laksaman, Garuda, sans-serif"
BODY_PT = 16  # Thai documents set TH Sarabun New at 16 pt
# The measures both writers lay out by, so that the PDF's page count predicts the Word file's: the size of each
# kind of text (pt), its line height (times its size) and the space before and after it (pt)
LINE, HEADING_LINE, TABLE_PT, CAPTION_PT = 1.35, 1.2, 14, 13
TABLE_GAP_PT = 8.5  # the space after a table (0.3 cm)
SECTION_CM = 16.0  # the width of a line: A4 less its 2.5 cm margins
SIZES = {"Title": 28, "Heading 1": 22, "Heading 2": 18, "Heading 3": 16}
SPACE = {"Normal": (0, 8), "Title": (0, 12), "Heading 1": (12, 6), "Heading 2": (10, 4), "Heading 3": (8, 2)}


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 0 the title, 1-3 sections
    part: str = ""  # the part of the document it opens, whose pages are counted (``page_starts``)


@dataclass(frozen=True)
class Run:
    """A stretch of text in one face; a line break in it is a line break."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Para:
    text: str  # the paragraph's plain text (its runs' texts joined, when it has runs)
    muted: bool = False
    runs: tuple[Run, ...] = ()  # the text in faces: written in place of ``text`` when given


@dataclass(frozen=True)
class Item:
    """A list item in runs, with the items of a list nested in it (one level), numbered or not."""

    runs: tuple[Run, ...]
    sub: tuple[tuple[Run, ...], ...] = ()
    sub_numbered: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str | Item, ...]


@dataclass(frozen=True)
class Numbered:
    """A numbered list (1., 2., ...), counted from ``start`` however many lists the document holds."""

    items: tuple[str | Item, ...]
    start: int = 1


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    widths: tuple[float, ...] = ()  # in cm, one per column (optional)


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str = ""
    width_cm: float = 16.0


@dataclass(frozen=True)
class Beside:
    """A small table with a picture beside it, kept together on one page (a KPI's results and their chart)."""

    table: Table
    image: Image
    table_cm: float = 5.0  # the table's width; the picture takes the rest of the line


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Contents:
    title: str


@dataclass
class Report:
    """A document: its title (for the file's properties) and its blocks, in order."""

    title: str
    lang: str
    blocks: list = field(default_factory=list)
    footer: str = ""
    author: str = ""  # the file's author: the department

    def add(self, *blocks) -> Report:
        self.blocks.extend(blocks)
        return self


def _fit(doc: Report) -> Report:
    """The document with every text fit for XML (``reports.cells.xml_text``): a control character an older
    store holds would make python-docx refuse the whole document."""
    def texts(values) -> tuple:
        return tuple(map(xml_text, values))

    def runs(values: tuple[Run, ...]) -> tuple[Run, ...]:
        return tuple(replace(run, text=xml_text(run.text)) for run in values)

    def item(value: str | Item) -> str | Item:
        if isinstance(value, Item):
            return replace(value, runs=runs(value.runs), sub=tuple(map(runs, value.sub)))
        return xml_text(value)

    blocks = []
    for block in doc.blocks:
        if isinstance(block, Para):
            block = replace(block, text=xml_text(block.text), runs=runs(block.runs))
        elif isinstance(block, Heading):
            block = replace(block, text=xml_text(block.text))
        elif isinstance(block, Bullets | Numbered):
            block = replace(block, items=tuple(map(item, block.items)))
        elif isinstance(block, Table):
            block = replace(block, headers=texts(block.headers), rows=tuple(texts(row) for row in block.rows))
        elif isinstance(block, Image):
            block = replace(block, caption=xml_text(block.caption))
        elif isinstance(block, Beside):
            block = replace(block, table=replace(block.table, headers=texts(block.table.headers),
                                                 rows=tuple(texts(row) for row in block.table.rows)),
                            image=replace(block.image, caption=xml_text(block.image.caption)))
        elif isinstance(block, Contents):
            block = replace(block, title=xml_text(block.title))
        blocks.append(block)
    return Report(xml_text(doc.title), doc.lang, blocks, xml_text(doc.footer), xml_text(doc.author))


def _runs(value: str | Item | Para) -> tuple[Run, ...]:
    """The runs of a paragraph or a list item (plain text: one run)."""
    if isinstance(value, Para):
        return value.runs or (Run(value.text),)
    return value.runs if isinstance(value, Item) else (Run(value),)


def _cell_text(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


# ---- Word ---------------------------------------------------------------------------------------------

THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _child(rpr, tag: str):
    found = rpr.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        rpr.append(found)
    return found


def _thai_font(style_or_run, size: float | None = None, bold: bool | None = None) -> None:
    """The font for Latin and complex scripts (Thai is a complex script to Word), and its size and weight for
    both, in black. A theme font (the template's headings: Calibri Light, Angsana New for Thai) would win over
    the font named, and a theme colour over black: both are removed."""
    font = style_or_run.font
    font.name = FONT
    font.color.rgb = RGBColor(0, 0, 0)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in THEME_FONTS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
        rpr.find(qn("w:color")).attrib.pop(qn(attr), None)
    if size:
        _child(rpr, "w:szCs").set(qn("w:val"), str(int(size * 2)))
    if bold is not None:
        _child(rpr, "w:bCs").set(qn("w:val"), "true" if bold else "false")


def _spacing(style, line_pt: float, before_pt: float, after_pt: float) -> None:
    """A paragraph style's exact line height and the space before and after it (those of the PDF's CSS)."""
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before, fmt.space_after = Pt(before_pt), Pt(after_pt)


def _languages(word, lang: str) -> None:
    """Every run's languages, for proofing and screen readers: Thai as the complex script (the template says
    Arabic), and the document's language for Latin text."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = _child(rpr, "w:lang")
    language.set(qn("w:val"), "th-TH" if lang == "th" else "en-GB")
    language.set(qn("w:bidi"), "th-TH")


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (a page number, the contents) that Word fills in."""
    run = paragraph.add_run()
    begin, code, separate, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar"),
                                  OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(separate)
    shown = paragraph.add_run(placeholder)
    shown._r.append(end)


def to_docx(doc: Report) -> bytes:
    doc = _fit(doc)
    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2)
    _languages(word, doc.lang)
    _thai_font(word.styles["Normal"], BODY_PT)
    _spacing(word.styles["Normal"], BODY_PT * LINE, *SPACE["Normal"])
    for name, size in SIZES.items():
        _thai_font(word.styles[name], size, bold=True)
        _spacing(word.styles[name], size * HEADING_LINE, *SPACE[name])
    _thai_font(word.styles["Caption"], CAPTION_PT, bold=False)  # the template's captions are bold, the PDF's not
    _spacing(word.styles["Caption"], CAPTION_PT * LINE, 0, SPACE["Normal"][1])
    for name in LIST_STYLES:
        _spacing(word.styles[name], BODY_PT * LINE, 0, 0)  # a list's items close together, as in the PDF
    for name in (*LIST_STYLES, "Footer"):
        _thai_font(word.styles[name])
    word.core_properties.title = doc.title
    word.core_properties.author = word.core_properties.last_modified_by = doc.author
    word.core_properties.comments = ""  # python-docx's own "generated by python-docx"
    word.core_properties.language = "th-TH" if doc.lang == "th" else "en-GB"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.footer:
        footer.add_run(doc.footer + " · ")
    _field(footer, "PAGE", "1")
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            _add_runs(word.add_paragraph(), _runs(block), italic=block.muted)
        elif isinstance(block, Bullets | Numbered):
            _docx_list(word, block)
        elif isinstance(block, Table):
            _docx_table(word, block)
        elif isinstance(block, Image):
            _docx_picture(word, word.add_paragraph(), block)
        elif isinstance(block, Beside):
            _docx_beside(word, block)
        elif isinstance(block, PageBreak):
            word.add_page_break()
        elif isinstance(block, Contents):
            word.add_heading(block.title, level=1)
            _field(word.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', block.title)
    settings = word.settings.element  # Word refreshes the contents and page numbers when it opens the file
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


LIST_STYLES = ("List Bullet", "List Number", "List Bullet 2", "List Number 2")


def _add_runs(paragraph, runs: tuple[Run, ...], italic: bool = False) -> None:
    """The runs at the end of a paragraph, bold and italic for Latin and complex scripts alike."""
    for run in filter(lambda run: run.text, runs):
        added = paragraph.add_run(run.text)
        if run.bold:
            added.bold = True
            added._r.get_or_add_rPr().get_or_add_bCs()
        if run.italic or italic:
            added.italic = True
            added._r.get_or_add_rPr().get_or_add_iCs()


def _restarted(word, style: str, start: int = 1) -> int:
    """A new numbering of a list style's (its ``w:num``, counting from ``start``): the style's own numbering
    runs on through the whole document, so a second numbered list would go on from the first's last number."""
    numbering = word.part.numbering_part.element
    own = word.styles[style].element.pPr.numPr.numId.val
    num = numbering.add_num(numbering.num_having_numId(own).abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return num.numId


def _list_paragraph(word, runs: tuple[Run, ...], style: str, num_id: int | None) -> None:
    paragraph = word.add_paragraph(style=style)
    if num_id is not None:
        numbers = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        numbers.get_or_add_ilvl().val = 0
        numbers.get_or_add_numId().val = num_id
    _add_runs(paragraph, runs)


def _docx_list(word, block: Bullets | Numbered) -> None:
    """A list in Word's list styles ("List Bullet", "List Number"; a nested list in their second level's)."""
    numbered = isinstance(block, Numbered)
    style = "List Number" if numbered else "List Bullet"
    num_id = _restarted(word, style, block.start) if numbered else None
    for item in block.items:
        _list_paragraph(word, _runs(item), style, num_id)
        if isinstance(item, Item) and item.sub:
            sub_style = "List Number 2" if item.sub_numbered else "List Bullet 2"
            sub_id = _restarted(word, sub_style) if item.sub_numbered else None
            for runs in item.sub:
                _list_paragraph(word, runs, sub_style, sub_id)


def _table_text(cell, text: str, bold: bool = False, right: bool = False) -> None:
    """A cell's text as the PDF sets it: 14 pt, lines close together, numbers to the right."""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(TABLE_PT), bold or None
    _child(run._r.get_or_add_rPr(), "w:szCs").set(qn("w:val"), str(TABLE_PT * 2))
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(TABLE_PT * LINE)
    fmt.space_before = fmt.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_picture(container, paragraph, block: Image, width_cm: float | None = None) -> None:
    """A picture in its own paragraph (as tall as the picture: an exact line would clip it), its caption below."""
    paragraph.add_run().add_picture(io.BytesIO(block.png), width=Cm(width_cm or block.width_cm))
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.keep_with_next = WD_LINE_SPACING.SINGLE, bool(block.caption)
    if block.caption:
        container.add_paragraph(block.caption, style="Caption")


def _docx_beside(word, block: Beside) -> None:
    """A borderless row of two cells, never split across pages: the table in the first, the picture in the
    second."""
    line = SECTION_CM - block.table_cm
    row = word.add_table(rows=1, cols=2)
    row.autofit = False
    row.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = row.rows[0].cells
    for column, cell, width in ((row.columns[0], left, block.table_cm), (row.columns[1], right, line)):
        column.width = cell.width = Cm(width)
    first = left.paragraphs[0]._p
    _docx_table(left, block.table, gap=False)
    first.getparent().remove(first)  # the cell's own empty paragraph, above the table
    _docx_picture(right, right.paragraphs[0], block.image, min(block.image.width_cm, line - 0.4))
    gap = word.add_paragraph().paragraph_format
    gap.line_spacing_rule, gap.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(TABLE_GAP_PT)
    gap.space_before = gap.space_after = Pt(0)


def _docx_table(word, block: Table, gap: bool = True) -> None:
    table = word.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    header = table.rows[0]
    properties = header._tr.get_or_add_trPr()  # the header row repeats on every page the table runs over
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for cell, text in zip(header.cells, block.headers, strict=True):
        _table_text(cell, str(text), bold=True)
    for row in block.rows:
        added = table.add_row()
        added._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays whole on one page
        for cell, value in zip(added.cells, row, strict=True):
            _table_text(cell, _cell_text(value), right=isinstance(value, int | float) and not isinstance(value, bool))
    if block.widths:
        table.autofit = False
        for column, width in zip(table.columns, block.widths, strict=True):  # the grid LibreOffice lays out by
            column.width = Cm(width)
        for row in table.rows:  # and each cell's, which Word lays out by
            for cell, width in zip(row.cells, block.widths, strict=True):
                cell.width = Cm(width)
    if not gap:
        return
    gap = word.add_paragraph().paragraph_format  # between tables (Word would join two): the PDF's 0.3 cm margin
    gap.line_spacing_rule, gap.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(TABLE_GAP_PT)
    gap.space_before = gap.space_after = Pt(0)


# ---- PDF ----------------------------------------------------------------------------------------------

CSS = f"""
@page {{ size: A4; margin: 2cm 2.5cm; @bottom-center {{ content: var(--footer) counter(page);
         font-family: {PDF_FONTS}; font-size: 12pt; color: #555; }} }}
body {{ font-family: {PDF_FONTS}; font-size: {BODY_PT}pt; line-height: {LINE}; }}
p {{ margin: {SPACE["Normal"][0]}pt 0 {SPACE["Normal"][1]}pt 0; }}
ul, ol:not(.contents) {{ margin: 0 0 {SPACE["Normal"][1]}pt 0; }} li > ul, li > ol {{ margin: 0; }}
h1, h2, h3 {{ line-height: {HEADING_LINE}; page-break-after: avoid; }}
h1.title {{ font-size: {SIZES["Title"]}pt; margin: 6cm 0 {SPACE["Title"][1]}pt 0; }}
h1 {{ font-size: {SIZES["Heading 1"]}pt; margin: {SPACE["Heading 1"][0]}pt 0 {SPACE["Heading 1"][1]}pt 0; }}
h2 {{ font-size: {SIZES["Heading 2"]}pt; margin: {SPACE["Heading 2"][0]}pt 0 {SPACE["Heading 2"][1]}pt 0; }}
h3 {{ font-size: {SIZES["Heading 3"]}pt; margin: {SPACE["Heading 3"][0]}pt 0 {SPACE["Heading 3"][1]}pt 0; }}
p.muted {{ color: #555; font-style: italic; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.3cm 0 {TABLE_GAP_PT}pt 0; font-size: {TABLE_PT}pt; }}
th, td {{ border: 1px solid #888; padding: 2pt 4pt; vertical-align: top; }}
thead {{ display: table-header-group; }} th {{ background: #eee; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}  /* a row stays whole; the header row repeats */
td.number {{ text-align: right; }}
table.beside {{ margin: 0 0 {TABLE_GAP_PT}pt 0; }}
table.beside > tbody > tr > td {{ border: none; padding: 0; vertical-align: top; }}
table.beside > tbody > tr > td:first-child {{ padding-right: 0.4cm; }} table.beside figure {{ margin: 0.3cm 0 0 0; }}
img {{ max-width: 100%; }} figure {{ margin: 0.3cm 0; }} figcaption {{ font-size: {CAPTION_PT}pt; color: #555; }}
.break {{ page-break-after: always; }}
ol.contents {{ list-style: none; padding: 0; }} ol.contents li.level-2 {{ margin-left: 1cm; }}
ol.contents a {{ color: black; text-decoration: none; }}
ol.contents a::after {{ content: leader('.') target-counter(attr(href), page); }}
"""


def _td(value) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    attribute = ' class="number"' if number else ""
    return f"<td{attribute}>{html.escape(_cell_text(value))}</td>"


def _inline(runs: tuple[Run, ...]) -> str:
    """Runs as HTML: each text escaped, its line breaks ``<br>``, in ``strong`` and ``em`` where bold or
    italic."""
    out = []
    for run in runs:
        text = html.escape(run.text).replace("\n", "<br>")
        text = f"<em>{text}</em>" if run.italic else text
        out.append(f"<strong>{text}</strong>" if run.bold else text)
    return "".join(out)


def _html_list(block: Bullets | Numbered) -> str:
    items = []
    for item in block.items:
        sub = ""
        if isinstance(item, Item) and item.sub:
            tag = "ol" if item.sub_numbered else "ul"
            sub = f"<{tag}>" + "".join(f"<li>{_inline(runs)}</li>" for runs in item.sub) + f"</{tag}>"
        items.append(f"<li>{_inline(_runs(item))}{sub}</li>")
    if isinstance(block, Numbered):
        # WeasyPrint does not count from an ``ol``'s start attribute: the counter is set instead
        start = f' style="counter-reset: list-item {int(block.start) - 1}"' if block.start != 1 else ""
        return f"<ol{start}>{''.join(items)}</ol>"
    return f"<ul>{''.join(items)}</ul>"


def _html_table(block: Table) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in block.headers)
    body = "".join("<tr>" + "".join(_td(v) for v in row) + "</tr>" for row in block.rows)
    columns = "".join(f'<col style="width:{w}cm">' for w in block.widths)
    return f"<table>{columns}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_figure(block: Image) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    caption = f"<figcaption>{html.escape(block.caption)}</figcaption>" if block.caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" style="width:{block.width_cm}cm">{caption}</figure>'


def _html(doc: Report) -> str:
    doc, esc = _fit(doc), html.escape
    anchors = [(i, b) for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and 1 <= b.level <= 2]
    parts = []
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            level = max(block.level, 1)
            title = ' class="title"' if block.level == 0 else ""
            parts.append(f'<h{level} id="{_anchor(i, block)}"{title}>{esc(block.text)}</h{level}>')
        elif isinstance(block, Para):
            text = _inline(_runs(block))
            parts.append(f'<p class="muted">{text}</p>' if block.muted else f"<p>{text}</p>")
        elif isinstance(block, Bullets | Numbered):
            parts.append(_html_list(block))
        elif isinstance(block, Table):
            parts.append(_html_table(block))
        elif isinstance(block, Image):
            parts.append(_html_figure(block))
        elif isinstance(block, Beside):
            width = min(block.image.width_cm, SECTION_CM - block.table_cm - 0.4)
            parts.append(f'<table class="beside"><tr><td style="width:{block.table_cm}cm">{_html_table(block.table)}'
                         f"</td><td>{_html_figure(replace(block.image, width_cm=width))}</td></tr></table>")
        elif isinstance(block, PageBreak):
            parts.append('<div class="break"></div>')
        elif isinstance(block, Contents):
            items = "".join(f'<li class="level-{b.level}"><a href="#{_anchor(j, b)}">{esc(b.text)}</a></li>'
                            for j, b in anchors)
            parts.append(f"<h1>{esc(block.title)}</h1><ol class=\"contents\">{items}</ol>")
    lang = "th" if doc.lang == "th" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{esc(doc.title)}</title>'
            f"<style>{CSS.replace('var(--footer)', _css_string(doc.footer + ' · ' if doc.footer else ''))}</style>"
            f"</head><body>{''.join(parts)}</body></html>")


def _anchor(index: int, heading: Heading) -> str:
    return f"part-{heading.part}" if heading.part else f"h{index}"


def page_starts(layout) -> dict[str, int]:
    """Per part a heading opens (``Heading.part``), the number of the page it starts on, in a laid-out document
    (``pdf_layout``)."""
    starts = {}
    for number, page in enumerate(layout.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("part-"):
                starts.setdefault(anchor.removeprefix("part-"), number)
    return starts


def _css_string(text: str) -> str:
    """Text as a CSS string literal (quotes, backslashes and anything outside ASCII escaped)."""
    return '"' + "".join(ch if ch.isascii() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in text) + '"'


def pdf_layout(doc: Report):
    """The document laid out in pages by WeasyPrint (its ``Document``: ``.pages``, ``.write_pdf()``). It fetches
    nothing, neither a file nor an address: the document's images are in the HTML itself (``data:`` addresses),
    so anything else asked for could only be a mistake or text a user typed."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=_html(doc), url_fetcher=URLFetcher(allowed_protocols={"data"})).render()


def to_pdf(doc: Report) -> bytes:
    """The PDF, with a text layer that gives back the document's text exactly (``reports.text_layer``)."""
    return exact_text(pdf_layout(doc))
