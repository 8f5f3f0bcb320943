"""Jobs run by the app's own process on a SQLite store (``jobs.executor``): a document asked for is built on a
background thread while the caller goes on, its progress visible in the store; a job left running by a process
that was killed is built again when the app attends to its queue; a build the store refuses says why, and one that
keeps killing its worker fails with a fault reference. (The PostgreSQL worker: test_jobs_worker.py.)"""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
from stores import only_on_sqlite

import jobs
from jobs.run import run_claimed
from storage.admin import jobs as store_jobs

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = {"year": 2570, "source": "best"}


def poll(db, job_id: int, until, timeout: float = 60) -> dict:
    """The job as the store has it, looked at every 20 ms until ``until(job)`` (what a page does, faster)."""
    deadline = time.monotonic() + timeout
    while True:
        job = store_jobs.get(db, store_jobs.requester(db, store_jobs._one(db, job_id)), job_id)
        if until(job):
            return job
        assert time.monotonic() < deadline, f"job {job_id} stayed {job['state']}"
        time.sleep(0.02)


@only_on_sqlite("the in-process executor; on PostgreSQL the worker processes build (test_jobs_worker.py)")
def test_a_document_is_built_on_a_background_thread_while_the_caller_goes_on(demo_db, demo_user, monkeypatch):
    monkeypatch.setenv("PMQA_JOB_STEP_PAUSE", "0.3")  # each step of the build waits: its progress can be seen
    director = demo_user("director")
    job_id = jobs.request(demo_db, director, "workbook", WORKBOOK, "th")
    assert store_jobs.get(demo_db, director, job_id)["state"] in store_jobs.ACTIVE  # asked for, not built yet
    running = poll(demo_db, job_id, lambda job: job["step"] == "doc_step_workbook")
    assert running["state"] == "running" and 0 < running["progress"] < 1 and not running["files"]
    assert ":in-process-" in running["worker"]
    assert any(t.name.startswith("pmqa-jobs-") for t in threading.enumerate())
    assert jobs.wait(demo_db, 60)
    job = store_jobs.get(demo_db, director, job_id)
    assert (job["state"], job["attempts"], job["progress"]) == ("done", 1, 1.0)
    data = store_jobs.read_file(demo_db, director, job_id, "pmqa-workbook-2570-best-th.xlsx")[2]
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert jobs.request(demo_db, demo_user("committee"), "workbook", WORKBOOK, "th") == job_id  # no second build


CLAIM_AND_HANG = """
import sys, time
from storage import connect
from storage.admin import jobs
from jobs.run import worker_name
db = connect(sys.argv[1])
assert jobs.claim(db, int(sys.argv[2]), worker_name("in-process-dead"))
jobs.progress(db, int(sys.argv[2]), worker_name("in-process-dead"), 0.5, "doc_step_workbook")
print("claimed", flush=True)
time.sleep(120)
"""


@only_on_sqlite("the in-process executor; on PostgreSQL a stalled worker's job is retried (test_jobs_worker.py)")
def test_a_job_left_running_by_a_killed_process_is_built_again_when_the_app_attends(demo_path, demo_db, demo_user):
    director = demo_user("director")
    job_id, _ = store_jobs.request(demo_db, director, "workbook", WORKBOOK, "th")  # asked for; no executor yet
    process = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, str(demo_path), str(job_id)], cwd=ROOT,
                               stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout.readline().strip() == b"claimed"  # a build under way in another process
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stdout.close()
    job = store_jobs.get(demo_db, director, job_id)
    assert (job["state"], job["files"]) == ("running", [])  # left running by a process that is gone
    jobs.attend(demo_db)  # the app (re)started: its documents page opened
    assert jobs.wait(demo_db, 60)
    job = store_jobs.get(demo_db, director, job_id)
    assert (job["state"], job["attempts"]) == ("done", 2)
    why = demo_db.execute("SELECT detail FROM audit_log WHERE entity = 'document_job' AND action = 'requeue'"
                          ).fetchone()[0]
    assert '"why": "process_ended"' in why
    assert store_jobs.read_file(demo_db, director, job_id, "pmqa-workbook-2570-best-th.xlsx")[2].startswith(b"PK")


@only_on_sqlite("the in-process executor; on PostgreSQL the worker processes build (test_jobs_worker.py)")
def test_a_job_a_stopped_app_left_queued_is_built_once_anyone_opens_a_page_after_the_restart(app, demo_path, demo_db,
                                                                                           demo_user):
    from jobs.executor import _executors

    director = demo_user("director")
    job_id, _ = store_jobs.request(demo_db, director, "workbook", WORKBOOK, "th")  # asked for; the app then stopped
    assert str(demo_path) not in _executors
    app("unit")  # after the restart: a unit's assessor signs in at Home (not a page that builds or sends)
    assert jobs.wait(demo_db, 60)
    assert store_jobs.get(demo_db, director, job_id)["state"] == "done"


@only_on_sqlite("the in-process executor")
def test_opening_a_store_with_no_job_waiting_starts_no_executor(app, demo_path):
    from jobs.executor import _executors

    app("committee")
    assert str(demo_path) not in _executors


def test_a_build_the_store_refuses_says_why(demo_db, demo_user):
    member = demo_user("committee")  # has not submitted an examiner's scores: the feedback report is not theirs yet
    job_id, _ = store_jobs.request(demo_db, member, "feedback", {"year": 2570}, "th")
    assert run_claimed(demo_db, store_jobs.claim(demo_db, job_id, "w1"), "w1") == "failed"
    job = store_jobs.get(demo_db, member, job_id)
    assert job["refusal"]["key"] == "error_exam_not_submitted" and job["error"] is None and not job["files"]


def test_a_build_that_keeps_stopping_its_worker_fails_with_a_reference(demo_db, demo_user, caplog):
    director = demo_user("director")
    job_id, _ = store_jobs.request(demo_db, director, "workbook", WORKBOOK, "th")
    for attempt in range(store_jobs.MAX_ATTEMPTS):  # each time its worker died
        store_jobs.claim(demo_db, job_id, f"w{attempt}")
        store_jobs.requeue(demo_db, job_id, "heartbeat")
    job = store_jobs.claim(demo_db, job_id, "last")
    with caplog.at_level(logging.ERROR, logger="pmqa"):
        assert run_claimed(demo_db, job, "last") == "failed"
    job = store_jobs.get(demo_db, director, job_id)
    assert job["state"] == "failed" and len(job["error"]) == 8 and job["refusal"] is None
    assert f"reference {job['error']}" in caplog.text


def test_a_build_whose_job_was_given_to_another_worker_stops_and_keeps_nothing(demo_db, demo_user):
    director = demo_user("director")
    job_id, _ = store_jobs.request(demo_db, director, "workbook", WORKBOOK, "th")
    mine = store_jobs.claim(demo_db, job_id, "w1")
    store_jobs.claim(demo_db, job_id, "w2")  # taken as stalled (w1 seemed dead) and given to another worker
    assert run_claimed(demo_db, mine, "w1") is None  # stops at its first report of progress
    job = store_jobs.get(demo_db, director, job_id)
    assert (job["state"], job["worker"], job["files"], job["step"]) == ("running", "w2", [], None)
