"""Documents built by a worker: the ``document_jobs`` table, its states and who may ask for and read what.

A person asks for a document (``request``); the ``jobs`` package runs the build in a worker (Procrastinate on
PostgreSQL, a thread of the app's process on SQLite), which claims the job (``claim``), reports its progress
(``progress``) and ends it ``done`` with its files (``finish``) or ``failed`` with a fault reference or the store's
reason (``fail``). A job whose worker died is put back in the queue (``requeue``). States::

    queued -> running -> done
                      -> failed
              running -> queued (its worker died)

Who may ask for and read which document follows the Documents page: the committee, the director and the PMQA
owner (admin) for the department's documents (the application in both editions, the site-visit deck, the
workbook, a unit's printable assessment); the examiners' feedback report is built with its requester's own rights
(a member who has submitted) and read by them alone; an announcement's e-mail (kind ``email``) is the admin's.
The builder re-reads the requester when it runs, so the rights are those of the account at build time too.

A done job's files are in the file store (``storage.files.store``: the folder beside a SQLite file, or the
database) under names made of their content's SHA-256 (``documents/<sha256><suffix>``), written in the same
transaction that marks the job done (a file in the folder is written whole, then renamed, before that transaction
commits): only a done job points at them, so a page never offers a half-written file.

Every state change is audited (entity ``document_job``); progress reports are not (they change no state). Those
entries are not part of the store's data version (``storage.db.data_version``), which documents are built from.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from datetime import UTC, datetime, timedelta

from i18n import LANGUAGES
from storage import audit
from storage.assessment.assessments import SOURCES
from storage.db import data_version, now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, InputError, StoreError
from storage.files import store as file_store
from storage.organisation.accounts import User, acting, get_user

DOCUMENTS = ("application", "review", "slides", "feedback", "workbook", "unit")
KINDS = (*DOCUMENTS, "email")
STATES = ("queued", "running", "done", "failed")
ACTIVE = ("queued", "running")
DOCUMENT_ROLES = ("committee", "director", "admin")
ROLES = {kind: DOCUMENT_ROLES for kind in DOCUMENTS} | {"email": ("admin",)}
PRIVATE = ("feedback",)  # built with the requester's own rights: theirs alone
PARAMETERS = {"application": {"year"}, "review": {"year"}, "slides": {"year"}, "feedback": {"year"},
              "workbook": {"year", "source"}, "unit": {"year", "unit_id"}, "email": {"announcement_id"}}
FOLDER = "documents"  # in the file store
WHY = ("heartbeat", "process_ended", "worker_stopped")  # why a running job went back to the queue
MAX_ATTEMPTS = 3  # a build whose worker died this many times fails (it may be what kills its worker)
MAX_FILE = 200 * 1024 * 1024  # bytes of one built file (the large store's application is some 5 MB)
# A document's newest builds whose files are kept: the newest, which the pages offer, and the one before it, which a
# page drawn just before the newest ended may still offer. An older build keeps its row (who asked, when, the audit)
# but not its files, which would otherwise pile up in the file store with every change of the data.
KEPT_BUILDS = 2


def _parameters(db: Store, kind: str, parameters: dict) -> str:
    """The parameters checked against the store, as canonical JSON (the same document, the same text)."""
    if kind not in KINDS:
        raise InputError("error_job_kind", kind=str(kind)[:40])
    if not isinstance(parameters, dict) or set(parameters) != PARAMETERS[kind]:
        raise InputError("error_job_parameters")
    checked = {}
    for name, value in parameters.items():
        if name == "source":
            if value not in SOURCES:
                raise InputError("error_job_parameters")
            checked[name] = value
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError("error_job_parameters")
        checked[name] = value
    if "year" in checked and not db.execute("SELECT 1 FROM cycles WHERE year = ?", [checked["year"]]).fetchone():
        raise InputError("error_job_parameters")
    if "unit_id" in checked and not db.execute("SELECT 1 FROM units WHERE id = ?", [checked["unit_id"]]).fetchone():
        raise InputError("error_job_parameters")
    if "announcement_id" in checked:
        row = db.execute("SELECT withdrawn_at FROM announcements WHERE id = ?", [checked["announcement_id"]]).fetchone()
        if row is None:
            raise InputError("error_ann_unknown")
        if row[0]:
            raise InputError("error_ann_withdrawn")
    return json.dumps(checked, sort_keys=True, separators=(",", ":"))


def _allowed(actor: User, kind: str) -> User:
    if kind not in KINDS:
        raise InputError("error_job_kind", kind=str(kind)[:40])
    if actor.role not in ROLES.get(kind, ()):
        raise AccessDenied(role=actor.role)
    return actor


def _row(row: dict) -> dict:
    return row | {"parameters": json.loads(row["parameters"]), "files": json.loads(row["files"] or "[]"),
                  "result": json.loads(row["result"]) if row["result"] else None,
                  "refusal": json.loads(row["refusal"]) if row["refusal"] else None}


def _one(db: Store, job_id: int) -> dict:
    rows = list(db.query("SELECT * FROM document_jobs WHERE id = ?", [job_id])) \
        if isinstance(job_id, int) and not isinstance(job_id, bool) else []
    if not rows:
        raise InputError("error_job_unknown")
    return _row(rows[0])


def _readable(actor: User, job: dict) -> dict:
    _allowed(actor, job["kind"])
    if job["kind"] in PRIVATE and job["requested_by"] != actor.username:
        raise AccessDenied(role=actor.role)
    return job


def request(db: Store, actor: User, kind: str, parameters: dict, lang: str) -> tuple[int, bool]:
    """Ask for a document (or an announcement's e-mail); (the job's id, whether it is new). The same document
    already queued or running, or built for the store as it is now (its data version), is that job: no duplicate
    is made. A job's data version is the store's when it was asked for, then when its build starts. Audited."""
    actor = _allowed(acting(db, actor), kind)
    if lang not in LANGUAGES:
        raise InputError("error_job_parameters")
    with transaction(db):  # under the write lock: two people asking at once get one job
        text = _parameters(db, kind, parameters)
        version = data_version(db)
        private = " AND requested_by = ?" if kind in PRIVATE else ""
        reusable = "state IN ('queued', 'running')" if kind == "email" else \
            "(state = 'queued' OR (state IN ('running', 'done') AND data_version = ?))"
        values = [kind, lang, text, *([] if kind == "email" else [version]),
                  *([actor.username] if private else [])]
        found = db.execute(f"SELECT id FROM document_jobs WHERE kind = ? AND lang = ? AND parameters = ? AND {reusable}"
                           f"{private} ORDER BY id DESC LIMIT 1", values).fetchone()
        if found:
            return found[0], False
        job_id = db["document_jobs"].insert({
            "kind": kind, "parameters": text, "lang": lang, "requested_by": actor.username, "state": "queued",
            "progress": 0.0, "attempts": 0, "data_version": version, "created_at": now()}).last_pk
        audit.record(db, actor.username, "request", "document_job", job_id, kind=kind, lang=lang,
                     **json.loads(text))
    return job_id, True


def set_queue_id(db: Store, job_id: int, queue_id: int) -> None:
    """The queue's own job that runs it (PostgreSQL: Procrastinate's id), written in the request's transaction."""
    db.execute("UPDATE document_jobs SET queue_id = ? WHERE id = ?", [queue_id, job_id])


