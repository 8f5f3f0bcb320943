"""What an examiner checks first: the gaps between what an assessment claims and what backs it, per item and
level, for each unit and for the department's assessment of record.

- ``met_no_evidence``: a level with checkpoints marked met and no evidence for it (a unit's evidence of that item
  and level; the department's, the evidence it cites for the item);
- ``met_no_account``: a level with checkpoints marked met and no account of it (a unit's account of that item and
  level; the department's, its account of the item: an ADLI part or the overview);
- ``kpi_few_years``: a KPI with values for fewer than three fiscal years;
- ``kpi_no_target``: a KPI with no target;
- ``kpi_no_comparison``: a KPI of the department's results with no comparison value.
"""

from __future__ import annotations

import pandas as pd

from scoring import Framework
from storage.assessment import assessments, years
from storage.engine import Store
from storage.record import department

KINDS = ("met_no_evidence", "met_no_account", "kpi_few_years", "kpi_no_target", "kpi_no_comparison")
DEPARTMENT = "department"  # the scope of the department's own gaps (a unit's is its code)
MIN_YEARS = 3
COLUMNS = ["scope", "item", "level", "kpi", "kind"]


def level_of(framework: Framework) -> dict[str, tuple[str, str]]:
    """checkpoint -> (item, level)."""
    return {cp.id: (item.id, level) for item, level, cp in framework.checkpoints()}


