"""The ministry's roll-up: its departments side by side for one year (categories, readiness per award tier,
progress of the year), their trends across years, what is not comparable and why, and a workbook of it all.
A department's own overview opens read-only from the Director overview page."""

import streamlit as st

from analysis import ministry as rollup
from charts.ministry import ministry_heatmap, progress_bars, readiness_bars, reason_text, trend_lines
from i18n.format import year_label
from reports.ministry_workbook import ministry_workbook
from storage.organisation import ministry
from storage.schema import MINISTRY_ROLES
from ui import choices, session
from ui.i18n import current_language, t
from ui.ministry import figures
from ui.router import end_page, require_user

user = require_user(*MINISTRY_ROLES)
db = session.store()
lang = current_language()
root = ministry.ministry(db)
st.title(t("mn_title", name=(root or {}).get("name_en" if lang == "en" else "name_th") or ""))
st.caption(t("mn_intro"))

held, history = figures(db, user)
every_year = sorted({y for ys in held.values() for y in ys}, reverse=True)
if not every_year:
    st.info(t("mn_no_departments") if not held else t("mn_no_years"), icon=":material/info:")
    end_page()
year = choices.one("selectbox", t("cycle_select"), every_year, "mn:year", lambda y: year_label(y, lang),
                   container=st.sidebar)
this_year = [d for d in history if d.year == year]
names = rollup.labels(history, lang, short=False)
short = rollup.labels(history, lang)
missing = [d for d, ys in held.items() if year not in ys]
st.caption(t("mn_counted", n=len(this_year), total=len(held), year=year_label(year, lang)))
if missing:
    st.caption(t("mn_without_year", n=len(missing)))

heat = rollup.heatmap(this_year, lang)
st.plotly_chart(ministry_heatmap(heat.shares, heat.scores, heat.comparability.left_out, lang, short, names),
                width="stretch")
left_out = heat.comparability.left_out
if not left_out.empty:
    with st.expander(t("mn_left_out_title", n=len(left_out)), icon=":material/info:"):
        for row in left_out.itertuples():
            what = t("mn_wb_whole_department") if row.category is None else (
                t("total_score") if row.category == rollup.TOTAL else t("category_short", n=int(row.category)))
            st.markdown(f"- **{names.get(row.department, row.department)}** · {what}: "
                        f"{reason_text(row.reason, lang, row.maximum, row.compared_maximum)}")

ready = rollup.readiness(this_year, lang)
st.plotly_chart(readiness_bars(ready.by_tier, lang, short), width="stretch")
st.plotly_chart(progress_bars(rollup.progress(this_year), lang, short), width="stretch")

st.subheader(t("mn_trends"))
trend = rollup.trends(history)
category = choices.one("radio", t("category"), [rollup.TOTAL, *range(1, 8)], "mn:trend",
                       lambda c: t("total_score") if c == rollup.TOTAL else t("category_short", n=c), horizontal=True)
st.plotly_chart(trend_lines(rollup.trend_matrix(trend, category), lang, short, category), width="stretch")

st.download_button(t("mn_workbook"), lambda: ministry_workbook(this_year, history, lang, (root or {}).get(
    "name_en" if lang == "en" else "name_th")), file_name=f"pmqa-ministry-{year}-{lang}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
    on_click="ignore")
st.caption(t("mn_drill_down"))
