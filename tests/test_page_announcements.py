"""Announcements with AppTest: the PMQA owner publishes one on the admin page (optionally e-mailed through a
local SMTP server), each addressee finds it on the home page until they mark it read, and the owner sees
who has read it and can withdraw it."""

import json

import pytest
from smtp_server import smtp_server
from test_page_admin import admin_page, button, click, labelled, ok  # noqa: F401  (fixtures and helpers)

from i18n import translate
from storage.admin import announcements
from storage.admin.demo import DEMO_PASSWORD
from storage.db import transaction
from storage.organisation import accounts


def publish_form(at, lang: str = "th", title: str = "ประชุมชี้แจงเกณฑ์", roles=(), email: bool = False):
    labelled(at.text_input, "ann_title", lang).input(title)
    labelled(at.text_area, "ann_body", lang).input("วันที่ 5 ธ.ค. เวลา 09:00\nห้องประชุม 1")
    labelled(at.text_area, "ann_links", lang).input("คู่มือ https://opdc.example.go.th/pmqa")
    if roles:
        labelled(at.multiselect, "ann_roles", lang).set_value(list(roles))
    if email:
        labelled(at.checkbox, "ann_email_too", lang).check()
    return click(at, "ann_publish", lang)


def admin(db):
    return accounts.authenticate(db, "demo-admin", DEMO_PASSWORD)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_owner_publishes_and_a_unit_reads_it_on_its_home_page(admin_page, app, demo_db, lang):  # noqa: F811
    at = publish_form(admin_page("announcements", lang), lang, roles=["unit", "committee"])
    assert not at.error
    assert [e.value for e in at.toast] == [translate("ann_published", lang)]
    [row] = announcements.listing(demo_db, admin(demo_db))
    assert row["title"] == "ประชุมชี้แจงเกณฑ์" and row["roles"] == ["unit", "committee"]
    assert row["links"] == [{"title": "คู่มือ", "url": "https://opdc.example.go.th/pmqa"}]
    assert labelled(at.text_input, "ann_title", lang).value == ""  # a fresh form

    home = ok(app("unit", lang))
    text = "\n".join(m.value for m in home.markdown)
    assert "ประชุมชี้แจงเกณฑ์" in text and "opdc.example.go.th/pmqa" in text
    next(b for b in home.button if b.label == translate("ann_mark_read", lang)).click().run()
    ok(home)
    assert "ประชุมชี้แจงเกณฑ์" not in "\n".join(m.value for m in home.markdown)
    director = ok(app("director", lang))  # not addressed
    assert "ประชุมชี้แจงเกณฑ์" not in "\n".join(m.value for m in director.markdown)
    [row] = announcements.listing(demo_db, admin(demo_db))
    assert row["read"] == 1


def test_the_owner_sees_who_read_it_and_withdraws_it(admin_page, app, demo_db):  # noqa: F811
    aid = announcements.publish(demo_db, admin(demo_db), "แจ้งกำหนดส่ง", "", roles=["director"])
    announcements.mark_read(demo_db, accounts.authenticate(demo_db, "demo-director", DEMO_PASSWORD), aid)
    with transaction(demo_db):
        demo_db.execute("UPDATE users SET display_name = 'สุดา ผู้อำนวยการ' WHERE username = 'demo-director'")
    at = admin_page("announcements")
    [table] = at.dataframe
    assert list(table.value[translate("ann_reader", "th")]) == ["สุดา ผู้อำนวยการ"]  # the addressee, by name
    assert table.value[translate("ann_read_at", "th")].notna().sum() == 1  # the director who read it
    click(at, "ann_withdraw")
    assert announcements.listing(demo_db, admin(demo_db))[0]["withdrawn_at"]
    home = ok(app("director"))
    assert "แจ้งกำหนดส่ง" not in "\n".join(m.value for m in home.markdown)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_an_announcement_without_a_title_is_refused_and_nothing_is_stored(admin_page, demo_db, lang):  # noqa: F811
    at = publish_form(admin_page("announcements", lang), lang, title="")
    assert [e.value for e in at.error] == [translate("error_ann_title", lang, limit=announcements.MAX_TITLE)]
    assert announcements.listing(demo_db, admin(demo_db)) == []


def test_without_a_mail_server_e_mail_is_not_offered(admin_page):  # noqa: F811
    at = admin_page("announcements")
    assert labelled(at.checkbox, "ann_email_too").disabled
    assert translate("ann_no_smtp", "th") in [c.value for c in at.caption]


def mail_settings(tmp_path, monkeypatch, port: int) -> dict:
    """The ``[smtp]`` section for the page (Streamlit's secrets) and, in a secrets file, for the worker that sends
    the e-mail (``jobs.secrets``: ``PMQA_SECRETS``)."""
    section = {"host": "127.0.0.1", "port": port, "sender": "pmqa@example.go.th", "starttls": False}
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[smtp]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in section.items()))
    monkeypatch.setenv("PMQA_SECRETS", str(secrets))
    return section


def test_with_the_departments_mail_server_it_is_also_e_mailed(admin_page, demo_db, tmp_path, monkeypatch,  # noqa: F811
                                                              finish_jobs):
    director = accounts.authenticate(demo_db, "demo-director", DEMO_PASSWORD)
    accounts.update_user(demo_db, admin(demo_db), director.id, "director", None, director.display_name,
                         email="director@example.go.th")
    with smtp_server() as (inbox, port):
        at = admin_page("announcements")
        at.secrets["smtp"] = mail_settings(tmp_path, monkeypatch, port)
        at.run()
        publish_form(at, roles=["director"], email=True)
        assert not at.error
        assert [e.value for e in at.toast] == [translate("ann_email_queued", "th")]  # published, and the e-mail asked
        finish_jobs(at)  # the e-mail is a job: the page did not wait for the mail server
        assert not at.error
        assert translate("ann_email_sent", "th", n=1) in [s.value for s in at.success]
        [readers] = [table.value for table in at.dataframe if translate("ann_mailed_at", "th") in table.value]
        mailed = dict(zip(readers[translate("ann_reader", "th")], readers[translate("ann_mailed_at", "th")],
                          strict=True))
        assert [who for who, at_ in mailed.items() if at_ != translate("ann_not_mailed", "th")] == [
            next(who for who in mailed if "director" in who)]  # the one with an address, at the time it went
        assert [to for to, _ in inbox.messages] == [["director@example.go.th"]]
        assert inbox.messages[0][1]["Subject"] == translate("ann_subject_prefix", "th") + "ประชุมชี้แจงเกณฑ์"
        [aid] = [row["id"] for row in announcements.listing(demo_db, admin(demo_db))]
        asked = demo_db.execute("SELECT COUNT(*) FROM document_jobs WHERE kind = 'email'").fetchone()[0]
        at.button(key=f"adm:ann_mail:{aid}").click().run()  # pressed again: the director has had it, said at once
        assert [e.value for e in at.error] == [translate("error_ann_all_emailed", "th")]
        assert demo_db.execute("SELECT COUNT(*) FROM document_jobs WHERE kind = 'email'").fetchone()[0] == asked
        assert len(inbox.messages) == 1  # not sent twice
    assert announcements.listing(demo_db, admin(demo_db))[0]["emailed_count"] == 1
