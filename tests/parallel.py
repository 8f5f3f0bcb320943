"""The suite on several cores (pytest-xdist; `make test` runs ``-n auto``, one worker more than cores, with pyproject's
``--dist loadfile``): which test module a worker runs next.

Whole modules go to one worker each, as with xdist's ``loadfile``, so a module's fixtures are made once: a
browser module's ``server`` (its own `streamlit run`) and store, a unit module's module-scoped data. A browser
module (``test_e2e*.py``: its test, its server and its page in Chromium, three busy processes) goes to a worker
only while no other worker has one, so that browser modules run beside unit tests rather than beside each
other: the cores stay busy and a browser test never has two others' servers and Chromium pages competing with
it. When only browser modules are left, they run side by side; when none are left, unit modules fill every
worker. Each worker has its own ports (ports.py), temporary folders, demo template and Chromium (conftest.py).

Of the modules a worker may take, the longest goes first (durations.json: seconds per module, from a run's
JUnit report; a module not listed counts as the longest), so that the run does not end with one long module
alone on one core. A module's figure is the longer of its two engines' (a module of PostgreSQL only, skipped on
SQLite, would otherwise count as the shortest and be left to the end of a PostgreSQL run: the ministry's browser
module, 93 s, once ran alone for the run's last 90 s). Refresh the figures after adding or changing a module much:
``pytest -n auto --junitxml=sqlite.xml``, the same under ``make test-postgres`` into postgresql.xml, then
``python tests/parallel.py sqlite.xml postgresql.xml > tests/durations.json``. Only the order depends on them.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path, PurePath

from xdist.scheduler import LoadFileScheduling

BROWSER_MODULE_PREFIX = "test_e2e"
DURATIONS = Path(__file__).with_name("durations.json")


def is_browser_module(path: str | PurePath) -> bool:
    return PurePath(path).name.startswith(BROWSER_MODULE_PREFIX)


def durations() -> dict[str, float]:
    """Seconds per module file name, as last measured ({} when there are none)."""
    try:
        return {str(name): float(seconds) for name, seconds in json.loads(DURATIONS.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def measured(junit_xml: str | Path) -> dict[str, float]:
    """Seconds per module file name in a JUnit report (setup, call and teardown of its tests), longest first."""
    seconds: Counter[str] = Counter()
    for case in ElementTree.parse(junit_xml).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        name = next((part for part in module if part.startswith("test_")), None)
        if name:
            seconds[f"{name}.py"] += float(case.get("time") or 0)
    return {name: round(value, 1) for name, value in seconds.most_common()}


class BrowserBesideUnitScheduling(LoadFileScheduling):
    """``loadfile`` with two choices added: a browser module to a worker only when no other worker has one
    unfinished, else a unit module; and of those, the longest waiting."""

    def __init__(self, config, log=None) -> None:
        super().__init__(config, log)
        self.seconds = durations()

    def _assign_work_unit(self, node) -> None:
        elsewhere = any(is_browser_module(scope) and not all(done.values())
                        for other, work in self.assigned_work.items() if other is not node
                        for scope, done in work.items())
        browser = not elsewhere
        waiting = [scope for scope in self.workqueue if is_browser_module(scope) == browser]
        if waiting:
            chosen = max(waiting, key=lambda scope: self.seconds.get(PurePath(scope).name, float("inf")))
            self.workqueue.move_to_end(chosen, last=False)  # the base class hands out the first one waiting
        super()._assign_work_unit(node)


def longest(reports: list[str | Path]) -> dict[str, float]:
    """Per module, the longest of its figures in several JUnit reports (one per engine), longest first."""
    found: dict[str, float] = {}
    for report in reports:
        for name, seconds in measured(report).items():
            found[name] = max(found.get(name, 0.0), seconds)
    return dict(sorted(found.items(), key=lambda item: -item[1]))


if __name__ == "__main__":
    json.dump(longest(sys.argv[1:]), sys.stdout, indent=0)
    sys.stdout.write("\n")
