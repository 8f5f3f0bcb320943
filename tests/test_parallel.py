"""The scheduler of `make test`'s workers (parallel.py): browser modules one at a time beside unit modules,
the longest first, on pytest-xdist's own LoadFileScheduling."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from parallel import DURATIONS, BrowserBesideUnitScheduling, durations, longest, measured

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


class Worker:
    """What the scheduler asks of a worker: run these of its collected tests."""

    def __init__(self, collection: list[str]) -> None:
        self.collection, self.ran = collection, []
        self.shutting_down = False

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.ran += [self.collection[i] for i in indexes]


MODULES = {"tests/test_a.py": 2, "tests/test_b.py": 3, "tests/test_e2e_short.py": 1, "tests/test_e2e_long.py": 1,
           "tests/test_e2e_new.py": 1}


@pytest.fixture
def scheduler() -> BrowserBesideUnitScheduling:
    sched = BrowserBesideUnitScheduling.__new__(BrowserBesideUnitScheduling)
    sched.workqueue = OrderedDict((module, {f"{module}::t{i}": False for i in range(n)})
                                  for module, n in MODULES.items())
    sched.assigned_work, sched.registered_collections = {}, {}
    sched.seconds = {"test_a.py": 5, "test_b.py": 1, "test_e2e_short.py": 10, "test_e2e_long.py": 60}
    return sched


def worker(sched) -> Worker:
    node = Worker([nodeid for tests in sched.workqueue.values() for nodeid in tests])
    sched.registered_collections[node] = node.collection
    return node


def test_browser_modules_one_at_a_time_beside_unit_modules_the_longest_first(scheduler):
    first, second = worker(scheduler), worker(scheduler)
    scheduler._assign_work_unit(first)
    scheduler._assign_work_unit(second)
    # a module not measured yet counts as the longest; the other worker then takes a unit module, the longer
    assert list(scheduler.assigned_work[first]) == ["tests/test_e2e_new.py"]
    assert list(scheduler.assigned_work[second]) == ["tests/test_a.py"]
    scheduler._assign_work_unit(second)  # a browser module is still running elsewhere
    assert list(scheduler.assigned_work[second])[-1] == "tests/test_b.py"
    for done in scheduler.assigned_work[first].values():  # the browser module ends
        done.update(dict.fromkeys(done, True))
    scheduler._assign_work_unit(second)
    assert list(scheduler.assigned_work[second])[-1] == "tests/test_e2e_long.py"
    scheduler._assign_work_unit(first)  # only browser modules are left: side by side
    assert list(scheduler.assigned_work[first])[-1] == "tests/test_e2e_short.py"
    assert second.ran[-1] == "tests/test_e2e_long.py::t0" and not scheduler.workqueue


def test_durations_come_from_a_junit_report(tmp_path):
    report = tmp_path / "run.xml"
    report.write_text('<testsuites><testsuite name="pytest">'
                      '<testcase classname="tests.test_a" name="x" time="1.5"/>'
                      '<testcase classname="tests.test_a" name="y" time="2.0"/>'
                      '<testcase classname="tests.test_e2e_b" name="z" time="9"/>'
                      '<testcase classname="scoring.rules" name="doc" time="0.1"/>'
                      '</testsuite></testsuites>')
    assert measured(report) == {"test_e2e_b.py": 9.0, "test_a.py": 3.5}


def test_a_module_counts_as_its_longest_engine(tmp_path):
    """A module of PostgreSQL only takes its PostgreSQL figure, not the SQLite run's few milliseconds of skips."""
    sqlite, postgresql = tmp_path / "sqlite.xml", tmp_path / "postgresql.xml"
    case = '<testcase classname="tests.{}" name="x" time="{}"/>'
    for report, cases in ((sqlite, [("test_a", 5), ("test_e2e_ministry", 0.01)]),
                          (postgresql, [("test_a", 4), ("test_e2e_ministry", 93)])):
        report.write_text('<testsuites><testsuite name="pytest">' + "".join(case.format(*c) for c in cases) +
                          "</testsuite></testsuites>")
    assert longest([sqlite, postgresql]) == {"test_e2e_ministry.py": 93.0, "test_a.py": 5.0}
    assert list(longest([sqlite, postgresql])) == ["test_e2e_ministry.py", "test_a.py"]


def test_the_committed_durations_name_every_browser_module():
    known = durations()
    assert known, f"{DURATIONS.name} is missing or unreadable"
    browser_modules = {path.name for path in DURATIONS.parent.glob("test_e2e*.py")}
    assert browser_modules <= set(known), f"refresh {DURATIONS.name} (see parallel.py)"
