"""Streamlit's widgets show their own English where the app gives them nothing: "Choose an option" in an empty
select box, "Select all" in a multiselect's list, "None" in a table's empty cell (issue 25: a department's year
in Thai). Every such text that has a parameter is given one: select boxes and multiselects are drawn only
through ``ui.choices`` (a placeholder in the reader's language, no "Select all"), and every table passes
``placeholder``. Those without a parameter are shown in the reader's language by the page script
(``ui.browser``). Checked here on the source and the script's rules; the browser tests
(``test_e2e_widgets.py``) check the pages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from i18n import LANGUAGES, translate
from ui import browser

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("pages", "ui") for p in (ROOT / folder).rglob("*.py"))


def calls(path: Path, *names: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names]


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_select_boxes_and_multiselects_are_drawn_through_ui_choices():
    direct = [where(p, c) for p in SOURCES if p != ROOT / "ui" / "choices.py"
              for c in calls(p, "selectbox", "multiselect")
              if not (isinstance(c.func.value, ast.Name) and c.func.value.id == "choices")]
    assert not direct, direct


def test_every_table_says_what_an_empty_cell_shows():
    bare = [where(p, c) for p in SOURCES for c in calls(p, "dataframe", "data_editor")
            if not any(k.arg == "placeholder" for k in c.keywords)]
    assert not bare, bare


def _choices_app() -> None:
    import streamlit as st

    from ui import choices

    st.session_state.setdefault("lang", "th")
    choices.selectbox("one", ["a", "b"], index=None, key="one")
    choices.selectbox("none", [], key="none")
    choices.multiselect("many", ["a", "b"], key="many")
    choices.multiselect("cited", [], key="cited", placeholder=None)  # None: the app's own placeholder


@pytest.mark.parametrize("lang", ["th", "en"])
def test_an_empty_choice_says_so_in_the_readers_language(lang):
    at = AppTest.from_function(_choices_app)
    at.session_state["lang"] = lang
    at.run()
    assert at.selectbox(key="one").proto.placeholder == translate("choose", lang)
    assert at.multiselect(key="many").proto.placeholder == translate("choose", lang)
    for widget in (at.selectbox(key="none"), at.multiselect(key="cited")):
        assert widget.proto.placeholder == translate("no_choices", lang)
        assert widget.disabled  # as Streamlit's own "No options to select" is
    assert not at.multiselect(key="many").proto.select_all


SAMPLES = {"size": "10MB", "keys": "Ctrl+Enter", "n": "3"}  # a value for each named part of a rule's pattern


@pytest.mark.parametrize("rule", browser.RULES, ids=[rule.key for rule in browser.RULES])
def test_each_text_the_page_script_shows_is_in_the_catalogue_and_english_is_streamlits_own(rule):
    pattern, key = rule.pattern, rule.key
    python_pattern = re.compile(pattern.replace("(?<", "(?P<"))  # the script's pattern is JavaScript's
    groups = set(python_pattern.groupindex)
    for lang in LANGUAGES:
        [shown] = [r for r in browser.rules(lang) if r["pattern"] == pattern]
        for text in (shown["text"], shown.get("touch", "")):
            assert set(re.findall(r"\{(\w+)\}", text)) <= groups, (key, lang, text)
    english = translate(key, "en", **{g: SAMPLES[g] for g in groups})
    assert python_pattern.fullmatch(english), (key, english)  # in English the script changes nothing


def test_no_text_can_end_the_page_script():
    script = browser.page_head("th").split("<script>", 1)[1]
    assert script.count("</") == 1 and script.endswith("</script>")
    assert '"lang": "th"' in script and translate("st_upload", "th") in script
