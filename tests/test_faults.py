"""Unexpected errors under AppTest: the user sees a plain message in their language with a reference, never
the error's text or a traceback; the server log has the traceback under that same reference; a failed
save changes nothing."""

from __future__ import annotations

import logging
import re

import pytest

import analysis.summary
import storage.assessment.answers
from i18n import translate
from storage.assessment import answers, assessments
from ui import faults, session

SECRET = "no such table: /srv/pmqa/var/pmqa.db"  # what must never reach the page
REFERENCE = re.compile(r"^[0-9A-F]{8}$")


def _boom(*_args, **_kwargs):
    raise RuntimeError(SECRET)


def shown_reference(at, lang: str) -> str:
    """The reference in the one error message on the page, checked against the catalogue's text."""
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    pattern = re.escape(translate("error_unexpected", lang, reference="REF")).replace("REF", "(.+)")
    found = re.fullmatch(pattern, errors[0])
    assert found, errors[0]
    assert SECRET not in errors[0] and "Traceback" not in errors[0]
    return found.group(1)


def logged(caplog, reference: str) -> logging.LogRecord:
    records = [r for r in caplog.records if r.name == "pmqa" and reference in r.getMessage()]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    return records[0]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_page_that_fails_shows_a_reference_and_logs_the_traceback(app, monkeypatch, caplog, lang):
    at = app("director", lang)
    monkeypatch.setattr(analysis.summary, "department_summary", _boom)
    at.run()
    reference = shown_reference(at, lang)
    assert REFERENCE.match(reference)
    record = logged(caplog, reference)
    assert record.levelno == logging.ERROR
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError) and SECRET in str(record.exc_info[1])
    assert "in page / " in record.getMessage()  # the address: home is the default page
    # the menu and the sign-out button are still there: the user can go elsewhere
    assert at.sidebar.get("page_link") and at.sidebar.button


def test_the_router_failing_is_caught_too(app, monkeypatch, caplog):
    at = app("committee")
    monkeypatch.setattr(session, "current_user", _boom)
    at.run()
    reference = shown_reference(at, "th")
    assert "in the router" in logged(caplog, reference).getMessage()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_save_that_fails_unexpectedly_shows_a_reference_and_changes_nothing(app, demo_db, demo_user, monkeypatch,
                                                                              caplog, lang):
    at = app("unit", lang, page="pages/self_assessment.py")
    unit = demo_user("unit")
    aid = assessments.get(demo_db, unit.unit_id, 2570)["id"]
    before = answers.load(demo_db, unit, aid)
    box = at.checkbox(key="sa:cp:1.1.B1")
    monkeypatch.setattr(storage.assessment.answers, "save_checkpoints", _boom)
    box.set_value(not box.value).run()
    reference = shown_reference(at, lang)
    assert SECRET in str(logged(caplog, reference).exc_info[1])
    after = answers.load(demo_db, unit, aid)
    assert after.assessment["version"] == before.assessment["version"] and after.ticks == before.ticks
    assert at.checkbox(key="sa:cp:1.1.B1").value == bool(before.ticks.get("1.1.B1", {}).get("self"))


def test_references_differ_and_are_easy_to_read_out():
    references = {faults.new_reference() for _ in range(200)}
    assert len(references) == 200
    assert all(REFERENCE.match(r) for r in references)
