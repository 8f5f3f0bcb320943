"""User accounts: argon2 password hashes, sign-in, and who may see which unit."""

from __future__ import annotations

import re
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from storage import audit
from storage.db import now, transaction
from storage.engine import DEPARTMENT, Store
from storage.errors import AccessDenied, InputError
from storage.schema import MINISTRY_ROLES, ROLES
from storage.text import clean

# argon2id at OWASP's setting (19 MiB, 2 passes, 1 lane): 19 MiB per check instead of the library's 64 MiB.
# Checks run on a pool of CONCURRENT_CHECKS threads per process: at most that many at once, and only those
# threads' memory arenas ever hold a check's memory (a semaphore alone bounds the concurrency, but each
# session thread's arena would keep its 19 MiB), so wrong passwords cannot exhaust the server's memory.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
CONCURRENT_CHECKS = 2
_pool = ThreadPoolExecutor(max_workers=CONCURRENT_CHECKS, thread_name_prefix="password-check")
MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # what the password boxes take; far past any pass phrase a person types
MIN_STRENGTH = 3  # zxcvbn's score (0-4): 3 is "safely unguessable", about 10^8 to 10^10 guesses


def _hash(password: str) -> str:
    return _pool.submit(lambda: _hasher.hash(password)).result()


def _check(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify(stored: str, password: str) -> bool:
    return _pool.submit(_check, stored, password).result()


@cache
def _unknown_user_hash() -> str:
    """A hash no password matches, checked for an unknown or disabled name so that it takes as long to
    refuse as a wrong password (the time would otherwise tell which names exist)."""
    return _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    must_change_password: bool = False
    department_id: int = DEPARTMENT  # the department the account belongs to, and acts for

    def can_see_unit(self, unit_id: int) -> bool:
        return self.role != "unit" or self.unit_id == unit_id

    def require_unit(self, unit_id: int) -> None:
        if not self.can_see_unit(unit_id):
            raise AccessDenied(unit=unit_id)


MAX_USERNAME = 64
USERNAME = re.compile(rf"^[A-Za-z0-9._@-]{{2,{MAX_USERNAME}}}$")
# an address as people have them: a dot-atom local part (no quotes, commas, spaces or angle brackets, which made
# one typed address several recipients) and a domain of letters, digits and hyphens
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
MAX_NAME = 200


def check_password(password: str, username: str, *known: str) -> None:
    """Refuse a password that is short, holds the user name, or is easy to guess: a common password, a
    word, a keyboard pattern or a date (zxcvbn's dictionaries), or made of what is known about the user
    (``known``: display name, e-mail). ``InputError`` naming which, so the user knows what to change."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError("error_password_short", n=MIN_PASSWORD)
    name = username.strip().casefold()
    if len(name) >= 3 and name in password.casefold():
        raise InputError("error_password_username")
    hints = [name, *(k.strip().casefold() for k in known if k and k.strip()), "pmqa"]
    guessed = zxcvbn(password[:100], user_inputs=hints)  # zxcvbn slows down on very long input
    if guessed["score"] < MIN_STRENGTH:
        common = any(m.get("dictionary_name") == "passwords" for m in guessed["sequence"])
        raise InputError("error_password_common" if common else "error_password_weak")


def _check_role_unit(db: Store, role: str, unit_id: int | None, current: int | None = None) -> None:
    """A role, and a unit for a unit assessor only; a deactivated unit only as the one the user has already. A
    ministry's own accounts (``MINISTRY_ROLES``) belong to the ministry, a department's to a department."""
    at_ministry = db.execute("SELECT kind FROM departments WHERE id = ?", [db.department]).fetchone() == ("ministry",)
    if role not in (MINISTRY_ROLES if at_ministry else ROLES):
        raise InputError("error_input")
    if (role == "unit") != (unit_id is not None):
        raise InputError("error_user_unit")
    if unit_id is not None and unit_id != current and not db.execute("SELECT 1 FROM units WHERE id = ? AND active = 1",
                                              [unit_id]).fetchone():
        raise InputError("error_unit_inactive")


def _one_line(name: str) -> str:
    """A display name as kept: one line, without control characters or runs of spaces."""
    return " ".join(clean(name).split())


def _check_profile(display_name: str, email: str) -> None:
    if len(display_name) > MAX_NAME:
        raise InputError("error_text_length", limit=MAX_NAME)
    if email and (not EMAIL.match(email) or len(email) > MAX_NAME):
        raise InputError("error_email", email=email)


def _check_email_free(db: Store, email: str, user_id: int | None = None) -> None:
    """Inside the transaction: no other account has this e-mail (it signs in through single sign-on)."""
    if email and db.execute("SELECT 1 FROM directory WHERE lower(email) = lower(?) AND user_id IS DISTINCT FROM ?",
                            [email, user_id]).fetchone():  # in any department: one account an e-mail
        raise InputError("error_email_taken", email=email)


def create_user(db: Store, username: str, password: str, role: str, display_name: str = "",
                unit_id: int | None = None, actor: str | None = None, email: str = "",
                must_change_password: bool = False, weak_password: bool = False) -> User:
    """A new account (audited). ``InputError`` for a bad or taken name, role, unit, e-mail or password
    (``weak_password``: no strength check, for the demo store only, whose password is published anyway)."""
    username, display_name, email = username.strip(), _one_line(display_name), email.strip()
    if not USERNAME.match(username):
        raise InputError("error_username", name=username)
    _check_role_unit(db, role, unit_id)
    _check_profile(display_name, email)
    if not weak_password:
        check_password(password, username, display_name, email)
    with transaction(db):
        if department_of(db, username) is not None:  # in any department: a name signs in to one account
            raise InputError("error_username_taken", name=username)
        _check_email_free(db, email)
        user_id = db["users"].insert({
            "username": username, "display_name": display_name or username, "role": role,
            "unit_id": unit_id, "password_hash": _hash(password), "active": 1, "created_at": now(),
            "email": email or None, "must_change_password": int(must_change_password),
        }).last_pk
        audit.record(db, actor or username, "create", "user", user_id, name=username, role=role, unit=unit_id)
    return User(user_id, username, display_name or username, role, unit_id, must_change_password, db.department)


def department_of(db: Store, username: str) -> int | None:
    """The department the account with this user name belongs to (the installation's directory), if any."""
    row = None if "\x00" in username else db.execute("SELECT department_id FROM directory WHERE username = ?",
                                                     [username.strip()]).fetchone()
    return row[0] if row else None


def act_as(db: Store, username: str) -> None:
    """Before a sign-in reads the account: act for its department (a name no account has leaves the store as
    it is; the sign-in then fails as for any wrong name)."""
    department = department_of(db, username)
    if department is not None:
        db.act_for(department)


def authenticate(db: Store, username: str, password: str) -> User | None:
    """The user for this username and password, or None; the same answer for an unknown name (a name holding a
    NUL character names nobody: no stored name has one, and PostgreSQL refuses to compare it)."""
    row = None if "\x00" in username else db.execute(
        f"SELECT {_FIELDS}, password_hash FROM users WHERE username = ? AND active = 1", [username.strip()]
    ).fetchone()
    if row is None:
        _verify(_unknown_user_hash(), password)
        return None
    if not _verify(row[-1], password):
        return None
    with transaction(db):
        db.execute("UPDATE users SET last_sign_in = ? WHERE id = ?", [now(), row[0]])
        if _hasher.check_needs_rehash(row[-1]):  # stored with older, costlier parameters
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hash(password), row[0]])
    return _user(row[:-1])


