"""The ministry roll-up's figures (analysis.ministry): one department's year read from its real store, and the
pure functions that set departments side by side, by tables of cases and by Hypothesis properties."""

import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ministry_helpers import TIERS, department, departments
from readers import reader

from analysis import ministry, overview
from analysis.department_record import record_scores
from analysis.ministry import NO_SCORES, NOT_ASSESSED, OTHER_CATEGORIES, OTHER_MAXIMUM, TOTAL
from scoring import framework_for_year
from storage.admin import demo
from storage.assessment import years

pytestmark = pytest.mark.filterwarnings("error")
FAST = settings(max_examples=60, database=None)
YEAR = 2570
SEVEN = dict.fromkeys(range(1, 8), 500.0)


# -- one department's year from its store ------------------------------------------------------------------

def test_a_departments_year_is_what_its_overview_shows(full_demo_db):
    db, director = full_demo_db, reader(full_demo_db, "director")
    found = ministry.department_year(db, director, YEAR, key="dpsq")
    head = overview.headline(db, director, YEAR)
    assert (found.key, found.year, found.source, found.method) == ("dpsq", YEAR, "best", "mean")
    assert found.name.th == "กรมส่งเสริมคุณภาพบริการสาธารณะ" and found.short.en == "DPSQ"
    assert found.categories == pytest.approx(head.result.categories.to_dict())
    assert found.total == pytest.approx(head.result.total) and found.level == head.level
    assert found.units_counted == head.result.units
    assert [(t.id, t.met, t.total_missing) for t in found.tiers] == [
        (s.tier.id, s.met, pytest.approx(s.total_missing)) for s in head.award.tiers]
    statuses = [s for s in demo.STATUS_2570]
    assert found.progress.units_total == len(demo.UNITS)
    assert found.progress.submitted == sum(s in ("submitted", "approved") for s in statuses)
    assert found.progress.approved == statuses.count("approved")
    assert found.progress.returned == statuses.count("returned")
    assert found.progress.approved <= found.progress.reviewed <= len(demo.UNITS) - statuses.count(None)
    assert (found.progress.record_status, found.progress.record_approved) == ("draft", False)
    assert found.progress.application_built is False  # the demo's documents' queue has built nothing


def test_an_application_built_in_the_documents_queue_counts_as_built(full_demo_db):
    """Only a done build of the application edition, for that year, in either language."""
    db, director = full_demo_db, reader(full_demo_db, "director")
    for kind, year, state in (("review", YEAR, "done"), ("application", YEAR - 1, "done"),
                              ("application", YEAR, "failed")):
        db.execute("INSERT INTO document_jobs (kind, parameters, lang, requested_by, state, data_version, "
                   "created_at) VALUES (?, ?, 'en', 'demo-committee', ?, 'x', 'now')",
                   [kind, f'{{"year": {year}}}', state])
    assert ministry.department_year(db, director, YEAR).progress.application_built is False
    db.execute("INSERT INTO document_jobs (kind, parameters, lang, requested_by, state, data_version, created_at) "
               "VALUES ('application', ?, 'th', 'demo-committee', 'done', 'x', 'now')", [f'{{"year": {YEAR}}}'])
    assert ministry.department_year(db, director, YEAR).progress.application_built is True

def test_a_departments_years_with_its_criteria(full_demo_db):
    db = full_demo_db
    found = ministry.department_years(db, reader(db, "committee"), key="dpsq")
    assert [d.year for d in found] == list(demo.YEARS)
    assert [d.progress.record_status for d in found] == [None, "approved", "draft"]
    assert [d.progress.record_approved for d in found] == [False, True, False]
    framework = framework_for_year(YEAR)
    criteria = found[-1].criteria
    assert criteria.framework_id == framework.id and criteria.stored is False and len(criteria.sha) == 64
    assert criteria.signature == tuple((c, 500.0) for c in range(1, 8))
    assert [c.name.th for c in criteria.categories] == [c.name.th for c in framework.categories]
    assert ministry.department_years(db, reader(db, "committee"), only=[2569])[0].year == 2569


def test_the_department_source_is_the_assessment_of_record(full_demo_db):
    db = full_demo_db
    found = ministry.department_year(db, reader(db), 2569, key="dpsq", source="department")
    record = record_scores(db, 2569)
    assert found.categories == pytest.approx(record.categories.to_dict())
    assert found.total == pytest.approx(record.total) and found.units_counted == 1


def test_a_unit_user_may_not_read_a_departments_year(demo_db):
    from storage.errors import AccessDenied

    with pytest.raises(AccessDenied):
        ministry.department_year(demo_db, reader(demo_db, "unit"), YEAR, key="x")


