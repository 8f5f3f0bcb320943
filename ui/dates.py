"""Date pickers in the reader's calendar, as far as Streamlit allows.

Streamlit's pickers (``st.date_input`` and a data editor's ``DateColumn``) draw a Common-Era calendar only. Every
picker of the app goes through this module, so they all say so the same way: the day comes first
(``DATE_PICKER_FORMAT``, as Thai dates are written), a Thai label carries "(ปี ค.ศ.)", the help gives an example
in both forms, and on a Thai screen the chosen date shows below in the Buddhist Era (``i18n.format.date_label``).
Every other date on a screen is text in the language's own calendar."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from i18n.format import DATE_PICKER_FORMAT, date_label, dates_label, thailand_today
from ui.i18n import current_language, t


def picker_label(label: str) -> str:
    return t("date_picker_label", label=label)


def picker_help(extra: str | None = None, today: date | None = None) -> str:
    """What the picker's calendar is, with today's date as the example; ``extra`` (the field's own help) first."""
    today = today or thailand_today()
    own = t("date_picker_help", example=today.strftime("%d/%m/%Y"), day=date_label(today, current_language()))
    return f"{extra}\n\n{own}" if extra else own


def date_input(label: str, value=None, *, key: str | None = None, echo: bool = True, help: str | None = None,
               container=st, **kwargs):
    """``st.date_input`` (one day or a range) the app's way; ``echo``: on a Thai screen, the chosen date in the
    Buddhist Era below (leave it out inside a form, where the value reaches the page only when it is sent)."""
    chosen = container.date_input(picker_label(label), value, key=key, format=DATE_PICKER_FORMAT,
                                  help=picker_help(help), **kwargs)
    if echo and current_language() == "th" and (shown := dates_label(chosen, "th")):
        container.caption(t("date_picker_chosen", day=shown))
    return chosen


def date_column(label: str, help: str | None = None, **kwargs) -> st.column_config.DateColumn:
    """A data editor's date column the app's way; on a Thai screen ``with_era`` puts the same days in the
    Buddhist Era beside it."""
    return st.column_config.DateColumn(picker_label(label), format=DATE_PICKER_FORMAT, help=picker_help(help),
                                       **kwargs)


ERA = ":era"  # the suffix of a date column's read-only twin in the Buddhist Era


def with_era(frame: pd.DataFrame, labels: dict[str, str]) -> tuple[pd.DataFrame, dict, list[str]]:
    """A data editor's table with, on a Thai screen, a read-only twin just before each date column (``labels``:
    column -> its label) showing its days in the Buddhist Era, read first (as last saved: it follows an edit once
    the table is drawn again). Returns the table, the twins' column configs, and the column order with each twin
    before its date (add the twins' names, the configs' keys, to the disabled columns). English: the table as it
    is."""
    order = list(frame.columns)
    if current_language() != "th":
        return frame, {}, order
    frame = frame.copy()
    config = {}
    for column, label in labels.items():
        twin = column + ERA
        frame.insert(frame.columns.get_loc(column), twin,
                     pd.Series([date_label(d, "th") or None for d in frame[column]], index=frame.index, dtype="string"))
        config[twin] = st.column_config.TextColumn(t("date_era_label", label=label), disabled=True,
                                                   help=t("date_era_help"))
        order.insert(order.index(column), twin)
    return frame, config, order
