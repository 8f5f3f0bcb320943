"""Accounts: argon2 hashes, sign-in, and roles tied to units."""

import pytest

from storage.errors import InputError
from storage.organisation import accounts, org


@pytest.fixture
def unit_id(db):
    return org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")


def test_password_is_stored_as_argon2_hash_and_authenticates(db):
    accounts.create_user(db, "somchai", "correct horse", "director")
    stored = db.execute("SELECT password_hash FROM users WHERE username = 'somchai'").fetchone()[0]
    assert stored.startswith("$argon2") and "correct horse" not in stored
    user = accounts.authenticate(db, "somchai", "correct horse")
    assert user is not None and user.role == "director"


@pytest.mark.parametrize(("username", "password"), [("somchai", "wrong pass"), ("nobody", "correct horse"),
                                                    ("somchai", "")])
def test_wrong_credentials_give_none(db, username, password):
    accounts.create_user(db, "somchai", "correct horse", "director")
    assert accounts.authenticate(db, username, password) is None


def test_inactive_user_cannot_sign_in(db):
    user = accounts.create_user(db, "somchai", "correct horse", "director")
    db.execute("UPDATE users SET active = 0 WHERE id = ?", [user.id])
    assert accounts.authenticate(db, "somchai", "correct horse") is None
    assert accounts.get_user(db, user.id) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "ab", "password": "short", "role": "director"}, "error_password_short"),
        ({"username": "ab", "password": "long enough", "role": "king"}, "error_input"),
        ({"username": " ", "password": "long enough", "role": "director"}, "error_username"),
        ({"username": "สมชาย", "password": "long enough", "role": "director"}, "error_username"),
        ({"username": "ab", "password": "long enough", "role": "unit"}, "error_user_unit"),
        ({"username": "ab", "password": "long enough", "role": "director", "email": "not-an-address"}, "error_email"),
        # one typed address that mail would read as several recipients (the review's comma in the local part)
        ({"username": "ab", "password": "long enough", "role": "director", "email": "a,b@x.org"}, "error_email"),
        ({"username": "ab", "password": "long enough", "role": "director", "email": '"a,b"@x.org'}, "error_email"),
        ({"username": "ab", "password": "long enough", "role": "director", "email": "a@x.org;b@y.org"}, "error_email"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_stored(db, kwargs, message):
    with pytest.raises(InputError, match=message):
        accounts.create_user(db, **kwargs)
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


@pytest.mark.parametrize(("password", "key"), [
    ("nine-char", "error_password_short"),         # 9 characters: one short of the minimum
    ("x" * 9, "error_password_short"),
    ("password123", "error_password_common"),       # among the most used passwords
    ("P@ssw0rd2024", "error_password_common"),      # the same, with the usual substitutions
    ("qwertyuiop12", "error_password_common"),      # a keyboard row
    ("Somchai-2567!", "error_password_username"),   # holds the user name, in any case
    ("mypassword", "error_password_common"),
    ("abcdefghijk", "error_password_weak"),         # a sequence
    ("Jaidee Somchai", "error_password_username"),
    ("jaidee jaidee 1", "error_password_weak"),     # made of the display name
])
def test_weak_passwords_are_refused_with_the_reason(db, password, key):
    with pytest.raises(InputError, match=key):
        accounts.create_user(db, "somchai", password, "director", display_name="jaidee")
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


@pytest.mark.parametrize("password", ["correct horse", "mango-tide-temp1", "ดอกไม้บานเช้านี้", "river lamp 4412"])
def test_long_unguessable_passwords_pass(db, password):
    assert accounts.create_user(db, "somchai", password, "director").username == "somchai"


def test_only_the_demo_store_may_keep_a_weak_password(db):
    with pytest.raises(InputError, match="error_password_short"):
        accounts.create_user(db, "demo-x", "demo-pass", "director")
    assert accounts.create_user(db, "demo-x", "demo-pass", "director", weak_password=True).username == "demo-x"


def test_duplicate_username_is_refused(db):
    accounts.create_user(db, "somchai", "correct horse", "director")
    with pytest.raises(ValueError, match="taken"):
        accounts.create_user(db, "somchai", "another river song", "committee")


def test_unit_user_sees_only_its_unit(db, unit_id):
    other = org.add_unit(db, "U2", "หน่วยอื่น", "Other unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    assert user.can_see_unit(unit_id) and not user.can_see_unit(other)
    with pytest.raises(accounts.AccessDenied):
        user.require_unit(other)


def test_account_creation_is_audited(db):
    accounts.create_user(db, "somchai", "correct horse", "director", actor="admin1")
    row = db.execute("SELECT username, action, entity FROM audit_log").fetchone()
    assert row == ("admin1", "create", "user")


def test_a_display_name_pasted_with_control_characters_is_kept_without_them(db):
    admin = accounts.create_user(db, "owner", "correct horse battery", "admin", display_name="Owner\x07\nOne\t ")
    assert accounts.get_user(db, admin.id).display_name == "Owner One"
    accounts.update_user(db, admin, admin.id, "admin", None, "Owner\x0bTwo\x01")
    assert accounts.get_user(db, admin.id).display_name == "Owner Two"  # a name is one line
