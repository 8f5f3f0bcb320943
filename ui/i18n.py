"""Every string the app shows comes from one catalogue, data/strings.yaml, in Thai and English."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LANGUAGES = ("th", "en")
CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "strings.yaml"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def translate(key: str, lang: str = "th", **values) -> str:
    """The string for ``key`` in ``lang`` with its placeholders filled; KeyError for an unknown key."""
    text = catalogue()[key][lang if lang in LANGUAGES else "th"]
    return text.format(**values) if values else text


def current_language() -> str:
    import streamlit as st

    return st.session_state.get("lang", "th")


def t(key: str, **values) -> str:
    """``translate`` in the signed-in session's language."""
    return translate(key, current_language(), **values)