_FIELDS = "id, username, display_name, role, unit_id, must_change_password, department_id"


def _user(row) -> User:
    return User(*row[:5], must_change_password=bool(row[5]), department_id=row[6])


def get_user(db: Store, user_id: int) -> User | None:
    row = db.execute(f"SELECT {_FIELDS} FROM users WHERE id = ? AND active = 1", [user_id]).fetchone()
    return _user(row) if row else None


def user_by_email(db: Store, email: str) -> list[User]:
    """The active accounts with this e-mail, compared without case (one, if e-mails are kept unique)."""
    rows = db.execute(f"SELECT {_FIELDS} FROM users WHERE active = 1 AND lower(email) = lower(?) ORDER BY id",
                      [email.strip()]).fetchall()
    return [_user(row) for row in rows]


def first_admin(db: Store) -> User | None:
    """The store's first active admin: the account the command line acts and reads as."""
    row = db.execute("SELECT id FROM users WHERE role = 'admin' AND active = 1 ORDER BY id LIMIT 1").fetchone()
    return get_user(db, row[0]) if row else None


def acting(db: Store, actor: User) -> User:
    """``actor`` as the store has them now: the account must exist, be active and still carry that user
    name; its role and unit are the store's, not the object's; and the store must be acting for the account's
    department. Every storage function that acts or reads for someone starts here, so a forged or stale
    ``User``, or one of another department, gets no further than its account allows (on PostgreSQL another
    department's account is not even there to read: row-level security)."""
    if db.reader is not None:  # a store reading one department for the ministry: that reader, and only to read
        if actor != db.reader:
            raise AccessDenied(user=getattr(actor, "username", None))
        return actor
    if not isinstance(actor, User) or not in_acting_department(db, actor):
        raise AccessDenied(user=getattr(actor, "username", None), department=getattr(actor, "department_id", None))
    fresh = get_user(db, actor.id) if isinstance(actor.id, int) else None
    if fresh is None or fresh.username != actor.username or not in_acting_department(db, fresh):
        raise AccessDenied(user=actor.username)
    return fresh


