"""The points an improvement plan expects to win, by the scoring package, checked by hand on small stores:
Basic-first locking, targets worth more together, KPIs at their best, the department's mean gain."""

import pytest

from analysis.improvement import expected_points, won_points
from scoring import kpi_score
from storage.assessment import answers, assessments, years
from storage.organisation import accounts, org

YEAR = 2570


@pytest.fixture
def store(db):
    org.add_cycle(db, YEAR)
    made = {}
    for code in ("U1", "U2"):
        unit_id = org.add_unit(db, code, f"หน่วย {code}", code)
        user = accounts.create_user(db, code.lower(), "correct horse", "unit", unit_id=unit_id)
        aid = assessments.ensure(db, user, unit_id, YEAR)["id"]
        answers.save_checkpoints(db, user, aid, 0, {"1.1.B1": True, "1.1.B2": True, "1.1.B3": True})
        db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [aid])
        made[code] = unit_id
    return made


def per_item(db, points: float, category: int = 1) -> float:
    """An item's gain as the total's: the category is the mean of its items, the total of the 7 categories."""
    framework = years.framework_of(db, YEAR)
    return points / len(framework.category(category).items) / len(framework.rules.categories)


@pytest.mark.parametrize(("targets", "item_gain"), [
    ([], 0),
    ([("checkpoint", "1.1.B2")], 0),  # already met
    ([("checkpoint", "1.1.A1")], 100),  # Basic is complete: Advance's one checkpoint is worth 100
    ([("checkpoint", "1.1.S1")], 0),  # locked until Advance is complete
    ([("checkpoint", "1.1.A1"), ("checkpoint", "1.1.S1")], 200),  # together they release Significance
])
def test_a_units_plan_expects_what_its_targets_would_win(db, store, targets, item_gain):
    assert expected_points(db, YEAR, store["U1"], targets) == pytest.approx(per_item(db, item_gain))


def test_a_kpi_target_counts_the_kpi_at_its_best(db, store):
    framework = years.framework_of(db, YEAR)
    item = next(i for i, k in framework.kpis() if k.id == "RM1")
    expected = per_item(db, 500 / len(item.kpis), category=7)  # from no value (0) to the best (500)
    assert expected_points(db, YEAR, store["U1"], [("kpi", "RM1")]) == pytest.approx(expected)


def test_a_kpi_with_a_value_already_counts_from_that_value(db, store):
    """regression: a stored criteria KPI value has no target in the score frames; its best is its ceiling."""
    framework = years.framework_of(db, YEAR)
    item, kpi = next((i, k) for i, k in framework.kpis() if k.id == "RM1")
    user = accounts.authenticate(db, "u1", "correct horse")
    aid = assessments.get(db, store["U1"], YEAR)["id"]
    db.execute("UPDATE assessments SET status = 'draft' WHERE id = ?", [aid])
    value = kpi.floor + (kpi.ceiling - kpi.floor) / 2  # halfway: scores 300
    answers.save_kpi_values(db, user, aid, 1, {("RM1", YEAR): value})
    expected = per_item(db, (500 - kpi_score(value, kpi.floor, kpi.ceiling)) / len(item.kpis), category=7)
    assert expected_points(db, YEAR, store["U1"], [("kpi", "RM1")]) == pytest.approx(expected)


def test_a_department_plan_expects_the_mean_gain_of_the_counted_units(db, store):
    u2 = accounts.authenticate(db, "u2", "correct horse")
    aid = assessments.get(db, store["U2"], YEAR)["id"]
    db.execute("UPDATE assessments SET status = 'draft' WHERE id = ?", [aid])
    answers.save_checkpoints(db, u2, aid, 1, {"1.1.A1": True})  # U2 has met it already
    db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [aid])
    gain = expected_points(db, YEAR, None, [("checkpoint", "1.1.A1")])
    assert gain == pytest.approx(per_item(db, 100) / 2)  # U1 gains, U2 does not


def test_points_won_read_the_next_years_assessment_for_the_targets_only(db, store):
    targets = [("checkpoint", "1.1.A1"), ("checkpoint", "2.1.B1")]
    assert won_points(db, YEAR, store["U1"], targets) is None  # no next year yet
    org.add_cycle(db, YEAR + 1)
    assert won_points(db, YEAR, store["U1"], targets) is None  # no assessment in it yet
    u1 = accounts.authenticate(db, "u1", "correct horse")
    aid = assessments.ensure(db, u1, store["U1"], YEAR + 1)["id"]
    # the next year meets one target and another checkpoint that is not a target
    answers.save_checkpoints(db, u1, aid, 0, {"1.1.B1": True, "1.1.B2": True, "1.1.B3": True, "1.1.A1": True,
                                              "3.1.B1": True})
    assert won_points(db, YEAR, store["U1"], targets) == pytest.approx(per_item(db, 100))
    assert won_points(db, YEAR, store["U1"], targets) < expected_points(db, YEAR, store["U1"], targets)
    assert won_points(db, YEAR, None, targets) is None  # the department counts submitted assessments only
    db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [aid])
    assert won_points(db, YEAR, None, targets) == pytest.approx(per_item(db, 100))  # U1 only: U2 not assessed
