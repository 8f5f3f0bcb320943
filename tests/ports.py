"""A TCP port for a test's own server (Streamlit, SMTP), safe when several test processes start servers at once:
pytest-xdist's workers, or another checkout's suite on the same machine.

Binding port 0 and closing the socket to learn a free port races: until the server binds it, the kernel may hand
the same port to another process binding port 0, or to any outgoing connection as its local port (both come
from the ephemeral range). So ports come from a range below the ephemeral one, and each is held through a lock
file (``flock``: released when its holder closes it or dies, even killed) from before the server starts until
after it has stopped. Another holder skips a locked port; a port some other program listens on is skipped too.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORTS = range(20_000, 22_000)  # below Linux's ephemeral ports (ip_local_port_range, 32768-60999 by default)
LOCKS = Path(tempfile.gettempdir()) / "pmqa-test-ports"


def _bindable(port: int) -> bool:
    """Whether a server can listen on 127.0.0.1:port now (with SO_REUSEADDR, as Tornado and asyncio bind: a
    connection of a stopped server left in TIME_WAIT does not keep the port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextmanager
def reserved_port() -> Iterator[int]:
    """A port of 127.0.0.1 no other holder has, free when handed out; start the server inside the block."""
    LOCKS.mkdir(exist_ok=True)
    start = random.randrange(len(PORTS))  # holders spread over the range instead of queueing at its start
    for offset in range(len(PORTS)):
        port = PORTS[(start + offset) % len(PORTS)]
        fd = os.open(LOCKS / f"{port}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                continue  # another test process holds it
            raise
        try:
            if _bindable(port):
                yield port
                return
        finally:
            os.close(fd)  # releases the lock
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")
