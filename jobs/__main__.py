"""``python -m jobs worker``: a worker of a PostgreSQL store's queue (``jobs.worker``), until SIGTERM.

    python -m jobs worker [--db ADDRESS] [--concurrency N]

``--db`` defaults to ``PMQA_DB`` (as the app's); the worker logs to standard error, with the references of the
faults a page shows.
"""

from __future__ import annotations

import argparse
import os
import sys

from storage.engine import as_location, is_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs", description="The PMQA document jobs' worker.")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run a worker of a PostgreSQL store's queue until stopped")
    worker.add_argument("--db", default=os.environ.get("PMQA_DB", ""), help="the store's address (PMQA_DB)")
    worker.add_argument("--concurrency", type=int, default=1, help="builds at once (default 1)")
    worker.add_argument("--heartbeat", type=float, default=10.0, help="seconds between the worker's heartbeats")
    worker.add_argument("--stalled-after", type=float, default=30.0,
                        help="seconds without a heartbeat after which a worker's jobs are retried")
    worker.add_argument("--check-every", type=float, default=10.0, help="seconds between looks for stalled jobs")
    worker.add_argument("--poll", type=float, default=2.0, help="seconds between looks for new jobs")
    args = parser.parse_args(argv)
    if not is_server(args.db or ""):
        print("python -m jobs worker: --db (or PMQA_DB) must be a PostgreSQL address; a SQLite store runs its "
              "jobs in the app's process", file=sys.stderr)
        return 2
    if not 1 <= args.concurrency <= 32 or min(args.heartbeat, args.stalled_after, args.check_every, args.poll) <= 0:
        print("python -m jobs worker: --concurrency is 1-32 and the times are positive", file=sys.stderr)
        return 2
    if args.stalled_after <= args.heartbeat:
        print("python -m jobs worker: --stalled-after must be longer than --heartbeat", file=sys.stderr)
        return 2
    from jobs.worker import serve

    serve(as_location(args.db), concurrency=args.concurrency, heartbeat=args.heartbeat,
          stalled_after=args.stalled_after, check_every=args.check_every, poll=args.poll)
    return 0


if __name__ == "__main__":
    sys.exit(main())
