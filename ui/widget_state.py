"""Keyed widgets that show the value they are given, however the user moved between sections and pages.

Streamlit keeps a keyed widget's value on the server and in the browser. When a run does not draw the widget
(another category, another section, another page), the browser forgets it at once; the server forgets it
only if that run completes, not when it ends early (``st.stop``, ``st.rerun``). Drawn again, the server
believes the browser knows the value and does not send it: the browser shows the widget's default (an
unticked box, an empty account) while the server holds the stored value, and the next interaction reports
every such widget as changed by the user. A form that saved on change then wrote its whole section as shown.

Two rules keep the two sides together:

- a page ends early with ``ui.router.end_page()``, which the router catches, so every run completes and
  Streamlit drops what a run did not draw (``st.stop`` is for the router alone; a test checks it);
- ``seed`` gives a keyed widget its value explicitly whenever it is drawn anew: first drawn, or not drawn by a
  run that reached its end since it was last drawn (the value then travels to the browser with the widget).

A third rule covers what neither side can see: the browser may still drop a widget's value while the server
keeps it. (Once under load, picking category 7 just after an evidence popover closed saved category 1 as
"empty, unticked": the browser had dropped the section's values while the run that closed the popover was
being replaced by the next, then drew those widgets from their defaults.) So

- a widget that shows a stored value has that value as its default too (``value=``, ``default=``, ``index=``):
  a browser that draws it without a value shows the stored value, and reports no change (``Editor.save_field``
  saves only a value other than the one the widget was given).

Forms that edit stored values give their widgets the stored value with ``show_stored`` (or ``Editor.prime``),
which return it for the widget's default; forms that add things empty themselves after an addition with
``next_round``, never with ``clear_on_submit`` (which empties a refused form too).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

RUN = "pmqa:run"  # the number of the current run of this session (the router counts them)
_COMPLETED = "pmqa:completed"  # the last run that reached its end
_DRAWN = "pmqa:drawn"  # widget key -> the run that last drew it


def run_started() -> None:
    """Called by the router at the start of every run."""
    st.session_state[RUN] = st.session_state.get(RUN, 0) + 1


def run_completed() -> None:
    """Called by the router when a run reaches its end: not cut short by ``st.rerun``, ``st.stop`` or the
    user's next click while it ran."""
    st.session_state[_COMPLETED] = st.session_state.get(RUN, 0)


def drawn_anew(widget_key: str) -> bool:
    """True when the widget is drawn for the first time, or a run that reached its end since it was last drawn
    did not draw it (the browser dropped it then); records that this run draws it. A run cut short drops
    nothing: a widget it did not reach is still in the browser, with what the user chose there. (Counting
    "not drawn by the previous run" instead put a category back under the user's click when a click had cut
    short a run before it reached the category control.)"""
    run = st.session_state.get(RUN, 0)
    drawn = st.session_state.setdefault(_DRAWN, {})
    last = drawn.get(widget_key)
    drawn[widget_key] = run
    return widget_key not in st.session_state or last is None or st.session_state.get(_COMPLETED, 0) > last


def seed(widget_key: str, value: Any, force: bool = False) -> bool:
    """Before drawing the keyed widget: give it ``value`` when it is drawn anew, or when ``force``
    (the stored value changed under it). True when the value was set."""
    anew = drawn_anew(widget_key)
    if anew or force:
        st.session_state[widget_key] = value
        return True
    return False


_GIVEN = "pmqa:given"  # widget key -> the stored value it was last given (show_stored)


def store_changed(key: str, stored: Any) -> bool:
    """Whether the stored value shown under ``key`` changed since it was last given (someone else saved)."""
    given = st.session_state.setdefault(_GIVEN, {})
    changed = key in given and given[key] != stored
    given[key] = stored
    return changed


def show_stored(widget_key: str, stored: Any) -> Any:
    """Before drawing a keyed widget of a form that edits a stored value: give it ``stored`` when it is drawn
    anew or when the store's value changed since it was given (someone else saved); otherwise it keeps what the
    user typed. Returns ``stored``, to be the widget's default as well (a default alone is read only when the
    widget has no value: the form would show, and save, a stale value)."""
    seed(widget_key, stored, force=store_changed(widget_key, stored))
    return stored


def form_round(name: str) -> int:
    """The round of a form that adds things: its fields' keys carry it, so ``next_round`` empties them after an
    addition, while a refused addition keeps everything typed (``clear_on_submit`` would empty it either way)."""
    return st.session_state.get(f"pmqa:round:{name}", 0)


def next_round(name: str) -> None:
    st.session_state[f"pmqa:round:{name}"] = form_round(name) + 1
