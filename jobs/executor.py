"""The in-process executor: on a SQLite store, jobs run on background threads of the app's own process, never
on the thread of a person's page run, so one person's build never holds up another's page.

An executor per store and process starts when a job is asked for, the Documents or Announcements page is opened, or
the app opens a store with jobs waiting (``attend``), and its threads end after half a minute with nothing to do.
Each thread holds its own connection. While they run, a heartbeat thread says so in the jobs they run
(``storage.admin.jobs.heartbeat``). A job left ``running`` by a process that died (a restart, a kill) is put back in
the queue when an executor starts or looks for work: at once when its process is gone from this machine, else once
its heartbeat is ``STALE_S`` old (another machine's, or a process that hangs). Several processes sharing one SQLite
file (replicas on one machine) each run an executor; a job is claimed by one of them under the store's write lock.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time

from jobs.run import log, run_claimed, worker_name
from storage import connect
from storage.admin import jobs as store_jobs
from storage.engine import Location, Store, is_server

THREADS = 2  # builds at once per process (the machine's cores are shared with the pages)
HEARTBEAT_S = 5.0
STALE_S = 30.0
POLL_S = 2.0  # how often an idle thread looks for jobs another process queued
IDLE_S = 30.0  # an idle thread ends after this long without a job

_executors: dict[str, Executor] = {}
_lock = threading.Lock()


def _alive_here(worker: str) -> bool:
    """Whether the process a worker name belongs to still runs, when it is on this machine (True otherwise:
    its heartbeat tells)."""
    host, _, rest = (worker or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    if int(pid) == os.getpid():
        return worker in {e.name for e in _executors.values()}  # this process, an earlier executor of it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(db: Store) -> list[int]:
    """Put back in the queue the running jobs whose worker died: its process gone from this machine, or no
    heartbeat for ``STALE_S`` seconds."""
    requeued = []
    stale = {job_id for job_id, _ in store_jobs.stale(db, STALE_S)}
    for job_id, worker in store_jobs.running(db):
        if job_id in stale or not _alive_here(worker):
            why = "heartbeat" if job_id in stale else "process_ended"
            if store_jobs.requeue(db, job_id, why, worker):
                requeued.append(job_id)
    return requeued


class Executor:
    def __init__(self, location: Location, threads: int = THREADS):
        self.location = location
        self.name = worker_name(f"in-process-{secrets.token_hex(3)}")
        self.wanted = threads
        self.wake_up = threading.Event()
        self.threads: set[threading.Thread] = set()
        self.busy = 0
        self.lock = threading.Lock()
        self.beating: threading.Thread | None = None

    def wake(self) -> None:
        """A job was queued: start threads if none run, and let an idle one look now."""
        with self.lock:
            for _ in range(self.wanted - len(self.threads)):
                thread = threading.Thread(target=self._work, name=f"pmqa-jobs-{len(self.threads)}", daemon=True)
                self.threads.add(thread)
                thread.start()
            if self.beating is None or not self.beating.is_alive():
                self.beating = threading.Thread(target=self._beat, name="pmqa-jobs-heartbeat", daemon=True)
                self.beating.start()
        self.wake_up.set()

    def _work(self) -> None:
        db = None
        try:
            db = connect(self.location)
            recover(db)
            idle_since = time.monotonic()
            while True:
                job = store_jobs.claim_next(db, self.name)
                if job is None:
                    if time.monotonic() - idle_since > IDLE_S:
                        return
                    self.wake_up.wait(POLL_S)
                    self.wake_up.clear()
                    recover(db)
                    continue
                with self.lock:
                    self.busy += 1
                try:
                    run_claimed(db, job, self.name)
                finally:
                    with self.lock:
                        self.busy -= 1
                idle_since = time.monotonic()
        except Exception as exc:  # the store went away (a test removed it, the disk failed): logged, and ended
            log().error("the in-process job executor for %s stopped", self.location, exc_info=exc)
        finally:
            with self.lock:
                self.threads.discard(threading.current_thread())
            if db is not None:
                with contextlib.suppress(Exception):
                    db.close()

    def _beat(self) -> None:
        db = None
        try:
            while True:
                with self.lock:
                    if not self.threads:
                        return
                if self.busy:
                    try:
                        if db is None:
                            db = connect(self.location)
                        store_jobs.heartbeat(db, self.name)
                    except Exception as exc:  # the store busy past a statement's wait: the next beat
                        log().warning("the in-process job heartbeat was not written (%s)", exc)
                time.sleep(HEARTBEAT_S)
        except Exception as exc:
            log().error("the in-process job heartbeat for %s stopped", self.location, exc_info=exc)
        finally:
            if db is not None:
                with contextlib.suppress(Exception):
                    db.close()

    def idle(self) -> bool:
        with self.lock:
            return self.busy == 0


def executor(location: Location) -> Executor:
    """This process's executor of the store at ``location`` (a SQLite store)."""
    if is_server(location):
        raise ValueError("a PostgreSQL store's jobs run in its workers (python -m jobs worker)")
    key = str(location)
    with _lock:
        found = _executors.get(key)
        if found is None:
            found = _executors[key] = Executor(location)
        return found


def attend(location: Location) -> None:
    """Make sure this process works on the store's queue: threads start (and recover what a dead process left)."""
    executor(location).wake()
