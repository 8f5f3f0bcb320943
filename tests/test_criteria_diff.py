"""Criteria diff: what accepting a new criteria file would change, row by row.

Variants of the default are made by editing the dict of its YAML text and parsing the result again.
"""

import copy
from functools import cache

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from i18n import YAML_LOADER
from scoring import LEVELS, Framework, default_framework, load_framework, parse_framework
from scoring.criteria import DEFAULT_FILE, FRAMEWORK_DIR
from scoring.diff import Change, CriteriaDiff, diff_frameworks

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

DEFAULT = default_framework()


@cache
def _default_dict() -> dict:
    return yaml.load((FRAMEWORK_DIR / DEFAULT_FILE).read_text(encoding="utf-8"), Loader=YAML_LOADER)


def variant(edit) -> Framework:
    """The default criteria with ``edit(dict)`` applied, through YAML text and ``parse_framework``."""
    data = copy.deepcopy(_default_dict())
    edit(data)
    return parse_framework(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source="variant.yaml")


def item(data: dict, item_id: str) -> dict:
    return next(i for c in data["categories"] for i in c["items"] if i["id"] == item_id)


def level(data: dict, item_id: str, name: str) -> list[dict]:
    return item(data, item_id)["checkpoints"][name]


def checkpoint(data: dict, cp_id: str) -> dict:
    item_id = cp_id.rsplit(".", 1)[0]
    return next(cp for name in LEVELS for cp in level(data, item_id, name) if cp["id"] == cp_id)


def kpi(data: dict, kpi_id: str) -> dict:
    return next(k for c in data["categories"] for i in c["items"] for k in i.get("kpis", ()) if k["id"] == kpi_id)


def th(ref: str) -> str:
    return DEFAULT.text_of(ref).th


# --- edits ---------------------------------------------------------------------------------------------


def remove_checkpoint(d):
    level(d, "1.1", "basic").pop()  # 1.1.B3


def add_checkpoint(d):
    level(d, "2.1", "advance").append({"id": "2.1.A9", "text": {"th": "ใหม่", "en": "New"}})


def reword_thai(d):
    checkpoint(d, "1.1.B1")["text"]["th"] = "ข้อความใหม่"


def reword_english(d):
    checkpoint(d, "1.1.B1")["text"]["en"] = "New wording"


def move_level(d):
    level(d, "1.2", "advance").append(level(d, "1.2", "significance").pop())  # 1.2.S3


def move_item(d):
    level(d, "1.3", "significance").append(level(d, "1.2", "significance").pop())  # 1.2.S3


def rename_id(d):
    cp = level(d, "1.2", "significance").pop()
    level(d, "1.2", "advance").append({**cp, "id": "1.2.A4"})


def kpi_floor(d):
    kpi(d, "RM1")["floor"] = 70


def kpi_ceiling(d):
    kpi(d, "RM4")["ceiling"] = 99.5


def kpi_direction(d):
    kpi(d, "RM1").update(direction="lower", floor=95, ceiling=75, target=80)


def kpi_limits(d):
    kpi(d, "RM6").update(min=10, max=150)


def kpi_unit(d):
    kpi(d, "RM1")["unit"]["th"] = "คะแนน"


def remove_kpi(d):
    item(d, "7.1")["kpis"].pop()  # RM2


def add_kpi(d):
    item(d, "7.6")["kpis"].append({**kpi(d, "RM10"), "id": "RM11", "name": {"th": "ตัวชี้วัดใหม่", "en": "New KPI"}})


def move_kpi(d):
    item(d, "7.2")["kpis"].append(item(d, "7.1")["kpis"].pop())  # RM2


def thresholds(d):
    d["thresholds"]["levels"]["basic"] = 250
    d["thresholds"]["awards"]["tiers"][0]["total"] = 425.5
    d["thresholds"]["ladder"] = [300, 400]


def rename_item(d):
    item(d, "1.1")["name"]["th"] = "วิสัยทัศน์ใหม่"


def restate_item_english(d):
    item(d, "3.2")["statement"]["en"] = "A new statement."


def rename_category(d):
    d["categories"][1]["name"]["en"] = "Strategy"


