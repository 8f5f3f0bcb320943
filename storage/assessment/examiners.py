"""The committee as the award's examiners: each member scores each item of the department's application on
their own, submits, and only then reads the others'; the committee agrees a score per item with its reason.

A member's score of an item is a percentage (steps of 5, in the criteria's bands) with the rationale, strengths
and OFIs an examiner writes. Until a member submits, the store gives them their own scores only; the PMQA owner
and the director, who do not score, read every submitted score. Only submitted scores are ever read by anyone
else. The agreed score of an item is written by a member who has submitted. Every change is checked against
the year's criteria and audited; nothing changes in a closed year.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from scoring import Framework
from scoring.examiner import PercentError, checked_percent, item_weights
from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store
from storage.errors import AccessDenied, FieldConflict, InputError, NotEditable
from storage.organisation.accounts import User, acting
from storage.plans import ofis
from storage.text import clean

SCORERS = ("committee",)
READERS = ("committee", "admin", "director")  # the PMQA owner and the director read what was submitted
TEXTS = ("rationale", "strengths", "ofis")
MAX_TEXT = 4000
MAX_REASON = 2000


def scored_items(framework: Framework) -> list[str]:
    """The items an examiner scores: every item of the assessed categories, with a weight on the award's scale."""
    if not framework.award_scoring.bands:
        return []
    return list(item_weights(framework))


def _scorer(db: Store, actor: User, year: int) -> User:
    return years.writer_in_open_year(db, actor, SCORERS, year)


def is_submitted(db: Store, user_id: int, year: int) -> bool:
    return db.execute("SELECT 1 FROM exam_submissions WHERE year = ? AND user_id = ?",
                      [year, user_id]).fetchone() is not None


def _item(framework: Framework, item: str) -> str:
    if item not in scored_items(framework):
        raise InputError("error_unknown_item", item=item)
    return item


def _percent(framework: Framework, percent) -> int | None:
    if percent is None:
        return None
    try:
        return checked_percent(framework, percent)
    except PercentError:
        raise InputError("error_exam_percent") from None


def _text(value: str, limit: int = MAX_TEXT) -> str:
    value = clean(value or "").strip()
    if len(value) > limit:
        raise InputError("error_text_length", limit=limit)
    return value


def own(db: Store, actor: User, year: int) -> dict[str, dict]:
    """The actor's own scores of the year: item -> {percent, rationale, strengths, ofis, updated_at}."""
    actor = acting(db, actor)
    rows = db.query("SELECT item, percent, rationale, strengths, ofis, updated_at FROM exam_scores WHERE year = ? "
                    "AND user_id = ?", [year, actor.id])
    return {row.pop("item"): row for row in rows}


def own_version(db: Store, actor: User, year: int) -> int:
    """How many times the actor has changed their scores of the year: it rises with every save (the audit log is
    append-only), so an editor can tell whether the same member saved in another window since it read them."""
    return db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'exam_score' AND entity = 'cycle' AND "
                      "entity_id = ? AND username = ?", [str(year), acting(db, actor).username]).fetchone()[0]


