"""Benchmark of every page for every role, against a reference page measured in the same process.

For each page a role can open on the demo store (and each tab of the overview), under AppTest:
- the cached run: a rerun with nothing changed (what a click that saves nothing costs), and
- the run right after a save: on the self-assessment and review pages the page's own save (a tick, through
  its callback), elsewhere another user's save (the demo unit ticks a checkpoint), which moves the data
  version so every cache keyed by it is rebuilt.
Each is the median of repeated runs, shown in milliseconds and as a ratio to the reference page
(bench/reference_page.py: seven Plotly Express charts of 100 points and two 100-row tables), so the
figures travel between machines. The overview is also measured on a generated store of 300 units x 3 cycles.

Run: .venv/bin/python bench/bench_pages.py [--runs 9] [--large-units 300] [--engines sqlite,postgresql] [--ministry 20]
With ``--ministry N``: a generated ministry of N departments (``--ministry-units`` each) on PostgreSQL, its
viewer's roll-up page and a department's overview as the ministry reads it, after a save in one department.
Aims: every page at most 1.5x the reference on the demo store; the overview at most 3x on the large store; on
PostgreSQL, every page within 1.2x of the same page on SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streamlit.testing.v1 import AppTest  # noqa: E402

from i18n import translate  # noqa: E402
from storage import connect, open_store  # noqa: E402
from storage.admin import demo  # noqa: E402
from storage.assessment import answers, assessments  # noqa: E402
from storage.organisation.accounts import authenticate  # noqa: E402
from ui.admin import TABS as ADMIN_TABS  # noqa: E402


class _NotInAScriptRun(logging.Filter):
    """AppTest sets session state from this thread, outside any script run (on every new AppTest, and for each
    tab chosen), and Streamlit logs "missing ScriptRunContext" each time: hundreds of lines between the figures.
    Only that message of that logger is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "missing ScriptRunContext" not in record.getMessage()


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NotInAScriptRun())

APP = str(ROOT / "streamlit_app.py")
REFERENCE = str(ROOT / "bench" / "reference_page.py")
YEAR = 2570
DEMO_AIM, LARGE_AIM = 1.5, 3.0
ENGINE_AIM = 1.2  # a page on PostgreSQL against the same page on SQLite
USERS = {"unit": "demo-unit", "committee": "demo-committee", "director": "demo-director", "admin": "demo-admin",
         "ministry_viewer": "ministry-viewer"}
OVERVIEW_TABS = {"ov_tab_categories": "categories", "ov_tab_units": "units", "ov_tab_ofi": "OFIs and award path",
                 "ov_tab_trend": "trend", "ov_tab_kpi": "category-7 KPIs"}


@dataclass(frozen=True)
class Case:
    role: str
    page: str  # page file, relative to the project
    name: str
    prepare: Callable[[AppTest], None] | None = None  # choose a variant once (a category, a tab)
    own_save: Callable[[AppTest, int], None] | None = None  # the page's own save, the n-th time


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed_runs(action: Callable[[int], None], runs: int) -> float:
    samples = []
    for n in range(runs):
        start = time.perf_counter()
        action(n)
        samples.append(time.perf_counter() - start)
    return median_ms(samples)


def checked(at: AppTest) -> AppTest:
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return at


