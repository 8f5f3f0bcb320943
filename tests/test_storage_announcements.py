"""Announcements on real SQLite files: the PMQA owner publishes to all or to chosen roles and units, with links
and files; each addressee sees it until they mark it read; the owner sees who read it, withdraws it, and
e-mails it through an SMTP server (a local one started by the test, never a real one)."""

import json
import logging
import zipfile
from datetime import timedelta

import pytest
from sample_files import pdf_bytes
from smtp_server import smtp_server

from i18n.format import thailand_today
from storage.admin import announcements, backup, mail
from storage.db import transaction
from storage.errors import AccessDenied, InputError, StoreError
from storage.files import store as files
from storage.organisation import accounts, org

PDF = pdf_bytes("briefing")


@pytest.fixture
def people(db):
    org.add_cycle(db, 2570)
    u1 = org.add_unit(db, "U1", "หน่วยหนึ่ง", "Unit one")
    u2 = org.add_unit(db, "U2", "หน่วยสอง", "Unit two")
    made = {
        "admin": accounts.create_user(db, "owner", "correct horse", "admin"),
        "director": accounts.create_user(db, "boss", "correct horse", "director", email="boss@example.go.th"),
        "committee": accounts.create_user(db, "board", "correct horse", "committee", email="board@example.go.th"),
        "unit1": accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=u1, email="u1@example.go.th"),
        "unit2": accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=u2),
    }
    return made | {"u1": u1, "u2": u2}


def titles(db, user):
    return [a["title"] for a in announcements.inbox(db, user)]


def test_an_announcement_to_everyone_shows_until_each_reads_it(db, people):
    owner = people["admin"]
    aid = announcements.publish(db, owner, " ประชุมชี้แจงเกณฑ์ 5 ธ.ค. ", "ห้องประชุม 1 เวลา 09:00",
                                links=[{"title": "เกณฑ์ปี 2570", "url": "https://opdc.example.go.th/pmqa"}],
                                files=[("กำหนดการ.pdf", PDF)])
    for who in ("director", "committee", "unit1", "unit2", "admin"):
        [shown] = announcements.inbox(db, people[who])
        assert shown["title"] == "ประชุมชี้แจงเกณฑ์ 5 ธ.ค." and shown["links"][0]["title"] == "เกณฑ์ปี 2570"
        assert [f["filename"] for f in shown["files"]] == ["กำหนดการ.pdf"]
    assert announcements.read_file(db, people["unit2"], shown["files"][0]["id"]) == ("กำหนดการ.pdf", PDF)
    announcements.mark_read(db, people["unit1"], aid)
    announcements.mark_read(db, people["unit1"], aid)  # twice changes nothing
    assert titles(db, people["unit1"]) == [] and titles(db, people["unit2"]) == ["ประชุมชี้แจงเกณฑ์ 5 ธ.ค."]
    [listed] = announcements.listing(db, owner)
    assert (listed["addressed"], listed["read"]) == (5, 1)
    read = {r["username"]: r["read_at"] for r in announcements.readers(db, owner, aid)}
    assert read["unit1"] and read["unit2"] is None and len(read) == 5
    [entry] = db.query("SELECT * FROM audit_log WHERE entity = 'announcement' AND action = 'publish'")
    assert json.loads(entry["detail"])["files"] == ["กำหนดการ.pdf"]


def test_an_announcement_for_chosen_roles_and_units_reaches_only_them(db, people):
    announcements.publish(db, people["admin"], "สำหรับหน่วยงานหนึ่งและกรรมการ", "", roles=["unit", "committee"],
                          unit_ids=[people["u1"]])
    assert titles(db, people["unit1"]) == titles(db, people["committee"]) == ["สำหรับหน่วยงานหนึ่งและกรรมการ"]
    assert titles(db, people["unit2"]) == titles(db, people["director"]) == titles(db, people["admin"]) == []
    with pytest.raises(InputError, match="error_ann_unknown"):  # one not addressed cannot mark it either
        announcements.mark_read(db, people["unit2"], 1)


