"""A language switch on every page, for every role that may open it: the choices made (kept as values under
their own keys) are the same after the switch and after switching back, every choice widget shows them in
the new language, and the page's figures do not change."""

from __future__ import annotations

import re

import pytest

from storage.schema import ROLES
from ui.router import PAGES

CHOICES = ("cycle", "ov:source", "ov:method", "ofi:f:category", "ofi:f:unit", "ofi:f:owner", "ofi:f:status",
           "rv:statuses", "rv:unit")
NUMBER = re.compile(r"-?\d[\d,.]*")


def figures(at) -> list[list[str]]:
    """The numbers the page shows in its metrics, in order (labels and words change with the language)."""
    return [NUMBER.findall(str(m.value)) for m in at.metric]


def choices(at) -> dict:
    return {key: at.session_state[key] for key in CHOICES if key in at.session_state}


def shown(at, lang: str) -> dict:
    """Each choice widget's value in ``lang``, by its choice's key."""
    widgets = [*at.selectbox, *at.radio, *at.multiselect]
    return {w.key.removesuffix(f":{lang}"): w.value for w in widgets if w.key and w.key.endswith(f":{lang}")}


@pytest.mark.parametrize(("role", "path"), [(role, path) for path, (_, _, roles) in PAGES.items()
                                            for role in roles if role in ROLES])  # a ministry's: test_page_ministry
def test_a_language_switch_keeps_choices_and_figures(app, role, path):
    at = app(role, page=path)
    assert not at.exception, [e.value for e in at.exception]
    before, numbers, widgets = choices(at), figures(at), shown(at, "th")
    for lang in ("en", "th"):
        at.button_group(key="lang_choice").set_value(lang).run()
        assert not at.exception, [e.value for e in at.exception]
        assert choices(at) == before
        assert figures(at) == numbers
        assert shown(at, lang) == widgets