def several(d):
    for edit in (thresholds, kpi_floor, remove_checkpoint, add_checkpoint, rename_item, rename_id):
        edit(d)


STATEMENT_32 = DEFAULT.item("3.2").statement.th  # English-only edits show the unchanged Thai twice
CATEGORY_2 = DEFAULT.category(2).name.th
CASES = {
    "remove checkpoint": (remove_checkpoint, [Change("checkpoint", "1.1.B3", "removed", th("1.1.B3"), None)]),
    "add checkpoint": (add_checkpoint, [Change("checkpoint", "2.1.A9", "added", None, "ใหม่")]),
    "reword Thai": (reword_thai, [Change("checkpoint", "1.1.B1", "reworded", th("1.1.B1"), "ข้อความใหม่")]),
    "reword English": (reword_english, [Change("checkpoint", "1.1.B1", "reworded", th("1.1.B1"), th("1.1.B1"))]),
    "move level": (move_level, [Change("checkpoint", "1.2.S3", "moved", "1.2 significance", "1.2 advance")]),
    "move item": (move_item, [Change("checkpoint", "1.2.S3", "moved", "1.2 significance", "1.3 significance")]),
    "rename id": (rename_id, [
        Change("checkpoint", "1.2.A4", "added", None, th("1.2.S3")),
        Change("checkpoint", "1.2.S3", "removed", th("1.2.S3"), None),
    ]),
    "kpi floor": (kpi_floor, [Change("kpi", "RM1", "floor", "75", "70")]),
    "kpi ceiling": (kpi_ceiling, [Change("kpi", "RM4", "ceiling", "100", "99.5")]),
    "kpi direction": (kpi_direction, [
        Change("kpi", "RM1", "floor", "75", "95"),
        Change("kpi", "RM1", "ceiling", "95", "75"),
        Change("kpi", "RM1", "direction", "higher", "lower"),
        Change("kpi", "RM1", "target", f"{DEFAULT.item('7.1').kpis[0].target:g}", "80"),
    ]),
    "kpi limits": (kpi_limits, [Change("kpi", "RM6", "min", "0", "10"), Change("kpi", "RM6", "max", "100", "150")]),
    "kpi unit": (kpi_unit, [Change("kpi", "RM1", "reworded", "ร้อยละ", "คะแนน")]),
    "remove kpi": (remove_kpi, [Change("kpi", "RM2", "removed", th("RM2"), None)]),
    "add kpi": (add_kpi, [Change("kpi", "RM11", "added", None, "ตัวชี้วัดใหม่")]),
    "move kpi": (move_kpi, [Change("kpi", "RM2", "moved", "7.1", "7.2")]),
    "thresholds": (thresholds, [
        Change("threshold", "levels.basic", "value", "300", "250"),
        Change("threshold", "awards.advance.total", "value", "400", "425.5"),
        Change("threshold", "ladder", "value", "300, 350, 400", "300, 400"),
    ]),
    "rename item": (rename_item, [Change("item", "1.1", "reworded", DEFAULT.item("1.1").name.th, "วิสัยทัศน์ใหม่")]),
    "restate item": (restate_item_english, [Change("item", "3.2", "reworded", STATEMENT_32, STATEMENT_32)]),
    "rename category": (rename_category, [Change("category", "2", "reworded", CATEGORY_2, CATEGORY_2)]),
    "several, in kind then criteria order": (several, [
        Change("item", "1.1", "reworded", DEFAULT.item("1.1").name.th, "วิสัยทัศน์ใหม่"),
        Change("checkpoint", "1.1.B3", "removed", th("1.1.B3"), None),
        Change("checkpoint", "1.2.A4", "added", None, th("1.2.S3")),
        Change("checkpoint", "1.2.S3", "removed", th("1.2.S3"), None),
        Change("checkpoint", "2.1.A9", "added", None, "ใหม่"),
        Change("kpi", "RM1", "floor", "75", "70"),
        Change("threshold", "levels.basic", "value", "300", "250"),
        Change("threshold", "awards.advance.total", "value", "400", "425.5"),
        Change("threshold", "ladder", "value", "300, 350, 400", "300, 400"),
    ]),
}