def test_withdrawn_and_expired_announcements_leave_the_home_pages(db, people):
    owner = people["admin"]
    first = announcements.publish(db, owner, "ถอนแล้ว", "")
    announcements.publish(db, owner, "หมดเวลา", "", expires_on=thailand_today())
    announcements.withdraw(db, owner, first)
    assert titles(db, people["director"]) == ["หมดเวลา"]
    assert announcements.inbox(db, people["director"], today=thailand_today() + timedelta(days=1)) == []
    assert [a["withdrawn_at"] is not None for a in announcements.listing(db, owner)] == [False, True]


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"title": "  "}, "error_ann_title"),
    ({"title": "ก" * 201}, "error_ann_title"),
    ({"body": "ข" * 5001}, "error_text_length"),
    ({"roles": ["boss"]}, "error_ann_roles"),
    ({"unit_ids": [999]}, "error_ann_units"),
    ({"roles": ["committee"], "unit_ids": [1]}, "error_ann_units_role"),
    ({"links": [{"url": "javascript:alert(1)"}]}, "error_ann_link"),
    ({"links": [{"url": f"https://example.go.th/{n}"} for n in range(11)]}, "error_ann_links"),
    ({"files": [("run.exe", b"MZ...")]}, "error_file_type"),
    ({"files": [("fake.pdf", b"not a pdf")]}, "error_file_content"),
    ({"files": [(f"f{n}.pdf", PDF) for n in range(6)]}, "error_ann_files"),
    ({"expires_on": thailand_today() - timedelta(days=1)}, "error_ann_expires"),
    ({"expires_on": "next week"}, "error_ann_expires"),
])
def test_a_bad_announcement_is_refused_and_nothing_is_stored(db, people, kwargs, key):
    values = {"title": "ประกาศ", "body": ""} | kwargs
    with pytest.raises(InputError) as refused:
        announcements.publish(db, people["admin"], **values)
    assert refused.value.key == key
    assert db["announcements"].count == 0 and db["announcement_files"].count == 0


@pytest.mark.parametrize("role", ["director", "committee", "unit1"])
def test_only_the_pmqa_owner_publishes_lists_and_withdraws(db, people, role):
    with pytest.raises(AccessDenied):
        announcements.publish(db, people[role], "ประกาศ", "")
    aid = announcements.publish(db, people["admin"], "ประกาศ", "")
    for action in (lambda: announcements.listing(db, people[role]),
                   lambda: announcements.withdraw(db, people[role], aid),
                   lambda: announcements.readers(db, people[role], aid)):
        with pytest.raises(AccessDenied):
            action()


@pytest.fixture
def smtp():
    with smtp_server() as (inbox, port):
        yield inbox, mail.SmtpSettings(host="127.0.0.1", port=port, sender="pmqa@example.go.th", starttls=False)


def test_an_announcement_is_emailed_to_each_addressee_with_an_address(db, people, smtp):
    handler, settings = smtp
    aid = announcements.publish(db, people["admin"], "ส่งแบบประเมินภายใน 31 ธ.ค.", "โปรดส่งให้ครบทุกหมวด",
                                roles=["unit", "director"], links=[{"title": "คู่มือ", "url": "https://x.go.th/m"}])
    sent = announcements.email(db, people["admin"], aid, settings, "[PMQA] ", "ระบบ PMQA")
    assert sent == 2  # unit2 has no address
    received = {tuple(to): msg for to, msg in handler.messages}
    assert set(received) == {("u1@example.go.th",), ("boss@example.go.th",)}
    msg = received[("u1@example.go.th",)]
    assert msg["Subject"] == "[PMQA] ส่งแบบประเมินภายใน 31 ธ.ค." and msg["From"] == "pmqa@example.go.th"
    body = msg.get_content()
    assert "โปรดส่งให้ครบทุกหมวด" in body and "คู่มือ: https://x.go.th/m" in body and "ระบบ PMQA" in body
    [listed] = announcements.listing(db, people["admin"])
    assert listed["emailed_count"] == 2 and listed["emailed_at"]


