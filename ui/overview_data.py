"""The overview's figures, each part cached on its own by store, data version, cycle and choices: the page
asks only for the parts on screen, and a new save changes the version, so nothing stale is ever shown."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import overview
from reports.cells import literal_frame
from storage.db import data_version
from ui import session
from ui.i18n import t

PARTS = {"headline": overview.headline, "comparison": overview.comparison, "gaps": overview.gaps,
         "path": overview.award_path, "trend": overview.trend, "kpis": overview.kpi_department, "lens": overview.lens}
READS_SCORES = {"headline", "comparison", "gaps", "path", "trend", "lens"}  # the parts that take ``scores_of``


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _scores(path: str, version: str, year: int, source: str, method: str):
    """One cycle's scores, read once per data version for every part that needs them (``path`` and ``version``
    key the cache; the store read is the run's own, ``session.store()``, which is at ``path``)."""
    return overview.scores_reader(session.store(), method)(year, source)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _cached(part: str, path: str, version: str, **choices):
    if part in READS_SCORES:  # a cycle's scores from this cache, shared by the parts of the same version
        method = choices["method"]
        choices["scores_of"] = lambda year, source: _scores(path, version, year, source, method)
    return PARTS[part](session.store(), **choices)


def load(part: str, **choices):
    """``part`` of the overview (a function of ``analysis.overview``) for ``choices`` (its keyword
    arguments), from the cache while the store is unchanged."""
    return _cached(part, str(session.db_path()), data_version(session.store()), **choices)


# The overview's column names -> catalogue keys of their headings in a download; categories 1-7 are named too.
HEADINGS = {"score": "score", "self": "rv_self_total", "review": "rv_review_total", "difference": "rv_difference",
            "total": "total_score", "kind": "ov_kind", "ref": "ov_ref", "item": "ov_item", "category": "category",
            "level": "level", "units": "ov_path_units", "unit_ids": "unit", "points": "ofi_col_points",
            "text": "ov_action", "kpi": "ov_kpi", "name": "sa_kpi_name", "fiscal_year": "ovc_year_axis",
            "value": "ovc_kpi_value", "target": "ovc_target", "floor": "ovc_floor", "ceiling": "ovc_ceiling",
            "year": "ovc_year_axis", "unit": "unit"}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as people read it in a download: headings in the user's language (categories "หมวด 3"), and
    numbers to two decimals."""
    def heading(name):
        if isinstance(name, int | float) and not isinstance(name, bool) and 1 <= name <= 7:
            return t("category_short", n=int(name))
        return t(HEADINGS[name]) if name in HEADINGS else name

    shown = frame.rename(columns=heading).round(2)
    shown.index = shown.index.rename(heading(shown.index.name)) if shown.index.name is not None else shown.index
    return shown


def csv_of(frame: pd.DataFrame, index: bool = True):
    """The frame as CSV (UTF-8 with BOM, which Excel reads as Thai), with readable headings and rounded
    numbers, made only when the button is clicked. Such buttons take ``on_click="ignore"``: a click that also
    reran the page raced the download, which then sometimes never came (seen once in 20 browser runs under
    load)."""
    return lambda: literal_frame(readable(frame)).to_csv(index=index).encode("utf-8-sig")


def chart_block(fig: go.Figure, caption_key: str, data: pd.DataFrame, name: str, key: str, **chart) -> object:
    """A chart, its plain-language caption, and a download of its data as CSV (UTF-8 with BOM)."""
    event = st.plotly_chart(fig, width="stretch", key=key, **chart)
    left, right = st.columns([4, 1])
    left.caption(t(caption_key))
    right.download_button(t("ov_download_csv"), csv_of(data), file_name=f"{name}.csv", mime="text/csv",
                          key=f"{key}:csv", icon=":material/download:", on_click="ignore")
    return event
