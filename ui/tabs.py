"""Tabs that build only what is on screen, with the open tab in the page's address.

``st.tabs`` with ``on_change="rerun"`` tracks the open tab, so each tab's ``.open`` is known and hidden tabs
need not be built. Its state is the tab's label, which changes with the language, so the address holds the
tab's id instead (``?ov_tab=trend``): the same link opens the same tab in Thai and in English, and a reload
opens it again. (``bind="query-params"`` would put the label itself there, and drops it when the language
changes.)
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
    chosen = _tab_of(st.session_state.get(key), tabs)  # this session's choice, in either language
    if chosen is None and st.query_params.get(key) in tabs:  # a new session: the address names the tab
        chosen = st.query_params[key]
    if chosen is not None and st.session_state.get(key) != labels[chosen]:
        st.session_state[key] = labels[chosen]
    containers = dict(zip(labels, st.tabs(list(labels.values()), key=key, on_change="rerun"), strict=True))
    shown = next((tab for tab, container in containers.items() if container.open), next(iter(tabs)))
    if shown == next(iter(tabs)):
        st.query_params.pop(key, None)  # the first tab needs no mention
    elif st.query_params.get(key) != shown:
        st.query_params[key] = shown
    return shown, containers[shown]
