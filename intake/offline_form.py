"""A unit's self-assessment as an Excel file it fills offline, and that file imported back into its draft.

The layout is defined here once: ``sheet_rows`` gives what each sheet holds (``reports.offline_template``
adds the styling, the yes/no lists and the instructions), and ``read``/``plan`` read it back. Sheets:

- checkpoints: one row per checkpoint of the assessed categories 1-6, with the answer "Yes"/"No";
- items: one row per item, "none met yet" and the account for each level (and the committee's notes);
- kpis: one row per KPI of category 7 (the criteria's and the unit's own), the values of the three years.

A very hidden sheet keeps which assessment the file is for and every value as it was exported. An import
applies only what the file changed against those values, so edits made in the app meanwhile to other
fields stay. A field changed both in the file and in the app since the download, to different values, is a
*conflict*: ``plan`` lists each one (with the app's value, and who changed it when), and ``apply`` either
imports the rest of the file leaving those fields as they are in the app (``keep_app_values``), or refuses
the whole file. Every cell is checked first (``plan``): each problem names the sheet, row and column a
person sees, and nothing changes unless the whole file is valid. ``apply`` writes everything in one audited
transaction, one version (the store's ``storage.assessment.offline``).

A file is read only as far as the layout reaches, so that an upload cannot make the server work out of
proportion to it: each sheet's ``COLUMNS`` (cells further right were never read), ``MAX_ROWS`` rows under its
header, and the hidden sheet's ``META_WIDTH`` columns and ``META_ROWS`` rows. A sheet declaring or holding rows
beyond is refused, never cut short; the file is first checked as the zip it is (``unit_import.check_xlsx``).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from i18n import LANGUAGES, translate
from i18n.format import level_label
from intake.unit_import import THAI_DIGITS, TRIM, bounded_rows, cell_text, check_xlsx
from scoring import LEVELS, Framework
from storage.assessment import offline
from storage.assessment.answers import MAX_NARRATIVE, Form, checked_kpi_value, kpis_of
from storage.assessment.offline import FieldChange, clashes, last_change, same
from storage.engine import Store
from storage.errors import InputError
from storage.organisation.accounts import User
from storage.text import clean

FORMAT = "pmqa-offline-form-1"
META = "pmqa_form"  # the very hidden sheet
SHEETS = ("checkpoints", "items", "kpis")  # the sheets read back; the instructions sheet comes first
GUIDE = "guide"
COLUMNS = {
    "checkpoints": ("id", "item", "level", "text", "met"),
    "items": ("item", "name", "none_met", *LEVELS, "notes"),
    "kpis": ("kpi", "item", "name", "unit", "direction", "target", "min", "max", "year0", "year1", "year2"),
}
EDITABLE = {"checkpoints": ("met",), "items": ("none_met", *LEVELS), "kpis": ("year0", "year1", "year2")}
KEYS = {"checkpoints": "id", "items": "item", "kpis": "kpi"}  # the column naming the row
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024  # an .xlsx is a zip: the form with every account at its longest unpacks to 5.3 MB
MAX_MARKUP = 250_000  # XML tags and attributes: that form has some 25,000 (as built, or as LibreOffice saves it)
MAX_ROWS = 2000  # rows under each sheet's header
META_HEAD = ("format", "assessment", "unit", "year", "version", "lang", "built")  # the hidden sheet's first rows
ID_PARTS = 2  # a field's ids after its kind: ("text", item, level)
META_WIDTH = 1 + 1 + ID_PARTS + 1  # a value's row in the hidden sheet: "value", kind, ids, value
META_ROWS = len(META_HEAD) + MAX_ROWS * sum(len(EDITABLE[sheet]) for sheet in SHEETS)  # every field of full sheets
YES = {"yes", "y", "true", "1", "ใช่", "ผ่าน", "✓", "✔", "x"}
NO = {"no", "n", "false", "0", "ไม่ใช่", "ไม่ผ่าน", "-", "–", "✗"}
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def sheet_name(sheet: str, lang: str) -> str:
    return translate(f"off_sheet_{sheet}", lang)


def headers(sheet: str, lang: str, year: int) -> list[str]:
    """A sheet's header row; the KPI years are the cycle's three fiscal years."""
    fiscal = {"year0": year - 2, "year1": year - 1, "year2": year}
    return [translate("off_col_year", lang, year=fiscal[c]) if c in fiscal else
            translate("off_col_account", lang, level=level_label(c, lang)) if c in LEVELS else
            translate(f"off_col_{c}", lang) for c in COLUMNS[sheet]]


def yes_no(met: bool, lang: str) -> str:
    return translate("word_yes" if met else "word_no", lang)


def column_letter(sheet: str, column: str) -> str:
    return get_column_letter(COLUMNS[sheet].index(column) + 1)


# ---------------------------------------------------------------------------------------------
# What the file holds


def _kpis(form: Form, framework: Framework) -> list[tuple]:
    """(item, KPI model, the unit's own?) of the assessed results items, the criteria's first, in item order."""
    own = {row["kpi"] for row in form.own_kpis}
    assessed = {item.id for item in framework.assessed_items()}
    return [(item, kpi, kpi.id in own) for item, kpi in kpis_of(form, framework) if item.id in assessed]


def exported_values(form: Form, framework: Framework) -> dict[tuple, object]:
    """Every field of the file and the unit's value as stored: ("met", checkpoint) and ("none", item) ->
    bool, ("text", item, level) -> str, ("kpi", kpi, fiscal year) -> float or None."""
    values: dict[tuple, object] = {}
    year = form.assessment["year"]
    for item in framework.assessed_items():
        if item.is_results:
            continue
        values[("none", item.id)] = item.id in form.none_met
        for level in LEVELS:
            values[("text", item.id, level)] = form.narratives.get((item.id, level), "")
            for cp in item.level_checkpoints(level):
                values[("met", cp.id)] = bool(form.ticks.get(cp.id, {}).get("self"))
    for _, kpi, _ in _kpis(form, framework):
        for fiscal_year in (year - 2, year - 1, year):
            values[("kpi", kpi.id, fiscal_year)] = form.kpi_values.get((kpi.id, fiscal_year), {}).get("self")
    return values


def sheet_rows(form: Form, framework: Framework, lang: str) -> dict[str, list[list]]:
    """Each sheet's data rows, in ``COLUMNS`` order: read-only texts and the unit's current values."""
    values, year = exported_values(form, framework), form.assessment["year"]
    notes: dict[str, list[str]] = {}
    for note in form.comments:
        notes.setdefault(note["item"], []).append(
            translate(f"note_{note['kind']}", lang, author=note["author"], text=note["text"]))
    rows: dict[str, list[list]] = {sheet: [] for sheet in SHEETS}
    for item in framework.assessed_items():
        if item.is_results:
            continue
        rows["items"].append([item.id, item.name.get(lang), yes_no(True, lang) if values[("none", item.id)] else None,
                              *(values[("text", item.id, level)] or None for level in LEVELS),
                              "\n".join(notes.get(item.id, [])) or None])
        for level in LEVELS:
            rows["checkpoints"] += [[cp.id, item.id, level_label(level, lang), cp.text.get(lang),
                                     yes_no(values[("met", cp.id)], lang)] for cp in item.level_checkpoints(level)]
    for item, kpi, own in _kpis(form, framework):
        name = kpi.name.get(lang) + (f" ({translate('sa_own_kpi', lang)})" if own else "")
        direction = translate(f"sa_kpi_direction_{kpi.direction}", lang)
        rows["kpis"].append([kpi.id, item.id, name, kpi.unit.get(lang), direction, kpi.target, kpi.min, kpi.max,
                             *(values[("kpi", kpi.id, fy)] for fy in (year - 2, year - 1, year))])
    return rows


def meta_rows(form: Form, framework: Framework, unit_code: str, lang: str, built_at: datetime) -> list[list]:
    """The hidden sheet: which assessment the file is for, then every exported value (kind, keys..., value)."""
    a = form.assessment
    about = {"format": FORMAT, "assessment": a["id"], "unit": unit_code, "year": a["year"], "version": a["version"],
             "lang": lang, "built": built_at.isoformat(timespec="seconds")}
    head = [[key, about[key]] for key in META_HEAD]
    body = []
    for key, value in exported_values(form, framework).items():
        kind, *ids = key
        body.append(["value", kind, *ids, *([None] * (ID_PARTS - len(ids))),
                     int(value) if isinstance(value, bool) else value])
    return head + body


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Problem:
    """One thing to correct: ``sheet`` as named in the file, ``row`` as the spreadsheet shows it, ``column``
    its letter; ``key``/``params`` name a string-catalogue entry."""

    sheet: str
    row: int
    column: str
    key: str
    params: dict = field(default_factory=dict)


@dataclass
class Book:
    """A file as read: the hidden sheet's head and values, and each sheet's name and rows (number, cells)."""

    name: str
    meta: dict[str, object]
    exported: dict[tuple, object]
    sheets: dict[str, tuple[str, list[tuple[int, list]]]]


def read(data: bytes, filename: str) -> Book:
    """Open an offline form; ``InputError`` for another file type, one too large (or unpacking to too much:
    ``check_xlsx``), unreadable, not an offline form made by this app, or with a sheet declaring or holding
    rows beyond the layout's."""
    name = Path(filename).name
    if Path(filename).suffix.lower() != ".xlsx":
        raise InputError("error_offline_file_type", name=name)
    if len(data) > MAX_BYTES:
        raise InputError("error_file_size", name=name, limit=MAX_BYTES // (1024 * 1024))
    check_xlsx(data, name, "error_offline_unreadable", MAX_UNPACKED, MAX_MARKUP)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles and extensions openpyxl skips: only values matter
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _book(book, name)
        finally:
            book.close()
    except InputError:
        raise
    except Exception as error:  # a damaged file fails in many ways (zip, XML): all mean unreadable
        raise InputError("error_offline_unreadable", name=name) from error


def _rows(book, title: str, name: str, rows: int, columns: int):
    """(number, values) of a sheet's rows, within the layout: ``InputError`` for a sheet reaching beyond."""
    return bounded_rows(book[title], rows, columns,
                        lambda: InputError("error_offline_extent", name=name, sheet=title, rows=rows))


def _book(book, name: str) -> Book:
    if META not in book.sheetnames:
        raise InputError("error_offline_not_form", name=name)
    meta: dict[str, object] = {}
    exported: dict[tuple, object] = {}
    for _, row in _rows(book, META, name, META_ROWS, META_WIDTH):
        if not row or row[0] is None:
            continue
        if row[0] == "value" and len(row) >= META_WIDTH:
            kind, first, second, value = row[1], row[2], row[3], row[4]
            key = (kind, str(first)) if kind in ("met", "none") else \
                (kind, str(first), str(second)) if kind == "text" else (kind, str(first), int(second))
            exported[key] = bool(value) if kind in ("met", "none") else (value or "") if kind == "text" else value
        elif len(row) >= 2:
            meta[str(row[0])] = row[1]
    if meta.get("format") != FORMAT:
        raise InputError("error_offline_not_form", name=name)
    names = {sheet_name(sheet, lang): sheet for sheet in SHEETS for lang in LANGUAGES}
    sheets: dict[str, tuple[str, list]] = {}
    for title in book.sheetnames:
        sheet = names.get(title)
        if sheet is None or sheet in sheets:
            continue
        sheets[sheet] = (title, [(number, list(cells))
                                 for number, cells in _rows(book, title, name, MAX_ROWS + 1, len(COLUMNS[sheet]))
                                 if any(c is not None and str(c).strip() for c in cells)])
    return Book(name, meta, exported, sheets)


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass(frozen=True)
class Change:
    """One field the file changes: where it is, what it is (``exported_values`` key), from what to what."""

    sheet: str
    row: int
    column: str
    field: tuple
    before: object
    after: object


@dataclass(frozen=True)
class Conflict:
    """A field the file changes that was also changed in the app after the file was made, to another value:
    ``app`` is the app's value when the file was checked, ``by`` and ``at`` who changed it last and when (the
    audit log's user name and UTC time), if known."""

    change: Change
    app: object
    by: str | None = None
    at: str | None = None


@dataclass
class OfflinePlan:
    """What importing a file would do to one assessment: its problems, else its changes, of which
    ``conflicts`` clash with changes made in the app since the file was made."""

    assessment_id: int
    source: str
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rest(self) -> list[Change]:
        """The changes that clash with nothing in the app: what importing "the rest" writes."""
        clashing = {c.change.field for c in self.conflicts}
        return [c for c in self.changes if c.field not in clashing]


def plan(form: Form, framework: Framework, book: Book, db: Store | None = None) -> OfflinePlan:
    """Check every cell of the file against the assessment it is imported into (``form``: as it is now);
    nothing is written. A file for another assessment is refused as a whole (``InputError``). The changes
    that clash with a change made in the app since the download are its ``conflicts``; with ``db``, each names
    who changed the field last, and when."""
    a = form.assessment
    if book.meta.get("assessment") != a["id"]:
        raise InputError("error_offline_other_form", name=book.name, unit=book.meta.get("unit", "-"),
                         year=book.meta.get("year", "-"))
    result = OfflinePlan(a["id"], book.name)
    lang = book.meta.get("lang", "th")
    current = exported_values(form, framework)
    read_at: dict[tuple, tuple[str, int, str]] = {}  # field -> (sheet, row, column) it was read from
    kpis = {kpi.id: kpi for _, kpi, _ in _kpis(form, framework)}
    fiscal = {"year0": a["year"] - 2, "year1": a["year"] - 1, "year2": a["year"]}
    for sheet in SHEETS:
        if sheet not in book.sheets:
            result.problems.append(Problem(sheet_name(sheet, lang), 0, "", "off_problem_no_sheet"))
            continue
        title, rows = book.sheets[sheet]
        if not _headers_ok(sheet, title, rows, a["year"], result.problems):
            continue
        seen: dict[str, int] = {}
        for number, cells in rows[1:]:
            cells = [*cells, *([None] * (len(COLUMNS[sheet]) - len(cells)))]
            cell = dict(zip(COLUMNS[sheet], cells, strict=False))

            def problem(column: str, key: str, **params) -> None:
                result.problems.append(Problem(title, number, column_letter(sheet, column), key, params))  # noqa: B023

            row_id = cell_text(cell[KEYS[sheet]])
            if not row_id:
                if any(cell[c] is not None and cell_text(cell[c]) for c in EDITABLE[sheet]):
                    problem(KEYS[sheet], "off_problem_no_id")
                continue
            if row_id in seen:
                problem(KEYS[sheet], "off_problem_repeated", id=row_id, first=seen[row_id])
                continue
            seen[row_id] = number
            fields = _fields(sheet, row_id, fiscal, kpis)
            if not all(f in current for f in fields.values()):
                problem(KEYS[sheet], "off_problem_unknown_id", id=row_id)
                continue
            for column, key in fields.items():
                read_at[key] = (title, number, column_letter(sheet, column))
                value = _value(key, cell[column], kpis, a["year"], lambda k, **p: problem(column, k, **p))  # noqa: B023
                if value is _INVALID:
                    continue
                before = book.exported.get(key, current[key])
                if not same(value, before):
                    result.changes.append(Change(*read_at[key], key, before, value))
    result.problems += _none_with_ticks(result, framework, current, read_at)
    order = {book.sheets[k][0] if k in book.sheets else sheet_name(k, lang): n for n, k in enumerate(SHEETS)}
    result.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row, len(p.column), p.column))
    if result.problems:
        result.changes = []
    result.conflicts = [Conflict(c, current[c.field], *(last_change(db, a["id"], c.field) if db else (None, None)))
                        for c in result.changes if clashes(current[c.field], c.before, c.after)]
    return result


