"""Benchmark of the vectorised scorer against a plain per-row Python loop and against DuckDB's SQL engine.

Synthetic data (fixed seed): 1,000 units x 3 years, every checkpoint of the default criteria ticked
with a probability that falls from Basic to Significance, and all ten KPIs. The vectorised path is
``unit_item_scores(answers, kpis, by=("year", "unit"))`` then ``department_scores`` (mean) per year;
the loop path scores the same rows one at a time with ``item_score`` / ``kpi_score`` and aggregates
with dicts; the DuckDB path computes the same unit item scores and department means in SQL over the same
pandas frames (DuckDB is a development dependency, used here only). All must agree to 1e-9.

Run: .venv/bin/python bench/bench_scoring.py [--units 1000] [--years 3] [--runs 5] [--engines sqlite,postgresql]
(``--engines``: also the scores as the app reads them from a generated store of ``--store-units`` units on each
engine, side by side.)
Targets: vectorised under 1 s and 1 GB, at least 20x faster than the loop, no slower than DuckDB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring import LEVELS, default_framework, department_scores, item_score, kpi_score, unit_item_scores

SEED = 20250101
FIRST_YEAR = 2567
TICK_CHANCE = {"basic": 0.85, "advance": 0.6, "significance": 0.3}
TARGET_SECONDS, TARGET_BYTES, TARGET_RATIO = 1.0, 1 << 30, 20.0
# DuckDB's fastest correct form found here (one aggregation per unit and item on integer level codes; filtering
# met rows first is quicker but drops items with no tick, which must score 0)
DUCKDB_SQL = """
WITH counts AS (
    SELECT a.year, a.unit, c.item,
           COUNT(*) FILTER (WHERE a.met AND c.level = 0)::DOUBLE AS b,
           COUNT(*) FILTER (WHERE a.met AND c.level = 1)::DOUBLE AS a,
           COUNT(*) FILTER (WHERE a.met AND c.level = 2)::DOUBLE AS s
    FROM answers a JOIN checkpoints c USING (checkpoint)
    GROUP BY ALL
), checkpoint_items AS (
    SELECT n.year, n.unit, n.item,
           300.0 * n.b / z.nb
           + CASE WHEN n.b >= z.nb THEN 100.0 * n.a / z.na ELSE 0.0 END
           + CASE WHEN n.b >= z.nb AND n.a >= z.na THEN 100.0 * n.s / z.ns ELSE 0.0 END AS score
    FROM counts n JOIN sizes z USING (item)
), kpi_items AS (
    SELECT k.year, k.unit, t.item,
           AVG(CASE WHEN k.value IS NULL OR isnan(k.value)
                         OR (k.value - t.floor) / (t.ceiling - t.floor) < 0 THEN 0.0
                    WHEN (k.value - t.floor) / (t.ceiling - t.floor) >= 1 THEN 500.0
                    ELSE 100.0 + 400.0 * ((k.value - t.floor) / (t.ceiling - t.floor)) END) AS score
    FROM kpis k JOIN kpi_table t USING (kpi)
    GROUP BY ALL
)
SELECT * FROM checkpoint_items UNION ALL SELECT * FROM kpi_items
"""
DUCKDB_DEPARTMENT_SQL = """
WITH items AS (
    SELECT year, item, LEAST(GREATEST(AVG(score), 0.0), 500.0) AS score FROM unit_items GROUP BY ALL
), categories AS (
    SELECT i.year, t.category, AVG(i.score) AS score FROM items i JOIN item_table t USING (item) GROUP BY ALL
)
SELECT year, 'item' AS kind, item AS id, score FROM items
UNION ALL SELECT year, 'category', category::VARCHAR, score FROM categories
UNION ALL SELECT year, 'total', 'total', AVG(score) FROM categories GROUP BY year
"""


def synthetic(framework, units: int, years: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """answers (year, unit, checkpoint, met) over every checkpoint; kpis (year, unit, kpi, value)."""
    rng = np.random.default_rng(seed)
    cps = [(cp.id, level) for _, level, cp in framework.checkpoints()]
    kpis = [k for _, k in framework.kpis()]
    unit_ids = np.array([f"U{n:04d}" for n in range(1, units + 1)], dtype=object)
    year_ids = np.arange(FIRST_YEAR, FIRST_YEAR + years)
    n = units * years
    key_year = np.repeat(year_ids, units)
    key_unit = np.tile(unit_ids, years)

    chance = np.array([TICK_CHANCE[level] for _, level in cps])
    maturity = rng.uniform(0.7, 1.15, size=(n, 1))  # some units are further along than others
    met = rng.random((n, len(cps))) < np.clip(chance * maturity, 0, 1)
    answers = pd.DataFrame({
        "year": np.repeat(key_year, len(cps)),
        "unit": np.repeat(key_unit, len(cps)),
        "checkpoint": np.tile(np.array([c for c, _ in cps], dtype=object), n),
        "met": met.ravel(),
    })

    floor = np.array([k.floor for k in kpis])
    ceiling = np.array([k.ceiling for k in kpis])
    width = ceiling - floor
    values = floor - 0.3 * width + rng.random((n, len(kpis))) * 1.45 * width
    values = np.clip(values, [k.min for k in kpis], [k.max for k in kpis]).round(2)
    values[rng.random(values.shape) < 0.03] = np.nan  # a few KPIs not reported
    kpi_frame = pd.DataFrame({
        "year": np.repeat(key_year, len(kpis)),
        "unit": np.repeat(key_unit, len(kpis)),
        "kpi": np.tile(np.array([k.id for k in kpis], dtype=object), n),
        "value": values.ravel(),
    })
    return answers, kpi_frame


def vectorised(answers, kpis, framework):
    scores = unit_item_scores(answers, kpis, framework=framework, by=("year", "unit"))
    departments = {
        int(year): department_scores(frame.drop(columns="year"), "mean", framework=framework)
        for year, frame in scores.groupby("year")
    }
    return scores, departments


def loop(answers, kpis, framework):
    """The same computation row by row: dicts of ticks and values, item_score / kpi_score, dict means."""
    ticked: dict[tuple, set] = defaultdict(set)
    for year, unit, checkpoint, met in zip(
        answers["year"].tolist(), answers["unit"].tolist(), answers["checkpoint"].tolist(),
        answers["met"].tolist(), strict=True,
    ):
        key = (year, unit)
        if met:
            ticked[key].add(checkpoint)
        else:
            ticked.setdefault(key, set())
    values: dict[tuple, float] = {}
    for year, unit, kpi, value in zip(
        kpis["year"].tolist(), kpis["unit"].tolist(), kpis["kpi"].tolist(), kpis["value"].tolist(), strict=True
    ):
        values[(year, unit, kpi)] = value
        ticked.setdefault((year, unit), set())

    levels = {item.id: [[cp.id for cp in item.level_checkpoints(lvl)] for lvl in LEVELS]
              for item in framework.items() if not item.is_results}
    results = {item.id: item.kpis for item in framework.items() if item.is_results}
    scores: dict[tuple, float] = {}
    for (year, unit), done in ticked.items():
        for item_id, ids in levels.items():
            scores[(year, unit, item_id)] = item_score(*[[c in done for c in level] for level in ids])
        for item_id, item_kpis in results.items():
            kpi_points = [kpi_score(values.get((year, unit, k.id)), k.floor, k.ceiling) for k in item_kpis]
            scores[(year, unit, item_id)] = sum(kpi_points) / len(kpi_points)

    sums: dict[tuple, float] = defaultdict(float)
    units: dict[int, set] = defaultdict(set)
    for (year, unit, item_id), score in scores.items():
        sums[(year, item_id)] += score
        units[year].add(unit)
    departments = {}
    for year, members in units.items():
        items = {i: sums[(year, i)] / len(members) for i in framework.item_ids()}
        categories = {c.id: sum(items[i.id] for i in c.items) / len(c.items) for c in framework.categories}
        departments[year] = (items, categories, sum(categories.values()) / len(categories))
    return scores, departments


def duckdb_connection(framework):
    """A DuckDB connection holding the criteria as tables (made once, outside the timing)."""
    import duckdb

    from scoring.tables import checkpoint_table, item_table, kpi_table, level_sizes

    con = duckdb.connect()
    sizes = level_sizes(framework).rename(columns={"basic": "nb", "advance": "na", "significance": "ns"})
    checkpoints = checkpoint_table(framework).assign(level=lambda t: t["level"].map(LEVELS.index))
    tables = {"checkpoints": checkpoints, "sizes": sizes.reset_index(), "kpi_table": kpi_table(framework),
              "item_table": item_table(framework)}
    for name, table in tables.items():
        con.register("criteria", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM criteria")
        con.unregister("criteria")
    return con


def in_duckdb(con, answers, kpis):
    """The same computation in DuckDB's SQL over the same pandas frames: unit item scores, then the
    department's items, categories and total per year (mean over units)."""
    con.register("answers", answers)
    con.register("kpis", kpis)
    unit_items = con.execute(DUCKDB_SQL).df()
    con.register("unit_items", unit_items)
    department = con.execute(DUCKDB_DEPARTMENT_SQL).df()
    return unit_items, department


