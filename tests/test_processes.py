"""tests/processes.py: a process for a test starts and runs even after Streamlit's AppTest has put its own
script in ``__main__`` (a child runs the parent's ``__main__`` again, and AppTest's script fails there)."""

from __future__ import annotations

import sys

import processes
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


def _app() -> None:
    import streamlit as st

    st.write("a script of AppTest's")


def test_a_process_starts_after_an_apptest_run():
    AppTest.from_function(_app).run()
    assert getattr(sys.modules["__main__"], "__file__", None)  # AppTest's script is __main__ now
    context = processes.context()
    barrier, results = context.Barrier(1), context.Queue()  # kept here until the child has them
    worker = context.Process(target=processes.connect_in_turn, args=([], barrier, results))
    processes.start(worker)
    worker.join(timeout=60)
    assert worker.exitcode == 0
