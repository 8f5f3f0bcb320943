"""Importing a department's unit list from a CSV or Excel (.xlsx) file, checked as a whole before
anything changes.

``read_table`` reads the file (header row first) into a ``Table``; ``plan`` checks every row against
the store and says what the import would do (units added, units changed, how many unchanged), or lists
each problem by the row and column a person sees in the spreadsheet; ``apply`` writes a plan without
problems in one audited transaction.

Columns: ``code, name_th, name_en, group, weight`` (or the Thai headers in ``HEADERS_TH``); code and
name_th are required. The file's ``group`` is the store's ``units.kind``. Units are matched by code
(ignoring letter case when that is unambiguous), deactivated ones too: importing one re-activates it.
A blank optional cell keeps an existing unit's value; a new unit gets weight 1 and an empty English
name and group. Units not in the file are left as they are: an import never deletes or deactivates.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from sqlite_utils import Database

from storage import audit
from storage.accounts import User, require_admin
from storage.db import transaction
from storage.errors import InputError
from storage.org import MAX_GROUP, MAX_NAME, MAX_WEIGHT

COLUMNS = ("code", "name_th", "name_en", "group", "weight")
REQUIRED = ("code", "name_th")
HEADERS_TH = {"code": "รหัส", "name_th": "ชื่อภาษาไทย", "name_en": "ชื่อภาษาอังกฤษ", "group": "กลุ่ม", "weight": "น้ำหนัก"}
ALIASES = {**{c: c for c in COLUMNS}, **{th: c for c, th in HEADERS_TH.items()}, "ชื่อหน่วยงาน": "name_th"}
ALLOWED = ", ".join(f"{c} ({th})" for c, th in HEADERS_TH.items())  # for a person who used an unknown header
LIMITS = {"code": 20, "name_th": MAX_NAME, "name_en": MAX_NAME, "group": MAX_GROUP}
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
FIELDS = ("name_th", "name_en", "group", "weight")  # what an import may change on an existing unit

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
    first non-blank row is the header. ``InputError`` for another file type, an unreadable or empty
    file, one over ``MAX_BYTES``, or more than ``MAX_ROWS`` data rows."""
    name = Path(filename).name
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("error_import_file_type", name=name)
    if len(data) > MAX_BYTES:
        raise InputError("error_file_size", name=name, limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise InputError("error_import_empty", name=name)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(_xlsx_rows(data) if suffix == ".xlsx" else _csv_rows(data), start=1):
            values = [cell_text(cell) for cell in cells]
            if not any(values):
                continue
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


def _csv_rows(data: bytes) -> Iterable[list[str]]:
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
    first_line = text.split("\n", 1)[0]
    return csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first_line.count))


def _xlsx_rows(data: bytes) -> Iterable[tuple]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips; only values matter
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            yield from book.worksheets[0].iter_rows(values_only=True)
        finally:
            book.close()


def cell_text(value) -> str:
    """A cell as trimmed text; whole numbers without ".0" (an Excel code 101 stays "101")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, date | time):
        value = value.isoformat()
    return TRIM.sub("", str(value))


# ---------------------------------------------------------------------------------------------
# Checking


def plan(db: Database, table: Table) -> ImportPlan:
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
    find = _finder(db)
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


def _finder(db: Database) -> Callable[[str], dict | None]:
    """Look up a stored unit (active or not) by code: exactly, else ignoring case when only one unit fits."""
    units = {u["code"]: u | {"active": bool(u["active"])} for u in db.query(
        'SELECT id, code, name_th, name_en, kind AS "group", weight, COALESCE(active, 1) AS active FROM units')}
    folded = Counter(code.casefold() for code in units)
    loose = {code.casefold(): u for code, u in units.items() if folded[code.casefold()] == 1}
    return lambda code: units.get(code) or loose.get(code.casefold())


# ---------------------------------------------------------------------------------------------
# Writing


def apply(db: Database, plan: ImportPlan, actor: User | str) -> dict[str, int]:
    """Write a plan without problems in one transaction, auditing each unit added or changed and the
    import as a whole; returns the counts {"added": n, "changed": n}. Refused, with nothing changed, when
    the plan has problems or when a unit it names was added or changed since it was made. ``actor``: an
    admin, or the name recorded for the command line."""
    if isinstance(actor, User):
        require_admin(db, actor)
        actor = actor.username
    if not plan.ok:
        raise InputError("error_import_invalid", count=len(plan.problems))
    with transaction(db):
        find = _finder(db)
        moved = [code for code, before in plan.seen.items() if find(code) != before]
        if moved:
            raise InputError("error_import_conflict", codes=", ".join(moved))
        for unit in plan.added:
            fields = {"code": unit["code"], "name_th": unit["name_th"], "name_en": unit["name_en"],
                      "kind": unit["group"], "weight": float(unit["weight"])}
            unit_id = db["units"].insert(fields | {"active": 1}).last_pk
            audit.record(db, actor, "create", "unit", unit_id, **fields)
        for before, after in plan.changed:
            db.execute("UPDATE units SET name_th = ?, name_en = ?, kind = ?, weight = ?, active = 1 WHERE id = ?",
                       [after["name_th"], after["name_en"], after["group"], float(after["weight"]), before["id"]])
            changes = {("kind" if f == "group" else f): [before[f], after[f]]
                       for f in (*FIELDS, "active") if before[f] != after[f]}
            audit.record(db, actor, "update", "unit", before["id"], code=before["code"], **changes)
        audit.record(db, actor, "import", "units", None, file=plan.source, added=len(plan.added),
                     changed=len(plan.changed), unchanged=plan.unchanged)
    return {"added": len(plan.added), "changed": len(plan.changed)}
