"""The overview's figures in parts (analysis.overview): each part equals what the whole computation gives,
the award paths computed one at a time equal the full planner's, and the parts accept a shared scores
provider (as the page's cache passes) with the same results as reading the store."""

import pandas as pd
import pytest
from readers import reader

from analysis import overview
from analysis.scores import cycle_scores
from scoring import framework_for_year
from scoring.lens import aim_readiness
from scoring.ofi import AwardPlanner, unit_shares
from storage.assessment import years

YEAR = 2570


@pytest.fixture
def full_planner(demo_db):
    def make(method):
        weights = overview.unit_weights(demo_db)
        scores = cycle_scores(demo_db, YEAR, "best", method, weights)
        shares = unit_shares(list(scores.grid.index), method, weights)
        return AwardPlanner(scores.answers, scores.kpis, scores.result.categories, shares, framework_for_year(YEAR))
    return make


def own_tier(db) -> None:
    """The year's thresholds with a readiness tier of the department's own above the default's PMQA 4.0 award."""
    thresholds = framework_for_year(YEAR).thresholds.model_dump()
    thresholds["awards"]["tiers"] = [*thresholds["awards"]["tiers"], {
        "id": "own", "name": {"th": "ความพร้อมของกรม", "en": "Our own tier"}, "total": 450, "category_min": 400}]
    years.set_thresholds(db, reader(db, "admin"), YEAR, thresholds)


@pytest.mark.parametrize("tiers", ["default", "own tier"])
@pytest.mark.parametrize("method", ["mean", "weighted"])
def test_each_award_path_computed_alone_equals_the_full_planners(demo_db, full_planner, method, tiers):
    if tiers == "own tier":
        own_tier(demo_db)
    planner = full_planner(method)
    awards = years.framework_of(demo_db, YEAR).thresholds.awards
    head = overview.headline(demo_db, reader(demo_db), YEAR, "best", method)
    targets = overview.path_targets(head)
    expected_tiers = ["tier_advance", "tier_own"] if tiers == "own tier" else ["tier_advance"]  # none met yet
    assert [t.id for t in awards.tiers] == [t.removeprefix("tier_") for t in expected_tiers]
    assert targets[:len(expected_tiers)] == expected_tiers and len(targets) > len(expected_tiers)
    for target in targets:
        alone = overview.award_path(demo_db, YEAR, "best", method, target)
        tier = awards.tier(target.removeprefix("tier_")) if target.startswith("tier_") else None
        expected = (planner.total(tier.total, tier.category_min) if tier
                    else planner.category(int(target.removeprefix("category_")), awards.category))
        assert (alone.reachable, alone.points) == (expected.reachable, expected.points)
        pd.testing.assert_frame_equal(alone.actions, expected.actions)


@pytest.mark.parametrize("method", ["median", "min"])
def test_no_path_for_an_aggregation_the_planner_cannot_split(demo_db, method):
    assert overview.path_targets(overview.headline(demo_db, reader(demo_db), YEAR, "best", method)) == []
    assert overview.award_path(demo_db, YEAR, "best", method, "pmqa") is None


def test_parts_give_the_same_with_a_shared_scores_provider(demo_db):
    asked = []
    scores = overview.scores_reader(demo_db, "mean")

    def shared(year, source):
        asked.append((year, source))
        return scores(year, source)

    pd.testing.assert_frame_equal(overview.gaps(demo_db, YEAR, scores_of=shared), overview.gaps(demo_db, YEAR))
    pd.testing.assert_frame_equal(overview.trend(demo_db, scores_of=shared), overview.trend(demo_db))
    shared_total = overview.headline(demo_db, reader(demo_db), YEAR, scores_of=shared).result.total
    assert shared_total == overview.headline(demo_db, reader(demo_db), YEAR).result.total
    assert (YEAR, "best") in asked and (YEAR - 1, "best") in asked


def test_the_lens_is_self_and_reviewed_readiness_over_each_sources_counted_units(demo_db):
    framework = framework_for_year(YEAR)
    frame = overview.lens(demo_db, YEAR, lang="en").set_index("aim")
    assert list(frame.index) == framework.government_4_0.ids()
    assert frame.loc["innovation", ["kind", "name"]].tolist() == ["factor", "Innovation"]
    for column, source in (("self", "self"), ("review", "best")):
        scores = cycle_scores(demo_db, YEAR, source)
        share = aim_readiness(scores.answers, framework, units=scores.grid.index).set_index("aim")["share"]
        pd.testing.assert_series_equal(frame[column], share * 100, check_names=False)
    assert (frame["self"] != frame["review"]).any()  # the demo's committee changed some answers


def test_the_lens_of_a_year_without_a_counted_unit_is_blank(demo_db):
    frame = overview.lens(demo_db, YEAR, scores_of=lambda year, source: None)
    assert len(frame) == 6 and frame[["self", "review"]].isna().all().all()
