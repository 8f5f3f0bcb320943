"""Announcements from the PMQA owner: a short text with optional links and files, for everyone or for chosen
roles and units, shown on each addressee's home page until they mark it read. The owner sees who has read
each one, can withdraw one, and can also send it by e-mail (``storage.admin.mail``) to the addressees who have an
address. Files are checked as evidence files are and kept beside the database (``evidence/announcements/``),
so backups carry them."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from email.message import EmailMessage

from i18n.format import thailand_today
from storage import audit
from storage.admin import mail
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, InputError, StoreError
from storage.files import store as file_store
from storage.files.evidence import check_file, clean_filename, clean_text, is_link, read_stored
from storage.organisation.accounts import User, acting, require_admin
from storage.schema import ROLES
from storage.text import clean

MAX_TITLE = 200
MAX_BODY = 5000
MAX_LINKS = 10
MAX_FILES = 5
FOLDER = "announcements"
LOG = logging.getLogger("pmqa")


def _row(row: dict) -> dict:
    return row | {"links": json.loads(row["links"] or "[]"), "roles": json.loads(row["roles"] or "[]"),
                  "unit_ids": json.loads(row["unit_ids"] or "[]")}


def _checked_links(links) -> list[dict]:
    checked = []
    for link in links or []:
        url, title = str(link.get("url") or "").strip(), clean_text(str(link.get("title") or ""))
        if not is_link(url) or len(title) > MAX_TITLE:
            raise InputError("error_ann_link", url=url[:80])
        checked.append({"title": title or url, "url": url})
    if len(checked) > MAX_LINKS:
        raise InputError("error_ann_links", limit=MAX_LINKS)
    return checked


def publish(db: Store, actor: User, title: str, body: str, roles=(), unit_ids=(), links=(), files=(),
            expires_on: date | str | None = None) -> int:
    """A new announcement (admin only): ``roles`` empty means every role; ``unit_ids`` empty means every unit
    (it narrows only the unit assessors); ``files`` (name, bytes) pairs. Every part is checked first."""
    actor = require_admin(db, actor)
    title, body = clean_text(title or ""), clean(body or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise InputError("error_ann_title", limit=MAX_TITLE)
    if len(body) > MAX_BODY:
        raise InputError("error_text_length", limit=MAX_BODY)
    wanted = set(roles or ())
    if wanted - set(ROLES):
        raise InputError("error_ann_roles")
    roles = [r for r in ROLES if r in wanted]
    unit_ids = sorted({int(u) for u in unit_ids or ()})
    known = {r[0] for r in db.execute("SELECT id FROM units")}
    if set(unit_ids) - known:
        raise InputError("error_ann_units")
    if unit_ids and roles and "unit" not in roles:
        raise InputError("error_ann_units_role")
    links = _checked_links(links)
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise InputError("error_ann_files", limit=MAX_FILES)
    checked = [(clean_filename(name), data, check_file(name, data)) for name, data in files]
    if expires_on:
        try:
            expires_on = date.fromisoformat(str(expires_on)).isoformat()
        except ValueError:
            raise InputError("error_ann_expires") from None
        if expires_on < thailand_today().isoformat():
            raise InputError("error_ann_expires")
    stored = []
    for name, data, suffix in checked:
        digest = hashlib.sha256(data).hexdigest()
        file_store.put(db, f"{FOLDER}/{digest}{suffix}", data)
        stored.append((name, f"{FOLDER}/{digest}{suffix}", digest, len(data)))
    with transaction(db):
        announcement = db["announcements"].insert({
            "title": title, "body": body, "links": json.dumps(links, ensure_ascii=False), "roles": json.dumps(roles),
            "unit_ids": json.dumps(unit_ids), "expires_on": expires_on or None, "created_by": actor.username,
            "created_at": now(), "withdrawn_at": None, "emailed_at": None, "emailed_count": 0}).last_pk
        for name, path, digest, size in stored:
            db["announcement_files"].insert({"announcement_id": announcement, "filename": name, "path": path,
                                             "sha256": digest, "size": size})
        audit.record(db, actor.username, "publish", "announcement", announcement, title=title, roles=roles,
                     unit_ids=unit_ids, links=len(links), files=[s[0] for s in stored], expires_on=expires_on)
    return announcement


def _addressed(row: dict, role: str, unit_id: int | None) -> bool:
    if row["roles"] and role not in row["roles"]:
        return False
    return not (role == "unit" and row["unit_ids"] and unit_id not in row["unit_ids"])


def _files(db: Store, announcement_ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {i: [] for i in announcement_ids}
    if announcement_ids:
        for row in db.query(f"SELECT id, announcement_id, filename, size FROM announcement_files WHERE announcement_id "
                            f"IN ({marks(announcement_ids)}) ORDER BY id", announcement_ids):
            found[row["announcement_id"]].append(row)
    return found


def inbox(db: Store, actor: User, today: date | None = None) -> list[dict]:
    """The announcements addressed to ``actor`` that are live (not withdrawn, not expired) and that they have
    not marked read, newest first, each with its ``files``."""
    actor = acting(db, actor)
    today = (today or thailand_today()).isoformat()
    rows = [_row(r) for r in db.query(
        "SELECT a.* FROM announcements a WHERE a.withdrawn_at IS NULL AND (a.expires_on IS NULL OR a.expires_on >= ?)"
        " AND NOT EXISTS (SELECT 1 FROM announcement_reads r WHERE r.announcement_id = a.id AND r.user_id = ?)"
        " ORDER BY a.created_at DESC, a.id DESC", [today, actor.id])]
    mine = [r for r in rows if _addressed(r, actor.role, actor.unit_id)]
    files = _files(db, [r["id"] for r in mine])
    return [r | {"files": files[r["id"]]} for r in mine]


def mark_read(db: Store, actor: User, announcement_id: int) -> None:
    """Record that ``actor`` has read it (once; later calls change nothing)."""
    actor = acting(db, actor)
    rows = list(db.query("SELECT * FROM announcements WHERE id = ?", [announcement_id]))
    if not rows or not _addressed(_row(rows[0]), actor.role, actor.unit_id):
        raise InputError("error_ann_unknown")
    with transaction(db):
        db.execute("INSERT INTO announcement_reads (announcement_id, user_id, read_at) VALUES (?, ?, ?) "
                   "ON CONFLICT DO NOTHING", [announcement_id, actor.id, now()])


def _people(db: Store) -> list[dict]:
    """Every active account (id, username, display_name, role, unit_id, email)."""
    return [{"id": r["id"], "username": r["username"], "display_name": r["display_name"] or r["username"],
             "role": r["role"], "unit_id": r["unit_id"], "email": r["email"] or ""}
            for r in db.query("SELECT id, username, display_name, role, unit_id, email FROM users "
                              "WHERE COALESCE(active, 1) = 1 ORDER BY role, username")]


def audience(db: Store, announcement: dict, people: list[dict] | None = None) -> list[dict]:
    """The active accounts an announcement addresses (``people``: the accounts, when already read)."""
    return [p for p in (_people(db) if people is None else people)
            if _addressed(announcement, p["role"], p["unit_id"])]


def listing(db: Store, actor: User) -> list[dict]:
    """Every announcement for the owner, newest first, with its ``readers`` (each addressee, when they read it and
    when it was e-mailed to them, None if not yet) and how many it addresses and how many have read it. The accounts,
    the reads and the deliveries are read once for the whole list."""
    require_admin(db, actor)
    rows = [_row(r) for r in db.query("SELECT * FROM announcements ORDER BY created_at DESC, id DESC")]
    files = _files(db, [r["id"] for r in rows])
    people = _people(db)
    reads: dict[int, dict[int, str]] = {}
    for announcement_id, user_id, read_at in db.execute(
            "SELECT announcement_id, user_id, read_at FROM announcement_reads"):
        reads.setdefault(announcement_id, {})[user_id] = read_at
    mailed: dict[int, dict[int, str]] = {}
    for announcement_id, user_id, sent_at in db.execute(
            "SELECT announcement_id, user_id, sent_at FROM announcement_deliveries"):
        mailed.setdefault(announcement_id, {})[user_id] = sent_at
    out = []
    for row in rows:
        addressed = [p | {"read_at": reads.get(row["id"], {}).get(p["id"]),
                          "emailed_at": mailed.get(row["id"], {}).get(p["id"])} for p in audience(db, row, people)]
        out.append(row | {"files": files[row["id"]], "readers": addressed, "addressed": len(addressed),
                          "read": sum(1 for p in addressed if p["read_at"])})
    return out


def readers(db: Store, actor: User, announcement_id: int) -> list[dict]:
    """Who an announcement addresses and when each read it (None: not yet), for the owner."""
    require_admin(db, actor)
    row = _one(db, announcement_id)
    read = dict(db.execute("SELECT user_id, read_at FROM announcement_reads WHERE announcement_id = ?",
                           [announcement_id]).fetchall())
    return [u | {"read_at": read.get(u["id"])} for u in audience(db, row)]


def _one(db: Store, announcement_id: int) -> dict:
    rows = list(db.query("SELECT * FROM announcements WHERE id = ?", [announcement_id]))
    if not rows:
        raise InputError("error_ann_unknown")
    return _row(rows[0])


def withdraw(db: Store, actor: User, announcement_id: int) -> None:
    """Take an announcement off every home page (it stays in the owner's list, marked withdrawn)."""
    actor = require_admin(db, actor)
    with transaction(db):
        row = _one(db, announcement_id)
        if row["withdrawn_at"]:
            return
        db.execute("UPDATE announcements SET withdrawn_at = ? WHERE id = ?", [now(), announcement_id])
        audit.record(db, actor.username, "withdraw", "announcement", announcement_id, title=row["title"])


def read_file(db: Store, actor: User, file_id: int) -> tuple[str, bytes]:
    """A file of an announcement, for the owner or an addressee; a clear refusal when its file is missing."""
    actor = acting(db, actor)
    rows = list(db.query("SELECT f.filename, f.path, a.roles, a.unit_ids FROM announcement_files f "
                         "JOIN announcements a ON a.id = f.announcement_id WHERE f.id = ?", [file_id]))
    if not rows:
        raise InputError("error_ann_unknown")
    row = rows[0]
    addressed = {"roles": json.loads(row["roles"] or "[]"), "unit_ids": json.loads(row["unit_ids"] or "[]")}
    if actor.role != "admin" and not _addressed(addressed, actor.role, actor.unit_id):
        raise AccessDenied(role=actor.role)
    label = f"announcement file {file_id}"
    return row["filename"], read_stored(db, row["path"], row["filename"], label)


def waiting(db: Store, actor: User, announcement_id: int) -> list[dict]:
    """The addressees with an e-mail address who have not had the announcement by e-mail yet (``audience``'s
    accounts); refused when there are none: ``error_ann_no_addresses`` (nobody it addresses has an address) or
    ``error_ann_all_emailed`` (all who have one have had it), and ``error_ann_withdrawn``."""
    require_admin(db, actor)
    return _waiting(db, _one(db, announcement_id))


def _waiting(db: Store, row: dict) -> list[dict]:
    """``waiting`` for the announcement ``row`` already read."""
    if row["withdrawn_at"]:
        raise InputError("error_ann_withdrawn")
    addressed = [person for person in audience(db, row) if person["email"]]
    if not addressed:
        raise InputError("error_ann_no_addresses")
    delivered = {r[0] for r in db.execute("SELECT user_id FROM announcement_deliveries WHERE announcement_id = ?",
                                          [row["id"]])}
    left = [person for person in addressed if person["id"] not in delivered]
    if not left:
        raise InputError("error_ann_all_emailed")
    return left


def email(db: Store, actor: User, announcement_id: int, settings: mail.SmtpSettings, subject_prefix: str,
          footer: str) -> int:
    """Send the announcement to every addressee with an e-mail address who has not had it yet (one message each);
    how many were sent. Each message the server accepts is recorded at once (``announcement_deliveries``), so a
    send that stops part of the way (the server failing, the worker dying) and is sent again reaches only those
    still without it: nobody gets it twice. Audited with the count. Refused, changing nothing, as ``waiting`` refuses
    (nobody to send to) or when no address left is usable; a server that cannot be reached is
    ``StoreError("error_mail")``, or ``error_mail_partial`` (how many had been sent, to how many) when it failed after
    some."""
    actor = require_admin(db, actor)
    row = _one(db, announcement_id)
    body = "\n\n".join(part for part in (row["body"], "\n".join(f"{link['title']}: {link['url']}"
                                                                for link in row["links"]), footer) if part)
    messages: dict[int, EmailMessage] = {}  # the message to each addressee's account
    unusable = []  # an address stored before addresses were checked as one recipient (``a,b@x.org``)
    for person in _waiting(db, row):
        try:
            messages[person["id"]] = mail.message(settings, person["email"], f"{subject_prefix}{row['title']}", body)
        except InputError:
            LOG.warning("announcement %s not e-mailed to %s: %r is not one e-mail address", announcement_id,
                        person["username"], person["email"])
            unusable.append(person["username"])
    if not messages:
        raise InputError("error_ann_no_addresses")
    accounts = {id(message): user_id for user_id, message in messages.items()}
    sent: list[int] = []

    def delivered_to(message: EmailMessage) -> None:  # its own transaction: kept whatever happens to the next one
        user_id = accounts[id(message)]
        with transaction(db):
            db.execute("INSERT INTO announcement_deliveries (announcement_id, user_id, address, sent_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",  # a send in the other language, at the same time
                       [announcement_id, user_id, ",".join(mail.recipients(message)), now()])
        sent.append(user_id)

    failed = None
    try:
        mail.send(settings, messages.values(), on_sent=delivered_to)
    except StoreError as exc:
        failed = exc
    if sent:
        with transaction(db):
            db.execute("UPDATE announcements SET emailed_at = ?, emailed_count = (SELECT COUNT(*) FROM "
                       "announcement_deliveries WHERE announcement_id = ?) WHERE id = ?",
                       [now(), announcement_id, announcement_id])
            audit.record(db, actor.username, "email", "announcement", announcement_id, sent=len(sent),
                         addressed=len(messages), **({"unusable_addresses": unusable} if unusable else {}),
                         **({"failed": failed.params.get("detail")} if failed else {}))
    if failed is not None:
        if sent:
            raise StoreError("error_mail_partial", sent=len(sent), n=len(messages),
                             detail=failed.params.get("detail")) from failed
        raise failed
    return len(sent)