def in_acting_department(db: Store, user: User) -> bool:
    """The store's own check of the department: the account is one of the department the store acts for."""
    return user.department_id == db.department


def require_admin(db: Store, actor: User) -> User:
    """``actor`` re-read (``acting``); refused unless, in the store as it is now, an active admin."""
    fresh = acting(db, actor)
    if fresh.role != "admin":
        raise AccessDenied(role=fresh.role)
    return fresh


def add_user(db: Store, actor: User, username: str, password: str, role: str, display_name: str = "",
             unit_id: int | None = None, email: str = "") -> User:
    """An admin creates an account with a temporary password, to be changed at the first sign-in."""
    require_admin(db, actor)
    return create_user(db, username, password, role, display_name, unit_id, actor.username, email,
                       must_change_password=True)


def users(db: Store) -> list[dict]:
    """Every account (active or not) with its unit's code and last sign-in, for the admin."""
    return list(db.query(
        "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.code AS unit_code, u.email, u.active, "
        "u.last_sign_in, u.must_change_password, u.created_at FROM users u LEFT JOIN units n ON n.id = u.unit_id "
        "ORDER BY u.active DESC, u.role, u.username"))


def user_id_of(db: Store, username: str) -> int:
    row = db.execute("SELECT id FROM users WHERE username = ?", [username.strip()]).fetchone()
    if row is None:
        raise InputError("error_no_user", name=username)
    return row[0]


def _last_admin_guard(db: Store) -> None:
    """Inside a transaction, after a change: at least one active admin must remain."""
    if not db.execute("SELECT 1 FROM users WHERE role = 'admin' AND active = 1").fetchone():
        raise InputError("error_last_admin")


def _target_row(db: Store, user_id: int) -> dict:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        raise InputError("error_no_user", name=user_id)
    return rows[0]


