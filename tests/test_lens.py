"""The 4.0 lens: readiness per Government 4.0 goal and factor, as points met of points possible among the
checkpoints that serve it (scoring.lens), checked on a small tagged framework by hand and as properties."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import all_checkpoint_ids, mini_framework_dict

from scoring.criteria import default_framework, parse_framework
from scoring.lens import LENS_COLUMNS, aim_readiness, checkpoint_aims
from scoring.rules import LEVEL_POINTS

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


def _aim(aim_id: str) -> dict:
    return {"id": aim_id, "name": {"th": aim_id, "en": aim_id}, "lifts": {"th": "ทำ", "en": "do"}}


def _themes(**serves) -> dict:
    return {level: {"th": level, "en": level, "serves": serves.get(level, [])}
            for level in ("basic", "advance", "significance")}


def _tagged(**rules) -> object:
    """The mini criteria with goal g (1.1 Basic theme: 2 checkpoints of 150 points; and 2.1.S1, 100) and
    factor f (1.1.A1 alone, 100 points; and 6.1 Advance theme: 2 checkpoints of 50); goal h serves nothing."""
    d = mini_framework_dict()
    d["government_4_0"] = {"goals": [_aim("g"), _aim("h")], "factors": [_aim("f")]}
    items = {item["id"]: item for c in d["categories"] for item in c["items"]}
    items["1.1"]["themes"] = _themes(basic=["g"])
    items["1.1"]["checkpoints"]["advance"][0]["serves"] = ["f"]
    items["2.1"]["checkpoints"]["significance"][0]["serves"] = ["g"]
    items["6.1"]["themes"] = _themes(advance=["f"])
    if rules:
        d["rules"] = rules
    return parse_framework(yaml.safe_dump(d, allow_unicode=True), source="tagged.yaml")


def _answers(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "checkpoint", "met"])


def _by_aim(frame: pd.DataFrame) -> dict:
    return {row.aim: (row.kind, row.met, row.possible) for row in frame.itertuples()}


def test_points_are_the_checkpoint_share_of_its_level():
    table = checkpoint_aims(_tagged())
    points = dict(zip(table["checkpoint"] + ":" + table["aim"], table["points"], strict=True))
    assert points == {"1.1.B1:g": 150.0, "1.1.B2:g": 150.0, "1.1.A1:f": 100.0, "2.1.S1:g": 100.0,
                      "6.1.A1:f": 50.0, "6.1.A2:f": 50.0}


@pytest.mark.parametrize(("rows", "units", "expected"), [
    # nothing answered, one unit counted: nothing met of everything possible
    ([], [1], {"g": ("goal", 0, 400), "h": ("goal", 0, 0), "f": ("factor", 0, 200)}),
    # a Significance checkpoint counts without the Basic below it (no gating in the lens)
    ([(1, "2.1.S1", True)], None, {"g": ("goal", 100, 400), "h": ("goal", 0, 0), "f": ("factor", 0, 200)}),
    # one of a two-checkpoint Basic theme: half its 300 points; unmet and untagged answers count for nothing
    ([(1, "1.1.B1", True), (1, "1.1.B2", False), (1, "3.1.B1", True)], None,
     {"g": ("goal", 150, 400), "h": ("goal", 0, 0), "f": ("factor", 0, 200)}),
    # two units: the possible points double; a unit counted without answers has nothing met
    ([(1, "1.1.A1", True), (1, "6.1.A1", True), (2, "6.1.A2", True)], [1, 2, 3],
     {"g": ("goal", 0, 1200), "h": ("goal", 0, 0), "f": ("factor", 200, 600)}),
    # answers of a unit not counted are left out
    ([(1, "1.1.B1", True), (9, "1.1.B2", True)], [1], {"g": ("goal", 150, 400), "h": ("goal", 0, 0),
                                                       "f": ("factor", 0, 200)}),
])
def test_readiness_table(rows, units, expected):
    frame = aim_readiness(_answers(rows), _tagged(), units=units)
    assert list(frame.columns) == LENS_COLUMNS
    assert list(frame["aim"]) == ["g", "h", "f"]  # goals, then factors, in the file's order
    assert _by_aim(frame) == expected
    share = frame.set_index("aim")["share"]
    assert pd.isna(share["h"])  # an aim that serves nothing has no share, not 0 %


def test_an_unassessed_category_leaves_the_lens():
    framework = _tagged(categories=[1, 3, 4, 5, 6, 7])  # category 2 (2.1.S1, serving g) not assessed
    frame = aim_readiness(_answers([(1, "2.1.S1", True)]), framework, units=[1])
    assert _by_aim(frame)["g"] == ("goal", 0, 300)


def test_no_unit_counted_has_no_share():
    frame = aim_readiness(_answers([]), _tagged())
    assert frame["possible"].eq(0).all() and frame["share"].isna().all()


def test_the_default_criteria_tag_every_aim():
    framework = default_framework()
    frame = aim_readiness(_answers([]), framework, units=[1])
    assert list(frame["aim"]) == framework.government_4_0.ids()
    assert (frame["possible"] > 0).all() and (frame["met"] == 0).all()
    every = _answers([(1, cp, True) for cp in all_checkpoint_ids(framework)])
    assert aim_readiness(every, framework)["share"].eq(1.0).all()


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(1, 3), st.sampled_from(all_checkpoint_ids(_tagged())), st.booleans()),
                unique_by=lambda r: r[:2], max_size=30))
def test_properties(rows):
    """Met never exceeds possible; meeting one more checkpoint never lowers an aim; the units' sum is the
    department's (the lens is additive over units)."""
    framework = _tagged()
    answers = _answers(rows)
    units = [1, 2, 3]
    frame = aim_readiness(answers, framework, units=units).set_index("aim")
    assert (frame["met"] <= frame["possible"] + 1e-9).all() and (frame["met"] >= 0).all()
    parts = sum(aim_readiness(answers[answers["unit"] == u], framework, units=[u]).set_index("aim")["met"]
                for u in units)
    assert parts.round(9).equals(frame["met"].round(9))
    unmet = answers[~answers["met"]]
    if not unmet.empty:
        more = answers.copy()
        more.loc[unmet.index[0], "met"] = True
        assert (aim_readiness(more, framework, units=units).set_index("aim")["met"] >= frame["met"] - 1e-9).all()


def test_level_points_are_the_item_rule_points():
    assert LEVEL_POINTS == {"basic": 300.0, "advance": 100.0, "significance": 100.0}