def get(db: Store, actor: User, job_id: int) -> dict:
    """One job, for someone who may read it."""
    return _readable(acting(db, actor), _one(db, job_id))


def latest(db: Store, actor: User, kind: str, parameters: dict, lang: str) -> dict | None:
    """The newest job of this document that ``actor`` may read (any state, any data version), or None."""
    actor = _allowed(acting(db, actor), kind)
    text = _parameters(db, kind, parameters)
    private = " AND requested_by = ?" if kind in PRIVATE else ""
    rows = list(db.query(f"SELECT * FROM document_jobs WHERE kind = ? AND lang = ? AND parameters = ?{private} "
                         "ORDER BY id DESC LIMIT 1", [kind, lang, text, *([actor.username] if private else [])]))
    return _row(rows[0]) if rows else None


def built(db: Store, actor: User, kind: str) -> set[int]:
    """The years for which a document of ``kind`` was ever built (in either language), for someone who may ask
    for it: the ministry's roll-up counts a department's application built so."""
    _allowed(acting(db, actor), kind)
    return {row[0] for row in db.execute(f"SELECT DISTINCT {db.json_integer('parameters', 'year')} FROM document_jobs "
                                         "WHERE kind = ? AND state = 'done'", [kind])}


def active(db: Store) -> list[int]:
    """Jobs queued or running, oldest first (for a worker, and for tests waiting on them)."""
    return [r[0] for r in db.execute("SELECT id FROM document_jobs WHERE state IN ('queued', 'running') ORDER BY id")]


def read_file(db: Store, actor: User, job_id: int, name: str) -> tuple[str, str, bytes]:
    """A built file of a done job, by its name: (name, mime type, bytes), for someone who may read the job."""
    job = get(db, actor, job_id)
    if job["state"] != "done":
        raise InputError("error_job_not_done")
    for file in job["files"]:
        if file["name"] == name:
            return file["name"], file["mime"], file_store.get(db, file["stored"])
    if job["kind"] in DOCUMENTS and not job["files"]:
        raise InputError("error_job_replaced")  # an older build's files, dropped (KEPT_BUILDS)
    raise InputError("error_job_unknown")


