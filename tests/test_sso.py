"""Single sign-on: an identity provider's e-mail is matched to one active account; an unknown, unverified,
missing or shared e-mail is refused with a message and audited; local accounts keep working. No real
provider is needed: the matching is in the store, and the pages read the identity through ``ui.sso``."""

from __future__ import annotations

import json
import time

import pytest

from i18n import translate
from storage.admin.demo import DEMO_PASSWORD
from storage.errors import InputError
from storage.organisation import accounts, signin
from ui import sso
from ui.text import md

PASSWORD = "correct horse battery"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "microsoft": {"client_id": "id", "client_secret": "s",
                      "server_metadata_url": "https://login.example/.well-known/openid-configuration"}}


def audited(db) -> list[tuple]:
    return [(r[0], r[1], json.loads(r[2])) for r in db.execute(
        "SELECT username, action, detail FROM audit_log WHERE entity = 'session' ORDER BY id")]


@pytest.fixture
def people(db):
    somchai = accounts.create_user(db, "somchai", PASSWORD, "director", email="Somchai@Example.go.th")
    accounts.create_user(db, "gone", PASSWORD, "committee", email="gone@example.go.th")
    db.execute("UPDATE users SET active = 0 WHERE username = 'gone'")
    return somchai


@pytest.mark.parametrize("email", ["somchai@example.go.th", " SOMCHAI@EXAMPLE.GO.TH "])
@pytest.mark.parametrize(("verified", "trusted"), [(True, False), (None, True), (False, True)])
def test_a_known_email_signs_in_its_account(db, people, email, verified, trusted):
    outcome = signin.sign_in_sso(db, email, verified, "https://login.example", "10.0.0.1", trusted=trusted)
    assert outcome.user == accounts.get_user(db, people.id) and outcome.refusal is None
    assert audited(db)[-1] == ("somchai", "sign_in", {"client": "10.0.0.1", "method": "sso",
                                                      "provider": "https://login.example"})
    assert db.execute("SELECT last_sign_in FROM users WHERE id = ?", [people.id]).fetchone()[0]


@pytest.mark.parametrize(("email", "verified", "refusal"), [
    ("nobody@example.go.th", True, "sso_unknown"),
    ("gone@example.go.th", True, "sso_unknown"),       # a disabled account
    ("somchai@example.go.th", False, "sso_unverified"),
    ("somchai@example.go.th", None, "sso_unverified"),  # the review: a provider that does not say was trusted
    ("", True, "sso_no_email"),
    (None, None, "sso_no_email"),
])
def test_other_identities_are_refused_and_audited(db, people, email, verified, refusal):
    outcome = signin.sign_in_sso(db, email, verified, "p", "c")
    assert outcome.user is None and outcome.refusal == refusal
    [(name, action, detail)] = audited(db)
    assert (name, action, detail["reason"], detail["method"]) == (email or None, "sign_in_failed", refusal, "sso")


def test_an_email_shared_by_two_accounts_signs_in_neither(db, people):
    accounts.create_user(db, "twin", PASSWORD, "committee")
    # a store from before e-mails were unique
    db.execute("UPDATE users SET email = 'somchai@example.go.th' WHERE username = 'twin'")
    assert signin.sign_in_sso(db, "somchai@example.go.th", True, "p").refusal == "sso_ambiguous"


def test_an_email_belongs_to_one_account(db, people):
    with pytest.raises(InputError, match="error_email_taken"):
        accounts.create_user(db, "other", PASSWORD, "committee", email="SOMCHAI@example.go.th")
    admin = accounts.create_user(db, "owner", PASSWORD, "admin")
    other = accounts.add_user(db, admin, "other", PASSWORD, "committee", email="other@example.go.th")
    with pytest.raises(InputError, match="error_email_taken"):
        accounts.update_user(db, admin, other.id, "committee", None, "other", email="somchai@example.go.th")
    accounts.update_user(db, admin, people.id, "director", None, "Somchai", email="somchai@example.go.th")  # its own


# ---- the pages --------------------------------------------------------------------------------------


def test_no_provider_configured_shows_no_button(app):
    at = app()
    assert not [b for b in at.button if b.key and b.key.startswith("sso:")]


