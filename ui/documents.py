"""Building the year's documents on request: a button builds one (with a progress bar, as it may take a few
seconds), then offers it for download until the store changes or another is asked for. The application comes
with its page budget: each part's pages against the year's limits (``reports.page_budget``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from analysis import overview
from analysis.deliverables import application_figures, year_figures
from analysis.summary import DEFAULT_SOURCE
from i18n import translate
from i18n.format import local_time
from reports.application import application_report, application_stem
from reports.document import to_docx, to_pdf
from reports.feedback import feedback_figures, feedback_report
from reports.page_budget import PartPages, over_limit, part_name, pdf_and_budget
from reports.slides import site_visit_deck
from reports.unit_report import unit_report
from reports.workbook import year_workbook
from scoring.criteria import Text
from storage.assessment import answers, assessments, examiners, years
from storage.assessment.assessments import SOURCES
from storage.db import data_version, now
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation import org
from storage.organisation.accounts import User
from storage.plans import ofis
from storage.record import department
from ui import choices, faults
from ui.errors import describe
from ui.i18n import current_language, t
from ui.people import names
from ui.text import MISSING

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
BUILT = "doc:built"  # (what, data version) -> ([(file name, mime, bytes)], built at, what is shown with them)


def _build(steps: list[tuple[str, Callable]]) -> object:
    """Run the steps in order under a progress bar, each given the previous one's result."""
    bar = st.progress(0.0, text=t(steps[0][0]))
    result = None
    for done, (label, step) in enumerate(steps):
        bar.progress(done / len(steps), text=t(label))
        result = step(result)
    bar.progress(1.0, text=t("doc_done"))
    return result


def _offer(what: tuple, label: str, build: Callable[[], Any], db: Store,
           show: Callable[[Any], None] | None = None) -> None:
    """A build button for one document and, once built for the store as it is now, its files to download.
    ``build`` gives the files (name, mime, bytes); with ``show``, the files and what ``show`` then shows under
    them (kept with the files until the store changes)."""
    built = st.session_state.setdefault(BUILT, {})
    current = (*what, data_version(db))
    if st.button(label, key=f"doc:build:{what[0]}", icon=":material/build:"):
        try:
            files, extra = build() if show else (build(), None)
            built[current] = (files, local_time(now(), current_language()), extra)
        except StoreError as exc:
            st.error(describe(exc))
        except Exception as exc:  # a fault is logged under a reference the message gives
            st.error(faults.message(faults.report(exc, where=f"building {what[0]}")))
    if current in built:
        files, at, extra = built[current]
        for column, (name, mime, data) in zip(st.columns(len(files)), files, strict=True):
            column.download_button(t("doc_download", name=name), lambda data=data: data, file_name=name, mime=mime,
                                   key=f"doc:get:{name}", icon=":material/download:", on_click="ignore")
        st.caption(t("doc_built_at", time=at))
        if show:
            show(extra)


def offer_workbook(db: Store, user: User, year: int, lang: str) -> None:
    """The department's workbook, from the units' values of the source chosen."""
    st.subheader(t("doc_workbook"))
    st.caption(t("doc_workbook_help"))
    source = choices.one("radio", t("ov_source"), SOURCES, "doc:source", lambda s: t(f"ov_source_{s}"),
                         default=DEFAULT_SOURCE, horizontal=True)

    def build() -> list[tuple[str, str, bytes]]:
        data = _build([("doc_step_figures", lambda _: year_figures(db, user, year, source, lang)),
                       ("doc_step_workbook", lambda figures: year_workbook(
                           figures, ofis.register(db, user, year), lang, names()))])
        return [(f"pmqa-workbook-{year}-{source}-{lang}.xlsx", XLSX, data)]

    _offer(("workbook", year, source, lang), t("doc_build_workbook"), build, db)


