"""Director overview: the department against the award thresholds, what stands in the way, and trends."""

import streamlit as st

from charts.overview import category_radar, kpi_panels, ofi_pareto, self_vs_review, total_bullet, trend, unit_heatmap
from i18n.format import level_label, score_text
from scoring import METHODS, framework_for_year
from storage import org
from storage.assessments import SOURCES
from ui import session
from ui.cycles import choose_cycle
from ui.i18n import current_language, t
from ui.overview_data import chart_block, load
from ui.overview_parts import award_table, drill_down, path_list
from ui.router import require_user

require_user("director", "committee", "admin")
db = session.store()
lang = current_language()
year = choose_cycle(db)
source = st.sidebar.radio(t("ov_source"), SOURCES, index=2, key="ov:source", format_func=lambda s: t(f"ov_source_{s}"))
method = st.sidebar.selectbox(t("ov_method"), METHODS, key="ov:method", format_func=lambda m: t(f"ov_method_{m}"))
framework = framework_for_year(year)
thresholds = framework.thresholds
view = load(year, source, method, lang)
units = org.units(db).set_index("id")
labels = (units["code"] + " · " + units["name_en" if lang == "en" else "name_th"]).to_dict()

st.title(t("ov_title"))
st.caption(t("ov_covers", n=view.scores.result.units if view.scores else 0, total=view.units_total,
             source=t(f"ov_source_{source}"), method=t(f"ov_method_{method}")))
cols = st.columns(4)
cols[2].metric(t("submissions"), f"{view.submitted}/{view.units_total}")
st.progress(view.submitted / view.units_total if view.units_total else 0.0,
            text=t("submissions_value", done=view.submitted, total=view.units_total))
if view.scores is None:
    st.info(t("no_submissions"))
    st.stop()
result = view.scores.result
cols[0].metric(t("department_total"), score_text(result.total))
cols[1].metric(t("level"), level_label(view.level, lang))
cols[3].metric(t("award_pmqa"), t("award_met") if view.award.pmqa_met else
               t("award_missing_short", points=score_text(view.award.total_missing)))
chart_block(total_bullet(result.total, thresholds, lang), "ov_bullet_caption",
            result.categories.to_frame("score"), f"department-{year}", "ov:bullet")
award_table(view, thresholds)

radar_tab, units_tab, ofi_tab, trend_tab, kpi_tab = st.tabs(
    [t("ov_tab_categories"), t("ov_tab_units"), t("ov_tab_ofi"), t("ov_tab_trend"), t("ov_tab_kpi")])
with radar_tab:
    overlay = st.selectbox(t("ov_overlay"), [None, *view.unit_categories.index], key="ov:overlay",
                           format_func=lambda u: t("ov_no_overlay") if u is None else labels.get(u, u))
    series = {t("ov_this_cycle", year=year): result.categories}
    if view.previous is not None:
        series[t("ov_last_cycle", year=year - 1)] = view.previous
    if overlay is not None:
        series[labels.get(overlay, overlay)] = view.unit_categories.loc[overlay, list(range(1, 8))]
    chart_block(category_radar(series, thresholds, lang), "ov_radar_caption", result.categories.to_frame("score"),
                f"categories-{year}", "ov:radar")
    chart_block(self_vs_review(view.self_review["self"], view.self_review["review"], lang, thresholds),
                "ov_self_review_caption",
                view.self_review, f"self-vs-review-{year}", "ov:self_review")
with units_tab:
    by_item = st.toggle(t("ov_by_item"), key="ov:by_item")
    matrix = view.scores.grid if by_item else view.unit_categories[list(range(1, 8))]
    event = chart_block(unit_heatmap(matrix, thresholds, lang, labels), "ov_heatmap_caption", matrix,
                        f"units-{year}", "ov:heatmap", on_select="rerun", selection_mode="points")
    drill_down(view, event, labels, framework)
with ofi_tab:
    chart_block(ofi_pareto(view.gaps, lang), "ov_pareto_caption", view.gaps.drop(columns="unit_ids"),
                f"gaps-{year}", "ov:pareto")
    path_list(view, labels, framework)
with trend_tab:
    chart_block(trend(view.trend, thresholds, lang), "ov_trend_caption", view.trend, "trend", "ov:trend")
with kpi_tab:
    chart_block(kpi_panels(view.kpis, lang), "ov_kpi_caption", view.kpis, f"kpi-{year}", "ov:kpi")
