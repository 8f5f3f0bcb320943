"""The document jobs' store (``storage.admin.jobs``) on real stores, SQLite files or PostgreSQL databases: who may
ask for and read which document, bad input refused with nothing changed, one job for the same document and data
version, every state change audited (and none of them a change of the store's data version), and a done job's
files in the file store, written with the state that points at them."""

from __future__ import annotations

import dataclasses
import json

import pytest

from storage.admin import announcements
from storage.admin import jobs as store_jobs
from storage.db import data_version
from storage.errors import AccessDenied, InputError
from storage.files import store as file_store
from storage.organisation import accounts, org

YEAR = 2570
WORKBOOK = {"year": YEAR, "source": "best"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def people(db):
    org.add_cycle(db, YEAR)
    unit = org.add_unit(db, "U1", "หน่วยหนึ่ง", "Unit one")
    made = {role: accounts.create_user(db, f"{role}-1", "correct horse battery", role,
                                       unit_id=unit if role == "unit" else None)
            for role in ("admin", "committee", "director", "unit")}
    made["committee2"] = accounts.create_user(db, "committee-2", "correct horse battery", "committee")
    made["unit_id"] = unit
    return made


def entries(db, action: str | None = None) -> list[dict]:
    where = " AND action = ?" if action else ""
    return [{"action": r[0], "username": r[1], "entity_id": r[2], **json.loads(r[3] or "{}")} for r in db.execute(
        f"SELECT action, username, entity_id, detail FROM audit_log WHERE entity = 'document_job'{where} ORDER BY id",
        [action] if action else [])]


def count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM document_jobs").fetchone()[0]


@pytest.mark.parametrize("role", ["committee", "director", "admin"])
def test_the_documents_roles_ask_for_a_document_which_is_queued_and_audited(db, people, role):
    job_id, new = store_jobs.request(db, people[role], "workbook", WORKBOOK, "th")
    assert new
    job = store_jobs.get(db, people[role], job_id)
    assert (job["state"], job["kind"], job["parameters"], job["lang"], job["requested_by"], job["attempts"]) == (
        "queued", "workbook", WORKBOOK, "th", f"{role}-1", 0)
    assert job["data_version"] == data_version(db) and job["files"] == [] and job["created_at"]
    assert entries(db) == [{"action": "request", "username": f"{role}-1", "entity_id": str(job_id),
                            "kind": "workbook", "lang": "th", "year": YEAR, "source": "best"}]


def test_a_unit_may_ask_for_no_document_and_only_the_admin_for_an_e_mail(db, people):
    with pytest.raises(AccessDenied):
        store_jobs.request(db, people["unit"], "workbook", WORKBOOK, "th")
    announcement = announcements.publish(db, people["admin"], "ประชุม", "")
    for role in ("committee", "director", "unit"):
        with pytest.raises(AccessDenied):
            store_jobs.request(db, people[role], "email", {"announcement_id": announcement}, "th")
    assert count(db) == 0 and not entries(db)
    job_id, _ = store_jobs.request(db, people["admin"], "email", {"announcement_id": announcement}, "th")
    with pytest.raises(AccessDenied):
        store_jobs.get(db, people["committee"], job_id)


def test_a_forged_or_disabled_account_is_refused(db, people):
    forged = dataclasses.replace(people["unit"], role="admin")  # the store's role counts, not the object's
    with pytest.raises(AccessDenied):
        store_jobs.request(db, forged, "workbook", WORKBOOK, "th")
    renamed = dataclasses.replace(people["director"], username="committee-1")
    with pytest.raises(AccessDenied):
        store_jobs.request(db, renamed, "workbook", WORKBOOK, "th")
    job_id, _ = store_jobs.request(db, people["director"], "workbook", WORKBOOK, "th")
    accounts.set_active(db, people["admin"], people["director"].id, False)
    with pytest.raises(AccessDenied):
        store_jobs.get(db, people["director"], job_id)
    with pytest.raises(AccessDenied):  # the build runs for the requester as the store has them when it runs
        store_jobs.requester(db, store_jobs.claim(db, job_id, "w1"))


@pytest.mark.parametrize(("kind", "parameters", "lang", "key"), [
    ("poster", {"year": YEAR}, "th", "error_job_kind"),
    ("workbook", {"year": YEAR}, "th", "error_job_parameters"),  # its source missing
    ("workbook", {**WORKBOOK, "extra": 1}, "th", "error_job_parameters"),
    ("workbook", {"year": YEAR, "source": "guess"}, "th", "error_job_parameters"),
    ("workbook", {"year": "2570", "source": "best"}, "th", "error_job_parameters"),
    ("application", {"year": True}, "th", "error_job_parameters"),
    ("application", {"year": 2999}, "th", "error_job_parameters"),  # no such year
    ("unit", {"year": YEAR, "unit_id": 999}, "th", "error_job_parameters"),  # no such unit
    ("application", {"year": YEAR}, "fr", "error_job_parameters"),
    ("application", [YEAR], "th", "error_job_parameters"),
    ("email", {"announcement_id": 999}, "th", "error_ann_unknown"),
])
def test_bad_input_is_refused_with_its_reason_and_changes_nothing(db, people, kind, parameters, lang, key):
    before = data_version(db)
    with pytest.raises(InputError) as refused:
        store_jobs.request(db, people["admin"], kind, parameters, lang)
    assert refused.value.key == key
    assert count(db) == 0 and not entries(db) and data_version(db) == before


def test_a_withdrawn_announcement_is_not_e_mailed(db, people):
    announcement = announcements.publish(db, people["admin"], "ประชุม", "")
    announcements.withdraw(db, people["admin"], announcement)
    with pytest.raises(InputError, match="error_ann_withdrawn"):
        store_jobs.request(db, people["admin"], "email", {"announcement_id": announcement}, "th")


def test_the_same_document_asked_for_again_is_the_same_job(db, people):
    first, new = store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "th")
    assert new
    assert store_jobs.request(db, people["director"], "workbook", dict(reversed(WORKBOOK.items())), "th") == (
        first, False)  # another role, the parameters in another order: the same document
    english, new = store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "en")
    assert new and english != first
    other, new = store_jobs.request(db, people["committee"], "workbook", {"year": YEAR, "source": "self"}, "th")
    assert new and other not in (first, english)
    assert len(entries(db, "request")) == 3

    job = store_jobs.claim(db, first, "w1")  # built for the store as it is: still the same one
    assert store_jobs.finish(db, first, "w1", [("pmqa-workbook.xlsx", XLSX, b"book")])
    assert store_jobs.request(db, people["admin"], "workbook", WORKBOOK, "th") == (first, False)
    assert job["data_version"] == data_version(db)  # the jobs' own entries are no change of the store's data

    org.add_unit(db, "U2", "หน่วยสอง", "Unit two")  # the store changed: a new build
    again, new = store_jobs.request(db, people["admin"], "workbook", WORKBOOK, "th")
    assert new and again != first
    assert store_jobs.latest(db, people["director"], "workbook", WORKBOOK, "th")["id"] == again


