"""People as readers know them (issue 25): every screen, message and document names an account by its display
name (the ชื่อ-สกุล the admin entered), through one mapping, ``storage.organisation.accounts.people``; the user name
stays where it is the account itself."""

from datetime import date

import pytest

from storage.assessment import answers, assessments
from storage.errors import FieldConflict, InputError, VersionConflict, describe
from storage.organisation import accounts, org


def test_an_account_is_known_by_its_display_name(db):
    accounts.create_user(db, "somchai", "mango-tide-river9", "director", display_name="สมชาย ใจดี")
    accounts.create_user(db, "board", "mango-tide-river9", "committee")  # no name entered: the user name
    names = accounts.people(db)
    assert names["somchai"] == "สมชาย ใจดี" and names["board"] == "board"
    # who the store names but has no account for (the command line, the demo's set-up) reads as stored
    assert names["command line"] == "command line" and names[None] == ""
    assert names.get("nobody", "nobody") == "nobody"


def test_two_accounts_with_one_name_are_told_apart_by_their_user_names(db):
    for username in ("somchai", "somchai2"):
        accounts.create_user(db, username, "mango-tide-river9", "committee", display_name="สมชาย ใจดี")
    accounts.create_user(db, "suda", "mango-tide-river9", "director", display_name="สุดา มีสุข")
    names = accounts.people(db)
    assert names == {"somchai": "สมชาย ใจดี (somchai)", "somchai2": "สมชาย ใจดี (somchai2)", "suda": "สุดา มีสุข"}
    assert len(set(names.values())) == len(names)  # one account each: a list to choose from too


def test_a_disabled_account_keeps_its_name_in_history(db):
    admin = accounts.create_user(db, "owner", "mango-tide-river9", "admin", display_name="เจ้าของงาน")
    leaver = accounts.create_user(db, "leaver", "mango-tide-river9", "director", display_name="ผู้ย้ายออก")
    accounts.set_active(db, admin, leaver.id, False)
    assert accounts.people(db)["leaver"] == "ผู้ย้ายออก"


def test_a_renamed_account_reads_by_its_new_name(db):
    admin = accounts.create_user(db, "owner", "mango-tide-river9", "admin", display_name="เจ้าของงาน")
    target = accounts.create_user(db, "somchai", "mango-tide-river9", "director", display_name="สมชาย")
    accounts.update_user(db, admin, target.id, "director", None, "สมชาย ใจดี")
    assert accounts.people(db)["somchai"] == "สมชาย ใจดี"


@pytest.mark.parametrize(("lang", "expected"), [
    ("th", "สมชาย ใจดี เปลี่ยนช่องนี้"), ("en", "สมชาย ใจดี changed this field")])
def test_a_conflict_names_who_changed_it_first_by_display_name(db, lang, expected):
    # issue 25: "somchai changed this field just before you" named the login
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "PLAN", "กองแผนงาน", "Planning Division")
    first = accounts.create_user(db, "somchai", "mango-tide-river9", "unit", display_name="สมชาย ใจดี",
                                 unit_id=unit_id)
    second = accounts.create_user(db, "suda", "mango-tide-river9", "unit", display_name="สุดา มีสุข",
                                  unit_id=unit_id)
    found = assessments.ensure(db, first, unit_id, 2570)
    version = answers.save_narrative(db, first, found["id"], found["version"], "1.1", "basic", "ของสมชาย", before="")
    with pytest.raises(FieldConflict) as refused:
        answers.save_narrative(db, second, found["id"], version - 1, "1.1", "basic", "ของสุดา", before="")
    assert refused.value.params["by"] == "somchai"  # the store names the account ...
    text = describe(refused.value, lang, accounts.people(db))  # ... the reader reads the person
    assert text.startswith(expected) and "somchai" not in text
    assert describe(refused.value, lang).startswith("somchai")  # without the names: as stored


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_version_conflict_and_an_owner_are_named_too(lang):
    names = {"somchai": "สมชาย ใจดี"}
    assert "(สมชาย ใจดี)" in describe(VersionConflict(3, "somchai"), lang, names)
    assert "\"สมชาย ใจดี\"" in describe(InputError("error_ofi_owner", owner="somchai"), lang, names)
    assert "(-)" in describe(VersionConflict(3, None), lang, names)


@pytest.mark.parametrize(("lang", "day"), [("th", "(6 ธ.ค. 2569)"), ("en", "(6 Dec 2026)")])
def test_a_date_in_a_message_is_in_the_language_calendar(lang, day):
    assert day in describe(InputError("error_ofi_due_past", date=date(2026, 12, 6)), lang)
