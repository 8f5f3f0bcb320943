"""The store and the signed-in user for the current Streamlit session.

Streamlit runs each script run on a thread of its own. A run borrows an open store (one connection, opened,
migrated and checked once) from a shelf the process keeps and gives it back when it ends (``release``, at the
end of the router's run; or when its thread ends), so a run neither opens a connection nor checks the schema:
a new PostgreSQL connection costs a server process, and each run used to open one. One thread holds a store at a
time, so its transactions stay its own. The signed-in user is re-read from the store on every run,
so a deactivated account is signed out at its next action, as is a session idle for longer than
``idle_limit`` minutes and every other session of an account whose password was changed or reset.

A reload starts a new Streamlit session. The browser keeps the sign-in in a cookie holding a random token
that the store checks (``storage.organisation.signin.resume_session``: the same account, still active, used within the
idle time), and the language in another; ``cookie_script`` writes both. The cookies live until the browser
closes, are sent only to this site (SameSite=Strict) and, over HTTPS, only encrypted (Secure).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import streamlit as st

import jobs
from i18n import LANGUAGES
from storage import DEFAULT_PATH, open_store
from storage.db import now
from storage.engine import DEPARTMENT, DatabaseError, Location, Store, is_server, shown
from storage.errors import InputError
from storage.organisation import signin
from storage.organisation.accounts import User, get_user
from storage.organisation.accounts import change_password as store_change_password
from ui import sso

_local = threading.local()
SHELF_SIZE = 8  # open stores kept per location for the runs to come: as many as runs usually overlap
SHELF_LOCATIONS = 4  # locations with a shelf (tests open many stores; the app one)
_shelf: dict[Location, list[Store]] = {}
_shelf_lock = threading.Lock()


class StoreMissing(RuntimeError):
    """``PMQA_DB`` names a file that does not exist or is empty: the app will not create a store there (a demo
    store has published passwords, and an empty file silently became a store without accounts);
    ``python -m storage init`` (or ``demo``) creates one. ``damaged``: the file is there but SQLite finds it
    damaged or not a database. Visitors are told what happened and what to do, not the server's path,
    which goes to the server's log."""

    def __init__(self, path: Location, damaged: bool = False):
        what = "is damaged or not a database" if damaged else "does not exist or is empty"
        where = shown(path)  # an address without its password
        super().__init__(f"{where} {what}; " + ("restore a backup (python -m storage restore)" if damaged else
                         f"create a store with: python -m storage init --db {where} --admin NAME "
                         f"(or python -m storage demo --db {where})"))
        self.path, self.damaged = path, damaged


def db_path() -> Location:
    """The store's location: ``PMQA_DB`` (a SQLite file's path or a PostgreSQL address), else the default file."""
    value = os.environ.get("PMQA_DB", "")
    return DEFAULT_PATH if not value else value if is_server(value) else Path(value)


_checked: set[Path] = set()  # stores this process has found whole (PRAGMA quick_check), once each
_checking = threading.Lock()


def _check_whole(path: Location, db: Store) -> None:
    """Once per process and store: SQLite's quick check of the whole file, so a damaged store is noticed
    at the first page anyone opens, not page by page as each reaches a damaged part. (A PostgreSQL server
    checks its own pages; it has no such check to run.)"""
    if not db.sqlite:
        return
    with _checking:
        if path in _checked:
            return
        try:
            whole = db.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
        except DatabaseError as exc:
            if not _damage(exc):
                raise
            whole = False
        if not whole:
            raise StoreMissing(path, damaged=True)
        _checked.add(path)


def _damage(exc: BaseException) -> bool:
    """Whether SQLite says the file itself is bad, not that it is busy, locked, read-only or cannot be opened
    (those are the server's to fix, and a restore would not help)."""
    return "not a database" in str(exc) or "malformed" in str(exc)


def store() -> Store:
    """The store this run holds: borrowed from the shelf, or opened. Only the default path (``make run``) is
    created, with the demo department, on first start; a ``PMQA_DB`` file must exist and hold data
    (``StoreMissing`` otherwise)."""
    path = db_path()
    held = getattr(_local, "held", None)
    if held is None:
        held = _local.held = _Held()
    if path not in held.stores:
        with _shelf_lock:
            shelved = _shelf.get(path)
            db = shelved.pop() if shelved else None
        db = held.stores[path] = db or _opened(path)
        db.act_for(st.session_state.get("department_id", DEPARTMENT))  # the signed-in account's, not the last run's
    return held.stores[path]


def release() -> None:
    """The end of a run: the stores it holds go back on the shelf, for the next run on any thread."""
    held = getattr(_local, "held", None)
    if held is not None:
        held.give_back()


class _Held:
    """The stores a thread's run holds. Given back at the end of the run, or when the thread ends (a run cut
    short: the thread-local value is dropped with its thread)."""

    def __init__(self) -> None:
        self.stores: dict[Location, Store] = {}

    def give_back(self) -> None:
        stores, self.stores = self.stores, {}
        for path, db in stores.items():
            _shelve(path, db)

    def __del__(self) -> None:
        self.give_back()