def save(db: Store, actor: User, year: int, item: str, before: dict | None = None, **changes) -> int:
    """Change the actor's score of an item: ``percent`` (steps of 5, or None), ``rationale``, ``strengths``,
    ``ofis``; a field not given is kept. ``before``: what the editor showed of the fields given (refused with
    ``FieldConflict`` when the stored value is no longer that: the same member in two windows). Refused once the
    actor submitted. Returns the actor's new version (``own_version``)."""
    framework = years.framework_of(db, year)
    _item(framework, item)
    unknown = set(changes) - {"percent", *TEXTS}
    if unknown:
        raise InputError("error_input")
    checked = {name: _percent(framework, value) if name == "percent" else _text(value)
               for name, value in changes.items()}
    with transaction(db):
        actor = _scorer(db, actor, year)
        if is_submitted(db, actor.id, year):
            raise NotEditable(status="submitted")
        row = db.execute("SELECT percent, rationale, strengths, ofis FROM exam_scores WHERE year = ? AND user_id = ? "
                         "AND item = ?", [year, actor.id, item]).fetchone()
        stored = dict(zip(("percent", *TEXTS), row or (None, "", "", ""), strict=True))
        for name, value in checked.items():
            if before is None or name not in before:
                continue
            shown, current = before[name], stored[name]
            if name in TEXTS:
                shown, current = clean(shown or "").strip(), clean(current or "").strip()
            if current not in (shown, value):
                raise FieldConflict(f"{item}/{name}", actor.username, current)
        merged = {**stored, **checked}
        db.execute("INSERT INTO exam_scores (year, user_id, item, percent, rationale, strengths, ofis, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (department_id, year, user_id, item) "
                   "DO UPDATE SET percent = excluded.percent, rationale = excluded.rationale, "
                   "strengths = excluded.strengths, ofis = excluded.ofis, updated_at = excluded.updated_at",
                   [year, actor.id, item, merged["percent"], merged["rationale"] or "", merged["strengths"] or "",
                    merged["ofis"] or "", now()])
        audit.record(db, actor.username, "exam_score", "cycle", year, item=item,
                     **{name: value if name == "percent" else len(value) for name, value in checked.items()})
        return own_version(db, actor, year)


def submit(db: Store, actor: User, year: int) -> None:
    """The actor's scores, final: every item scored. From then on the actor reads the others' submitted scores
    and may take part in agreeing; their own no longer change."""
    framework = years.framework_of(db, year)
    items = scored_items(framework)
    with transaction(db):
        actor = _scorer(db, actor, year)
        if is_submitted(db, actor.id, year):
            raise NotEditable(status="submitted")
        scored = {r[0] for r in db.execute("SELECT item FROM exam_scores WHERE year = ? AND user_id = ? AND percent "
                                           "IS NOT NULL", [year, actor.id])}
        missing = [item for item in items if item not in scored]
        if missing:
            raise InputError("error_exam_unscored", n=len(missing), items=", ".join(missing[:8]))
        db["exam_submissions"].insert({"year": year, "user_id": actor.id, "submitted_at": now()})
        audit.record(db, actor.username, "exam_submit", "cycle", year, items=len(items))


def _reader(db: Store, actor: User, year: int) -> User:
    """A reader of the others' scores: the PMQA owner or the director, or a member who has submitted."""
    actor = acting(db, actor)
    if actor.role not in READERS:
        raise AccessDenied(role=actor.role)
    if actor.role in SCORERS and not is_submitted(db, actor.id, year):
        raise AccessDenied("error_exam_not_submitted")
    return actor


def submitted_scores(db: Store, actor: User, year: int) -> pd.DataFrame:
    """Every submitted member's scores (never a score not yet submitted): scorer (username), name, item, percent,
    rationale, strengths, ofis; refused (``AccessDenied``) to a member who has not submitted."""
    _reader(db, actor, year)
    rows = db.execute("SELECT u.username, COALESCE(NULLIF(u.display_name, ''), u.username), s.item, s.percent, "
                      "s.rationale, s.strengths, s.ofis FROM exam_scores s JOIN exam_submissions x ON x.year = "
                      "s.year AND x.user_id = s.user_id JOIN users u ON u.id = s.user_id WHERE s.year = ? "
                      "ORDER BY u.username, s.item", [year]).fetchall()
    return pd.DataFrame(rows, columns=["scorer", "name", "item", "percent", "rationale", "strengths", "ofis"])


def progress(db: Store, year: int) -> pd.DataFrame:
    """Who scores and how far each is, without any score: username, name, scored (items), submitted_at."""
    rows = db.execute("SELECT u.username, COALESCE(NULLIF(u.display_name, ''), u.username), (SELECT COUNT(*) FROM "
                      "exam_scores s WHERE s.year = ? AND s.user_id = u.id AND s.percent IS NOT NULL), x.submitted_at "
                      "FROM users u LEFT JOIN exam_submissions x ON x.year = ? AND x.user_id = u.id WHERE u.role = "
                      "'committee' AND u.active = 1 ORDER BY u.username", [year, year]).fetchall()
    return pd.DataFrame(rows, columns=["scorer", "name", "scored", "submitted_at"])


