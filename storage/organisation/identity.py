"""The department's identity: who sends the application. Its names in Thai and English (full and short), its
ministry, its head with the head's title, its address and its logo (PNG). The admin keeps it on the Administration
page; every document and the sidebar read it (``get``). One row, versioned like a form: a save names the
version the editor showed and is refused (``VersionConflict``) when someone saved in between; every change
is audited."""

from __future__ import annotations

from storage import audit
from storage.db import now, transaction
from storage.engine import Store
from storage.errors import InputError, VersionConflict
from storage.organisation.accounts import User, require_admin
from storage.text import clean

# field -> the longest text it takes; the names are required in Thai, the rest optional
LIMITS = {"name_th": 200, "name_en": 200, "short_th": 40, "short_en": 40, "ministry_th": 200, "ministry_en": 200,
          "head_name": 200, "head_title_th": 200, "head_title_en": 200, "address_th": 500, "address_en": 500}
FIELDS = tuple(LIMITS)
REQUIRED = ("name_th",)
ONE_LINE = tuple(field for field in FIELDS if not field.startswith("address"))
# a logo's type -> the bytes such a file starts with: PNG, which every document writer embeds as it is. SVG is not
# taken (a drawing can hold scripts and fetch addresses when a document is made)
LOGO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n"}
MAX_LOGO = 1024 * 1024


def get(db: Store) -> dict:
    """The identity as stored (every field, "" when not set), its logo (bytes or None), its type and version."""
    extra = ("logo", "logo_type", "version", "updated_by")
    row = db.execute(f"SELECT {', '.join((*FIELDS, *extra))} FROM department_identity WHERE id = 1").fetchone()
    values = dict(zip((*FIELDS, *extra), row, strict=True)) if row else {}
    return {**{field: values.get(field) or "" for field in FIELDS}, "logo": values.get("logo"),
            "logo_type": values.get("logo_type"), "version": values.get("version") or 0,
            "updated_by": values.get("updated_by")}


def text(details: dict, field: str, lang: str = "th") -> str:
    """A field of ``details`` (``get``) in ``lang``: ``name``, ``short``, ``ministry``, ``head_title`` or
    ``address``; the Thai one where the other is not set; a short name falls back to the name."""
    found = details.get(f"{field}_{lang}") or details.get(f"{field}_th") or ""
    return found or (text(details, "name", lang) if field == "short" else "")


def name(db: Store, lang: str = "th", short: bool = False) -> str:
    """The department's name in ``lang`` (see ``text``), "" when none is set."""
    return text(get(db), "short" if short else "name", lang)


def _checked(values: dict) -> dict:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown identity field(s): {', '.join(sorted(unknown))}")
    checked = {}
    for field, value in values.items():
        text = clean(str(value or ""))
        text = " ".join(text.split()) if field in ONE_LINE else text.strip()
        if len(text) > LIMITS[field]:
            raise InputError("error_text_length", limit=LIMITS[field])
        checked[field] = text
    return checked


def check_logo(data: bytes, filename: str = "logo") -> str:
    """The type of a logo (PNG, told by its first bytes, not by its name), at most ``MAX_LOGO`` bytes;
    ``InputError`` otherwise."""
    if len(data) > MAX_LOGO:
        raise InputError("error_file_size", name=filename, limit=MAX_LOGO // (1024 * 1024))
    for kind, signature in LOGO_TYPES.items():
        if data.startswith(signature):
            return kind
    raise InputError("error_logo_type")


def save(db: Store, actor: User, expected_version: int, values: dict, logo: tuple[str, bytes] | None = None,
         remove_logo: bool = False) -> int:
    """Save the fields given (only those the user changed) and a new logo ((file name, bytes)) or none;
    returns the new version. Nothing is written when nothing changed."""
    actor = require_admin(db, actor)
    checked = _checked(values)
    logo_type = check_logo(logo[1], logo[0]) if logo is not None else None
    logo = logo[1] if logo is not None else None
    with transaction(db):
        stored = get(db)
        if stored["version"] != expected_version:
            raise VersionConflict(stored["version"], stored["updated_by"])
        after = {**{field: stored[field] for field in FIELDS}, **checked}
        if any(not after[field] for field in REQUIRED):
            raise InputError("error_identity_name")
        changed = {field: [stored[field], after[field]] for field in FIELDS if stored[field] != after[field]}
        new_logo = (logo, logo_type) if logo is not None else (None, None) if remove_logo else (stored["logo"],
                                                                                            stored["logo_type"])
        logo_changed = new_logo[0] != stored["logo"]
        if not changed and not logo_changed:
            return stored["version"]
        version = stored["version"] + 1
        db["department_identity"].upsert({"department_id": db.department, "id": 1, **after, "logo": new_logo[0],
                                          "logo_type": new_logo[1], "version": version, "updated_at": now(),
                                          "updated_by": actor.username}, pk=("department_id", "id"))
        name_department(db, after["name_th"], after["name_en"])
        audit.record(db, actor.username, "update", "department_identity", 1, **changed,
                     **({"logo": "removed" if new_logo[0] is None else f"{len(new_logo[0]):,} bytes"}
                        if logo_changed else {}))
    return version


def name_department(db: Store, name_th: str, name_en: str | None) -> None:
    """Inside a write transaction: the acting department's name in the installation's list of departments, as
    its identity names it."""
    db.execute("UPDATE departments SET name_th = ?, name_en = ? WHERE id = ?", [name_th, name_en, db.department])
