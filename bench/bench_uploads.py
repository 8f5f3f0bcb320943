"""How long hostile uploads take to be refused, and the memory they need, beside the import of genuine files.

Hostile files (security review: a 31 KB .xlsx declaring the whole sheet took 15 minutes of CPU, a 0.2 MB CSV
with one long row hundreds of MiB):
- an offline form, and a unit list, whose sheet declares A1:XFD1048576 and has a cell at XFD1048576;
- a zip bomb: the form with a part of 1 GiB of zeros (about 1 MB packed);
- a markup bomb: the form with 300,000 empty cells in one row (about 600 KB packed, 3.3 MB unpacked);
- a CSV unit list with one 200 KB row among 2,000 short ones, and one of 2,000,000 blank rows.
Genuine files: the demo unit's offline form with one answer changed, read and checked (``offline_form.read``
and ``plan``, what the page does with an upload), and a list of 2,000 units as .xlsx and CSV (``read_table`` and
``plan``).

For each: milliseconds (median of untraced runs), peak traced memory (tracemalloc, a separate run: tracing slows
Python down several times), and both as ratios to the genuine form's import.

Run: .venv/bin/python bench/bench_uploads.py [--runs 3]
Aim: every hostile file refused in under 1 s and 50 MiB (and no slower than 10 genuine form imports).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import offline_form, unit_import
from reports.offline_template import offline_template
from storage import open_store
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments, years
from storage.errors import InputError
from storage.organisation import accounts, org

YEAR = 2570
AIM_S, AIM_MIB, AIM_RATIO = 1.0, 50.0, 10.0


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    replace, out = replace or {}, io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def sheets(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}


def whole_sheet(data: bytes, member: str) -> bytes:
    """The sheet declaring A1:XFD1048576, with one cell in its last row and column."""
    xml = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', sheets(data)[member])
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>1.1.B1</t></is></c></row>'
    return rezip(data, {member: xml.replace(b"</sheetData>", far + b"</sheetData>")})


def markup_bomb(data: bytes, member: str) -> bytes:
    row = b'<row r="1">' + b"".join(b'<c s="%x"/>' % n for n in range(300_000)) + b"</row>"  # each different
    body = b"<sheetData>" + row + b"</sheetData>"
    return rezip(data, {member: re.sub(rb"<sheetData>.*</sheetData>", body, sheets(data)[member], flags=re.S)})


def zip_bomb(data: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/media/image9.bin", "w") as part:
        zeros = bytes(2**24)
        for _ in range(64):  # 1 GiB, written 16 MiB at a time
            part.write(zeros)
    return out.getvalue()


def unit_rows(count: int) -> list[list]:
    return [["code", "name_th", "name_en", "group", "weight"]] + [
        [f"U{n:05d}", f"สำนักงานเลขานุการกรม {n}", f"Office of the Secretary {n}", f"group-{n % 40}", n + 1]
        for n in range(count)]


def units_xlsx(count: int) -> bytes:
    book = openpyxl.Workbook()
    for cells in unit_rows(count):
        book.active.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def units_csv(count: int) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(unit_rows(count))
    return out.getvalue().encode()


def measure(call, runs: int) -> tuple[float, float, str]:
    """(median seconds of untraced runs, peak traced MiB, what happened: the refusal's key, or "read")."""

    def once() -> str:
        try:
            call()
            return "read"
        except InputError as refused:
            return f"refused: {refused.key}"

    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        outcome = once()
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    once()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(seconds), peak, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = open_store(Path(folder) / "demo.db")
        user = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        aid = assessments.get(db, user.unit_id, YEAR)["id"]
        framework = years.framework_of(db, YEAR)
        form = answers.load(db, user, aid)
        book = openpyxl.load_workbook(io.BytesIO(offline_template(form, framework, org.unit(db, user.unit_id), "th",
                                                                  datetime.now(UTC))))
        sheet = book[offline_form.sheet_name("checkpoints", "th")]
        sheet["E2"] = "ไม่ใช่" if sheet["E2"].value == "ใช่" else "ใช่"  # one answer changed
        out = io.BytesIO()
        book.save(out)
        genuine = out.getvalue()
        checkpoints = list(sheets(genuine))[1]  # after the instructions
        long_row = b"code,name_th\nU1,x" + b"," * 200_000 + b"\n" + b"".join(b"U%d,name\n" % n for n in range(2, 2000))
        cases = [  # (what, file, "form" or the unit list's file name); the first is the baseline, then genuine ones
            ("genuine form: read and check", genuine, "form"),
            ("genuine unit list, 2,000 units (.xlsx)", units_xlsx(2000), "units.xlsx"),
            ("genuine unit list, 2,000 units (CSV)", units_csv(2000), "units.csv"),
            ("form declaring A1:XFD1048576, cell at XFD1048576", whole_sheet(genuine, checkpoints), "form"),
            ("unit list declaring A1:XFD1048576, cell at XFD1048576",
             whole_sheet(units_xlsx(2), "xl/worksheets/sheet1.xml"), "units.xlsx"),
            ("zip bomb: form + 1 GiB of zeros", zip_bomb(genuine), "form"),
            ("markup bomb: form, 300,000 cells in one row", markup_bomb(genuine, checkpoints), "form"),
            ("CSV with one 200 KB row among 2,000", long_row, "units.csv"),
            ("CSV of 2,000,000 blank rows", b"code,name_th\nU1,x\n" + b",\n" * 2_000_000, "units.csv"),
        ]

        def importer(file: bytes, kind: str):
            if kind == "form":
                return lambda: offline_form.plan(form, framework, offline_form.read(file, "form.xlsx"), db)
            return lambda: unit_import.plan(db, unit_import.read_table(file, kind))

        results = [(what, len(file), *measure(importer(file, kind), args.runs)) for what, file, kind in cases]
        db.close()
    base_s, base_mib = results[0][2], results[0][3]
    ok = True
    print(f"{'file':<54} {'size':>8} {'ms':>8} {'x form':>7} {'peak MiB':>9} {'x form':>7}  outcome")
    for n, (what, size, seconds, peak, outcome) in enumerate(results):
        verdict = ""
        if n >= 3:  # the hostile files
            passed = outcome != "read" and seconds < min(AIM_S, AIM_RATIO * base_s) and peak < AIM_MIB
            ok &= passed
            verdict = "  PASS" if passed else "  FAIL"
        print(f"{what:<54} {size / 1024:>6.0f} K {seconds * 1000:>8.1f} {seconds / base_s:>7.3f} {peak:>9.1f} "
              f"{peak / base_mib:>7.2f}  {outcome}{verdict}")
    print(f"aim for the hostile files: refused in under {AIM_S:g} s (and {AIM_RATIO:g} genuine form imports) and "
          f"{AIM_MIB:g} MiB: {'PASS' if ok else 'FAIL'}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (ru_maxrss, whole script): {rss:.0f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
