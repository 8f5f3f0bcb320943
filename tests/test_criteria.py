"""Criteria files: the shipped default, and malformed files failing with file, place and problem."""

import os

import pytest
import yaml
from scoring_helpers import DEFAULT_FILE, MINI_YAML, default_dict

from scoring import LEVELS, CriteriaError, default_framework, framework_for_year, load_framework, parse_framework

pytestmark = pytest.mark.filterwarnings("error")

# DESIGN.md, "The criteria": item -> (KPI, floor, ceiling)
DESIGN_KPIS = [
    ("7.1", "RM1", 75, 95), ("7.1", "RM2", 75, 95), ("7.2", "RM3", 75, 95), ("7.3", "RM4", 80, 100),
    ("7.3", "RM5", 80, 100), ("7.4", "RM6", 20, 100), ("7.4", "RM7", 75, 95), ("7.5", "RM8", 94, 98),
    ("7.6", "RM9", 60, 100), ("7.6", "RM10", 70, 90),
]
ITEMS_1_TO_6 = [f"{c}.{i}" for c in range(1, 7) for i in range(1, 5)]


@pytest.fixture(scope="module")
def default():
    return load_framework(DEFAULT_FILE)


def test_default_has_seven_categories_and_thirty_items(default):
    assert [c.id for c in default.categories] == [1, 2, 3, 4, 5, 6, 7]
    assert default.item_ids() == [*ITEMS_1_TO_6, "7.1", "7.2", "7.3", "7.4", "7.5", "7.6"]


@pytest.mark.parametrize("item_id", ITEMS_1_TO_6)
def test_default_items_1_to_6_have_checkpoints_at_every_level(default, item_id):
    item = default.item(item_id)
    assert item.kpis == ()
    for level in LEVELS:
        checkpoints = item.level_checkpoints(level)
        assert len(checkpoints) >= 1
        assert all(cp.id.startswith(f"{item_id}.") and cp.text.th and cp.text.en for cp in checkpoints)


def test_default_kpis_are_those_of_the_design(default):
    found = [(item.id, k.id, k.floor, k.ceiling) for item, k in default.kpis()]
    assert found == DESIGN_KPIS
    assert all(k.direction == "higher" for _, k in default.kpis())


def test_default_thresholds(default):
    assert default.thresholds.levels.model_dump() == {"basic": 300, "advance": 400, "significance": 500}
    assert default.thresholds.awards.model_dump() == {"pmqa_total": 400, "pmqa_category_min": 300, "category": 400}
    assert default.thresholds.ladder == (300, 350, 400)


def test_default_framework_is_the_default_file(default):
    assert default_framework() == default


def test_parse_framework_reads_yaml_text():
    framework = parse_framework(MINI_YAML, source="mini.yaml")
    assert framework.id == "mini"
    assert [k.id for _, k in framework.kpis()] == ["K1", "K2"]


def _cp(d, category, item):
    return d["categories"][category - 1]["items"][item - 1]["checkpoints"]


def _kpis(d, item):
    return d["categories"][6]["items"][item - 1]["kpis"]


def _duplicate_checkpoint(d):
    _cp(d, 3, 2)["advance"][0]["id"] = "3.2.B1"


def _duplicate_checkpoint_across_items(d):
    _cp(d, 1, 2)["basic"][0]["id"] = "1.1.B1"


def _duplicate_item(d):
    d["categories"][0]["items"][1]["id"] = "1.1"


def _duplicate_kpi(d):
    _kpis(d, 2)[0]["id"] = "RM1"


def _empty_level(d):
    _cp(d, 2, 3)["advance"] = []


def _kpi_floor_equals_ceiling(d):
    _kpis(d, 1)[1]["ceiling"] = 75


def _missing_category(d):
    del d["categories"][4]


def _unknown_top_key(d):
    d["colour"] = "red"


def _unknown_item_key(d):
    d["categories"][0]["items"][0]["weight"] = 2


