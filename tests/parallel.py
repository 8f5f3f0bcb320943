"""The suite on several cores (pytest-xdist; `make test` runs ``-n auto --maxprocesses 4`` with pyproject's
``--dist loadfile``): which test module a worker runs next.

Whole modules go to one worker each, as with xdist's ``loadfile``, so a module's fixtures are made once: a
browser module's ``server`` (its own `streamlit run`) and store, a unit module's module-scoped data. A browser
module (``test_e2e*.py``: its test, its server and its page in Chromium, three busy processes) goes to a worker
only while no other worker has one, so that browser modules run beside unit tests rather than beside each
other: the cores stay busy and a browser test never has two others' servers and Chromium pages competing with
it. When only browser modules are left, they run side by side; when none are left, unit modules fill every
worker. Each worker has its own ports (ports.py), temporary folders, demo template and Chromium (conftest.py).
"""

from __future__ import annotations

from pathlib import PurePath

from xdist.scheduler import LoadFileScheduling

BROWSER_MODULE_PREFIX = "test_e2e"


def is_browser_module(path: str | PurePath) -> bool:
    return PurePath(path).name.startswith(BROWSER_MODULE_PREFIX)


class BrowserBesideUnitScheduling(LoadFileScheduling):
    """``loadfile`` with one choice added: a browser module to a worker only when no other worker has one
    unfinished, else the first unit module waiting (xdist's order: most tests first)."""

    def _assign_work_unit(self, node) -> None:
        elsewhere = any(is_browser_module(scope) and not all(done.values())
                        for other, work in self.assigned_work.items() if other is not node
                        for scope, done in work.items())
        browser = not elsewhere
        chosen = next((scope for scope in self.workqueue if is_browser_module(scope) == browser), None)
        if chosen is not None:
            self.workqueue.move_to_end(chosen, last=False)  # the base class hands out the first one waiting
        super()._assign_work_unit(node)
