"""The department's assessment of record, scored by the scoring package as one more "unit"."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.self_assessment import LiveScores, one_assessment
from storage.assessment import years
from storage.engine import Store
from storage.organisation.accounts import User
from storage.record import department


def record_scores(db: Store, year: int) -> LiveScores | None:
    """The record's item, category and total scores under the year's rules; None before it is started."""
    inputs = department.score_inputs(db, year)
    if inputs is None:
        return None
    return one_assessment(*inputs, years.framework_of(db, year), department.UNIT)


@dataclass(frozen=True)
class RecordSummary:
    """Where the year's record stands: a draft or approved (the figure sent to OPDC), its scores, who last saved
    it and who approved it."""

    status: str
    scores: LiveScores
    updated_at: str
    updated_by: str
    approved_at: str | None = None
    approved_by: str | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"


def record_summary(db: Store, reader: User, year: int) -> RecordSummary | None:
    """The year's record for the readers the store allows (committee, director, admin); None before it is
    started."""
    found = department.get(db, reader, year)
    if found is None:
        return None
    row = found.record
    return RecordSummary(row["status"], record_scores(db, year), row["updated_at"], row["updated_by"],
                         row["approved_at"], row["approved_by"])