def test_default_against_itself_is_empty():
    diff = diff_frameworks(DEFAULT, DEFAULT)
    assert diff == CriteriaDiff()
    assert diff.is_empty and diff.as_rows() == [] and diff.removed_checkpoint_ids == ()


def test_a_reparsed_copy_is_no_change():
    assert diff_frameworks(DEFAULT, variant(lambda d: None)).is_empty


@pytest.mark.parametrize(("edit", "expected"), CASES.values(), ids=CASES.keys())
def test_diff_rows(edit, expected):
    new = variant(edit)
    assert list(diff_frameworks(DEFAULT, new).changes) == expected


def test_summary_properties():
    diff = diff_frameworks(DEFAULT, variant(lambda d: [e(d) for e in (several, reword_english, remove_kpi, add_kpi)]))
    assert [c.ref for c in diff.checkpoints_added] == ["1.2.A4", "2.1.A9"]
    assert [c.ref for c in diff.checkpoints_removed] == ["1.1.B3", "1.2.S3"]
    assert diff.removed_checkpoint_ids == ("1.1.B3", "1.2.S3")
    assert [c.ref for c in diff.checkpoints_reworded] == ["1.1.B1"]
    assert [c.ref for c in diff.kpis_added] == ["RM11"]
    assert [c.ref for c in diff.kpis_removed] == ["RM2"]
    assert [(c.ref, c.change) for c in diff.kpis_changed] == [("RM1", "floor")]
    assert diff.items_added == diff.items_removed == ()
    assert not diff.is_empty
    assert diff.as_rows()[0] == {
        "kind": "item", "ref": "1.1", "change": "reworded",
        "before": DEFAULT.item("1.1").name.th, "after": "วิสัยทัศน์ใหม่",
    }


def _without_item(data: dict, item_id: str) -> None:
    """The item gone from its category, and from the items any KPI tracks (a file must name only its own)."""
    for category in data["categories"]:
        category["items"] = [i for i in category["items"] if i["id"] != item_id]
        for kept in category["items"]:
            for kpi in kept.get("kpis", []):
                kpi["tracks"] = [t for t in kpi.get("tracks", []) if t != item_id]


def test_removed_item_takes_its_checkpoints_and_comes_back_as_added():
    new = variant(lambda d: _without_item(d, "6.4"))
    ids = tuple(cp.id for it, _, cp in DEFAULT.checkpoints() if it.id == "6.4")
    diff = diff_frameworks(DEFAULT, new)
    assert [(c.ref, c.before) for c in diff.items_removed] == [("6.4", DEFAULT.item("6.4").name.th)]
    assert diff.removed_checkpoint_ids == ids
    back = diff_frameworks(new, DEFAULT)
    assert [c.ref for c in back.items_added] == ["6.4"]
    assert tuple(c.ref for c in back.checkpoints_added) == ids


# The first checkpoint of each level stays, since a level may not be empty.
REMOVABLE = [cp.id for item_, name, cp in DEFAULT.checkpoints() if cp != item_.level_checkpoints(name)[0]]


@settings(max_examples=25)
@given(st.sets(st.sampled_from(REMOVABLE)))
def test_removed_checkpoint_ids_are_exactly_those_removed(removed):
    data = copy.deepcopy(_default_dict())
    for category in data["categories"]:
        for it in category["items"]:
            for name in it.get("checkpoints") or {}:
                it["checkpoints"][name] = [cp for cp in it["checkpoints"][name] if cp["id"] not in removed]
    new = Framework.model_validate(data)  # the YAML round trip is covered above; this keeps the property fast
    order = [cp.id for _, _, cp in DEFAULT.checkpoints() if cp.id in removed]
    forward, back = diff_frameworks(DEFAULT, new), diff_frameworks(new, DEFAULT)
    assert forward.removed_checkpoint_ids == tuple(order)
    assert [c.change for c in forward.changes] == ["removed"] * len(removed)
    assert [c.ref for c in back.checkpoints_added] == order
    assert back.removed_checkpoint_ids == () and len(back.changes) == len(removed)


# --- themes, award tiers, and the default's two versions ---------------------------------------------------------