def test_a_year_without_scores_names_its_tiers_without_readiness(demo_db):
    found = ministry.department_year(demo_db, reader(demo_db), YEAR, key="x", source="department")
    assert found.total is None and found.scores == () and found.progress.record_status is None
    assert [(t.id, t.met, t.total_missing) for t in found.tiers] == [("advance", None, None)]


def test_two_real_stores_on_different_categories_compare_only_what_is_comparable(full_demo_db, demo_db):
    """One department assesses 1-7, the other only 1-6 and has a readiness tier of its own: category 7 and the
    total of the second are left out, with the reason; the first has no such tier."""
    admin = reader(demo_db, "admin")
    years.set_rules(demo_db, admin, YEAR, "zero", [1, 2, 3, 4, 5, 6])
    thresholds = framework_for_year(YEAR).thresholds.model_dump()
    thresholds["awards"]["tiers"] = [*thresholds["awards"]["tiers"], {
        "id": "own", "name": {"th": "ระดับของกรม", "en": "Own"}, "total": 450, "category_min": 400}]
    years.set_thresholds(demo_db, admin, YEAR, thresholds)
    a = ministry.department_year(full_demo_db, reader(full_demo_db, "director"), YEAR, key="A")
    b = ministry.department_year(demo_db, reader(demo_db, "director"), YEAR, key="B")
    assert b.criteria.signature == tuple((c, 500.0) for c in range(1, 7))
    found = ministry.heatmap([b, a])
    assert list(found.shares.columns) == [*range(1, 8), TOTAL] and list(found.shares.index) == ["A", "B"]
    assert found.shares.loc["A"].notna().all()
    assert found.shares.loc["B", list(range(1, 7))].notna().all()
    assert np.isnan(found.shares.loc["B", 7]) and np.isnan(found.shares.loc["B", TOTAL])
    left = found.comparability.left_out
    assert left[["department", "category", "reason"]].values.tolist() == [
        ["B", 7, NOT_ASSESSED], ["B", TOTAL, OTHER_CATEGORIES]]
    assert found.comparability.criteria["departments"].tolist() == [["A"], ["B"]]
    ready = ministry.readiness([a, b]).by_tier.set_index("tier")
    assert ready.loc["own", "without_tier"] == 1 and ready.loc["advance", "without_tier"] == 0
    assert ready.loc["advance", "ready"] + ready.loc["advance", "not_ready"] == 2


# -- comparability, by cases -------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "compared", "left_out"), [
    pytest.param({"A": SEVEN, "B": SEVEN}, {"A": [*range(1, 8), TOTAL], "B": [*range(1, 8), TOTAL]}, [],
                 id="same criteria"),
    pytest.param({"A": SEVEN, "B": SEVEN, "C": {c: 500.0 for c in range(1, 7)}},
                 {"A": [*range(1, 8), TOTAL], "B": [*range(1, 8), TOTAL], "C": list(range(1, 7))},
                 [("C", 7, NOT_ASSESSED), ("C", TOTAL, OTHER_CATEGORIES)], id="one assesses 1-6"),
    pytest.param({"A": SEVEN, "B": SEVEN, "C": {**SEVEN, 3: 1000.0}},
                 {"A": [*range(1, 8), TOTAL], "B": [*range(1, 8), TOTAL], "C": [1, 2, 4, 5, 6, 7]},
                 [("C", 3, OTHER_MAXIMUM), ("C", TOTAL, OTHER_CATEGORIES)], id="another maximum"),
    pytest.param({"A": SEVEN, "B": {**SEVEN, 3: 1000.0}},
                 {"A": [*range(1, 8), TOTAL], "B": [1, 2, 4, 5, 6, 7]},
                 [("B", 3, OTHER_MAXIMUM), ("B", TOTAL, OTHER_CATEGORIES)], id="a tie goes to the smaller maximum"),
    pytest.param({"A": {1: 500.0, 2: 500.0}, "B": SEVEN},
                 {"A": [1, 2], "B": [*range(1, 8), TOTAL]},
                 [*(("A", c, NOT_ASSESSED) for c in range(3, 8)), ("A", TOTAL, OTHER_CATEGORIES)],
                 id="a tie of category sets goes to the larger"),
    pytest.param({"A": SEVEN, "B": None}, {"A": [*range(1, 8), TOTAL]}, [("B", None, NO_SCORES)], id="no scores"),
    pytest.param({"A": {1: 500.0, 2: 500.0}, "B": {1: 500.0, 2: 500.0}, "C": {1: 1000.0, 3: 500.0},
                  "D": {1: 1000.0}, "E": {1: 1000.0, 4: 500.0}},
                 {"A": [2], "B": [2], "C": [1, 3, TOTAL], "D": [1], "E": [1, 4]},  # C, D, E tie: C the first
                 [("A", 1, OTHER_MAXIMUM), ("A", 3, NOT_ASSESSED), ("A", 4, NOT_ASSESSED),
                  ("A", TOTAL, OTHER_CATEGORIES), ("B", 1, OTHER_MAXIMUM), ("B", 3, NOT_ASSESSED),
                  ("B", 4, NOT_ASSESSED), ("B", TOTAL, OTHER_CATEGORIES), ("C", 2, NOT_ASSESSED),
                  ("C", 4, NOT_ASSESSED), ("D", 2, NOT_ASSESSED), ("D", 3, NOT_ASSESSED), ("D", 4, NOT_ASSESSED),
                  ("D", TOTAL, OTHER_CATEGORIES),
                  ("E", 2, NOT_ASSESSED), ("E", 3, NOT_ASSESSED), ("E", TOTAL, OTHER_CATEGORIES)],
                 id="the total never mixes in a category left out of its column"),
    pytest.param({"A": None}, {}, [("A", None, NO_SCORES)], id="nobody scored"),
    pytest.param({}, {}, [], id="no department"),
])
def test_comparability_cases(given, compared, left_out):
    made = [department(key, None if maxima is None else {c: m * 0.6 for c, m in maxima.items()},
                       maxima=maxima or None, framework=f"f-{key}") for key, maxima in given.items()]
    found = ministry.comparability(made)
    assert {k: [c for c in found.columns if found.compared.loc[k, c]] for k in found.compared.index} == compared
    assert [tuple(r) for r in found.left_out[["department", "category", "reason"]].itertuples(index=False)] == left_out