def _shelve(path: Location, db: Store) -> None:
    """Keep ``db`` open for the next run; a store left inside a transaction, or beyond the shelf's size, is
    closed instead."""
    closing = []
    with _shelf_lock:
        shelved = _shelf.get(path)
        if shelved is None:
            if len(_shelf) >= SHELF_LOCATIONS:
                closing += _shelf.pop(next(iter(_shelf)))
            shelved = _shelf[path] = []
        if db.in_transaction or len(shelved) >= SHELF_SIZE:
            closing.append(db)
        else:
            shelved.append(db)
    for other in closing:
        with contextlib.suppress(Exception):
            other.close()


def forget_stores() -> None:
    """Close every shelved store (a test that removes a store's file or database)."""
    with _shelf_lock:
        stores = [db for shelved in _shelf.values() for db in shelved]
        _shelf.clear()
    for db in stores:
        with contextlib.suppress(Exception):
            db.close()


def _opened(path: Location) -> Store:
    """A newly opened, migrated and checked store at ``path``."""
    server = is_server(path)
    default = not server and path.resolve() == DEFAULT_PATH.resolve()
    if not default and not server and (not path.exists() or path.stat().st_size == 0):
        logging.getLogger(__name__).error("%s", StoreMissing(path))
        raise StoreMissing(path)
    db = None
    try:
        db = open_store(path, demo_if_empty=default)
        _check_whole(path, db)
        if server and not db.execute("SELECT 1 FROM users LIMIT 1").fetchone():
            raise StoreMissing(path)  # a database without accounts: python -m storage init makes them
        jobs.resume(db)  # on SQLite, what a stopped process of the app left to build or send goes on
    except (*DatabaseError, StoreMissing) as exc:
        if db is not None:
            db.close()
        if isinstance(exc, StoreMissing):  # damaged (the quick check), or a database without accounts: as it is
            logging.getLogger(__name__).error("%s", exc)
            raise
        if not _damage(exc):
            raise  # locked, read-only, cannot be opened: a fault with a reference, not "restore a backup"
        logging.getLogger(__name__).error("%s (%s)", StoreMissing(path, damaged=True), exc)
        raise StoreMissing(path, damaged=True) from exc
    return db


DEFAULT_IDLE_MINUTES = 60


def idle_limit() -> float:
    """Minutes without any action after which a session ends: ``PMQA_IDLE_MINUTES`` (a positive number),
    else 60."""
    value = os.environ.get("PMQA_IDLE_MINUTES", "")
    try:
        minutes = float(value)
    except ValueError:
        minutes = 0
    return minutes if 0 < minutes < 100_000 else DEFAULT_IDLE_MINUTES


def current_user() -> User | None:
    """The signed-in user as the store has them now, and the session kept alive. None (signed out, audited,
    with the reason shown on the sign-in page) after ``idle_limit`` minutes without an action, when the
    account was disabled or deleted, or when its id now names someone else (a restore replaced the users)."""
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return _resume()
    username = st.session_state.get("username")
    moment = time.time()
    if moment - st.session_state.get("last_active", moment) > idle_limit() * 60:
        _end(username, user_id, "idle")
        return None
    user = get_user(store(), user_id)
    if user is None or user.username != username:
        _end(username, user_id, "disabled")
        return None
    if not signin.session_open(store(), st.session_state.get("session_token", "")):
        # its sign-in ended elsewhere: a password changed or reset, a sign-out in another tab, a restore
        changed = signin.password_changed_since(store(), user_id, st.session_state.get("signed_in_at", ""))
        _end(username, user_id, "password" if changed else "elsewhere")
        return None
    st.session_state["last_active"] = moment
    if moment - st.session_state.get("token_touched", 0) > TOUCH_EVERY_S and "session_token" in st.session_state:
        signin.touch_session(store(), st.session_state["session_token"])
        st.session_state["token_touched"] = moment
    return user


SESSION_COOKIE, LANGUAGE_COOKIE = "pmqa_session", "pmqa_lang"
TOUCH_EVERY_S = 60  # how often an active session tells the store it is still in use


def _idle() -> timedelta:
    return timedelta(minutes=idle_limit())


def _resume() -> User | None:
    """A reload: the sign-in this browser's cookie holds, if the store still honours it. Tried once per
    Streamlit session (after signing out, the cookie the session started with is stale)."""
    if st.session_state.get("resume_tried"):
        return None
    st.session_state["resume_tried"] = True
    token = _cookie(SESSION_COOKIE)
    if not token:
        return None
    user = signin.resume_session(store(), token, _idle(), client())
    if user is not None:
        _remember(user, token)
    return user


def _cookie(name: str) -> str | None:
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None  # AppTest has no browser, and no cookies


