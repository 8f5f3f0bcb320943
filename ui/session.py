"""The store and the signed-in user for the current Streamlit session.

A sqlite3 connection is kept per thread (Streamlit runs scripts on many threads and a connection
must stay on the thread that made it). The signed-in user is re-read from the store on every run,
so a deactivated account is signed out at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from storage import DEFAULT_PATH, open_store, signin
from storage.accounts import User, get_user
from storage.accounts import change_password as store_change_password

_local = threading.local()


class StoreMissing(RuntimeError):
    """``PMQA_DB`` names a file that does not exist: the app will not create a store there (a demo store
    has published passwords); ``python -m storage init`` (or ``demo``) creates one."""

    def __init__(self, path: Path):
        super().__init__(f"{path} does not exist; create a store with: python -m storage init --db {path} "
                         f"--admin NAME (or python -m storage demo --db {path})")
        self.path = path


def db_path() -> Path:
    return Path(os.environ.get("PMQA_DB", DEFAULT_PATH))


def store() -> Database:
    """The store for this thread. Only the default path (``make run``) is created, with the demo
    department, on first start; a ``PMQA_DB`` file must exist (``StoreMissing`` otherwise)."""
    path = db_path()
    cached = getattr(_local, "stores", {})
    if path not in cached:
        default = path.resolve() == DEFAULT_PATH.resolve()
        if not default and not path.exists():
            raise StoreMissing(path)
        cached[path] = open_store(path, demo_if_empty=default)
        _local.stores = cached
    return cached[path]


def current_user() -> User | None:
    """The signed-in user as the store has them now; None (signed out) when the account was disabled, or
    when the id now names someone else (a restore replaced the store's users)."""
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    user = get_user(store(), user_id)
    if user is None or user.username != st.session_state.get("username"):
        sign_out()
        return None
    return user


def client() -> str:
    """The browser's address as Streamlit sees it (behind a proxy, the proxy's unless it passes it on)."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "unknown"  # AppTest has no address


def sign_in(username: str, password: str) -> signin.Outcome:
    outcome = signin.sign_in(store(), username, password, client())
    if outcome.user is not None:
        st.session_state["user_id"], st.session_state["username"] = outcome.user.id, outcome.user.username
    return outcome


def change_password(current: str, new: str) -> None:
    user = current_user()
    if user is not None:
        store_change_password(store(), user, current, new)


def sign_out(user: User | None = None) -> None:
    """End the session (audited when ``user``, the one signing out, is given)."""
    if user is not None:
        signin.sign_out(store(), user, client())
    st.session_state.pop("user_id", None)
    st.session_state.pop("username", None)
