"""The overview page's parts: award readiness, and one renderer per tab. The page builds only the open tab,
and each tab loads only its own figures (``ui.overview_data``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analysis.overview import Headline, path_targets
from charts.overview import category_radar, kpi_panels, lens_bars, ofi_pareto, self_vs_review, trend, unit_heatmap
from i18n.format import readiness_text, score_text
from scoring import Framework
from scoring.criteria import Thresholds
from scoring.department import TierStatus
from scoring.lens import aims
from ui import choices
from ui.i18n import current_language, t
from ui.overview_data import chart_block, csv_of, load
from ui.text import MISSING

TABS = {"categories": "ov_tab_categories", "units": "ov_tab_units", "ofi": "ov_tab_ofi", "trend": "ov_tab_trend",
        "kpi": "ov_tab_kpi", "lens": "ov_tab_lens"}


def covers(counted: int, total: int, source: str, method: str, kept: int) -> str:
    """Which units the department's figures cover, from which values and combined how; and, if any, how many
    returned units count by what they last submitted (the home page and the overview say the same)."""
    if source == "department":
        return t("ov_covers_department")
    text = t("ov_covers", n=counted, total=total, source=t(f"ov_source_{source}"), method=t(f"ov_method_{method}"))
    return text + (" · " + t("ov_kept", n=kept) if kept else "")


@dataclass(frozen=True)
class Context:
    """What every tab needs: the headline, the criteria, unit labels (id -> "code · name") and codes."""

    head: Headline
    framework: Framework
    labels: dict
    codes: dict

    @property
    def thresholds(self) -> Thresholds:
        return self.framework.thresholds

    @property
    def choices(self) -> dict:
        return {"year": self.head.year, "source": self.head.source, "method": self.head.method}


def readiness(status: TierStatus) -> str:
    """A tier's readiness in a few words: ready, the total's missing points, or how many categories
    are still below the tier's floor."""
    return readiness_text(status, current_language(), short=True)


def readiness_help(status: TierStatus) -> str:
    """The headline tier named in full, its readiness, and that readiness is not an award."""
    return t("award_readiness_help", tier=status.tier.name.get(current_language()), status=readiness(status),
             note=t("award_readiness_note"))


def award_table(head: Headline, thresholds: Thresholds) -> None:
    awards = head.award.category_awards
    frame = pd.DataFrame({
        t("category"): [t("category_short", n=c) for c in awards.index],
        t("score"): awards["score"].round(1).to_list(),
        t("ov_category_award", threshold=f"{thresholds.awards.category:g}"): [
            t("award_met") if met else t("award_missing", points=score_text(missing))
            for met, missing in zip(awards["met"], awards["missing"], strict=True)],
        **{t("ov_pmqa_floor", tier=status.tier.name.get(current_language()), floor=f"{status.tier.category_min:g}"): [
            t("award_floor_met") if missing == 0 else t("award_missing", points=score_text(missing))
            for missing in status.categories_missing] for status in head.award.tiers},
    })
    st.dataframe(frame, hide_index=True, width="stretch", placeholder=MISSING)


def categories_tab(ctx: Context) -> None:
    head, lang = ctx.head, current_language()
    compared = load("comparison", **ctx.choices)
    categories = head.unit_categories
    overlay = choices.one("selectbox", t("ov_overlay"), [None, *categories.index], "ov:overlay",
                          lambda u: t("ov_no_overlay") if u is None else ctx.labels.get(u, u))
    series = {t("ov_this_cycle", year=head.year): head.result.categories}
    if compared.previous is not None:
        series[t("ov_last_cycle", year=head.year - 1)] = compared.previous
    if overlay is not None:
        series[ctx.labels.get(overlay, overlay)] = categories.loc[overlay, list(head.result.categories.index)]
    chart_block(category_radar(series, ctx.thresholds, lang, head.result.categories.index), "ov_radar_caption",
                head.result.categories.to_frame("score"), f"categories-{head.year}", "ov:radar")
    review = compared.self_review
    chart_block(self_vs_review(review["self"], review["review"], lang, ctx.thresholds), "ov_self_review_caption",
                review, f"self-vs-review-{head.year}", "ov:self_review")


def units_tab(ctx: Context) -> None:
    head = ctx.head
    by_item = st.toggle(t("ov_by_item"), key="ov:by_item")
    matrix = head.grid if by_item else head.unit_categories[list(head.result.categories.index)]
    event = chart_block(unit_heatmap(matrix, ctx.thresholds, current_language(), ctx.codes, ctx.labels),
                        "ov_heatmap_items_caption" if by_item else "ov_heatmap_caption",
                        matrix.rename(index=ctx.labels).rename_axis("unit"),
                        f"units-{head.year}", "ov:heatmap", on_select="rerun", selection_mode="points")
    drill_down(ctx, event)


def ofi_tab(ctx: Context) -> None:
    table = load("gaps", **ctx.choices, lang=current_language())
    chart_block(ofi_pareto(table, current_language()), "ov_pareto_caption", table, f"gaps-{ctx.head.year}",
                "ov:pareto")
    path_list(ctx)


def trend_tab(ctx: Context) -> None:
    years = load("trend", source=ctx.head.source, method=ctx.head.method)
    chart_block(trend(years, ctx.thresholds, current_language()), "ov_trend_caption", years.rename_axis("year"),
                "trend", "ov:trend")


