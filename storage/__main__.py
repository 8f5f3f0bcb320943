"""Store commands, for scripted set-up and nightly jobs. Each prints what it did, or exits non-zero with a
clear message and changes nothing.

    python -m storage init --db var/production.db --admin somchai    # empty store, first admin
    python -m storage demo --db var/demo.db                           # a store with the demo department
    python -m storage units import units.csv --db FILE                # columns: code, name_th, name_en, group, weight
    python -m storage users add --db FILE --username U --role unit --unit CODE --password-stdin
    python -m storage users reset-password --db FILE --username U --password-stdin
    python -m storage year open --db FILE --year 2570 [--criteria FILE.yaml]
    python -m storage year close --db FILE --year 2570
    python -m storage criteria load FILE.yaml --year 2570 --db FILE
    python -m storage backup --db FILE --out DIR                      # one archive into DIR; prints its path
    python -m storage restore ARCHIVE --db NEWFILE                    # refuses to overwrite an existing file

``--db`` is a SQLite file or a PostgreSQL address (``postgresql://user@host/database``), the same commands on both:
``restore`` into an empty PostgreSQL database moves a department's archive onto the server, and ``backup`` of a
server's store writes an archive that restores into a file.

Passwords are read from standard input (one line) with ``--password-stdin``, else asked twice; no default
password ever exists in a production store. Commands on an existing store act as its first active admin
(the audit log names that admin; ``users reset-password`` names the command line), since whoever may
write the store's file owns it.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from i18n import translate
from intake import unit_import
from storage import audit, connect, open_store
from storage.admin import backup, demo
from storage.assessment import criteria, years
from storage.db import set_meta, transaction
from storage.engine import DatabaseError, Location, as_location, holds_store, is_server, shown
from storage.errors import StoreError, command_line_text
from storage.organisation import accounts, ministry, org
from storage.organisation.accounts import User


def init_production(path: Location, admin: str, password: str, display_name: str = "") -> None:
    if holds_store(path):
        raise SystemExit(_taken(path))
    accounts.check_password(password, admin, display_name)
    db = connect(path)
    with transaction(db):
        accounts.create_user(db, admin, password, "admin", display_name=display_name or admin, actor=admin)
        set_meta(db, "demo", "0")
        audit.record(db, admin, "init", "store", None)


def make_ministry(args: argparse.Namespace) -> str:
    if not is_server(args.db):
        raise SystemExit("a ministry's departments share a PostgreSQL store: give --db postgresql://...")
    db = connect(args.db)
    root = ministry.found(db, args.code, args.name_th, args.name_en, args.admin, _password(args, "Admin password"),
                          args.name or "")
    return (f"ministry {args.code} (department {root}) with its admin {args.admin}: the admin signs in to add the "
            f"ministry's departments and each one's first admin (PMQA_DB={shown(args.db)} make run)")


def _taken(path: Location) -> str:
    if is_server(path):
        return f"{shown(path)} already holds a store; choose an empty database"
    return f"{path} already exists; choose a new file"


def _existing(path: Location):
    if not holds_store(path):  # a file that exists, or a database holding accounts
        raise SystemExit(f"{shown(path)} {'holds no store' if is_server(path) else 'does not exist'}; create a store "
                         f"with: python -m storage init --db {shown(path)} --admin NAME")
    try:
        return connect(path)
    except DatabaseError:
        raise SystemExit(f"{shown(path)} is not a store of this app (not an SQLite database); nothing was changed") \
            from None


def _password(args: argparse.Namespace, prompt: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"{prompt}: ")
    if getpass.getpass("Again: ") != password:
        raise SystemExit("the passwords differ; nothing was changed")
    return password


def _owner(db) -> User:
    """The store's first active admin, as whom the command line acts."""
    admin = accounts.first_admin(db)
    if admin is None:
        raise SystemExit("the store has no active admin; nothing was changed")
    return admin


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SystemExit(f"cannot read {path}: {exc.strerror}") from None


def units_import(args: argparse.Namespace) -> str:
    db = _existing(args.db)
    plan = unit_import.plan(db, unit_import.read_table(_read(args.file), args.file.name))
    if not plan.ok:
        lines = [f"row {p.row}, column {p.column}: {translate(p.key, 'en', **p.params)}" for p in plan.problems]
        raise SystemExit(f"{args.file}: {len(plan.problems)} problem(s); nothing was imported\n" + "\n".join(lines))
    done = unit_import.apply(db, plan, _owner(db))
    return f"imported {args.file}: {done['added']} unit(s) added, {done['changed']} changed, {plan.unchanged} unchanged"


def users_add(args: argparse.Namespace) -> str:
    db = _existing(args.db)
    unit_id = org.unit_id_of(db, args.unit) if args.unit else None
    accounts.add_user(db, _owner(db), args.username, _password(args, "Temporary password"), args.role,
                      args.name or "", unit_id, args.email or "")
    return f"user {args.username} ({args.role}) added; they choose a new password at their first sign-in"


