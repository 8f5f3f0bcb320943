"""The overview's figures, cached by store, cycle, choices and data version: a new save changes
the version, so the next run recomputes and nothing stale is shown."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis.overview import Overview, overview
from storage import open_store
from storage.db import data_version
from ui import session
from ui.i18n import t


@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _cached(path: str, version: int, year: int, source: str, method: str, lang: str) -> Overview:
    db = open_store(path, demo_if_empty=False)
    try:
        return overview(db, year, source, method, lang)
    finally:
        db.close()


def load(year: int, source: str, method: str, lang: str) -> Overview:
    return _cached(str(session.db_path()), data_version(session.store()), year, source, method, lang)


def chart_block(fig: go.Figure, caption_key: str, data: pd.DataFrame, name: str, key: str, **chart) -> object:
    """A chart, its plain-language caption, and a download of its data as CSV (UTF-8 with BOM)."""
    event = st.plotly_chart(fig, width="stretch", key=key, **chart)
    left, right = st.columns([4, 1])
    left.caption(t(caption_key))
    right.download_button(t("ov_download_csv"), data.to_csv().encode("utf-8-sig"), file_name=f"{name}.csv",
                          mime="text/csv", key=f"{key}:csv", icon=":material/download:")
    return event
