"""Importing a department's unit list from a CSV or Excel (.xlsx) file, checked as a whole before
anything changes.

``read_table`` reads the file (header row first) into a ``Table``; ``plan`` checks every row against
the store and says what the import would do (units added, units changed, how many unchanged), or lists
each problem by the row and column a person sees in the spreadsheet; ``apply`` writes a plan without
problems in one audited transaction (the store's ``org.import_units``).

Columns: ``code, name_th, name_en, group, weight`` (or the Thai headers in ``HEADERS_TH``); code and
name_th are required. The file's ``group`` is the store's ``units.kind``. Units are matched by code
(ignoring letter case when that is unambiguous), deactivated ones too: importing one re-activates it.
A blank optional cell keeps an existing unit's value; a new unit gets weight 1 and an empty English
name and group. Units not in the file are left as they are: an import never deletes or deactivates.

A file is read only as far as a unit list can reach, so that an upload cannot make the server work out of
proportion to it: at most ``MAX_ROWS`` units, within the first ``MAX_SHEET_ROWS`` rows (blank ones counted) and
``MAX_COLUMNS`` columns, none longer than ``MAX_ROW_TEXT`` characters; a file with anything beyond is refused as a
whole, never cut short. An .xlsx is first checked as the zip it is (``check_xlsx``, also used for the offline
form): what it would unpack to, and how much XML markup openpyxl would have to parse.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from storage.engine import Store
from storage.errors import InputError
from storage.organisation import org
from storage.organisation.accounts import User
from storage.organisation.org import MAX_GROUP, MAX_NAME, MAX_WEIGHT
from storage.text import clean

COLUMNS = ("code", "name_th", "name_en", "group", "weight")
REQUIRED = ("code", "name_th")
HEADERS_TH = {"code": "รหัส", "name_th": "ชื่อภาษาไทย", "name_en": "ชื่อภาษาอังกฤษ", "group": "กลุ่ม", "weight": "น้ำหนัก"}
ALIASES = {**{c: c for c in COLUMNS}, **{th: c for c, th in HEADERS_TH.items()}, "ชื่อหน่วยงาน": "name_th"}
ALLOWED = ", ".join(f"{c} ({th})" for c, th in HEADERS_TH.items())  # for a person who used an unknown header
LIMITS = {"code": 20, "name_th": MAX_NAME, "name_en": MAX_NAME, "group": MAX_GROUP}
MAX_ROWS = 2000  # units in one file
MAX_SHEET_ROWS = 5 * MAX_ROWS  # the rows the list may use, header and blank rows counted
MAX_COLUMNS = 26  # columns A to Z: the five columns, in any order, with room for empty ones between
MAX_ROW_TEXT = 4 * sum(LIMITS.values())  # characters in a row (a CSV row as written): every column at its longest,
# four times over; a longer row could not be imported anyway (some cell would be too long, or in an unknown column)
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024  # an .xlsx of 2,000 units at their longest unpacks to some 3.5 MB
MAX_MARKUP = 250_000  # XML tags and attributes in an .xlsx: such a list, as LibreOffice saves it, has some 120,000
FIELDS = org.IMPORTED  # what an import may change on an existing unit

CODE = re.compile(r"[A-Za-z0-9._-]+")
NUMBER = re.compile(r"([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")  # 1200, 1,200, 12.5
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
TRIM = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")  # also zero-width spaces, common in Thai text


@dataclass(frozen=True)
class Table:
    """A sheet as read: its header cells and each non-blank data row with its row number as the
    spreadsheet shows it (the header is row 1). Every cell is trimmed text; rows are as wide as the header."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    name: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing to correct in the file: ``key``/``params`` name a string-catalogue entry; ``column`` is
    the header as written in the file (a column letter when it has none)."""

    row: int
    column: str
    key: str
    params: dict = field(default_factory=dict)


@dataclass
class ImportPlan:
    """What an import would do. ``added`` holds new units and ``changed`` (before, after) pairs, with keys
    code, name_th, name_en, group, weight (and id, active on existing units); both list only rows without
    problems. ``seen`` is each matched code's unit as read, for ``apply`` to check nothing moved since."""

    problems: list[Problem] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict]] = field(default_factory=list)
    unchanged: int = 0
    source: str = ""
    seen: dict[str, dict | None] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------------------------