def users_reset(args: argparse.Namespace) -> str:
    db = _existing(args.db)
    accounts.reset_password(db, None, accounts.user_id_of(db, args.username), _password(args, "Temporary password"))
    return f"password of {args.username} reset; they choose a new one at their next sign-in"


def year_open(args: argparse.Namespace) -> str:
    db = _existing(args.db)
    owner = _owner(db)
    data = _read(args.criteria) if args.criteria else None
    if data is not None:
        criteria.parse(data, args.criteria.name)  # a bad file stops here, before the year exists
    years.open_year(db, owner, args.year)
    message = f"fiscal year {args.year} opened with its self-assessment phase open"
    if data is not None:
        message += "; " + _use_criteria(db, owner, args.year, data, args.criteria.name)
    return message


def year_close(args: argparse.Namespace) -> str:
    db = _existing(args.db)
    years.close_year(db, _owner(db), args.year)
    return f"fiscal year {args.year} closed"


def criteria_load(args: argparse.Namespace) -> str:
    db = _existing(args.db)
    return _use_criteria(db, _owner(db), args.year, _read(args.file), args.file.name)


def _use_criteria(db, owner: User, year: int, data: bytes, name: str) -> str:
    seen = criteria.accept(db, owner, year, data, name)
    orphans = (f"; {seen.orphaned_answers} saved answer(s) in {seen.orphaned_assessments} assessment(s) refer to "
               "removed checkpoints (kept, no longer counted)" if seen.orphaned_answers else "")
    return f"criteria {name} in use for {year}: {len(seen.diff.changes)} change(s){orphans}"


def make_backup(args: argparse.Namespace) -> str:
    return str(backup.backup(_existing(args.db), args.out))


def restore(args: argparse.Namespace) -> str:
    done = backup.restore(args.archive, args.db)
    return (f"restored {args.archive} (made {done['created_at']}) into {shown(args.db)}: "
            f"{sum(done['tables'].values())} rows, {done['evidence_files']} evidence file(s)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m storage", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def command(parent, name: str, help: str, run=None, db: bool = True) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help)
        if db:
            p.add_argument("--db", type=as_location, required=True,
                           help="the store: a SQLite file, or a PostgreSQL address (postgresql://user@host/database)")
        p.set_defaults(run=run)
        return p

    init = command(sub, "init", "create an empty production store with its first admin")
    init.add_argument("--admin", required=True, help="the first admin's username")
    init.add_argument("--name", default="", help="the admin's display name")
    init.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    command(sub, "demo", "create a store holding the demo department")
    made = command(sub, "ministry", "make a PostgreSQL store a ministry's, with the ministry's first admin",
                   make_ministry)
    made.add_argument("--code", required=True, help="the ministry's code (lower-case letters, digits, -)")
    made.add_argument("--name-th", required=True, help="the ministry's name in Thai")
    made.add_argument("--name-en", default="", help="the ministry's name in English")
    made.add_argument("--admin", required=True, help="the ministry admin's username")
    made.add_argument("--name", default="", help="the admin's display name")
    made.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    units = sub.add_parser("units", help="units").add_subparsers(dest="action", required=True)
    command(units, "import", "import a unit list (CSV or .xlsx)", units_import).add_argument("file", type=Path)

    users = sub.add_parser("users", help="user accounts").add_subparsers(dest="action", required=True)
    add = command(users, "add", "add a user with a temporary password", users_add)
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--unit", help="the unit's code (unit assessors only)")
    add.add_argument("--name", help="display name")
    add.add_argument("--email")
    add.add_argument("--password-stdin", action="store_true")
    reset = command(users, "reset-password", "set a temporary password", users_reset)
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true")

    year = sub.add_parser("year", help="fiscal years").add_subparsers(dest="action", required=True)
    opened = command(year, "open", "open a fiscal year (B.E.)", year_open)
    opened.add_argument("--year", type=int, required=True)
    opened.add_argument("--criteria", type=Path, help="the year's criteria file (YAML); default criteria otherwise")
    command(year, "close", "close a fiscal year", year_close).add_argument("--year", type=int, required=True)

    crit = sub.add_parser("criteria", help="criteria files").add_subparsers(dest="action", required=True)
    load = command(crit, "load", "use a criteria file (YAML) for a year", criteria_load)
    load.add_argument("file", type=Path)
    load.add_argument("--year", type=int, required=True)

    command(sub, "backup", "write one backup archive into a folder", make_backup).add_argument(
        "--out", type=Path, required=True)
    command(sub, "restore", "restore an archive into a new store file", restore).add_argument("archive", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            if holds_store(args.db):
                raise SystemExit(_taken(args.db))
            open_store(args.db).close()
            print(f"demo store written to {shown(args.db)}; accounts demo-admin, demo-committee, demo-director, "
                  f"demo-unit with password {demo.DEMO_PASSWORD}")
        elif args.command == "init":
            init_production(args.db, args.admin, _password(args, "Admin password"), args.name)
            print(f"production store written to {shown(args.db)}; start the app with PMQA_DB={shown(args.db)} make run")
        else:
            print(args.run(args))
    except (StoreError, OSError) as exc:
        raise SystemExit(command_line_text(exc)) from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
