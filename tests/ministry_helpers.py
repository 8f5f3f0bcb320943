"""Departments' years made by hand for the ministry roll-up's tests: ``department`` builds a ``DepartmentYear``
from a few values, and ``departments`` is a Hypothesis strategy of a year's departments on mixed criteria."""

from __future__ import annotations

import hashlib

from hypothesis import strategies as st

from analysis.ministry import CategoryInfo, Criteria, DepartmentYear, Progress, TierReadiness
from scoring.criteria import Text

TIERS = (("advance", 400.0, 300.0), ("own", 450.0, 400.0))  # (id, total, category floor)


def criteria(categories: dict[int, float], framework: str = "pmqa4-default-v2") -> Criteria:
    """Criteria assessing ``categories`` (id -> maximum), the checksum made from the framework's id."""
    infos = tuple(CategoryInfo(c, Text(th=f"หมวด {c} ไทย", en=f"Category {c}"), (f"{c}.1",), m)
                  for c, m in sorted(categories.items()))
    return Criteria(framework, Text(th=f"เกณฑ์ {framework}", en=f"Criteria {framework}"),
                    hashlib.sha256(framework.encode()).hexdigest(), True, infos)


def tier(tier_id: str, total: float, floor: float, scores: dict[int, float] | None, mean: float | None,
         name: str | None = None) -> TierReadiness:
    if scores is None or mean is None:
        return TierReadiness(tier_id, Text(th=name or f"ระดับ {tier_id}", en=name or tier_id), total, floor, None,
                             None, ())
    below = tuple(c for c, s in sorted(scores.items()) if s < floor)
    missing = max(0.0, total - mean)
    return TierReadiness(tier_id, Text(th=name or f"ระดับ {tier_id}", en=name or tier_id), total, floor,
                         missing == 0 and not below, missing, below)


def department(key: str, scores: dict[int, float] | None, year: int = 2570, maxima: dict[int, float] | None = None,
               framework: str = "pmqa4-default-v2", tiers=TIERS[:1], units: int = 10, submitted: int = 5,
               reviewed: int = 3, record: str | None = None, built: bool | None = None,
               name_th: str | None = None) -> DepartmentYear:
    """A department's year: ``scores`` (category -> score; None: no scores yet) on criteria of ``maxima``
    (category -> maximum; by default the scores' categories, or 1-7, at 500)."""
    maxima = maxima or dict.fromkeys(scores or range(1, 8), 500.0)
    mean = sum(scores.values()) / len(scores) if scores else None
    return DepartmentYear(
        key=key, name=Text(th=name_th or f"กรม {key}", en=f"Department {key}"),
        short=Text(th=name_th or f"กรม {key}", en=key), year=year, source="best", method="mean",
        criteria=criteria(maxima, framework), scores=tuple(sorted((scores or {}).items())), total=mean,
        level=None, units_counted=submitted if scores else 0,
        tiers=tuple(tier(i, total, floor, scores, mean) for i, total, floor in tiers),
        progress=Progress(units, submitted, reviewed, min(reviewed, submitted), 0, record, built))


@st.composite
def departments(draw, min_size: int = 0, max_size: int = 8, year: int = 2570) -> list[DepartmentYear]:
    """A year's departments with unique keys (letters and numbers), each on 1-7 or 1-6 at 500, or a category at
    another maximum, some without scores."""
    keys = draw(st.lists(st.sampled_from([*"ABCDE", "1", "2", "10", "d9", "d10"]), min_size=min_size,
                         max_size=max_size, unique=True))  # numbered ones too: the roll-up orders them naturally
    found = []
    for key in keys:
        shape = draw(st.sampled_from(["full", "full", "six", "other_max", "unscored"]))
        categories = range(1, 7) if shape == "six" else range(1, 8)
        maxima = {c: 500.0 for c in categories}
        if shape == "other_max":
            maxima[draw(st.sampled_from(list(categories)))] = 1000.0
        scores = None if shape == "unscored" else {
            c: draw(st.floats(min_value=0, max_value=maxima[c], allow_nan=False)) for c in categories}
        found.append(department(key, scores, year=year, maxima=maxima, framework=f"criteria-{shape}",
                                tiers=TIERS[: draw(st.integers(1, 2))],
                                units=draw(st.integers(0, 30)), submitted=0, reviewed=0))
    return found
