"""What the pages show when the year or its phase does not allow a change: the unit's form read-only with
the reason (or no form started at all), and the committee's review read-only in a closed year."""

import pytest

from i18n import translate
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments, years
from storage.organisation import accounts, org

YEAR = 2570


@pytest.fixture
def store(demo_path):
    db = connect(demo_path)
    yield {"db": db, "admin": accounts.authenticate(db, "demo-admin", DEMO_PASSWORD),
           "unit": accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)}
    db.close()


def without_a_form(db, unit) -> None:
    """The demo unit with no 2570 assessment at all."""
    aid = assessments.get(db, unit.unit_id, YEAR)["id"]
    for table in ("checkpoint_answers", "kpi_results", "narratives", "unit_kpis", "item_comments", "evidence"):
        db.execute(f"DELETE FROM {table} WHERE assessment_id = ?", [aid])
    db.execute("DELETE FROM assessments WHERE id = ?", [aid])


def open_form(app, lang="th"):
    at = app("unit", lang, page="pages/self_assessment.py")
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_closed_self_assessment_phase_shows_the_form_read_only_with_the_reason(app, store, lang):
    years.set_phase(store["db"], store["admin"], YEAR, "self_assessment", "closed")
    at = open_form(app, lang)
    assert translate("sa_phase_closed", lang, year=YEAR) in [i.value for i in at.info]
    assert at.checkbox and all(box.disabled for box in at.checkbox)
    assert not [b for b in at.button if b.label == translate("sa_submit", lang)]


def test_a_closed_year_shows_the_form_read_only(app, store):
    years.close_year(store["db"], store["admin"], YEAR)
    at = open_form(app)
    assert translate("sa_year_closed", "th", year=YEAR) in [i.value for i in at.info]
    assert all(box.disabled for box in at.checkbox)


def test_outside_the_phase_no_form_is_started(app, store):
    db, unit = store["db"], store["unit"]
    without_a_form(db, unit)
    years.set_phase(db, store["admin"], YEAR, "self_assessment", "closed")
    at = open_form(app)
    assert [i.value for i in at.info] == [translate("sa_phase_closed", "th", year=YEAR)]
    assert not at.checkbox and not at.metric
    assert assessments.get(db, unit.unit_id, YEAR) is None


def test_a_returned_form_stays_editable_after_the_phase_closes(app, store):
    db, unit = store["db"], store["unit"]
    db.execute("UPDATE assessments SET status = 'returned' WHERE unit_id = ? AND year = ?", [unit.unit_id, YEAR])
    years.set_phase(db, store["admin"], YEAR, "self_assessment", "closed")
    at = open_form(app)
    assert translate("sa_phase_closed", "th", year=YEAR) not in [i.value for i in at.info]
    assert not any(box.disabled for box in at.checkbox if box.key.startswith("sa:cp:"))


def test_the_committee_sees_a_closed_year_read_only(app, store):
    db = store["db"]
    submitted = db.execute("SELECT unit_id FROM assessments WHERE year = ? AND status = 'submitted' LIMIT 1",
                           [YEAR]).fetchone()[0]
    years.close_year(db, store["admin"], YEAR)
    at = app("committee", page="pages/review.py")
    at.selectbox(key="rv:unit:th").set_value(submitted).run()
    assert not at.exception, [e.value for e in at.exception]
    assert translate("rv_year_closed", "th", year=YEAR) in [i.value for i in at.info]
    assert at.checkbox and all(box.disabled for box in at.checkbox)
    assert not [b for b in at.button if b.label in (translate("rv_return", "th"), translate("rv_approve", "th"))]


def test_an_assessor_of_a_deactivated_unit_without_a_form_is_told_so(app, store):
    db, unit = store["db"], store["unit"]
    without_a_form(db, unit)
    org.set_unit_active(db, store["admin"], unit.unit_id, False)
    at = open_form(app)
    assert [i.value for i in at.info] == [translate("error_unit_inactive", "th")]
    assert assessments.get(db, unit.unit_id, YEAR) is None