def test_a_queued_job_is_reused_whatever_changed_since_but_a_running_one_only_for_its_version(db, people):
    queued, _ = store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "th")
    org.add_unit(db, "U2", "หน่วยสอง", "Unit two")
    assert store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "th") == (queued, False)  # reads it then
    store_jobs.claim(db, queued, "w1")
    assert store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "th") == (queued, False)
    org.add_unit(db, "U3", "หน่วยสาม", "Unit three")  # changed while it is being built
    later, new = store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "th")
    assert new and later != queued


def test_the_feedback_report_is_its_requesters_alone(db, people):
    mine, _ = store_jobs.request(db, people["committee"], "feedback", {"year": YEAR}, "th")
    theirs, new = store_jobs.request(db, people["committee2"], "feedback", {"year": YEAR}, "th")
    assert new and theirs != mine  # built with each member's own rights
    with pytest.raises(AccessDenied):
        store_jobs.get(db, people["committee2"], mine)
    assert store_jobs.latest(db, people["director"], "feedback", {"year": YEAR}, "th") is None
    assert store_jobs.latest(db, people["committee"], "feedback", {"year": YEAR}, "th")["id"] == mine


def test_a_build_is_claimed_reports_progress_and_ends_done_with_its_files(db, people):
    job_id, _ = store_jobs.request(db, people["director"], "workbook", WORKBOOK, "th")
    with pytest.raises(InputError, match="error_job_not_done"):
        store_jobs.read_file(db, people["director"], job_id, "pmqa-workbook.xlsx")
    claimed = store_jobs.claim(db, job_id, "host:1:w1")
    assert (claimed["state"], claimed["attempts"], claimed["worker"]) == ("running", 1, "host:1:w1")
    assert store_jobs.progress(db, job_id, "host:1:w1", 0.4, "doc_step_workbook")
    assert not store_jobs.progress(db, job_id, "host:2:other", 0.9, "doc_step_workbook")  # not its job
    job = store_jobs.get(db, people["committee"], job_id)
    assert (job["progress"], job["step"]) == (0.4, "doc_step_workbook")

    book, pdf = b"PK" + bytes(range(256)) * 100, b"%PDF-1.7 report"
    assert not store_jobs.finish(db, job_id, "host:2:other", [("x.xlsx", XLSX, book)])  # another worker's: refused
    assert store_jobs.finish(db, job_id, "host:1:w1", [("pmqa-workbook-2570-best-th.xlsx", XLSX, book),
                                                       ("notes.pdf", "application/pdf", pdf)], {"sent": 0})
    job = store_jobs.get(db, people["admin"], job_id)
    assert (job["state"], job["progress"], job["result"], job["step"]) == ("done", 1.0, {"sent": 0}, None)
    assert [(f["name"], f["size"]) for f in job["files"]] == [("pmqa-workbook-2570-best-th.xlsx", len(book)),
                                                             ("notes.pdf", len(pdf))]
    assert all(f["stored"].startswith("documents/") for f in job["files"])
    assert store_jobs.read_file(db, people["committee"], job_id, "pmqa-workbook-2570-best-th.xlsx") == (
        "pmqa-workbook-2570-best-th.xlsx", XLSX, book)
    assert file_store.get(db, job["files"][1]["stored"]) == pdf
    with pytest.raises(InputError, match="error_job_unknown"):
        store_jobs.read_file(db, people["committee"], job_id, "../other.pdf")
    with pytest.raises(AccessDenied):
        store_jobs.read_file(db, people["unit"], job_id, "notes.pdf")
    assert store_jobs.claim(db, job_id, "host:1:w1") is None  # done: nothing more to do
    assert [(e["action"], e.get("worker")) for e in entries(db)] == [
        ("request", None), ("start", "host:1:w1"), ("done", "host:1:w1")]
    assert entries(db, "done")[0]["files"] == [{"name": "pmqa-workbook-2570-best-th.xlsx", "size": len(book)},
                                               {"name": "notes.pdf", "size": len(pdf)}]


