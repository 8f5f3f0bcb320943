"""Signing in and out, with failed attempts limited and every event in the audit log.

After ``ACCOUNT_LIMIT`` failed attempts on one account name within ``WINDOW`` (since that account's last
successful sign-in), or ``CLIENT_LIMIT`` from one client address, further attempts are refused, even with
the right password, until ``WINDOW`` has passed since the last of those failures. Attempts are kept in the
store, so every server process sees them. Sign-in, failure, lockout and sign-out are audited under the
entity "session", which does not move the store's data version (a sign-in changes no figure).

A signed-in browser holds a random token in a cookie (``open_session``); the store keeps only its SHA-256,
the account and when it was last used. A reload presents the token, and ``resume_session`` signs the same
account in again if it is still active and the token was used within the idle time; signing out, an
idle end and a password change or reset delete it.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage import audit
from storage.accounts import User, authenticate, get_user, user_by_email
from storage.db import now, transaction

ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    user: User | None
    refusal: str | None = None  # a catalogue key: "sign_in_failed" or "sign_in_locked" (takes ``minutes``)
    minutes: int = 0


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _locked_for(db: Database, username: str, client: str, moment: datetime) -> timedelta | None:
    """How long attempts for this name or from this client stay refused, or None."""
    since = _stamp(moment - WINDOW)
    last_ok = db.execute("SELECT MAX(at) FROM sign_in_attempts WHERE username = ? AND ok = 1",
                         [username]).fetchone()[0] or ""
    checks = [("username = ? AND at > ?", [username, max(since, last_ok)], ACCOUNT_LIMIT),
              ("client = ?", [client], CLIENT_LIMIT)]
    longest = None
    for where, params, limit in checks:
        count, last = db.execute(f"SELECT COUNT(*), MAX(at) FROM sign_in_attempts WHERE ok = 0 AND at > ? AND {where}",
                                 [since, *params]).fetchone()
        if count >= limit:
            left = datetime.fromisoformat(last) + WINDOW - moment
            longest = left if longest is None else max(longest, left)
    return longest


def sign_in(db: Database, username: str, password: str, client: str | None = None,
            moment: datetime | None = None) -> Outcome:
    """Check the password unless the name or the client is locked out; record and audit the attempt."""
    username, client = username.strip(), client or "unknown"
    moment = moment or datetime.now(UTC)
    locked = _locked_for(db, username, client, moment)
    if locked is not None:
        with transaction(db):
            audit.record(db, username, "sign_in_refused", "session", None, client=client, reason="locked")
        return Outcome(None, "sign_in_locked", max(1, math.ceil(locked.total_seconds() / 60)))
    user = authenticate(db, username, password)
    with transaction(db):
        db.execute("INSERT INTO sign_in_attempts (at, username, client, ok) VALUES (?, ?, ?, ?)",
                   [_stamp(moment), username, client, int(user is not None)])
        if user is not None:
            audit.record(db, user.username, "sign_in", "session", user.id, client=client)
            return Outcome(user)
        audit.record(db, username, "sign_in_failed", "session", None, client=client)
        if _locked_for(db, username, client, moment) is not None:
            audit.record(db, username, "lockout", "session", None, client=client, minutes=WINDOW.seconds // 60)
    return Outcome(None, "sign_in_failed")


def sign_in_sso(db: Database, email: str | None, verified: bool | None, provider: str,
                client: str | None = None) -> Outcome:
    """Sign in someone an OpenID Connect provider has identified: the one active account with that e-mail
    (compared without case). Refused, and audited, for no e-mail, an e-mail the provider says it has not
    verified, or one that names no active account or more than one (refusal keys ``sso_*``)."""
    email, client = (email or "").strip(), client or "unknown"
    refusal, user = None, None
    if not email:
        refusal = "sso_no_email"
    elif verified is False:  # a provider that does not say is trusted: the deployment chose it
        refusal = "sso_unverified"
    else:
        matches = user_by_email(db, email)
        if len(matches) == 1:
            user = matches[0]
        else:
            refusal = "sso_unknown" if not matches else "sso_ambiguous"
    with transaction(db):
        if user is not None:
            db.execute("UPDATE users SET last_sign_in = ? WHERE id = ?", [now(), user.id])
            audit.record(db, user.username, "sign_in", "session", user.id, client=client, method="sso",
                         provider=provider)
        else:
            audit.record(db, email or None, "sign_in_failed", "session", None, client=client, method="sso",
                         provider=provider, reason=refusal)
    return Outcome(user, refusal)


SIGN_OUT_REASONS = ("user", "idle", "disabled")  # the user's click; idle too long; account disabled or gone


def sign_out(db: Database, username: str, user_id: int | None, client: str | None = None,
             reason: str = "user") -> None:
    """Audit the end of a session: the user signed out, was idle too long, or the account was disabled,
    deleted or replaced (a restore)."""
    if reason not in SIGN_OUT_REASONS:
        raise ValueError(reason)
    with transaction(db):
        audit.record(db, username, "sign_out", "session", user_id, client=client or "unknown", reason=reason)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Database, user: User, idle: timedelta, moment: datetime | None = None) -> str:
    """A new token for this signed-in browser (tokens idle for longer than ``idle`` are deleted on the way)."""
    moment = moment or datetime.now(UTC)
    token, stamp = secrets.token_urlsafe(32), _stamp(moment)
    with transaction(db):
        db.execute("DELETE FROM web_sessions WHERE last_seen < ?", [_stamp(moment - idle)])
        db.execute("INSERT INTO web_sessions (token_hash, user_id, username, created_at, last_seen) "
                   "VALUES (?, ?, ?, ?, ?)", [_token_hash(token), user.id, user.username, stamp, stamp])
    return token


def resume_session(db: Database, token: str, idle: timedelta, client: str | None = None,
                   moment: datetime | None = None) -> User | None:
    """The account a browser's token signs in again (audited), or None: an unknown token, one idle for
    longer than ``idle`` (then deleted), or one whose account is disabled, deleted or renamed."""
    moment = moment or datetime.now(UTC)
    digest = _token_hash(token or "")
    row = db.execute("SELECT user_id, username, last_seen FROM web_sessions WHERE token_hash = ?", [digest]).fetchone()
    if row is None:
        return None
    user_id, username, last_seen = row
    user = get_user(db, user_id)
    with transaction(db):
        if datetime.fromisoformat(last_seen) < moment - idle or user is None or user.username != username:
            db.execute("DELETE FROM web_sessions WHERE token_hash = ?", [digest])
            return None
        db.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", [_stamp(moment), digest])
        audit.record(db, username, "sign_in", "session", user_id, client=client or "unknown", method="resume")
    return user


def touch_session(db: Database, token: str, moment: datetime | None = None) -> None:
    """The browser acted: its token's idle time starts again."""
    with transaction(db):
        db.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?",
                   [_stamp(moment or datetime.now(UTC)), _token_hash(token)])


def close_session(db: Database, token: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM web_sessions WHERE token_hash = ?", [_token_hash(token)])
