"""Store commands.

    python -m storage init --db var/production.db --admin somchai   # empty store, first admin
    python -m storage demo --db var/demo.db                          # a store with the demo department

``init`` asks for the admin's password twice (or reads one line from standard input with
``--password-stdin``); no default password ever exists in a production store.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from storage import accounts, audit, connect, demo, open_store
from storage.db import set_meta, transaction


def init_production(path: Path, admin: str, password: str, display_name: str = "") -> None:
    if path.exists():
        raise SystemExit(f"{path} already exists; choose a new file")
    if len(password) < accounts.MIN_PASSWORD:
        raise ValueError(f"password must have at least {accounts.MIN_PASSWORD} characters")
    db = connect(path)
    with transaction(db):
        accounts.create_user(db, admin, password, "admin", display_name=display_name or admin, actor=admin)
        set_meta(db, "demo", "0")
        audit.record(db, admin, "init", "store", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create an empty production store with its first admin")
    init.add_argument("--db", type=Path, required=True)
    init.add_argument("--admin", required=True, help="the first admin's username")
    init.add_argument("--name", default="", help="the admin's display name")
    init.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    demo_cmd = sub.add_parser("demo", help="create a store holding the demo department")
    demo_cmd.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.db.exists():
            raise SystemExit(f"{args.db} already exists; choose a new file")
        open_store(args.db)
        print(f"demo store written to {args.db}; accounts demo-admin, demo-committee, demo-director, "
              f"demo-unit with password {demo.DEMO_PASSWORD}")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Admin password: ")
        if getpass.getpass("Again: ") != password:
            raise SystemExit("the passwords differ; nothing was created")
    try:
        init_production(args.db, args.admin, password, args.name)
    except ValueError as exc:
        raise SystemExit(f"cannot create the store: {exc}") from exc
    print(f"production store written to {args.db}; start the app with PMQA_DB={args.db} make run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