def received_by(handler) -> list[str]:
    return sorted(address for to, _ in handler.messages for address in to)


def test_nobody_gets_an_announcement_twice_and_one_added_later_gets_it_on_the_next_send(db, people, smtp):
    handler, settings = smtp
    aid = announcements.publish(db, people["admin"], "ประกาศ", "", roles=["unit", "director"])
    assert announcements.email(db, people["admin"], aid, settings, "", "") == 2
    with pytest.raises(InputError, match="error_ann_all_emailed"):  # pressed again: everyone has had it
        announcements.email(db, people["admin"], aid, settings, "", "")
    assert received_by(handler) == ["boss@example.go.th", "u1@example.go.th"]
    [listed] = announcements.listing(db, people["admin"])
    assert {p["username"]: bool(p["emailed_at"]) for p in listed["readers"]} == {"unit1": True, "unit2": False,
                                                                                "boss": True}
    # an address given since to an addressee who had none
    accounts.update_user(db, people["admin"], people["unit2"].id, "unit", people["u2"], "", "u2@example.go.th")
    assert announcements.email(db, people["admin"], aid, settings, "", "") == 1
    assert received_by(handler) == ["boss@example.go.th", "u1@example.go.th", "u2@example.go.th"]
    [listed] = announcements.listing(db, people["admin"])
    assert listed["emailed_count"] == 3
    mailed = {p["username"]: p["emailed_at"] for p in listed["readers"]}
    assert set(mailed) == {"unit1", "unit2", "boss"} and mailed["unit2"] > mailed["unit1"]  # when it went to each
    assert [json.loads(r["detail"])["sent"] for r in db.query(
        "SELECT detail FROM audit_log WHERE action = 'email' ORDER BY id")] == [2, 1]


def test_a_server_failing_part_of_the_way_says_how_many_went_and_the_next_send_reaches_only_the_rest(db, people,
                                                                                                   smtp):
    handler, settings = smtp
    aid = announcements.publish(db, people["admin"], "ประกาศ", "", roles=["unit", "director", "committee"])
    handler.refuse_after = 1
    with pytest.raises(StoreError) as refused:
        announcements.email(db, people["admin"], aid, settings, "", "")
    assert refused.value.key == "error_mail_partial"
    assert (refused.value.params["sent"], refused.value.params["n"]) == (1, 3)
    assert "451" in refused.value.params["detail"]
    [first] = received_by(handler)
    assert [r["address"] for r in db.query("SELECT address FROM announcement_deliveries")] == [first]
    [entry] = db.query("SELECT detail FROM audit_log WHERE action = 'email'")
    assert json.loads(entry["detail"])["sent"] == 1 and "451" in json.loads(entry["detail"])["failed"]
    assert announcements.listing(db, people["admin"])[0]["emailed_count"] == 1
    handler.refuse_after = None  # the server back
    assert announcements.email(db, people["admin"], aid, settings, "", "") == 2
    assert received_by(handler) == ["board@example.go.th", "boss@example.go.th", "u1@example.go.th"]  # once each


def test_an_unreachable_mail_server_is_a_clear_refusal_and_nothing_is_recorded(db, people):
    aid = announcements.publish(db, people["admin"], "ประกาศ", "", roles=["director"])
    settings = mail.SmtpSettings(host="127.0.0.1", port=1, sender="pmqa@example.go.th", starttls=False, timeout=2)
    with pytest.raises(StoreError) as refused:
        announcements.email(db, people["admin"], aid, settings, "", "")
    assert refused.value.key == "error_mail"
    assert announcements.listing(db, people["admin"])[0]["emailed_at"] is None
    assert not list(db.query("SELECT * FROM audit_log WHERE action = 'email'"))


def test_no_addressee_with_an_address_is_said(db, people, smtp):
    aid = announcements.publish(db, people["admin"], "ประกาศ", "", roles=["admin"])
    with pytest.raises(InputError, match="error_ann_no_addresses"):
        announcements.email(db, people["admin"], aid, smtp[1], "", "")