def test_a_failed_build_keeps_its_reference_or_the_stores_reason_and_may_be_asked_for_again(db, people):
    job_id, _ = store_jobs.request(db, people["director"], "workbook", WORKBOOK, "th")
    store_jobs.claim(db, job_id, "w1")
    assert store_jobs.fail(db, job_id, "w1", reference="7F3A09C2")
    job = store_jobs.get(db, people["director"], job_id)
    assert (job["state"], job["error"], job["refusal"], job["files"]) == ("failed", "7F3A09C2", None, [])
    assert not store_jobs.fail(db, job_id, "w1", reference="AAAA0000")  # once
    again, new = store_jobs.request(db, people["director"], "workbook", WORKBOOK, "th")  # try again: a new job
    assert new and again != job_id
    store_jobs.claim(db, again, "w1")
    assert store_jobs.fail(db, again, "w1", refusal=AccessDenied("error_exam_not_submitted", year=YEAR))
    assert store_jobs.get(db, people["director"], again)["refusal"] == {
        "key": "error_exam_not_submitted", "params": {"year": YEAR}}
    assert [(e["action"], e.get("reference"), e.get("reason")) for e in entries(db, "fail")] == [
        ("fail", "7F3A09C2", None), ("fail", None, "error_exam_not_submitted")]


