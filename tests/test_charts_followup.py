"""The plan progress charts: actions by state as stacked bars per group, in the page's language, overdue in red;
points expected beside points won, a plan not yet scored left without a won bar."""

import pandas as pd
import pytest

from charts.followup import EXPECTED_COLOUR, WON_COLOUR, action_bars, points_bars
from charts.workplan import STATUS_COLOURS
from i18n import translate

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

STATES = ("done", "overdue", "in_progress", "not_started")


def test_actions_stack_by_state_for_each_group():
    counts = pd.DataFrame({"done": [2, 0], "overdue": [1, 3], "in_progress": [0, 1], "not_started": [0, 0]},
                          index=[1, 7])
    fig = action_bars(counts, {1: "หมวด 1", 7: "หมวด 7"}, "กิจกรรมตามหมวด", "th")
    assert fig.layout.barmode == "stack" and fig.layout.title.text == "กิจกรรมตามหมวด"
    assert [tr.name for tr in fig.data] == [translate(f"pg_state_{s}", "th") for s in STATES]
    overdue = fig.data[1]
    assert overdue.marker.color == STATUS_COLOURS["overdue"] and list(overdue.x) == [1, 3]
    assert list(overdue.y) == ["หมวด 1", "หมวด 7"] and list(overdue.text) == ["1", "3"]
    assert list(fig.data[2].text) == ["", "1"]  # no label on an empty segment
    english = action_bars(counts, {}, "By category", "en")
    assert english.data[0].name == "Done" and list(english.data[0].y) == ["1", "7"]


def test_points_expected_and_won_side_by_side():
    fig = points_bars(["แผน ก · หน่วย 1", "แผน ข · ระดับกรม"], [1.5, 0.25], [0.75, None], "th")
    expected, won = fig.data
    assert fig.layout.barmode == "group"
    assert (expected.name, won.name) == (translate("pg_expected", "th"), translate("pg_won", "th"))
    assert (expected.marker.color, won.marker.color) == (EXPECTED_COLOUR, WON_COLOUR)
    assert list(expected.x) == [1.5, 0.25] and list(won.x) == [0.75, None]
    assert list(won.text) == ["0.75", ""]  # no figure beside a plan not yet scored
