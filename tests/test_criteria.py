"""Criteria files: the shipped default, and malformed files failing with file, place and problem."""

import os

import pytest
import yaml
from scoring_helpers import DEFAULT_FILE, MINI_YAML, default_dict

from i18n import YAML_LOADER
from scoring import LEVELS, CriteriaError, default_framework, framework_for_year, load_framework, parse_framework

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

# DESIGN.md, "The criteria": item -> (KPI, floor, ceiling)
DESIGN_KPIS = [
    ("7.1", "RM1", 75, 95), ("7.1", "RM2", 75, 95), ("7.2", "RM3", 75, 95), ("7.3", "RM4", 80, 100),
    ("7.3", "RM5", 80, 100), ("7.4", "RM6", 20, 100), ("7.4", "RM7", 75, 95), ("7.5", "RM8", 94, 98),
    ("7.6", "RM9", 60, 100), ("7.6", "RM10", 70, 90),
]
# The field's targets (issue 28: the field's tool, DESIGN.md "Facts from the field")
FIELD_TARGETS = {"RM1": 85, "RM2": 85, "RM3": 85, "RM4": 90, "RM5": 90, "RM6": 60, "RM7": 85, "RM8": 85, "RM9": 80,
                 "RM10": 80}
ITEMS_1_TO_6 = [f"{c}.{i}" for c in range(1, 7) for i in range(1, 5)]
V1_FILE = DEFAULT_FILE.parent / "pmqa4-default-v1.yaml"


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


def test_default_kpi_targets_are_the_fields_each_within_its_valid_range(default):
    assert {k.id: k.target for _, k in default.kpis()} == FIELD_TARGETS
    assert all(k.min <= v <= k.max for _, k in default.kpis() for v in (k.floor, k.ceiling, k.target))


def test_default_thresholds(default):
    assert default.thresholds.levels.model_dump() == {"basic": 300, "advance": 400, "significance": 500}
    awards = default.thresholds.awards
    # OPDC's lists name the PMQA 4.0 award (at the Advance level) and category awards: no award at Significance
    [tier] = awards.tiers
    assert (tier.id, tier.total, tier.category_min) == ("advance", 400, 300)
    assert (awards.pmqa_total, awards.pmqa_category_min, awards.category) == (400, 300, 400)  # the headline tier
    assert "รางวัลคุณภาพการบริหารจัดการภาครัฐ 4.0" in tier.name.th and "PMQA 4.0 award" in tier.name.en
    assert "พัฒนาจนเกิดผล" not in tier.name.th and "Significance" not in tier.name.en
    assert default.thresholds.ladder == (300, 350, 400)


def test_a_file_may_still_offer_several_readiness_tiers():
    data = default_dict()
    data["thresholds"]["awards"]["tiers"].append(
        {"id": "own_readiness", "name": {"th": "ระดับความพร้อมของกรม", "en": "Our own readiness tier"}, "total": 450,
         "category_min": 400})
    awards = parse_framework(yaml.safe_dump(data, allow_unicode=True), source="ours.yaml").thresholds.awards
    assert [t.id for t in awards.tiers] == ["advance", "own_readiness"]
    assert awards.tier("own_readiness").total == 450 and awards.pmqa_total == 400  # the first is the headline


def test_every_theme_has_a_short_english_tag(default):
    for item_id in ITEMS_1_TO_6:
        for level in LEVELS:
            tag = default.item(item_id).theme(level).tag
            assert tag and tag.isascii() and len(tag) <= 40 and tag == tag.strip(), (item_id, level, tag)
    assert default.item("2.4").theme("basic").tag == "Open by default"


def test_a_theme_needs_no_tag_and_an_empty_one_is_refused():
    framework = load_framework(V1_FILE)  # the first version, from before tags
    assert all(framework.item(i).theme(level).tag is None for i in ITEMS_1_TO_6 for level in LEVELS)
    data = default_dict()
    data["categories"][0]["items"][0]["themes"]["basic"]["tag"] = ""
    with pytest.raises(CriteriaError, match=r"items\[1\.1\]\.themes\.basic\.tag"):
        parse_framework(yaml.safe_dump(data, allow_unicode=True), source="empty-tag.yaml")


