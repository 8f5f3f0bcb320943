"""An uploaded offline form or unit list cannot make the server work out of proportion to what a form or a unit
list holds (security review: a 31 KB .xlsx declaring the whole sheet took 15 minutes of CPU; a 0.2 MB CSV with
one long row took hundreds of MiB). Each hostile file is made here, and refused (or read) within a bound on work:
the rows and cells openpyxl produces or parses and the CSV records read are counted, and a file that costs more
than ``WORK`` stops the test at once (``TooMuchWork``), so that code without the bounds fails quickly instead of
running for minutes; memory is measured with tracemalloc. No test measures time."""

from __future__ import annotations

import csv
import io
import re
import struct
import tracemalloc
import zipfile
from datetime import UTC, datetime
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from sample_files import edited_workbook

from intake import offline_form as of
from intake import unit_import
from reports.offline_template import offline_template
from storage.assessment import answers, assessments, years
from storage.errors import InputError
from storage.organisation import accounts, org

BUILT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
WORK = 100_000  # rows + cells read or parsed, CSV records + fields: a form costs some 6,000, 2,000 units 68,000
MEMORY = 16 * 2**20  # traced peak while refusing a hostile file of at most a few hundred KB
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
UNITS = [["code", "name_th", "name_en", "group", "weight"], ["U1", "สำนักงานเลขานุการ", "Secretariat", "central", 12],
         ["U2", "กองแผนงาน", "Planning", "central", None]]


class TooMuchWork(BaseException):
    """A file cost more than ``WORK``: a BaseException, so the importers' "a damaged file is unreadable" handlers
    do not turn it into a refusal."""


@pytest.fixture
def work(monkeypatch):
    """Counts what reading a file costs: rows and cells openpyxl yields (padding included) or parses, CSV
    records and fields, up to ``limit``; ``opened`` counts the workbooks openpyxl opened."""
    spent = {"units": 0, "opened": 0, "limit": WORK}

    def spend(units: int) -> None:
        spent["units"] += units
        if spent["units"] > spent["limit"]:
            raise TooMuchWork(spent["units"])

    cells_by_row, parse_row, reader, load = (ReadOnlyWorksheet._cells_by_row, WorkSheetParser.parse_row,
                                             csv.reader, openpyxl.load_workbook)

    def counted_rows(self, *args, **kwargs):
        for row in cells_by_row(self, *args, **kwargs):
            spend(1 + len(row))
            yield row

    def counted_parse(self, element):
        spend(1 + len(element))
        return parse_row(self, element)

    def counted_reader(*args, **kwargs):
        for record in reader(*args, **kwargs):
            spend(1 + len(record))
            yield record

    def counted_load(*args, **kwargs):
        spent["opened"] += 1
        return load(*args, **kwargs)

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counted_rows)
    monkeypatch.setattr(WorkSheetParser, "parse_row", counted_parse)
    monkeypatch.setattr(csv, "reader", counted_reader)
    monkeypatch.setattr(openpyxl, "load_workbook", counted_load)
    return spent


def traced(call):
    """(what ``call`` returned or raised, the traced memory peak in bytes)."""
    tracemalloc.start()
    try:
        try:
            outcome = call()
        except InputError as refused:
            outcome = refused
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---- making files ------------------------------------------------------------------------------------------


@pytest.fixture
def form_file(db) -> bytes:
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, user, unit_id, 2570)
    return offline_template(answers.load(db, user, a["id"]), years.framework_of(db, 2570), org.unit(db, unit_id),
                            "th", BUILT)


def unit_list() -> bytes:
    book = openpyxl.Workbook()
    for cells in UNITS:
        book.active.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_form(data: bytes):
    return of.read(data, "form.xlsx")


def read_units(data: bytes, name: str = "units.xlsx"):
    return unit_import.read_table(data, name)


def sheet_member(data: bytes, title: str) -> str:
    """The zip member holding the sheet named ``title``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rid = next(s.get(f"{{{RELS}}}id") for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == title)
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target[1:] if target.startswith("/") else f"xl/{target}"


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The archive with members replaced or added."""
    replace, out = replace or {}, io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def declared_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with ``member``'s unpacked size, as its central directory declares it, set to ``size``."""
    name, at = member.encode(), 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        if data[at + 46:at + 46 + len(name)] == name:
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at += 4


def edit_sheet(data: bytes, title: str, edit) -> bytes:
    member = sheet_member(data, title)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(member)
    return rezip(data, {member: edit(xml)})


