"""The year's documents, built by a worker on request (``jobs``): a button asks for one (the same document already
asked for, or built for the store as it is now, is that one: no second build), the page shows its progress while it
is queued or being built (a fragment that polls the store only while a job is under way, so the rest of the page is
not run again), then offers its files, says when the store has changed since they were built, or says why the build
failed (with the fault's reference) and offers to try again. The build runs outside the page's script run (another
process on PostgreSQL, a background thread on SQLite), so one person's build never holds up another's page. The
application comes with its page budget: each part's pages against the year's limits (``reports.page_budget``),
kept with the job's result."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

import jobs
from analysis.summary import DEFAULT_SOURCE
from i18n import translate
from i18n.format import local_time
from reports.page_budget import PartPages, over_limit, part_name
from scoring.criteria import Text
from storage.admin import jobs as store_jobs
from storage.assessment import assessments, examiners, years
from storage.assessment.assessments import SOURCES
from storage.db import data_version
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation.accounts import User
from storage.record import department
from ui import choices, session
from ui.errors import describe
from ui.i18n import t
from ui.text import MISSING

POLL_S = 1.0  # how often the page looks at a job under way


def _file(user: User, job_id: int, name: str) -> bytes:
    """A built file's bytes, read from the file store when its download is clicked (access checked again)."""
    return store_jobs.read_file(session.store(), user, job_id, name)[2]


def _request(db: Store, user: User, kind: str, parameters: dict, lang: str) -> None:
    """Ask for the document, then run the page again (its button now disabled, its progress shown); a refusal is
    shown instead."""
    try:
        jobs.request(db, user, kind, parameters, lang)
    except StoreError as exc:
        st.error(describe(exc), icon=":material/error:")
        return
    st.rerun()


def _progress(user: User, kind: str, parameters: dict, lang: str) -> None:
    """A job under way: its state and progress, looked at again every ``POLL_S`` seconds; once it has ended, the
    whole page runs again (its files, or why it failed, and no more polling)."""

    @st.fragment(run_every=POLL_S)
    def panel() -> None:
        try:
            job = store_jobs.latest(session.store(), user, kind, parameters, lang)
        except StoreError:  # the account disabled meanwhile, the store out of reach: the whole page says so
            st.rerun(scope="app")
        if job is None or job["state"] not in store_jobs.ACTIVE:
            st.rerun(scope="app")
        if job["state"] == "queued":
            st.progress(0.0, text=t("doc_job_queued"))
        else:
            step = t(job["step"]) if job["step"] else ""
            st.progress(job["progress"], text=t("doc_job_running", percent=round(job["progress"] * 100), step=step))

    panel()


def _offer(db: Store, user: User, kind: str, parameters: dict, lang: str, label: str,
           show: Callable[[dict], None] | None = None) -> None:
    """A build button for one document and its latest job: progress while under way, its files once built (and
    what ``show`` shows from the job's result), or why it failed, with a button to try again."""
    job = store_jobs.latest(db, user, kind, parameters, lang)
    under_way = job is not None and job["state"] in store_jobs.ACTIVE
    if st.button(label, key=f"doc:build:{kind}", icon=":material/build:", disabled=under_way):
        _request(db, user, kind, parameters, lang)
    if job is None:
        return
    if job["state"] in store_jobs.ACTIVE:
        _progress(user, kind, parameters, lang)
    elif job["state"] == "failed":
        if job["refusal"]:
            st.error(describe(StoreError(job["refusal"]["key"], **job["refusal"]["params"])), icon=":material/error:")
        else:
            st.error(t("doc_job_failed", reference=job["error"] or "-"), icon=":material/error:")
        if st.button(t("doc_retry"), key=f"doc:retry:{kind}", icon=":material/refresh:"):
            _request(db, user, kind, parameters, lang)
    else:
        files = job["files"]
        for column, file in zip(st.columns(len(files)), files, strict=True):
            column.download_button(t("doc_download", name=file["name"]), partial(_file, user, job["id"], file["name"]),
                                   file_name=file["name"], mime=file["mime"], key=f"doc:get:{file['name']}",
                                   icon=":material/download:", on_click="ignore")
        st.caption(t("doc_built_at", time=local_time(job["finished_at"], lang)))
        if job["data_version"] != data_version(db):
            st.warning(t("doc_job_stale"), icon=":material/update:")
        if show and job["result"]:
            show(job["result"])


def offer_workbook(db: Store, user: User, year: int, lang: str) -> None:
    """The department's workbook, from the units' values of the source chosen."""
    st.subheader(t("doc_workbook"))
    st.caption(t("doc_workbook_help"))
    source = choices.one("radio", t("ov_source"), SOURCES, "doc:source", lambda s: t(f"ov_source_{s}"),
                         default=DEFAULT_SOURCE, horizontal=True)
    _offer(db, user, "workbook", {"year": year, "source": source}, lang, t("doc_build_workbook"))


def offer_application(db: Store, user: User, year: int, lang: str) -> None:
    """The application report in Word and PDF, in its two editions (the application with its page budget), and the
    site-visit deck, once the department's assessment is started."""
    st.subheader(t("doc_application"))
    st.caption(t("doc_application_help"))
    if department.get(db, user, year) is None:
        st.info(t("doc_application_needs_record", year=year), icon=":material/info:")
        return
    st.caption(t("doc_application_edition_help"))  # what is sent first, then the committee's own file
    _offer(db, user, "application", {"year": year}, lang, t("doc_build_application"),
           show=lambda result: page_budget_table(*budget_of(result), lang))
    st.caption(t("doc_review_edition_help"))
    _offer(db, user, "review", {"year": year}, lang, t("doc_build_review"))
    st.caption(t("doc_slides_help"))
    _offer(db, user, "slides", {"year": year}, lang, t("doc_build_slides"))


def budget_of(result: dict) -> tuple[list[PartPages], Text | None]:
    """The page budget and the note on where its limits come from, as the application's job keeps them."""
    budget = [PartPages(p["part"], p["pages"], p["limit"]) for p in result.get("budget") or []]
    note = result.get("note")
    return budget, Text(**note) if note else None


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
    """The examiner rehearsal's feedback report in Word and PDF, built with the member's own rights (for a member
    who has not submitted, the build says why it cannot be)."""
    st.subheader(t("doc_feedback"))
    st.caption(t("doc_feedback_help"))
    if not examiners.scored_items(years.framework_of(db, year)):
        st.info(t("ex_no_scoring"), icon=":material/info:")
        return
    _offer(db, user, "feedback", {"year": year}, lang, t("doc_build_feedback"))


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
    _offer(db, user, "unit", {"year": year, "unit_id": int(unit_id)}, lang, t("doc_build_unit"))
