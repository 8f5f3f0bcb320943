"""Tabs that build only what is on screen, and keep the open tab in the page's address.

``st.tabs`` with ``bind="query-params"`` tracks the open tab (so each tab's ``.open`` is known and hidden
tabs need not be built) and writes it to the address as ``?<key>=<label>``, so a link or a reload opens
the same tab. Its state is the tab's label, which changes with the language; ``open_tab`` maps a label
(from the session or from a link) in either language back to the tab and shows it in the current one.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from i18n import LANGUAGES, translate
from ui.i18n import t


def _tab_of(label: str | None, tabs: Mapping[str, str]) -> str | None:
    """The tab id whose catalogue text, in any language, is ``label``."""
    for tab, key in tabs.items():
        if label in {translate(key, lang) for lang in LANGUAGES}:
            return tab
    return None


def open_tab(key: str, tabs: Mapping[str, str]) -> tuple[str, object]:
    """Draw the tabs (``tabs``: tab id -> catalogue key of its label) and return the open tab's id and its
    container. Only that container should be filled: the others are built when they are opened."""
    labels = {tab: t(label_key) for tab, label_key in tabs.items()}
    asked = st.session_state.get(key) or st.query_params.get(key)
    chosen = _tab_of(asked, tabs)
    if asked is not None and chosen is not None and asked != labels[chosen]:
        st.session_state[key] = labels[chosen]  # the same tab, labelled in the current language
    containers = dict(zip(labels, st.tabs(list(labels.values()), key=key, bind="query-params"), strict=True))
    shown = next((tab for tab, container in containers.items() if container.open), next(iter(tabs)))
    return shown, containers[shown]
