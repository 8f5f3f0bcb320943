"""A ministry's departments side by side in one store: the organisation's tree (a ministry, its departments) in
the installation's ``departments`` table.

Every department's rows carry its ``department_id``; a store acts for one department at a time
(``Store.act_for``), and on PostgreSQL row-level security holds each connection to its acting department's rows
(revision 0003). Departments share one store only on PostgreSQL: SQLite has no such wall, so a SQLite store keeps
its one department.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from storage import audit
from storage.db import now, transaction
from storage.engine import DEPARTMENT, Store
from storage.errors import AccessDenied, InputError
from storage.organisation import accounts
from storage.organisation.accounts import User, acting
from storage.schema import MINISTRY_ROLES
from storage.text import clean

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
MAX_NAME = 200


def departments(db: Store) -> list[dict]:
    """The installation's departments (and its ministry, if it has one), in the order they were made."""
    return list(db.query("SELECT id, code, name_th, name_en, kind, parent_id, active, created_at, created_by "
                         "FROM departments ORDER BY id"))


def ministry(db: Store) -> dict | None:
    """The ministry at the tree's root, if the installation has one."""
    return next((d for d in departments(db) if d["kind"] == "ministry"), None)


def _checked(db: Store, code: str, name_th: str, name_en: str | None) -> tuple[str, str, str | None]:
    if db.sqlite:  # no wall between departments in one SQLite file: a ministry's store is PostgreSQL
        raise InputError("error_ministry_needs_server")
    code, name_th, name_en = (code or "").strip().lower(), clean(name_th or "").strip(), clean(name_en or "").strip()
    if not CODE.match(code):
        raise InputError("error_department_code", code=code)
    if not name_th or len(name_th) > MAX_NAME or len(name_en) > MAX_NAME:
        raise InputError("error_department_name")
    if db.execute("SELECT 1 FROM departments WHERE code = ?", [code]).fetchone():
        raise InputError("error_department_code_taken", code=code)
    return code, name_th, name_en or None


def add_department(db: Store, code: str, name_th: str, name_en: str | None, by: str,
                   kind: str = "department") -> int:
    """A new department of the ministry (or, ``kind`` "ministry", the ministry itself, at the root: the
    departments made before it become its own); its id. Audited in the acting department's log: whoever made it."""
    code, name_th, name_en = _checked(db, code, name_th, name_en)
    with transaction(db):
        root = ministry(db)
        if kind == "ministry" and root is not None:
            raise InputError("error_ministry_exists")
        department = db.execute(
            "INSERT INTO departments (code, name_th, name_en, kind, parent_id, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [code, name_th, name_en, kind, root["id"] if root and kind != "ministry" else None, now(), by]
        ).fetchone()[0]
        if kind == "ministry":
            db.execute("UPDATE departments SET parent_id = ? WHERE id <> ? AND parent_id IS NULL",
                       [department, department])
        audit.record(db, by, "create", "department", department, code=code, kind=kind, name=name_th)
    return department


def of_ministry(db: Store, actor: User) -> tuple[User, list[dict]]:
    """``actor`` re-read (``acting``), refused unless one of the ministry's own accounts; and the ministry's
    departments."""
    fresh = acting(db, actor)
    if fresh.role not in MINISTRY_ROLES:
        raise AccessDenied(role=fresh.role)
    return fresh, [d for d in departments(db) if d["parent_id"] == fresh.department_id and d["kind"] == "department"]


def read_as(db: Store, actor: User, department: int) -> User:
    """Read one of the ministry's departments for one of its accounts: the store reads that department's rows
    only (``Store.read_for``: the database refuses every write) for the reader returned, who reads as that
    department's director does (its overview, its record, its documents) until the store acts for someone
    again. Refused for anyone else, and for a department not the ministry's."""
    fresh, own = of_ministry(db, actor)
    if department not in {d["id"] for d in own}:
        raise AccessDenied(department=department)
    return _reading(db, fresh, department)


def read_each(db: Store, actor: User) -> Iterator[tuple[dict, User]]:
    """``read_as`` each of the ministry's departments in turn, the account checked once: each department with its
    reader, the store reading that department while the pair is in hand; acting for the account again after the
    last (or when the loop is left)."""
    fresh, own = of_ministry(db, actor)
    try:
        for department in own:
            yield department, _reading(db, fresh, department["id"])
    finally:
        db.act_for(fresh.department_id)