def gaps(framework: Framework, answers: pd.DataFrame, evidence: pd.DataFrame, accounts: pd.DataFrame,
         kpis: pd.DataFrame, compared: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """The gaps of each scope (pure).

    ``answers``: scope, checkpoint, met; ``evidence`` and ``accounts``: scope, item, level (level None: the whole
    item, as the department's are); ``kpis``: scope, kpi, item, fiscal_year, value, target; ``compared``: the
    (scope, kpi) pairs with a comparison value, None when comparisons are not asked of any scope but the
    department's (whose KPIs are then checked against it).
    """
    where = level_of(framework)
    rows: list[tuple] = []
    met = answers[answers["met"].astype(bool)]
    claimed = {(scope, *where[cp]) for scope, cp in zip(met["scope"].tolist(), met["checkpoint"].tolist(), strict=True)
               if cp in where}  # lists: iterating a column of Arrow strings value by value is slow
    backed = {kind: set(zip(frame["scope"].tolist(), frame["item"].tolist(), frame["level"].tolist(), strict=True))
              for kind, frame in (("met_no_evidence", evidence), ("met_no_account", accounts))}
    item_keys = {item: _item_key(item) for item in {c[1] for c in claimed}}
    for scope, item, level in sorted(claimed, key=lambda c: (str(c[0]), item_keys[c[1]], c[2])):
        for kind, present in backed.items():
            if (scope, item, level) not in present and (scope, item, None) not in present:
                rows.append((scope, item, level, None, kind))
    if not kpis.empty:
        valued = kpis["fiscal_year"].where(kpis["value"].notna())
        years_of = valued.groupby([kpis["scope"], kpis["kpi"]]).nunique().to_dict()  # years with a value
        targeted = kpis["target"].notna().groupby([kpis["scope"], kpis["kpi"], kpis["item"]], sort=False).any()
        for (scope, kpi, item), has_target in targeted.items():
            if years_of.get((scope, kpi), 0) < MIN_YEARS:
                rows.append((scope, item, None, kpi, "kpi_few_years"))
            if not has_target:
                rows.append((scope, item, None, kpi, "kpi_no_target"))
            if scope == DEPARTMENT and compared is not None and (scope, kpi) not in compared:
                rows.append((scope, item, None, kpi, "kpi_no_comparison"))
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.sort_values(["scope", "item"], key=_order, kind="stable").reset_index(drop=True)


def _order(column: pd.Series) -> pd.Series:
    """A sort key: items in their natural order (1.2 before 1.10), anything else as text; each value's key made
    once."""
    key = _item_key if column.name == "item" else str
    return column.map({value: key(value) for value in column.unique()})


def _item_key(item: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(item).split("."))


def year_gaps(db: Store, year: int) -> pd.DataFrame:
    """The year's gaps: each unit with an assessment (its code as the scope; the committee's answers and values
    where it reviewed, the unit's otherwise) and the department's assessment of record once started."""
    framework = years.framework_of(db, year)
    codes = dict(db.execute("SELECT id, code FROM units").fetchall())
    answers, _ = assessments.score_inputs(db, year, "best", statuses=None)
    answers = answers.assign(scope=answers["unit"].map(codes))[["scope", "checkpoint", "met"]]
    evidence = pd.DataFrame(db.execute(
        "SELECT u.code, e.item, e.level FROM evidence e JOIN assessments a ON a.id = e.assessment_id JOIN units u ON "
        "u.id = a.unit_id WHERE a.year = ? AND e.removed_at IS NULL", [year]).fetchall(),
        columns=["scope", "item", "level"])
    accounts = pd.DataFrame(db.execute(
        "SELECT u.code, n.item, n.level FROM narratives n JOIN assessments a ON a.id = n.assessment_id JOIN units u "
        "ON u.id = a.unit_id WHERE a.year = ? AND TRIM(n.text) != ''", [year]).fetchall(),
        columns=["scope", "item", "level"])
    item_of = {kpi.id: item.id for item, kpi in framework.kpis()}
    targets = {kpi.id: kpi.target for _, kpi in framework.kpis()}
    kpis = pd.DataFrame(db.execute(
        "SELECT u.code, k.kpi, k.fiscal_year, COALESCE(k.review_value, k.self_value), uk.item, uk.target FROM "
        "kpi_results k JOIN assessments a ON a.id = k.assessment_id JOIN units u ON u.id = a.unit_id LEFT JOIN "
        "unit_kpis uk ON uk.assessment_id = a.id AND uk.kpi = k.kpi WHERE a.year = ?", [year]).fetchall(),
        columns=["scope", "kpi", "fiscal_year", "value", "item", "target"])
    kpis["item"] = kpis["item"].fillna(kpis["kpi"].map(item_of))
    kpis["target"] = kpis["target"].fillna(kpis["kpi"].map(targets))
    kpis = kpis.dropna(subset=["item"])
    compared = set()
    started = db.execute("SELECT 1 FROM dept_records WHERE year = ?", [year]).fetchone() is not None
    if started:
        dept_answers = pd.DataFrame([(DEPARTMENT, cp, bool(met)) for cp, met in db.execute(
            "SELECT checkpoint, met FROM dept_answers WHERE year = ?", [year])], columns=["scope", "checkpoint", "met"])
        cited = {r[0] for r in db.execute("SELECT DISTINCT item FROM dept_citations WHERE year = ?", [year])}
        written = {r[0] for r in db.execute(
            "SELECT item FROM dept_adli WHERE year = ? AND TRIM(text) != '' UNION SELECT item FROM dept_narratives "
            "WHERE year = ? AND TRIM(text) != ''", [year, year])}
        answers = pd.concat([answers, dept_answers], ignore_index=True)
        evidence = pd.concat([evidence, pd.DataFrame([(DEPARTMENT, i, None) for i in cited], columns=evidence.columns)],
                             ignore_index=True)
        accounts = pd.concat([accounts, pd.DataFrame([(DEPARTMENT, i, None) for i in written],
                                                     columns=accounts.columns)], ignore_index=True)
        values = {(k, fy): v for k, fy, v in department.kpi_results(db, year)[["kpi", "fiscal_year", "value"]]
                  .itertuples(index=False)}
        dept = pd.DataFrame([(DEPARTMENT, kpi, fy, values.get((kpi, fy)), item_of[kpi], targets[kpi]) for kpi in item_of
                             for fy in range(year - department.RESULT_YEARS + 1, year + 1)], columns=kpis.columns)
        kpis = pd.concat([kpis, dept], ignore_index=True)
        compared = {(DEPARTMENT, r[0]) for r in db.execute(
            "SELECT DISTINCT kpi FROM dept_kpi_comparisons WHERE year = ?", [year])}
    return gaps(framework, answers, evidence, accounts, kpis, compared if started else None)


def counts(table: pd.DataFrame) -> dict[str, int]:
    """How many gaps the department has, and the units (all together)."""
    department_rows = table["scope"] == DEPARTMENT
    return {"department": int(department_rows.sum()), "units": int((~department_rows).sum())}
