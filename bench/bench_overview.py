"""Benchmark of the director overview: the demo store and a generated store of 300 units x 3 cycles.

Prints, for each store, the median of repeated runs of:
- computing the overview's figures (``analysis.overview.overview``, no cache), and
- a full run of the overview page under AppTest as the director (its cache warm, as users meet it),
  and a run right after a save (cache key changed, so the figures are recomputed).

Run: .venv/bin/python bench/bench_overview.py [--runs 5]
Aims: a page run under 1 s on the demo store and under 3 s on the large one.
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

from analysis.overview import overview  # noqa: E402
from storage import audit, connect, demo, open_store  # noqa: E402

AIMS_MS = {"demo (20 units)": 1000.0, "large (300 units)": 3000.0}


def median_ms(function, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def page_runs(path: Path, runs: int) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    os.environ["PMQA_DB"] = str(path)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.text_input(key="login_username").input("demo-director")
    at.text_input(key="login_password").input(demo.DEMO_PASSWORD)
    at.button[0].click().run()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    warm = median_ms(at.run, runs)
    db = connect(path)

    def after_save() -> None:
        audit.record(db, "bench", "touch", "store")  # any audited change moves the data version
        db.conn.commit()
        at.run()

    fresh = median_ms(after_save, runs)
    db.close()
    return warm, fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        stores = {"demo (20 units)": Path(folder) / "demo.db", "large (300 units)": Path(folder) / "large.db"}
        open_store(stores["demo (20 units)"]).close()
        large = connect(stores["large (300 units)"])
        start = time.perf_counter()
        demo.populate(large, units=demo.many_units(300))
        print(f"generated the large store in {time.perf_counter() - start:.1f} s")
        large.close()
        for name, path in stores.items():
            db = connect(path)
            compute = median_ms(lambda db=db: overview(db, 2570, "best", "mean"), args.runs)
            db.close()
            warm, fresh = page_runs(path, args.runs)
            aim = AIMS_MS[name]
            print(f"{name}: figures {compute:.0f} ms; page run cached {warm:.0f} ms, after a save {fresh:.0f} ms"
                  f"   aim < {aim:.0f} ms: {'PASS' if fresh < aim else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