# Reading


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet of an .xlsx file, or a CSV file (UTF-8 with or without BOM, else Thai Windows
    cp874 as Excel writes it; comma, semicolon or tab separated). Fully blank rows are skipped; the
    first non-blank row is the header; empty cells after a row's last value are dropped. ``InputError``
    for another file type, an unreadable or empty file, one over ``MAX_BYTES`` (or, an .xlsx, failing
    ``check_xlsx``), more than ``MAX_ROWS`` data rows, anything beyond row ``MAX_SHEET_ROWS`` or column
    ``MAX_COLUMNS`` (an .xlsx also when its sheet declares a size beyond them), or a row longer than
    ``MAX_ROW_TEXT`` characters."""
    name = Path(filename).name
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("error_import_file_type", name=name)
    if len(data) > MAX_BYTES:
        raise InputError("error_file_size", name=name, limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise InputError("error_import_empty", name=name)
    if suffix == ".xlsx":
        check_xlsx(data, name, "error_import_unreadable", MAX_UNPACKED, MAX_MARKUP)

    def extent() -> InputError:
        return InputError("error_import_extent", name=name, rows=MAX_SHEET_ROWS, column=get_column_letter(MAX_COLUMNS))

    def too_long(number: int) -> InputError:
        return InputError("error_import_row_too_long", name=name, row=number, limit=MAX_ROW_TEXT)

    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in _xlsx_rows(data, extent) if suffix == ".xlsx" else _csv_rows(data, extent, too_long):
            end = len(cells)
            while end and cells[end - 1] is None:  # the empty cells of a sheet row padded to its columns
                end -= 1
            values = [cell_text(cell) for cell in cells[:end]]
            while values and not values[-1]:
                values.pop()
            if not values:
                continue
            if len(values) > MAX_COLUMNS:
                raise extent()
            if sum(map(len, values)) > MAX_ROW_TEXT:
                raise too_long(number)
            if not header:
                header = values
            elif len(rows) == MAX_ROWS:
                raise InputError("error_import_too_many_rows", name=name, limit=MAX_ROWS)
            else:
                rows.append((number, values))
    except InputError:
        raise
    except Exception as error:  # a damaged file fails in many ways (zip, XML, CSV, encoding): all mean unreadable
        raise InputError("error_import_unreadable", name=name) from error
    if not rows:
        raise InputError("error_import_empty", name=name)
    width = max(len(header), *(len(cells) for _, cells in rows))
    pad = [""] * width
    return Table((header + pad)[:width], [(n, (cells + pad)[:width]) for n, cells in rows], name)


def _csv_rows(data: bytes, extent: Callable[[], InputError],
              too_long: Callable[[int], InputError]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each CSV row, each read only once it is known to be at most ``MAX_ROW_TEXT``
    characters as written (a row quoting a line break spans lines), and none past row ``MAX_SHEET_ROWS``."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("neither UTF-8 nor cp874")
    if "\x00" in text:
        raise ValueError("binary content")
    first_line = text[:MAX_ROW_TEXT + 1].split("\n", 1)[0]
    source = io.StringIO(text, newline="")
    number, length = 1, 0  # the row being read, and its characters read so far

    def lines() -> Iterator[str]:
        nonlocal length
        while line := source.readline(MAX_ROW_TEXT - length + 1):
            length += len(line)
            if length > MAX_ROW_TEXT:
                raise too_long(number)
            yield line

    for cells in csv.reader(lines(), delimiter=max(",;\t", key=first_line.count)):
        if number > MAX_SHEET_ROWS:
            raise extent()
        yield number, cells
        number, length = number + 1, 0


def _xlsx_rows(data: bytes, extent: Callable[[], InputError]) -> Iterator[tuple[int, tuple]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips; only values matter
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            yield from bounded_rows(book.worksheets[0], MAX_SHEET_ROWS, MAX_COLUMNS, extent, columns_refused=True)
        finally:
            book.close()


# An .xlsx is a zip of XML parts; openpyxl unpacks and parses them as it needs them. The bounds below keep what
# it can be made to do in proportion to what the importers read.
MAX_MEMBERS = 200  # parts: a workbook as Excel or LibreOffice saves it has 10 to 30, a few per sheet or picture
MAX_RATIO = 250  # how many times its packed size a part may unpack to: spreadsheet XML packs 3 to 70 times
# (some 200 for a text repeated all over); deflate packs a run of one byte over 1,000 times
RATIO_GRACE = 1024 * 1024  # parts unpacking to less are not checked for their ratio
CHUNK = 64 * 1024
DOCTYPE = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def check_xlsx(data: bytes, name: str, unreadable: str, unpacked: int, markup: int) -> int:
    """Check an .xlsx as the zip it is, before openpyxl opens it; returns its markup count. ``InputError``
    ``error_file_unpacked`` when it has more than ``MAX_MEMBERS`` parts, its parts declare more than
    ``unpacked`` bytes, one unpacks to more than ``MAX_RATIO`` times its packed size, or its parts hold more
    than ``markup`` tags and attributes ("<" and "=": each XML element openpyxl builds starts with one, each
    attribute has one) or a document type declaration (its entities could multiply markup; Office files have
    none); ``unreadable`` (a string-catalogue key) when it is no zip of stored or deflated parts, or a part
    is damaged.

    The sizes a zip declares can lie, but not upwards of what is checked: Python's zipfile (which openpyxl
    uses) never unpacks a part beyond the size its directory declares, unpacks deflate a bounded piece at a
    time, and refuses a part whose content does not match its declared checksum. So the declared sizes bound
    what is unpacked here and by openpyxl, and the markup counted here bounds what openpyxl parses, whatever
    size a sheet declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_MEMBERS or sum(p.file_size for p in parts) > unpacked or any(
                    p.file_size > RATIO_GRACE and p.file_size > MAX_RATIO * p.compress_size for p in parts):
                raise InputError("error_file_unpacked", name=name)
            if any(p.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for p in parts):
                raise InputError(unreadable, name=name)  # bzip2 and LZMA unpack in one piece, unbounded
            count = 0
            for part in parts:
                with archive.open(part) as stream:
                    tail = b""
                    while chunk := stream.read(CHUNK):
                        count += chunk.count(b"<") + chunk.count(b"=")
                        window = tail + chunk
                        if count > markup or any(declaration in window for declaration in DOCTYPE):
                            raise InputError("error_file_unpacked", name=name)
                        tail = window[-len(DOCTYPE[1]):]
            return count
    except InputError:
        raise
    except Exception as error:  # not a zip, a damaged or encrypted part: all mean unreadable
        raise InputError(unreadable, name=name) from error


