"""Choice widgets that hold values (ids), never labels, and keep them across a language switch.

Streamlit's browser side keeps a keyed widget's state across reruns by the labels it showed: after a switch
to English a select box still shows the Thai label of its choice and a radio loses its selection. So the
widget is keyed by language (``KEY:th``, ``KEY:en``), and the choice itself is kept under ``KEY`` as a
value; a widget drawn in the other language starts from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ui.i18n import current_language
from ui.widget_state import seed


def widget_key(key: str) -> str:
    """The key of ``key``'s widget in the current language."""
    return f"{key}:{current_language()}"


NONE = "\x00none"  # a None option as its widget holds it: Streamlit shows a widget holding None as holding no choice


def one(kind: str, label: str, options: Sequence, key: str, format_func: Callable[[Any], str],
        default: Any = None, container=st, **kwargs) -> Any:
    """A ``selectbox`` or ``radio`` (``kind``) whose choice is kept under ``key``: the value chosen last, in
    either language; ``default`` (or the first option) until then, or when that value is no longer offered.
    An option may be None (e.g. "the whole department")."""
    values, own = list(options), widget_key(key)
    chosen = st.session_state.get(key, default)
    if chosen not in values:
        chosen = default if default in values else (values[0] if values else None)
    held = [NONE if v is None else v for v in values]
    # drawn anew (first run, the language changed, back from elsewhere) or its option gone: start from the choice
    seed(own, NONE if chosen is None else chosen, force=st.session_state.get(own, NONE) not in held)
    value = getattr(container, kind)(label, held, key=own, format_func=_labelled(held, lambda v: format_func(
        None if v == NONE else v)), **kwargs)
    value = None if value == NONE else value
    st.session_state[key] = value
    return value


def many(label: str, options: Sequence, key: str, format_func: Callable[[Any], str],
         default: Sequence = (), container=st, **kwargs) -> list:
    """A ``multiselect`` whose choices are kept under ``key`` (those still offered), in either language."""
    options, own = list(options), widget_key(key)
    seed(own, [v for v in st.session_state.get(key, list(default)) if v in options])
    value = container.multiselect(label, options, key=own, format_func=_labelled(options, format_func),
                                  select_all=False, **kwargs)  # its "Select all" is English only
    st.session_state[key] = list(value)
    return value


def _labelled(options: list, format_func: Callable[[Any], str]) -> Callable[[Any], str]:
    """The options' labels in this run's language, worked out now: a label asked for later (Streamlit's
    testing harness formats values outside the run) is still this language's."""
    labels = [format_func(option) for option in options]
    return lambda value: labels[options.index(value)]


def held(key: str) -> Any:
    """In a callback, before the run: the choice ``key``'s widget holds now."""
    value = st.session_state.get(widget_key(key))
    return None if value == NONE else value


def choose(key: str, value: Any) -> None:
    """Set ``key``'s choice from code (a click elsewhere on the page), before its widget is drawn."""
    st.session_state[key] = value
    st.session_state[widget_key(key)] = NONE if value is None else value
