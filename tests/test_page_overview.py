"""The director overview under AppTest: every role that may see it, every source and method; its
figures equal department_scores on the same data; cache follows the data; units cannot reach it."""

import pandas as pd
import pytest
from readers import reader
from turns import in_turns, named

from analysis.department_record import record_scores
from i18n import translate
from i18n.format import level_label, score_text
from scoring import METHODS, default_framework, department_scores, level_for, unit_item_scores
from scoring.lens import aim_readiness, aims
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments
from storage.assessment.assessments import SOURCES
from storage.organisation import accounts
from storage.record import department
from ui.overview_parts import TABS
from ui.text import WORD_BREAK

PAGE = "pages/overview.py"


@pytest.fixture
def overview_page(app):
    def open_page(role="director", source=None, method=None, tab=None):
        at = app(role, page=PAGE)
        if source:
            at.radio(key="ov:source:th").set_value(source).run()
        if method:
            at.selectbox(key="ov:method:th").set_value(method).run()
        if tab:
            at.session_state["ov_tab"] = translate(TABS[tab], "th")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


RULE = default_framework().rules.unit_kpis  # how the demo's own KPIs are scored


def expected(db, source, method):
    units = assessments.units_with_assessment(db, 2570, assessments.COUNTED, source)
    answers_, kpis = assessments.score_inputs(db, 2570, source)
    weights = dict(assessments.status_table(db, reader(db), 2570)[["unit_id", "weight"]].itertuples(index=False))
    scores = unit_item_scores(answers_, kpis, keys=pd.DataFrame({"unit": units}), unit_kpis=RULE)
    return department_scores(scores, method=method, weights=weights), len(units)


def metric(at, key):
    # a Thai label's words are marked for the page (ui.text.thai_lines)
    return next(m.value.replace(WORD_BREAK, "") for m in at.metric if m.label == translate(key, "th"))


# Every source with every method; the figures do not depend on who reads them, so every role that may see the
# overview takes its turn (12 runs, not 36): each reads every source and every method at least once.
READINGS = in_turns(("director", "committee", "admin"), METHODS, SOURCES)


@pytest.mark.parametrize(("method", "source", "role"), READINGS, ids=named(READINGS))
def test_figures_equal_department_scores(overview_page, demo_db, role, source, method):
    at = overview_page(role, source, method)
    result, units = expected(demo_db, source, method)
    assert metric(at, "department_total") == score_text(result.total)
    assert metric(at, "level") == level_label(level_for(result.total), "th")
    assert at.caption[0].value.startswith(translate("ov_covers", "th", n=units, total=20, source="", method="")[:12])
    assert charts(at) == ["ov:bullet", *TAB_CHARTS["categories"]]  # the first tab only


def charts(at) -> list[str]:
    return [chart.key for chart in at.get("plotly_chart")]


TAB_CHARTS = {"categories": ["ov:radar", "ov:self_review"], "units": ["ov:heatmap"], "ofi": ["ov:pareto"],
              "trend": ["ov:trend"], "kpi": ["ov:kpi"], "lens": ["ov:lens"]}


@pytest.mark.parametrize("tab", list(TABS))
def test_each_tab_builds_only_its_own_charts(overview_page, tab):
    at = overview_page("committee")
    at.session_state["ov_tab"] = translate(TABS[tab], "th")  # as a click on the tab does
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert charts(at) == ["ov:bullet", *TAB_CHARTS[tab]]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_link_to_a_tab_opens_it_in_either_language(app, lang):
    at = app("director", lang)
    at.query_params["ov_tab"] = "trend"  # the address holds the tab's id, not its label
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert charts(at) == ["ov:bullet", "ov:trend"]


def test_the_address_follows_the_open_tab(overview_page):
    at = overview_page("director", tab="units")
    assert at.query_params["ov_tab"] == "units"
    at.session_state["ov_tab"] = translate(TABS["categories"], "th")
    at.run()
    assert "ov_tab" not in at.query_params  # the first tab needs no mention
    at.query_params["ov_tab"] = "no-such-tab"
    at.run()
    assert not at.exception and charts(at) == ["ov:bullet", *TAB_CHARTS["categories"]]


def test_the_open_tab_stays_open_when_the_language_changes(overview_page):
    at = overview_page("director")
    at.session_state["ov_tab"] = translate(TABS["kpi"], "th")
    at.run()
    at.button_group(key="lang_choice").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert charts(at) == ["ov:bullet", "ov:kpi"]
    assert at.session_state["ov_tab"] == translate(TABS["kpi"], "en")
    assert at.query_params["ov_tab"] == "kpi"


