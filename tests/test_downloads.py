"""Every download button makes its file only when clicked, and its click does not rerun the page.

regression: a download whose click also reran the page raced that rerun, and the file sometimes never came
(one browser run in twenty under load): every download_button passes ``on_click="ignore"``.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
CALLS = [(path, node) for folder in ("ui", "pages") for path in sorted((ROOT / folder).rglob("*.py"))
         for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
         if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button"]


def test_there_are_download_buttons():
    assert len(CALLS) >= 5


@pytest.mark.parametrize(("path", "node"), CALLS, ids=[f"{p.name}:{n.lineno}" for p, n in CALLS])
def test_a_download_is_made_on_click_and_does_not_rerun_the_page(path, node):
    keywords = {k.arg: k.value for k in node.keywords}
    assert isinstance(keywords.get("on_click"), ast.Constant) and keywords["on_click"].value == "ignore"
    data = node.args[1] if len(node.args) > 1 else keywords.get("data")
    deferred = isinstance(data, ast.Lambda) or (isinstance(data, ast.Call) and getattr(data.func, "id", None)
                                                 in {"partial", "csv_of"})
    assert deferred, "pass a callable (partial(...), csv_of(...)), not the file's bytes"


def test_a_download_reads_in_the_users_language_with_rounded_numbers(monkeypatch):
    """Overview CSVs had English column names and long decimals."""
    import pandas as pd

    from i18n import translate
    from ui import overview_data

    monkeypatch.setattr(overview_data, "t", lambda key, **values: translate(key, "th", **values))
    frame = pd.DataFrame({"total": [330.2345], 1: [340.7123], "1.1": [100.0]}, index=pd.Index([2570], name="year"))
    shown = overview_data.readable(frame)
    assert list(shown.columns) == ["คะแนนรวม", "หมวด 1", "1.1"] and shown.index.name == "ปีงบประมาณ (พ.ศ.)"
    assert shown.iloc[0].tolist() == [330.23, 340.71, 100.0]
    text = overview_data.csv_of(frame)().decode("utf-8-sig")
    assert text.splitlines() == ["ปีงบประมาณ (พ.ศ.),คะแนนรวม,หมวด 1,1.1", "2570,330.23,340.71,100.0"]
