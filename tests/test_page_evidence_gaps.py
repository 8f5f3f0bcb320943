"""What an examiner checks first, on the pages (AppTest): the department page counts and lists the department's
evidence gaps and shows each item's (each KPI's) in it, and they go when the account is written; the review page
lists the unit's before the committee decides; the overview counts the department's and the units'; the CSV of the
year's gaps has one row per gap of ``year_gaps``, in Thai and in English."""

from __future__ import annotations

import csv
import io

import pytest

from analysis.evidence_gaps import DEPARTMENT, MIN_YEARS, counts, year_gaps
from i18n import translate
from i18n.format import level_label
from scoring import LEVELS, default_framework
from storage.organisation import org
from storage.record import department
from ui import evidence_gaps

YEAR = 2570
FW = default_framework()


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def gap_warnings(at, lang: str) -> list[str]:
    """The items' (KPIs') gap warnings, in the page's order, without their title line."""
    title = "**" + translate("eg_item_title", lang, n=0).split("(")[0]
    return [w.value.split("\n", 1)[1] for w in at.warning if w.value.startswith(title)]


def summary_label(at) -> list[str]:
    return [e.label for e in at.expander if e.proto.icon == evidence_gaps.ICON]


def levels_of(table, scope: str, item: str) -> list[str]:
    """The levels of an item with gaps, Basic first."""
    found = set(table[(table["scope"] == scope) & (table["item"] == item)]["level"])
    return [level for level in LEVELS if level in found]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_department_page_lists_the_departments_gaps_and_an_account_clears_its_own(app, demo_db, demo_user,
                                                                                       lang):
    department.start(demo_db, demo_user("committee"), YEAR)
    at = ok(app("committee", lang, page="pages/department.py"))
    table = year_gaps(demo_db, YEAR)
    mine = table[table["scope"] == DEPARTMENT]
    assert summary_label(at) == [translate("eg_summary", lang, n=len(mine), items=mine["item"].nunique())]
    [download] = at.get("download_button")
    assert download.proto.label == translate("eg_download", lang, n=len(table))  # the year's, units included

    # category 1: each item with gaps says them above its levels, levels with the same gaps on one line
    items = [item.id for item in FW.category(1).items if item.id in set(mine["item"])]
    shown = gap_warnings(at, lang)
    assert len(shown) == len(items) and items[0] == "1.1"
    met = levels_of(table, DEPARTMENT, "1.1")
    both = ", ".join(level_label(level, lang) for level in met) + ": " + translate("eg_kind_met_both", lang)
    assert shown[0] == both

    at.text_area(key="dp:adli:1.1:approach").input("กรมกำหนดทิศทางร่วมกับทุกหน่วยงาน").run()
    ok(at)
    after = year_gaps(demo_db, YEAR)
    theirs = after[after["scope"] == DEPARTMENT]
    assert len(theirs) == len(mine) - len(met)  # the account covers every level of the item
    assert set(after[(after["scope"] == DEPARTMENT) & (after["item"] == "1.1")]["kind"]) == {"met_no_evidence"}
    assert gap_warnings(at, lang)[0] == (", ".join(level_label(level, lang) for level in met) + ": "
                                         + translate("eg_kind_met_no_evidence", lang))
    assert summary_label(at) == [translate("eg_summary", lang, n=len(theirs), items=theirs["item"].nunique())]

    # category 7: each KPI's gaps in its own box
    ok(at.segmented_control(key="dp:category").set_value(7).run())
    kpis = gap_warnings(at, lang)
    assert len(kpis) == sum(1 for _ in FW.kpis())
    assert kpis[0] == "RM1: " + " · ".join((translate("eg_kind_kpi_few_years", lang, n=MIN_YEARS),
                                           translate("eg_kind_kpi_no_comparison", lang)))


def test_no_gaps_is_said_so(app, demo_db, demo_user, monkeypatch):
    department.start(demo_db, demo_user("committee"), YEAR)
    monkeypatch.setattr(evidence_gaps, "year_gaps", lambda db, year: year_gaps(db, year).iloc[0:0])
    at = ok(app("director", page="pages/department.py"))
    assert [s.value for s in at.success] == [translate("eg_none_department", "th")]
    assert not summary_label(at) and not gap_warnings(at, "th")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_review_page_lists_the_units_gaps_before_the_decision(app, demo_db, lang):
    at = ok(app("committee", lang, page="pages/review.py"))
    unit_id = at.selectbox(key=f"rv:unit:{lang}").value
    code = demo_db.execute("SELECT code FROM units WHERE id = ?", [unit_id]).fetchone()[0]
    table = year_gaps(demo_db, YEAR)
    theirs = table[table["scope"] == code]
    assert not theirs.empty
    assert summary_label(at) == [translate("eg_summary", lang, n=len(theirs), items=theirs["item"].nunique())]
    [download] = at.get("download_button")
    assert download.proto.label == translate("eg_download_unit", lang, n=len(theirs))
    items = [item.id for item in FW.category(1).items if item.id in set(theirs["item"])]
    assert len(gap_warnings(at, lang)) == len(items)
    first = theirs[theirs["item"] == items[0]]
    assert all(level_label(level, lang) in gap_warnings(at, lang)[0] for level in set(first["level"]))


@pytest.mark.parametrize("role", ["director", "committee", "admin"])
def test_the_overview_counts_the_departments_gaps_and_the_units(app, demo_db, demo_user, role):
    def shown(at):
        return next(m.value for m in at.metric if m.label == translate("eg_metric", "th"))

    found = counts(year_gaps(demo_db, YEAR))
    assert shown(ok(app(role, page="pages/overview.py"))) == f"– · {found['units']:,}"  # not started: a dash
    department.start(demo_db, demo_user("committee"), YEAR)
    found = counts(year_gaps(demo_db, YEAR))
    assert found["department"] > 0
    assert shown(ok(app(role, page="pages/overview.py"))) == f"{found['department']:,} · {found['units']:,}"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_csv_has_a_row_per_gap_in_the_readers_language(full_demo_db, lang):
    table = year_gaps(full_demo_db, YEAR)
    assert {DEPARTMENT} < set(table["scope"])  # the department's and units' both
    names = evidence_gaps.unit_names(full_demo_db, lang)
    data = evidence_gaps.csv_bytes(table, FW, names, lang)
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)  # Excel reads the Thai
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == [translate(k, lang) for k in ("rv_code", "unit", "ov_item", "ov_item_name", "level", "ov_kpi",
                                                   "eg_col_gap")]
    units = org.all_units(full_demo_db).set_index("code")["name_en" if lang == "en" else "name_th"]

    def expected(row):
        level = row.level if isinstance(row.level, str) else None
        kpi = row.kpi if isinstance(row.kpi, str) else ""
        ours = row.scope == DEPARTMENT
        return ["" if ours else row.scope, translate("ov_department_row", lang) if ours else units[row.scope],
                row.item, FW.item(row.item).name.get(lang), level_label(level, lang) if level else "", kpi,
                translate(f"eg_kind_{row.kind}", lang, n=MIN_YEARS)]

    assert rows == [expected(row) for row in table.itertuples(index=False)]
