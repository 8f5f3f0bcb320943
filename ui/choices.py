"""Choice widgets that hold values (ids), never labels, and keep them across a language switch; and the one way
every select box and multiselect of the app is drawn (``selectbox``, ``multiselect``), with a placeholder in the
reader's language (Streamlit's own, "Choose an option", "Choose options", "No options to select", is English)
and no "Select all" (English only).

Streamlit's browser side keeps a keyed widget's state across reruns by the labels it showed: after a switch
to English a select box still shows the Thai label of its choice and a radio loses its selection. So the
widget is keyed by language (``KEY:th``, ``KEY:en``), and the choice itself is kept under ``KEY`` as a
value; a widget drawn in the other language starts from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.form_utils import is_in_form

from ui.i18n import current_language, t
from ui.widget_state import seed


def placeholder(options: Sequence) -> str:
    """What an empty select box or multiselect shows: "choose", or that there is nothing to choose."""
    return t("choose") if len(options) else t("no_choices")


def selectbox(label: str, options: Sequence, container=st, **kwargs) -> Any:
    """``st.selectbox`` with a placeholder in the reader's language (a select box with no options is disabled,
    as Streamlit's own would be)."""
    options = list(options)
    kwargs["placeholder"] = kwargs.get("placeholder") or placeholder(options)
    kwargs["disabled"] = kwargs.get("disabled", False) or not options
    return container.selectbox(label, options, **kwargs)


def multiselect(label: str, options: Sequence, container=st, **kwargs) -> list:
    """``st.multiselect`` with a placeholder in the reader's language and no "Select all" choice."""
    options = list(options)
    kwargs["placeholder"] = kwargs.get("placeholder") or placeholder(options)
    kwargs["disabled"] = kwargs.get("disabled", False) or not options
    return container.multiselect(label, options, select_all=False, **kwargs)


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
    shown = NONE if chosen is None else chosen
    seed(own, shown, force=st.session_state.get(own, NONE) not in held)
    kwargs |= {"key": own, "format_func": _labelled(held, lambda v: format_func(None if v == NONE else v)),
               "index": held.index(shown) if held else None}  # also the default (``ui.widget_state``)
    _keep_at_once(key, own, container, kwargs)
    value = (selectbox(label, held, container=container, **kwargs) if kind == "selectbox"
             else getattr(container, kind)(label, held, **kwargs))
    value = None if value == NONE else value
    st.session_state[key] = value
    return value


def many(label: str, options: Sequence, key: str, format_func: Callable[[Any], str],
         default: Sequence = (), container=st, **kwargs) -> list:
    """A ``multiselect`` whose choices are kept under ``key`` (those still offered), in either language."""
    options, own = list(options), widget_key(key)
    chosen = [v for v in st.session_state.get(key, list(default)) if v in options]
    seed(own, chosen)
    _keep_at_once(key, own, container, kwargs)
    value = multiselect(label, options, container=container, key=own, default=chosen,
                        format_func=_labelled(options, format_func), **kwargs)
    st.session_state[key] = list(value)
    return value


def _keep_at_once(key: str, own: str, container, kwargs: dict) -> None:
    """Give ``key``'s widget ``own`` an on_change that keeps its new choice under ``key`` at once, in the
    callback: the run after a choice may be cut short by the next click (a language switch, say), and the choice
    must not be lost then. Not in a form, where Streamlit allows no callback but the submit button's (a form's
    choices count only once submitted)."""
    if is_in_form(container if isinstance(container, DeltaGenerator) else st._main):
        return
    then, args = kwargs.get("on_change"), kwargs.get("args", ())

    def keep(*given) -> None:
        value = st.session_state.get(own)
        st.session_state[key] = None if value == NONE else value
        if then is not None:
            then(*given)
    kwargs |= {"on_change": keep, "args": args}


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