# ---- the worker's side: no person acts, the job's requester is re-read when it runs -------------------------

def requester(db: Store, job: dict) -> User:
    """The account a build runs for, as the store has it now; ``AccessDenied`` when it is gone or disabled, or
    may no longer ask for this kind."""
    row = db.execute("SELECT id FROM users WHERE username = ?", [job["requested_by"]]).fetchone()
    user = get_user(db, row[0]) if row else None
    if user is None:
        raise AccessDenied(user=job["requested_by"])
    return _allowed(user, job["kind"])


def claim(db: Store, job_id: int, worker: str) -> dict | None:
    """The worker ``worker`` starts the job: queued (or running, when its earlier worker died and the queue gave it
    to this one) becomes running, one more attempt, the data version read now. None when there is nothing to do
    (done, failed, unknown). Audited."""
    with transaction(db):
        rows = list(db.query("SELECT * FROM document_jobs WHERE id = ?", [job_id]))
        if not rows or rows[0]["state"] not in ACTIVE:
            return None
        moment, attempt = now(), rows[0]["attempts"] + 1
        version = data_version(db)
        db.execute("UPDATE document_jobs SET state = 'running', attempts = ?, worker = ?, started_at = ?, "
                   "heartbeat_at = ?, progress = 0, step = NULL, data_version = ? WHERE id = ?",
                   [attempt, worker, moment, moment, version, job_id])
        audit.record(db, None, "start", "document_job", job_id, kind=rows[0]["kind"], attempt=attempt, worker=worker,
                     **({"after": rows[0]["worker"]} if rows[0]["state"] == "running" else {}))
        return _one(db, job_id)


def claim_next(db: Store, worker: str) -> dict | None:
    """The oldest queued job, claimed (``claim``) by ``worker``; None when none is queued (found by a plain read
    first: an idle worker's look takes no write lock)."""
    if not db.execute("SELECT 1 FROM document_jobs WHERE state = 'queued' LIMIT 1").fetchone():
        return None
    with transaction(db):
        row = db.execute("SELECT id FROM document_jobs WHERE state = 'queued' ORDER BY id LIMIT 1").fetchone()
        return claim(db, row[0], worker) if row else None


def progress(db: Store, job_id: int, worker: str, fraction: float, step: str) -> bool:
    """How far the build is (0..1) and the catalogue key of its step, while ``worker`` runs it (also its
    heartbeat); False when the job is no longer this worker's (it was given to another)."""
    fraction = min(max(float(fraction), 0.0), 1.0)
    changed = db.execute("UPDATE document_jobs SET progress = ?, step = ?, heartbeat_at = ? "
                         "WHERE id = ? AND state = 'running' AND worker = ?",
                         [fraction, str(step)[:80], now(), job_id, worker]).rowcount
    return changed == 1


def heartbeat(db: Store, worker: str) -> None:
    """``worker`` is alive: the jobs it runs say so (a job whose heartbeat is old was left by a dead worker)."""
    db.execute("UPDATE document_jobs SET heartbeat_at = ? WHERE state = 'running' AND worker = ?", [now(), worker])


