"""Benchmark of the sign-in form under attack, through ``storage.organisation.signin.sign_in`` on a copy of the demo
store, with the product's password hashing (argon2id, 19 MiB, 2 passes) and its refusal floor.

Prints, for each case, what the store grew by (bytes of the file and its WAL, audit and attempt rows) and how
long the attempts took:
- a burst from one address: ``--burst`` attempts (400) with 10 KB user names, each one different, the
  review's disk filler (one browser tab added 74 MiB in 13 s before the fix);
- guesses spread over ``--clients`` (50) addresses, 10 attempts each, at the demo's accounts (four names):
  each address stops at ``PAIR_LIMIT`` per name, each name at ``NAME_LIMIT`` in all;
- simultaneous guesses: ``--guesses`` (100) threads guessing one account's password at once from one address,
  the right password among them; counted: how many passwords were checked, and whether one signed in (the
  right one does when it is among the first ``PAIR_LIMIT`` reserved, and a success starts the count again,
  so one more may then be checked).

Every refusal takes at least ``signin.FAILURE_FLOOR_S`` (0.25 s): a burst is slow by design.

Run: .venv/bin/python bench/bench_signin.py [--burst 400] [--clients 50] [--guesses 100]
Aim: a burst adds at most a few KB whatever its length; at most ``PAIR_LIMIT`` passwords checked at once.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import connect, open_store  # noqa: E402
from storage.admin.demo import DEMO_PASSWORD  # noqa: E402
from storage.organisation import accounts, signin  # noqa: E402


def footprint(db) -> tuple[int, int, int]:
    """The store file's size once its write-ahead log is folded in, and its audit and attempt rows."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = Path(db.execute("PRAGMA database_list").fetchone()[2]).stat().st_size
    rows = [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("audit_log", "sign_in_attempts")]
    return size, *rows


def report(name: str, db, before, attempts: int, seconds: float, extra: str = "") -> None:
    size, audit, tried = (after - b for after, b in zip(footprint(db), before, strict=True))
    print(f"{name:<44} {attempts:>6} attempts in {seconds:6.1f} s ({seconds / attempts * 1000:6.1f} ms each): "
          f"store +{size / 1024:8.1f} KiB, audit +{audit}, attempt rows +{tried}{extra}")


def burst(db, count: int) -> None:
    before, start = footprint(db), time.perf_counter()
    moment = datetime.now(UTC)
    for n in range(count):
        signin.sign_in(db, f"{n:06d}" + "x" * 10_000, "wrong", "203.0.113.9", moment + timedelta(milliseconds=n))
    report("one address, 10 KB names, each different", db, before, count, time.perf_counter() - start)


def many_clients(db, clients: int) -> None:
    before, start = footprint(db), time.perf_counter()
    moment = datetime.now(UTC)
    names = [row[0] for row in db.execute("SELECT username FROM users ORDER BY id")]
    for n in range(clients * 10):
        signin.sign_in(db, names[n % len(names)], "wrong", f"10.{n // 2500}.{n // 10 % 250}.1",
                       moment + timedelta(milliseconds=n))
    report(f"{clients} addresses, 10 attempts each, {len(names)} names", db, before, clients * 10,
           time.perf_counter() - start)


def guesses(path: Path, count: int) -> None:
    db = connect(path)
    checks, lock = [0], threading.Lock()
    hasher = accounts._hasher

    class Counting:
        def verify(self, stored, password):
            with lock:
                checks[0] += 1
            return hasher.verify(stored, password)

        def __getattr__(self, name):
            return getattr(hasher, name)

    accounts._hasher = Counting()
    before, start, outcomes = footprint(db), time.perf_counter(), []
    passwords = [f"guess number {n}" for n in range(count - 1)] + [DEMO_PASSWORD]

    def guess(password: str) -> None:
        outcomes.append(signin.sign_in(connect(path), "demo-director", password, "198.51.100.7"))

    threads = [threading.Thread(target=guess, args=(p,)) for p in reversed(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accounts._hasher = hasher
    signed = sum(o.user is not None for o in outcomes)
    report(f"{count} simultaneous guesses at one account", db, before, count, time.perf_counter() - start,
           f"; passwords checked {checks[0]} (limit {signin.PAIR_LIMIT}), signed in {signed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=400)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--guesses", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "demo.db"
        open_store(template).close()
        for case in ("burst", "clients", "guesses"):
            path = Path(folder) / f"{case}.db"
            shutil.copy(template, path)
            db = connect(path)
            if case == "burst":
                burst(db, args.burst)
            elif case == "clients":
                many_clients(db, args.clients)
            else:
                guesses(path, args.guesses)
            db.close()


if __name__ == "__main__":
    main()
