"""The committee as the award's examiners: a member's own scoring of each item (saved at once, private until
submitted), and the consensus view (the spread per item, the widest first, each member's rationale side by side,
the agreed score with its reason, the totals on the award's scale)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts.examiners import consensus_chart, scorer_names
from i18n.format import local_time
from scoring import Framework
from scoring.examiner import AGREED, STEP, consensus_points, item_weights, points, spread
from storage.assessment import examiners
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation.accounts import User
from ui import choices, session
from ui.editor import Editor, Outcome
from ui.errors import describe
from ui.i18n import current_language, t
from ui.tabs import sections
from ui.text import MISSING, md, thai_lines

EDITOR = Editor("ex")
key = EDITOR.key
OUTCOME = Outcome("ex:outcome")
PERCENTS = [None, *range(0, 101, STEP)]
FIELDS = {"rationale": ("ex_rationale", "ex_rationale_hint"), "strengths": ("ex_strengths", "ex_strengths_hint"),
          "ofis": ("ex_ofis", "ex_ofis_hint")}  # a score's texts: label and placeholder keys


def percent_label(framework: Framework, percent: int | None) -> str:
    """A percentage with its band: "55% · 50-65"; "not scored" for None."""
    if percent is None:
        return t("ex_unscored")
    return t("ex_percent", percent=percent, band=framework.award_scoring.band_of(percent).id)


def bands_help(framework: Framework, results: bool) -> None:
    """The bands and what an item in each shows (ADLI for processes, LeTCI for results)."""
    lang = current_language()
    rows = [(band.id, (band.results if results else band.process).get(lang)) for band in framework.award_scoring.bands]
    st.table(pd.DataFrame([(md(b), md(d)) for b, d in rows], columns=[t("ex_band"), t("ex_band_means")]),
             hide_index=True)


def _saver(user: User, year: int, item: str, name: str):
    return lambda version, shown, value: examiners.save(session.store(), user, year, item, before={name: shown},
                                                        **{name: value})


def _on_change(user: User, year: int, item: str, name: str) -> None:
    k = key(name, item)
    value = st.session_state[k]
    value = (value or "").strip() if name != "percent" else value
    save = _saver(user, year, item, name)
    EDITOR.save_field(k, value, lambda v, shown: save(v, shown, value))


def my_scores(db: Store, user: User, year: int, framework: Framework, editable: bool) -> None:
    """The member's own score of each item of a category, and the submission once every item is scored."""
    lang = current_language()
    mine = examiners.own(db, user, year)
    fresh = EDITOR.begin(year, examiners.own_version(db, user, year))
    EDITOR.show_flash()
    OUTCOME.show()
    weights = item_weights(framework)
    category = sections(t("ex_category"), [c.id for c in framework.assessed()], key("category"), "category",
                        lambda c: t("category_short", n=c))
    chosen = framework.category(category)
    with st.expander(t("ex_bands_title", kind=t("ex_results" if category == 7 else "ex_process")),
                     icon=":material/straighten:"):
        bands_help(framework, category == 7)
    labels = {p: percent_label(framework, p) for p in PERCENTS}  # in this run's language (see ui.choices)
    for item in chosen.items:
        row = mine.get(item.id, {})
        with st.container(border=True):
            st.markdown(f"#### {item.id} {item.name.get(lang)}")
            st.caption(t("ex_item_weight", points=f"{weights[item.id]:g}"))
            k = key("percent", item.id)
            stored = EDITOR.prime(k, row.get("percent"), fresh)
            choices.selectbox(t("ex_score"), PERCENTS, key=k, index=PERCENTS.index(stored), disabled=not editable,
                              format_func=lambda p: labels[p], on_change=_on_change,
                              args=(user, year, item.id, "percent"))
            EDITOR.field_error(k)
            for column, (name, (label, hint)) in zip(st.columns([2, 1, 1]), FIELDS.items(), strict=True):
                k = key(name, item.id)
                column.text_area(t(label), EDITOR.prime(k, row.get(name) or "", fresh), key=k, height=110,
                                 max_chars=examiners.MAX_TEXT, disabled=not editable,
                                 placeholder=t(hint), on_change=_on_change,
                                 args=(user, year, item.id, name))
                EDITOR.field_error(k, column)
                EDITOR.text_notes(k, _saver(user, year, item.id, name), column)
    scored = {item: row for item, row in mine.items() if row.get("percent") is not None}
    frame = pd.DataFrame([(user.username, item, row["percent"]) for item, row in scored.items()],
                         columns=["scorer", "item", "percent"])
    total = points(frame, weights).query("category == 'total'")["points"].sum() if len(frame) else 0.0
    st.metric(t("ex_my_total", scale=framework.award_scoring.scale), f"{total:,.1f}")
    if editable:
        _submit(user, year, len(scored), len(weights))


def _submit(user: User, year: int, scored: int, items: int) -> None:
    st.caption(t("ex_scored_count", n=scored, total=items))
    sure = st.checkbox(t("ex_submit_confirm"), key=key("submit_sure"))
    if st.button(t("ex_submit"), type="primary", disabled=not sure, key=key("submit")):
        if OUTCOME.attempt(lambda: examiners.submit(session.store(), user, year), t("ex_submitted")):
            st.session_state.pop(key("submit_sure"), None)
        st.rerun()


