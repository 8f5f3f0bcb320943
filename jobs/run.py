"""Running one job, the same in every worker: claim it, build it with its kind's builder (``jobs.kinds``),
reporting progress, then mark it done with its files, or failed with the store's reason or a fault reference.

An unexpected error is logged with its traceback under an eight-character reference (as ``ui.faults`` does for a
page), which the job keeps: the page shows that reference, and ``journalctl | grep REFERENCE`` finds the details.
"""

from __future__ import annotations

import os
import socket

from jobs.kinds import BUILDERS, Build
from storage.admin import jobs as store_jobs
from storage.engine import Store
from storage.errors import StoreError, log, new_reference


def worker_name(what: str) -> str:
    """This process as a job's worker: host, process id, and ``what`` (a random part or the queue's worker)."""
    return f"{socket.gethostname()}:{os.getpid()}:{what}"


class Superseded(Exception):
    """The job is no longer this worker's (it was taken as stalled and given to another): this build stops."""


def _reporter(db: Store, job_id: int, worker: str):
    """The build's progress written to the store. A report that cannot be written (the store busy for longer than a
    statement waits) is skipped: progress is only shown; a job found taken by another worker stops this build."""

    def report(fraction: float, key: str) -> None:
        try:
            mine = store_jobs.progress(db, job_id, worker, fraction, key)
        except Exception as exc:  # SQLite's "database is locked" past its wait, a lost connection: shown later
            log().warning("job %s: its progress was not written (%s)", job_id, exc)
            return
        if not mine:
            raise Superseded()

    return report


def run_claimed(db: Store, job: dict, worker: str) -> str | None:
    """Build a job ``worker`` has claimed; its final state ("done", "failed"), or None when it was no longer
    this worker's by the time it ended (given to another: nothing of this build is kept)."""
    job_id = job["id"]
    if job["attempts"] > store_jobs.MAX_ATTEMPTS:
        reference = new_reference()
        log().error("unexpected error, reference %s, in job %s (%s): its worker stopped %d times during the build",
                    reference, job_id, job["kind"], job["attempts"] - 1)
        return "failed" if store_jobs.fail(db, job_id, worker, reference=reference) else None
    try:
        user = store_jobs.requester(db, job)
        build = Build(db, user, job["parameters"], job["lang"], _reporter(db, job_id, worker))
        files, result = BUILDERS[job["kind"]](build)
        build.report(0.95, "job_step_saving")
        return "done" if store_jobs.finish(db, job_id, worker, files, result) else None
    except Superseded:
        log().warning("job %s: given to another worker while %s built it; this build stops", job_id, worker)
        return None
    except StoreError as exc:  # the store's reason, for a person to read
        return "failed" if store_jobs.fail(db, job_id, worker, refusal=exc) else None
    except Exception as exc:
        reference = new_reference()
        log().error("unexpected error, reference %s, in job %s (%s, for %s)", reference, job_id, job["kind"],
                    job["requested_by"], exc_info=exc)
        return "failed" if store_jobs.fail(db, job_id, worker, reference=reference) else None


def run_job(db: Store, job_id: int, worker: str) -> str | None:
    """Claim the job and build it (``run_claimed``); None when there was nothing to do."""
    job = store_jobs.claim(db, job_id, worker)
    return None if job is None else run_claimed(db, job, worker)
