"""Signing in and out, with failed attempts limited and every event in the audit log.

After ``PAIR_LIMIT`` failed attempts on one name from one client within ``WINDOW`` (counted since that name's
last successful sign-in from that client), ``NAME_LIMIT`` on one name from all clients (since its last
success), or ``CLIENT_LIMIT`` from one client address (an IPv6 client by its /64), further attempts are
refused, even with the right password, until enough of those failures are older than ``WINDOW`` to bring
the count under the limit. One client guessing cannot lock an account (the sole admin's included) for
everyone else. Every refusal takes at least ``FAILURE_FLOOR_S``.
Attempts are kept in the store, so every server process sees them, and only for ``WINDOW``. Sign-in,
failure, lockout and sign-out are audited under the entity "session", which does not move the store's data
version (a sign-in changes no figure). The current password checked before a change (``confirm_password``)
counts like a sign-in.

A signed-in browser holds a random token in a cookie (``open_session``); the store keeps only its SHA-256,
the account and when it was last used. A reload presents the token, and ``resume_session`` signs the same
account in again if it is still active and the token was used within the idle time; signing out, an
idle end and a password change or reset delete it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage import audit
from storage.db import get_meta, now, set_meta, transaction
from storage.engine import Store
from storage.organisation.accounts import USERNAME, User, act_as, acting, authenticate, get_user, user_by_email

PAIR_LIMIT = 5  # failures for one name from one client
NAME_LIMIT = 50  # failures for one name from all clients together (guesses spread over many addresses)
CLIENT_LIMIT = 20  # failures from one client address, whatever the names
WINDOW = timedelta(minutes=15)
FAILURE_FLOOR_S = 0.25  # a refusal takes at least this long, however fast its password check was
UNKNOWN_CLIENT = "unknown"  # no address (this machine, or a proxy that does not pass it on): the client limit
# cannot tell people apart there, so it does not apply (see the README's proxy section)


@dataclass(frozen=True)
class Outcome:
    user: User | None
    refusal: str | None = None  # a catalogue key: "sign_in_failed" or "sign_in_locked" (takes ``minutes``)
    minutes: int = 0


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _name_key(db: Store, typed: str) -> str:
    """What an attempt is counted under: a keyed digest of the typed name (the store's own secret key), so
    the attempts table never holds what was typed (a password typed in the wrong box included), while
    every name, existing or not, is limited alike (a limit only on real names would tell which exist)."""
    secret = get_meta(db, "sign_in_key")
    if secret is None:
        with transaction(db):
            secret = get_meta(db, "sign_in_key") or secrets.token_hex(32)
            set_meta(db, "sign_in_key", secret)
    return hmac.new(bytes.fromhex(secret), typed.casefold().encode(), hashlib.sha256).hexdigest()[:32]


def _client_key(client: str | None) -> str:
    """What a client's attempts are counted under: its address, an IPv6 address's /64 network (one machine
    may hold a whole /64 and change address at will), or ``UNKNOWN_CLIENT``."""
    if not client:
        return UNKNOWN_CLIENT
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:64]
    if address.version == 6 and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def _locks(db: Store, key: str, client: str, moment: datetime) -> list[tuple[str, list, datetime]]:
    """The limits this attempt is over: (where, its parameters, when the lock lifts) for each. A lock lifts
    when enough of its failures are older than ``WINDOW`` to bring the count under the limit. A success
    starts the count again: for the name from that client, and for the name from everywhere."""
    since = _stamp(moment - WINDOW)

    def last_ok(where: str, params: list) -> str:
        return db.execute(f"SELECT MAX(at) FROM sign_in_attempts WHERE ok = 1 AND {where}", params).fetchone()[0] or ""

    # (which attempts, their parameters, the limit, whether a success among them starts the count again)
    checks = [("username = ? AND client = ?", [key, client], PAIR_LIMIT, True),
              ("username = ?", [key], NAME_LIMIT, True)]
    if client != UNKNOWN_CLIENT:
        checks.append(("client = ?", [client], CLIENT_LIMIT, False))
    locks = []
    for where, params, limit, reset in checks:
        # failures stamped in the same millisecond as the success still count
        counted, bounds = f"ok = 0 AND at > ? AND at >= ? AND {where}", [since, last_ok(where, params) if reset else ""]
        count = db.execute(f"SELECT COUNT(*) FROM sign_in_attempts WHERE {counted}", [*bounds, *params]).fetchone()[0]
        if count >= limit:
            oldest_kept = db.execute(f"SELECT at FROM sign_in_attempts WHERE {counted} ORDER BY at LIMIT 1 OFFSET ?",
                                     [*bounds, *params, count - limit]).fetchone()[0]
            locks.append((counted, [*bounds, *params], datetime.fromisoformat(oldest_kept) + WINDOW))
    return locks


def _refuse(db: Store, account: str | None, key: str, client: str, moment: datetime,
            locks: list[tuple[str, list, datetime]]) -> Outcome:
    """Inside the transaction: a locked attempt. Only the first refusal of a lock is kept (a row with ok = -1
    and an audit entry), so refused attempts, which skip the password check and are fast, cannot fill the
    disk; the lockout itself was audited when it began."""
    counted, params, until = max(locks, key=lambda lock: lock[2])
    began = db.execute(f"SELECT MAX(at) FROM sign_in_attempts WHERE {counted}", params).fetchone()[0]
    refused = counted.replace("ok = 0", "ok = -1")  # the same attempts' refusals, since the lock began
    seen = db.execute(f"SELECT 1 FROM sign_in_attempts WHERE {refused} AND at > ? LIMIT 1", [*params, began])
    if not seen.fetchone():
        db.execute("INSERT INTO sign_in_attempts (at, username, client, ok) VALUES (?, ?, ?, -1)",
                   [_stamp(moment), key, client])
        audit.record(db, account, "sign_in_refused", "session", None, client=client, reason="locked",
                     **({} if account else {"name": "unknown"}))
    return Outcome(None, "sign_in_locked", max(1, math.ceil((until - moment).total_seconds() / 60)))


def _attempt(db: Store, typed: str, password: str, client: str | None, moment: datetime | None,
             purpose: str) -> Outcome:
    """One password attempt, counted and limited (see ``sign_in``); ``purpose`` "sign_in" audits a success,
    "confirm" (the current password before a change) does not: the user is signed in already."""
    started = time.monotonic()
    client = _client_key(client)
    act_as(db, typed)
    key = _name_key(db, typed)
    account = typed if USERNAME.match(typed) and db.execute("SELECT 1 FROM users WHERE username = ?",
                                                           [typed]).fetchone() else None
    named = {} if account else {"name": "unknown"}
    with transaction(db):  # the time is taken under the write lock, so attempts are stamped in the lock's order
        moment = moment or datetime.now(UTC)
        db.execute("DELETE FROM sign_in_attempts WHERE at < ?", [_stamp(moment - WINDOW)])
        locks = _locks(db, key, client, moment)
        if locks:
            outcome = _refuse(db, account, key, client, moment, locks)
        else:
            outcome = None
            attempt = db.execute("INSERT INTO sign_in_attempts (at, username, client, ok) VALUES (?, ?, ?, 0) "
                                 "RETURNING id", [_stamp(moment), key, client]).fetchone()[0]
    if outcome is None:
        user = authenticate(db, typed, password)  # an unknown name costs a check too (accounts)
        with transaction(db):
            if user is not None:
                db.execute("UPDATE sign_in_attempts SET ok = 1 WHERE id = ?", [attempt])
                if purpose == "sign_in":
                    audit.record(db, user.username, "sign_in", "session", user.id, client=client)
                return Outcome(user)
            audit.record(db, account, "sign_in_failed", "session", None, client=client, **named,
                         **({"during": purpose} if purpose != "sign_in" else {}))
            if _locks(db, key, client, moment):
                audit.record(db, account, "lockout", "session", None, client=client,
                             minutes=int(WINDOW.total_seconds() // 60), **named)
        outcome = Outcome(None, "sign_in_failed")
    time.sleep(max(0.0, FAILURE_FLOOR_S - (time.monotonic() - started)))
    return outcome


def sign_in(db: Store, username: str, password: str, client: str | None = None,
            moment: datetime | None = None) -> Outcome:
    """Check the password unless the name or the client is locked out; record and audit the attempt.

    The attempt is reserved first, under the store's write lock, as a failure (``ok = 0``), and only then is
    the password checked: simultaneous guesses cannot all pass the count before any of them is written. What
    is stored is bounded: the typed name only as a digest (``_name_key``), the audit log names the account
    only when one has that name ("unknown" otherwise), attempts older than the window are deleted at every
    attempt, and a locked client or name adds at most one refusal per lock."""
    return _attempt(db, username.strip(), password, client, moment, "sign_in")


def confirm_password(db: Store, user: User, password: str, client: str | None = None) -> Outcome:
    """The signed-in user's current password, checked before it is changed, under the same limits as a
    sign-in: a session left open cannot be used to guess its owner's password."""
    return _attempt(db, acting(db, user).username, password, client, None, "confirm")


def sign_in_sso(db: Store, email: str | None, verified: bool | None, provider: str,
                client: str | None = None, trusted: bool = False) -> Outcome:
    """Sign in someone an OpenID Connect provider has identified: the one active account with that e-mail
    (compared without case). Refused, and audited, for no e-mail, an e-mail the provider does not say it has
    verified (``email_verified`` true), unless the deployment names this provider's issuer as one whose
    e-mails its organisation manages (``trusted``: Microsoft Entra ID sends no such claim), or one that names
    no active account or more than one (refusal keys ``sso_*``). A provider where anyone may write any
    e-mail into their profile would otherwise sign them in as its owner here."""
    email, client = (email or "").strip(), client or "unknown"
    refusal, user = None, None
    if not email:
        refusal = "sso_no_email"
    elif verified is not True and not trusted:
        refusal = "sso_unverified"
    else:
        departments = db.execute("SELECT DISTINCT department_id FROM directory WHERE lower(email) = lower(?)",
                                 [email]).fetchall()
        if len(departments) == 1:  # the account's department, read before its account
            db.act_for(departments[0][0])
        matches = user_by_email(db, email) if len(departments) == 1 else []
        if len(matches) == 1 and len(departments) == 1:
            user = matches[0]
        else:
            refusal = "sso_unknown" if not matches and len(departments) <= 1 else "sso_ambiguous"
    with transaction(db):
        if user is not None:
            db.execute("UPDATE users SET last_sign_in = ? WHERE id = ?", [now(), user.id])
            audit.record(db, user.username, "sign_in", "session", user.id, client=client, method="sso",
                         provider=provider)
        else:
            audit.record(db, email or None, "sign_in_failed", "session", None, client=client, method="sso",
                         provider=provider, reason=refusal)
    return Outcome(user, refusal)


SIGN_OUT_REASONS = ("user", "idle", "disabled", "password", "elsewhere")
# the user's click; idle too long; account disabled or gone; its password changed or reset elsewhere; its
# sign-in ended elsewhere (signed out in another tab of the same browser, or the store restored)


def sign_out(db: Store, username: str, user_id: int | None, client: str | None = None,
             reason: str = "user") -> None:
    """Audit the end of a session: the user signed out, was idle too long, the account was disabled,
    deleted or replaced (a restore), or its password was changed or reset in another session."""
    if reason not in SIGN_OUT_REASONS:
        raise ValueError(reason)
    with transaction(db):
        audit.record(db, username, "sign_out", "session", user_id, client=client or "unknown", reason=reason)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


PRUNE_MARGIN = timedelta(minutes=5)  # longer than a live session waits between touches (ui.session)


def open_session(db: Store, user: User, idle: timedelta, moment: datetime | None = None) -> str:
    """A new token for this signed-in browser (tokens idle for longer than ``idle``, and a margin, are deleted on
    the way: a live session touches its token only now and then, and must find it still there)."""
    moment = moment or datetime.now(UTC)
    token, stamp = secrets.token_urlsafe(32), _stamp(moment)
    with transaction(db):
        db.execute("DELETE FROM web_sessions WHERE last_seen < ?", [_stamp(moment - idle - PRUNE_MARGIN)])
        db.execute("INSERT INTO web_sessions (token_hash, user_id, username, created_at, last_seen, department_id) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [_token_hash(token), user.id, user.username, stamp, stamp,
                                                 user.department_id])
    return token


