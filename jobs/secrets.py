"""The department's SMTP settings for a job that sends e-mail, read where Streamlit reads its secrets: the
``[smtp]`` section of ``.streamlit/secrets.toml`` in the working directory (the app's folder, which the worker's
service unit runs in too), over ``~/.streamlit/secrets.toml``; ``PMQA_SECRETS`` names another file instead. A
worker has no Streamlit, so it reads the file itself; passwords never go into the job's row."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from storage.admin import mail


def files() -> list[Path]:
    """The secrets files, the one read last winning (as Streamlit's ``secrets.files``)."""
    chosen = os.environ.get("PMQA_SECRETS", "").strip()
    if chosen:
        return [Path(chosen)]
    return [Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"]


def smtp_settings() -> mail.SmtpSettings | None:
    """The ``[smtp]`` section when a file has a complete one; None otherwise (a file that does not parse is
    passed over, as the app passes over it)."""
    section = None
    for path in files():
        try:
            found = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp")
        except (OSError, ValueError):
            continue
        if isinstance(found, dict):
            section = found
    return mail.settings_from(section)
