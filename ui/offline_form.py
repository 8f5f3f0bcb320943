"""The self-assessment page's offline work: the form as an Excel file to fill without a connection and import
back (checked as a whole, previewed, then applied in one save), and a printable copy of the assessment. The
preview names each field changed in the app since the download and differently in the file; the user then
imports the rest of the file, keeping the app's values there, or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from i18n.format import level_label, local_time
from intake import offline_form
from reports.document import to_pdf
from reports.offline_template import offline_template
from reports.unit_report import unit_report
from scoring import Framework
from storage.assessment import answers
from storage.assessment.answers import Form
from storage.errors import StoreError
from storage.organisation.accounts import User
from ui import faults, session
from ui.assessment_form import EDITOR, key
from ui.errors import describe
from ui.i18n import current_language, t
from ui.people import names, person

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
        people = names()
        cols[1].download_button(
            t("off_print"), lambda: to_pdf(unit_report(current(), framework, unit, lang, datetime.now(UTC), people)),
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
    if upload is None or (plan := _checked(upload, form, framework)) is None:
        return
    if not plan.ok:
        _problems(plan.problems)
        return
    if not plan.changes:
        st.info(t("off_no_changes"), icon=":material/check:")
        return
    if plan.conflicts:
        _conflicts(plan.conflicts)
    rest = plan.rest
    if rest:
        st.success(t("off_preview_rest" if plan.conflicts else "off_preview", n=len(rest)), icon=":material/preview:")
        _changes(rest)
    else:
        st.info(t("off_conflicts_only"), icon=":material/info:")
    cols = st.columns(2)
    if rest:
        label = t("off_apply_rest", n=len(rest)) if plan.conflicts else t("off_apply", n=len(rest))
        cols[0].button(label, type="primary", icon=":material/upload:", key=key("offline_apply", round_),
                       on_click=_apply, args=(user, plan, round_))
    if plan.conflicts:
        cols[1].button(t("off_apply_none"), icon=":material/block:", key=key("offline_none", round_),
                       on_click=_discard, args=(round_,))


def _checked(upload, form: Form, framework: Framework) -> offline_form.OfflinePlan | None:
    """The uploaded file checked against the form as it is now (again when either changed since the last run:
    the plan previewed is the plan applied); None after showing why a file is refused as a whole."""
    previewed = st.session_state.get(PLAN)
    if previewed is None or previewed[0] != (upload.file_id, form.assessment["version"]):
        try:
            plan = offline_form.plan(form, framework, offline_form.read(upload.getvalue(), upload.name),
                                     session.store())
        except StoreError as exc:
            st.error(describe(exc), icon=":material/error:")
            return None
        previewed = st.session_state[PLAN] = ((upload.file_id, form.assessment["version"]), plan)
    return previewed[1]


def _problems(problems: list[offline_form.Problem]) -> None:
    st.error(t("off_problems", n=len(problems)), icon=":material/error:")
    st.dataframe(pd.DataFrame({
        t("off_sheet"): [p.sheet for p in problems],
        t("adm_import_row"): [p.row or None for p in problems],
        t("adm_import_column"): [p.column or None for p in problems],
        t("adm_import_problem"): [t(p.key, **p.params) for p in problems]}),
        hide_index=True, width="stretch", placeholder=MISSING)


def _changes(changes: list[offline_form.Change]) -> None:
    st.dataframe(pd.DataFrame({
        t("off_sheet"): [c.sheet for c in changes],
        t("adm_import_row"): [c.row for c in changes],
        t("off_field"): [field_label(c.field) for c in changes],
        t("off_before"): [value_text(c.before) for c in changes],
        t("off_after"): [value_text(c.after) for c in changes]}),
        hide_index=True, width="stretch", placeholder=MISSING)


def _conflicts(conflicts: list[offline_form.Conflict]) -> None:
    """Each field changed both in the app since the download and in the file: where, what each holds, who
    changed it in the app and when."""
    st.warning(t("off_conflicts", n=len(conflicts)), icon=":material/sync_problem:")
    st.dataframe(pd.DataFrame({
        t("off_sheet"): [c.change.sheet for c in conflicts],
        t("off_cell"): [f"{c.change.column}{c.change.row}" for c in conflicts],
        t("off_field"): [field_label(c.change.field) for c in conflicts],
        t("off_after"): [value_text(c.change.after) for c in conflicts],
        t("off_in_app"): [value_text(c.app) for c in conflicts],
        t("off_changed_by"): [person(c.by) or None for c in conflicts],
        t("off_changed_at"): [local_time(c.at, current_language()) or None for c in conflicts]}),
        hide_index=True, width="stretch", placeholder=MISSING)


def _apply(user: User, plan: offline_form.OfflinePlan, round_: int) -> None:
    """Import (the rest of the file when the preview named conflicts: those fields keep the app's values), then
    a fresh uploader (the form's widgets take the stored values as the version moved on); a refusal is shown
    beside the uploader."""
    st.session_state.pop(PLAN, None)
    try:
        done = offline_form.apply(session.store(), user, plan, keep_app_values=bool(plan.conflicts))
    except StoreError as exc:
        st.session_state[REFUSED] = describe(exc)
        return
    except Exception as exc:  # a fault is logged under a reference the message gives
        st.session_state[REFUSED] = faults.message(faults.report(exc, where="importing an offline form"))
        return
    EDITOR.flash("success", t("off_done_kept", n=done["changes"], kept=done["kept"]) if done["kept"] else
                 t("off_done", n=done["changes"]))
    st.session_state[key("offline_round")] = round_ + 1


def _discard(round_: int) -> None:
    """Import nothing: a fresh uploader."""
    st.session_state.pop(PLAN, None)
    EDITOR.flash("success", t("off_nothing"))
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
