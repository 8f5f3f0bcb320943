"""An exact text layer for the PDFs WeasyPrint makes: what a reader copies, searches or extracts (pdftotext,
pypdf, a screen reader) is the document's text, character for character.

A PDF shows glyphs, and its text comes from each font's ToUnicode map, one text per glyph. Thai breaks that
map: WeasyPrint fills it from the first cluster a glyph is drawn in, so a consonant first drawn under marks
(ผู้) maps to nothing ever after, and the SARA AA that HarfBuzz draws for the second half of SARA AM (ำ) maps
to ำ everywhere: pdftotext and pypdf gave "ผ้่" for ผู้ and "ดาเนิน" for ดำเนิน. Even a right map gives marks out
of order and a space inside words, since a mark shifted left over a tall consonant (ป่า) is drawn before the
mark below it, away from its neighbour.

So the text the reader gets does not come from the glyphs at all. ``exact_text`` takes WeasyPrint's laid-out
document and its PDF, maps every glyph the pages draw to no text, and adds under each line the line's own text
in invisible type (rendering mode 3, the way OCR'd scans carry their text), placed and scaled to the line: one
character per code, each mapped back to itself.
"""

from __future__ import annotations

import io
import subprocess
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

LAYER = NameObject("/PMQAText")  # the invisible text's font, in every page's resources
LAYER_FACE = "Laksaman"  # any font with Thai (Debian's fonts-thai-tlwg, as the pages'); only its codes matter
DEBIAN_FILE = Path("/usr/share/fonts/truetype/tlwg/Laksaman.ttf")
ADVANCE = 500  # every code's width in the layer's font (1/1000 em); a line's text is scaled to its width
PX = 0.75  # points per CSS pixel


def _to_unicode(texts: dict[int, str]) -> bytes:
    """A ToUnicode CMap: code -> text (an empty text: the code stands for nothing)."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
    items = sorted(texts.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>".encode() for code, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


@cache
def _source() -> Path:
    """The layer font's file: where Debian puts it, else where fontconfig finds it."""
    if DEBIAN_FILE.exists():
        return DEBIAN_FILE
    found = subprocess.run(["fc-match", "-f", "%{file}", LAYER_FACE], capture_output=True, text=True,
                           check=True).stdout
    if LAYER_FACE not in found:
        raise FileNotFoundError(f"{LAYER_FACE} is not installed (Debian's fonts-thai-tlwg); fontconfig offers {found}")
    return Path(found)


@cache
def _glyphs() -> tuple[dict[int, int], int]:
    """The layer font's character -> glyph map (one glyph per character) and its number of glyphs."""
    font = TTFont(_source())
    seen: set[int] = set()
    glyphs = {}
    for char, name in sorted(font.getBestCmap().items()):
        gid = font.getGlyphID(name)
        if gid not in seen:  # a glyph two characters share stands for the first; the second gets a code of its own
            seen.add(gid)
            glyphs[char] = gid
    return glyphs, font["maxp"].numGlyphs


def _font_file(gids: set[int]) -> bytes:
    """The layer font cut to the glyphs used (their ids kept): it is never drawn, but a viewer wants it there."""
    font = TTFont(_source())
    options = subset.Options(retain_gids=True, hinting=False, notdef_outline=True, layout_features=[],
                             name_IDs=[1, 2, 3, 4, 6], drop_tables=["GSUB", "GPOS", "GDEF", "kern", "FFTM"])
    cutter = subset.Subsetter(options)
    cutter.populate(gids=sorted(g for g in gids if g < font["maxp"].numGlyphs))
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _lines(document) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, each text box laid out: x and baseline y (CSS px from the top left), width, font size, text. The
    boxes inside placeholders too: a list item's marker (its number, its bullet) is one, outside the item."""
    from weasyprint.formatting_structure import boxes

    pages = []
    for page in document.pages:
        found = []
        for box in page._page_box.descendants(placeholders=True):
            if isinstance(box, boxes.TextBox) and box.text.strip():
                found.append((box.position_x, box.position_y + (box.baseline or 0), box.width,
                              box.style["font_size"], box.text))
        pages.append(found)
    return pages


