"""The director overview under AppTest: every role that may see it, every source and method; its
figures equal department_scores on the same data; cache follows the data; units cannot reach it."""

import pandas as pd
import pytest

from i18n import translate
from i18n.format import level_label, score_text
from scoring import METHODS, department_scores, level_for, unit_item_scores
from storage import accounts, answers, assessments
from storage.assessments import SOURCES
from storage.demo import DEMO_PASSWORD

PAGE = "pages/overview.py"


@pytest.fixture
def overview_page(app):
    def open_page(role="director", source=None, method=None):
        at = app(role)
        at.switch_page(PAGE).run()
        if source:
            at.radio(key="ov:source").set_value(source).run()
        if method:
            at.selectbox(key="ov:method").set_value(method).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def expected(db, source, method):
    units = assessments.units_with_assessment(db, 2570, assessments.COUNTED, source)
    answers_, kpis = assessments.score_inputs(db, 2570, source)
    weights = dict(assessments.status_table(db, 2570)[["unit_id", "weight"]].itertuples(index=False))
    scores = unit_item_scores(answers_, kpis, keys=pd.DataFrame({"unit": units}))
    return department_scores(scores, method=method, weights=weights), len(units)


def metric(at, key):
    return next(m.value for m in at.metric if m.label == translate(key, "th"))


@pytest.mark.parametrize("role", ["director", "committee", "admin"])
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("method", METHODS)
def test_figures_equal_department_scores(overview_page, demo_db, role, source, method):
    at = overview_page(role, source, method)
    result, units = expected(demo_db, source, method)
    assert metric(at, "department_total") == score_text(result.total)
    assert metric(at, "level") == level_label(level_for(result.total), "th")
    assert at.caption[0].value.startswith(translate("ov_covers", "th", n=units, total=20, source="", method="")[:12])
    assert len(at.get("plotly_chart")) == 7


def test_award_path_is_listed_for_mean_and_explained_for_median(overview_page):
    at = overview_page("director", method="mean")
    assert any(c.value.startswith(translate("ov_path_summary", "th", n="", points="")[:10]) for c in at.caption)
    at = overview_page("director", method="median")
    assert translate("ov_paths_need_mean", "th") in [i.value for i in at.info]


def test_drill_down_shows_a_units_item_scores(overview_page, demo_db):
    at = overview_page("director", "self", "mean")
    at.selectbox(key="ov:unit").set_value(2).run()
    answers_, kpis = assessments.score_inputs(demo_db, 2570, "self", unit_id=2)
    own = unit_item_scores(answers_, kpis).set_index("item")["score"]
    table = next(d.value for d in at.dataframe if translate("ov_item_name", "th") in d.value.columns)
    assert table[translate("score", "th")].to_list() == own.round(1).to_list()


def test_a_new_save_shows_at_once(overview_page, demo_db):
    at = overview_page("director", "self", "mean")
    before = metric(at, "department_total")
    committee = accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD)
    row = assessments.status_table(demo_db, 2570).query("status == 'submitted'").iloc[0]
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