def test_the_first_version_is_kept_word_for_word_beside_the_new_one(default):
    v1 = load_framework(V1_FILE)
    assert (v1.id, default.id) == ("pmqa4-default", "pmqa4-default-v2")
    assert [t.id for t in v1.thresholds.awards.tiers] == ["advance", "significance"]
    assert {k.id: k.target for _, k in v1.kpis()}["RM6"] == 92
    assert [cp.id for _, _, cp in v1.checkpoints()] == [cp.id for _, _, cp in default.checkpoints()]  # ids stay
    assert v1.application == default.application and v1.award_scoring == default.award_scoring


def test_the_fields_meanings_and_levels(default):
    """Issue 28's points, by checkpoint: public reporting ("open by default") is 2.4's Basic checkpoint; 5.2 covers
    the work environment and teams; 6.4's Basic level monitors processes (continuity planning is Advance); 6.3's
    Significance compares with others; no Significance checkpoint asks for "at least three years"."""
    def en(ref):
        return default.text_of(ref).en.lower()

    assert "public" in en("2.4.B1") and "by default" in en("2.4.B1")
    assert not any("public" in en(f"2.4.A{n}") for n in (1, 2, 3))
    basic_52 = " ".join(en(f"5.2.B{n}") for n in range(1, 5))
    assert all(word in basic_52 for word in ("workplace", "safety", "team"))
    assert not any("apprais" in en(cp.id) for item, _, cp in default.checkpoints() if item.id == "5.2")
    assert all("monitored" in en(ref) or "review" in en(ref) for ref in ("6.4.B1", "6.4.B2"))
    assert "continuity" in en("6.4.A1") and not any("continuity" in en(f"6.4.B{n}") for n in (1, 2))
    assert "compare" in en("6.3.S1") and "agencies" in en("6.3.S1")
    assert "national strategy" in en("1.1.A1") and "cascad" not in en("1.1.A1")
    for _, _, cp in default.checkpoints():
        assert "three years" not in cp.text.en and "สามปี" not in cp.text.th, cp.id


# DESIGN.md, "Facts from the field": Basic / Advance / Significance checkpoints per item
FIELD_COUNTS = {
    "1.1": (3, 1, 1), "1.2": (3, 3, 3), "1.3": (3, 2, 1), "1.4": (4, 2, 2), "2.1": (4, 2, 1), "2.2": (2, 1, 2),
    "2.3": (3, 2, 3), "2.4": (1, 3, 3), "3.1": (1, 1, 1), "3.2": (1, 1, 1), "3.3": (3, 1, 2), "3.4": (3, 2, 2),
    "4.1": (3, 2, 2), "4.2": (2, 2, 2), "4.3": (2, 2, 2), "4.4": (2, 3, 1), "5.1": (2, 3, 3), "5.2": (4, 4, 2),
    "5.3": (2, 3, 3), "5.4": (3, 2, 2), "6.1": (2, 2, 2), "6.2": (3, 4, 2), "6.3": (2, 2, 2), "6.4": (2, 3, 2),
}


def test_default_has_the_fields_checkpoint_counts(default):
    counts = {item: tuple(len(default.item(item).level_checkpoints(level)) for level in LEVELS)
              for item in ITEMS_1_TO_6}
    assert counts == FIELD_COUNTS
    assert [sum(c[n] for c in counts.values()) for n in range(3)] == [60, 53, 47]
    for item_id, sizes in FIELD_COUNTS.items():  # ids numbered from 1 without gaps, per level
        for level, letter, size in zip(LEVELS, "BAS", sizes, strict=True):
            ids = [cp.id for cp in default.item(item_id).level_checkpoints(level)]
            assert ids == [f"{item_id}.{letter}{n}" for n in range(1, size + 1)]


def test_every_level_of_every_item_has_a_theme_serving_the_4_0_goals_and_factors(default):
    lens = default.government_4_0
    assert [a.id for a in lens.goals] == ["open_connected", "citizen_centric", "smart_performance"]
    assert [a.id for a in lens.factors] == ["collaboration", "innovation", "digitalisation"]
    assert all(a.name.th and a.lifts.th and a.lifts.en for a in (*lens.goals, *lens.factors))
    served = {aim: set() for aim in lens.ids()}
    for item_id in ITEMS_1_TO_6:
        for level in LEVELS:
            theme = default.item(item_id).theme(level)
            assert theme is not None and theme.th and theme.en and theme.serves, (item_id, level)
            for aim in theme.serves:
                served[aim].add(level)
    assert all(levels == set(LEVELS) for levels in served.values())  # every goal and factor at every level
    assert all(default.item(i).theme("basic") is None for i in ("7.1", "7.6"))


