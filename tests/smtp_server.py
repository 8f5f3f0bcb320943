"""A local SMTP server for tests (aiosmtpd on a free port of 127.0.0.1): e-mail is never sent anywhere real."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from ports import reserved_port


class Inbox:
    """What the server received: (recipients, parsed message) pairs. ``refuse_after``: once it holds that many
    messages, the server refuses every further one (a mail server failing part of the way through a send)."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()
        self.refuse_after: int | None = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        with self.lock:
            if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
                return "451 4.3.0 mailbox store unavailable"
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A running server and its port."""
    handler = Inbox()
    with reserved_port() as port:  # a port named to aiosmtpd: it checks its server by connecting to it
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            yield handler, port
        finally:
            controller.stop()