def far_cell(dimension: bool, column: str = "XFD"):
    """A sheet edit: the whole grid declared (A1:XFD1048576), or no size declared at all, and one cell in the
    sheet's last row."""
    def edit(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>' if dimension else b"", xml)
        cell = f'<row r="1048576"><c r="{column}1048576" t="inlineStr"><is><t>1.1.B1</t></is></c></row>'
        return xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
    return edit


def one_row(body: bytes):
    """A sheet edit: its rows replaced by ``body``."""
    return lambda xml: re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", b"<sheetData>" + body + b"</sheetData>",
                              xml, flags=re.S)


# ---- a sheet declaring or holding far more than the layout ----------------------------------------------


def test_a_form_declaring_the_whole_sheet_with_a_cell_in_its_last_row_is_refused_within_bounded_work(form_file,
                                                                                                      work):
    data = edit_sheet(form_file, of.sheet_name("checkpoints", "th"), far_cell(dimension=True))
    with pytest.raises(InputError) as refused:
        read_form(data)
    assert refused.value.key == "error_offline_extent"
    assert refused.value.params == {"name": "form.xlsx", "sheet": of.sheet_name("checkpoints", "th"),
                                    "rows": of.MAX_ROWS + 1}
    assert work["units"] <= WORK


def test_a_unit_list_declaring_the_whole_sheet_with_a_cell_in_its_last_row_is_refused_within_bounded_work(work):
    data = edit_sheet(unit_list(), "Sheet", far_cell(dimension=True))
    with pytest.raises(InputError) as refused:
        read_units(data)
    assert refused.value.key == "error_import_extent"
    assert refused.value.params == {"name": "units.xlsx", "rows": unit_import.MAX_SHEET_ROWS,
                                    "column": "Z"}
    assert work["units"] <= WORK


def test_a_far_cell_in_a_sheet_declaring_no_size_is_refused_within_bounded_work(form_file, work):
    """No spreadsheet program writes a sheet without its size, but a made file can: the sheet is read down to
    the row just past the layout's, where the far row shows (openpyxl pads the rows up to it)."""
    data = edit_sheet(form_file, of.sheet_name("checkpoints", "th"), far_cell(dimension=False, column="A"))
    with pytest.raises(InputError) as refused:
        read_form(data)
    assert (refused.value.key, refused.value.params["rows"]) == ("error_offline_extent", of.MAX_ROWS + 1)
    assert work["units"] <= WORK
    # a unit list is read down to the row past its bound, as wide as its columns and one: bounded by its layout
    work["units"], work["limit"] = 0, (unit_import.MAX_SHEET_ROWS + 1) * (unit_import.MAX_COLUMNS + 2) + WORK
    with pytest.raises(InputError) as refused:
        read_units(edit_sheet(unit_list(), "Sheet", far_cell(dimension=False)))
    assert refused.value.key == "error_import_extent"
    assert work["units"] <= work["limit"]


