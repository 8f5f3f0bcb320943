"""Benchmark of the self-assessment form's saves on a copy of the demo database.

Prints the median of repeated runs of:
- one tick-box save (``answers.save_checkpoints``: version check, write, audit, commit);
- the save round trip the page makes: the save, then loading the form and its live scores again.
(The page runs themselves are in bench_pages.py.)

Run: .venv/bin/python bench/bench_form.py [--saves 200]
Aim: a save under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.self_assessment import live_scores, progress  # noqa: E402
from scoring import framework_for_year  # noqa: E402
from storage import open_store  # noqa: E402
from storage.admin.demo import DEMO_PASSWORD  # noqa: E402
from storage.assessment import answers, assessments  # noqa: E402
from storage.organisation.accounts import authenticate  # noqa: E402

SAVE_AIM_MS = 50.0


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




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        db = open_store(path)
        save, trip = bench_saves(db, args.saves)
        db.close()
    print(f"tick-box save (median of {args.saves}): {save:.1f} ms   aim < {SAVE_AIM_MS:.0f} ms: "
          f"{'PASS' if save < SAVE_AIM_MS else 'FAIL'}")
    print(f"save round trip with reload and live scores (median of {args.saves}): {trip:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