def signed_in(role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = "th"
    at.run()
    at.text_input(key="login_username").input(USERS[role])
    at.text_input(key="login_password").input(demo.DEMO_PASSWORD)
    return checked(at.main.button[0].click().run())


def category(n: int, scope: str) -> Callable[[AppTest], None]:
    def choose(at: AppTest) -> None:
        checked(at.segmented_control(key=f"{scope}:category").set_value(n).run())
    return choose


def tab(widget_key: str, label_key: str) -> Callable[[AppTest], None]:
    """Open a page's tab, as a click on it does."""
    def choose(at: AppTest) -> None:
        at.session_state[widget_key] = translate(label_key, "th")
        checked(at.run())
    return choose


def overview_tab(label_key: str) -> Callable[[AppTest], None]:
    return tab("ov_tab", label_key)


def tick(widget_key: str) -> Callable[[AppTest, int], None]:
    def save(at: AppTest, n: int) -> None:
        checked(at.checkbox(key=widget_key).set_value(n % 2 == 0).run())
    return save


def enter(widget_key: str) -> Callable[[AppTest, int], None]:
    def save(at: AppTest, n: int) -> None:
        checked(at.number_input(key=widget_key).set_value(80.0 + n % 2).run())
    return save


def cases(large: bool) -> list[Case]:
    overview = [Case(role, "pages/overview.py", f"overview · {name}", overview_tab(tab))
                for role in ("director", "committee", "admin") for tab, name in OVERVIEW_TABS.items()]
    if large:
        return [c for c in overview if c.role == "director"]
    return [
        *(Case(role, "pages/home.py", "home") for role in USERS),
        Case("unit", "pages/self_assessment.py", "self-assessment · category 1", category(1, "sa"),
             tick("sa:cp:1.1.B1")),
        Case("unit", "pages/self_assessment.py", "self-assessment · category 7", category(7, "sa"),
             enter(f"sa:kpi:RM1:{YEAR}")),
        Case("committee", "pages/review.py", "review · category 1", category(1, "rv"), tick("rv:cp:1.1.B1")),
        Case("committee", "pages/review.py", "review · category 7", category(7, "rv"), enter(f"rv:kpi:RM1:{YEAR}")),
        Case("admin", "pages/review.py", "review (read-only) · category 1", category(1, "rv")),
        *(Case(role, "pages/ofi_register.py", f"OFI register · {name}", tab("ofi_tab", key))
          for role in ("committee", "admin") for key, name in (("ofi_tab_register", "register"),
                                                               ("ofi_tab_gaps", "from gaps"),
                                                               ("ofi_tab_manual", "by hand"))),
        *(Case("admin", "pages/admin.py", f"administration · {tab_id}", tab("adm_tab", key))
          for tab_id, key in ADMIN_TABS.items()),
        *overview,
    ]


class OtherUsersSave:
    """The committee re-ticks 1.1.B1 on the first submitted 2570 assessment: a real save that changes the
    department's reviewed figures (and moves the data version, so every cache keyed by it is rebuilt). In a
    generated ministry, the first department's committee."""

    def __init__(self, path, committee: str = USERS["committee"]):
        self.db = connect(path)
        self.user = authenticate(self.db, committee, demo.DEMO_PASSWORD)
        table = assessments.status_table(self.db, self.user, YEAR)
        self.aid = int(table.loc[table["status"] == "submitted", "assessment_id"].iloc[0])

    def __call__(self, n: int) -> None:
        version = self.db.execute("SELECT version FROM assessments WHERE id = ?", [self.aid]).fetchone()[0]
        answers.save_checkpoints(self.db, self.user, self.aid, version, {"1.1.B1": n % 2 == 0}, source="review")


def measure(case: Case, path, runs: int, committee: str = USERS["committee"]) -> tuple[float, float]:
    os.environ["PMQA_DB"] = str(path)
    at = signed_in(case.role)
    checked(at.switch_page(case.page).run())
    if case.prepare:
        case.prepare(at)
    checked(at.run())  # warm
    cached = timed_runs(lambda _n: at.run(), runs)
    if case.own_save:
        after_save = timed_runs(lambda n: case.own_save(at, n), runs)
    else:
        other = OtherUsersSave(path, committee)
        # the save happens outside the timing; the page run after it is timed
        samples = []
        for n in range(runs):
            other(n)
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
        after_save = median_ms(samples)
        other.db.close()
    checked(at)
    return cached, after_save


def reference_ms(runs: int) -> float:
    at = AppTest.from_file(REFERENCE, default_timeout=60)
    checked(at.run())
    return timed_runs(lambda _n: at.run(), runs)


def report(title: str, rows: list[tuple[Case, float, float]], reference: float, aim: float) -> bool:
    print(f"\n{title} (reference page {reference:.0f} ms; aim at most {aim:g}x)")
    print(f"| {'role':<9} | {'page':<36} | {'cached ms':>9} | {'ratio':>5} | {'after a save ms':>15} | {'ratio':>5} |")
    print(f"|{'-' * 11}|{'-' * 38}|{'-' * 11}|{'-' * 7}|{'-' * 17}|{'-' * 7}|")
    worst = 0.0
    for case, cached, after in rows:
        worst = max(worst, cached / reference, after / reference)
        print(f"| {case.role:<9} | {case.name:<36} | {cached:>9.0f} | {cached / reference:>5.2f} | {after:>15.0f} "
              f"| {after / reference:>5.2f} |")
    ok = worst <= aim
    print(f"worst ratio {worst:.2f}: {'PASS' if ok else 'FAIL'} (aim at most {aim:g}x)")
    return ok


def stores(engine: str, folder: Path, large_units: int, stack: contextlib.ExitStack) -> tuple:
    """The demo and the large store on ``engine``: files in ``folder``, or databases of a throw-away cluster."""
    if engine == "sqlite":
        demo_at, large_at = folder / "demo.db", folder / "large.db"
    else:
        import psycopg
        from postgres_cluster import cluster, wait_ready

        address = stack.enter_context(cluster())
        wait_ready(address)
        with psycopg.connect(address, autocommit=True) as conn:
            for name in ("demo", "large"):
                conn.execute(f"CREATE DATABASE {name}")
        demo_at, large_at = (address.rsplit("/", 1)[0] + f"/{name}" for name in ("demo", "large"))
    open_store(demo_at).close()
    start = time.perf_counter()
    large = connect(large_at)
    demo.populate(large, units=demo.many_units(large_units))
    if engine == "postgresql":
        for location in (demo_at, large_at):  # as autovacuum soon would: fresh tables have no planner statistics
            with contextlib.closing(connect(location)) as db:
                db.execute("ANALYZE")
    large.close()
    print(f"{engine}: generated the large store ({large_units} units x 3 cycles) in "
          f"{time.perf_counter() - start:.1f} s")
    return demo_at, large_at


MINISTRY_CASES = [Case("ministry_viewer", "pages/ministry.py", "ministry · roll-up"),
                  Case("ministry_viewer", "pages/overview.py", "ministry · a department's overview",
                       overview_tab("ov_tab_categories"))]


def ministry_store(folder: Path, departments: int, units: int, stack: contextlib.ExitStack) -> str:
    """A generated ministry (``demo.populate_ministry``) in a database of a throw-away cluster, with its viewer."""
    import psycopg
    from postgres_cluster import cluster, wait_ready

    from storage.organisation import accounts, ministry

    address = stack.enter_context(cluster())
    wait_ready(address)
    with psycopg.connect(address, autocommit=True) as conn:
        conn.execute("CREATE DATABASE ministry")
    location = address.rsplit("/", 1)[0] + "/ministry"
    start = time.perf_counter()
    with contextlib.closing(connect(location)) as db:
        demo.populate_ministry(db, departments, units)
        db.act_for(ministry.ministry(db)["id"])
        accounts.create_user(db, USERS["ministry_viewer"], demo.DEMO_PASSWORD, "ministry_viewer", weak_password=True)
        db.execute("ANALYZE")
    print(f"postgresql: generated a ministry of {departments} departments x {units} units x 3 cycles in "
          f"{time.perf_counter() - start:.0f} s")
    return location


def side_by_side(results: dict[tuple[str, str], list]) -> bool:
    """Each page's cached run and run after a save on PostgreSQL as a ratio to SQLite's."""
    print(f"\nPostgreSQL against SQLite (aim at most {ENGINE_AIM:g}x)")
    print(f"| {'store':<6} | {'role':<9} | {'page':<36} | {'cached ratio':>12} | {'after a save ratio':>18} |")
    print(f"|{'-' * 8}|{'-' * 11}|{'-' * 38}|{'-' * 14}|{'-' * 20}|")
    worst = 0.0
    for store in ("demo", "large"):  # a ministry is PostgreSQL's only
        lite, server = results.get(("sqlite", store), []), results.get(("postgresql", store), [])
        for (case, cached, after), (_, cached_pg, after_pg) in zip(lite, server, strict=True):
            worst = max(worst, cached_pg / cached, after_pg / after)
            print(f"| {store:<6} | {case.role:<9} | {case.name:<36} | {cached_pg / cached:>12.2f} "
                  f"| {after_pg / after:>18.2f} |")
    ok = worst <= ENGINE_AIM
    print(f"worst ratio {worst:.2f}: {'PASS' if ok else 'FAIL'} (aim at most {ENGINE_AIM:g}x)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--large-units", type=int, default=300)
    parser.add_argument("--only", help="measure only cases whose page name contains this text")
    parser.add_argument("--engines", default="sqlite", help="sqlite, postgresql or both: sqlite,postgresql")
    parser.add_argument("--ministry", type=int, default=0,
                        help="also a generated ministry of this many departments on PostgreSQL: its roll-up page and a "
                             "department's overview as the ministry reads it (aim at most 1.5x the reference)")
    parser.add_argument("--ministry-units", type=int, default=50)
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    reference = reference_ms(args.runs * 2)
    results: dict[tuple[str, str], list] = {}
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        for engine in engines:
            demo_at, large_at = stores(engine, Path(folder), args.large_units, stack)
            for store, location, large_store in (("demo", demo_at, False), ("large", large_at, True)):
                chosen = [c for c in cases(large_store) if not args.only or args.only in c.name]
                results[engine, store] = [(c, *measure(c, location, args.runs)) for c in chosen]
        if args.ministry:
            location = ministry_store(Path(folder), args.ministry, args.ministry_units, stack)
            results["postgresql", "ministry"] = [(c, *measure(c, location, args.runs, "d01-committee"))
                                                 for c in MINISTRY_CASES if not args.only or args.only in c.name]
    reference_after = reference_ms(args.runs * 2)  # the machine may have changed pace: take the mean
    reference = (reference + reference_after) / 2
    titles = {"demo": "demo store (20 units)", "large": f"large store ({args.large_units} units)",
              "ministry": f"a ministry of {args.ministry} departments x {args.ministry_units} units"}
    ok = [report(f"{engine}: {titles[store]}", rows, reference, LARGE_AIM if store == "large" else DEMO_AIM)
          for (engine, store), rows in results.items() if rows]
    if len(engines) > 1:
        ok.append(side_by_side(results))
    print(f"\nall aims met: {'PASS' if all(ok) else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
