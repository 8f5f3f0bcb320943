"""User accounts: argon2 password hashes, sign-in, and who may see which unit."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from storage import audit
from storage.db import now, transaction
from storage.errors import AccessDenied
from storage.schema import ROLES

_hasher = PasswordHasher()
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None

    def can_see_unit(self, unit_id: int) -> bool:
        return self.role != "unit" or self.unit_id == unit_id

    def require_unit(self, unit_id: int) -> None:
        if not self.can_see_unit(unit_id):
            raise AccessDenied(unit=unit_id)


def create_user(db: Database, username: str, password: str, role: str, display_name: str = "",
                unit_id: int | None = None, actor: str | None = None) -> User:
    username = username.strip()
    if not username:
        raise ValueError("username is empty")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if (role == "unit") != (unit_id is not None):
        raise ValueError("a unit assessor belongs to exactly one unit; other roles to none")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    with transaction(db):
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise ValueError(f"username {username!r} is taken")
        user_id = db["users"].insert({
            "username": username, "display_name": display_name or username, "role": role,
            "unit_id": unit_id, "password_hash": _hasher.hash(password), "active": 1, "created_at": now(),
        }).last_pk
        audit.record(db, actor or username, "create", "user", user_id, name=username, role=role)
    return User(user_id, username, display_name or username, role, unit_id)


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The user for this username and password, or None; the same answer for an unknown name."""
    row = db.execute(
        "SELECT id, username, display_name, role, unit_id, password_hash FROM users "
        "WHERE username = ? AND active = 1", [username.strip()]
    ).fetchone()
    if row is None:
        return None
    try:
        _hasher.verify(row[5], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(*row[:5])


def get_user(db: Database, user_id: int) -> User | None:
    row = db.execute(
        "SELECT id, username, display_name, role, unit_id FROM users WHERE id = ? AND active = 1", [user_id]
    ).fetchone()
    return User(*row) if row else None


def active_usernames(db: Database) -> list[str]:
    """Usernames of active accounts, for choosing an owner."""
    return [r[0] for r in db.execute("SELECT username FROM users WHERE active = 1 ORDER BY username")]