def _unknown_checkpoint_key(d):
    _cp(d, 4, 4)["basic"][0]["note"] = "x"


def _kpi_direction_contradicts(d):
    _kpis(d, 3)[0]["direction"] = "lower"


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [
        (_duplicate_checkpoint, ["duplicate checkpoint", "3.2.B1"]),
        (_duplicate_checkpoint_across_items, ["duplicate checkpoint", "1.1.B1"]),
        (_duplicate_item, ["duplicate item", "1.1"]),
        (_duplicate_kpi, ["duplicate KPI", "RM1"]),
        (_empty_level, ["items[2.3]", "advance", "no checkpoints"]),
        (_kpi_floor_equals_ceiling, ["kpis[RM2]", "floor equals ceiling"]),
        (_missing_category, ["missing category", "5"]),
        (_unknown_top_key, ["colour", "not permitted"]),
        (_unknown_item_key, ["items[1.1].weight", "not permitted"]),
        (_unknown_checkpoint_key, ["basic[4.4.B1].note", "not permitted"]),
        (_kpi_direction_contradicts, ["kpis[RM4]", "direction"]),
    ],
)
def test_a_malformed_file_names_the_file_the_place_and_the_problem(tmp_path, mutate, fragments):
    data = default_dict()
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        load_framework(path)
    message = str(caught.value)
    assert message.startswith("broken.yaml: ")
    for fragment in fragments:
        assert fragment in message


def test_bad_yaml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CriteriaError, match=r"(?s)^bad\.yaml: not valid YAML.*line 2"):
        load_framework(path)


@pytest.mark.parametrize("text", ["- just\n- a list\n", "plain words\n", ""])
def test_a_file_without_a_top_level_dict_is_rejected(text):
    with pytest.raises(CriteriaError, match=r"^odd\.yaml: expected a mapping"):
        parse_framework(text, source="odd.yaml")


def test_a_missing_file_is_a_criteria_error(tmp_path):
    with pytest.raises(CriteriaError, match="cannot be read"):
        load_framework(tmp_path / "nowhere.yaml")


def test_criteria_error_is_a_value_error():
    assert issubclass(CriteriaError, ValueError)


def _write(path, **changes):
    data = default_dict() | changes
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_framework_for_year_uses_the_years_own_file(tmp_path):
    _write(tmp_path / "pmqa4-2569.yaml", id="pmqa4-2569")
    assert framework_for_year(2569, directory=tmp_path).id == "pmqa4-2569"


def test_framework_for_year_falls_back_to_the_default(tmp_path):
    _write(tmp_path / "pmqa4-2568.yaml", id="pmqa4-2568")  # another year's file is not used
    assert framework_for_year(2569, directory=tmp_path) == default_framework()


def test_framework_for_year_reports_a_malformed_years_file(tmp_path):
    _write(tmp_path / "pmqa4-2569.yaml", colour="red")
    with pytest.raises(CriteriaError, match=r"^pmqa4-2569\.yaml: colour"):
        framework_for_year(2569, directory=tmp_path)


def test_text_of_finds_checkpoints_and_kpis():
    framework = default_framework()
    assert framework.text_of("1.1.B1") == framework.item("1.1").checkpoints.basic[0].text
    assert framework.text_of("RM3") == framework.item("7.2").kpis[0].name
    assert framework.text_of("U3-5") is None and framework.text_of("9.9.B1") is None


def test_a_years_file_is_read_once_until_it_changes(tmp_path):
    own = tmp_path / "pmqa4-2571.yaml"
    own.write_text(DEFAULT_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    first = framework_for_year(2571, directory=tmp_path)
    assert framework_for_year(2571, directory=tmp_path) is first
    changed = yaml.safe_load(own.read_text(encoding="utf-8"))
    changed["id"] = "pmqa4-2571-revised"
    own.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    os.utime(own, ns=(own.stat().st_atime_ns, own.stat().st_mtime_ns + 1_000_000))
    assert framework_for_year(2571, directory=tmp_path).id == "pmqa4-2571-revised"
