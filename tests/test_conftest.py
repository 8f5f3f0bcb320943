"""conftest.app_runs_awaited_without_polling: AppTest's wait for a script run, without its polling, still
returns the run's elements once it ends and still fails a run that outlasts the timeout, as Streamlit's does."""

import pytest
from streamlit.testing.v1 import AppTest


def test_a_run_is_awaited_to_its_end():
    at = AppTest.from_string("import time, streamlit as st\ntime.sleep(0.3)\nst.write('done')").run(timeout=10)
    assert [m.value for m in at.markdown] == ["done"]


def test_a_run_longer_than_the_timeout_fails_with_streamlits_message():
    at = AppTest.from_string("import time, streamlit as st\ntime.sleep(1)\nst.write('late')")
    with pytest.raises(RuntimeError, match=r"^AppTest script run timed out after 0.1\(s\)$"):
        at.run(timeout=0.1)