def progress_panel(db: Store, year: int) -> None:
    """Who scores and how far each is (no score shown)."""
    lang = current_language()
    rows = examiners.progress(db, year)
    if rows.empty:
        return
    lines = [t("ex_progress_done", name=md(r.name), time=local_time(r.submitted_at, lang))
             if isinstance(r.submitted_at, str) else t("ex_progress_open", name=md(r.name), n=r.scored)
             for r in rows.itertuples()]
    st.caption(" · ".join(lines))


def consensus(db: Store, user: User, year: int, framework: Framework, can_agree: bool) -> None:
    """Every submitted member's scores: the spread per item (the widest first), each member's rationale side by
    side and the agreed score; the totals on the award's scale, for each member and the agreement."""
    lang = current_language()
    OUTCOME.show()
    scores = examiners.submitted_scores(db, user, year)
    if scores.empty:
        st.info(t("ex_none_submitted"), icon=":material/hourglass_empty:")
        return
    agreed = examiners.agreed(db, user, year)
    weights = item_weights(framework)
    names = scorer_names(scores, len(agreed), len(weights), lang)
    totals = consensus_points(scores, {item: row["percent"] for item, row in agreed.items()}, weights)
    st.plotly_chart(consensus_chart(totals, names, AGREED, lang), key=key("chart"))
    table = totals.pivot(index="scorer", columns="category", values="points").fillna(0.0)
    table.index = [names.get(s, s) for s in table.index]
    table.columns = [t("total_score") if c == "total" else t("category_short", n=int(c)) for c in table.columns]
    st.dataframe(table.round(1), width="stretch", placeholder=MISSING)
    st.caption(t("ex_scale_note", scale=framework.award_scoring.scale,
                 source=framework.award_scoring.source.get(lang) if framework.award_scoring.source else ""))
    gaps = spread(scores, framework.award_scoring.spread_flag)
    st.subheader(t("ex_spread_title"))
    st.caption(t("ex_spread_help", flag=framework.award_scoring.spread_flag))
    for row in gaps.itertuples():
        item = framework.item(row.item)
        settled = agreed.get(row.item)
        mark = ":material/priority_high:" if row.flagged else ":material/check:"
        label = t("ex_spread_line", item=row.item, name=item.name.get(lang), low=row.low, high=row.high,
                  gap=row.gap, agreed=t("ex_agreed_at", percent=settled["percent"]) if settled else t("ex_not_agreed"))
        with st.expander(label, icon=mark):
            theirs = scores[scores["item"] == row.item]
            for column, member in zip(st.columns(max(1, len(theirs))), theirs.itertuples(), strict=False):
                column.markdown(f"**{md(member.name)}** · {percent_label(framework, member.percent)}")
                for name, (label, _) in FIELDS.items():
                    if text := getattr(member, name):
                        column.caption(t(label))
                        column.markdown(thai_lines(md(text)))
            if settled:
                st.success(t("ex_agreed_line", percent=settled["percent"], reason=md(settled["reason"]),
                             by=md(settled["agreed_by"])), icon=":material/handshake:")
                if can_agree and settled["ofis"]:
                    st.button(t("ex_to_register"), key=key("register", row.item), icon=":material/playlist_add:",
                              on_click=_to_register, args=(user, year, row.item), help=t("ex_to_register_help"))
            if can_agree:
                _agree_form(user, year, framework, row, settled)


def _to_register(user: User, year: int, item: str) -> None:
    """The item's agreed OFIs into the register; how many were added, or why none could be."""
    try:
        added = examiners.to_register(session.store(), user, year, item)
    except StoreError as exc:
        st.session_state[OUTCOME.key] = ("error", describe(exc))
        return
    st.session_state[OUTCOME.key] = ("success", t("ex_registered", item=item, n=len(added)))


def _agree_form(user: User, year: int, framework: Framework, row, settled: dict | None) -> None:
    with st.form(key(f"agree_form_{row.item}"), border=False):
        median = int(round(row.median / STEP) * STEP)
        shown = settled["percent"] if settled else median
        labels = {p: percent_label(framework, p) for p in PERCENTS}  # in this run's language (see ui.choices)
        percent = choices.selectbox(t("ex_agree_percent"), PERCENTS[1:], key=key("agree_pct", row.item),
                                    index=PERCENTS[1:].index(shown), format_func=lambda p: labels[p])
        reason = st.text_area(t("ex_agree_reason"), settled["reason"] if settled else "",
                              key=key("agree_why", row.item), max_chars=examiners.MAX_REASON, height=80)
        left, right = st.columns(2)
        strengths = left.text_area(t("ex_strengths"), settled["strengths"] if settled else "",
                                   key=key("agree_str", row.item), max_chars=examiners.MAX_TEXT, height=80)
        ofis = right.text_area(t("ex_ofis"), settled["ofis"] if settled else "", key=key("agree_ofi", row.item),
                               max_chars=examiners.MAX_TEXT, height=80)
        if st.form_submit_button(t("ex_agree"), type="primary"):
            OUTCOME.attempt(lambda: examiners.agree(session.store(), user, year, row.item, percent, reason,
                                                    strengths, ofis, before=settled["percent"] if settled else None),
                            t("ex_agreed_saved", item=row.item))
            st.rerun()
