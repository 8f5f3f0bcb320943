"""The improvement plans page's parts: the year's plans with the points each expects to win, a new plan from
OFIs, one plan's editor (for its writers while it is a draft or sent back in the planning phase) or its
read-only view, and the committee's comments, requests for changes and acceptance."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis.improvement import expected_points
from i18n.format import date_label, local_time, score_text
from scoring import Framework
from storage.assessment import years
from storage.engine import Store
from storage.organisation import org
from storage.organisation.accounts import User
from storage.plans import followup, improvement, ofis
from ui import choices
from ui.dates import date_column, date_input, with_era
from ui.followup import report_view, reports_column
from ui.i18n import current_language, t
from ui.plan_common import attempt, cell, comment_thread, committee_form, is_writer, target_names
from ui.tabs import open_tab
from ui.text import MISSING, md
from ui.widget_state import next_round

CHOSEN = "pl:plan"


def unit_names(db: Store, lang: str) -> dict:
    units = org.all_units(db)
    return {row.id: f"{row.code} · {row.name_en if lang == 'en' else row.name_th}" for row in units.itertuples()}


def expected(db: Store, plans: list[dict]) -> dict[int, float]:
    """The points each plan expects to win: as recorded when it was accepted, else computed (once per page run)."""
    return {p["id"]: p["expected_points"] if p["expected_points"] is not None
            else expected_points(db, p["year"], p["unit_id"], p["targets"]) for p in plans}


def plan_list(plans: list[dict], names: dict, points: dict[int, float], rounds: dict) -> None:
    """The year's plans; an accepted plan's 6- and 12-month reports with their status, a late one marked."""
    if not plans:
        st.info(t("pl_none"), icon=":material/assignment:")
        return
    st.dataframe(pd.DataFrame({
        t("pl_title"): [p["title"] for p in plans],
        t("unit"): [names.get(p["unit_id"], t("pl_department")) for p in plans],
        t("pl_horizon"): [t(f"pl_horizon_{p['horizon']}") for p in plans],
        t("status"): [t(f"pl_status_{p['status']}") for p in plans],
        t("pl_expected"): [points[p["id"]] for p in plans],
        **{t(f"fu_col_{r}"): pd.Series([reports_column(rounds, p["id"], r) for p in plans], dtype="string")
           for r in followup.ROUNDS},
        t("pl_updated"): [local_time(p["updated_at"], current_language()) for p in plans],
    }), hide_index=True, width="stretch", placeholder=MISSING,
        column_config={t("pl_expected"): st.column_config.NumberColumn(format="%.2f")})


def new_plan(db: Store, user: User, year: int, names: dict, lang: str) -> None:
    register = ofis.register(db, user, year)
    if register.empty:
        st.caption(t("pl_no_ofis"))
        return
    labels = {int(r["id"]): f"{r['item']} · {ofis.description(r, lang)[:90]}" for _, r in register.iterrows()}
    with st.expander(t("pl_new"), icon=":material/add_task:"), st.form("pl:new"):
        horizons = {t(f"pl_horizon_{h}"): h for h in improvement.HORIZONS}  # labels as options: no format_func
        horizon = horizons[st.radio(t("pl_horizon"), list(horizons), horizontal=True)]
        title = st.text_input(t("pl_title"), max_chars=improvement.MAX_SHORT)
        chosen = choices.multiselect(t("pl_ofis"), list(labels), format_func=labels.get)
        unit_id = None
        if user.role == "committee":
            unit_id = choices.selectbox(t("pl_for"), [None, *names], format_func=lambda u: t("pl_department")
                                        if u is None else names[u])
        if st.form_submit_button(t("pl_create"), type="primary"):
            created = {}
            if attempt(lambda: created.setdefault("id", improvement.create(db, user, year, horizon, title, chosen,
                                                                             unit_id)), t("pl_created")):
                st.session_state[CHOSEN] = created["id"]
            st.rerun()


def choose_plan(plans: list[dict], names: dict) -> int | None:
    if not plans:
        return None
    labels = {p["id"]: f"{p['title']} · {names.get(p['unit_id'], t('pl_department'))}" for p in plans}
    return choices.one("selectbox", t("pl_open"), list(labels), CHOSEN, labels.get)


def _target_options(db: Store, plan: dict, framework: Framework, lang: str) -> dict:
    """Checkpoints of the plan's OFIs' items and every KPI of the year (the criteria's and the unit's own)."""
    options = {("checkpoint", cp.id): f"{cp.id} {cp.text.get(lang)[:80]}" for item, _, cp in framework.checkpoints()
               if item.id in plan["ofi_items"]}
    options |= {("kpi", k.id): f"{k.id} {k.name.get(lang)[:80]}" for _, k in framework.kpis()}
    options |= {("kpi", k): k for k in improvement.own_kpis(db, plan)}
    for target in plan["targets"]:
        options.setdefault(target, target[1])
    return options


def _actions_frame(actions: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "text": [a["text"] for a in actions], "owner": [a["owner"] for a in actions],
        "starts_on": [date.fromisoformat(a["starts_on"]) if a["starts_on"] else None for a in actions],
        "ends_on": [date.fromisoformat(a["ends_on"]) if a["ends_on"] else None for a in actions],
        "resources": [a["resources"] for a in actions]},
        columns=["text", "owner", "starts_on", "ends_on", "resources"]).astype(  # typed even when empty
        {"text": "string", "owner": "string", "resources": "string", "starts_on": "object", "ends_on": "object"})


def _actions_of(frame: pd.DataFrame) -> list[dict]:
    return [{"text": cell(r["text"]) or "", "owner": cell(r["owner"]) or "",
             "starts_on": cell(r["starts_on"]), "ends_on": cell(r["ends_on"]),
             "resources": cell(r["resources"]) or ""} for _, r in frame.iterrows()
            if any(cell(r[c]) for c in ("text", "owner", "starts_on", "ends_on", "resources"))]


def _action_columns() -> dict:
    return {"text": st.column_config.TextColumn(t("pl_action"), required=True, width="large",
                                                max_chars=improvement.MAX_TEXT),
            "owner": st.column_config.TextColumn(t("pl_owner"), max_chars=improvement.MAX_SHORT),
            "starts_on": date_column(t("pl_starts")),
            "ends_on": date_column(t("pl_ends")),
            "resources": st.column_config.TextColumn(t("pl_resources"), max_chars=improvement.MAX_TEXT)}


def ofi_status(status: str) -> str:
    return t(f"ofi_status_{status}")


def _writable(user: User, plan: dict, open_phase: bool) -> bool:
    return is_writer(user, plan) and open_phase and plan["status"] in improvement.EDITABLE


def plan_view(db: Store, user: User, plan_id: int, points: float, open_phase: bool) -> None:
    lang = current_language()
    plan = improvement.get(db, user, plan_id)
    framework = years.framework_of(db, plan["year"])
    cols = st.columns(3)
    colour = {"accepted": "green", "closed": "gray", "changes_requested": "orange"}.get(plan["status"], "blue")
    status = t(f"pl_status_{plan['status']}")
    cols[0].markdown(f"{t('status')}  \n:{colour}-badge[{status}]")
    cols[1].metric(t("pl_horizon"), t(f"pl_horizon_{plan['horizon']}"))
    cols[2].metric(t("pl_expected"), score_text(points),
                   help=t("pl_expected_help"))
    register = ofis.register(db, user, plan["year"])
    linked = register[register["id"].isin(plan["ofis"])]
    lines = [f"- {md(r['item'])} · {md(ofis.description(r, lang))} ({ofi_status(r['status'])})"
             for _, r in linked.iterrows()]
    st.markdown(f"**{t('pl_ofis')}**\n" + "\n".join(lines))
    if plan["status"] not in followup.FOLLOWED:
        _plan_body(db, user, plan, points, open_phase, framework, lang)
        return
    # the open tab is kept (and in the address): a comment or a save does not send the reader back to the first
    tab, container = open_tab("pl_tab", {"plan": "fu_plan_tab", **{r: f"fu_round_{r}" for r in followup.ROUNDS}})
    with container:
        if tab == "plan":
            _plan_body(db, user, plan, points, open_phase, framework, lang)
        else:
            report_view(db, user, plan["id"], tab)


def _plan_body(db: Store, user: User, plan: dict, points: float, open_phase: bool, framework: Framework,
               lang: str) -> None:
    if _writable(user, plan, open_phase):
        _editor(db, user, plan, framework, lang)
    else:
        _read_only(plan, framework, lang)
    _comments(db, user, plan, points)


def _editor(db: Store, user: User, plan: dict, framework: Framework, lang: str) -> None:
    options = _target_options(db, plan, framework, lang)
    own = improvement.own_kpis(db, plan)
    with st.form(f"pl:edit:{plan['id']}:{plan['version']}"):
        title = st.text_input(t("pl_title"), plan["title"], max_chars=improvement.MAX_SHORT)
        cols = st.columns(3)
        owner = cols[0].text_input(t("pl_owner"), plan["owner"] or "", max_chars=improvement.MAX_SHORT)
        starts = date_input(t("pl_starts"), date.fromisoformat(plan["starts_on"]) if plan["starts_on"] else None,
                            echo=False, container=cols[1])
        ends = date_input(t("pl_ends"), date.fromisoformat(plan["ends_on"]) if plan["ends_on"] else None,
                          echo=False, container=cols[2])
        resources = st.text_area(t("pl_resources"), plan["resources"] or "", max_chars=improvement.MAX_TEXT,
                                 height=80)
        st.markdown(f"**{t('pl_actions')}**")
        table, era, order = with_era(_actions_frame(plan["actions"]), {"starts_on": t("pl_starts"),
                                                                       "ends_on": t("pl_ends")})
        actions = st.data_editor(table, num_rows="dynamic", hide_index=True, width="stretch", column_order=order,
                                 column_config=_action_columns() | era, disabled=list(era),
                                 key=f"pl:actions:{plan['id']}", placeholder=MISSING)
        targets = choices.multiselect(t("pl_targets"), list(options), default=plan["targets"],
                                      format_func=options.get, help=t("pl_targets_help"))
        milestones = {}
        if plan["horizon"] == "3y":
            st.markdown(f"**{t('pl_milestones')}**")
            for year in (plan["year"] + 1, plan["year"] + 2, plan["year"] + 3):
                milestones[year] = st.text_input(t("pl_milestone_year", year=year), plan["milestones"].get(year, ""))
        kpis = choices.multiselect(t("pl_kpis"), own, default=[k for k in plan["kpis"] if k in own],
                                   help=t("pl_kpis_help")) if own else []
        left, right = st.columns(2)
        save = left.form_submit_button(t("pl_save"), type="primary", icon=":material/save:")
        send = right.form_submit_button(t("pl_submit"), icon=":material/send:")
    if save or send:
        def write() -> None:
            version = improvement.save(db, user, plan["id"], plan["version"], title=title, owner=owner,
                                       starts_on=starts, ends_on=ends, resources=resources,
                                       actions=_actions_of(actions), targets=targets, milestones=milestones,
                                       kpis=kpis)
            if send:
                improvement.submit(db, user, plan["id"], version)

        attempt(write, t("pl_submitted") if send else t("pl_saved"))
        st.rerun()


def _read_only(plan: dict, framework: Framework, lang: str) -> None:
    st.markdown(f"**{t('pl_actions')}**")
    frame = _actions_frame(plan["actions"]).assign(
        starts_on=lambda f: f["starts_on"].map(lambda d: date_label(d, lang) if d else None),
        ends_on=lambda f: f["ends_on"].map(lambda d: date_label(d, lang) if d else None))
    st.dataframe(frame.astype("string"), hide_index=True, width="stretch", placeholder=MISSING,
                 column_config={c: t(k) for c, k in (("text", "pl_action"), ("owner", "pl_owner"),
                                                     ("starts_on", "pl_starts"), ("ends_on", "pl_ends"),
                                                     ("resources", "pl_resources"))})
    names = target_names(framework, lang)
    if plan["targets"]:
        st.markdown(f"**{t('pl_targets')}**\n" + "\n".join(f"- {md(names.get(tg, tg[1]))}" for tg in plan["targets"]))
    if plan["milestones"]:
        st.markdown(f"**{t('pl_milestones')}**\n" + "\n".join(f"- {year}: {md(text)}"
                                                              for year, text in plan["milestones"].items()))


def _comments(db: Store, user: User, plan: dict, points: float) -> None:
    comment_thread(plan["comments"])
    if user.role != "committee" or years.year_refusal(db, plan["year"]):
        return
    form = f"pl:comment:{plan['id']}"  # not its version: someone else's change keeps what is typed here
    text, pressed = committee_form(form, plan["status"] == "submitted", t("pl_request_changes"), t("pl_accept"))
    actions = {
        "comment": (lambda: improvement.comment(db, user, plan["id"], text), t("pl_commented")),
        "back": (lambda: improvement.request_changes(db, user, plan["id"], plan["version"], text),
                 t("pl_changes_requested")),
        "accept": (lambda: improvement.accept(db, user, plan["id"], plan["version"], expected_points=points),
                   t("pl_accepted")),
    }
    if pressed:
        if attempt(*actions[pressed]):
            next_round(form)
        st.rerun()