def test_a_themes_wording_tag_and_aims_are_changes():
    theme = DEFAULT.item("2.4").theme("basic")

    def edit(d):
        item(d, "2.4")["themes"]["basic"].update(th="แนวคิดใหม่", tag="New tag", serves=["citizen_centric"])

    assert list(diff_frameworks(DEFAULT, variant(edit)).changes) == [
        Change("theme", "2.4 basic", "reworded", theme.th, "แนวคิดใหม่"),
        Change("theme", "2.4 basic", "tag", theme.tag, "New tag"),
        Change("theme", "2.4 basic", "serves", ", ".join(theme.serves), "citizen_centric"),
    ]
    untagged = variant(lambda d: item(d, "1.1")["themes"]["advance"].pop("tag"))
    assert list(diff_frameworks(DEFAULT, untagged).themes_changed) == [
        Change("theme", "1.1 advance", "tag", DEFAULT.item("1.1").theme("advance").tag, None)]


def test_an_award_tier_one_file_lacks_is_added_or_removed():
    def own_tier(d):
        d["thresholds"]["awards"]["tiers"].append(
            {"id": "own", "name": {"th": "ความพร้อมของกรม", "en": "Our own"}, "total": 450, "category_min": 400})

    more = variant(own_tier)
    added = [Change("threshold", "awards.own.name", "added", None, "ความพร้อมของกรม"),
             Change("threshold", "awards.own.total", "added", None, "450"),
             Change("threshold", "awards.own.category_min", "added", None, "400")]
    assert list(diff_frameworks(DEFAULT, more).changes) == added
    assert list(diff_frameworks(more, DEFAULT).changes) == [
        Change("threshold", c.ref, "removed", c.after, None) for c in added]


def test_the_first_version_of_the_default_against_the_current_shows_what_changed():
    """What an admin sees for a year kept on version 1 (issue 28): the field's meanings and levels, its KPI
    targets and the award tier at Significance gone; the same checkpoints, so no answer stops counting."""
    v1 = load_framework(FRAMEWORK_DIR / "pmqa4-default-v1.yaml")
    diff = diff_frameworks(v1, DEFAULT)
    assert not diff.checkpoints_added and diff.removed_checkpoint_ids == ()
    reworded = {c.ref for c in diff.checkpoints_reworded}
    assert {"2.4.B1", "2.4.A3", "6.3.S1", "6.4.B1", "6.4.B2", "6.4.A1", "6.4.A3", "1.1.A1", "3.2.A1"} <= reworded
    assert {"5.2.B1", "5.2.B2", "5.2.B3", "5.2.B4", "5.2.A3"} <= reworded
    assert {"1.1.S1", "1.2.S1", "3.2.S1"} <= reworded  # no "at least three years"
    assert {c.ref for c in diff.changes if c.kind == "item"} == {"5.2", "6.4"}
    # the targets: version 1's, then the field's (RM1-RM10 = 85, 85, 85, 90, 90, 60, 85, 85, 80, 80)
    assert {c.ref: (c.before, c.after) for c in diff.kpis_changed if c.change == "target"} == {
        "RM1": ("90", "85"), "RM2": ("90", "85"), "RM4": ("95", "90"), "RM5": ("95", "90"), "RM6": ("92", "60"),
        "RM8": ("96", "85")}
    tracked = {k.id: ", ".join(k.tracks) for _, k in DEFAULT.kpis() if k.tracks}  # version 1 names none
    assert {c.ref: (c.before, c.after) for c in diff.kpis_changed if c.change == "tracks"} == {
        ref: ("", items) for ref, items in tracked.items()}
    assert {c.change for c in diff.kpis_changed} <= {"target", "tracks"}
    tiers = {(c.ref, c.change) for c in diff.changes if c.kind == "threshold"}
    assert tiers == {("awards.advance.name", "value"), ("awards.significance.name", "removed"),
                     ("awards.significance.total", "removed"), ("awards.significance.category_min", "removed")}
    themes = {(c.ref, c.change) for c in diff.themes_changed}
    assert {("2.4 basic", "reworded"), ("5.2 basic", "reworded"), ("6.4 basic", "reworded"),
            ("6.3 significance", "reworded")} <= themes
    assert sum(change == "tag" for _, change in themes) == 3 * 24  # every theme gained its English tag
