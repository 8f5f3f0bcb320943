"""How an OFI's description reads in each language.

An OFI made from a gap keeps the gap's reference (``ofis.gap_kind``: checkpoint or kpi; ``ofis.gap_ref``: its
id). Its description is generated from the year's criteria (the missing checkpoint's text, or the KPI's name)
and stored in the department's language; while nobody edits it (``ofis.generated``), a reader sees it
generated anew in the reader's language. A description a person typed or edited reads as typed.
``description(row, lang)`` is the one way screens and documents read an OFI's description.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from i18n import LANGUAGES, translate
from storage.assessment import years
from storage.engine import Store
from storage.errors import InputError

MAX_TEXT = 2000  # the longest description (and progress note) of an OFI, in characters
STORED_LANGUAGE = "th"  # a generated description is stored in the department's language, the fallback
# the description as a reader in each language sees it, as rows of the register carry it
DESCRIPTIONS = [f"description_{lang}" for lang in LANGUAGES]


def description(row: Mapping, lang: str) -> str:
    """An OFI's description as a reader in ``lang`` sees it: for an OFI made from a gap whose generated
    description nobody edited, that description in ``lang``; otherwise the text as stored (as typed).
    ``row``: a row of ``register`` (a dict or a pandas row), ``get`` or ``for_unit``."""
    return row.get(f"description_{lang}") or row["description"]


def gap_key(gap: Mapping) -> tuple[str, str]:
    """A gap's (kind, ref), as an OFI keeps them: kind "kpi" or "checkpoint"."""
    return ("kpi" if gap.get("kind") == "kpi" else "checkpoint", str(gap.get("ref")))


def _gap_subjects(db: Store, year: int, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """For each gap (kind, ref): per language, the checkpoint's text or the KPI's name in the year's criteria; a
    unit's own KPI has the one name the unit gave it (this year's first). A ref found nowhere is left out."""
    framework = years.framework_of(db, year)
    texts = {cp.id: cp.text for _, _, cp in framework.checkpoints()}
    names = {kpi.id: kpi.name for _, kpi in framework.kpis()}
    found = {}
    for kind, ref in set(keys):
        label = texts.get(ref) if kind == "checkpoint" else names.get(ref)
        if label is not None:
            found[(kind, ref)] = {lang: label.get(lang) for lang in LANGUAGES}
        elif kind == "kpi" and (row := db.execute(
                "SELECT uk.name FROM unit_kpis uk JOIN assessments a ON a.id = uk.assessment_id WHERE uk.kpi = ? "
                "ORDER BY a.year = ? DESC, a.year DESC LIMIT 1", [ref, year]).fetchone()):
            found[(kind, ref)] = dict.fromkeys(LANGUAGES, row[0])
    return found


def _gap_text(kind: str, ref: str, subject: str, lang: str) -> str:
    if kind == "kpi":
        return translate("ofi_gap_kpi_text", lang, ref=ref, name=subject)[:MAX_TEXT]
    return translate("ofi_gap_checkpoint_text", lang, ref=ref, text=subject)[:MAX_TEXT]


def gap_description(db: Store, year: int, gap: Mapping, lang: str = STORED_LANGUAGE) -> str:
    """The description of an OFI that closes a gap, in ``lang``: the missing checkpoint's text, or the KPI's
    name (a unit's own KPI is looked up in the store). ``InputError`` for a checkpoint or KPI unknown."""
    kind, ref = gap_key(gap)
    subject = _gap_subjects(db, year, [(kind, ref)]).get((kind, ref))
    if subject is None:
        raise InputError("error_unknown_kpi", kpi=ref) if kind == "kpi" else \
            InputError("error_unknown_checkpoint", ids=ref)
    return _gap_text(kind, ref, subject[lang], lang)


def described(db: Store, rows: list[dict]) -> list[dict]:
    """The rows (of ``ofis``, with year, description, gap_kind, gap_ref, generated), each with ``description_th``
    and ``description_en``: the generated description in that language while nobody edited it (and its checkpoint
    or KPI is still known), else the stored text."""
    wanted: dict[int, set] = {}
    for row in rows:
        if row.get("generated") and row.get("gap_ref"):
            wanted.setdefault(row["year"], set()).add((row["gap_kind"], row["gap_ref"]))
    subjects = {year: _gap_subjects(db, year, keys) for year, keys in wanted.items()}
    for row in rows:
        subject = subjects.get(row["year"], {}).get((row.get("gap_kind"), row.get("gap_ref")))
        for lang in LANGUAGES:
            row[f"description_{lang}"] = _gap_text(row["gap_kind"], row["gap_ref"], subject[lang], lang) \
                if subject and row.get("generated") else row["description"]
    return rows