def _headers_ok(sheet: str, title: str, rows: list, year: int, problems: list[Problem]) -> bool:
    """The header row names, in either language, the columns read (the row's key and the editable ones)."""
    header = rows[0][1] if rows else []
    found = True
    for column in (KEYS[sheet], *EDITABLE[sheet]):
        index = COLUMNS[sheet].index(column)
        shown = cell_text(header[index]) if index < len(header) else ""
        expected = {headers(sheet, lang, year)[index] for lang in LANGUAGES}
        if shown not in expected:
            problems.append(Problem(title, rows[0][0] if rows else 1, get_column_letter(index + 1),
                                    "off_problem_header", {"expected": " / ".join(sorted(expected)), "found": shown}))
            found = False
    return found


def _fields(sheet: str, row_id: str, fiscal: dict[str, int], kpis: dict) -> dict[str, tuple]:
    """The editable columns of a row and the field each holds."""
    if sheet == "checkpoints":
        return {"met": ("met", row_id)}
    if sheet == "items":
        return {"none_met": ("none", row_id), **{level: ("text", row_id, level) for level in LEVELS}}
    return {column: ("kpi", row_id, fy) for column, fy in fiscal.items()}


_INVALID = object()


def _value(key: tuple, raw, kpis: dict, year: int, problem):
    """A cell's value for its field, or ``_INVALID`` after reporting the problem."""
    if key[0] in ("met", "none"):
        if raw is None or isinstance(raw, bool):
            return bool(raw)
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        word = TRIM.sub("", str(raw)).casefold()
        if word in YES:
            return True
        if word in NO or not word:
            return False
        problem("off_problem_yes_no", value=cell_text(raw))
        return _INVALID
    if key[0] == "text":
        text = "" if raw is None else cell_text(raw) if not isinstance(raw, str) else raw
        text = clean(text).strip()
        if len(text) > MAX_NARRATIVE:
            problem("off_problem_too_long", length=len(text), limit=MAX_NARRATIVE)
            return _INVALID
        return text
    number = _number(raw)
    if number is _INVALID:
        problem("off_problem_number", value=cell_text(raw))
        return _INVALID
    try:
        return checked_kpi_value(kpis[key[1]], key[2], year, number)
    except InputError as exc:
        problem(exc.key, **exc.params)
        return _INVALID


