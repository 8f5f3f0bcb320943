"""The year's documents from the command line, for nightly jobs and checking.

    python -m reports application --db FILE --year 2570 --out DIR [--lang th|en] [--edition application|review]
    python -m reports workbook --db FILE --year 2570 --out DIR [--lang th|en] [--source best|self|review]
    python -m reports unit --db FILE --year 2570 --unit CODE --out DIR [--lang th|en]   # .pdf
    python -m reports slides --db FILE --year 2570 --out DIR [--lang th|en]   # .pptx
    python -m reports feedback --db FILE --year 2570 --out DIR [--lang th|en]   # the examiner rehearsal's

The store is read as its first active admin; nothing in it changes.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from analysis import overview
from analysis.deliverables import application_figures, year_figures
from analysis.scores import SOURCES
from reports.application import EDITIONS, application_report, application_stem
from reports.document import to_docx, to_pdf
from reports.feedback import feedback_figures, feedback_report
from reports.slides import site_visit_deck
from reports.unit_report import unit_report
from reports.workbook import year_workbook
from storage import connect
from storage.assessment import answers, assessments, years
from storage.engine import DatabaseError, Location, as_location, holds_store, shown
from storage.errors import StoreError, command_line_text
from storage.organisation import accounts, org
from storage.plans import ofis


def _store(path: Location):
    if not holds_store(path):  # a file that exists, or a database holding accounts
        raise SystemExit(f"{shown(path)} does not exist")
    try:
        db = connect(path)
    except DatabaseError:
        raise SystemExit(f"{shown(path)} is not a store of this app (not an SQLite database)") from None
    reader = accounts.first_admin(db)
    if reader is None:
        raise SystemExit(f"{shown(path)} has no active admin to read as")
    return db, reader


def _year(db, year: int) -> None:
    if db.execute("SELECT 1 FROM cycles WHERE year = ?", [year]).fetchone() is None:
        raise SystemExit(f"the store has no fiscal year {year}")


def workbook(args: argparse.Namespace) -> Path:
    db, reader = _store(args.db)
    _year(db, args.year)
    figures = year_figures(db, reader, args.year, args.source, args.lang)
    data = year_workbook(figures, ofis.register(db, reader, args.year), args.lang, accounts.people(db))
    path = args.out / f"pmqa-workbook-{args.year}-{args.lang}.xlsx"
    path.write_bytes(data)
    return path


def application(args: argparse.Namespace) -> str:
    db, reader = _store(args.db)
    _year(db, args.year)
    report = application_report(application_figures(db, reader, args.year, args.lang), args.lang,
                                edition=args.edition)
    stem = args.out / application_stem(args.edition, args.year, args.lang)
    stem.with_suffix(".docx").write_bytes(to_docx(report))
    stem.with_suffix(".pdf").write_bytes(to_pdf(report))
    return f"{stem}.docx and {stem}.pdf"


def unit(args: argparse.Namespace) -> Path:
    db, reader = _store(args.db)
    _year(db, args.year)
    unit_id = org.unit_id_of(db, args.unit)
    found = assessments.get(db, unit_id, args.year)
    if found is None:
        raise SystemExit(f"unit {args.unit} has no assessment in {args.year}")
    form = answers.load(db, reader, found["id"])
    report = unit_report(form, years.framework_of(db, args.year), org.unit(db, unit_id), args.lang,
                         datetime.now(UTC), accounts.people(db))
    path = args.out / f"pmqa-unit-{args.unit}-{args.year}-{args.lang}.pdf"
    path.write_bytes(to_pdf(report))
    return path


def feedback(args: argparse.Namespace) -> Path:
    db, reader = _store(args.db)
    _year(db, args.year)
    report = feedback_report(feedback_figures(db, reader, args.year), args.lang)
    path = args.out / f"pmqa-feedback-{args.year}-{args.lang}.docx"
    path.write_bytes(to_docx(report))
    path.with_suffix(".pdf").write_bytes(to_pdf(report))
    return path.with_suffix(".pdf")


def slides(args: argparse.Namespace) -> Path:
    db, reader = _store(args.db)
    _year(db, args.year)
    data = site_visit_deck(application_figures(db, reader, args.year, args.lang), overview.trend(db), args.lang)
    path = args.out / f"pmqa-site-visit-{args.year}-{args.lang}.pptx"
    path.write_bytes(data)
    return path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reports", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    book = sub.add_parser("workbook", help="the department's workbook of a year (.xlsx)")
    book.set_defaults(run=workbook)
    report = sub.add_parser("application", help="the application report of a year (.docx and .pdf)")
    report.set_defaults(run=application)
    report.add_argument("--edition", choices=EDITIONS, default=EDITIONS[0],
                        help="what is sent to OPDC (application), or the committee's internal review")
    single = sub.add_parser("unit", help="one unit's assessment of a year, printable (.pdf)")
    single.set_defaults(run=unit)
    single.add_argument("--unit", required=True, help="the unit's code")
    deck = sub.add_parser("slides", help="the site-visit presentation of a year (.pptx)")
    deck.set_defaults(run=slides)
    rehearsal = sub.add_parser("feedback", help="the feedback of the committee's examiner rehearsal (.docx, .pdf)")
    rehearsal.set_defaults(run=feedback)
    for p in (book, report, single, deck, rehearsal):
        p.add_argument("--db", type=as_location, required=True,
                       help="the store: a SQLite file, or a PostgreSQL address (postgresql://user@host/database)")
        p.add_argument("--year", type=int, required=True, help="the fiscal year (B.E.)")
        p.add_argument("--out", type=Path, required=True, help="the folder to write into")
        p.add_argument("--lang", choices=("th", "en"), default="th")
    book.add_argument("--source", choices=[s for s in SOURCES if s != "department"], default="best",
                      help="the units' values the department figures use")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.out.is_dir():
        raise SystemExit(f"{args.out} is not a folder")
    try:
        print(f"written {args.run(args)}")
    except (StoreError, OSError) as exc:
        raise SystemExit(command_line_text(exc)) from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
