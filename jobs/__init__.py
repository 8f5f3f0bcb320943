"""Documents (and an announcement's e-mail) built by a worker, not in the page's script run.

The same interface on both engines: ``request`` records the job (``storage.admin.jobs``) and puts it in the queue;
the page reads its state and progress from the store and offers its files once done.

- PostgreSQL: the queue is Procrastinate's, in the store's own database (``jobs.queue``); workers are other
  processes, ``python -m jobs worker`` (``jobs.worker``), as many as wanted, on any machine that reaches the
  database. A job is queued in the transaction that records it.
- SQLite: the jobs run on background threads of the app's process (``jobs.executor``), started when a job is
  asked for, when the Documents or Announcements page opens, and when the app opens a store that has jobs waiting
  (``resume``: after a restart, a build or an announcement's e-mail left behind goes on without anyone opening those
  pages).

Layer: above ``reports`` (it calls the report builders), below ``ui``; no Streamlit.
"""

from __future__ import annotations

import time

from storage.admin import jobs as store_jobs
from storage.db import transaction
from storage.engine import Store
from storage.organisation.accounts import User


def request(db: Store, user: User, kind: str, parameters: dict, lang: str) -> int:
    """Ask for a document: the job's id (the one already queued, running or built for the store as it is, when
    there is one: ``storage.admin.jobs.request``)."""
    if db.sqlite:
        job_id, new = store_jobs.request(db, user, kind, parameters, lang)
        if new:
            attend(db)
        return job_id
    from jobs.queue import defer

    with transaction(db):
        job_id, new = store_jobs.request(db, user, kind, parameters, lang)
        if new:
            store_jobs.set_queue_id(db, job_id, defer(db, job_id))
    return job_id


def attend(db: Store) -> None:
    """On SQLite, make sure this process works on the store's jobs (and puts back in the queue those a dead
    process left running); on PostgreSQL the workers do."""
    if db.sqlite:
        from jobs.executor import attend as attend_location

        attend_location(db.location)


def resume(db: Store) -> None:
    """When the app opens a store: on SQLite, work on the jobs a stopped process left queued or running (its
    restart, a kill), if there are any; a store without them starts no thread."""
    if db.sqlite and store_jobs.active(db):
        attend(db)


def wait(db: Store, timeout: float = 120.0) -> bool:
    """Wait until no job is queued or running (tests; a command that must finish its jobs); whether that
    happened within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while store_jobs.active(db):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


__all__ = ["attend", "request", "resume", "wait"]
