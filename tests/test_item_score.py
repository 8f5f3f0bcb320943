"""Item 1.1-6.4: ``300*b + (100*a if b == 1) + (100*s if b == 1 and a == 1)`` and its locked points."""

import itertools

import pytest

from scoring import item_detail, item_score

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

T, F = True, False


@pytest.mark.parametrize(
    ("basic", "advance", "significance", "expected"),
    [
        ([T, T, T], [T, T, T], [T, T], 500.0),
        ([F, F, F], [F, F, F], [F, F], 0.0),
        ([T, T, T], [F, F, F], [F, F], 300.0),
        ([T, F, F], [F, F, F], [F, F], 100.0),
        ([T, T, F], [T, T, T], [T, T], 200.0),  # Advance and Significance locked
        ([T, T, T], [T, F, F], [T, T], 300.0 + 100.0 / 3),  # Significance locked
        ([T, T, T], [T, T, T], [T, F], 450.0),
        ([T, T, T], [T, T, T], [F, F], 400.0),
        ([T, T], [T, F], [T], 350.0),
        ([T, F], [T, T], [T], 150.0),
        ([T], [F], [T], 300.0),
        ([F], [T], [T], 0.0),
        ((T, T), (T, T), (T,), 500.0),  # any sequence of booleans
    ],
)
def test_item_score(basic, advance, significance, expected):
    assert item_score(basic, advance, significance) == pytest.approx(expected, abs=1e-9)


def _formula(b, a, s):
    return 300 * b + (100 * a if b == 1 else 0) + (100 * s if b == 1 and a == 1 else 0)


@pytest.mark.parametrize(("mb", "ma", "ms"), list(itertools.product(range(4), range(4), range(3))))
def test_item_score_follows_the_formula_for_every_count_of_a_3_3_2_item(mb, ma, ms):
    ticks = [[i < m for i in range(n)] for m, n in ((mb, 3), (ma, 3), (ms, 2))]
    assert item_score(*ticks) == pytest.approx(_formula(mb / 3, ma / 3, ms / 2), abs=1e-9)


@pytest.mark.parametrize(
    ("basic", "advance", "significance", "earned", "locked", "blocking"),
    [
        ([T, F], [T, T], [T], {"basic": 150, "advance": 0, "significance": 0},
         {"advance": 100, "significance": 100}, "basic"),
        ([T, T], [T, F], [T], {"basic": 300, "advance": 50, "significance": 0}, {"significance": 100}, "advance"),
        ([T, F], [F], [T], {"basic": 150, "advance": 0, "significance": 0}, {"significance": 100}, "basic"),
        ([F], [T], [F], {"basic": 0, "advance": 0, "significance": 0}, {"advance": 100}, "basic"),
        ([T, T, F], [T, F, F], [F, F], {"basic": 200, "advance": 0, "significance": 0},
         {"advance": 100 / 3}, "basic"),
        ([T, T], [F, F], [F], {"basic": 300, "advance": 0, "significance": 0}, {}, None),  # nothing held back
        ([T, T], [T, T], [T], {"basic": 300, "advance": 100, "significance": 100}, {}, None),
        ([F, F], [F], [F], {"basic": 0, "advance": 0, "significance": 0}, {}, None),
    ],
)
def test_item_detail_earned_and_locked_points(basic, advance, significance, earned, locked, blocking):
    detail = item_detail(basic, advance, significance)
    assert detail.earned == pytest.approx(earned)
    assert detail.locked == pytest.approx(locked)
    assert detail.blocking == blocking
    assert detail.score == pytest.approx(sum(earned.values()))
    assert detail.locked_total == pytest.approx(sum(locked.values()))


@pytest.mark.parametrize(
    ("basic", "advance", "significance"),
    [([T, F, T], [T, T, F], [T, T]), ([F, F, F], [T, T, T], [T, F]), ([T, T, T], [F, T, F], [T, T])],
)
def test_earned_plus_locked_is_every_ticked_box_at_face_value(basic, advance, significance):
    detail = item_detail(basic, advance, significance)
    face = 300 * sum(basic) / 3 + 100 * sum(advance) / 3 + 100 * sum(significance) / 2
    assert detail.score + detail.locked_total == pytest.approx(face)


def test_completing_the_blocking_level_releases_its_locked_points():
    before = item_detail([T, T, F], [T, T, T], [T, F])
    after = item_detail([T, T, T], [T, T, T], [T, F])
    assert after.score - before.score == pytest.approx(100 + before.locked_total)
    assert after.locked == {}


@pytest.mark.parametrize(
    ("basic", "advance", "significance", "empty"),
    [([], [T], [T], "basic"), ([T], [], [T], "advance"), ([T], [T], [], "significance"), ([], [], [], "basic")],
)
def test_a_level_with_no_checkpoints_raises(basic, advance, significance, empty):
    with pytest.raises(ValueError, match=empty):
        item_score(basic, advance, significance)
    with pytest.raises(ValueError, match=empty):
        item_detail(basic, advance, significance)
