"""The OFI register page as the committee: create from gaps and by hand, refuse bad input, filter,
notes, carry-over; the edit translation of the table; who can reach it."""

from datetime import date, timedelta

import pandas as pd
import pytest
from readers import reader

from analysis.ofi import gap_table
from i18n import translate
from i18n.format import thailand_today
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments, years
from storage.organisation import accounts
from storage.plans import ofis
from ui.ofi_register import TABS, table_changes

PAGE = "pages/ofi_register.py"


@pytest.fixture
def register(app):
    def open_page(role: str = "committee", tab: str = "register", lang: str = "th"):
        at = app(role, lang, page=PAGE)
        if tab != "register":  # the first tab is open at first; another is opened as a click on it does
            at.session_state["ofi_tab"] = translate(TABS[tab], lang)
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


@pytest.mark.parametrize("tab", list(TABS))
def test_only_the_open_tab_is_built(register, tab):
    at = register(tab=tab)
    keys = {w.key for w in [*at.selectbox, *at.multiselect, *at.text_area]}
    built = {"register": "ofi:f:category:th" in keys, "gaps": "ofi:gap_scope:th" in keys,
             "manual": "ofi:new:item" in keys}
    assert built == {name: name == tab for name in TABS}


def button(at, key, **values):
    return next(b for b in at.button if b.label == translate(key, "th", **values))


