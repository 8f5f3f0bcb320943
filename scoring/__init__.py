"""PMQA 4.0 scoring: pure functions on plain values and DataFrames, no Streamlit, no database."""

from scoring.criteria import (
    LEVELS,
    CriteriaError,
    Framework,
    default_framework,
    framework_for_year,
    load_framework,
    parse_framework,
)
from scoring.department import (
    METHODS,
    AwardStatus,
    DepartmentResult,
    award_status,
    department_scores,
    roll_up,
    unit_item_grid,
)
from scoring.frames import kpi_scores, unit_item_scores
from scoring.rules import ItemDetail, item_detail, item_score, kpi_score, level_for

__all__ = [
    "LEVELS",
    "METHODS",
    "AwardStatus",
    "CriteriaError",
    "DepartmentResult",
    "Framework",
    "ItemDetail",
    "award_status",
    "default_framework",
    "department_scores",
    "framework_for_year",
    "item_detail",
    "item_score",
    "kpi_score",
    "kpi_scores",
    "level_for",
    "load_framework",
    "parse_framework",
    "roll_up",
    "unit_item_grid",
    "unit_item_scores",
]
