"""The suite's own fixtures (conftest.py): AppTest's wait for a script run, without its polling, still returns the
run's elements once it ends and still fails a run that outlasts the timeout, as Streamlit's does; a test marked
engine_free (skipped on PostgreSQL) cannot open a store."""

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


def test_a_run_is_awaited_to_its_end():
    at = AppTest.from_string("import time, streamlit as st\ntime.sleep(0.3)\nst.write('done')").run(timeout=10)
    assert [m.value for m in at.markdown] == ["done"]


def test_a_run_longer_than_the_timeout_fails_with_streamlits_message():
    at = AppTest.from_string("import time, streamlit as st\ntime.sleep(1)\nst.write('late')")
    with pytest.raises(RuntimeError, match=r"^AppTest script run timed out after 0.1\(s\)$"):
        at.run(timeout=0.1)


def test_a_test_marked_engine_free_cannot_open_a_store(tmp_path):
    from conftest import StoreRefused

    from storage import connect

    with pytest.raises(StoreRefused, match="marked engine_free but opens a store"):
        connect(tmp_path / "store.db")
