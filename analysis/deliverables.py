"""The figures of the year's documents, read from the store and scored by the scoring package: one
``YearFigures`` per year and score source, which the workbook (and the reports) lay out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from analysis.annex import AnnexEntry, evidence_annex
from analysis.department_record import record_scores
from analysis.item_ofis import ItemOfi, item_ofis
from analysis.ofi import ranked_gaps
from analysis.scores import CycleScores, categories_of, cycle_scores
from analysis.self_assessment import LiveScores
from scoring import AwardStatus, Framework, award_status, level_for
from scoring.ofi import unit_shares
from scoring.tables import checkpoint_table
from storage.assessment import assessments, years
from storage.engine import Store, marks
from storage.errors import InputError
from storage.organisation import identity, org
from storage.organisation.accounts import User
from storage.plans import ofis
from storage.record import department, images

UNIT_COLUMNS = ["code", "name", "status", "total", *range(1, 8)]
ITEM_COLUMNS = ["item", "category", "name", "self", "review", "department"]
ANSWER_COLUMNS = ["code", "checkpoint", "item", "level", "self", "review"]
KPI_COLUMNS = ["code", "kpi", "fiscal_year", "self", "review"]


@dataclass(frozen=True)
class YearFigures:
    """Everything the year's documents show, as plain frames (headers are column ids, not words)."""

    year: int
    source: str  # the units' values the department figures use: self, review or best
    built_at: datetime
    framework: Framework
    units_total: int
    units_counted: int
    total: float | None
    level: str | None
    categories: pd.Series  # the department's, over the counted units (empty when none counts)
    award: AwardStatus | None
    units: pd.DataFrame  # UNIT_COLUMNS, one row per active unit
    items: pd.DataFrame  # ITEM_COLUMNS
    answers: pd.DataFrame  # ANSWER_COLUMNS, every counted unit's answer per checkpoint
    kpis: pd.DataFrame  # KPI_COLUMNS
    gaps: pd.DataFrame  # analysis.ofi.GAP_COLUMNS without unit_ids
    record: LiveScores | None = None  # the department's assessment of record, once started
    record_status: str | None = None
    department: dict = field(default_factory=dict)  # its identity (storage.organisation.identity.get)


def year_figures(db: Store, reader: User, year: int, source: str = "best", lang: str = "th",
                 now: datetime | None = None) -> YearFigures:
    framework = years.framework_of(db, year)
    lang_name = "name_en" if lang == "en" else "name_th"
    table = assessments.status_table(db, reader, year)
    scores = cycle_scores(db, year, source)
    own = cycle_scores(db, year, "self")
    unit_rows = table[["unit_id", "code", lang_name, "status"]].rename(columns={lang_name: "name"})
    by_unit = categories_of(scores.grid, framework) if scores else pd.DataFrame(columns=["total"])
    units = unit_rows.merge(by_unit, left_on="unit_id", right_index=True, how="left")
    units = units.reindex(columns=["unit_id", *UNIT_COLUMNS]).set_index("unit_id")
    codes = dict(zip(table["unit_id"], table["code"], strict=True))

    record = record_scores(db, year)
    items = pd.DataFrame([(i.id, c.id, i.name.get(lang)) for c in framework.categories for i in c.items
                          if c.id in framework.rules.categories], columns=["item", "category", "name"])
    items["self"] = items["item"].map(own.result.items) if own else None
    items["review"] = items["item"].map(scores.result.items) if scores else None
    items["department"] = items["item"].map(record.items) if record is not None else None

    best = scores if source == "best" else cycle_scores(db, year, "best")
    answers = _answers(own, best, codes, framework)
    kpis = _kpis(db, year, codes)
    gaps = (ranked_gaps(scores.answers, scores.kpis, unit_shares(list(scores.grid.index)), framework, lang)
            .drop(columns="unit_ids") if scores else pd.DataFrame())
    result = scores.result if scores else None
    row = next(db.query("SELECT status FROM dept_records WHERE year = ?", [year]), None)
    return YearFigures(
        year=year, source=source, built_at=now or datetime.now(UTC), framework=framework,
        units_total=len(table), units_counted=result.units if result else 0,
        total=result.total if result else None,
        level=level_for(result.total, framework.thresholds.levels) if result else None,
        categories=result.categories if result else pd.Series(dtype=float),
        award=award_status(result.categories, result.total, framework.thresholds.awards) if result else None,
        units=units.reset_index(drop=True), items=items, answers=answers, kpis=kpis, gaps=gaps,
        record=record, record_status=row["status"] if row else None, department=identity.get(db))