def test_a_job_whose_worker_died_goes_back_to_the_queue_and_is_built_again(db, people):
    job_id, _ = store_jobs.request(db, people["director"], "workbook", WORKBOOK, "th")
    assert not store_jobs.requeue(db, job_id, "heartbeat")  # queued: nothing to put back
    store_jobs.claim(db, job_id, "w1")
    store_jobs.progress(db, job_id, "w1", 0.5, "doc_step_workbook")
    with pytest.raises(InputError):
        store_jobs.requeue(db, job_id, "because")
    assert store_jobs.stale(db, 3600) == [] and store_jobs.stale(db, -1) == [(job_id, "w1")]
    assert not store_jobs.requeue(db, job_id, "worker_stopped", "w0")  # not that worker's: taken up by another
    assert store_jobs.requeue(db, job_id, "worker_stopped", "w1")
    job = store_jobs.get(db, people["director"], job_id)
    assert (job["state"], job["progress"], job["attempts"]) == ("queued", 0.0, 1)
    assert not store_jobs.finish(db, job_id, "w1", [("x.xlsx", XLSX, b"late")])  # the dead worker's build is void
    assert store_jobs.claim_next(db, "w2")["id"] == job_id
    assert store_jobs.claim_next(db, "w3") is None
    assert store_jobs.finish(db, job_id, "w2", [("x.xlsx", XLSX, b"whole")])
    job = store_jobs.get(db, people["director"], job_id)
    assert (job["state"], job["attempts"], job["worker"]) == ("done", 2, "w2")
    assert [(e["action"], e.get("why")) for e in entries(db)] == [
        ("request", None), ("start", None), ("requeue", "worker_stopped"), ("start", None), ("done", None)]
    assert entries(db, "start")[1]["attempt"] == 2
    names = [r[0] for r in db.execute("SELECT name FROM stored_files")] if file_store.where(db) == "database" else \
        [str(p.relative_to(file_store.folder(db))) for p in file_store.folder(db).rglob("*") if p.is_file()]
    assert names == [job["files"][0]["stored"]]  # the void build wrote nothing


def test_a_running_job_is_reused_the_same_way_by_a_second_claim(db, people):
    """The queue gives a job whose worker died to another (on PostgreSQL its row may still say running)."""
    job_id, _ = store_jobs.request(db, people["director"], "workbook", WORKBOOK, "th")
    store_jobs.claim(db, job_id, "w1")
    again = store_jobs.claim(db, job_id, "w2")
    assert (again["state"], again["attempts"], again["worker"]) == ("running", 2, "w2")
    assert entries(db, "start")[1]["after"] == "w1"
    assert not store_jobs.finish(db, job_id, "w1", [("x.xlsx", XLSX, b"late")])


def test_a_documents_builds_older_than_the_newest_two_keep_their_rows_but_not_their_files(db, people):
    def build(content: bytes, unit_code: str) -> int:
        org.add_unit(db, unit_code, unit_code, unit_code)  # the store changed: the next request is a new build
        job_id, new = store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "th")
        assert new
        store_jobs.claim(db, job_id, "w1")
        assert store_jobs.finish(db, job_id, "w1", [("pmqa-workbook.xlsx", XLSX, content)])
        return job_id

    other, _ = store_jobs.request(db, people["committee"], "workbook", WORKBOOK, "en")  # another document
    store_jobs.claim(db, other, "w1")
    store_jobs.finish(db, other, "w1", [("pmqa-workbook-en.xlsx", XLSX, b"PK english")])
    first, second, third = build(b"PK one", "U2"), build(b"PK two", "U3"), build(b"PK one", "U4")
    stored = {job_id: store_jobs.get(db, people["admin"], job_id)["files"] for job_id in (first, second, third)}
    assert stored[first] == [] and stored[second] and stored[third]  # the newest two keep theirs
    assert store_jobs.get(db, people["admin"], first)["state"] == "done"  # the row stays, for the record
    assert file_store.has(db, stored[third][0]["stored"])  # the first's bytes, built again: kept for the third
    with pytest.raises(InputError, match="error_job_replaced"):
        store_jobs.read_file(db, people["committee"], first, "pmqa-workbook.xlsx")
    assert store_jobs.read_file(db, people["director"], second, "pmqa-workbook.xlsx")[2] == b"PK two"

    fourth = build(b"PK four", "U5")
    assert store_jobs.get(db, people["admin"], second)["files"] == []
    assert not file_store.has(db, stored[second][0]["stored"])  # nobody's any more: gone from the file store
    assert file_store.has(db, stored[third][0]["stored"])
    assert store_jobs.read_file(db, people["director"], fourth, "pmqa-workbook.xlsx")[2] == b"PK four"
    assert store_jobs.read_file(db, people["director"], other, "pmqa-workbook-en.xlsx")[2] == b"PK english"
    assert [e.get("pruned") for e in entries(db, "done")] == [None, None, None, [first], [second]]
