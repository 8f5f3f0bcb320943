"""The criteria as flat tables, the shape the vectorised scorers work on."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from scoring.criteria import LEVELS, Framework


@lru_cache(maxsize=16)
def checkpoint_table(framework: Framework) -> pd.DataFrame:
    """One row per checkpoint: checkpoint, item, category, level, order (position in the item)."""
    rows = [
        (cp.id, item.id, item.category, level, pos)
        for item in framework.items()
        for pos, (level, cp) in enumerate(
            (lvl, cp) for lvl in LEVELS for cp in item.level_checkpoints(lvl)
        )
    ]
    return pd.DataFrame(rows, columns=["checkpoint", "item", "category", "level", "order"])


@lru_cache(maxsize=16)
def level_sizes(framework: Framework) -> pd.DataFrame:
    """Checkpoints per level, one row per item 1.1-6.4, columns basic/advance/significance."""
    table = checkpoint_table(framework)
    sizes = table.groupby(["item", "level"]).size().unstack("level")
    return sizes.reindex(columns=list(LEVELS)).astype(float)


@lru_cache(maxsize=16)
def kpi_table(framework: Framework) -> pd.DataFrame:
    """One row per KPI of the criteria: kpi, item, category, floor, ceiling, target."""
    rows = [(k.id, item.id, item.category, k.floor, k.ceiling, k.target) for item, k in framework.kpis()]
    return pd.DataFrame(rows, columns=["kpi", "item", "category", "floor", "ceiling", "target"])


@lru_cache(maxsize=16)
def item_table(framework: Framework) -> pd.DataFrame:
    """One row per item: item, category, weight (its share of the total: 1 / (items in category x categories
    assessed); 0 in a category the rules do not assess)."""
    assessed = framework.rules.categories
    share = 1.0 / len(assessed)
    rows = [(i.id, c.id, share / len(c.items) if c.id in assessed else 0.0)
            for c in framework.categories for i in c.items]
    return pd.DataFrame(rows, columns=["item", "category", "weight"])