def _suffix(name: str, mime: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not suffix[1:].isalnum() or len(suffix) > 6:
        suffix = mimetypes.guess_extension(mime) or ""
    return suffix


def finish(db: Store, job_id: int, worker: str, files: list[tuple[str, str, bytes]],
           result: dict | None = None) -> bool:
    """The build of ``worker`` is done: its files go into the file store and the job is marked done with them, in
    one transaction (a name made of a file's content: a file written twice is the same file, and one written by a
    build that did not end here is pointed at by no job). False, and nothing marked, when the job is no longer this
    worker's. Audited with the files' names and sizes."""
    for name, _mime, data in files:
        if not isinstance(data, bytes | bytearray) or not name or len(data) > MAX_FILE:
            raise InputError("error_job_parameters")
    with transaction(db):
        row = db.execute("SELECT state, worker, kind FROM document_jobs WHERE id = ?", [job_id]).fetchone()
        if row is None or row[0] != "running" or row[1] != worker:
            return False
        stored = []
        for name, mime, data in files:
            digest = hashlib.sha256(data).hexdigest()
            where = f"{FOLDER}/{digest}{_suffix(name, mime)}"
            file_store.put(db, where, bytes(data))
            stored.append({"name": name, "mime": mime, "stored": where, "size": len(data)})
        db.execute("UPDATE document_jobs SET state = 'done', progress = 1, step = NULL, files = ?, result = ?, "
                   "finished_at = ?, error = NULL, refusal = NULL WHERE id = ?",
                   [json.dumps(stored, ensure_ascii=False), json.dumps(result, ensure_ascii=False)
                    if result is not None else None, now(), job_id])
        pruned, unused = _older_builds(db, job_id)
        audit.record(db, None, "done", "document_job", job_id, kind=row[2], worker=worker,
                     files=[{"name": f["name"], "size": f["size"]} for f in stored],
                     **({"pruned": pruned} if pruned else {}))
        for name in unused:  # last: the write lock is still held (file_store.delete)
            file_store.delete(db, name)
    return True


def _older_builds(db: Store, job_id: int) -> tuple[list[int], list[str]]:
    """The builds of the same document as ``job_id`` older than its newest ``KEPT_BUILDS`` lose their files: (those
    jobs, the stored files no job points at any more). A file's name is its content's hash, so a file an older
    build shares with a kept one (the same bytes built twice) stays."""
    kind, lang, parameters, requester = db.execute(
        "SELECT kind, lang, parameters, requested_by FROM document_jobs WHERE id = ?", [job_id]).fetchone()
    private = " AND requested_by = ?" if kind in PRIVATE else ""
    done = db.execute(f"SELECT id, files FROM document_jobs WHERE kind = ? AND lang = ? AND parameters = ? AND "
                      f"state = 'done'{private} ORDER BY id DESC",
                      [kind, lang, parameters, *([requester] if private else [])]).fetchall()
    older = [(old_id, listed) for old_id, files in done[KEPT_BUILDS:] if (listed := json.loads(files or "[]"))]
    if not older:
        return [], []
    db.execute(f"UPDATE document_jobs SET files = '[]' WHERE id IN ({marks(older)})", [old_id for old_id, _ in older])
    names = {file["stored"] for _, files in older for file in files}
    kept = {file["stored"] for (files,) in db.execute(
        "SELECT files FROM document_jobs WHERE files IS NOT NULL AND files <> '[]'") for file in json.loads(files)}
    return [old_id for old_id, _ in older], sorted(names - kept)


def fail(db: Store, job_id: int, worker: str | None, reference: str | None = None,
         refusal: StoreError | None = None) -> bool:
    """The build failed: a fault (its ``reference``, under which the worker logged it) or the store's reason
    (``refusal``: a person reads it). ``worker`` None: whoever runs it (the queue gives up on it). Audited."""
    reason = {"key": refusal.key, "params": {k: v if isinstance(v, int | float | str) or v is None else str(v)
                                             for k, v in refusal.params.items()}} if refusal else None
    with transaction(db):
        row = db.execute("SELECT state, worker, kind FROM document_jobs WHERE id = ?", [job_id]).fetchone()
        if row is None or row[0] not in ACTIVE or (worker is not None and row[1] != worker):
            return False
        db.execute("UPDATE document_jobs SET state = 'failed', step = NULL, error = ?, refusal = ?, finished_at = ? "
                   "WHERE id = ?", [reference, json.dumps(reason, ensure_ascii=False) if reason else None, now(),
                                    job_id])
        audit.record(db, None, "fail", "document_job", job_id, kind=row[2], worker=worker, reference=reference,
                     reason=reason["key"] if reason else None)
    return True


def requeue(db: Store, job_id: int, why: str, worker: str | None = None) -> bool:
    """A running job whose worker died goes back to the queue (its attempts kept). Audited with ``why``: one of
    ``WHY``. ``worker``: only if the job is still that (dead) worker's, not already taken up by another."""
    if why not in WHY:
        raise InputError("error_job_parameters")
    with transaction(db):
        row = db.execute("SELECT state, worker, kind FROM document_jobs WHERE id = ?", [job_id]).fetchone()
        if row is None or row[0] != "running" or (worker is not None and row[1] != worker):
            return False
        db.execute("UPDATE document_jobs SET state = 'queued', progress = 0, step = NULL WHERE id = ?", [job_id])
        audit.record(db, None, "requeue", "document_job", job_id, kind=row[2], worker=row[1], why=why)
    return True


def stale(db: Store, seconds: float) -> list[tuple[int, str]]:
    """Running jobs (id, worker) whose worker has not said it is alive for ``seconds``."""
    cutoff = (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
    return [(r[0], r[1]) for r in db.execute(
        "SELECT id, worker FROM document_jobs WHERE state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?) "
        "ORDER BY id", [cutoff])]


def running_of(db: Store, workers: list[str]) -> list[int]:
    """Running jobs of the given workers."""
    return [r[0] for r in db.execute(f"SELECT id FROM document_jobs WHERE state = 'running' AND worker IN "
                                     f"({marks(workers)}) ORDER BY id", workers)]


def running(db: Store) -> list[tuple[int, str]]:
    """Every running job (id, worker)."""
    return [(r[0], r[1]) for r in db.execute("SELECT id, worker FROM document_jobs WHERE state = 'running' "
                                             "ORDER BY id")]
