"""The worker of a PostgreSQL store: ``python -m jobs worker`` (``deploy/systemd/pmqa-worker.service``).

It runs Procrastinate's worker on the queue ``documents`` (the store's own database), which takes one job at a
time per unit of ``--concurrency`` and runs our task (``jobs.queue.build``) on a thread, so its heartbeat goes on
during a long build. Procrastinate writes each worker's heartbeat to ``procrastinate_workers`` every ``--heartbeat``
seconds.

A worker killed in the middle of a build (SIGKILL, a machine lost) stops its heartbeat; its job stays ``doing`` in
Procrastinate and ``running`` in ``document_jobs``, with nothing written: its files are written only in the
transaction that marks it done. Every ``--check-every`` seconds, and when it starts, each worker looks for such
stalled jobs (Procrastinate's own query: ``doing`` jobs whose worker's heartbeat is older than ``--stalled-after``
seconds, or whose worker was pruned) and retries them: under the store's write lock, so two workers never retry
one job twice, our row goes back to ``queued`` (audited) and Procrastinate's job back to ``todo``
(``procrastinate_retry_job_v2``), in one transaction. The next free worker then builds it again from the start
(``storage.admin.jobs.claim``: one more attempt; after ``MAX_ATTEMPTS`` it fails with a reference).

The store's schema, Procrastinate's included, is brought up to date when the worker starts (``storage.connect``,
revision 0004), as when an app server opens the store: once, under the migrations' lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from jobs.queue import QUEUE, TASK, app
from jobs.run import log, worker_name
from storage import connect
from storage.admin import jobs as store_jobs
from storage.db import transaction
from storage.engine import DEPARTMENT, Location, Store, is_server

HEARTBEAT_S = 10.0
STALLED_S = 30.0
CHECK_EVERY_S = 10.0
POLL_S = 2.0


def _stalled(db: Store, stalled_after: float) -> list[tuple[int, dict]]:
    """Procrastinate's jobs whose worker's heartbeat stopped: (its id, its arguments)."""
    from procrastinate import sql

    cursor = db.dbapi.cursor()
    cursor.execute(sql.queries["select_stalled_jobs_by_heartbeat"],
                   {"queue": QUEUE, "task_name": TASK, "seconds_since_heartbeat": stalled_after})
    return [(row[0], row[6] or {}) for row in cursor.fetchall()]  # id, args


def retry_stalled(db: Store, stalled_after: float) -> list[int]:
    """Put the jobs of dead workers back in the queue (ours and Procrastinate's, in one transaction under the
    store's write lock, acting for each job's department in turn); the ids of ours."""
    retried = []
    for department in sorted({args.get("department", DEPARTMENT) for _, args in _stalled(db, stalled_after)}):
        db.act_for(department)
        with transaction(db):  # looked for again under the lock: another worker's check may have been first
            for queue_id, args in _stalled(db, stalled_after):
                if args.get("department", DEPARTMENT) != department:
                    continue
                job_id = args.get("job_id")
                if isinstance(job_id, int):
                    store_jobs.requeue(db, job_id, "worker_stopped")
                    retried.append(job_id)
                db.dbapi.cursor().execute("SELECT procrastinate_retry_job_v2(%s, NOW(), NULL, NULL, NULL)",
                                          [queue_id])
    db.act_for(DEPARTMENT)
    for job_id in retried:
        log().warning("job %s: its worker stopped during the build; it is queued again", job_id)
    return retried


async def _check(location: Location, every: float, stalled_after: float) -> None:
    db = await asyncio.to_thread(connect, location)
    try:
        while True:
            try:
                await asyncio.to_thread(retry_stalled, db, stalled_after)
            except Exception as exc:  # logged; tried again at the next round
                log().error("looking for stalled jobs failed", exc_info=exc)
            await asyncio.sleep(every)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(db.close)


async def serve_async(location: Location, concurrency: int = 1, heartbeat: float = HEARTBEAT_S,
                      stalled_after: float = STALLED_S, check_every: float = CHECK_EVERY_S, poll: float = POLL_S,
                      name: str | None = None, signals: bool = True) -> None:
    queue_app = app(str(location))
    async with queue_app.open_async():
        checker = asyncio.create_task(_check(location, check_every, stalled_after))
        try:
            await queue_app.run_worker_async(
                queues=[QUEUE], concurrency=concurrency, name=name or worker_name("worker").replace(":", "-"),
                update_heartbeat_interval=heartbeat, stalled_worker_timeout=stalled_after,
                fetch_job_polling_interval=poll, additional_context={"location": str(location)},
                install_signal_handlers=signals, delete_jobs="successful")
        finally:
            checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checker


def serve(location: Location, **options) -> None:
    """Run a worker until SIGTERM or SIGINT (a graceful stop: the builds under way finish first)."""
    if not is_server(location):
        raise ValueError("a SQLite store runs its jobs in the app's process: no worker is needed")
    log()
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    connect(location).close()  # the schema up to date first, Procrastinate's included (revision 0004)
    asyncio.run(serve_async(location, **options))


class InThread:
    """A worker on a thread of this process (tests of the pages on PostgreSQL, where no worker process runs):
    the same Procrastinate worker, without signal handlers; ``stop`` waits for it."""

    def __init__(self, location: Location, **options):
        self.location, self.options = location, options
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task | None = None
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pmqa-queue-worker", daemon=True)

    def _run(self) -> None:
        async def main():
            self.loop = asyncio.get_running_loop()
            self.task = asyncio.current_task()
            self.started.set()
            await serve_async(self.location, signals=False, **self.options)

        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(main())

    def start(self) -> InThread:
        self.thread.start()
        self.started.wait(10)
        return self

    def stop(self) -> None:
        if self.loop is not None and self.task is not None:
            self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(30)