def update_user(db: Store, actor: User, user_id: int, role: str, unit_id: int | None,
                display_name: str, email: str = "") -> None:
    """Change an account's role, unit, display name or e-mail (the last active admin keeps its role)."""
    require_admin(db, actor)
    display_name, email = _one_line(display_name), email.strip()
    _check_profile(display_name, email)
    with transaction(db):
        before = _target_row(db, user_id)
        _check_role_unit(db, role, unit_id, current=before["unit_id"])
        _check_email_free(db, email, user_id)
        after = {"role": role, "unit_id": unit_id, "display_name": display_name or before["username"],
                 "email": email or None}
        changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if not changed:
            return
        db["users"].update(user_id, after)
        _last_admin_guard(db)
        audit.record(db, actor.username, "update", "user", user_id, name=before["username"], **changed)


def set_active(db: Store, actor: User, user_id: int, active: bool) -> None:
    """Disable (signed out at the next action) or re-enable an account; not the last active admin."""
    require_admin(db, actor)
    with transaction(db):
        before = _target_row(db, user_id)
        if bool(before["active"]) == active:
            return
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        _end_web_sessions(db, user_id)
        _last_admin_guard(db)
        audit.record(db, actor.username, "enable" if active else "disable", "user", user_id, name=before["username"])


def reset_password(db: Store, actor: User | None, user_id: int, password: str) -> None:
    """Set a temporary password; the user must choose a new one at the next sign-in. ``actor`` None:
    the command line, run by whoever may read the store's file."""
    if actor is not None:
        require_admin(db, actor)
    with transaction(db):
        before = _target_row(db, user_id)
        check_password(password, before["username"], before["display_name"], before["email"] or "")
        db.execute("UPDATE users SET password_hash = ?, must_change_password = 1 WHERE id = ?",
                   [_hash(password), user_id])
        _end_web_sessions(db, user_id)
        audit.record(db, actor.username if actor else "command line", "reset_password", "user", user_id,
                     name=before["username"])


def _end_web_sessions(db: Store, user_id: int) -> None:
    """A new password or a disabled account: no browser may come back with an older sign-in (see
    ``signin.resume_session``), and every open session of the account ends at its next action
    (``ui.session.current_user``)."""
    db.execute("DELETE FROM web_sessions WHERE user_id = ?", [user_id])


def change_password(db: Store, user: User, current: str, new: str) -> None:
    """The user's own change: the current password, then a new one (not the same); clears the flag."""
    user = acting(db, user)
    row = db.execute("SELECT password_hash, username, display_name, email FROM users WHERE id = ? AND active = 1",
                     [user.id]).fetchone()
    if row is None:
        raise AccessDenied(user=user.id)
    if not _verify(row[0], current):
        raise InputError("error_password_current")
    check_password(new, row[1], row[2], row[3] or "")
    if new == current:
        raise InputError("error_password_same")
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?",
                   [_hash(new), user.id])
        _end_web_sessions(db, user.id)
        audit.record(db, row[1], "change_password", "user", user.id)


class Names(dict):
    """User name -> the name people know the account by. A name the store has no account for (the command line,
    the demo's set-up, an account deleted since) reads as it was stored; none reads as ''."""

    def __missing__(self, username) -> str:
        return "" if username is None else str(username)


def people(db: Store) -> Names:
    """Every account's user name (active or not) -> the name people know it by: its display name, the ชื่อ-สกุล
    the admin entered (the user name when none was). Two accounts with the same display name are told apart by
    their user names ("สมชาย ใจดี (somchai2)"), so each name is one account's, in a list to choose from too.
    The one mapping every screen, message and document shows people by; the user name stays where it is the
    account itself (signing in, the admin's table of users, the audit log's raw columns)."""
    rows = db.execute("SELECT username, COALESCE(NULLIF(trim(display_name), ''), username) FROM users "
                      "ORDER BY username").fetchall()
    taken = Counter(shown for _, shown in rows)
    return Names((name, f"{shown} ({name})" if taken[shown] > 1 and shown != name else shown) for name, shown in rows)


def active_usernames(db: Store) -> list[str]:
    """Usernames of active accounts, for choosing an owner."""
    return [r[0] for r in db.execute("SELECT username FROM users WHERE active = 1 ORDER BY username")]
