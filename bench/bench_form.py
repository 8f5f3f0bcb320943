"""Benchmark of the self-assessment form on a copy of the demo database.

Prints the median of repeated runs of:
- one tick-box save (``answers.save_checkpoints``: version check, write, audit, commit);
- the save round trip the page makes: the save, then loading the form and its live scores again;
- a full run of the form page under AppTest, signed in as the demo unit (categories 1 and 7).

Run: .venv/bin/python bench/bench_form.py [--saves 200] [--runs 15]
Aims: a save under 50 ms, a page run under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.self_assessment import live_scores, progress  # noqa: E402
from scoring import framework_for_year  # noqa: E402
from storage import answers, assessments, open_store  # noqa: E402
from storage.accounts import authenticate  # noqa: E402
from storage.demo import DEMO_PASSWORD  # noqa: E402

SAVE_AIM_MS, PAGE_AIM_MS = 50.0, 1000.0


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_saves(db, count: int) -> tuple[float, float]:
    user = authenticate(db, "demo-unit", DEMO_PASSWORD)
    found = assessments.get(db, user.unit_id, 2570)
    framework = framework_for_year(2570)
    version = found["version"]
    saves, trips = [], []
    for n in range(count):
        start = time.perf_counter()
        version = answers.save_checkpoints(db, user, found["id"], version, {"1.1.B1": n % 2 == 0})
        saved = time.perf_counter()
        form = answers.load(db, user, found["id"])
        live_scores(form, framework)
        progress(form, framework)
        done = time.perf_counter()
        saves.append(saved - start)
        trips.append(done - start)
    return median_ms(saves), median_ms(trips)


def bench_page(path: Path, runs: int) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    os.environ["PMQA_DB"] = str(path)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.text_input(key="login_username").input("demo-unit")
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    at.button[0].click().run()
    at.switch_page("pages/self_assessment.py").run()
    results = []
    for category in (1, 7):
        at.segmented_control(key="sa:category").set_value(category).run()
        assert not at.exception, [e.value for e in at.exception]
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            samples.append(time.perf_counter() - start)
        results.append(median_ms(samples))
    return results[0], results[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        db = open_store(path)
        save, trip = bench_saves(db, args.saves)
        db.close()
        page_1, page_7 = bench_page(path, args.runs)
    print(f"tick-box save (median of {args.saves}): {save:.1f} ms   aim < {SAVE_AIM_MS:.0f} ms: "
          f"{'PASS' if save < SAVE_AIM_MS else 'FAIL'}")
    print(f"save round trip with reload and live scores (median of {args.saves}): {trip:.1f} ms")
    print(f"form page run, category 1 (median of {args.runs}): {page_1:.0f} ms   aim < {PAGE_AIM_MS:.0f} ms: "
          f"{'PASS' if page_1 < PAGE_AIM_MS else 'FAIL'}")
    print(f"form page run, category 7 (median of {args.runs}): {page_7:.0f} ms   aim < {PAGE_AIM_MS:.0f} ms: "
          f"{'PASS' if page_7 < PAGE_AIM_MS else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