def test_the_heatmap_is_each_compared_score_over_its_maximum():
    made = [department("A", {1: 250.0, 2: 500.0, 3: 0.0}), department("B", {1: 100.0, 2: 300.0, 3: 800.0},
                                                                       maxima={1: 500.0, 2: 500.0, 3: 1000.0})]
    found = ministry.heatmap(made)
    expected = pd.DataFrame({1: [0.5, 0.2], 2: [1.0, 0.6], 3: [0.0, math.nan], TOTAL: [250 / 500, math.nan]},
                            index=pd.Index(["A", "B"], name="department", dtype=object))
    expected.columns = pd.Index([1, 2, 3, TOTAL], dtype=object)
    pd.testing.assert_frame_equal(found.shares, expected)
    assert found.comparability.maxima.to_dict() == {1: 500.0, 2: 500.0, 3: 500.0, TOTAL: 500.0}
    assert found.scores.loc["A", TOTAL] == 250.0


@pytest.mark.parametrize(("made", "message"), [
    ([department("A", {1: 1.0}), department("A", {1: 2.0})], "twice"),
    ([department("A", {1: 1.0}), department("B", {1: 2.0}, year=2569)], "one year"),
])
def test_a_roll_up_refuses_a_repeated_department_or_mixed_years(made, message):
    with pytest.raises(ValueError, match=message):
        ministry.heatmap(made)


# -- readiness, progress and trends, by cases ---------------------------------------------------------------

def test_readiness_per_tier_counts_and_names_departments():
    made = [department("A", {**dict.fromkeys(range(1, 8), 430.0), 1: 380.0}, tiers=TIERS),  # advance only
            department("B", dict.fromkeys(range(1, 8), 460.0), tiers=TIERS),  # both
            department("C", dict.fromkeys(range(1, 8), 350.0)),  # neither; has no "own" tier
            department("D", None, tiers=TIERS)]  # no scores
    found = ministry.readiness(made, "en")
    table = found.by_tier.set_index("tier")
    assert list(table.index) == ["advance", "own"]
    assert table.loc["advance", ["ready", "not_ready", "no_scores", "without_tier"]].tolist() == [2, 1, 1, 0]
    assert table.loc["own", ["ready", "not_ready", "no_scores", "without_tier"]].tolist() == [1, 1, 1, 1]
    assert table.loc["advance", "ready_departments"] == ["A", "B"] and table.loc["own", "ready_departments"] == ["B"]
    assert table.loc["own", "not_ready_departments"] == ["A"] and not table["thresholds_differ"].any()
    assert table.loc["own", "name"] == "own"
    row = found.by_department.set_index(["department", "tier"]).loc[("A", "own")]
    assert row["categories_below"] == (1,) and row["total_missing"] == pytest.approx(450 - (380 + 6 * 430) / 7)


