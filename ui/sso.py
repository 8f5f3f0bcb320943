"""Optional single sign-on through an OpenID Connect provider (``st.login``), beside local accounts.

A deployment turns it on in ``.streamlit/secrets.toml`` (see the README): an ``[auth]`` section with
``redirect_uri`` and ``cookie_secret``, and either the provider's ``client_id``, ``client_secret`` and
``server_metadata_url`` in ``[auth]`` itself or one ``[auth.NAME]`` section per provider. The sign-in page
then shows a "sign in with NAME" button per provider. Streamlit keeps the identity the provider returned
in a signed cookie (``st.user``); the store matches its e-mail to one active account
(``storage.organisation.signin.sign_in_sso``), and an unknown e-mail is refused with a message.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

DEFAULT = "default"  # the provider configured in [auth] itself, logged in with st.login()


def providers() -> list[str]:
    """The configured providers' names: ``DEFAULT`` for ``[auth]`` itself, else each ``[auth.NAME]``."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file, or one that does not parse: no single sign-on
        return []
    if not isinstance(auth, Mapping) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return []
    names = [DEFAULT] if auth.get("client_id") else []
    return names + [name for name, value in auth.items() if isinstance(value, Mapping) and value.get("client_id")]


def label(provider: str) -> str:
    """The name shown on the provider's button: ``[pmqa] sso_label`` for the default provider, else NAME."""
    if provider != DEFAULT:
        return provider
    try:
        return str(st.secrets.get("pmqa", {}).get("sso_label", "SSO"))
    except Exception:
        return "SSO"


def trusted_issuers() -> set[str]:
    """``[pmqa] trusted_email_issuers``: the issuers (``iss``) whose e-mails sign in without an
    ``email_verified`` claim, because the organisation manages every address they issue (an Entra ID tenant)."""
    try:
        issuers = st.secrets.get("pmqa", {}).get("trusted_email_issuers", [])
    except Exception:
        return set()
    return {str(issuer) for issuer in issuers} if isinstance(issuers, list | tuple) else set()


def identity() -> tuple[str, bool | None, str, float | None] | None:
    """(e-mail, whether the provider verified it or None when it does not say, the issuer, when the provider
    issued the identity as a Unix time or None) of the person a provider identified in this browser, or
    None."""
    try:
        user = st.user
        if not user.get("is_logged_in"):
            return None
        verified, issued = user.get("email_verified"), user.get("iat")
        return (str(user.get("email") or ""), verified if isinstance(verified, bool) else None,
                str(user.get("iss") or "sso"), float(issued) if isinstance(issued, int | float) else None)
    except Exception:  # single sign-on not configured
        return None


def log_in(provider: str) -> None:
    """Off to the provider; Streamlit brings the browser back to the app's home page."""
    st.login(None if provider == DEFAULT else provider)


def log_out() -> None:
    """Forget the provider's identity in this browser (Streamlit's cookie); a new session starts."""
    st.logout()
