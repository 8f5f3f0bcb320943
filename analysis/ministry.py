"""The ministry roll-up: each department's figures for a year, read from its own store, and the pure functions
that set departments side by side.

``department_year`` reads one department's year from its store through the overview's own functions
(``analysis.overview.headline``): the score per category and the total as the overview shows them by default
(``analysis.summary.DEFAULT_SOURCE`` and ``DEFAULT_METHOD``), readiness for each award tier of that year's
thresholds, the progress of the year, and what identifies the year's criteria. A ``DepartmentYear`` holds
plain values in both languages, so the roll-up switches language without reading again.

The other functions take a list of ``DepartmentYear`` and no store:

- ``comparability``: which cells can be set side by side. Departments may use different criteria in a year.
  A category is compared across the departments that assess it with the same maximum (the maximum most
  of them use); the total only across departments assessing the same categories with the same maxima (the
  set most of them use, among those whose every category is compared). Everything else is left out, with the
  reason: no scores yet, the category not assessed, another maximum, other categories.
- ``heatmap``: departments x compared categories (and the total) as a share of the maximum, so categories
  of different maxima compare.
- ``readiness``: per award tier, how many departments reach it, and which; each department against its own
  year's thresholds (readiness is not an award: OPDC decides).
- ``progress``: per department, units submitted and reviewed, the department assessment approved or not, the
  application built (a build of the application edition done in the documents' queue).
- ``trends``: per department, year and category (and the total), the score and its share of the maximum.

Every result is the same whatever the order of the departments given: rows are sorted by department key, in
natural order (``in_order``: department 2 before department 10).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.overview import ScoresOf, headline
from analysis.summary import DEFAULT_METHOD, DEFAULT_SOURCE
from scoring import Framework
from scoring.criteria import Text
from scoring.rules import MAX_SCORE
from storage.admin import jobs
from storage.assessment import assessments, years
from storage.engine import Store
from storage.organisation import identity, org
from storage.organisation.accounts import User
from storage.record import department

TOTAL = "total"  # the column of the total, after the categories
# Why a cell (or a whole department) is left out of the comparison; each is a catalogue key "mn_reason_<reason>"
NO_SCORES = "no_scores"  # no counted unit yet (or, for the department source, no department assessment)
NOT_ASSESSED = "not_assessed"  # the department's year does not assess this category
OTHER_MAXIMUM = "other_maximum"  # the category's maximum differs from the one compared
OTHER_CATEGORIES = "other_categories"  # the total: the department assesses other categories or maxima
REASONS = (NO_SCORES, NOT_ASSESSED, OTHER_MAXIMUM, OTHER_CATEGORIES)
LEFT_OUT_COLUMNS = ["department", "category", "reason", "maximum", "compared_maximum"]
TIER_COLUMNS = ["department", "tier", "position", "name_th", "name_en", "total", "category_min", "met",
                "total_missing", "categories_below"]
READINESS_COLUMNS = ["tier", "name", "total", "category_min", "thresholds_differ", "ready", "not_ready",
                     "no_scores", "without_tier", "ready_departments", "not_ready_departments"]
PROGRESS_COLUMNS = ["units_total", "submitted", "reviewed", "approved", "returned", "record_status",
                    "record_approved", "application_built", "submitted_share", "reviewed_share"]
TREND_COLUMNS = ["department", "year", "category", "score", "maximum", "share"]
CRITERIA_COLUMNS = ["framework_id", "sha", "stored", "name", "categories", "departments"]


# -- one department's year, read from its store ----------------------------------------------------------

@dataclass(frozen=True)
class CategoryInfo:
    """A category as the year's criteria have it: its number, its name, the items in it and its maximum score."""

    id: int
    name: Text
    items: tuple[str, ...]
    maximum: float


@dataclass(frozen=True)
class Criteria:
    """What identifies a year's criteria: the framework's id and name, the checksum of the criteria file (the
    one stored for the year, else the one on disk the year follows: ``stored`` says which), and the categories
    the year assesses."""

    framework_id: str
    name: Text
    sha: str
    stored: bool
    categories: tuple[CategoryInfo, ...]

    @property
    def signature(self) -> tuple[tuple[int, float], ...]:
        """The categories assessed with their maxima: two years with the same signature compare in full."""
        return tuple((c.id, c.maximum) for c in self.categories)


