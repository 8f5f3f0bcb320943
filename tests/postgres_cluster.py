"""A throw-away PostgreSQL cluster for the tests and benchmarks: Debian's PostgreSQL, started in a temporary
folder on a free local port, as an unprivileged user, and removed when done.

    python tests/postgres_cluster.py -- pytest -n auto tests/...   # the command runs with PMQA_TEST_DATABASE set

``PMQA_TEST_DATABASE`` is then the cluster's address (``postgresql://pmqa@127.0.0.1:PORT/postgres``); the tests'
fixtures make each store a database of their own in it (``tests/stores.py``). The cluster trades safety for
speed, as a throw-away one may: no fsync, no synchronous commit.

PostgreSQL refuses to run as root: run so, the cluster belongs to the ``postgres`` account Debian's package makes
and its commands run as that account (``runuser``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ports import reserved_port

USER = "pmqa"  # the stores' role, reached without a password from this machine only
SUPERUSER = "pmqa_admin"  # the cluster's own superuser, which only sets the cluster up
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",  # throw-away: speed over safety
    "max_connections": "400",
    "shared_buffers": "128MB",
    "max_locks_per_transaction": "256",
    # the suite makes and drops some 2,000 databases: no autovacuum visiting each, no WAL beyond crash recovery
    "autovacuum": "off", "wal_level": "minimal", "max_wal_senders": "0",
}


def binaries() -> Path:
    """The folder of Debian's PostgreSQL programs (the newest version installed)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (scripts/install-system-deps.sh postgresql installs it)")
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Address(str):
    """A running cluster's address, which can also stop the cluster and start it again (a fault test's
    server going away mid-save)."""

    def stop(self) -> None:
        """Stop the server as an administrator would (sessions ended, their transactions rolled back): the
        throw-away cluster's settings would lose recent commits on a crash."""
        _stop(self.bin_dir, self.data, "fast")

    def start(self) -> None:
        subprocess.run(_as_owner([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                                  "-t", "60", "-o", self.options, "start"]), check=True, stdout=subprocess.DEVNULL)


def _parent() -> str | None:
    """Where the cluster's folder goes: ``PMQA_CLUSTER_DIR`` if set, else the machine's shared memory when it has
    room (a tmpfs: the suite makes and drops some 2,000 databases, and on this machine's disk a copy of a
    template took 73-120 ms where in memory it takes 18; a test's store, made, opened and dropped, 122-138 ms
    against 41), else the system's temporary folder."""
    if os.environ.get("PMQA_CLUSTER_DIR"):
        return os.environ["PMQA_CLUSTER_DIR"]
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        stat = os.statvfs(shm)
        if stat.f_bavail * stat.f_frsize > 2 * 2**30:
            return shm
    return None


@contextlib.contextmanager
def cluster() -> Iterator[Address]:
    """Start a new cluster; its address while it runs; stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="pmqa-postgres-", dir=_parent()))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (folder, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    bin_dir = binaries()
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(reserved_port())
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        stack.callback(_stop, bin_dir, data)

        subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL)
        address = Address(f"postgresql://{USER}@127.0.0.1:{port}/postgres")
        address.bin_dir, address.data, address.log = bin_dir, data, folder / "log"
        address.options = f"-p {port} -k {sockets} " + " ".join(f"-c {key}={value}" for key, value in SETTINGS.items())
        address.start()
        _add_store_role(address)
        yield address


def _add_store_role(address: Address) -> None:
    """The role the tests' stores connect as: not a superuser, whom row-level security would let through, but
    one that makes and drops databases (the stores' copies) and roles (a test's other account), as the
    installation's own role on a ministry's server may."""
    import psycopg

    wait_ready(address.replace(f"{USER}@", f"{SUPERUSER}@"))
    with psycopg.connect(address.replace(f"{USER}@", f"{SUPERUSER}@"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {USER} LOGIN CREATEDB CREATEROLE")


def _stop(bin_dir: Path, data: Path, mode: str = "immediate") -> None:
    if (data / "postmaster.pid").exists():
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(address: str, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(address, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1:] if "--" in argv else argv
    if not command:
        print(__doc__)
        return 2
    with cluster() as address:
        wait_ready(address)
        print(f"PostgreSQL {binaries().parts[-2]} at {address}", flush=True)
        started = time.monotonic()
        code = subprocess.run(command, env={**os.environ, "PMQA_TEST_DATABASE": address}).returncode
        print(f"{time.monotonic() - started:.0f} s, of which the PostgreSQL server used "
              f"{_cpu_server(address.data):.0f} s of CPU", flush=True)
        return code


def _cpu_server(data: Path) -> float:
    """CPU seconds the cluster's server has used so far, its ended sessions included (from /proc)."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return float("nan")
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
