"""What an examiner checks first (``analysis.evidence_gaps``) on the pages: a gap in words, an item's gaps beside
its answers, a scope's gaps counted and listed by item, and the year's gaps as a CSV for Excel.

The year's table is computed once per run and kept in the session while the store is unchanged (keyed by its
data version), so every item of a page reads the same table for free."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from analysis.consistency import department_flags
from analysis.evidence_gaps import DEPARTMENT, MIN_YEARS, counts, year_gaps
from i18n import translate
from i18n.format import level_label
from reports.cells import literal_frame
from scoring import LEVELS, Framework
from storage.db import data_version
from storage.engine import Store
from storage.organisation import org
from ui import session
from ui.i18n import current_language, t
from ui.text import MISSING, md

CACHE = "eg:table"  # session state: ((store, year, data version), the year's gaps)
ICON = ":material/fact_check:"
# each kind of gap in words (a catalogue key each, named in full so the catalogue's check finds them)
KIND_TEXT = {"met_no_evidence": "eg_kind_met_no_evidence", "met_no_account": "eg_kind_met_no_account",
             "kpi_few_years": "eg_kind_kpi_few_years", "kpi_no_target": "eg_kind_kpi_no_target",
             "kpi_no_comparison": "eg_kind_kpi_no_comparison"}
BOTH = "eg_kind_met_both"  # a level met with neither evidence nor an account: one line, not two
LEVEL_ORDER = {level: n for n, level in enumerate(LEVELS)}
# what the summary says when a scope has no gaps, and what its gaps ask for, by whose they are
NONE = {"department": "eg_none_department", "unit": "eg_none_unit"}
HELP = {"department": "eg_help_department", "unit": "eg_help_unit"}


def _kept(name: str, compute, db: Store, year: int) -> pd.DataFrame:
    """``compute(db, year)``, kept in the session under ``name`` and computed again only when the store (or the
    year) has changed since."""
    key = (str(session.db_path()), year, data_version(db))
    held = st.session_state.get(name)
    if held is None or held[0] != key:
        held = (key, compute(db, year))
        st.session_state[name] = held
    return held[1]


def year_table(db: Store, year: int) -> pd.DataFrame:
    """The year's gaps (``year_gaps``), computed again only when the store has changed since."""
    return _kept(CACHE, year_gaps, db, year)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _natural(text: str) -> tuple:
    """"RM2" before "RM10"."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _item_key(item: str) -> tuple:
    return _natural(str(item))


def kind_text(kind: str, lang: str) -> str:
    """A kind of gap in words ("marked met, but no evidence")."""
    return translate(KIND_TEXT[kind], lang, n=MIN_YEARS)


def lines(table: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(item, line) per place that has gaps, every gap of that place on its line: an item's levels with the same
    gaps share one ("Basic, Advance: marked met, but no evidence"), each KPI has its own ("RM1: no target · no
    comparison"); items in the criteria's order, levels Basic to Significance, then the KPIs."""
    places: dict[tuple, set[str]] = {}
    for row in table.itertuples(index=False):
        places.setdefault((str(row.item), _text(row.level), _text(row.kpi)), set()).add(row.kind)
    merged: dict[tuple, list[str | None]] = {}  # (item, kinds, KPI) -> its levels, in the order first met
    for item, level, kpi in sorted(places, key=lambda p: (_item_key(p[0]), p[2] is not None,
                                                         LEVEL_ORDER.get(p[1], len(LEVELS)), _natural(p[2] or ""))):
        kinds = tuple(k for k in KIND_TEXT if k in places[(item, level, kpi)])
        merged.setdefault((item, kinds, kpi), []).append(level)
    out = []
    for (item, kinds, kpi), levels in merged.items():
        if kpi is None:
            label = ", ".join(level_label(level, lang) for level in levels)
            what = translate(BOTH, lang) if len(kinds) == 2 else kind_text(kinds[0], lang)
        else:
            label, what = md(kpi), " · ".join(kind_text(k, lang) for k in kinds)
        out.append((item, f"{label}: {what}"))
    return out


def of_scope(table: pd.DataFrame, scope: str) -> pd.DataFrame:
    return table[table["scope"] == scope]


def item_gaps(table: pd.DataFrame, scope: str, item: str, kpi: str | None = None) -> None:
    """The gaps of one item of a scope (or of one of its KPIs) as a compact warning beside its answers; nothing
    when it has none."""
    part = table[(table["scope"] == scope) & (table["item"] == item)]
    if kpi is not None:
        part = part[part["kpi"] == kpi]
    if part.empty:
        return
    shown = [line for _, line in lines(part, current_language())]
    st.warning(f"**{t('eg_item_title', n=len(part))}**  \n" + "  \n".join(shown), icon=ICON)


def summary(table: pd.DataFrame, scope: str, framework: Framework, whose: str) -> None:
    """A scope's gaps: how many, in how many items, and (in an expander) every line grouped by item, each with
    the item's name. ``whose``: "department" or "unit", for the words around the count."""
    lang = current_language()
    part = of_scope(table, scope)
    if part.empty:
        st.success(t(NONE[whose]), icon=":material/task_alt:")
        return
    grouped: dict[str, list[str]] = {}
    for item, line in lines(part, lang):
        grouped.setdefault(item, []).append(line)
    with st.expander(t("eg_summary", n=len(part), items=len(grouped)), icon=ICON):
        st.caption(t(HELP[whose], n=MIN_YEARS))
        st.markdown("\n".join(f"- **{md(item)} {md(_item_name(framework, item, lang))}** — {'; '.join(shown)}"
                               for item, shown in grouped.items()))