def remembered_language() -> str:
    """The language this browser chose last (a reload starts a new session), else Thai."""
    chosen = _cookie(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else "th"


def cookie_script(language: str) -> str:
    """A script that sets this browser's cookies to the session's sign-in token (or removes it) and language.
    Both values are from fixed alphabets (a URL-safe token, a language code), so they need no quoting."""
    token = st.session_state.get("session_token")
    session_part = f"{SESSION_COOKIE}={token}" if token else f"{SESSION_COOKIE}=; max-age=0"
    return ("<script>(() => { const flags = '; path=/; SameSite=Strict' + "
            "(location.protocol === 'https:' ? '; Secure' : ''); "
            f"document.cookie = '{session_part}' + flags; "
            f"document.cookie = '{LANGUAGE_COOKIE}={language}; max-age=31536000' + flags; }})();</script>")


def ended() -> str | None:
    """Why the last session ended without the user signing out (``signin.SIGN_OUT_REASONS`` but "user"),
    once."""
    return st.session_state.pop("session_ended", None)


def _end(username: str, user_id: int, reason: str) -> None:
    """This session ends without the user signing out. The browser's token is left to the store: it idles
    out by itself, and another tab of the same browser that resumed with it may still be in use."""
    signin.sign_out(store(), username, user_id, client(), reason)
    _forget(close_token=False)
    st.session_state["session_ended"] = reason


def client() -> str:
    """The browser's address as Streamlit sees it (behind a proxy, the proxy's unless it passes it on)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"  # AppTest has no address


def sign_in(username: str, password: str) -> signin.Outcome:
    outcome = signin.sign_in(store(), username, password, client())
    _remember(outcome.user)
    return outcome


def sign_in_sso(found: tuple[str, bool | None, str, float | None]) -> signin.Outcome:
    """Sign in the person the identity provider vouches for in this browser (``found``: ``sso.identity()``);
    a refusal stays in the session (``sso_refusal``) until that person chooses another account."""
    email, verified, issuer, _ = found
    outcome = signin.sign_in_sso(store(), email, verified, issuer, client(), trusted=issuer in sso.trusted_issuers())
    _remember(outcome.user)
    st.session_state.pop("sso_paused", None)
    if outcome.refusal:
        st.session_state["sso_refusal"] = (outcome.refusal, email)
    return outcome


FRESH_IDENTITY_S = 120  # an identity the provider issued this recently: the browser is just back from it


def resume_sso() -> User | None:
    """Back from the provider (a new session with an identity issued in the last ``FRESH_IDENTITY_S``
    seconds), sign in without another click. An older identity (a reload, or after an idle sign-out) waits
    for the user's click on the provider's button, so a reload does not outlast the idle time; nor after
    this session ended or was refused."""
    if st.session_state.get("sso_paused") or st.session_state.get("sso_refusal"):
        return None
    found = sso.identity()
    if found is None or found[3] is None or time.time() - found[3] > FRESH_IDENTITY_S:
        return None
    return sign_in_sso(found).user


def sso_refusal() -> tuple[str, str] | None:
    """(catalogue key, e-mail) of the provider's identity this app refused, if any."""
    return st.session_state.get("sso_refusal")


def _remember(user: User | None, token: str | None = None) -> None:
    """Keep the signed-in user in this session, and a token for the browser to come back with after a
    reload (a new one, unless resuming with the browser's)."""
    if user is not None:
        st.session_state["user_id"], st.session_state["username"] = user.id, user.username
        st.session_state["department_id"] = user.department_id
        st.session_state["last_active"] = st.session_state["token_touched"] = time.time()
        st.session_state["session_token"] = token or signin.open_session(store(), user, _idle())
        st.session_state["signed_in_at"] = now()


def renew() -> None:
    """After a restore replaced the store's sign-ins: the acting user keeps working if the restored store
    still has their account (a new token); otherwise their session ends at its next run."""
    user_id = st.session_state.get("user_id")
    user = get_user(store(), user_id) if user_id is not None else None
    if user is not None and user.username == st.session_state.get("username"):
        _remember(user)


def change_password(current: str, new: str) -> None:
    """The signed-in user's new password; the current one is checked under the sign-in limits first
    (``InputError``: wrong, or paused), and every other session of the account ends."""
    user = current_user()
    if user is not None:
        confirmed = signin.confirm_password(store(), user, current, client())
        if confirmed.refusal == "sign_in_locked":
            raise InputError("sign_in_locked", minutes=confirmed.minutes)
        if confirmed.refusal:
            raise InputError("error_password_current")
        store_change_password(store(), user, current, new)  # ends every sign-in kept for a reload
        _remember(user)


def sign_out(user: User) -> None:
    """The user ends the session (audited), and the identity provider's sign-in in this browser with it."""
    signin.sign_out(store(), user.username, user.id, client())
    _forget()
    if sso.identity() is not None:
        sso.log_out()


def _forget(close_token: bool = True) -> None:
    token = st.session_state.pop("session_token", None)
    if token and close_token:
        signin.close_session(store(), token)
    for key in ("user_id", "username", "department_id", "last_active"):
        st.session_state.pop(key, None)
    st.session_state["sso_paused"] = True  # the provider's cookie does not sign this session in again