def agreed(db: Store, actor: User, year: int) -> dict[str, dict]:
    """The committee's agreed scores: item -> {percent, reason, strengths, ofis, agreed_by, agreed_at}."""
    _reader(db, actor, year)
    rows = db.query("SELECT item, percent, reason, strengths, ofis, agreed_by, agreed_at FROM exam_consensus WHERE "
                    "year = ?", [year])
    return {row.pop("item"): row for row in rows}


def agree(db: Store, actor: User, year: int, item: str, percent, reason: str, strengths: str = "",
          ofis: str = "", before: int | None = None) -> None:
    """The committee's agreed score of an item with its reason (required), and the strengths and OFIs it agrees;
    by a member who has submitted. ``before``: the agreed percentage the editor showed (None: none yet);
    refused (``FieldConflict``) when another member agreed a different one meanwhile."""
    framework = years.framework_of(db, year)
    _item(framework, item)
    percent = _percent(framework, percent)
    if percent is None:
        raise InputError("error_exam_percent")
    reason = _text(reason, MAX_REASON)
    if not reason:
        raise InputError("error_exam_reason")
    strengths, ofis = _text(strengths), _text(ofis)
    with transaction(db):
        actor = _scorer(db, actor, year)
        _reader(db, actor, year)
        row = db.execute("SELECT percent, agreed_by FROM exam_consensus WHERE year = ? AND item = ?",
                         [year, item]).fetchone()
        if row and row[0] not in (before, percent):
            raise FieldConflict(item, row[1], row[0])
        db.execute("INSERT INTO exam_consensus (year, item, percent, reason, strengths, ofis, agreed_by, agreed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (department_id, year, item) "
                   "DO UPDATE SET percent = excluded.percent, reason = excluded.reason, "
                   "strengths = excluded.strengths, ofis = excluded.ofis, agreed_by = excluded.agreed_by, "
                   "agreed_at = excluded.agreed_at",
                   [year, item, percent, reason, strengths, ofis, actor.username, now()])
        audit.record(db, actor.username, "exam_agree", "cycle", year, item=item, percent=percent, chars=len(reason))


def lines_of(texts) -> tuple[str, ...]:
    """The distinct non-empty lines of ``texts`` (strengths or OFIs, one per line), a list's marks taken off.

    >>> lines_of(["- ยังไม่ทบทวน\\n• ไม่มีตัวชี้วัด", "ยังไม่ทบทวน", None])
    ('ยังไม่ทบทวน', 'ไม่มีตัวชี้วัด')
    """
    return tuple(dict.fromkeys(line for text in texts for raw in (text or "").splitlines()
                               if (line := raw.strip(" -•\t"))))


def to_register(db: Store, actor: User, year: int, item: str, today: date | None = None) -> list[int]:
    """The OFIs the committee agreed for an item, one per line, into the year's OFI register (source
    "examiner", the department's: every active unit, owned by the actor, due at the fiscal year's end or in 90
    days when that has passed), so that they feed the improvement plans; a line already in the register for the
    item from the rehearsal is not added again. The new OFIs' ids."""
    row = agreed(db, actor, year).get(item)
    if row is None or not row["ofis"]:
        raise InputError("error_exam_no_ofis", item=item)
    today = today or date.today()
    due = date(year - 543, 9, 30)
    due = due if due >= today else today + timedelta(days=90)
    units = [r[0] for r in db.execute("SELECT id FROM units WHERE active = 1 ORDER BY id")]
    present = {r[0] for r in db.execute("SELECT description FROM ofis WHERE year = ? AND item = ? AND source = "
                                        "'examiner'", [year, item])}
    return [ofis.create(db, actor, year, item, line, "high", acting(db, actor).username, due, units, "examiner",
                        today=today) for line in lines_of([row["ofis"]]) if line not in present]