def choose(at, rows: dict[int, dict]) -> None:
    """Cells changed in the gaps table (row position -> {column: value}), as the browser sends them."""
    [table] = at.data_editor
    at.session_state[table.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()


def test_several_gaps_become_one_ofi_each_with_sensible_owners(register, demo_db):
    """Issue 25: gaps became OFIs one at a time, picked out of a long list, and a department-wide gap was
    given a unit assessor as its default owner."""
    planner = accounts.create_user(demo_db, "plan-assessor", DEMO_PASSWORD, "unit", unit_id=2, weak_password=True)
    people = accounts.people(demo_db)
    gaps = gap_table(demo_db, 2570)
    shared = int(gaps.index[gaps["units"] > 1][0])
    single = int(gaps.index[gaps["unit_ids"].map(lambda ids: ids == [2])][0])
    at = register(tab="gaps")
    [table] = at.data_editor
    shown = table.value
    assert len(shown) == len(gaps)  # every gap, not the first 50
    assert shown["owner"].iloc[shared] == people["demo-committee"]  # the committee member making it
    assert shown["owner"].iloc[single] == people[planner.username]  # an assessor of that unit
    assert at.button(key="ofi:create_gaps").disabled  # nothing chosen yet
    choose(at, {shared: {"chosen": True}, single: {"chosen": True}})
    button(at, "ofi_create_from_gaps", n=2).click().run()
    assert not at.exception and not at.error
    frame = ofis.register(demo_db, reader(demo_db), 2570)
    made = {row["gap_ref"]: row for _, row in frame.iterrows()}
    assert set(made) == {gaps.loc[shared, "ref"], gaps.loc[single, "ref"]}
    first, second = made[gaps.loc[shared, "ref"]], made[gaps.loc[single, "ref"]]
    assert (first["owner"], sorted(first["unit_ids"]), first["source"]) == (
        "demo-committee", gaps.loc[shared, "unit_ids"], "gap")
    assert (second["owner"], second["unit_ids"]) == ("plan-assessor", [2])
    assert first["points"] == pytest.approx(gaps.loc[shared, "points"])
    assert len(demo_db.execute("SELECT id FROM audit_log WHERE entity = 'ofi' AND action = 'create'").fetchall()) == 2
    [table] = at.data_editor  # made gaps are hidden, and nothing is chosen any more
    assert len(table.value) == len(gaps) - 2 and not table.value["chosen"].any()
    at.checkbox(key="ofi:gap_hide").uncheck().run()  # shown again, with their OFIs
    [table] = at.data_editor
    assert table.value["made"].iloc[shared] == first["id"] and table.value["made"].count() == 2


def test_one_gap_that_cannot_become_an_ofi_stops_them_all_with_a_message(register, demo_db):
    gaps = gap_table(demo_db, 2570)
    extra = accounts.create_user(demo_db, "leaving", DEMO_PASSWORD, "committee", weak_password=True)
    at = register(tab="gaps")
    choose(at, {0: {"chosen": True}, 1: {"chosen": True, "owner": accounts.people(demo_db)["leaving"]}})
    admin = accounts.authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    accounts.set_active(demo_db, admin, extra.id, False)  # meanwhile, the chosen owner leaves
    button(at, "ofi_create_from_gaps", n=2).click().run()
    assert [e.value for e in at.error] == [translate(
        "error_ofi_gaps_refused", "th", n=2, ref=gaps.loc[1, "ref"],
        reason=translate("error_ofi_owner", "th", owner="leaving"))]
    assert ofis.register(demo_db, reader(demo_db), 2570).empty


def test_gaps_are_filtered_by_category_and_scope(register, demo_db):
    at = register(tab="gaps")
    at.multiselect(key="ofi:gap_categories:th").select(7).run()
    [table] = at.data_editor
    assert len(table.value) == (gap_table(demo_db, 2570)["category"] == 7).sum() > 0
    at.selectbox(key="ofi:gap_scope:th").set_value(1).run()
    [table] = at.data_editor
    unit = gap_table(demo_db, 2570, unit_id=1)
    assert list(table.value["ref"]) == list(unit.loc[unit["category"] == 7, "ref"])
    assert set(table.value["owner"]) == {accounts.people(demo_db)["demo-unit"]}  # the unit's assessor


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_gap_ofi_reads_in_the_readers_language_in_the_register(register, demo_db, lang):
    """Issue 25: OFIs made from gaps stayed Thai in English screens."""
    committee = reader(demo_db)
    gap = gap_table(demo_db, 2570).iloc[0].to_dict()
    ofi_id = ofis.from_gap(demo_db, committee, 2570, gap, "demo-committee", thailand_today() + timedelta(days=30),
                           units=gap["unit_ids"])
    at = register(lang=lang)
    [table] = at.data_editor
    expected = ofis.gap_description(demo_db, 2570, gap, lang)
    assert list(table.value["description"]) == [expected]
    assert expected.startswith("Raise " if lang == "en" else "ยกระดับ ") or gap["kind"] != "kpi"
    assert at.selectbox(key="ofi:notes_for").options[0] == f"#{ofi_id} · {expected[:80]}"


def test_an_empty_description_is_refused_with_a_message_and_nothing_stored(register, demo_db):
    at = register(tab="manual")
    at.multiselect(key="ofi:new:units").select(1)
    button(at, "ofi_create").click().run()
    assert [e.value for e in at.error] == [translate("error_ofi_description", "th", limit=ofis.MAX_TEXT)]
    assert ofis.register(demo_db, reader(demo_db), 2570).empty


def test_create_by_hand_then_filter_and_add_a_note(register, demo_db):
    at = register(tab="manual")
    at.selectbox(key="ofi:new:item").set_value("3.4")
    at.multiselect(key="ofi:new:units").select(1).select(2)
    at.text_area(key="ofi:new:text").input("จัดทำระบบติดตามเรื่องร้องเรียนออนไลน์")
    at.selectbox(key="ofi:new:owner").set_value("demo-committee")
    button(at, "ofi_create").click().run()
    assert not at.error
    [row] = ofis.register(demo_db, reader(demo_db), 2570).itertuples()
    assert (row.item, sorted(row.unit_ids), row.owner, row.source) == ("3.4", [1, 2], "demo-committee", "committee")
    at.session_state["ofi_tab"] = translate(TABS["register"], "th")
    at.run()
    at.selectbox(key="ofi:f:unit:th").set_value(3).run()
    assert at.caption[0].value.startswith(translate("ofi_count", "th", n=0)[:2])
    at.selectbox(key="ofi:f:unit:th").set_value(2).run()
    assert at.caption[0].value == translate("ofi_count", "th", n=1)
    note_area = next(w for w in at.text_area if w.label == translate("ofi_note", "th"))
    note_area.input("ประชุมทีมครั้งแรกแล้ว")
    next(b for b in at.button if b.label == translate("ofi_add_note", "th")).click().run()
    assert [n["text"] for n in ofis.get(demo_db, reader(demo_db), row.id)["notes"]] == ["ประชุมทีมครั้งแรกแล้ว"]


def test_unfinished_ofis_carry_over_to_the_cycle(register, demo_db):
    committee = accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD)
    admin = accounts.authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    years.reopen_year(demo_db, admin, 2569, "an OFI found late")  # a closed year's register does not change
    old = ofis.create(demo_db, committee, 2569, "4.1", "ทบทวนตัวชี้วัดระดับกอง", "high", "demo-committee",
                      thailand_today() + timedelta(days=30), [1])
    years.close_year(demo_db, admin, 2569)
    at = register()
    next(b for b in at.button if b.label == translate("ofi_carry_over", "th", year=2569)).click().run()
    carried = {row.carried_from: row.description for row in ofis.register(demo_db, reader(demo_db), 2570).itertuples()}
    assert carried[old] == "ทบทวนตัวชี้วัดระดับกอง" and len(carried) == 2  # with the demo plan's OFI in progress


