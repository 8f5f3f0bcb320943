"""Widgets show what they are given after any path through sections and pages (``ui.widget_state``).

Regression (issue 25, the department assessment wiped): a section drawn by a run that ended with ``st.stop``
kept its widgets' values on the server while the browser forgot them; drawn again, the boxes showed
unticked, and the next tick saved the whole category as shown. The browser tests walk each form section to
section and back (``test_e2e_sections.py``); here, the two rules that prevent it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from streamlit.testing.v1 import AppTest

from i18n import translate

ROOT = Path(__file__).resolve().parent.parent


def stop_calls(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "stop"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"]


def test_pages_end_early_through_the_router_never_st_stop():
    files = [p for folder in ("pages", "ui") for p in (ROOT / folder).rglob("*.py")]
    found = {str(p.relative_to(ROOT)): lines for p in files if (lines := stop_calls(p))}
    # the one st.stop: a page file run directly by Streamlit before st.navigation exists, outside the router
    assert found == {"ui/router.py": found.get("ui/router.py", [])} and len(found["ui/router.py"]) == 1, found


def test_no_form_empties_itself_when_the_store_refuses_it():
    # regression (issue 25): clear_on_submit emptied a refused form (a new user with a weak password lost it all)
    found = [str(p.relative_to(ROOT)) for folder in ("pages", "ui") for p in (ROOT / folder).rglob("*.py")
             if "clear_on_submit=True" in p.read_text(encoding="utf-8")]
    assert found == []


def _app() -> None:
    import streamlit as st

    from ui.widget_state import run_completed, run_started, seed

    run_started()
    section = st.radio("section", ["a", "b"], key="section")
    if section == "a":
        seed("box", st.session_state.get("stored", True))
        st.checkbox("box", key="box")
    st.write(f"seeded:{st.session_state.get('pmqa:drawn', {}).get('box')}")
    run_completed()


def test_a_widget_drawn_anew_takes_the_given_value_and_keeps_the_users_while_drawn():
    at = AppTest.from_function(_app)
    at.run()
    assert at.checkbox(key="box").value is True
    at.checkbox(key="box").uncheck().run()
    assert at.checkbox(key="box").value is False  # drawn in the run before: the user's value stays
    at.session_state["stored"] = False
    at.radio(key="section").set_value("b").run()
    assert not at.checkbox
    at.session_state["stored"] = True
    at.radio(key="section").set_value("a").run()
    assert at.checkbox(key="box").value is True  # back from the other section: the given (stored) value


def _none_choice() -> None:
    import streamlit as st

    from ui import choices
    from ui.widget_state import run_completed, run_started

    run_started()
    st.session_state.setdefault("lang", "th")
    chosen = choices.one("selectbox", "scope", [None, 1, 2], "scope", lambda v: "whole department" if v is None
                         else f"unit {v}")
    st.write(f"chosen:{chosen}")
    run_completed()


def test_a_choice_of_none_shows_its_option_not_an_empty_box():
    # regression: a selectbox given None through session state shows "Choose an option" (Streamlit's English)
    at = AppTest.from_function(_none_choice)
    at.run()
    assert at.selectbox[0].index == 0 and at.markdown[0].value == "chosen:None"
    at.selectbox[0].select_index(2).run()
    assert at.markdown[0].value == "chosen:2"
    at.selectbox[0].select_index(0).run()
    assert at.selectbox[0].index == 0 and at.markdown[0].value == "chosen:None"


def _cut_short() -> None:
    import streamlit as st

    from ui import choices
    from ui.widget_state import run_completed, run_started

    run_started()
    st.session_state.setdefault("lang", "th")
    if st.session_state.get("cut_short"):  # the run after the choice ends before the widget (a language switch)
        st.stop()
    choices.one("selectbox", "unit", [1, 2, 3], "unit", lambda v: f"unit {v}")
    choices.many("categories", [1, 2, 3], "categories", lambda v: f"category {v}")
    run_completed()


def test_a_choice_is_kept_even_when_the_run_after_it_is_cut_short():
    at = AppTest.from_function(_cut_short)
    at.run()
    at.selectbox[0].select_index(2)
    at.multiselect[0].select(3)
    at.session_state["cut_short"] = True
    at.run()
    assert at.session_state["unit"] == 3 and at.session_state["categories"] == [3]
    at.session_state["cut_short"] = False
    at.run()
    assert at.selectbox[0].value == 3 and at.multiselect[0].value == [3]


def _sections_cut_short() -> None:
    import streamlit as st

    from ui.tabs import sections
    from ui.widget_state import run_completed, run_started

    run_started()
    if st.session_state.pop("cut_short", False):  # a click came while this run was still above the control
        st.rerun()
    st.write(f"category:{sections('category', [1, 2, 7], 'category', 'category', str)}")
    run_completed()


def test_a_section_clicked_while_a_run_is_cut_short_before_the_control_stays_chosen():
    # regression (issue 25, rounds under load): the click's run found the control "not drawn by the previous
    # run" (the cut-short one) and gave it the section chosen before, so category 1 came back under the click
    at = AppTest.from_function(_sections_cut_short)
    at.run()
    assert at.markdown[0].value == "category:1"
    at.session_state["cut_short"] = True
    at.segmented_control(key="category").set_value(7).run()
    assert at.segmented_control(key="category").value == 7 and at.markdown[0].value == "category:7"


def _reported_unchanged() -> None:
    import streamlit as st

    from ui.editor import Editor
    from ui.widget_state import run_started

    run_started()
    editor = Editor("t")
    st.session_state.setdefault("saves", 0)
    fresh = editor.begin(1, 1)
    editor.prime("t:box", True, fresh)
    st.checkbox("box", key="t:box")

    def report(value) -> None:  # what Streamlit calls when the browser reports the box
        def action(version, shown):
            st.session_state["saves"] += 1
            return version + 1
        editor.save_field("t:box", value, action)

    st.button("same", on_click=report, args=(True,))
    st.button("other", on_click=report, args=(False,))
    st.write(f"saves:{st.session_state['saves']}")


def test_a_widget_reporting_the_value_it_was_given_saves_nothing():
    # regression (issue 25): a browser that still held a category drawn away reported all its boxes on the way
    # back, and each was saved again (32 saves and audit entries for one click; seen in the browser walk)
    at = AppTest.from_function(_reported_unchanged)
    at.run()
    at.button[0].click().run()
    assert at.markdown[0].value == "saves:0" and not at.toast
    at.button[1].click().run()
    assert at.markdown[0].value == "saves:1"


# ---- the third rule: a widget given a value has it as its default too -----------------------------------------

KINDS = ("checkbox", "text_area", "text_input", "number_input", "selectbox", "multiselect", "radio", "button_group")


def default_and_value(widget) -> tuple:
    """A widget's default (what a browser shows when it draws the widget without a value) and its value, in the
    same terms (indices for a choice)."""
    proto = widget.proto
    if widget.type in ("selectbox", "radio"):
        return (proto.default if proto.HasField("default") else None), widget.index
    if widget.type in ("multiselect", "button_group"):
        return sorted(proto.default), sorted(widget.indices)
    if widget.type == "number_input":
        return (proto.default if proto.HasField("default") else None), widget.value
    if widget.type in ("text_area", "text_input"):
        return proto.default, widget.value or ""
    return proto.default, widget.value


def not_defaulted(at: AppTest) -> dict[str, tuple]:
    """The widgets given a value (``seed``) whose default is not that value: drawn by a browser that has lost
    their values, they would show (and report) their defaults."""
    drawn = _drawn(at)
    found = {}
    for kind in KINDS:
        for widget in at.get(kind):
            if widget.key in drawn and (pair := default_and_value(widget))[0] != pair[1]:
                found[widget.key] = pair
    return found


def _drawn(at: AppTest) -> dict:
    try:
        return at.session_state["pmqa:drawn"]
    except KeyError:
        return {}


def given(at: AppTest) -> int:
    drawn = _drawn(at)
    return sum(1 for kind in KINDS for widget in at.get(kind) if widget.key in drawn)


def test_every_widget_of_the_unit_form_has_the_stored_value_as_its_default(app):
    # regression (issue 25, round 21 of the rounds under load): picking category 7 right after an evidence
    # popover closed saved category 1 "empty, unticked": the browser drew the section's widgets from their
    # defaults (unticked, empty) while the server believed it held their values
    at = app("unit", page="pages/self_assessment.py")
    assert at.checkbox(key="sa:cp:1.3.B1").value is True  # demo-unit's answers in category 1
    assert given(at) > 30 and not_defaulted(at) == {}
    at.get("button_group")[0].set_value(7).run()
    assert at.number_input(key="sa:kpi:RM1:2570").value is not None
    assert given(at) > 20 and not_defaulted(at) == {}


def test_every_widget_of_the_review_and_the_department_has_the_stored_value_as_its_default(app, demo_path):
    from scoring import default_framework
    from storage import connect
    from storage.admin.demo import DEMO_PASSWORD
    from storage.assessment import answers, assessments
    from storage.organisation import accounts

    db = connect(demo_path)  # demo-unit's assessment answered and submitted, for the committee to review
    unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
    aid = assessments.get(db, unit.unit_id, 2570)["id"]
    version = assessments.get(db, unit.unit_id, 2570)["version"]
    version = answers.save_checkpoints(db, unit, aid, version, {cp.id: level == "basic" for _, level, cp
                                                                in default_framework().checkpoints()})
    answers.save_kpi_values(db, unit, aid, version, {(kpi.id, 2570): 90.0 for _, kpi in default_framework().kpis()})
    assessments.change_status(db, unit, aid, assessments.get(db, unit.unit_id, 2570)["version"], "submit")
    db.close()
    at = app("committee", page="pages/review.py")
    at.selectbox(key="rv:unit:th").set_value(unit.unit_id).run()
    assert not at.exception, [e.value for e in at.exception]
    assert given(at) > 30 and not_defaulted(at) == {}
    at = app("committee", page="pages/department.py")
    next(b for b in at.button if b.label == translate("dp_start", "th")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert given(at) > 30 and not_defaulted(at) == {}


def test_every_field_of_the_examiner_rehearsal_has_the_stored_value_as_its_default(app, demo_path):
    from storage import connect
    from storage.admin.demo import DEMO_PASSWORD
    from storage.assessment import examiners
    from storage.organisation import accounts

    db = connect(demo_path)
    member = accounts.authenticate(db, "demo-committee", DEMO_PASSWORD)
    for item in ("1.1", "1.2", "1.3"):
        examiners.save(db, member, 2570, item, percent=55, rationale="เหตุผล", strengths="จุดแข็ง", ofis="ข้อเสนอ")
    db.close()
    at = app("committee", page="pages/examiners.py")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="ex:percent:1.1").value == 55
    assert given(at) >= 16 and not_defaulted(at) == {}


def test_every_field_of_the_administration_forms_has_the_stored_value_as_its_default(app):
    from ui.admin import TABS

    at = app("admin", page="pages/admin.py")
    for tab in ("identity", "units", "users", "criteria"):
        at.session_state["adm_tab"] = translate(TABS[tab], "th")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert given(at) > 3 and not_defaulted(at) == {}, tab