def kpi_tab(ctx: Context) -> None:
    kpis = load("kpis", year=ctx.head.year, source=ctx.head.source, lang=current_language())
    chart_block(kpi_panels(kpis, current_language()), "ov_kpi_caption", kpis, f"kpi-{ctx.head.year}", "ov:kpi")


def percent(value) -> str:
    return MISSING if pd.isna(value) else f"{value:.0f}%"


def lens_tab(ctx: Context) -> None:
    """Readiness per Government 4.0 goal and success factor, self and reviewed, and what lifts each."""
    lang = current_language()
    frame = load("lens", year=ctx.head.year, method=ctx.head.method, lang=lang)
    data = frame.set_index("name")[["self", "review"]].rename_axis(t("ov_lens_aim"))
    chart_block(lens_bars(frame, lang), "ov_lens_caption", data, f"government-4-0-{ctx.head.year}", "ov:lens")
    lifts = {aim.id: aim.lifts.get(lang) for _, aim in aims(ctx.framework)}
    for kind, part in frame.groupby("kind", sort=False):
        st.subheader(t(f"ovc_lens_{kind}s"))
        st.markdown("\n".join(
            "- " + t("ov_lens_line", name=row.name, own=percent(row.self), reviewed=percent(row.review),
                     lifts=lifts[row.aim]) for row in part.itertuples()))


RENDER = {"categories": categories_tab, "units": units_tab, "ofi": ofi_tab, "trend": trend_tab, "kpi": kpi_tab,
          "lens": lens_tab}


def _describe(framework: Framework, kind: str, ref: str) -> str:
    text = framework.text_of(ref)
    if text is None:
        return ref
    name = text.get(current_language())
    return name if kind == "checkpoint" else t("ov_raise_kpi", name=name)


def path_list(ctx: Context) -> None:
    """The fewest actions reaching the chosen award (computed only for that one), as a table to download
    and hand to the committee."""
    st.subheader(t("ov_paths"))
    targets = path_targets(ctx.head)
    if not targets:
        st.info(t("ov_paths_need_mean"))
        return
    names = {**{f"tier_{tier.id}": t("award_ready_for", tier=tier.name.get(current_language()))
                for tier in ctx.framework.thresholds.awards.tiers},
             **{f"category_{c}": t("ov_category_award_n", n=c) for c in range(1, 8)}}
    choice = choices.one("selectbox", t("ov_path_target"), targets, "ov:path", names.get)
    path = load("path", **ctx.choices, target=choice)
    if not path.reachable:
        st.warning(t("ov_path_unreachable"))
    st.caption(t("ov_path_summary", n=len(path.actions), points=score_text(path.points)))
    described = {(kind, ref): _describe(ctx.framework, kind, ref)
                 for kind, ref in path.actions[["kind", "ref"]].drop_duplicates().itertuples(index=False)}
    per_unit = path.actions.assign(
        unit=path.actions["unit"].map(lambda u: ctx.labels.get(u, u)),
        action=pd.MultiIndex.from_frame(path.actions[["kind", "ref"]]).map(described),
    )[["unit", "item", "ref", "action"]]
    lang = current_language()
    summary = per_unit.groupby("item", sort=True).agg(actions=("ref", "size"), units=("unit", "nunique"))
    summary.insert(0, "name", [ctx.framework.item(i).name.get(lang) for i in summary.index])
    summary.insert(0, "category", [t("category_short", n=ctx.framework.item(i).category) for i in summary.index])
    st.caption(t("ov_path_by_item"))
    st.dataframe(summary.reset_index().set_axis([t("ov_item"), t("category"), t("ov_item_name"), t("ov_path_actions"),
                                                 t("ov_path_units")], axis=1)[
                     [t("category"), t("ov_item"), t("ov_item_name"), t("ov_path_actions"), t("ov_path_units")]],
                 hide_index=True, width="stretch", placeholder=MISSING)
    grouped = per_unit.groupby(["item", "ref", "action"], sort=True)["unit"].agg(["size", lambda u: ", ".join(u)])
    grouped = grouped.reset_index().set_axis([t("ov_item"), t("ov_ref"), t("ov_action"), t("ov_path_units"),
                                              t("ov_path_which")], axis=1)
    with st.expander(t("ov_path_grouped", n=len(grouped))):
        st.dataframe(grouped, hide_index=True, width="stretch", placeholder=MISSING)
    per_unit.columns = [t("unit"), t("ov_item"), t("ov_ref"), t("ov_action")]
    st.download_button(t("ov_download_path"), csv_of(per_unit, index=False),
                       file_name=f"award-path-{choice}-{ctx.head.year}.csv", key="ov:path:csv",
                       icon=":material/download:", on_click="ignore")


def drill_down(ctx: Context, event) -> None:
    """One unit's item scores: the unit clicked in the heatmap, or chosen in the list."""
    lang, grid = current_language(), ctx.head.grid
    clicked = None
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else []
    if points:
        clicked = points[0].get("customdata")
        clicked = clicked[0] if isinstance(clicked, list) else clicked
    options = list(grid.index)
    if clicked in options:
        choices.choose("ov:unit", clicked)
    unit = choices.one("selectbox", t("ov_drill"), options, "ov:unit", lambda u: ctx.labels.get(u, u))
    items = grid.loc[unit]
    frame = pd.DataFrame({t("ov_item"): items.index,
                          t("ov_item_name"): [ctx.framework.item(i).name.get(lang) for i in items.index],
                          t("score"): items.round(1).to_numpy()})
    st.dataframe(frame, hide_index=True, width="stretch", placeholder=MISSING)
