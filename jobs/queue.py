"""The queue on PostgreSQL: Procrastinate (its tables are in the store's own database, made by the store's
revision 0004), one task that builds a job of ours by its id and department.

A job is deferred in the transaction that records it (``defer``): Procrastinate's row is written on the store's
own connection, so the request and its place in the queue are committed together or not at all.
"""

from __future__ import annotations

import functools

from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.jobs import Job
from procrastinate.manager import JobManager
from procrastinate.retry import RetryStrategy

from jobs.run import run_job, worker_name
from storage import connect
from storage.engine import DEPARTMENT, Location, Store, server_url

TASK = "pmqa.build"
QUEUE = "documents"


def conninfo(location: Location) -> str:
    """The store's address as psycopg takes it."""
    return server_url(location).set(drivername="postgresql").render_as_string(hide_password=False)


def build(context, job_id: int, department: int = DEPARTMENT) -> None:
    """Procrastinate's task: build our job ``job_id`` of ``department`` on a connection of its own, acting for that
    department (the worker passes the store's location in the context)."""
    db = connect(context.additional_context["location"])
    try:
        db.act_for(department)
        run_job(db, job_id, worker_name(f"queue-{context.worker_name}"))
    finally:
        db.close()


@functools.cache
def app(location: str) -> App:
    """Procrastinate's app for the store at ``location``, with our one task (``build``)."""
    queue_app = App(connector=PsycopgConnector(conninfo=conninfo(location)))
    # A build's own failures are caught by the task and kept in our row (``jobs.run``); what reaches Procrastinate
    # is the store itself out of reach (the database restarting): the job is tried again a few times, 5 s apart.
    queue_app.task(name=TASK, queue=QUEUE, pass_context=True, retry=RetryStrategy(max_attempts=5, wait=5))(build)
    return queue_app


@functools.cache
def _deferrer() -> JobManager:
    """Procrastinate's job manager on a connector that is never opened: it only ever writes on a connection it is
    given (the store's), so it holds no pool (and is not the worker's app, opened for its event loop)."""
    return JobManager(connector=SyncPsycopgConnector())


def defer(db: Store, job_id: int) -> int:
    """Put job ``job_id`` in the queue, on the store's connection (inside its open transaction); the queue's id."""
    queued = _deferrer().defer_job(
        Job(id=None, queue=QUEUE, task_name=TASK, task_kwargs={"job_id": job_id, "department": db.department},
            lock=None, queueing_lock=None),
        connection=db.dbapi)
    return queued.id
