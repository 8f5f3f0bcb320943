"""Pieces of the overview page that are more than one chart: award readiness, the shortest path to
each award as a list to hand to the committee, and the drill-down to one unit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.overview import Overview
from i18n.format import score_text
from scoring import Framework
from scoring.criteria import Thresholds
from ui.i18n import current_language, t


def award_table(view: Overview, thresholds: Thresholds) -> None:
    awards = view.award.category_awards
    frame = pd.DataFrame({
        t("category"): [t("category_short", n=c) for c in awards.index],
        t("score"): awards["score"].round(1).to_list(),
        t("ov_category_award", threshold=f"{thresholds.awards.category:g}"): [
            t("award_met") if met else t("award_missing", points=score_text(missing))
            for met, missing in zip(awards["met"], awards["missing"], strict=True)],
        t("ov_pmqa_floor", floor=f"{thresholds.awards.pmqa_category_min:g}"): [
            t("award_met") if missing == 0 else t("award_missing", points=score_text(missing))
            for missing in view.award.categories_missing],
    })
    st.dataframe(frame, hide_index=True, width="stretch")


def _describe(framework: Framework, kind: str, ref: str, lang: str) -> str:
    text = framework.text_of(ref)
    if text is None:
        return ref
    return text.get(lang) if kind == "checkpoint" else t("ov_raise_kpi", name=text.get(lang))


def path_list(view: Overview, labels: dict, framework: Framework) -> None:
    """The fewest actions reaching each award, as a table to download and hand to the committee."""
    lang = current_language()
    st.subheader(t("ov_paths"))
    if not view.paths:
        st.info(t("ov_paths_need_mean"))
        return
    names = {"pmqa": t("award_pmqa"), **{f"category_{c}": t("ov_category_award_n", n=c) for c in range(1, 8)}}
    choice = st.selectbox(t("ov_path_target"), list(view.paths), format_func=names.get, key="ov:path")
    path = view.paths[choice]
    if not path.reachable:
        st.warning(t("ov_path_unreachable"))
    st.caption(t("ov_path_summary", n=len(path.actions), points=score_text(path.points)))
    actions = path.actions.assign(
        unit=path.actions["unit"].map(lambda u: labels.get(u, u)),
        action=[_describe(framework, kind, ref, lang) for kind, ref in zip(path.actions["kind"], path.actions["ref"],
                                                                            strict=True)],
    )[["unit", "item", "ref", "action"]]
    actions.columns = [t("unit"), t("ov_item"), t("ov_ref"), t("ov_action")]
    st.dataframe(actions, hide_index=True, width="stretch")
    st.download_button(t("ov_download_csv"), actions.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"award-path-{choice}-{view.year}.csv", key="ov:path:csv",
                       icon=":material/download:")


def drill_down(view: Overview, event, labels: dict, framework: Framework) -> None:
    """One unit's item scores: the unit clicked in the heatmap, or chosen in the list."""
    lang = current_language()
    clicked = None
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else []
    if points:
        clicked = points[0].get("customdata")
        clicked = clicked[0] if isinstance(clicked, list) else clicked
    options = list(view.scores.grid.index)
    if clicked in options:
        st.session_state["ov:unit"] = clicked
    unit = st.selectbox(t("ov_drill"), options, key="ov:unit", format_func=lambda u: labels.get(u, u))
    items = view.scores.grid.loc[unit]
    frame = pd.DataFrame({t("ov_item"): items.index,
                          t("ov_item_name"): [framework.item(i).name.get(lang) for i in items.index],
                          t("score"): items.round(1).to_numpy()})
    st.dataframe(frame, hide_index=True, width="stretch")