def test_table_edits_become_stored_changes():
    frame = pd.DataFrame({"id": [7, 9]})
    labels = {"priority": {"high": "สูง", "low": "ต่ำ"}, "status": {"open": "เปิด", "done": "เสร็จแล้ว"},
              "owner": {"malee": "มาลี ใจดี (malee)"}}
    edits = {1: {"status": "เสร็จแล้ว", "due_date": "2027-01-31", "points": 5},
             0: {"priority": "ต่ำ", "owner": "มาลี ใจดี (malee)"}}
    assert table_changes(edits, frame, labels) == [(9, {"status": "done", "due_date": date(2027, 1, 31)}),
                                                   (7, {"priority": "low", "owner": "malee"})]
    assert table_changes({0: {"points": 3}}, frame, labels) == []  # not a field people change


@pytest.mark.parametrize("role", ["unit", "director"])
def test_other_roles_cannot_reach_the_register(app, role):
    at = app(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_reviewed_gaps_cover_only_reviewed_units(demo_db):
    # regression: the department gap table shared points over every submitted unit even for the
    # reviewed source, whose answers cover only reviewed units
    reviewed = gap_table(demo_db, 2570, source="review")
    units = {u for ids in reviewed["unit_ids"] for u in ids}
    assert units <= set(assessments.units_with_assessment(demo_db, 2570, assessments.COUNTED, "review"))


def test_an_empty_register_says_so_in_the_users_language(register):
    """Before, an empty table showed Streamlit's own "empty"."""
    at = register()
    assert translate("ofi_none", "th") in [i.value for i in at.info]
    assert not at.get("arrow_data_frame")


def test_the_pmqa_owner_is_the_default_owner_of_the_shared_gaps_they_turn_into_ofis(register, demo_db):
    gaps = gap_table(demo_db, 2570)
    shared = int(gaps.index[gaps["units"] > 1][0])
    at = register(role="admin", tab="gaps")
    [table] = at.data_editor
    assert table.value["owner"].iloc[shared] == accounts.people(demo_db)["demo-admin"]
    choose(at, {shared: {"chosen": True}})
    button(at, "ofi_create_from_gaps", n=1).click().run()
    assert [s.value for s in at.toast] == [translate("ofi_created_n", "th", n=1)]
    [row] = ofis.register(demo_db, reader(demo_db), 2570).itertuples()
    assert (row.owner, row.gap_ref) == ("demo-admin", gaps.loc[shared, "ref"])


def test_an_unfiltered_choice_shows_its_name_not_streamlits_placeholder(register):
    """A selectbox shows a None value as its placeholder: "Choose an option", in English, for "all"."""
    at = register()
    assert at.selectbox(key="ofi:f:category:th").proto.placeholder == translate("ofi_all", "th")
    at = register(tab="gaps")
    assert at.selectbox(key="ofi:gap_scope:th").proto.placeholder == translate("ofi_department", "th")
