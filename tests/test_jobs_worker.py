"""The worker of a PostgreSQL store, as deployed: ``python -m jobs worker`` processes started by the test on the
store's database (Procrastinate's queue in it). One builds a document asked for through the same interface the page
uses; one killed with SIGKILL in the middle of a build leaves its job running with nothing written, a second worker
finds it stalled (its heartbeat stopped), puts it back in the queue and builds it, and no file is ever offered
before the whole one is. The build is made slow by the test-only pause between its steps (``PMQA_JOB_STEP_PAUSE``,
``jobs.kinds``): the real builder, the real database. On SQLite there is no worker (test_jobs_executor.py)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from stores import on_server

import jobs
from storage.admin import jobs as store_jobs

pytestmark = pytest.mark.skipif(not on_server(), reason="PostgreSQL only: its worker processes (make test-postgres); "
                                                        "SQLite's in-process executor: test_jobs_executor.py")
ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = {"year": 2570, "source": "best"}
NAME = "pmqa-workbook-2570-best-th.xlsx"
FAST = ["--heartbeat", "0.5", "--stalled-after", "2", "--check-every", "0.5", "--poll", "0.3"]


@contextmanager
def worker(location, log: Path, pause: float = 0):
    """``python -m jobs worker`` on the store, stopped (SIGTERM) at the end unless already gone."""
    env = {**os.environ, "PMQA_JOB_STEP_PAUSE": str(pause), "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "jobs", "worker", "--db", str(location), *FAST], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def watch(db, user, job_id: int, until, timeout: float = 90) -> tuple[dict, list[dict]]:
    """The job looked at every 20 ms, as a page would, until ``until(job)``; (the job then, every state seen)."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        job = store_jobs.get(db, user, job_id)
        seen.append(job)
        if until(job):
            return job, seen
        assert time.monotonic() < deadline, f"job {job_id} stayed {job['state']} at {job['step']}"
        time.sleep(0.02)


def documents_in_store(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM stored_files WHERE name LIKE 'documents/%' ORDER BY name")]


def test_a_worker_process_builds_the_document_asked_for(demo_db, demo_user, tmp_path):
    director = demo_user("director")
    with worker(demo_db.location, tmp_path / "worker.log") as process:
        started = time.monotonic()
        job_id = jobs.request(demo_db, director, "workbook", WORKBOOK, "th")
        job, _ = watch(demo_db, director, job_id, lambda j: j["state"] not in store_jobs.ACTIVE)
        elapsed = time.monotonic() - started
        assert job["state"] == "done", (job, (tmp_path / "worker.log").read_text())
        assert job["queue_id"] and job["worker"].split(":")[2].startswith("queue-")
        data = store_jobs.read_file(demo_db, director, job_id, NAME)[2]
        assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames
        print(f"workbook asked for to built, worker already running: {elapsed:.2f} s")
        process.send_signal(signal.SIGTERM)  # a graceful stop
        assert process.wait(30) == 0
    assert demo_db.execute("SELECT COUNT(*) FROM procrastinate_workers").fetchone()[0] == 0  # it said goodbye


def test_a_worker_killed_mid_build_has_its_job_built_by_another_and_no_partial_file_is_offered(demo_db, demo_user,
                                                                                               tmp_path):
    director = demo_user("director")
    log = tmp_path / "workers.log"
    job_id = jobs.request(demo_db, director, "workbook", WORKBOOK, "th")
    with worker(demo_db.location, log, pause=1.0) as first:
        job, seen = watch(demo_db, director, job_id, lambda j: j["step"] == "doc_step_workbook")  # mid-build
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_in = job["worker"]
    job = store_jobs.get(demo_db, director, job_id)
    assert (job["state"], job["files"], job["attempts"]) == ("running", [], 1)
    assert documents_in_store(demo_db) == []  # nothing of the killed build was written
    with pytest.raises(Exception, match="error_job_not_done"):
        store_jobs.read_file(demo_db, director, job_id, NAME)

    with worker(demo_db.location, log):  # another worker (or the same one restarted)
        job, later = watch(demo_db, director, job_id, lambda j: j["state"] not in store_jobs.ACTIVE)
    seen += later
    assert job["state"] == "done", log.read_text()
    assert job["attempts"] == 2 and job["worker"] != killed_in
    assert all(j["files"] == [] for j in seen if j["state"] != "done")  # never a file before the job was done
    assert [f["stored"] for f in job["files"]] == documents_in_store(demo_db)  # and only the whole one
    data = store_jobs.read_file(demo_db, director, job_id, NAME)[2]
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    actions = [r[0] for r in demo_db.execute("SELECT action FROM audit_log WHERE entity = 'document_job' AND "
                                             "entity_id = ? ORDER BY id", [str(job_id)])]
    assert actions == ["request", "start", "requeue", "start", "done"]
    assert "its worker stopped during the build; it is queued again" in log.read_text()
