"""How long the year's documents take to build, and the memory they need: the application in both editions
(Word and PDF with its exact text layer, charts drawn by Kaleido), the site-visit deck and the department's
workbook, on the demo store and on a generated store of 300 units x 3 cycles. Prints figures; aims: each under
3 s on the demo store, under 10 s and 500 MB on the large store.

Run: .venv/bin/python bench/bench_reports.py [--large-units 300]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import overview
from analysis.deliverables import application_figures, year_figures
from reports.application import EDITIONS, application_report, chart_png
from reports.document import to_docx, to_pdf
from reports.slides import site_visit_deck
from reports.workbook import year_workbook
from storage import connect, open_store
from storage.admin import demo
from storage.organisation import accounts
from storage.plans import ofis
from storage.record import department

YEAR = 2570
AIM_S, AIM_MB, AIM_DEMO_S = 10.0, 500.0, 3.0


def timed(build) -> tuple[float, float, float, int]:
    """Seconds of a first build (its charts drawn) and of a rebuild (its charts drawn before: as after a change of
    text), peak traced memory (MiB, a third run: tracing slows Python down several times) and the size of what
    ``build`` returns."""
    start = time.perf_counter()
    size = build()
    first = time.perf_counter() - start
    start = time.perf_counter()
    build()
    again = time.perf_counter() - start
    tracemalloc.start()
    build()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return first, again, peak, size


def measure(path: Path) -> dict[str, tuple[float, float, int]]:
    db = connect(path)
    reader = accounts.first_admin(db)
    if department.get(db, reader, YEAR) is None:  # the demo department has one: a store made otherwise may not
        department.start(db, accounts.authenticate(db, "demo-committee", demo.DEMO_PASSWORD), YEAR)

    def application(edition: str):
        def build() -> int:
            report = application_report(application_figures(db, reader, YEAR), "th", edition=edition)
            return len(to_docx(report)) + len(to_pdf(report))
        return build

    def deck() -> int:
        return len(site_visit_deck(application_figures(db, reader, YEAR), overview.trend(db), "th"))

    def workbook() -> int:
        return len(year_workbook(year_figures(db, reader, YEAR), ofis.register(db, reader, YEAR)))

    chart_png(go.Figure(go.Bar(x=[YEAR], y=[len(str(path))])))  # the first chart starts Chromium: apart from the builds
    return {f"{edition} edition (docx + pdf)": timed(application(edition)) for edition in EDITIONS} | {
        "site-visit deck (pptx)": timed(deck), "workbook (xlsx)": timed(workbook)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large-units", type=int, default=300)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        demo_path, large_path = Path(folder) / "demo.db", Path(folder) / "large.db"
        open_store(demo_path).close()
        large = connect(large_path)
        demo.populate(large, units=demo.many_units(args.large_units))
        large.close()
        for name, path, aimed in (("demo store (20 units)", demo_path, False),
                                  (f"large store ({args.large_units} units)", large_path, True)):
            print(name)
            for what, (seconds, again, peak, size) in measure(path).items():
                if aimed:
                    passed = seconds < AIM_S and peak < AIM_MB
                    verdict = f"  target under {AIM_S:g} s and {AIM_MB:g} MB: {'PASS' if passed else 'FAIL'}"
                else:
                    passed = seconds < AIM_DEMO_S
                    verdict = f"  target under {AIM_DEMO_S:g} s: {'PASS' if passed else 'FAIL'}"
                ok &= passed
                print(f"  {what}: {seconds:.2f} s (rebuilt {again:.2f} s), peak traced {peak:.1f} MiB, "
                      f"{size / 1024:.0f} KiB{verdict}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (ru_maxrss, whole script): {rss:.0f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
