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