def _reading(db: Store, account: User, department: int) -> User:
    """The store reading ``department`` for the ministry's (checked) ``account``, as that department's director."""
    reader = User(account.id, account.username, account.display_name, "director", None, department_id=department)
    db.read_for(department, reader)
    return reader


def create_department(db: Store, actor: User, code: str, name_th: str, name_en: str | None, admin: str,
                      password: str, admin_name: str = "", admin_email: str = "") -> int:
    """The ministry's admin makes a department and its first admin (``admin``, with a temporary ``password`` to
    change at the first sign-in); its id. Everything is checked before anything is written."""
    fresh, _ = of_ministry(db, actor)
    if fresh.role != "ministry_admin":
        raise AccessDenied(role=fresh.role)
    _checked(db, code, name_th, name_en)
    admin = (admin or "").strip()
    if not accounts.USERNAME.match(admin):
        raise InputError("error_username", name=admin)
    if accounts.department_of(db, admin) is not None:
        raise InputError("error_username_taken", name=admin)
    accounts.check_password(password, admin, admin_name, admin_email)
    department = add_department(db, code, name_th, name_en, fresh.username)
    db.act_for(department)
    try:
        accounts.create_user(db, admin, password, "admin", admin_name, None, fresh.username, admin_email,
                             must_change_password=True)
    finally:
        db.act_for(fresh.department_id)
    return department


def set_up(db: Store, actor: User) -> list[dict]:
    """Each of the ministry's departments with its set-up (``storage.admin.setup``'s checklist), its accounts by
    role and its years, read as the ministry may (``read_each``), for its accounts."""
    from storage.admin import setup

    found = []
    for department, _reader in read_each(db, actor):
        roles = dict(db.execute("SELECT role, COUNT(*) FROM users WHERE active = 1 GROUP BY role").fetchall())
        found.append({**department, "steps": {s.id: s.done for s in setup.checklist(db)},
                      "units": db.execute("SELECT COUNT(*) FROM units WHERE active = 1").fetchone()[0],
                      "accounts": roles, "years": [r[0] for r in db.execute("SELECT year FROM cycles ORDER BY year")]})
    return found


def found(db: Store, code: str, name_th: str, name_en: str | None, admin: str, password: str,
          display_name: str = "") -> int:
    """Make the installation a ministry (the command line's ``ministry``): the ministry at the tree's root and its
    first admin (``ministry_admin``); its id. A new, empty store's one department becomes the ministry; a store
    already holding a department keeps it as the ministry's first department."""
    code, name_th, name_en = _checked(db, code, name_th, name_en)
    if ministry(db) is not None:
        raise InputError("error_ministry_exists")
    accounts.check_password(password, admin, display_name)
    if accounts.department_of(db, admin) is not None:
        raise InputError("error_username_taken", name=admin)
    acting_before = db.department
    db.act_for(DEPARTMENT)
    empty = not db.execute("SELECT 1 FROM users UNION ALL SELECT 1 FROM units LIMIT 1").fetchone()
    if empty:
        with transaction(db):
            db.execute("UPDATE departments SET code = ?, name_th = ?, name_en = ?, kind = 'ministry', created_at = ?, "
                       "created_by = ? WHERE id = ?", [code, name_th, name_en, now(), admin, DEPARTMENT])
            audit.record(db, admin, "create", "department", DEPARTMENT, code=code, kind="ministry", name=name_th)
        root = DEPARTMENT
    else:
        root = add_department(db, code, name_th, name_en, admin, kind="ministry")
    db.act_for(root)
    try:
        accounts.create_user(db, admin, password, "ministry_admin", display_name or admin, actor=admin)
    finally:
        db.act_for(acting_before)
    return root


def add_account(db: Store, actor: User, username: str, password: str, role: str, display_name: str = "",
                email: str = "") -> User:
    """The ministry's admin adds one of the ministry's own accounts (a viewer of the roll-up, or another admin),
    with a temporary password to change at the first sign-in."""
    fresh, _ = of_ministry(db, actor)
    if fresh.role != "ministry_admin":
        raise AccessDenied(role=fresh.role)
    if role not in MINISTRY_ROLES:
        raise InputError("error_input")
    return accounts.create_user(db, username, password, role, display_name, None, fresh.username, email,
                                must_change_password=True)
