"""The work plan page's parts: the approval banner, the timeline, the PMQA owner's table editor, the read-only
table every other role sees, the director's approval, and what is due this month (for the home page)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from charts.workplan import workplan_gantt
from i18n.format import date_label, local_time, month_label, role_label, thailand_today
from storage.assessment import years
from storage.engine import Store
from storage.organisation.accounts import User
from storage.plans import workplan
from storage.plans.workplan import ROLES, STATUSES, Plan
from ui.dates import date_column, with_era
from ui.editor import Outcome
from ui.i18n import current_language, t
from ui.people import person
from ui.text import MISSING, link_of, md, md_link

EDITOR = "wp:editor"
OUTCOME = Outcome("wp:flash")  # the last save or approval, shown above the plan on the next run
show_flash = OUTCOME.show


def with_overdue(plan: Plan, today: date) -> list[dict]:
    return [s | {"overdue": workplan.overdue(s, today)} for s in plan.steps]


def approval_banner(plan: Plan) -> None:
    by, at = md(person(plan.approved_by)), local_time(plan.approved_at, current_language())
    if plan.status == "approved":
        st.success(t("wp_approved", by=by, at=at), icon=":material/verified:")
    elif plan.status == "changed":
        st.warning(t("wp_changed", by=by, at=at), icon=":material/pending_actions:")
    else:
        st.info(t("wp_draft"), icon=":material/pending_actions:")


def summary(steps: list[dict], today: date) -> None:
    cols = st.columns(3)
    cols[0].metric(t("wp_done"), f"{sum(s['status'] == 'done' for s in steps)}/{len(steps)}")
    cols[1].metric(t("wp_overdue"), sum(s["overdue"] for s in steps))
    month = workplan.month_of(today)
    cols[2].metric(t("wp_this_month"), sum(s["start_month"] <= month <= s["end_month"] and s["status"] != "done"
                                          for s in steps))


def timeline(db: Store, plan: Plan, steps: list[dict], today: date) -> None:
    st.plotly_chart(workplan_gantt(steps, workplan.fiscal_months(plan.year), years.phases(db, plan.year), today,
                                   current_language()), width="stretch", key="wp:gantt")
    st.caption(t("wp_chart_caption"))


def _frame(steps: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [s["id"] for s in steps],
        "order": list(range(1, len(steps) + 1)),
        "title_th": [s["title_th"] for s in steps],
        "title_en": [s["title_en"] for s in steps],
        "start_month": [s["start_month"] for s in steps],
        "end_month": [s["end_month"] for s in steps],
        "owner": [s["owner"] for s in steps],
        "roles": [s["roles"] for s in steps],
        "status": [s["status"] for s in steps],
        "done_on": [date.fromisoformat(s["done_on"]) if s["done_on"] else None for s in steps],
        "documents": [[f"{d['title']} {d['url']}" if d["title"] != d["url"] else d["url"] for d in s["documents"]]
                      for s in steps],
    })


def _columns(plan: Plan, lang: str) -> dict:
    months = workplan.fiscal_months(plan.year)
    return {
        "order": st.column_config.NumberColumn(t("wp_col_order"), min_value=1, step=1, width="small",
                                               help=t("wp_col_order_help")),
        "title_th": st.column_config.TextColumn(t("wp_col_title_th"), required=True, max_chars=workplan.MAX_TEXT,
                                                width="large"),
        "title_en": st.column_config.TextColumn(t("wp_col_title_en"), max_chars=workplan.MAX_TEXT, width="medium"),
        "start_month": st.column_config.SelectboxColumn(t("wp_col_start"), options=months, required=True,
                                                        format_func=lambda m: month_label(m, lang)),
        "end_month": st.column_config.SelectboxColumn(t("wp_col_end"), options=months, required=True,
                                                      format_func=lambda m: month_label(m, lang)),
        "owner": st.column_config.TextColumn(t("wp_col_owner"), max_chars=workplan.MAX_TEXT),
        "roles": st.column_config.MultiselectColumn(t("wp_col_roles"), options=list(ROLES),
                                                    format_func=lambda r: role_label(r, lang)),
        "status": st.column_config.SelectboxColumn(t("wp_col_status"), options=list(STATUSES), required=True,
                                                   format_func=lambda s: t(f"wp_status_{s}")),
        "done_on": date_column(t("wp_col_done_on"), help=t("wp_col_done_on_help")),
        "documents": st.column_config.ListColumn(t("wp_col_documents"), help=t("wp_col_documents_help"),
                                                 width="medium"),
    }


def _documents(cell) -> list[dict]:
    """A documents cell's entries ("title https://..." or a bare address) as links."""
    entries = [] if cell is None or isinstance(cell, str) else list(cell)
    return [link_of(entry) for entry in entries if str(entry).strip()]