def _drawn_codes(font) -> set[int]:
    """The codes a WeasyPrint font draws (those its widths array lists)."""
    widths = font["/DescendantFonts"][0].get_object().get("/W", ArrayObject())
    codes: set[int] = set()
    i = 0
    while i < len(widths):
        first, then = int(widths[i]), widths[i + 1]
        if isinstance(then, ArrayObject):
            codes.update(range(first, first + len(then)))
            i += 2
        else:
            codes.update(range(first, int(then) + 1))
            i += 3
    return codes


def _layer_font(writer: PdfWriter, codes: dict[str, int]):
    gids = set(codes.values())
    file = StreamObject()
    data = _font_file(gids)
    file.set_data(data)
    file[NameObject("/Length1")] = NumberObject(len(data))
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): LAYER,
        NameObject("/Flags"): NumberObject(32), NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in (-500, -500, 1500, 1000)]),
        NameObject("/Ascent"): NumberObject(800), NameObject("/Descent"): NumberObject(-200),
        NameObject("/CapHeight"): NumberObject(700), NameObject("/StemV"): NumberObject(80),
        NameObject("/FontFile2"): writer._add_object(file)})
    cid_font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType2"),
        NameObject("/BaseFont"): LAYER, NameObject("/DW"): NumberObject(ADVANCE),
        NameObject("/CIDToGIDMap"): NameObject("/Identity"),
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"), NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/FontDescriptor"): writer._add_object(descriptor)})
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(_to_unicode({code: char for char, code in codes.items()}))
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): LAYER, NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
        NameObject("/ToUnicode"): writer._add_object(to_unicode)}))


def exact_text(document) -> bytes:
    """The PDF of WeasyPrint's laid-out ``document`` (``HTML(...).render()``) with the exact text layer."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document.write_pdf())))
    silenced: set[int] = set()
    for page in writer.pages:
        for ref in page["/Resources"].get("/Font", DictionaryObject()).values():
            font = ref.get_object()
            if id(font) in silenced or "/DescendantFonts" not in font:
                continue
            silenced.add(id(font))
            nothing = DecodedStreamObject()
            nothing.set_data(_to_unicode(dict.fromkeys(_drawn_codes(font), "")))
            font[NameObject("/ToUnicode")] = writer._add_object(nothing)

    glyphs, count = _glyphs()
    codes: dict[str, int] = {}
    pages = _lines(document)
    for found in pages:
        for *_, text in found:
            for char in text:
                if char not in codes:  # a character the font lacks: a code past its glyphs (drawn as nothing)
                    codes[char] = glyphs.get(ord(char), count + len(codes))
    if not codes:
        return _written(writer)
    font = _layer_font(writer, codes)
    for page, found in zip(writer.pages, pages, strict=True):
        resources = page["/Resources"]
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        resources["/Font"][LAYER] = font
        height = float(page.mediabox.height)
        ops = ["BT", "3 Tr"]
        for x, y, width, size, text in found:
            points = size * PX
            natural = len(text) * ADVANCE / 1000 * points
            scale = 100 * width * PX / natural if natural else 100
            hexes = "".join(f"{codes[char]:04X}" for char in text)
            ops.append(f"{LAYER} {points:.2f} Tf {scale:.2f} Tz 1 0 0 1 {x * PX:.2f} {height - y * PX:.2f} Tm "
                       f"<{hexes}> Tj")
        ops.append("ET")
        before, after = DecodedStreamObject(), DecodedStreamObject()
        before.set_data(b"q\n")  # the page's own drawing keeps its state to itself
        after.set_data(("Q\n" + "\n".join(ops) + "\n").encode())
        contents = page.raw_get("/Contents")  # a reference (a stream can only be in an array by reference)
        resolved = contents.get_object()
        drawn = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *drawn, writer._add_object(after)])
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
