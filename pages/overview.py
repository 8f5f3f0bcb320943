"""Director overview: the department against the award thresholds, what stands in the way, and trends."""

import streamlit as st

from analysis.scores import SOURCES
from analysis.summary import DEFAULT_METHOD, DEFAULT_SOURCE
from charts.overview import total_bullet
from i18n.format import level_label, rules_text, score_text
from scoring import METHODS
from storage.assessment import years
from storage.organisation import org
from storage.record import department
from storage.schema import MINISTRY_ROLES
from ui import choices, session
from ui.cycles import choose_cycle
from ui.evidence_gaps import overview_metric
from ui.i18n import current_language, t
from ui.ministry import choose_department, is_ministry
from ui.overview_data import chart_block, load
from ui.overview_parts import RENDER, TABS, Context, award_table, covers, readiness, readiness_help
from ui.router import end_page, require_user
from ui.tabs import open_tab
from ui.text import thai_lines

user = require_user("director", "committee", "admin", *MINISTRY_ROLES)
db = session.store()
if is_ministry(user):  # one of the ministry's departments, read only, as its director reads it
    user = choose_department(db, user)
lang = current_language()
year = choose_cycle(db)
source = choices.one("radio", t("ov_source"), SOURCES, "ov:source", lambda s: t(f"ov_source_{s}"),
                     default=DEFAULT_SOURCE, container=st.sidebar)
method = choices.one("selectbox", t("ov_method"), METHODS, "ov:method", lambda m: t(f"ov_method_{m}"),
                     default=DEFAULT_METHOD, container=st.sidebar)
framework = years.framework_of(db, year)
head = load("headline", reader=user, year=year, source=source, method=method)
units = org.units(db).set_index("id")
labels = {**(units["code"] + " · " + units["name_en" if lang == "en" else "name_th"]).to_dict(),
          "department": t("ov_department_row")}

st.title(t("ov_title"))
st.caption(covers(head.result.units if head.result else 0, head.units_total, source, method, head.kept))
st.caption(rules_text(framework.rules, lang))
cols = st.columns([4, 4, 4, 4, 5])  # the last, the evidence gaps: a longer label
cols[2].metric(t("submissions"), f"{head.submitted}/{head.units_total}")
overview_metric(db, year, department.get(db, user, year) is not None, container=cols[4])
st.progress(head.submitted / head.units_total if head.units_total else 0.0,
            text=t("submissions_value", done=head.submitted, total=head.units_total))
if head.result is None:
    st.info(t("ov_no_department" if source == "department" else "no_submissions"))
    end_page()
cols[0].metric(t("department_total"), score_text(head.result.total))
cols[1].metric(t("level"), thai_lines(level_label(head.level, lang)))
cols[3].metric(t("award_readiness"), thai_lines(readiness(head.award.headline)),
               help=readiness_help(head.award.headline))
chart_block(total_bullet(head.result.total, framework.thresholds, lang), "ov_bullet_caption",
            head.result.categories.to_frame("score"), f"department-{year}", "ov:bullet")
award_table(head, framework.thresholds)

tab, container = open_tab("ov_tab", TABS)  # only the open tab is built; it is in the address (?ov_tab=...)
with container:
    RENDER[tab](Context(head, framework, labels, units["code"].to_dict()))