def _item_name(framework: Framework, item: str, lang: str) -> str:
    try:
        return framework.item(item).name.get(lang)
    except KeyError:
        return ""


def unit_names(db: Store, lang: str) -> dict[str, str]:
    """Unit code -> the unit's name in ``lang`` (every unit: a closed one's gaps keep their name)."""
    units = org.all_units(db)
    return dict(zip(units["code"], units["name_en" if lang == "en" else "name_th"], strict=True))


def readable(table: pd.DataFrame, framework: Framework, names: dict[str, str], lang: str) -> pd.DataFrame:
    """The gaps as people read them in a download, one row per gap as ``year_gaps`` gives them: the unit's code
    and name (the department's assessment named as such), the item and its name, the level, the KPI and the gap
    in words; headings in ``lang``."""
    department = translate("ov_department_row", lang)
    rows = [("" if row.scope == DEPARTMENT else row.scope,
             department if row.scope == DEPARTMENT else names.get(row.scope, ""),
             row.item, _item_name(framework, row.item, lang),
             level_label(row.level, lang) if _text(row.level) else "", _text(row.kpi) or "",
             kind_text(row.kind, lang)) for row in table.itertuples(index=False)]
    headings = [translate(k, lang) for k in ("rv_code", "unit", "ov_item", "ov_item_name", "level", "ov_kpi",
                                             "eg_col_gap")]
    return pd.DataFrame(rows, columns=headings)


def csv_bytes(table: pd.DataFrame, framework: Framework, names: dict[str, str], lang: str) -> bytes:
    """``readable`` as CSV in UTF-8 with a BOM (Excel then reads the Thai), every text cell inert."""
    return literal_frame(readable(table, framework, names, lang)).to_csv(index=False).encode("utf-8-sig")


def download(db: Store, table: pd.DataFrame, framework: Framework, year: int, key: str,
             scope: str | None = None, container=st) -> None:
    """A button that downloads the year's gaps (or one scope's) as CSV, made only when clicked."""
    lang = current_language()
    part = table if scope is None else of_scope(table, scope)
    name = f"evidence-gaps-{year}" + ("" if scope is None else "-" + re.sub(r"[^\w-]", "_", scope)) + f"-{lang}.csv"
    container.download_button(t("eg_download" if scope is None else "eg_download_unit", n=len(part)),
                              lambda: csv_bytes(part, framework, unit_names(db, lang), lang), file_name=name,
                              mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
                              help=t("eg_download_help" if scope is None else "eg_download_unit_help"))


def department_panel(db: Store, framework: Framework, year: int) -> None:
    """The department page's panel: the department's gaps, and the whole year's (units included) to download."""
    table = year_table(db, year)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    left.markdown(f"**{t('eg_title')}**")
    download(db, table, framework, year, "eg:download", container=right)
    summary(table, DEPARTMENT, framework, "department")


def unit_panel(db: Store, framework: Framework, year: int, code: str) -> pd.DataFrame:
    """The review page's panel: the unit's gaps, and them to download; returns the year's table for the items."""
    table = year_table(db, year)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    left.markdown(f"**{t('eg_title')}**")
    if not of_scope(table, code).empty:
        download(db, table, framework, year, "eg:download_unit", scope=code, container=right)
    summary(table, code, framework, "unit")
    return table


def overview_metric(db: Store, year: int, started: bool, container=st) -> None:
    """The overview's count: the department's gaps (a dash before its assessment is started) and the units'."""
    found = counts(year_table(db, year))
    department = f"{found['department']:,}" if started else MISSING
    container.metric(t("eg_metric"), f"{department} · {found['units']:,}", help=t("eg_metric_help", n=MIN_YEARS))


FLAGS = "eg:flags"  # session state: ((store, year, data version), the department's consistency flags)


def flag_table(db: Store, year: int) -> pd.DataFrame:
    """The department's consistency flags (``analysis.consistency.department_flags``), computed again only when the
    store has changed since."""
    return _kept(FLAGS, department_flags, db, year)


def flag_line(row, lang: str) -> str:
    """A flag in words, with both figures: "RM1 84.00 against its target of 85 (2570), falling from 86.00"."""
    parts = []
    if row.below_target:
        parts.append(translate("eg_flag_below", lang, value=f"{row.value:,.2f}", target=f"{row.target:g}",
                               year=int(row.fiscal_year)))
    if row.falling:
        parts.append(translate("eg_flag_falling", lang, previous=f"{row.previous:,.2f}", value=f"{row.value:,.2f}"))
    return translate("eg_flag_line", lang, kpi=md(row.kpi), level=level_label(row.level, lang),
                     why="; ".join(parts))


def item_flags(table: pd.DataFrame, item: str) -> None:
    """Beside an item of categories 1-6: the KPIs tracking it that disagree with the level it claims."""
    part = table[table["item"] == item]
    if part.empty:
        return
    lang = current_language()
    st.warning(f"**{t('eg_flags_title', n=len(part))}**  \n" + "  \n".join(flag_line(r, lang)
                                                                            for r in part.itertuples()),
               icon=":material/compare_arrows:")