def steps_of(edited: pd.DataFrame) -> list[dict]:
    """The edited table as the store's steps, in the order its numbers give (ties and blanks keep the table's
    order)."""
    rows = edited.reset_index(drop=True).copy()
    rows["_at"] = range(len(rows))
    rows["_order"] = pd.to_numeric(rows["order"], errors="coerce").fillna(len(rows) + 1)
    steps = []
    for _, row in rows.sort_values(["_order", "_at"], kind="stable").iterrows():
        done_on = row["done_on"]
        steps.append({
            "id": None if pd.isna(row["id"]) else int(row["id"]),
            "title_th": "" if pd.isna(row["title_th"]) else row["title_th"],
            "title_en": "" if pd.isna(row["title_en"]) else row["title_en"],
            "start_month": row["start_month"], "end_month": row["end_month"],
            "owner": "" if pd.isna(row["owner"]) else row["owner"],
            "roles": list(row["roles"]) if isinstance(row["roles"], list | tuple) or hasattr(row["roles"], "tolist")
            else [],
            "status": row["status"] if isinstance(row["status"], str) else "not_started",
            "done_on": None if done_on is None or pd.isna(done_on) else pd.Timestamp(done_on).date(),
            "documents": _documents(row["documents"]),
        })
    return steps


def editor(db: Store, user: User, plan: Plan) -> None:
    """The PMQA owner's table: edit cells, add rows at the bottom, delete rows, renumber to reorder; saved as
    one change with the version shown."""
    lang = current_language()
    st.caption(t("wp_editor_help"))
    frame, era, _ = with_era(_frame(plan.steps), {"done_on": t("wp_col_done_on")})
    with st.form("wp:form", border=False):
        edited = st.data_editor(frame, key=f"{EDITOR}:{plan.version}", num_rows="dynamic",
                                hide_index=True, width="stretch", column_config=_columns(plan, lang) | era,
                                disabled=list(era),
                                column_order=["order", "title_th", "title_en", "start_month", "end_month", "owner",
                                              "roles", "status", *era, "done_on", "documents"], placeholder=MISSING)
        if st.form_submit_button(t("wp_save"), type="primary", icon=":material/save:"):
            OUTCOME.attempt(lambda: workplan.save(db, user, plan.year, plan.version, steps_of(edited)), t("wp_saved"))
            st.rerun()


def table(plan: Plan) -> None:
    """The plan as every other role reads it, with each step's documents as links below."""
    lang = current_language()
    frame = _frame(plan.steps).assign(
        start_month=lambda f: f["start_month"].map(lambda m: month_label(m, lang)),
        end_month=lambda f: f["end_month"].map(lambda m: month_label(m, lang)),
        roles=lambda f: f["roles"].map(lambda roles: ", ".join(role_label(r, lang) for r in roles)),
        status=lambda f: f["status"].map(lambda s: t(f"wp_status_{s}")),
        done_on=lambda f: f["done_on"].map(lambda d: date_label(d, lang) if d else None))
    frame["title"] = [s["title_en"] or s["title_th"] if lang == "en" else s["title_th"] for s in plan.steps]
    headers = {"order": "wp_col_order", "title": "wp_col_title", "start_month": "wp_col_start",
               "end_month": "wp_col_end", "owner": "wp_col_owner", "roles": "wp_col_roles", "status": "wp_col_status",
               "done_on": "wp_col_done_on"}
    # typed columns: a column of nothing but None (no step done yet) left the browser's table blank
    st.dataframe(frame[list(headers)].astype({"done_on": "string", "owner": "string"}), hide_index=True,
                 width="stretch", placeholder=MISSING, column_config={c: t(k) for c, k in headers.items()})
    linked = [(n, s) for n, s in enumerate(plan.steps, start=1) if s["documents"]]
    if linked:
        st.markdown(f"**{t('wp_col_documents')}**")
        st.markdown("\n".join(f"- {n}. " + ", ".join(md_link(d.get("title"), d.get("url")) for d in s["documents"])
                              for n, s in linked))


def approval(db: Store, user: User, plan: Plan) -> None:
    """The director's approval of the plan as shown."""
    if plan.status == "approved":
        return
    if st.button(t("wp_approve"), type="primary", icon=":material/verified:", key="wp:approve"):
        OUTCOME.attempt(lambda: workplan.approve(db, user, plan.year, plan.version), t("wp_approved_now"))
        st.rerun()


def due_this_month(db: Store, user: User, year: int, today: date | None = None) -> None:
    """On the home page: the plan's steps the user's role acts on that are due now or overdue."""
    today = today or thailand_today()
    steps = workplan.due(workplan.get(db, user, year), user.role, today)
    if not steps:
        return
    lang = current_language()
    lines = []
    for step in steps:
        title = step["title_en"] or step["title_th"] if lang == "en" else step["title_th"]
        when = t("wp_due_by", month=month_label(step["end_month"], lang))
        late = f" · **{t('wp_status_overdue')}**" if workplan.overdue(step, today) else ""
        lines.append(f"- {md(title)} ({when}){late}")
    st.markdown(f"**{t('wp_due_title')}**")
    st.markdown("\n".join(lines))
    st.page_link("pages/workplan.py", label=t("wp_open_plan"), icon=":material/event_note:")