@dataclass(frozen=True)
class TierReadiness:
    """Readiness for one award tier of the year's thresholds; ``met`` is None when there are no scores."""

    id: str
    name: Text
    total: float  # the tier's total threshold
    category_min: float  # every category's floor
    met: bool | None
    total_missing: float | None
    categories_below: tuple[int, ...]  # the categories under the tier's floor


@dataclass(frozen=True)
class Progress:
    """Where the year stands: the active units, how many submitted (submitted or approved, as the overview
    counts), were reviewed (approved, or holding a value the committee set), approved or returned; the
    department's assessment of record (None before it is started, else its status); and whether the application
    was built (the documents' queue has a done build of the edition sent to OPDC; None where not known)."""

    units_total: int
    submitted: int
    reviewed: int
    approved: int
    returned: int
    record_status: str | None
    application_built: bool | None = None

    @property
    def record_approved(self) -> bool:
        return self.record_status == "approved"


@dataclass(frozen=True)
class DepartmentYear:
    """One department's figures for one year, as the roll-up needs them (no store, both languages)."""

    key: str  # the department as the ministry knows it: unique in a roll-up
    name: Text
    short: Text
    year: int
    source: str
    method: str
    criteria: Criteria
    scores: tuple[tuple[int, float], ...]  # (category, score) of the categories assessed; empty without scores
    total: float | None
    level: str | None
    units_counted: int
    tiers: tuple[TierReadiness, ...]
    progress: Progress

    @property
    def scored(self) -> bool:
        return self.total is not None

    @property
    def categories(self) -> dict[int, float]:
        return dict(self.scores)

    def label(self, lang: str = "th") -> str:
        return self.short.get(lang)


def criteria_of(db: Store, year: int, framework: Framework) -> Criteria:
    """The year's criteria as ``Criteria``: the stored file's checksum, else that of the file on disk, computed
    as the store computes an accepted file's (the SHA-256 of its text)."""
    cycle = years.cycle(db, year)
    sha = cycle["criteria_sha"] if cycle else None
    stored = sha is not None
    if not stored:
        text = years.disk_file(year).read_text(encoding="utf-8-sig")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    categories = tuple(CategoryInfo(c.id, c.name, tuple(i.id for i in c.items), MAX_SCORE)
                       for c in framework.assessed())
    return Criteria(framework.id, framework.name, sha, stored, categories)


def _names(details: dict, key: str) -> tuple[Text, Text]:
    """The department's name and short name in Thai and English from its identity, the key where none is set."""
    def text(field: str) -> Text:
        th = identity.text(details, field, "th") or key
        return Text(th=th, en=identity.text(details, field, "en") or th)

    return text("name"), text("short")


def department_year(db: Store, reader: User, year: int, key: str | None = None, source: str = DEFAULT_SOURCE,
                    method: str = DEFAULT_METHOD, scores_of: ScoresOf | None = None) -> DepartmentYear:
    """One department's ``year`` from its store, read as ``reader`` (who must be allowed to read the overview and
    the department's assessment of record: committee, director or admin). ``key``: the department as the
    ministry knows it (by default its short Thai name). ``source``, ``method`` and ``scores_of`` as for
    ``analysis.overview.headline``."""
    head = headline(db, reader, year, source, method, scores_of)
    details = identity.get(db)
    key = key or identity.text(details, "short", "th") or "department"
    name, short = _names(details, key)
    table = assessments.status_table(db, reader, year)
    reviewed = set(assessments.units_with_assessment(db, year, None, "review"))
    record = department.get(db, reader, year)
    progress = Progress(
        units_total=len(table), submitted=head.submitted, reviewed=int(table["unit_id"].isin(reviewed).sum()),
        approved=int(table["status"].eq("approved").sum()), returned=int(table["status"].eq("returned").sum()),
        record_status=record.record["status"] if record is not None else None,
        application_built=year in jobs.built(db, reader, "application"))  # the edition sent to OPDC
    result, award = head.result, head.award
    if award is not None:
        tiers = tuple(TierReadiness(s.tier.id, s.tier.name, s.tier.total, s.tier.category_min, s.met,
                                    float(s.total_missing),
                                    tuple(int(c) for c in s.categories_missing.index[s.categories_missing > 0]))
                      for s in award.tiers)
    else:  # no scores yet: the year's tiers, none of them known to be met or not
        tiers = tuple(TierReadiness(t.id, t.name, t.total, t.category_min, None, None, ())
                      for t in head.framework.thresholds.awards.tiers)
    scores = tuple((int(c), float(s)) for c, s in result.categories.items()) if result else ()
    return DepartmentYear(key=key, name=name, short=short, year=year, source=source, method=method,
                          criteria=criteria_of(db, year, head.framework), scores=scores,
                          total=float(result.total) if result else None, level=head.level,
                          units_counted=result.units if result else 0, tiers=tiers, progress=progress)