def test_readiness_marks_a_tier_whose_thresholds_differ():
    made = [department("A", SEVEN, tiers=[("advance", 400.0, 300.0)]),
            department("B", SEVEN, tiers=[("advance", 380.0, 300.0)]),
            department("C", SEVEN, tiers=[("advance", 380.0, 300.0)])]
    table = ministry.readiness(made).by_tier
    assert table["thresholds_differ"].tolist() == [True] and table["total"].tolist() == [380.0]


def test_progress_per_department():
    made = [department("B", SEVEN, units=20, submitted=10, reviewed=5, record="approved", built=True),
            department("A", SEVEN, units=0, submitted=0, reviewed=0, record=None),
            department("C", SEVEN, units=4, submitted=4, reviewed=1, record="draft", built=False)]
    found = ministry.progress(made)
    assert list(found.index) == ["A", "B", "C"] and list(found.columns) == ministry.PROGRESS_COLUMNS
    assert found["record_status"].tolist() == [None, "approved", "draft"]
    assert found["record_approved"].tolist() == [False, True, False]
    assert found["application_built"].tolist() == [pd.NA, True, False]
    assert found["submitted_share"].iloc[1:].tolist() == [0.5, 1.0] and np.isnan(found["submitted_share"].iloc[0])
    assert found["reviewed_share"].iloc[1:].tolist() == [0.25, 0.25]


@pytest.mark.parametrize(("keys", "ordered"), [
    (["1", "10", "11", "2", "20", "3"], ["1", "2", "3", "10", "11", "20"]),
    (["d10", "d9", "d1"], ["d1", "d9", "d10"]),
    (["B", "a", "A", "10", "d2"], ["10", "A", "B", "a", "d2"]),  # numbers first, then text as it sorts
    (["x01", "x1"], ["x01", "x1"]),  # the same number: the text decides, so the order is total
])
def test_departments_are_in_natural_order(keys, ordered):
    assert sorted(keys, key=ministry.in_order) == ordered
    made = [department(key, SEVEN, units=1, submitted=0, reviewed=0) for key in keys]
    assert list(ministry.progress(made).index) == ordered
    assert list(ministry.heatmap(made).shares.index) == ordered
    assert ministry.comparability(made).criteria["departments"].tolist() == [ordered]


def test_trends_per_department_year_and_category():
    made = [department("A", {1: 100.0, 2: 300.0}, year=2570), department("A", {1: 50.0, 2: 150.0}, year=2569),
            department("B", None, year=2570, maxima={1: 500.0, 2: 500.0})]
    found = ministry.trends(made)
    assert found[["department", "year", "category"]].values.tolist() == [
        ["A", 2569, 1], ["A", 2569, 2], ["A", 2569, TOTAL], ["A", 2570, 1], ["A", 2570, 2], ["A", 2570, TOTAL],
        ["B", 2570, 1], ["B", 2570, 2], ["B", 2570, TOTAL]]
    assert found["share"].iloc[:6].tolist() == [0.1, 0.3, 0.2, 0.2, 0.6, 0.4]
    assert found["share"].iloc[6:].isna().all()
    matrix = ministry.trend_matrix(found)
    assert list(matrix.index) == [2569, 2570] and list(matrix.columns) == ["A", "B"]
    assert matrix.loc[2570, "A"] == 0.4 and np.isnan(matrix.loc[2569, "B"])
    assert ministry.trend_matrix(found, 2, "score").loc[2569, "A"] == 150.0


def test_labels_name_departments_by_their_latest_year():
    made = [department("B", None, name_th="กรม ข"), department("A", None, year=2569, name_th="กรมเดิม"),
            department("A", None, name_th="กรมใหม่")]
    assert ministry.labels(made) == {"A": "กรมใหม่", "B": "กรม ข"}
    assert ministry.labels(made, "en", short=False) == {"A": "Department A", "B": "Department B"}


# -- properties ---------------------------------------------------------------------------------------------

@FAST
@given(departments())
def test_every_share_is_within_zero_and_one(made):
    shares = ministry.heatmap(made).shares.to_numpy(dtype=float)
    assert ((shares[~np.isnan(shares)] >= 0) & (shares[~np.isnan(shares)] <= 1)).all()