@pytest.fixture
def signed_in_elsewhere(monkeypatch):
    """``identity(email)``: the provider has identified this e-mail in the browser; ``calls`` records
    the trips to the provider."""
    calls: list[str] = []
    monkeypatch.setattr(sso, "log_in", lambda provider: calls.append(f"login:{provider}"))
    monkeypatch.setattr(sso, "log_out", lambda: calls.append("logout"))

    def identity(email: str | None, verified: bool | None = True, age: float = 5.0):
        monkeypatch.setattr(sso, "identity", lambda: None if email is None else (
            email, verified, "https://idp", time.time() - age))
        return calls

    return identity


def on_sign_in_page(at) -> bool:
    return "login_username" in [w.key for w in at.text_input]


def sign_in_page(app, lang: str):
    at = app(lang=lang)
    at.secrets["auth"] = AUTH
    return at.run()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_provider_button_goes_to_the_provider(app, signed_in_elsewhere, lang):
    calls = signed_in_elsewhere(None)
    at = sign_in_page(app, lang)
    button = at.button(key="sso:microsoft")
    assert button.label == translate("sso_sign_in", lang, provider="microsoft")
    button.click().run()
    assert calls == ["login:microsoft"]
    assert on_sign_in_page(at)  # local accounts keep working beside it


@pytest.mark.parametrize("lang", ["th", "en"])
def test_back_from_the_provider_a_known_email_is_signed_in(app, demo_db, signed_in_elsewhere, lang):
    demo_db.execute("UPDATE users SET email = 'director@example.go.th' WHERE username = 'demo-director'")
    calls = signed_in_elsewhere("Director@example.go.th")
    at = sign_in_page(app, lang)
    assert not at.exception
    assert not on_sign_in_page(at) and at.metric  # the director's home page
    assert at.session_state["username"] == "demo-director"
    # signing out ends the provider's sign-in in this browser too, and this session is not signed in again
    at.sidebar.button[0].click().run()
    assert calls == ["logout"] and on_sign_in_page(at)
    at.run()
    assert on_sign_in_page(at)
    assert [a for _, a, _ in audited(demo_db)] == ["sign_in", "sign_out"]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_an_unknown_email_is_refused_with_a_message(app, demo_db, signed_in_elsewhere, lang):
    calls = signed_in_elsewhere("stranger@example.com")
    at = sign_in_page(app, lang)
    assert not at.exception
    assert [e.value for e in at.error] == [translate("sso_unknown", lang, email=md("stranger@example.com"))]
    assert "user_id" not in at.session_state
    at.run()  # refused once, audited once
    assert [(u, a) for u, a, _ in audited(demo_db)] == [("stranger@example.com", "sign_in_failed")]
    at.button(key="sso:other").click().run()
    assert calls == ["logout"]
    # local accounts still sign in
    at.text_input(key="login_username").input("demo-unit")
    at.text_input(key="login_password").input(DEMO_PASSWORD)
    at.main.button[-1].click().run()
    assert at.session_state["username"] == "demo-unit"


def test_a_provider_in_auth_itself_takes_its_label_from_the_settings(app, signed_in_elsewhere):
    calls = signed_in_elsewhere(None)
    at = app(lang="en")
    at.secrets["auth"] = {k: v for k, v in AUTH.items() if k != "microsoft"} | {
        "client_id": "id", "client_secret": "s", "server_metadata_url": "https://idp/.well-known/openid-configuration"}
    at.secrets["pmqa"] = {"sso_label": "ThaID"}
    at.run()
    at.button(key="sso:default").click().run()
    assert calls == ["login:default"]
    assert at.button(key="sso:default").label == translate("sso_sign_in", "en", provider="ThaID")


def test_half_a_configuration_shows_no_button(app):
    at = app(lang="en")
    at.secrets["auth"] = {"microsoft": AUTH["microsoft"]}  # no redirect_uri or cookie_secret
    at.run()
    assert not at.exception and not [b for b in at.button if (b.key or "").startswith("sso:")]


def test_an_old_identity_waits_for_a_click_so_a_reload_does_not_outlast_the_idle_time(app, demo_db,
                                                                                      signed_in_elsewhere):
    demo_db.execute("UPDATE users SET email = 'director@example.go.th' WHERE username = 'demo-director'")
    calls = signed_in_elsewhere("director@example.go.th", age=3600)  # issued an hour ago: a reload
    at = sign_in_page(app, "en")
    assert on_sign_in_page(at) and "user_id" not in at.session_state
    at.button(key="sso:microsoft").click().run()  # no trip to the provider: its identity is still there
    assert calls == [] and not on_sign_in_page(at) and at.session_state["username"] == "demo-director"
