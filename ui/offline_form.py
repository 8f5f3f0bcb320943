"""The self-assessment page's offline work: the form as an Excel file to fill without a connection and import
back (checked as a whole, previewed, then applied in one save), and a printable copy of the assessment."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from i18n.format import level_label
from reports.document import to_pdf
from reports.offline_template import offline_template
from reports.unit_report import unit_report
from scoring import Framework
from storage import answers, offline_form
from storage.accounts import User
from storage.answers import Form
from storage.errors import StoreError
from ui import faults, session
from ui.assessment_form import EDITOR, key
from ui.errors import describe
from ui.i18n import current_language, t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN = "sa:offline_plan"  # (uploaded file id, plan): the plan previewed is the plan applied
REFUSED = "sa:offline_refused"  # why the last import was refused
MISSING = "—"


def offline_panel(form: Form, framework: Framework, user: User, unit: dict, editable: bool) -> None:
    """In an expander, built only while open: downloads of the Excel form (while the form can be changed) and
    of a printable PDF; while editable, the import of a filled-in form."""
    lang = current_language()
    aid, year = form.assessment["id"], form.assessment["year"]
    stem = f"pmqa-{unit['code']}-{year}-{lang}"

    def current() -> Form:  # built when clicked, from the store as it is then
        return answers.load(session.store(), user, aid)

    expander = st.expander(t("off_title"), icon=":material/table_view:", key=key("offline_open"), on_change="rerun")
    if not expander.open:  # built only when opened
        return
    with expander:
        if editable:
            st.caption(t("off_help"))
        cols = st.columns(2)
        if editable:
            cols[0].download_button(
                t("off_download"), lambda: offline_template(current(), framework, unit, lang, datetime.now(UTC)),
                file_name=f"{stem}-form.xlsx", mime=XLSX, on_click="ignore", icon=":material/download:",
                key=key("offline_get"))
        cols[1].download_button(
            t("off_print"), lambda: to_pdf(unit_report(current(), framework, unit, lang, datetime.now(UTC))),
            file_name=f"{stem}.pdf", mime="application/pdf", on_click="ignore", icon=":material/print:",
            key=key("offline_print"))
        if editable:
            _import(form, framework, user)


def _import(form: Form, framework: Framework, user: User) -> None:
    round_ = st.session_state.get(key("offline_round"), 0)
    upload = st.file_uploader(t("off_upload"), type=["xlsx"], key=key("offline_file", round_),
                              max_upload_size=offline_form.MAX_BYTES // (1024 * 1024))
    if refused := st.session_state.pop(REFUSED, None):
        st.error(refused, icon=":material/sync_problem:")
    if upload is None:
        return
    previewed = st.session_state.get(PLAN)
    if previewed is None or previewed[0] != (upload.file_id, form.assessment["version"]):
        try:
            plan = offline_form.plan(form, framework, offline_form.read(upload.getvalue(), upload.name))
        except StoreError as exc:
            st.error(describe(exc), icon=":material/error:")
            return
        previewed = st.session_state[PLAN] = ((upload.file_id, form.assessment["version"]), plan)
    plan = previewed[1]
    if not plan.ok:
        st.error(t("off_problems", n=len(plan.problems)), icon=":material/error:")
        st.dataframe(pd.DataFrame({
            t("off_sheet"): [p.sheet for p in plan.problems],
            t("adm_import_row"): [p.row or None for p in plan.problems],
            t("adm_import_column"): [p.column or None for p in plan.problems],
            t("adm_import_problem"): [t(p.key, **p.params) for p in plan.problems]}),
            hide_index=True, width="stretch", placeholder=MISSING)
        return
    if not plan.changes:
        st.info(t("off_no_changes"), icon=":material/check:")
        return
    st.success(t("off_preview", n=len(plan.changes)), icon=":material/preview:")
    st.dataframe(pd.DataFrame({
        t("off_sheet"): [c.sheet for c in plan.changes],
        t("adm_import_row"): [c.row for c in plan.changes],
        t("off_field"): [field_label(c.field) for c in plan.changes],
        t("off_before"): [value_text(c.before) for c in plan.changes],
        t("off_after"): [value_text(c.after) for c in plan.changes]}),
        hide_index=True, width="stretch", placeholder=MISSING)
    st.button(t("off_apply", n=len(plan.changes)), type="primary", icon=":material/upload:",
              key=key("offline_apply", round_), on_click=_apply, args=(user, plan, round_))


def _apply(user: User, plan: offline_form.OfflinePlan, round_: int) -> None:
    """Import, then a fresh uploader (the form's widgets take the stored values as the version moved on); a
    refusal is shown beside the uploader."""
    st.session_state.pop(PLAN, None)
    try:
        done = offline_form.apply(session.store(), user, plan)
    except StoreError as exc:
        st.session_state[REFUSED] = describe(exc)
        return
    except Exception as exc:  # a fault is logged under a reference the message gives
        st.session_state[REFUSED] = faults.message(faults.report(exc, where="importing an offline form"))
        return
    EDITOR.flash("success", t("off_done", n=done["changes"]))
    st.session_state[key("offline_round")] = round_ + 1


def field_label(field: tuple) -> str:
    kind = field[0]
    if kind == "met":
        return field[1]
    if kind == "none":
        return t("off_field_none", item=field[1])
    if kind == "text":
        return t("off_field_text", item=field[1], level=level_label(field[2], current_language()))
    return t("off_field_kpi", kpi=field[1], year=field[2])


def value_text(value) -> str | None:
    if isinstance(value, bool):
        return t("word_yes") if value else t("word_no")
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, str):
        return (value if len(value) <= 80 else value[:79] + "…") or None
    return None