def offer_application(db: Store, user: User, year: int, lang: str) -> None:
    """The application report in Word and PDF, once the department's assessment is started."""
    st.subheader(t("doc_application"))
    st.caption(t("doc_application_help"))
    if department.get(db, user, year) is None:
        st.info(t("doc_application_needs_record", year=year), icon=":material/info:")
        return

    def build(edition: str) -> tuple[list[tuple[str, str, bytes]], tuple[list[PartPages], Text | None]]:
        """The edition's files, and the application's page budget with the note on where its limits come from
        (the PDF laid out once for both)."""
        figures, report = _build([("doc_step_figures", lambda _: application_figures(db, user, year, lang)),
                                  ("doc_step_report", lambda figures: (figures, application_report(
                                      figures, lang, edition=edition)))])
        stem = application_stem(edition, year, lang)
        word = to_docx(report)
        pdf, budget = pdf_and_budget(report, figures.framework)
        files = [(f"{stem}.docx", DOCX, word), (f"{stem}.pdf", "application/pdf", pdf)]
        return files, (budget, figures.framework.application.page_limits_note)

    def deck() -> list[tuple[str, str, bytes]]:
        data = _build([("doc_step_figures", lambda _: application_figures(db, user, year, lang)),
                       ("doc_step_slides", lambda figures: site_visit_deck(figures, overview.trend(db), lang))])
        return [(f"pmqa-site-visit-{year}-{lang}.pptx", PPTX, data)]

    for edition, label, help_key in (("application", "doc_build_application", "doc_application_edition_help"),
                                     ("review", "doc_build_review", "doc_review_edition_help")):
        st.caption(t(help_key))  # what is sent first, then the committee's own file
        if edition == "application":  # the edition OPDC counts pages of
            _offer((edition, year, lang), t(label), lambda edition=edition: build(edition), db,
                   show=lambda shown: page_budget_table(*shown, lang))
        else:
            _offer((edition, year, lang), t(label), lambda edition=edition: build(edition)[0], db)
    st.caption(t("doc_slides_help"))
    _offer(("slides", year, lang), t("doc_build_slides"), deck, db)


def page_budget_table(budget: list[PartPages], note: Text | None, lang: str) -> None:
    """The application's pages per part against the year's limits, the parts over theirs, and where the limits
    come from."""
    t = lambda key, **values: translate(key, lang, **values)  # noqa: E731
    st.markdown(f"**{t('pb_title')}**")
    if not budget:
        st.info(t("pb_none"), icon=":material/info:")
        return
    st.dataframe(pd.DataFrame({
        t("pb_col_part"): [part_name(p.part, lang) for p in budget],
        t("pb_col_pages"): [p.pages for p in budget],
        t("pb_col_limit"): [str(p.limit) if p.limit is not None else t("pb_no_limit") for p in budget],
        t("pb_col_over"): [t("pb_over_yes") if p.over else t("pb_over_no") for p in budget]}),
        hide_index=True, width="stretch", placeholder=MISSING)
    over = over_limit(budget)
    if over:
        st.warning(t("pb_over_warning", n=len(over), parts=", ".join(
            t("pb_over_part", part=part_name(p.part, lang), pages=p.pages, limit=p.limit) for p in over)),
            icon=":material/warning:")
    else:
        st.success(t("pb_within"), icon=":material/check:")
    st.caption(t("pb_note", note=note.get(lang)) if note else t("pb_note_none"))


def offer_feedback(db: Store, user: User, year: int, lang: str) -> None:
    """The examiner rehearsal's feedback report in Word and PDF, once a member has submitted (for a member who
    has not, the reason it cannot be built)."""
    st.subheader(t("doc_feedback"))
    st.caption(t("doc_feedback_help"))
    if not examiners.scored_items(years.framework_of(db, year)):
        st.info(t("ex_no_scoring"), icon=":material/info:")
        return

    def build() -> list[tuple[str, str, bytes]]:
        report = _build([("doc_step_figures", lambda _: feedback_figures(db, user, year)),
                         ("doc_step_report", lambda figures: feedback_report(figures, lang))])
        stem = f"pmqa-feedback-{year}-{lang}"
        return [(f"{stem}.docx", DOCX, to_docx(report)), (f"{stem}.pdf", "application/pdf", to_pdf(report))]

    _offer(("feedback", year, lang), t("doc_build_feedback"), build, db)


def offer_unit_report(db: Store, user: User, year: int, lang: str) -> None:
    """One unit's assessment as a printable PDF, for a unit chosen among those with one this year."""
    st.subheader(t("doc_unit"))
    st.caption(t("doc_unit_help"))
    table = assessments.status_table(db, user, year).dropna(subset=["assessment_id"])
    if table.empty:
        st.info(t("doc_unit_none", year=year))
        return
    name = "name_en" if lang == "en" else "name_th"
    labels = dict(zip(table["unit_id"], table["code"] + " · " + table[name], strict=True))
    unit_id = choices.one("selectbox", t("unit"), list(labels), "doc:unit", labels.get)
    row = table.set_index("unit_id").loc[unit_id]

    def build() -> list[tuple[str, str, bytes]]:
        report = _build([("doc_step_figures", lambda _: answers.load(db, user, int(row["assessment_id"]))),
                         ("doc_step_report", lambda form: unit_report(form, years.framework_of(db, year),
                                                                      org.unit(db, unit_id), lang, datetime.now(UTC),
                                                                      names()))])
        return [(f"pmqa-unit-{row['code']}-{year}-{lang}.pdf", "application/pdf", to_pdf(report))]

    _offer(("unit", year, unit_id, lang), t("doc_build_unit"), build, db)