def _answers(own: CycleScores | None, best: CycleScores | None, codes: dict, framework: Framework) -> pd.DataFrame:
    """Every counted unit's own and reviewed answer per checkpoint of the year's criteria, from the answers
    the self and best scores were computed from."""
    if own is None or best is None:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    merged = own.answers.merge(best.answers, on=["unit", "checkpoint"], how="outer", suffixes=("_self", "_review"))
    layout = checkpoint_table(framework)[["checkpoint", "item", "level", "order"]]
    merged = merged.merge(layout, on="checkpoint").assign(code=lambda f: f["unit"].map(codes))
    merged = merged.sort_values(["code", "item", "order"])
    return merged.rename(columns={"met_self": "self", "met_review": "review"})[ANSWER_COLUMNS].reset_index(drop=True)


def _kpis(db: Store, year: int, codes: dict) -> pd.DataFrame:
    own = assessments.kpi_results(db, year, "self")
    best = assessments.kpi_results(db, year, "best")
    merged = own.merge(best, on=["unit", "kpi", "fiscal_year"], how="outer", suffixes=("_self", "_review"))
    merged = merged.assign(code=merged["unit"].map(codes)).sort_values(["code", "kpi", "fiscal_year"])
    return merged.rename(columns={"value_self": "self", "value_review": "review"})[KPI_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class ApplicationFigures:
    """What the application report shows: the department's assessment of record and what goes with it."""

    year: int
    built_at: datetime
    framework: Framework
    record: department.Record
    scores: LiveScores
    award: AwardStatus
    profile: dict[str, str]  # part id -> the committee's answer
    evidence: pd.DataFrame  # the cited evidence: id, item, code, unit (its name), filename, url, confidential
    strengths: dict[str, list[str]]  # item -> the committee's strengths noted in the review
    ofis: dict[str, tuple[ItemOfi, ...]]  # item -> the OFI lines it shows (analysis.item_ofis)
    kpis: pd.DataFrame  # kpi, name, fiscal_year, value, target, floor, ceiling: the department's values (5 years)
    department: dict = field(default_factory=dict)  # its identity (storage.organisation.identity.get)
    annex: list[AnnexEntry] = field(default_factory=list)  # the cited evidence with its reference codes
    images: dict[int, bytes] = field(default_factory=dict)  # the year's images its formatted texts may cite


def application_figures(db: Store, reader: User, year: int, lang: str = "th",
                        now: datetime | None = None) -> ApplicationFigures:
    """The department's assessment of record with its profile, citations, strengths, OFIs and results;
    refused (``error_dept_not_started``) before the committee starts the assessment."""
    record = department.get(db, reader, year)
    if record is None:
        raise InputError("error_dept_not_started", year=year)
    framework = years.framework_of(db, year)
    scores = record_scores(db, year)
    cited = [i for ids in record.citations.values() for i in ids]
    name = "name_en" if lang == "en" else "name_th"
    evidence = pd.DataFrame(list(db.query(
        f"SELECT e.id, e.item, u.code, COALESCE(NULLIF(u.{name}, ''), u.name_th) AS unit, e.filename, e.url, "
        f"e.confidential FROM evidence e JOIN assessments a ON a.id = e.assessment_id JOIN units u ON "
        f"u.id = a.unit_id WHERE e.id IN ({marks(cited)}) ORDER BY e.item, u.code, e.id", cited)),
        columns=["id", "item", "code", "unit", "filename", "url", "confidential"])
    strengths: dict[str, list[str]] = {}
    for item, text in db.execute("SELECT c.item, c.text FROM item_comments c JOIN assessments a ON a.id = "
                                 "c.assessment_id WHERE a.year = ? AND c.kind = 'strength' ORDER BY c.item, c.id",
                                 [year]):
        if text not in strengths.setdefault(item, []):
            strengths[item].append(text)
    names = org.all_units(db).set_index("id")[name].to_dict()
    found = item_ofis(ofis.register(db, reader, year), record.ticks, framework, names, lang)
    kpis = pd.DataFrame([(k.id, k.name.get(lang), fy, record.kpi_values.get((k.id, fy)), k.target, k.floor,
                          k.ceiling) for _, k in framework.kpis()
                         for fy in range(year - department.RESULT_YEARS + 1, year + 1)],
                        columns=["kpi", "name", "fiscal_year", "value", "target", "floor", "ceiling"])
    return ApplicationFigures(
        year=year, built_at=now or datetime.now(UTC), framework=framework, record=record, scores=scores,
        award=award_status(scores.categories, scores.total, framework.thresholds.awards),
        profile={part: row["text"] for part, row in department.profile(db, reader, year).items()},
        evidence=evidence, strengths=strengths, ofis=found, kpis=kpis, department=identity.get(db),
        annex=evidence_annex(evidence, record.citations, [item.id for item in framework.items()]),
        images=images.for_year(db, year))
