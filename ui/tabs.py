"""Tabs that build only what is on screen, with the open tab in the page's address; a form's sections likewise.

``st.tabs`` with ``on_change="rerun"`` tracks the open tab, so each tab's ``.open`` is known and hidden tabs
need not be built. Its state is the tab's label, which changes with the language, so the address holds the
tab's id instead (``?ov_tab=trend``): the same link opens the same tab in Thai and in English, and a reload
opens it again. (``bind="query-params"`` would put the label itself there, and drops it when the language
changes.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from i18n import LANGUAGES, translate
from ui.i18n import t
from ui.widget_state import seed


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


def sections(label: str, options: Sequence, key: str, param: str, format_func: Callable[[Any], str]) -> Any:
    """A segmented control of a form's sections (categories, the profile) whose choice is in the page's address
    (``?param=...``): a reload or a shared link opens the same section. A new session starts from the address (or
    the first section); clicking the chosen section again keeps it instead of clearing the control."""
    options = list(options)
    by_text = {str(option): option for option in options}
    chosen = st.session_state.get(f"{key}:chosen")
    if chosen not in options:
        chosen = by_text.get(st.query_params.get(param), options[0])
    seed(key, chosen, force=st.session_state.get(key) not in options)
    labels = [format_func(option) for option in options]  # now, in this run's language (see ui.choices._labelled)
    held = st.session_state.get(key)  # the section clicked (None: the chosen one clicked again, which clears it)
    value = st.segmented_control(label, options, default=held if held in options else chosen, key=key,
                                 format_func=lambda o: labels[options.index(o)])
    value = chosen if value is None else value
    st.session_state[f"{key}:chosen"] = value
    if value == options[0]:
        st.query_params.pop(param, None)  # the first section needs no mention
    elif st.query_params.get(param) != str(value):
        st.query_params[param] = str(value)
    return value
