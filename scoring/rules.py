"""The scoring rules of DESIGN.md for one item, one KPI and one score's level.

>>> item_score([True, True], [True, False], [True])
350.0
>>> item_score([True, False], [True, True], [True])   # Advance and Significance are locked
150.0
>>> kpi_score(85, floor=75, ceiling=95)
300.0
>>> kpi_score(4, floor=10, ceiling=2)                  # lower is better
400.0
>>> level_for(350)
'basic'
>>> target_score(102, target=100)                     # a unit's own KPI, on the percentage of target
400.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring.criteria import LEVELS, LevelThresholds, default_framework

MAX_SCORE = 500.0
LEVEL_POINTS = {"basic": 300.0, "advance": 100.0, "significance": 100.0}


@dataclass(frozen=True)
class ItemDetail:
    """An item's score with the points each level earns and the points it holds locked.

    ``locked`` maps a level to the points its ticked checkpoints would add once every lower
    level is complete; ``blocking`` is the lowest incomplete level holding them back.
    """

    score: float
    earned: dict[str, float]
    locked: dict[str, float]
    blocking: str | None

    @property
    def locked_total(self) -> float:
        return sum(self.locked.values())


def _fractions(basic: Sequence[bool], advance: Sequence[bool], significance: Sequence[bool]):
    result = {}
    for level, ticks in zip(LEVELS, (basic, advance, significance), strict=True):
        ticks = list(ticks)
        if not ticks:
            raise ValueError(f"level '{level}' has no checkpoints")
        result[level] = (sum(bool(t) for t in ticks), len(ticks))
    return result


def item_detail(basic: Sequence[bool], advance: Sequence[bool], significance: Sequence[bool]) -> ItemDetail:
    """Score one item 1.1-6.4 from its ticks per level and tell which points are locked."""
    earned: dict[str, float] = {}
    locked: dict[str, float] = {}
    blocking = None
    for level, (met, total) in _fractions(basic, advance, significance).items():
        points = LEVEL_POINTS[level] * met / total
        if blocking is None:
            earned[level] = points
            if met < total:
                blocking = level
        else:
            earned[level] = 0.0
            if points:
                locked[level] = points
    return ItemDetail(sum(earned.values()), earned, locked, blocking if locked else None)


def item_score(basic: Sequence[bool], advance: Sequence[bool], significance: Sequence[bool]) -> float:
    """``300*b + (100*a if b == 1) + (100*s if b == 1 and a == 1)``; an empty level raises ValueError."""
    return item_detail(basic, advance, significance).score


def kpi_score(value: float | None, floor: float, ceiling: float) -> float:
    """Score a KPI result: below the floor 0, at the floor 100, at or past the ceiling 500.

    floor is the worst acceptable value and ceiling the best; floor > ceiling means lower is
    better. None or NaN scores 0; floor == ceiling raises ValueError.
    """
    if floor == ceiling:
        raise ValueError(f"floor equals ceiling ({floor}): the KPI cannot be scored")
    if value is None or math.isnan(value := float(value)):
        return 0.0
    progress = (value - floor) / (ceiling - floor)
    if progress < 0:
        return 0.0
    if progress >= 1:
        return MAX_SCORE
    return 100.0 + 400.0 * progress


def target_rate(value: float, target: float, direction: str = "higher") -> float:
    """The percentage of target: ``value / target x 100``; lower is better: ``200 - value / target x 100``.
    Rounded to 9 decimals, so that a value exactly on a step (101 % of target) is not pushed past it by
    binary fractions. A zero target raises ValueError."""
    if target == 0:
        raise ValueError("a KPI scored on its target needs a target other than 0")
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")
    rate = round(float(value) * 100.0 / float(target), 9)
    return rate if direction == "higher" else 200.0 - rate


TARGET_STEPS = ((101.0, 300.0), (105.0, 400.0))  # from 100 % of target: (percentage up to, score); above it 500


def target_scale(target: float, direction: str = "higher") -> tuple[float, float]:
    """The values where the percentage-of-target scale starts (0 points) and where it reaches its top step
    (105 % of target): the floor and ceiling a unit's own KPI is shown with when it is scored on its target.

    >>> target_scale(90), target_scale(20, "lower")
    ((0.0, 94.5), (40.0, 19.0))
    """
    target_rate(0.0, target, direction)  # refuse a zero target or a wrong direction
    top = TARGET_STEPS[-1][0] / 100.0
    return (0.0, target * top) if direction == "higher" else (2.0 * target, target * (2.0 - top))


def target_score(value: float | None, target: float, direction: str = "higher") -> float:
    """Score a unit's own KPI on the percentage of target, as the field does: below 100 % it earns
    3 x rate (0 at the least), up to 101 % 300, up to 105 % 400, above 105 % 500. None or NaN scores 0."""
    if value is None or math.isnan(value := float(value)):
        target_rate(0.0, target, direction)  # still refuse a zero target or a wrong direction
        return 0.0
    rate = target_rate(value, target, direction)
    if rate < 100:
        return max(0.0, 3.0 * rate)
    return next((score for upto, score in TARGET_STEPS if rate <= upto), MAX_SCORE)


def level_thresholds(thresholds: Mapping[str, float] | LevelThresholds | None = None) -> LevelThresholds:
    """Level thresholds from a mapping, a LevelThresholds, or the default criteria file."""
    if thresholds is None:
        return default_framework().thresholds.levels
    if isinstance(thresholds, LevelThresholds):
        return thresholds
    missing = {"basic", "advance", "significance"} - set(thresholds)
    if missing:
        raise ValueError(f"thresholds need keys basic, advance, significance; missing {sorted(missing)}")
    return LevelThresholds(**{k: thresholds[k] for k in ("basic", "advance", "significance")})


def level_for(score: float, thresholds: Mapping[str, float] | LevelThresholds | None = None) -> str:
    """One of ``below_basic``, ``basic``, ``advance``, ``significance``."""
    if score is None or isinstance(score, bool) or math.isnan(score) or not 0 <= score <= MAX_SCORE:
        raise ValueError(f"score must be a number from 0 to 500, got {score!r}")
    t = level_thresholds(thresholds)
    if score >= t.significance:
        return "significance"
    if score >= t.advance:
        return "advance"
    if score >= t.basic:
        return "basic"
    return "below_basic"
