"""Committee notes on items: who may write them, when, and what is refused."""

import pytest

from storage.assessment import assessments, reviews
from storage.errors import AccessDenied, InputError, NotEditable
from storage.organisation import accounts, org


@pytest.fixture
def setup(db):
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    unit = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, unit, unit_id, 2570)
    return {"unit": unit, "id": a["id"], "committee": accounts.create_user(db, "board", "correct horse", "committee")}


def submitted(db, setup):
    db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [setup["id"]])


def test_committee_notes_are_stored_audited_and_removable(db, setup):
    submitted(db, setup)
    note = reviews.add_note(db, setup["committee"], setup["id"], "1.1", "strength", "  มีระบบติดตามผลชัดเจน ")
    row = db.execute("SELECT item, kind, author, text FROM item_comments WHERE id = ?", [note]).fetchone()
    assert row == ("1.1", "strength", "board", "มีระบบติดตามผลชัดเจน")
    reviews.remove_note(db, setup["committee"], note)
    assert db.execute("SELECT COUNT(*) FROM item_comments").fetchone()[0] == 0
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE entity = 'assessment' ORDER BY id")]
    assert actions[-2:] == ["add_strength", "remove_note"]


@pytest.mark.parametrize(
    ("item", "kind", "text", "key"),
    [("1.1", "comment", "   ", "error_note_empty"), ("1.1", "comment", "ก" * 2001, "error_text_length"),
     ("9.9", "comment", "ok", "error_unknown_item"), ("1.1", "praise", "ok", "error_input")],
)
def test_bad_notes_are_refused(db, setup, item, kind, text, key):
    submitted(db, setup)
    with pytest.raises(InputError) as err:
        reviews.add_note(db, setup["committee"], setup["id"], item, kind, text)
    assert err.value.key == key
    assert db.execute("SELECT COUNT(*) FROM item_comments").fetchone()[0] == 0


def test_only_the_committee_notes_and_only_after_submission(db, setup):
    with pytest.raises(NotEditable):
        reviews.add_note(db, setup["committee"], setup["id"], "1.1", "comment", "ok")
    submitted(db, setup)
    with pytest.raises(AccessDenied):
        reviews.add_note(db, setup["unit"], setup["id"], "1.1", "comment", "ok")


def test_a_member_cannot_withdraw_another_members_note(db, setup):
    submitted(db, setup)
    note = reviews.add_note(db, setup["committee"], setup["id"], "1.1", "comment", "ควรแนบหลักฐาน")
    other = accounts.create_user(db, "board2", "correct horse", "committee")
    with pytest.raises(AccessDenied):
        reviews.remove_note(db, other, note)
    assert db.execute("SELECT COUNT(*) FROM item_comments WHERE id = ?", [note]).fetchone()[0] == 1
    reviews.remove_note(db, setup["committee"], note)
    assert db.execute("SELECT COUNT(*) FROM item_comments WHERE id = ?", [note]).fetchone()[0] == 0
