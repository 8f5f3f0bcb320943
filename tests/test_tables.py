"""Tables on every page, for every role: a missing value shows as a dash, never as Streamlit's "None"."""

from __future__ import annotations

import pytest

from storage.schema import ROLES
from ui.router import PAGES
from ui.text import MISSING


@pytest.mark.parametrize(("role", "path"), [(role, path) for path, (_, _, roles) in PAGES.items()
                                            for role in roles if role in ROLES])  # a ministry's: test_page_ministry
def test_no_table_shows_none_for_a_missing_value(app, role, path):
    """Streamlit shows "None" in an empty cell unless told otherwise: every table is told "–"."""
    at = app(role, page=path)
    tables = [*at.dataframe, *at.get("arrow_data_frame")]
    assert all(table.proto.placeholder == MISSING for table in tables), path