def bounded_rows(sheet, rows: int, columns: int, refuse: Callable[[], InputError],
                 columns_refused: bool = False) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of rows 1 to ``rows`` of a read-only openpyxl sheet, each ``columns`` values wide
    (openpyxl pads rows to the size a sheet declares: A1:XFD1048576 made millions of rows of 16,384 cells).
    ``refuse()`` is raised when the sheet declares more rows, or holds any row past them (a row element
    there, even empty); with ``columns_refused``, also when it declares more columns, or has a value in the
    column just past them (values further right, in a sheet not declaring them, are not read)."""
    if (sheet.max_row or 0) > rows or (columns_refused and (sheet.max_column or 0) > columns):
        raise refuse()
    width = columns + 1 if columns_refused else columns
    for number, cells in enumerate(sheet.iter_rows(max_row=rows + 1, max_col=width, values_only=True), start=1):
        if number > rows or (columns_refused and len(cells) > columns and cell_text(cells[columns])):
            raise refuse()
        yield number, cells[:columns]


def cell_text(value) -> str:
    """A cell as trimmed text; whole numbers without ".0" (an Excel code 101 stays "101")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, date | time):
        value = value.isoformat()
    return TRIM.sub("", clean(str(value)))


# ---------------------------------------------------------------------------------------------
# Checking


