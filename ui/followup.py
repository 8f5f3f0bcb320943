"""One plan's 6- or 12-month progress report, on its tab of the plan: its status, due day and lateness; the editor
for the plan's writers while the round's phase is open (per action: percent done, what was done, evidence,
problems; at 12 months the results on the plan's targets, a summary, and whether the OFIs are resolved), or the
report to read; and the committee's comments, sending back and acceptance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n.format import date_label, local_day
from storage.assessment import years
from storage.engine import Store
from storage.organisation.accounts import User
from storage.plans import followup
from ui.i18n import current_language, t
from ui.plan_common import attempt, cell, comment_thread, committee_form, is_writer, phase_open, target_names
from ui.text import MISSING, md
from ui.widget_state import next_round

TEXTS = ("done", "evidence", "problems")


def status_label(status: str, late: bool) -> str:
    return t(f"fu_status_{status}") + (f" · ⚠ {t('fu_late')}" if late else "")


def _writable(user: User, report: dict, open_phase: bool) -> bool:
    """The plan's writers, in the round's phase, while the report is not sent (the tabs show followed plans only)."""
    return is_writer(user, report["plan"]) and open_phase and report["status"] in followup.EDITABLE


def _actions_frame(report: dict, lang: str) -> pd.DataFrame:
    actions = report["actions"]
    return pd.DataFrame({
        "action": [a["text"] for a in actions],
        "ends_on": [date_label(a["ends_on"], lang) or None for a in actions],
        "percent": [a["percent"] for a in actions],
        **{k: [a[k] or "" for a in actions] for k in TEXTS}},
        index=pd.Index([a["id"] for a in actions], name="id")).astype(
        {"action": "string", "ends_on": "string", "percent": "Int64", **dict.fromkeys(TEXTS, "string")})


def _action_columns(editable: bool) -> dict:
    text = {k: st.column_config.TextColumn(t(f"fu_{k}"), max_chars=followup.MAX_TEXT, width="medium")
            for k in TEXTS}
    return {"action": st.column_config.TextColumn(t("fu_action"), disabled=True, width="medium"),
            "ends_on": st.column_config.TextColumn(t("pl_ends"), disabled=True),
            "percent": st.column_config.ProgressColumn(t("fu_percent"), min_value=0, max_value=100, format="%d%%")
            if not editable else st.column_config.NumberColumn(t("fu_percent"), min_value=0, max_value=100, step=1,
                                                                format="%d", required=True),
            **text}


def _results_frames(report: dict, names: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    kpis = [r for r in report["results"] if r["kind"] == "kpi"]
    checkpoints = [r for r in report["results"] if r["kind"] == "checkpoint"]
    kpi_frame = pd.DataFrame({"target": [names.get(("kpi", r["ref"]), r["ref"]) for r in kpis],
                              "value": [r["value"] for r in kpis], "note": [r["note"] or "" for r in kpis]},
                             index=pd.Index([r["ref"] for r in kpis], name="ref")).astype(
        {"target": "string", "value": "Float64", "note": "string"})
    checkpoint_frame = pd.DataFrame({"target": [names.get(("checkpoint", r["ref"]), r["ref"]) for r in checkpoints],
                                     "met": [bool(r["met"]) for r in checkpoints],
                                     "note": [r["note"] or "" for r in checkpoints]},
                                    index=pd.Index([r["ref"] for r in checkpoints], name="ref")).astype(
        {"target": "string", "met": "bool", "note": "string"})
    return kpi_frame, checkpoint_frame


def _result_columns() -> dict:
    return {"target": st.column_config.TextColumn(t("fu_target"), disabled=True, width="large"),
            "value": st.column_config.NumberColumn(t("fu_value"), format="%.2f"),
            "met": st.column_config.CheckboxColumn(t("fu_met")),
            "note": st.column_config.TextColumn(t("fu_note"), max_chars=followup.MAX_TEXT)}


def report_view(db: Store, user: User, plan_id: int, round_: str) -> None:
    lang = current_language()
    report = followup.get(db, user, plan_id, round_)
    plan = report["plan"]
    open_phase = phase_open(db, plan["year"], followup.ROUNDS[round_])
    colour = "red" if report["late"] else "green" if report["status"] == "accepted" else "blue"
    status = t(f"fu_status_{report['status']}")
    st.markdown(f"{t('status')}: :{colour}-badge[{status}] · "
                f"{t('fu_due')}: **{date_label(report['due'], lang) or t('fu_no_due')}**")
    due = date_label(report["due"], lang)
    if report["late"] and report["submitted_at"]:
        st.warning(t("fu_sent_late", day=due, sent=date_label(local_day(report["submitted_at"]), lang)),
                   icon=":material/schedule:")
    elif report["late"]:
        st.error(t("fu_late_warning", day=due), icon=":material/schedule:")
    if not open_phase:
        st.info(t(f"fu_phase_closed_{round_}", year=plan["year"]), icon=":material/event_busy:")
    names = target_names(years.framework_of(db, plan["year"]), lang)
    if _writable(user, report, open_phase):
        _editor(db, user, report, names, lang)
    else:
        _read_only(report, names, lang)
    _comments(db, user, report)


def _editor(db: Store, user: User, report: dict, names: dict, lang: str) -> None:
    plan, round_ = report["plan"], report["round"]
    key = f"fu:{plan['id']}:{round_}:{report['version']}"
    with st.form(key):
        actions = st.data_editor(_actions_frame(report, lang), hide_index=True, width="stretch", num_rows="fixed",
                                 column_config=_action_columns(editable=True), key=f"{key}:actions",
                                 placeholder=MISSING)
        kpis = checkpoints = None
        summary, closes = report["summary"] or "", bool(report["closes"])
        if round_ == "12m":
            kpi_frame, checkpoint_frame = _results_frames(report, names)
            if not kpi_frame.empty:
                st.markdown(f"**{t('fu_kpi_results')}**")
                kpis = st.data_editor(kpi_frame, hide_index=True, width="stretch", num_rows="fixed",
                                      column_config=_result_columns(), key=f"{key}:kpis", placeholder=MISSING)
            if not checkpoint_frame.empty:
                st.markdown(f"**{t('fu_checkpoint_results')}**")
                checkpoints = st.data_editor(checkpoint_frame, hide_index=True, width="stretch", num_rows="fixed",
                                             column_config=_result_columns(), key=f"{key}:checkpoints",
                                             placeholder=MISSING)
            summary = st.text_area(t("fu_summary"), summary, max_chars=followup.MAX_TEXT, height=100)
            closes = st.checkbox(t("fu_closes"), closes)
        left, right = st.columns(2)
        save = left.form_submit_button(t("fu_save"), type="primary", icon=":material/save:")
        send = right.form_submit_button(t("fu_submit"), icon=":material/send:")
    if not (save or send):
        return
    rows = [{"id": int(action_id), "percent": cell(r["percent"]), **{k: cell(r[k]) or "" for k in TEXTS}}
            for action_id, r in actions.iterrows()]
    results = [] if kpis is None else [{"kind": "kpi", "ref": ref, "value": cell(r["value"]),
                                        "note": cell(r["note"]) or ""} for ref, r in kpis.iterrows()]
    if checkpoints is not None:
        results += [{"kind": "checkpoint", "ref": ref, "met": bool(r["met"]), "note": cell(r["note"]) or ""}
                    for ref, r in checkpoints.iterrows()]

    def write() -> None:
        version = followup.save(db, user, plan["id"], round_, report["version"], actions=rows, summary=summary,
                                results=results, closes=closes)
        if send:
            followup.submit(db, user, plan["id"], round_, version)

    attempt(write, t("fu_submitted") if send else t("fu_saved"))
    st.rerun()


def _read_only(report: dict, names: dict, lang: str) -> None:
    if report["status"] == "none":
        st.caption(t("fu_not_started"))
        return
    st.dataframe(_actions_frame(report, lang), hide_index=True, width="stretch", placeholder=MISSING,
                 column_config=_action_columns(editable=False))
    if report["round"] != "12m":
        return
    kpi_frame, checkpoint_frame = _results_frames(report, names)
    if not kpi_frame.empty:
        st.markdown(f"**{t('fu_kpi_results')}**")
        st.dataframe(kpi_frame, hide_index=True, width="stretch", placeholder=MISSING, column_config=_result_columns())
    if not checkpoint_frame.empty:
        st.markdown(f"**{t('fu_checkpoint_results')}**")
        st.dataframe(checkpoint_frame, hide_index=True, width="stretch", placeholder=MISSING,
                     column_config=_result_columns())
    if report["summary"]:
        st.markdown(f"**{t('fu_summary')}**\n\n{md(report['summary'])}")
    if report["closes"]:
        st.success(t("fu_closes_shown"), icon=":material/task_alt:")


def _comments(db: Store, user: User, report: dict) -> None:
    plan, round_ = report["plan"], report["round"]
    comment_thread(report["comments"])
    if user.role != "committee" or report["id"] is None or years.year_refusal(db, plan["year"]):
        return
    form = f"fu:comment:{plan['id']}:{round_}"  # not its version: someone else's change keeps what is typed here
    text, pressed = committee_form(form, report["status"] == "submitted", t("pl_request_changes"), t("fu_accept"))
    actions = {
        "comment": (lambda: followup.comment(db, user, plan["id"], round_, text), t("pl_commented")),
        "back": (lambda: followup.request_changes(db, user, plan["id"], round_, report["version"], text),
                 t("fu_changes_requested")),
        "accept": (lambda: followup.accept(db, user, plan["id"], round_, report["version"]), t("fu_accepted")),
    }
    if pressed:
        if attempt(*actions[pressed]):
            next_round(form)
        st.rerun()


def reports_column(rounds: dict, plan_id: int, round_: str) -> str | None:
    """A plan's report status for the plans table (None for a plan that is not followed)."""
    entry = rounds.get(plan_id, {}).get(round_)
    return status_label(entry["status"], entry["late"]) if entry else None