def test_content_just_beyond_the_rows_a_form_holds_is_refused_not_dropped(form_file):
    title = of.sheet_name("checkpoints", "th")
    data = edited_workbook(form_file, {(title, f"A{of.MAX_ROWS + 2}"): "1.1.B1"})
    with pytest.raises(InputError) as refused:
        read_form(data)
    assert (refused.value.key, refused.value.params["rows"]) == ("error_offline_extent", of.MAX_ROWS + 1)
    # also when the sheet declares no size (the row just past the bound is read to see it)
    hidden = edit_sheet(data, title, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    with pytest.raises(InputError) as refused:
        read_form(hidden)
    assert refused.value.key == "error_offline_extent"


@pytest.mark.parametrize("cell", [f"A{unit_import.MAX_SHEET_ROWS + 1}", "AA2"])
def test_unit_list_content_beyond_its_rows_or_columns_is_refused_not_dropped(cell):
    data = edited_workbook(unit_list(), {("Sheet", cell): "U9"})
    with pytest.raises(InputError) as refused:
        read_units(data)
    assert refused.value.key == "error_import_extent"
    hidden = edit_sheet(data, "Sheet", lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    with pytest.raises(InputError) as refused:
        read_units(hidden)
    assert refused.value.key == "error_import_extent"


# ---- archives that unpack to far more than they weigh ------------------------------------------------------


def bombs() -> dict[str, object]:
    """Ways an .xlsx (a zip of XML parts) can unpack to far more work than its size: name -> edit of a file."""
    zeros = b"\0" * (30 * 2**20)
    return {
        "30-MiB-member": lambda data: rezip(data, add={"xl/media/image9.bin": zeros}),
        "declared-4-GiB": lambda data: declared_size(rezip(data, add={"xl/media/image9.bin": b"x" * 1000}),
                                                     "xl/media/image9.bin", 0xFFFFFFF0),
        "ratio-1000": lambda data: rezip(data, add={"xl/media/image9.bin": zeros[:2 * 2**20]}),
        "many-members": lambda data: rezip(data, add={f"xl/media/image{n}.bin": b"" for n in range(2000)}),
        # (each element different, so that the markup count refuses these, not the packing ratio)
        "300k-cells-in-a-row": lambda data: edit_first(data, one_row(
            b'<row r="1">' + b"".join(b'<c s="%x"/>' % n for n in range(300_000)) + b"</row>")),
        "300k-rows-numbered-1": lambda data: edit_first(data, one_row(
            b"".join(b'<row r="1" spans="1:%x"/>' % n for n in range(300_000)))),
        "300k-attributes": lambda data: edit_first(data, one_row(
            b'<row r="1" ' + b" ".join(b'a%x=""' % n for n in range(300_000)) + b"/>")),
        "doctype": lambda data: edit_first(data, lambda xml: xml.replace(
            b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY c "' + b"&lt;c/&gt;" * 10 + b'">]><worksheet', 1)),
    }


def edit_first(data: bytes, edit) -> bytes:
    """``edit`` applied to every worksheet of the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}
    return rezip(data, {n: edit(xml) for n, xml in sheets.items()})


@pytest.mark.parametrize("bomb", list(bombs()))
@pytest.mark.parametrize("importer", ["form", "units"])
def test_an_archive_unpacking_to_far_more_than_it_can_hold_is_refused_before_it_is_opened(form_file, work,
                                                                                          importer, bomb):
    make = bombs()[bomb]
    data = make(form_file if importer == "form" else unit_list())
    read = read_form if importer == "form" else read_units
    outcome, peak = traced(lambda: read(data))
    assert isinstance(outcome, InputError), outcome
    assert outcome.key == "error_file_unpacked"
    assert work["opened"] == 0  # refused before openpyxl parsed any of it
    assert peak < MEMORY


@pytest.mark.parametrize("importer", ["form", "units"])
def test_a_member_unpacking_to_more_than_it_declares_yields_only_what_it_declares(form_file, importer):
    """Why checking the sizes an archive declares is enough: Python's zipfile stops a member at its declared
    size (and then refuses it for its checksum), so a member that lies low cannot unpack to more. (A guard of
    that argument: it held before the bounds too.)"""
    data = form_file if importer == "form" else unit_list()
    title = of.sheet_name("checkpoints", "th") if importer == "form" else "Sheet"
    member = sheet_member(data, title)
    padded = edit_sheet(data, title, lambda xml: xml.replace(b"</worksheet>", b" " * (64 * 2**20) + b"</worksheet>"))
    with zipfile.ZipFile(io.BytesIO(padded)) as archive:
        small = archive.getinfo(member).file_size - 64 * 2**20
    lying = declared_size(padded, member, small)
    read = read_form if importer == "form" else read_units
    outcome, peak = traced(lambda: read(lying))
    assert isinstance(outcome, InputError)
    assert outcome.key in ("error_offline_unreadable", "error_import_unreadable")
    assert peak < MEMORY


def test_an_archive_packed_other_than_excel_packs_is_refused_before_it_is_opened(form_file, work):
    """bzip2 and LZMA members decompress in one piece, with no bound on the output: Excel, LibreOffice and
    openpyxl write only stored or deflated members."""
    for data, read in ((form_file, read_form), (unit_list(), read_units)):
        with pytest.raises(InputError) as refused:
            read(rezip(data, compression=zipfile.ZIP_BZIP2))
        assert refused.value.key in ("error_offline_unreadable", "error_import_unreadable")
    assert work["opened"] == 0


# ---- CSV -----------------------------------------------------------------------------------------------------


def test_a_csv_with_one_200_kb_row_is_refused_in_bounded_memory(work):
    """Issue: one 0.2 MB row among short ones made every row as wide as it (2,000 rows x 100,000 cells)."""
    data = (b"code,name_th\nU1,x" + b"," * 200_000 + b"\n" +
            b"".join(b"U%d,name\n" % n for n in range(2, 2000)))
    outcome, peak = traced(lambda: read_units(data, "units.csv"))
    assert isinstance(outcome, InputError), outcome
    assert outcome.key == "error_import_row_too_long"
    assert outcome.params == {"name": "units.csv", "row": 2, "limit": unit_import.MAX_ROW_TEXT}
    assert peak < MEMORY
    assert work["units"] <= WORK


def test_a_csv_with_one_200_kb_field_is_refused_in_bounded_memory(work):
    data = b"code,name_th\nU1,\"" + "ก".encode() * 70_000 + b"\"\nU2,x\n"
    outcome, peak = traced(lambda: read_units(data, "units.csv"))
    assert isinstance(outcome, InputError), outcome
    assert (outcome.key, outcome.params["row"]) == ("error_import_row_too_long", 2)
    assert peak < MEMORY


def test_a_csv_of_many_short_rows_is_refused_within_bounded_work(work):
    """A 4 MB file of blank rows: blank rows are skipped but still read, so they are bounded too."""
    data = b"code,name_th\nU1,x\n" + b",\n" * 2_000_000
    outcome, peak = traced(lambda: read_units(data, "units.csv"))
    assert isinstance(outcome, InputError), outcome
    assert outcome.key == "error_import_extent"
    assert work["units"] <= WORK
    assert peak < 5 * len(data) + MEMORY  # the decoded text and its reader's buffer (4 bytes a character)


def test_csv_content_beyond_the_rows_or_columns_of_a_unit_list_is_refused_not_dropped():
    blank = b"\n" * unit_import.MAX_SHEET_ROWS
    for data in (b"code,name_th\nU1,x\n" + blank + b"U2,y\n",
                 b"code,name_th\nU1,x" + b"," * unit_import.MAX_COLUMNS + b"note\n"):
        with pytest.raises(InputError) as refused:
            read_units(data, "units.csv")
        assert refused.value.key == "error_import_extent"
    # empty cells beyond the columns (trailing separators, as a spreadsheet exports them) are only ignored
    wide = b"code,name_th" + b"," * 100 + b"\nU1,x" + b"," * 100 + b"\n"
    assert read_units(wide, "units.csv").rows == [(2, ["U1", "x"])]


# ---- genuine files --------------------------------------------------------------------------------------------


def test_the_forms_layout_fits_the_bounds_the_reader_uses(form_file):
    """Every sheet of the form as built lies within the rows and columns read back (the bounds are the layout's:
    ``COLUMNS`` and ``MAX_ROWS`` rows under the header; the hidden sheet's ``META_WIDTH`` and ``META_ROWS``)."""
    book = openpyxl.load_workbook(io.BytesIO(form_file), read_only=True)
    for sheet in of.SHEETS:
        ws = book[of.sheet_name(sheet, "th")]
        assert ws.max_column == len(of.COLUMNS[sheet]) and ws.max_row <= of.MAX_ROWS + 1
    assert book[of.META].max_column <= of.META_WIDTH and book[of.META].max_row <= of.META_ROWS


def test_a_form_with_every_account_at_its_longest_and_2000_units_are_read_well_within_the_bounds(db, work):
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    aid = assessments.ensure(db, user, unit_id, 2570)["id"]
    framework, version = years.framework_of(db, 2570), 0
    for item in framework.assessed_items():
        for level in ("basic", "advance", "significance") if not item.is_results else ():
            text = f"{item.id} {level}: " + "การดำเนินงานของหน่วยงาน วัดผล และปรับปรุง " * 200
            version = answers.save_narrative(db, user, aid, version, item.id, level, text[:answers.MAX_NARRATIVE])
    form = offline_template(answers.load(db, user, aid), framework, org.unit(db, unit_id), "th", BUILT)
    assert unit_import.check_xlsx(form, "form.xlsx", "error_offline_unreadable", of.MAX_UNPACKED,
                                  of.MAX_MARKUP) * 4 < of.MAX_MARKUP
    assert len(read_form(form).sheets["items"][1]) == 1 + sum(not i.is_results for i in framework.assessed_items())
    assert work["units"] <= WORK
    work["units"] = 0
    book = openpyxl.Workbook()
    book.active.append(UNITS[0])
    for n in range(unit_import.MAX_ROWS):
        book.active.append([f"U{n:05d}", "สำนักงานเลขานุการกรม " * 9 + str(n), "Office of the Secretary " * 8,
                            f"group-{n % 40}", n + 0.5])
    out = io.BytesIO()
    book.save(out)
    units = out.getvalue()
    assert unit_import.check_xlsx(units, "units.xlsx", "error_import_unreadable", unit_import.MAX_UNPACKED,
                                  unit_import.MAX_MARKUP) * 2 < unit_import.MAX_MARKUP
    assert len(read_units(units).rows) == unit_import.MAX_ROWS
    assert work["units"] <= WORK
