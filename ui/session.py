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

from storage import DEFAULT_PATH, open_store
from storage.accounts import User, authenticate, get_user

_local = threading.local()


def db_path() -> Path:
    return Path(os.environ.get("PMQA_DB", DEFAULT_PATH))


def store() -> Database:
    path = db_path()
    cached = getattr(_local, "stores", {})
    if path not in cached:
        cached[path] = open_store(path)
        _local.stores = cached
    return cached[path]


def current_user() -> User | None:
    user_id = st.session_state.get("user_id")
    return get_user(store(), user_id) if user_id is not None else None


def sign_in(username: str, password: str) -> User | None:
    user = authenticate(store(), username, password)
    if user is not None:
        st.session_state["user_id"] = user.id
    return user


def sign_out() -> None:
    st.session_state.pop("user_id", None)