@FAST
@given(departments())
def test_a_compared_share_is_the_score_over_the_columns_maximum(made):
    found = ministry.heatmap(made)
    maxima = found.comparability.maxima.reindex(found.shares.columns).to_numpy(dtype=float)
    shares, scores = found.shares.to_numpy(dtype=float), found.scores.to_numpy(dtype=float)
    assert (np.isnan(shares) == np.isnan(scores)).all()
    assert np.allclose(shares * maxima, scores, equal_nan=True)
    by_key = {d.key: d for d in made}
    for key in found.scores.index:  # the scores are the department's own, where compared
        own = {**by_key[key].categories, TOTAL: by_key[key].total}
        assert all(np.isnan(v) or v == own[c] for c, v in found.scores.loc[key].items())


@FAST
@given(departments(min_size=1))
def test_a_cell_of_other_criteria_is_never_in_a_compared_column(made):
    """A department whose category has another maximum than the column's never appears in that column; the
    departments compared on the total all assess the same categories with the columns' maxima, and one assessing
    other categories never appears there; every empty cell of a department with scores is left out with a reason."""
    found = ministry.heatmap(made)
    comparable = found.comparability
    for d in made:
        if not d.scored:
            assert d.key not in found.shares.index
            continue
        maxima = {c.id: c.maximum for c in d.criteria.categories}
        for column in comparable.columns[:-1]:
            assert (maxima.get(column) == comparable.maxima[column]) == (not np.isnan(found.shares.loc[d.key, column]))
    in_total = [d for d in made if d.scored and not np.isnan(found.shares.loc[d.key, TOTAL])]
    # some department is compared on the total exactly when some scored department has every category compared
    # (departments each with a category of another maximum, ties to the smaller, may leave none: the page says so)
    whole = [d for d in made if d.scored and all(comparable.maxima.get(c.id) == c.maximum
                                                 for c in d.criteria.categories)]
    assert bool(in_total) == bool(whole)
    signatures = {d.criteria.signature for d in in_total}
    assert len(signatures) <= 1
    for signature in signatures:
        assert all(comparable.maxima[c] == m for c, m in signature)
        assert all(np.isnan(found.shares.loc[d.key, TOTAL]) for d in made
                   if d.scored and d.criteria.signature != signature)
    left = comparable.left_out
    assert set(left["reason"]) <= set(ministry.REASONS)
    cells = {(r.department, r.category) for r in left.itertuples()}
    assert all((k, c) in cells for k in found.shares.index for c in found.shares.columns
               if np.isnan(found.shares.loc[k, c]))


@FAST
@given(departments(), st.randoms(use_true_random=False))
def test_the_order_of_departments_changes_nothing(made, rng: random.Random):
    shuffled = made[:]
    rng.shuffle(shuffled)
    first, second = ministry.heatmap(made), ministry.heatmap(shuffled)
    pd.testing.assert_frame_equal(first.shares, second.shares)
    pd.testing.assert_frame_equal(first.comparability.left_out, second.comparability.left_out)
    pd.testing.assert_frame_equal(first.comparability.criteria, second.comparability.criteria)
    pd.testing.assert_frame_equal(ministry.readiness(made).by_tier, ministry.readiness(shuffled).by_tier)
    pd.testing.assert_frame_equal(ministry.progress(made), ministry.progress(shuffled))


@FAST
@given(st.lists(st.integers(2560, 2580), min_size=1, max_size=5, unique=True), departments(min_size=1, max_size=3),
       st.randoms(use_true_random=False))
def test_trends_are_sorted_by_department_then_year(years_given, made, rng: random.Random):
    every = [department(d.key, d.categories or None, year=y, maxima={c.id: c.maximum for c in d.criteria.categories})
             for d in made for y in years_given]
    rng.shuffle(every)
    found = ministry.trends(every)
    keys = list(zip(found["department"], found["year"], strict=True))
    assert keys == sorted(keys, key=lambda k: (ministry.in_order(k[0]), k[1]))
    for _, part in found.groupby(["department", "year"]):
        categories = list(part["category"])
        assert categories[-1] == TOTAL and categories[:-1] == sorted(categories[:-1])
    matrix = ministry.trend_matrix(found)
    assert list(matrix.index) == sorted(years_given)


@FAST
@given(departments())
def test_readiness_counts_every_department_once_per_tier(made):
    table = ministry.readiness(made).by_tier
    for row in table.itertuples():
        assert row.ready + row.not_ready + row.no_scores + row.without_tier == len(made)
        assert row.ready == len(row.ready_departments) and row.not_ready == len(row.not_ready_departments)
        assert not set(row.ready_departments) & set(row.not_ready_departments)
