"""E-mail through the department's own SMTP server, configured in Streamlit's secrets (``[smtp]``; see the
README). Pure of Streamlit: the caller passes the settings it read. One connection sends a batch; a failure
is a ``StoreError`` naming what went wrong, for a person to read."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storage.errors import InputError, StoreError


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: str = Field(min_length=3)
    username: str = ""
    password: str = ""
    starttls: bool = True  # upgrade a plain connection (port 587); ``ssl`` connects over TLS from the start (465)
    ssl: bool = False
    timeout: float = Field(default=15, gt=0, le=120)


def settings_from(section: Mapping | None) -> SmtpSettings | None:
    """The ``[smtp]`` section as settings; None when it is missing or incomplete (e-mail is then not offered)."""
    if not isinstance(section, Mapping):
        return None
    try:
        return SmtpSettings.model_validate(dict(section))
    except ValidationError:
        return None


def one_address(text: str) -> Address:
    """The one mailbox ``text`` names (``a@x.org``, ``"a,b"@x.org``, ``Name <a@x.org>``), parsed as a header
    parser reads it; ``InputError("error_email")`` when it names none or several (``a,b@x.org`` is ``a`` and
    ``b@x.org``), lacks a name or a domain, holds a line break or anything the parser had to guess at, or is
    not ASCII (a server need not take such an address)."""
    text = str(text or "").strip()
    refused = InputError("error_email", email=text)
    if not text or "\r" in text or "\n" in text:
        raise refused
    try:
        header = policy.default.header_factory("To", text)
    except Exception:  # the parser raises more than one kind on a malformed address
        raise refused from None
    if header.defects or len(header.addresses) != 1:
        raise refused
    address = header.addresses[0]
    if not address.username or not address.domain or not address.addr_spec.isascii():
        raise refused
    return address


def message(settings: SmtpSettings, to: str, subject: str, body: str) -> EmailMessage:
    """A message to the one address ``to`` names (``one_address``: refused when it names none or several)."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = settings.sender, one_address(to), subject
    mail.set_content(body)  # UTF-8: Thai as it is
    return mail


def recipients(mail: EmailMessage) -> list[str]:
    """The addresses a message goes to: those its To header holds, as the envelope names them."""
    return [address.addr_spec for address in mail["To"].addresses]


def send(settings: SmtpSettings, messages: Iterable[EmailMessage],
         on_sent: Callable[[EmailMessage], None] | None = None) -> int:
    """Send the messages over one connection; how many recipients were accepted. ``on_sent(message)`` is called as
    soon as the server has accepted a message, before the next is sent (so a caller can record it even if a later
    one fails). ``StoreError("error_mail")`` when the server cannot be reached or refuses (nothing is retried: the
    caller says so to the person, and how many had been sent by then)."""
    messages = list(messages)
    if not messages:
        return 0
    try:
        context = ssl.create_default_context()
        if settings.ssl:
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.starttls and not settings.ssl:
                server.starttls(context=context)
            if settings.username:
                server.login(settings.username, settings.password)
            sent = 0
            for mail in messages:
                to = recipients(mail)  # named to the server, not split out of the header's text again
                refused = server.send_message(mail, to_addrs=to)
                accepted = [a for a in to if a not in refused]
                sent += len(accepted)
                if accepted and on_sent is not None:
                    on_sent(mail)
            return sent
    except (OSError, smtplib.SMTPException) as exc:
        raise StoreError("error_mail", detail=str(exc) or type(exc).__name__) from exc
