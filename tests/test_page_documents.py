"""The documents page under AppTest: each role that may open it asks for the workbook, which a worker builds
(``jobs``: the in-process executor on SQLite, a Procrastinate worker on the test server; ``finish_jobs`` waits for
it), then is offered its download (the file itself is read back in test_workbook and in the browser test); units
cannot reach it."""

import os
from contextlib import closing

import pytest

import jobs
from i18n import translate
from jobs.run import run_claimed
from storage import connect
from storage.admin import jobs as store_jobs
from storage.record import department

PAGE = "pages/documents.py"


@pytest.mark.parametrize("role", ["committee", "director", "admin"])
def test_the_workbook_is_built_on_request_and_offered(app, finish_jobs, role):
    at = app(role, page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("download_button")  # nothing built before it is asked for
    next(b for b in at.button if b.label == translate("doc_build_workbook", "th")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    finish_jobs(at)
    assert not at.error, [e.value for e in at.error]
    (button,) = at.get("download_button")
    assert button.proto.label == translate("doc_download", "th", name="pmqa-workbook-2570-best-th.xlsx")
    assert any(c.value.startswith(translate("doc_built_at", "th", time="")) for c in at.caption)


def test_english_and_the_chosen_source(app, finish_jobs):
    at = app("committee", "en", page=PAGE)
    at.radio(key="doc:source:en").set_value("self").run()
    next(b for b in at.button if b.label == translate("doc_build_workbook", "en")).click().run()
    finish_jobs(at)
    (button,) = at.get("download_button")
    assert button.proto.label == translate("doc_download", "en", name="pmqa-workbook-2570-self-en.xlsx")


def test_units_cannot_reach_it(app):
    at = app("unit")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_application_report_needs_the_departments_assessment_then_builds_both_files(app, demo_db, demo_user,
                                                                                        finish_jobs):
    at = app("director", page=PAGE)
    assert at.info[0].value == translate("doc_application_needs_record", "th", year=2570)
    assert translate("doc_build_application", "th") not in [b.label for b in at.button]
    department.start(demo_db, demo_user("committee"), 2570)
    at.run()
    next(b for b in at.button if b.label == translate("doc_build_application", "th")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    finish_jobs(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [translate("doc_download", "th", name=f"pmqa-application-2570-th.{s}") for s in ("docx", "pdf")]


def test_a_units_printable_assessment(app, finish_jobs):
    at = app("committee", page=PAGE)
    at.selectbox(key="doc:unit:th").set_value(2).run()  # PLAN
    next(b for b in at.button if b.label == translate("doc_build_unit", "th")).click().run()
    finish_jobs(at)
    assert not at.error, [e.value for e in at.error]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [translate("doc_download", "th", name="pmqa-unit-PLAN-2570-th.pdf")]


def test_the_site_visit_presentation(app, demo_db, demo_user, finish_jobs):
    department.start(demo_db, demo_user("committee"), 2570)
    at = app("committee", page=PAGE)
    next(b for b in at.button if b.label == translate("doc_build_slides", "th")).click().run()
    finish_jobs(at)
    assert not at.error, [e.value for e in at.error]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [translate("doc_download", "th", name="pmqa-site-visit-2570-th.pptx")]


def test_both_editions_are_offered_the_application_first(app, full_demo_path, monkeypatch, finish_jobs):
    monkeypatch.setenv("PMQA_DB", str(full_demo_path))  # the demo as made: its department assessment started
    at = app("committee", page=PAGE)
    labels = [b.label for b in at.button]
    first, second = (labels.index(translate(key, "th")) for key in ("doc_build_application", "doc_build_review"))
    assert first < second
    next(b for b in at.button if b.label == translate("doc_build_review", "th")).click().run()
    finish_jobs(at)
    assert not at.error, [e.value for e in at.error]
    names = [b.proto.label for b in at.get("download_button")]
    assert names == [translate("doc_download", "th", name=f"pmqa-review-2570-th.{s}") for s in ("docx", "pdf")]


def build_button(at, lang: str = "th"):
    return next(b for b in at.button if b.label == translate("doc_build_workbook", lang))


def test_a_build_under_way_shows_its_progress_to_everyone_and_freezes_no_other_page(app, demo_db, demo_user,
                                                                                    finish_jobs, monkeypatch):
    monkeypatch.setenv("PMQA_JOB_STEP_PAUSE", "2")  # each step of the build waits two seconds
    at = app("committee", page=PAGE)
    build_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert build_button(at).disabled and not at.get("download_button")
    (bar,) = at.get("progress")
    running = translate("doc_job_running", "th", percent=0, step="").split("(")[0]  # "กำลังจัดทำ (N%): step"
    assert bar.proto.text == translate("doc_job_queued", "th") or bar.proto.text.startswith(running), bar.proto.text
    other = app("director", page=PAGE)  # another person's page runs while the build is under way
    assert not other.exception
    (job,) = [store_jobs.get(demo_db, demo_user("director"), i) for i in store_jobs.active(demo_db)]
    assert job["state"] in store_jobs.ACTIVE  # not waited for
    assert build_button(other).disabled and other.get("progress")  # the same job: no second build of it
    finish_jobs(other)
    assert not other.get("progress") and not build_button(other).disabled
    (button,) = other.get("download_button")
    assert button.proto.label == translate("doc_download", "th", name="pmqa-workbook-2570-best-th.xlsx")
    assert demo_db.execute("SELECT COUNT(*) FROM document_jobs").fetchone()[0] == 1


def test_a_failed_build_gives_its_reference_and_may_be_tried_again(app, demo_db, demo_user, finish_jobs):
    director = demo_user("director")
    job_id, _ = store_jobs.request(demo_db, director, "workbook", {"year": 2570, "source": "best"}, "th")
    for attempt in range(store_jobs.MAX_ATTEMPTS):  # its worker died each time
        store_jobs.claim(demo_db, job_id, f"w{attempt}")
        store_jobs.requeue(demo_db, job_id, "heartbeat")
    assert run_claimed(demo_db, store_jobs.claim(demo_db, job_id, "w9"), "w9") == "failed"
    reference = store_jobs.get(demo_db, director, job_id)["error"]
    at = app("director", page=PAGE)
    assert [e.value for e in at.error] == [translate("doc_job_failed", "th", reference=reference)]
    next(b for b in at.button if b.label == translate("doc_retry", "th")).click().run()
    finish_jobs(at)
    assert not at.error
    assert [b.proto.label for b in at.get("download_button")] == [
        translate("doc_download", "th", name="pmqa-workbook-2570-best-th.xlsx")]
    with closing(connect(os.environ["PMQA_DB"])) as db:
        assert jobs.wait(db) and db.execute("SELECT COUNT(*) FROM document_jobs").fetchone()[0] == 2