def test_award_path_is_listed_for_mean_and_explained_for_median(overview_page):
    at = overview_page("director", method="mean", tab="ofi")
    assert any(c.value.startswith(translate("ov_path_summary", "th", n="", points="")[:10]) for c in at.caption)
    # summarised by category and item; every checkpoint and KPI behind an expander (173 rows were too many)
    summary, grouped = (d.value for d in at.dataframe[-2:])
    assert list(summary.columns) == [translate(k, "th") for k in ("category", "ov_item", "ov_item_name",
                                                                   "ov_path_actions", "ov_path_units")]
    assert summary[translate("ov_path_actions", "th")].sum() == grouped[translate("ov_path_units", "th")].sum()
    assert len(summary) == summary[translate("ov_item", "th")].nunique() < len(grouped)
    assert [e.label for e in at.expander] == [translate("ov_path_grouped", "th", n=len(grouped))]
    at = overview_page("director", method="median", tab="ofi")
    assert translate("ov_paths_need_mean", "th") in [i.value for i in at.info]


def test_drill_down_shows_a_units_item_scores(overview_page, demo_db):
    at = overview_page("director", "self", "mean", tab="units")
    at.selectbox(key="ov:unit:th").set_value(2).run()
    answers_, kpis = assessments.score_inputs(demo_db, 2570, "self", unit_id=2)
    own = unit_item_scores(answers_, kpis, unit_kpis=RULE).set_index("item")["score"]
    table = next(d.value for d in at.dataframe if translate("ov_item_name", "th") in d.value.columns)
    assert table[translate("score", "th")].to_list() == own.round(1).to_list()


@pytest.mark.parametrize("role", ["director", "committee", "admin"])
def test_the_lens_shows_each_aims_readiness_and_what_lifts_it(overview_page, demo_db, role):
    at = overview_page(role, tab="lens")
    framework = default_framework()
    counted = assessments.units_with_assessment(demo_db, 2570, assessments.COUNTED, "self")
    answers_, _ = assessments.score_inputs(demo_db, 2570, "self")
    own = aim_readiness(answers_, framework, units=counted).set_index("aim")["share"] * 100
    lines = " ".join(m.value for m in at.markdown)
    assert [h.value for h in at.subheader] == [translate("ovc_lens_goals", "th"), translate("ovc_lens_factors", "th")]
    for _, aim in aims(framework):
        assert f"**{aim.name.th}**: ประเมินตนเอง {own[aim.id]:.0f}%" in lines
        assert aim.lifts.th in lines
    assert at.caption[-2].value == translate("ov_lens_caption", "th")


@pytest.mark.parametrize("method", METHODS)
def test_the_departments_assessment_is_a_source_of_its_own(overview_page, demo_db, method):
    at = overview_page("director", "department", method)
    assert at.info[0].value == translate("ov_no_department", "th")  # not started yet
    committee = accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD)
    department.start(demo_db, committee, 2570)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expected = record_scores(demo_db, 2570)
    assert metric(at, "department_total") == score_text(expected.total)
    assert at.caption[0].value == translate("ov_covers_department", "th")
    for tab in TABS:
        at.session_state["ov_tab"] = translate(TABS[tab], "th")
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])


def test_a_new_save_shows_at_once(overview_page, demo_db):
    at = overview_page("director", "self", "mean")
    before = metric(at, "department_total")
    committee = accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD)
    row = assessments.status_table(demo_db, reader(demo_db), 2570).query("status == 'submitted'").iloc[0]
    aid, version = int(row["assessment_id"]), int(row["version"])
    unit = accounts.create_user(demo_db, "unit-x", "correct horse", "unit", unit_id=int(row["unit_id"]))
    form = answers.load(demo_db, unit, aid)
    missing = [cp for cp, v in form.ticks.items() if not v["self"]]
    version = assessments.change_status(demo_db, committee, aid, version, "return", reason="เพิ่มหลักฐาน")
    version = answers.save_checkpoints(demo_db, unit, aid, version, dict.fromkeys(missing, True))
    assessments.change_status(demo_db, unit, aid, version, "submit")
    at.run()  # the same session, its cache warm: the new data version must be recomputed
    result, _ = expected(demo_db, "self", "mean")
    assert metric(at, "department_total") == score_text(result.total) != before


def test_units_cannot_reach_the_overview(app):
    at = app("unit")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