@pytest.mark.parametrize(("section", "ok"), [
    (None, False), ({}, False), ({"host": "smtp.example.go.th"}, False),
    ({"host": "smtp.example.go.th", "sender": "pmqa@example.go.th"}, True),
    ({"host": "smtp.example.go.th", "sender": "pmqa@example.go.th", "port": "not a port"}, False),
])
def test_smtp_settings_come_from_the_secrets_section_or_not_at_all(section, ok):
    assert (mail.settings_from(section) is not None) is ok


def test_announcement_files_are_in_the_backup(db, people, tmp_path):
    announcements.publish(db, people["admin"], "มีไฟล์", "", files=[("แผน.pdf", PDF)])
    archive = backup.backup(db, tmp_path / "backups")
    with zipfile.ZipFile(archive) as packed:
        assert any(name.startswith("evidence/announcements/") and name.endswith(".pdf") for name in packed.namelist())


def test_a_file_gone_from_the_store_is_a_clear_refusal(db, people, caplog):
    """Its file deleted from the folder beside the SQLite file, or its row from a PostgreSQL store's
    ``stored_files``: the reader is told plainly, the server's log says which file."""
    announcements.publish(db, people["admin"], "มีไฟล์", "", files=[("แผน.pdf", PDF)])
    [shown] = announcements.inbox(db, people["director"])
    [name] = [row[0] for row in db.execute("SELECT path FROM announcement_files")]
    assert files.has(db, name)
    if files.where(db) == files.DATABASE:
        db.execute("DELETE FROM stored_files WHERE name = ?", [name])
    else:
        (files.folder(db) / name).unlink()
    with caplog.at_level(logging.ERROR, logger="pmqa"), pytest.raises(StoreError) as refused:
        announcements.read_file(db, people["director"], shown["files"][0]["id"])
    assert (refused.value.key, refused.value.params) == ("error_evidence_unreadable", {"name": "แผน.pdf"})
    assert files.describe(db, name) in caplog.text


@pytest.mark.parametrize(("text", "address"), [
    ("u1@example.go.th", "u1@example.go.th"), (" u1@example.go.th ", "u1@example.go.th"),
    ('"u,1"@example.go.th', '"u,1"@example.go.th'),  # a comma quoted in the name is one address
    ("สมชาย <u1@example.go.th>", "u1@example.go.th"),
    ("u,1@example.go.th", None), ("u1@example.go.th, u2@example.go.th", None), ("u1@example.go.th;u2", None),
    ("u1", None), ("", None), ("team:;", None), ("u1@example.go.th\r\nBcc: spy@example.org", None),
    ("u1@a@example.go.th", None), ("สมชาย@example.go.th", None),
])
def test_an_address_is_one_recipient_or_refused(text, address):
    if address is None:
        with pytest.raises(InputError) as refused:
            mail.one_address(text)
        assert refused.value.key == "error_email"
    else:
        assert mail.one_address(text).addr_spec == address


def test_an_address_with_a_comma_never_reaches_several_recipients(db, people, smtp):
    """``u,1@x`` reads as two recipients, ``u`` and ``1@x``: such an address (stored before addresses were
    checked so) is not used at all, and logged; a quoted ``"boss,director"@x`` is one, and goes to it alone."""
    handler, settings = smtp
    with transaction(db):
        db.execute("UPDATE users SET email = 'u,1@example.go.th' WHERE username = 'unit1'")
        db.execute("UPDATE users SET email = '\"boss,director\"@example.go.th' WHERE username = 'boss'")
    aid = announcements.publish(db, people["admin"], "ประกาศ", "", roles=["unit", "director"])
    assert announcements.email(db, people["admin"], aid, settings, "", "") == 1
    assert [(to, msg["To"]) for to, msg in handler.messages] == [(['"boss,director"@example.go.th'],
                                                                   '"boss,director"@example.go.th')]
    [entry] = db.query("SELECT detail FROM audit_log WHERE action = 'email'")
    assert json.loads(entry["detail"]) == {"sent": 1, "addressed": 1, "unusable_addresses": ["unit1"]}
