"""The plan progress page's parts: the year's followed plans in figures (actions done and overdue, late reports),
actions by state per category and per unit, the actions past their end, the reports' status, the points each
plan was expected to win beside those it won at the next self-assessment, and the carry-over into next year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.improvement import state_counts, won_points
from charts.followup import action_bars, points_bars
from i18n.format import date_label
from storage.engine import Store
from storage.organisation.accounts import User
from storage.plans import followup, improvement
from ui.followup import status_label
from ui.i18n import t
from ui.plans import expected, unit_names
from ui.text import MISSING


def progress_view(db: Store, user: User, year: int, lang: str) -> None:
    plans = [p for p in improvement.listing(db, user, year) if p["status"] in followup.FOLLOWED]
    if not plans:
        st.info(t("pg_none"), icon=":material/trending_up:")
        return
    names = unit_names(db, lang) | {None: t("pl_department"), -1: t("pl_department")}
    progress = followup.progress(db, user, year)
    rounds = followup.rounds(db, user, year)
    late = sum(entry["late"] for plan in rounds.values() for entry in plan.values())
    cols = st.columns(5)
    cols[0].metric(t("pg_plans"), len(plans))
    cols[1].metric(t("pg_actions"), len(progress))
    cols[2].metric(t("pg_done"), int((progress["state"] == "done").sum()))
    cols[3].metric(t("pg_overdue"), int((progress["state"] == "overdue").sum()))
    cols[4].metric(t("pg_late"), late)
    _charts(progress, names, user, lang)
    _overdue(progress, names, lang)
    _reports(plans, rounds, names)
    _points(db, plans, names, year, lang)
    unresolved, carried = followup.carry_over(db, user, year)
    st.subheader(t("pg_carry"))
    st.markdown(t("pg_carry_text", unresolved=unresolved, carried=carried, next=year + 1))
    if unresolved > carried:
        st.caption(t("pg_carry_hint", next=year + 1))


def _charts(progress: pd.DataFrame, names: dict, user: User, lang: str) -> None:
    if progress.empty:
        return
    by_category = state_counts(progress, "categories", followup.ACTION_STATES)
    labels = {n: t("pg_category", n=n) for n in by_category.index}
    figures = [action_bars(by_category, labels, t("pg_by_category"), lang)]
    if user.role != "unit":
        figures.append(action_bars(state_counts(progress, "unit", followup.ACTION_STATES), names, t("pg_by_unit"),
                                   lang))
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        column.plotly_chart(figure, width="stretch", config={"displaylogo": False})


def _overdue(progress: pd.DataFrame, names: dict, lang: str) -> None:
    st.subheader(t("pg_overdue_list"))
    late = progress[progress["state"] == "overdue"]
    if late.empty:
        st.caption(t("pg_no_overdue"))
        return
    st.dataframe(pd.DataFrame({
        t("pl_title"): late["title"], t("unit"): [names.get(u if pd.notna(u) else None) for u in late["unit"]],
        t("fu_action"): late["text"], t("pl_ends"): [date_label(d, lang) for d in late["ends_on"]],
        t("fu_percent"): late["percent"].astype("Int64")}).astype({t("fu_percent"): "Int64"}),
        hide_index=True, width="stretch", placeholder=MISSING,
        column_config={t("fu_percent"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d%%")})


def _reports(plans: list[dict], rounds: dict, names: dict) -> None:
    st.subheader(t("pg_reports"))
    st.dataframe(pd.DataFrame({
        t("pl_title"): [p["title"] for p in plans], t("unit"): [names[p["unit_id"]] for p in plans],
        t("status"): [t(f"pl_status_{p['status']}") for p in plans],
        **{t(f"fu_col_{r}"): [status_label(rounds[p["id"]][r]["status"], rounds[p["id"]][r]["late"]) for p in plans]
           for r in followup.ROUNDS}}).astype("string"), hide_index=True, width="stretch", placeholder=MISSING)


def _points(db: Store, plans: list[dict], names: dict, year: int, lang: str) -> None:
    st.subheader(t("pg_points"))
    st.caption(t("pg_points_help", year=year, next=year + 1))
    points = expected(db, plans)
    points_expected = [points[p["id"]] for p in plans]
    won = [won_points(db, year, p["unit_id"], p["targets"]) for p in plans]
    labels = [f"{p['title']} · {names[p['unit_id']]}" for p in plans]
    st.dataframe(pd.DataFrame({
        t("pl_title"): labels, t("pg_expected"): [f"{e:.2f}" for e in points_expected],
        t("pg_won"): [f"{w:.2f}" if w is not None else t("pg_won_pending", next=year + 1) for w in won]}
    ).astype("string"), hide_index=True, width="stretch", placeholder=MISSING)
    st.plotly_chart(points_bars(labels, points_expected, won, lang), width="stretch", config={"displaylogo": False})