def resume_session(db: Store, token: str, idle: timedelta, client: str | None = None,
                   moment: datetime | None = None) -> User | None:
    """The account a browser's token signs in again (audited), or None: an unknown token, one idle for
    longer than ``idle`` (then deleted), or one whose account is disabled, deleted or renamed."""
    moment = moment or datetime.now(UTC)
    digest = _token_hash(token or "")
    row = db.execute("SELECT user_id, username, last_seen, department_id FROM web_sessions WHERE token_hash = ?",
                     [digest]).fetchone()
    if row is None:
        return None
    user_id, username, last_seen, department = row
    db.act_for(department)
    user = get_user(db, user_id)
    with transaction(db):
        if datetime.fromisoformat(last_seen) < moment - idle or user is None or user.username != username:
            db.execute("DELETE FROM web_sessions WHERE token_hash = ?", [digest])
            return None
        db.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", [_stamp(moment), digest])
        audit.record(db, username, "sign_in", "session", user_id, client=client or "unknown", method="resume")
    return user


def password_changed_since(db: Store, user_id: int, stamp: str) -> bool:
    """Whether the account's password was changed or reset after ``stamp`` (audit log)."""
    return db.execute("SELECT 1 FROM audit_log WHERE entity = 'user' AND entity_id = ? AND at > ? "
                      "AND action IN ('change_password', 'reset_password') LIMIT 1",
                      [str(user_id), stamp]).fetchone() is not None


def session_open(db: Store, token: str) -> bool:
    """Whether this sign-in still stands: a password change or reset, or a disabled account, deletes every
    token of the account (``accounts._end_web_sessions``), and a live session ends with it."""
    return db.execute("SELECT 1 FROM web_sessions WHERE token_hash = ?", [_token_hash(token)]).fetchone() is not None


def touch_session(db: Store, token: str, moment: datetime | None = None) -> None:
    """The browser acted: its token's idle time starts again."""
    with transaction(db):
        db.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?",
                   [_stamp(moment or datetime.now(UTC)), _token_hash(token)])


def close_session(db: Store, token: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM web_sessions WHERE token_hash = ?", [_token_hash(token)])