def plan(db: Store, table: Table) -> ImportPlan:
    """Check the whole table and compare it with the store; nothing is written."""
    result = ImportPlan(source=table.name)
    problems = result.problems
    names: dict[str, str] = {}  # column -> its header as written
    positions: dict[str, int] = {}
    for index, header in enumerate(table.header):
        column = ALIASES.get(re.sub(r"[\s-]+", "_", header.casefold()))
        if not header:
            if any(cells[index] for _, cells in table.rows):
                letter = get_column_letter(index + 1)
                problems.append(Problem(1, letter, "import_problem_unnamed_column", {"column": letter}))
        elif column is None:
            problems.append(Problem(1, header, "import_problem_unknown_column",
                                    {"column": header, "allowed": ALLOWED}))
        elif column in names:
            problems.append(Problem(1, header, "import_problem_duplicate_column",
                                    {"column": header, "first": names[column]}))
        else:
            names[column], positions[column] = header, index
    missing = [c for c in REQUIRED if c not in names]
    problems += [Problem(1, c, "import_problem_missing_column", {"column": c, "thai": HEADERS_TH[c]}) for c in missing]
    if missing:
        return result

    checked = [(number, *_check_row(number, {c: cells[i] for c, i in positions.items()}, names))
               for number, cells in table.rows]
    rows_of: dict[str, list[int]] = defaultdict(list)
    for number, row, _ in checked:
        if row["code"]:
            rows_of[row["code"].casefold()].append(number)
    find = org.unit_finder(db)
    for number, row, row_problems in checked:
        numbers = rows_of.get((row["code"] or "").casefold(), [])
        if len(numbers) > 1:
            row_problems.append(Problem(number, names["code"], "import_problem_duplicate_code",
                                        {"code": row["code"], "rows": ", ".join(map(str, numbers))}))
        problems += row_problems
        if row_problems:
            continue
        before = result.seen[row["code"]] = find(row["code"])
        if before is None:
            result.added.append({"code": row["code"], "name_th": row["name_th"], "name_en": row["name_en"] or "",
                                 "group": row["group"] or "", "weight": row["weight"] or 1.0})
            continue
        after = before | {f: row[f] for f in FIELDS if row[f] is not None} | {"active": True}
        if after == before:
            result.unchanged += 1
        else:
            result.changed.append((before, after))
    problems.sort(key=lambda p: p.row)
    return result


def _check_row(number: int, cells: dict[str, str], names: dict[str, str]) -> tuple[dict, list[Problem]]:
    """The row's values (None when blank; weight as a number) and its problems."""
    row: dict = {c: cells.get(c) or None for c in COLUMNS}
    problems: list[Problem] = []

    def problem(of: str, key: str, **params) -> None:
        problems.append(Problem(number, names[of], key, params))

    for column in REQUIRED:
        if row[column] is None:
            problem(column, "import_problem_required", column=names[column])
    for column, limit in LIMITS.items():
        if row[column] is not None and len(row[column]) > limit:
            problem(column, "import_problem_too_long", column=names[column], limit=limit, length=len(row[column]))
    code = row["code"]
    if code is not None and len(code) <= LIMITS["code"] and not CODE.fullmatch(code):
        problem("code", "import_problem_code_chars", value=code)
    if row["weight"] is not None:
        text = row["weight"].translate(THAI_DIGITS)
        weight = float(text.replace(",", "")) if NUMBER.fullmatch(text) else 0.0
        if not 0 < weight <= MAX_WEIGHT:
            problem("weight", "import_problem_weight", value=row["weight"], limit=MAX_WEIGHT)
        row["weight"] = weight
    return row, problems


# ---------------------------------------------------------------------------------------------
# Writing


def apply(db: Store, plan: ImportPlan, actor: User | str) -> dict[str, int]:
    """Write a plan without problems (``org.import_units``: one audited transaction, refused with nothing
    changed when a unit the plan names was added or changed since it was made); returns the counts
    {"added": n, "changed": n}. ``actor``: an admin, or the name recorded for the command line."""
    if not plan.ok:
        raise InputError("error_import_invalid", count=len(plan.problems))
    return org.import_units(db, actor, plan.source, plan.added, plan.changed, plan.seen, plan.unchanged)