def duckdb_difference(vector, duck) -> float:
    scores, departments = vector
    unit_items, department = duck
    merged = scores.merge(unit_items, on=["year", "unit", "item"], how="outer", suffixes=("", "_duckdb"))
    if len(merged) != len(scores) or merged[["score", "score_duckdb"]].isna().any().any():
        return float("inf")
    worst = float((merged["score"] - merged["score_duckdb"]).abs().max())
    for row in department.itertuples():
        result = departments[int(row.year)]
        ours = (result.items[row.id] if row.kind == "item" else result.categories[int(row.id)]
                if row.kind == "category" else result.total)
        worst = max(worst, abs(float(ours) - row.score))
    return worst


def max_difference(vector, plain) -> float:
    scores, departments = vector
    plain_scores, plain_departments = plain
    keys = list(zip(scores["year"].tolist(), scores["unit"].tolist(), scores["item"].tolist(), strict=True))
    if set(keys) != set(plain_scores):
        return float("inf")
    worst = max(abs(s - plain_scores[k]) for k, s in zip(keys, scores["score"].tolist(), strict=True))
    for year, result in departments.items():
        items, categories, total = plain_departments[year]
        worst = max(worst, abs(result.total - total))
        worst = max(worst, max(abs(result.items[i] - v) for i, v in items.items()))
        worst = max(worst, max(abs(result.categories[c] - v) for c, v in categories.items()))
    return worst


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def from_stores(engines: list[str], units: int, runs: int) -> bool:
    """The scores as the app computes them, from a generated store of ``units`` units x 3 cycles on each engine:
    reading the score inputs (``assessments.score_inputs``) and scoring them, side by side; the totals must agree
    to 1e-9 across engines."""
    import contextlib
    import tempfile

    from storage import connect
    from storage.admin import demo
    from storage.assessment import assessments

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    rows, totals, framework = [], {}, default_framework()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        for engine in engines:
            location = Path(folder) / "store.db"
            if engine == "postgresql":
                import psycopg
                from postgres_cluster import cluster, wait_ready

                address = stack.enter_context(cluster())
                wait_ready(address)
                with psycopg.connect(address, autocommit=True) as conn:
                    conn.execute("CREATE DATABASE scores")
                location = address.rsplit("/", 1)[0] + "/scores"
            db = stack.enter_context(contextlib.closing(connect(location)))
            demo.populate(db, units=demo.many_units(units))
            if engine == "postgresql":
                db.execute("ANALYZE")  # as autovacuum soon would: a fresh table has no statistics for the planner
            year = db.execute("SELECT MAX(year) FROM cycles").fetchone()[0]
            read_time, (answers, kpis) = timed(lambda db=db, year=year: assessments.score_inputs(db, year), runs)
            score_time, result = timed(lambda a=answers, k=kpis: department_scores(
                unit_item_scores(a, k, framework=framework), "mean", framework=framework), runs)
            totals[engine] = [result.total, *result.categories.tolist()]
            rows.append((engine, len(answers), len(kpis), read_time, score_time))
    print(f"\nfrom a store of {units} units x 3 cycles, the latest cycle (median of {runs}):")
    print(f"| {'engine':<10} | {'answer rows':>11} | {'KPI rows':>8} | {'read ms':>8} | {'score ms':>8} |")
    print(f"|{'-' * 12}|{'-' * 13}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for engine, answer_rows, kpi_rows, read_time, score_time in rows:
        print(f"| {engine:<10} | {answer_rows:>11,} | {kpi_rows:>8,} | {read_time * 1000:>8.0f} "
              f"| {score_time * 1000:>8.0f} |")
    if len(rows) > 1:
        print(f"reading on {rows[1][0]} / {rows[0][0]}: {rows[1][3] / rows[0][3]:.2f}x")
        agree = max(abs(x - y) for x, y in zip(totals[rows[0][0]], totals[rows[1][0]], strict=True)) <= 1e-9
        print(f"scores agree across engines to 1e-9: {'PASS' if agree else 'FAIL'}")
        return agree
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engines", default="", help="also score from a generated store on these engines: "
                                                      "sqlite,postgresql")
    parser.add_argument("--store-units", type=int, default=300)
    args = parser.parse_args(argv)
    if args.engines:
        from_stores([e for e in args.engines.split(",") if e], args.store_units, args.runs)

    framework = default_framework()
    answers, kpis = synthetic(framework, args.units, args.years)
    print(f"data: {args.units} units x {args.years} years, {sum(1 for _ in framework.checkpoints())} checkpoints, "
          f"{len(kpis) // (args.units * args.years)} KPIs -> {len(answers):,} answer rows, {len(kpis):,} KPI rows")
    print("met rate by level: " + ", ".join(
        f"{lvl} {rate:.2f}" for lvl, rate in answers.assign(
            level=answers["checkpoint"].str.split(".").str[2].str[0]).groupby("level")["met"].mean()
        .rename({"B": "basic", "A": "advance", "S": "significance"}).reindex(list(LEVELS)).items()))

    vectorised(answers, kpis, framework)  # warm the criteria tables' caches
    vector_time, vector = timed(lambda: vectorised(answers, kpis, framework), args.runs)
    con = duckdb_connection(framework)
    in_duckdb(con, answers, kpis)  # warm, as the vectorised path was
    duck_time, duck = timed(lambda: in_duckdb(con, answers, kpis), args.runs)
    duck_difference = duckdb_difference(vector, duck)
    tracemalloc.start()
    vectorised(answers, kpis, framework)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    loop_time, plain = timed(lambda: loop(answers, kpis, framework), max(1, args.runs // 2))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    difference = max_difference(vector, plain)
    ratio = loop_time / vector_time

    print(f"vectorised wall time (median of {args.runs}): {vector_time:.3f} s")
    print(f"vectorised peak traced memory (tracemalloc): {peak / 2**20:.1f} MiB")
    print(f"process peak RSS (ru_maxrss, whole script): {rss / 2**20:.1f} MiB")
    print(f"python loop wall time (median of {max(1, args.runs // 2)}): {loop_time:.3f} s")
    print(f"speed-up loop / vectorised: {ratio:.1f}x")
    print(f"DuckDB SQL wall time, same scores and department means (median of {args.runs}): {duck_time:.3f} s")
    print(f"ratio vectorised / DuckDB: {vector_time / duck_time:.2f} (at most 1 is at or below DuckDB's time)")
    print(f"max |vectorised - DuckDB| over unit items, department items, categories, totals: {duck_difference:.2e}")
    print(f"max |vectorised - loop| over unit items, department items, categories, totals: {difference:.2e}")
    for year, result in sorted(vector[1].items()):
        print(f"department {year}: total {result.total:.2f} over {result.units} units; categories "
              + " ".join(f"{c}:{s:.1f}" for c, s in result.categories.items()))

    checks = {
        "agree to 1e-9": difference <= 1e-9 and duck_difference <= 1e-9,
        "at or below DuckDB's time": vector_time <= duck_time,
        f"under {TARGET_SECONDS:g} s": vector_time < TARGET_SECONDS,
        "under 1 GB": max(peak, rss) < TARGET_BYTES,
        f"at least {TARGET_RATIO:g}x faster than the loop": ratio >= TARGET_RATIO,
    }
    for name, ok in checks.items():
        print(f"target {name}: {'PASS' if ok else 'FAIL'}")
    return 0 if checks["agree to 1e-9"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