def department_years(db: Store, reader: User, key: str | None = None, source: str = DEFAULT_SOURCE,
                     method: str = DEFAULT_METHOD, only: Sequence[int] | None = None,
                     scores_of: ScoresOf | None = None) -> list[DepartmentYear]:
    """``department_year`` for every year of the store (or those of ``only`` it has), oldest first."""
    cycles = sorted(c["year"] for c in org.cycles(db))
    return [department_year(db, reader, year, key, source, method, scores_of)
            for year in cycles if only is None or year in only]


# -- departments side by side (pure) ---------------------------------------------------------------------

def in_order(key: str) -> tuple:
    """A department key's place in the roll-up: natural order, its runs of digits compared as numbers ("2" before
    "10", "d9" before "d10"), then the text itself."""
    parts = re.split(r"(\d+)", key)
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part), key


def _keyed(column: pd.Series) -> pd.Series:
    """``sort_values``' key: the department column as its place in natural order, any other column as it is."""
    return column.map(_places(column)) if column.name == "department" else column


def _places(keys) -> dict[str, int]:
    return {key: n for n, key in enumerate(sorted(set(keys), key=in_order))}


def _checked(departments: Sequence[DepartmentYear], one_year: bool = True) -> list[DepartmentYear]:
    """The departments sorted by key; refused (ValueError) when a key repeats (per year for ``one_year=False``)
    or, for a roll-up of one year, when the years differ."""
    ordered = sorted(departments, key=lambda d: (in_order(d.key), d.year))
    if one_year and len({d.year for d in ordered}) > 1:
        raise ValueError(f"a roll-up of one year was given several: {sorted({d.year for d in ordered})}")
    keys = [(d.key, d.year) for d in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("a department is given twice for the same year")
    return ordered


def labels(departments: Sequence[DepartmentYear], lang: str = "th", short: bool = True) -> dict[str, str]:
    """Key -> the department's short name (or, ``short=False``, full name) in ``lang``, for the charts' ``labels``
    and ``names``; a department given for several years is named as its latest year names it."""
    ordered = sorted(departments, key=lambda d: (in_order(d.key), d.year))
    return {d.key: (d.short if short else d.name).get(lang) for d in ordered}


def _categories(departments: Sequence[DepartmentYear]) -> pd.DataFrame:
    """One row per department and category its year assesses: maximum and score (NaN without scores)."""
    rows = [(d.key, c.id, c.maximum, d.categories.get(c.id, np.nan)) for d in departments
            for c in d.criteria.categories]
    return pd.DataFrame(rows, columns=["department", "category", "maximum", "score"]).astype(
        {"department": object, "category": int, "maximum": float, "score": float})


def _most_common(frame: pd.DataFrame, by: str, value: str) -> pd.Series:
    """Per ``by`` (sorted; departments in natural order), the ``value`` most rows have, a missing one not counted; a
    tie goes to the smallest value (the same whatever the order). Counted in plain Python: with pandas' groupby
    and sort a call took 4.5 ms, and the roll-up's readiness makes four."""
    counts = Counter((key, found) for key, found in zip(frame[by], frame[value], strict=True) if not pd.isna(found))
    best: dict = {}
    for (key, found), n in counts.items():
        if key not in best or (-n, found) < (-best[key][1], best[key][0]):
            best[key] = (found, n)
    keys = sorted(best, key=in_order) if by == "department" else sorted(best)
    return pd.Series([best[key][0] for key in keys], index=pd.Index(keys, name=by, dtype=frame[by].dtype),
                     name=value, dtype=frame[value].dtype)


@dataclass(frozen=True)
class Comparability:
    """What a year's roll-up compares: the columns (categories, then the total), each column's maximum, which
    department's cells are compared, which are left out and why, and the criteria in use."""

    year: int | None
    columns: tuple  # category ids ascending, then TOTAL
    maxima: pd.Series  # column -> the maximum compared
    compared: pd.DataFrame  # departments (scored ones, sorted) x columns: bool
    left_out: pd.DataFrame  # LEFT_OUT_COLUMNS; category None for a whole department
    criteria: pd.DataFrame  # CRITERIA_COLUMNS: one row per criteria in use

    @property
    def departments(self) -> list[str]:
        return list(self.compared.index)


def comparability(departments: Sequence[DepartmentYear], lang: str = "th") -> Comparability:
    """Which departments' cells of one year can be set side by side (see the module). ``lang`` names the criteria."""
    ordered = _checked(departments)
    year = ordered[0].year if ordered else None
    unscored = [d for d in ordered if not d.scored]
    scored = [d for d in ordered if d.scored]
    cells = _categories(scored)
    reference = _most_common(cells, "category", "maximum").sort_index()
    cells["compared_maximum"] = cells["category"].map(reference)
    cells["compared"] = cells["maximum"].eq(cells["compared_maximum"])
    columns = (*(int(c) for c in reference.index), TOTAL)
    departments_index = pd.Index([d.key for d in scored], name="department", dtype=object)
    compared = (cells.pivot(index="department", columns="category", values="compared")
                .reindex(index=departments_index, columns=list(reference.index)).astype("boolean")
                .fillna(False).astype(bool))
    signatures = pd.Series([d.criteria.signature for d in scored], index=departments_index, dtype=object)
    # the total compares departments of one category set, the one most of them use among those whose every
    # category is compared (so the total never mixes in a category left out of its column)
    whole = cells.groupby("department")["compared"].all().reindex(departments_index, fill_value=False)
    counted = signatures[whole.to_numpy(dtype=bool)].value_counts(sort=False)
    best = min(counted.index, key=lambda s: (-counted[s], -len(s), s)) if len(counted) else None
    compared[TOTAL] = signatures.map(lambda s: s == best).astype(bool) if len(signatures) else pd.Series(dtype=bool)
    total_maximum = float(np.mean([m for _, m in best])) if best else np.nan
    compared.columns = list(columns)
    maxima = pd.concat([reference.astype(float), pd.Series({TOTAL: total_maximum})])
    maxima.index = pd.Index(columns, dtype=object)

    left = [pd.DataFrame({"department": [d.key for d in unscored], "category": None, "reason": NO_SCORES,
                          "maximum": np.nan, "compared_maximum": np.nan})]
    other = cells[~cells["compared"]]
    left.append(other.assign(reason=OTHER_MAXIMUM)[LEFT_OUT_COLUMNS])
    assessed = cells.set_index(["department", "category"]).index
    wanted = pd.MultiIndex.from_product([departments_index, reference.index], names=["department", "category"])
    missing = wanted.difference(assessed)
    left.append(pd.DataFrame({"department": missing.get_level_values(0), "category": missing.get_level_values(1),
                              "reason": NOT_ASSESSED, "maximum": np.nan,
                              "compared_maximum": reference.reindex(missing.get_level_values(1)).to_numpy()}))
    other_total = signatures.index[~compared[TOTAL].to_numpy()] if len(signatures) else []
    left.append(pd.DataFrame({"department": list(other_total), "category": TOTAL, "reason": OTHER_CATEGORIES,
                              "maximum": [float(np.mean([m for _, m in signatures[k]])) for k in other_total],
                              "compared_maximum": total_maximum}))
    left_out = pd.concat([f.astype({"category": object}) for f in left if len(f)], ignore_index=True) \
        if any(len(f) for f in left) else pd.DataFrame(columns=LEFT_OUT_COLUMNS)
    order = {c: i for i, c in enumerate([None, *columns])}
    left_out = left_out.assign(_order=left_out["category"].map(lambda c: order.get(c, len(order)))).sort_values(
        ["department", "_order"], kind="stable", key=_keyed)
    left_out = left_out.drop(columns="_order").reset_index(drop=True)[LEFT_OUT_COLUMNS]
    return Comparability(year, columns, maxima, compared, left_out, criteria_in_use(ordered, lang))


def criteria_in_use(departments: Sequence[DepartmentYear], lang: str = "th") -> pd.DataFrame:
    """One row per criteria in use (framework id, file checksum and the categories assessed with their maxima, which
    a year's rules may narrow): its name, its categories ("1 (500), 2 (500), ..."), and the departments using it
    (keys, sorted); the criteria most departments use first (then by their first department)."""
    rows: dict[tuple, dict] = {}
    for d in sorted(departments, key=lambda d: in_order(d.key)):
        c = d.criteria
        row = rows.setdefault((c.framework_id, c.sha, c.signature), {
            "framework_id": c.framework_id, "sha": c.sha, "stored": c.stored, "name": c.name.get(lang),
            "categories": ", ".join(f"{i} ({m:g})" for i, m in c.signature), "departments": []})
        row["departments"].append(d.key)
    frame = pd.DataFrame(list(rows.values()), columns=CRITERIA_COLUMNS)
    if frame.empty:
        return frame
    place = _places(key for keys in frame["departments"] for key in keys)
    order = frame.assign(_n=-frame["departments"].map(len), _first=frame["departments"].map(lambda d: place[d[0]]))
    return order.sort_values(["_n", "_first"], kind="stable")[CRITERIA_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class Heatmap:
    """Departments x compared columns (categories, then the total): each compared cell's score and its share of
    the column's maximum (0-1); NaN where the cell is left out (``comparability.left_out`` says why)."""

    shares: pd.DataFrame
    scores: pd.DataFrame
    comparability: Comparability


def heatmap(departments: Sequence[DepartmentYear], lang: str = "th") -> Heatmap:
    """The roll-up's departments x categories of one year (see ``Heatmap``)."""
    found = comparability(departments, lang)
    scored = [d for d in _checked(departments) if d.scored]
    raw = pd.DataFrame([{**d.categories, TOTAL: d.total} for d in scored],
                       index=pd.Index([d.key for d in scored], name="department", dtype=object))
    raw = raw.reindex(columns=list(found.columns)).astype(float)
    scores = raw.where(found.compared)
    shares = scores.div(found.maxima.reindex(scores.columns).to_numpy(), axis=1)
    return Heatmap(shares, scores, found)


@dataclass(frozen=True)
class Readiness:
    """Readiness per award tier: ``by_tier`` (READINESS_COLUMNS, tiers in their order) and ``by_department``
    (TIER_COLUMNS: one row per department and tier its year has)."""

    by_tier: pd.DataFrame
    by_department: pd.DataFrame


def readiness(departments: Sequence[DepartmentYear], lang: str = "th") -> Readiness:
    """How many departments of one year are ready for each award tier, and which, each against its own year's
    thresholds. A tier is known by its id; ``thresholds_differ`` marks one whose total or floor differs between
    departments (its ``total`` and ``category_min`` are then the most common ones). ``no_scores``: departments
    with that tier but no scores yet; ``without_tier``: departments whose thresholds have no such tier."""
    ordered = _checked(departments)
    rows = [(d.key, t.id, position, t.name.th, t.name.en, t.total, t.category_min, t.met, t.total_missing,
             t.categories_below) for d in ordered for position, t in enumerate(d.tiers)]
    long = pd.DataFrame(rows, columns=TIER_COLUMNS)
    long["met"] = long["met"].astype("boolean")
    long["total_missing"] = long["total_missing"].astype(float)
    if long.empty:
        return Readiness(pd.DataFrame(columns=READINESS_COLUMNS), long)
    keys = [d.key for d in ordered]
    order = long.groupby("tier")["position"].min().reset_index().sort_values(["position", "tier"], kind="stable")
    by_tier = []
    for tier in order["tier"]:
        part = long[long["tier"] == tier]
        names = part["name_en" if lang == "en" else "name_th"]
        ready = part.loc[part["met"].eq(True).fillna(False), "department"].tolist()
        not_ready = part.loc[part["met"].eq(False).fillna(False), "department"].tolist()
        by_tier.append({
            "tier": tier, "name": names.value_counts(sort=False).sort_index().idxmax(),
            "total": _most_common(part.assign(one=1), "one", "total").iloc[0],
            "category_min": _most_common(part.assign(one=1), "one", "category_min").iloc[0],
            "thresholds_differ": part[["total", "category_min"]].drop_duplicates().shape[0] > 1,
            "ready": len(ready), "not_ready": len(not_ready), "no_scores": int(part["met"].isna().sum()),
            "without_tier": len(set(keys) - set(part["department"])),
            "ready_departments": ready, "not_ready_departments": not_ready})
    return Readiness(pd.DataFrame(by_tier, columns=READINESS_COLUMNS), long.reset_index(drop=True))


def progress(departments: Sequence[DepartmentYear]) -> pd.DataFrame:
    """Per department (index, sorted) of one year: PROGRESS_COLUMNS; shares are of the active units (NaN for a
    department without units); ``application_built`` is NA where the store records no build."""
    ordered = _checked(departments)
    p = [d.progress for d in ordered]
    frame = pd.DataFrame({
        "units_total": [x.units_total for x in p], "submitted": [x.submitted for x in p],
        "reviewed": [x.reviewed for x in p], "approved": [x.approved for x in p], "returned": [x.returned for x in p],
        "record_approved": [x.record_approved for x in p],
        "application_built": pd.array([x.application_built for x in p], dtype="boolean"),
    }, index=pd.Index([d.key for d in ordered], name="department", dtype=object))
    frame["record_status"] = pd.Series([x.record_status for x in p], index=frame.index, dtype=object)  # None kept
    units = frame["units_total"].where(frame["units_total"] > 0).astype(float)
    frame["submitted_share"] = frame["submitted"] / units
    frame["reviewed_share"] = frame["reviewed"] / units
    return frame[PROGRESS_COLUMNS]


def trends(departments: Sequence[DepartmentYear]) -> pd.DataFrame:
    """Every department's years (any number, several departments): one row per department, year and category
    its year assesses, then the total (``category`` TOTAL), with the score (NaN without scores), the maximum and
    the share of it; sorted by department, year, then categories ascending and the total last."""
    ordered = _checked(departments, one_year=False)
    rows = []
    for d in ordered:
        scores = d.categories
        for c in d.criteria.categories:
            rows.append((d.key, d.year, c.id, scores.get(c.id, np.nan), c.maximum))
        maximum = float(np.mean([c.maximum for c in d.criteria.categories])) if d.criteria.categories else np.nan
        rows.append((d.key, d.year, TOTAL, np.nan if d.total is None else d.total, maximum))
    frame = pd.DataFrame(rows, columns=TREND_COLUMNS[:-1]).astype(
        {"department": object, "year": int, "category": object, "score": float, "maximum": float})
    frame["share"] = frame["score"] / frame["maximum"]
    return frame[TREND_COLUMNS]


def trend_matrix(frame: pd.DataFrame, category=TOTAL, value: str = "share") -> pd.DataFrame:
    """Years (index, ascending) x departments (columns, sorted) of one category's (or the total's) ``value``
    from ``trends``; NaN where a department's year has no score or does not assess the category."""
    part = frame[frame["category"].map(lambda c: c == category)]
    matrix = part.pivot(index="year", columns="department", values=value)
    return matrix.sort_index().reindex(columns=sorted(matrix.columns, key=in_order))
