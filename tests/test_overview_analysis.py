"""The overview's figures in parts (analysis.overview): each part equals what the whole computation gives,
the award paths computed one at a time equal the full planner's, and the parts accept a shared scores
provider (as the page's cache passes) with the same results as reading the store."""

import pandas as pd
import pytest
from readers import reader

from analysis import overview
from analysis.scores import cycle_scores
from scoring import framework_for_year
from scoring.ofi import AwardPlanner, unit_shares

YEAR = 2570


@pytest.fixture
def full_planner(demo_db):
    def make(method):
        weights = overview.unit_weights(demo_db)
        scores = cycle_scores(demo_db, YEAR, "best", method, weights)
        shares = unit_shares(list(scores.grid.index), method, weights)
        return AwardPlanner(scores.answers, scores.kpis, scores.result.categories, shares, framework_for_year(YEAR))
    return make


@pytest.mark.parametrize("method", ["mean", "weighted"])
def test_each_award_path_computed_alone_equals_the_full_planners(demo_db, full_planner, method):
    planner = full_planner(method)
    awards = framework_for_year(YEAR).thresholds.awards
    head = overview.headline(demo_db, reader(demo_db), YEAR, "best", method)
    targets = overview.path_targets(head)
    assert targets[:2] == ["tier_advance", "tier_significance"] and len(targets) > 2
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