def test_significance_speaks_of_results_not_of_awards_or_being_copied(default):
    words = ("รางวัล", "ยกย่อง", "แบบอย่าง", "award", "recognis", "as a model", "adopted by")
    for _, _, cp in default.checkpoints():
        text = f"{cp.text.th} {cp.text.en}".lower()
        assert not any(w in text for w in words), cp.id
    significance = [t for i in ITEMS_1_TO_6 for t in (default.item(i).theme("significance"),)]
    assert not any("รางวัล" in t.th or "award" in t.en.lower() for t in significance)


def test_default_has_the_organisation_profile_and_the_fields_rules(default):
    assert [p.id for p in default.profile] == ["P1a", "P1b", "P2a", "P2b", "P2c"]
    assert [p.name.th for p in default.profile][:2] == ["สภาพแวดล้อมขององค์การ", "ความสัมพันธ์ระดับองค์การ"]
    assert all(3 <= len(p.questions) <= 5 and all(q.th and q.en for q in p.questions) for p in default.profile)
    assert (default.rules.unit_kpis, default.rules.unit_kpis_per_item) == ("percent_of_target", 3)


def test_a_file_without_the_new_blocks_still_reads_with_todays_rules():
    framework = parse_framework(MINI_YAML, source="mini.yaml")
    assert (framework.rules.unit_kpis, framework.rules.unit_kpis_per_item) == ("floor_ceiling", 3)
    assert framework.government_4_0.ids() == [] and framework.profile == ()
    [tier] = framework.thresholds.awards.tiers  # pmqa_total and pmqa_category_min read as one tier
    assert (tier.id, tier.total, tier.category_min) == ("pmqa", 400, 300)


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


def _unknown_aim(d):
    d["categories"][1]["items"][0]["themes"]["advance"]["serves"] = ["citizen_centric", "happiness"]


def _unknown_aim_on_a_checkpoint(d):
    _cp(d, 3, 1)["basic"][0]["serves"] = ["speed"]


def _themes_on_results(d):
    d["categories"][6]["items"][0]["themes"] = d["categories"][0]["items"][0]["themes"]


def _tiers_falling(d):
    d["thresholds"]["awards"]["tiers"].append({"id": "lower", "name": {"th": "ต่ำกว่า", "en": "Lower"}, "total": 350,
                                               "category_min": 300})


def _unknown_rule(d):
    d["rules"]["unit_kpis"] = "gut_feeling"


def _profile_without_questions(d):
    d["profile"][2]["questions"] = []


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
        (_unknown_aim, ["2.1 advance theme serves happiness", "not a goal or factor"]),
        (_unknown_aim_on_a_checkpoint, ["3.1.B1 serves speed"]),
        (_themes_on_results, ["items[7.1]", "no checkpoints or themes"]),
        (_tiers_falling, ["award tiers", "lowest total to the highest"]),
        (_unknown_rule, ["rules.unit_kpis"]),
        (_profile_without_questions, ["profile[P2a].questions"]),
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
    changed = yaml.load(own.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    changed["id"] = "pmqa4-2571-revised"
    own.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    os.utime(own, ns=(own.stat().st_atime_ns, own.stat().st_mtime_ns + 1_000_000))
    assert framework_for_year(2571, directory=tmp_path).id == "pmqa4-2571-revised"


def test_a_kpi_tracks_only_items_of_categories_1_to_6():
    import copy
    from pathlib import Path

    import yaml

    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "frameworks" /
                           "pmqa4-default.yaml").read_text(encoding="utf-8"))
    assert all(kpi.tracks for _, kpi in default_framework().kpis())  # every default KPI names its processes
    bad = copy.deepcopy(data)
    bad["categories"][6]["items"][0]["kpis"][0]["tracks"] = ["7.2"]
    with pytest.raises(CriteriaError, match=r"tracks 7\.2"):
        parse_framework(yaml.safe_dump(bad, allow_unicode=True), source="bad.yaml")
