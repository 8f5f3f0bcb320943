"""Documents built by a worker (``jobs``): the time from asking for a document (the page's button) to its files
being in the store, on SQLite (the app's in-process executor) and on PostgreSQL (a ``python -m jobs worker`` process
already running), for the application (Word and PDF, charts drawn) and the workbook: the first build (charts
drawn, the builder's modules imported) and a build after a change of the store. And on PostgreSQL, a page's
statement while a build runs: the store's data version read in a loop beside the worker, its slowest time.

Run: .venv/bin/python bench/bench_jobs.py [--engines sqlite,postgresql]
(PostgreSQL: inside tests/postgres_cluster.py, which sets PMQA_TEST_DATABASE.)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import jobs  # noqa: E402
from storage import open_store  # noqa: E402
from storage.admin import jobs as store_jobs  # noqa: E402
from storage.db import data_version  # noqa: E402
from storage.organisation import accounts, org  # noqa: E402
from storage.record import department  # noqa: E402

YEAR = 2570
KINDS = [("application", {"year": YEAR}), ("workbook", {"year": YEAR, "source": "best"})]


def one(db, user, kind: str, parameters: dict) -> float:
    started = time.perf_counter()
    job_id = jobs.request(db, user, kind, parameters, "th")
    while store_jobs.get(db, user, job_id)["state"] in store_jobs.ACTIVE:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    assert store_jobs.get(db, user, job_id)["state"] == "done"
    return elapsed


def measure(engine: str, location) -> None:
    db = open_store(location)
    committee = accounts.authenticate(db, "demo-committee", "demo-pass")
    if department.get(db, committee, YEAR) is None:  # the demo as the app makes it has one
        department.start(db, committee, YEAR)
    worker = None
    if engine == "postgresql":
        worker = subprocess.Popen([sys.executable, "-m", "jobs", "worker", "--db", str(location), "--poll", "0.5"],
                                  cwd=ROOT, stderr=subprocess.DEVNULL)
        time.sleep(4)  # started and listening, as a deployed one is
    try:
        for kind, parameters in KINDS:
            first = one(db, committee, kind, parameters)
            org.add_unit(db, f"B{kind[:3]}", "หน่วยทดสอบ", "Bench unit")  # the store changed: built again
            again = one(db, committee, kind, parameters)
            print(f"{engine:10} {kind:12} asked for -> files in the store: first {first:5.2f} s, after a change "
                  f"{again:5.2f} s")
        if engine == "postgresql":
            job_id = jobs.request(db, committee, "application", {"year": YEAR}, "en")
            slowest, reads = 0.0, 0
            while store_jobs.get(db, committee, job_id)["state"] in store_jobs.ACTIVE:
                started = time.perf_counter()
                data_version(db)
                slowest, reads = max(slowest, time.perf_counter() - started), reads + 1
            print(f"{engine:10} while the application is built: {reads} reads of the data version, slowest "
                  f"{slowest * 1000:.1f} ms")
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        if engine == "sqlite":
            measure(engine, Path(tempfile.mkdtemp()) / "bench-jobs.db")
        else:
            from stores import new_location, on_server

            if not on_server():
                sys.exit("postgresql: run inside tests/postgres_cluster.py (PMQA_TEST_DATABASE)")
            measure(engine, new_location(Path(tempfile.mkdtemp()), "bench"))
    os._exit(0)  # the in-process executor's idle threads need not be waited for


if __name__ == "__main__":
    main()
