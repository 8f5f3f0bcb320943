"""What each kind of job builds: the existing report builders, called as the Documents page called them, for
the job's requester as the store has them when the build runs (``storage.admin.jobs.requester``).

A builder takes a ``Build`` (the store, the requester, the job's parameters and language, and ``step`` to say how
far it is) and returns the files (name, mime type, bytes) and what is shown with them (JSON-ready, or None).

``PMQA_JOB_STEP_PAUSE`` (seconds, tests only) makes every step of a build wait that long before it starts: a
real build, made slow enough that a test can watch its progress or kill its worker in the middle.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from analysis import overview
from analysis.deliverables import application_figures, year_figures
from i18n import translate
from reports.application import application_report, application_stem
from reports.document import to_docx, to_pdf
from reports.feedback import feedback_figures, feedback_report
from reports.page_budget import pdf_and_budget
from reports.slides import site_visit_deck
from reports.unit_report import unit_report
from reports.workbook import year_workbook
from storage.admin import announcements
from storage.assessment import answers, assessments, years
from storage.engine import Store
from storage.errors import InputError
from storage.organisation import org
from storage.organisation.accounts import User, people
from storage.plans import ofis

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF = "application/pdf"

Files = list[tuple[str, str, bytes]]


@dataclass
class Build:
    db: Store
    user: User
    parameters: dict
    lang: str
    report: Callable[[float, str], None]  # (fraction done, catalogue key of the step now starting)

    def step(self, fraction: float, key: str) -> None:
        self.report(fraction, key)
        pause = step_pause()
        if pause:
            time.sleep(pause)


def step_pause() -> float:
    try:
        return max(0.0, min(float(os.environ.get("PMQA_JOB_STEP_PAUSE", "") or 0), 60.0))
    except ValueError:
        return 0.0


def workbook(b: Build) -> tuple[Files, None]:
    year, source = b.parameters["year"], b.parameters["source"]
    b.step(0.05, "doc_step_figures")
    figures = year_figures(b.db, b.user, year, source, b.lang)
    b.step(0.5, "doc_step_workbook")
    data = year_workbook(figures, ofis.register(b.db, b.user, year), b.lang, people(b.db))
    return [(f"pmqa-workbook-{year}-{source}-{b.lang}.xlsx", XLSX, data)], None


def _application(b: Build, edition: str) -> tuple[Files, dict | None]:
    """The edition in Word and PDF; the application edition with its page budget (the PDF laid out once for the
    file and the count) and where the limits come from."""
    year = b.parameters["year"]
    b.step(0.05, "doc_step_figures")
    figures = application_figures(b.db, b.user, year, b.lang)
    b.step(0.3, "doc_step_report")
    report = application_report(figures, b.lang, edition=edition)
    b.step(0.55, "doc_step_word")
    word = to_docx(report)
    b.step(0.7, "doc_step_pdf")
    pdf, budget = pdf_and_budget(report, figures.framework)
    stem = application_stem(edition, year, b.lang)
    files = [(f"{stem}.docx", DOCX, word), (f"{stem}.pdf", PDF, pdf)]
    if edition != "application":
        return files, None
    note = figures.framework.application.page_limits_note
    return files, {"budget": [{"part": p.part, "pages": p.pages, "limit": p.limit} for p in budget],
                   "note": {"th": note.th, "en": note.en} if note else None}


def slides(b: Build) -> tuple[Files, None]:
    year = b.parameters["year"]
    b.step(0.05, "doc_step_figures")
    figures = application_figures(b.db, b.user, year, b.lang)
    b.step(0.4, "doc_step_slides")
    data = site_visit_deck(figures, overview.trend(b.db), b.lang)
    return [(f"pmqa-site-visit-{year}-{b.lang}.pptx", PPTX, data)], None


def feedback(b: Build) -> tuple[Files, None]:
    year = b.parameters["year"]
    b.step(0.05, "doc_step_figures")
    figures = feedback_figures(b.db, b.user, year)
    b.step(0.4, "doc_step_report")
    report = feedback_report(figures, b.lang)
    b.step(0.6, "doc_step_word")
    word = to_docx(report)
    b.step(0.75, "doc_step_pdf")
    stem = f"pmqa-feedback-{year}-{b.lang}"
    return [(f"{stem}.docx", DOCX, word), (f"{stem}.pdf", PDF, to_pdf(report))], None


def unit(b: Build) -> tuple[Files, None]:
    year, unit_id = b.parameters["year"], b.parameters["unit_id"]
    table = assessments.status_table(b.db, b.user, year).dropna(subset=["assessment_id"])
    rows = table[table["unit_id"] == unit_id]
    if rows.empty:
        raise InputError("doc_unit_none", year=year)
    row = rows.iloc[0]
    b.step(0.05, "doc_step_figures")
    form = answers.load(b.db, b.user, int(row["assessment_id"]))
    b.step(0.4, "doc_step_report")
    report = unit_report(form, years.framework_of(b.db, year), org.unit(b.db, unit_id), b.lang, datetime.now(UTC),
                         people(b.db))
    b.step(0.7, "doc_step_pdf")
    return [(f"pmqa-unit-{row['code']}-{year}-{b.lang}.pdf", PDF, to_pdf(report))], None


def email(b: Build) -> tuple[Files, dict]:
    """An announcement e-mailed to its addressees through the department's SMTP server (the ``[smtp]`` section
    of the secrets file the worker reads: ``jobs.secrets``); how many were sent."""
    from jobs.secrets import smtp_settings

    settings = smtp_settings()
    if settings is None:
        raise InputError("error_job_no_smtp")
    b.step(0.1, "job_step_sending")
    sent = announcements.email(b.db, b.user, b.parameters["announcement_id"], settings,
                               translate("ann_subject_prefix", b.lang), translate("ann_mail_footer", b.lang))
    return [], {"sent": sent}


BUILDERS: dict[str, Callable[[Build], tuple[Files, dict | None]]] = {
    "application": lambda b: _application(b, "application"),
    "review": lambda b: _application(b, "review"),
    "slides": slides,
    "feedback": feedback,
    "workbook": workbook,
    "unit": unit,
    "email": email,
}