def _number(raw):
    """A KPI cell as a number: None when blank; numbers as they are; text with Thai digits or thousands
    separators read; anything else ``_INVALID``."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return _INVALID
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) else _INVALID
    text = TRIM.sub("", str(raw)).translate(THAI_DIGITS).replace(",", "").replace(" ", "")
    if not text:
        return None
    return float(text) if NUMBER.fullmatch(text) else _INVALID


def _none_with_ticks(result: OfflinePlan, framework: Framework, current: dict,
                     read_at: dict[tuple, tuple[str, int, str]]) -> list[Problem]:
    """"None met yet", newly set in the file, cannot stand beside a met checkpoint of the same item. (Ticking a
    checkpoint of an item answered "none met" withdraws that answer, as in the app.)"""
    changed = {c.field: c.after for c in result.changes}
    final = current | changed
    problems = []
    for item in framework.assessed_items():
        if not changed.get(("none", item.id)):
            continue
        met = [cp.id for level in LEVELS for cp in item.level_checkpoints(level) if final.get(("met", cp.id))]
        if met:
            problems.append(Problem(*read_at[("none", item.id)], "off_problem_none_met",
                                    {"item": item.id, "checkpoints": ", ".join(met)}))
    return problems


# ---------------------------------------------------------------------------------------------
# Writing


def apply(db: Store, actor: User, plan: OfflinePlan, keep_app_values: bool = False) -> dict[str, int]:
    """Write a plan without problems (``offline.save``: one transaction and one version, audited as one save).
    With ``keep_app_values`` the plan's conflicts are left as they are in the app and the rest is written (the
    audit names the fields kept). Refused, with nothing changed, when the form may not be changed now, or
    when a field the file changes was changed in the app after the file was made (and not to the file's
    value) and is not one of the plan's conflicts the user chose to keep (one made after the preview, say)."""
    if not plan.ok:
        raise InputError("error_import_invalid", count=len(plan.problems))
    kept = {c.change.field for c in plan.conflicts} if keep_app_values else set()
    changes = [FieldChange(c.field, c.before, c.after, _label(c)) for c in plan.changes]
    return offline.save(db, actor, plan.assessment_id, changes, plan.source, kept)


def _label(change: Change) -> str:
    return f"{change.sheet} {change.column}{change.row}"
