"""Shared helpers for the scoring tests: a tiny framework, frame builders and a one-by-one reference scorer.

The reference scorer uses only ``item_score`` and ``kpi_score`` with plain dicts, so the vectorised
functions can be checked against the rules of DESIGN.md applied one item at a time.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from i18n import YAML_LOADER
from scoring import LEVELS, Framework, department_scores, item_score, kpi_score, parse_framework, unit_item_scores

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "frameworks" / "pmqa4-default.yaml"

# Seven categories; items 1.1-6.x with 1-2 checkpoints per level; 7.1 and 7.2 with one KPI each
# (7.2 is lower-is-better). Small enough to brute-force every subset of gaps.
_MINI_SHAPE = {  # item -> checkpoints per level (basic, advance, significance)
    "1.1": (2, 1, 1), "1.2": (1, 2, 1),
    "2.1": (1, 1, 1),
    "3.1": (2, 1, 1),
    "4.1": (1, 1, 2),
    "5.1": (1, 1, 1),
    "6.1": (2, 2, 1),
}
_MINI_KPIS = {  # item -> (kpi, direction, floor, ceiling)
    "7.1": ("K1", "higher", 50, 100),
    "7.2": ("K2", "lower", 10, 2),
}
_LETTER = {"basic": "B", "advance": "A", "significance": "S"}


def _text(label: str) -> dict:
    return {"th": label, "en": label}


def mini_framework_dict() -> dict:
    categories: dict[int, list] = defaultdict(list)
    for item_id, sizes in _MINI_SHAPE.items():
        checkpoints = {
            level: [{"id": f"{item_id}.{_LETTER[level]}{n + 1}", "text": _text(f"{item_id} {level} {n + 1}")}
                    for n in range(size)]
            for level, size in zip(LEVELS, sizes, strict=True)
        }
        categories[int(item_id[0])].append({"id": item_id, "name": _text(item_id), "checkpoints": checkpoints})
    for item_id, (kpi, direction, floor, ceiling) in _MINI_KPIS.items():
        categories[7].append({"id": item_id, "name": _text(item_id), "kpis": [{
            "id": kpi, "name": _text(kpi), "unit": _text("%"), "direction": direction,
            "floor": floor, "ceiling": ceiling, "target": ceiling,
        }]})
    return {
        "id": "mini",
        "name": _text("mini"),
        "thresholds": {
            "levels": {"basic": 300, "advance": 400, "significance": 500},
            "awards": {"pmqa_total": 400, "pmqa_category_min": 300, "category": 400},
            "ladder": [300, 350, 400],
        },
        "categories": [
            {"id": c, "name": _text(f"category {c}"), "items": items} for c, items in sorted(categories.items())
        ],
    }


MINI_YAML = yaml.safe_dump(mini_framework_dict(), allow_unicode=True, sort_keys=False)


@cache
def mini_framework() -> Framework:
    return parse_framework(MINI_YAML, source="mini.yaml")


@cache
def _default_dict() -> dict:
    return yaml.load(DEFAULT_FILE.read_text(encoding="utf-8"), Loader=YAML_LOADER)


def default_dict() -> dict:
    """The default criteria file as a fresh, mutable dict."""
    return copy.deepcopy(_default_dict())


def answers_frame(rows, by=("unit",)) -> pd.DataFrame:
    """rows: tuples (*keys, checkpoint, met)."""
    return pd.DataFrame(list(rows), columns=[*by, "checkpoint", "met"])


def kpis_frame(rows, by=("unit",), own=False) -> pd.DataFrame:
    """rows: tuples (*keys, kpi, value) or, with own=True, (*keys, kpi, value, item, floor, ceiling)."""
    extra = ["item", "floor", "ceiling"] if own else []
    return pd.DataFrame(list(rows), columns=[*by, "kpi", "value", *extra])


def reference_scores(answers, kpis, framework: Framework, by=("unit",)) -> dict[tuple, float]:
    """{(*keys, item): score} computed one item at a time with item_score and kpi_score."""
    by = list(by)
    ticked: set[tuple] = set()
    keys: set[tuple] = set()
    for row in answers.to_dict("records"):
        key = tuple(row[c] for c in by)
        keys.add(key)
        if row["met"]:
            ticked.add((*key, row["checkpoint"]))
    values: dict[tuple, float] = {}
    own: dict[tuple, list] = defaultdict(list)
    known = {k.id for _, k in framework.kpis()}
    if kpis is not None:
        for row in kpis.to_dict("records"):
            key = tuple(row[c] for c in by)
            keys.add(key)
            values[(*key, row["kpi"])] = row["value"]
            if row["kpi"] not in known:
                own[(*key, row["item"])].append((row["value"], row["floor"], row["ceiling"]))
    result = {}
    for key in keys:
        for item in framework.items():
            if item.is_results:
                scores = [kpi_score(values.get((*key, k.id)), k.floor, k.ceiling) for k in item.kpis]
                scores += [kpi_score(v, f, c) for v, f, c in own.get((*key, item.id), [])]
                result[(*key, item.id)] = sum(scores) / len(scores)
            else:
                levels = [[(*key, cp.id) in ticked for cp in item.level_checkpoints(lvl)] for lvl in LEVELS]
                result[(*key, item.id)] = item_score(*levels)
    return result


def as_dict(scores: pd.DataFrame, by=("unit",)) -> dict[tuple, float]:
    cols = [*by, "item"]
    return {tuple(r[c] for c in cols): r["score"] for r in scores.to_dict("records")}


def all_checkpoint_ids(framework: Framework) -> list[str]:
    return [cp.id for _, _, cp in framework.checkpoints()]


def apply_actions(answers: pd.DataFrame, kpis: pd.DataFrame, actions, framework: Framework):
    """Tick the checkpoints and raise the KPIs of ``actions`` (rows with unit, kind, ref) to their ceilings."""
    ceilings = {k.id: k.ceiling for _, k in framework.kpis()}
    answers = answers.copy()
    kpis = kpis.copy()
    for action in actions:
        unit, kind, ref = action["unit"], action["kind"], action["ref"]
        if kind == "checkpoint":
            answers.loc[(answers["unit"] == unit) & (answers["checkpoint"] == ref), "met"] = True
        else:
            kpis.loc[(kpis["unit"] == unit) & (kpis["kpi"] == ref), "value"] = ceilings[ref]
    return answers, kpis


def rescore(answers, kpis, framework: Framework):
    return department_scores(unit_item_scores(answers, kpis, framework=framework), framework=framework)


def open_actions(answers: pd.DataFrame, kpis: pd.DataFrame, framework: Framework) -> list[dict]:
    """Every gap as an action: each unticked checkpoint row and each KPI below its ceiling."""
    ceilings = {k.id: k for _, k in framework.kpis()}
    acts = [{"unit": r["unit"], "kind": "checkpoint", "ref": r["checkpoint"]}
            for r in answers.to_dict("records") if not r["met"]]
    for r in kpis.to_dict("records"):
        k = ceilings[r["kpi"]]
        if kpi_score(r["value"], k.floor, k.ceiling) < 500:
            acts.append({"unit": r["unit"], "kind": "kpi", "ref": r["kpi"]})
    return acts


def _department_after(answers, kpis, framework: Framework):
    """A function of a set of actions giving (categories, total) of the department mean, scored one
    item at a time with item_score / kpi_score on plain sets and dicts (fast enough to enumerate)."""
    ticked = {(u, c) for u, c, m in answers[["unit", "checkpoint", "met"]].itertuples(index=False) if m}
    values = {(u, k): v for u, k, v in kpis[["unit", "kpi", "value"]].itertuples(index=False)}
    units = sorted(set(answers["unit"]) | set(kpis["unit"]))

    def score(applied: set) -> tuple[dict[int, float], float]:
        categories = {}
        for category in framework.assessed():
            item_means = []
            for item in category.items:
                per_unit = []
                for u in units:
                    if item.is_results:
                        ks = [kpi_score(k.ceiling if ("kpi", u, k.id) in applied else values.get((u, k.id)),
                                        k.floor, k.ceiling) for k in item.kpis]
                        per_unit.append(sum(ks) / len(ks))
                    else:
                        per_unit.append(item_score(*[
                            [(u, cp.id) in ticked or ("checkpoint", u, cp.id) in applied
                             for cp in item.level_checkpoints(lvl)] for lvl in LEVELS]))
                item_means.append(sum(per_unit) / len(per_unit))
            categories[category.id] = sum(item_means) / len(item_means)
        return categories, sum(categories.values()) / len(categories)

    return score


def brute_force_fewest(answers, kpis, framework: Framework, reached) -> int | None:
    """The size of the smallest subset of open actions after which ``reached(categories, total)`` holds."""
    acts = [(a["kind"], a["unit"], a["ref"]) for a in open_actions(answers, kpis, framework)]
    score = _department_after(answers, kpis, framework)
    for size in range(len(acts) + 1):
        for subset in itertools.combinations(acts, size):
            if reached(*score(set(subset))):
                return size
    return None
