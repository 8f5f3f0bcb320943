"""A year's criteria file (upload, preview of what it changes, accept), its scoring rules (how a missing KPI
value counts, which categories are assessed), its thresholds and award rules, and the page limits of its
application's parts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n.format import local_time, year_label
from reports.page_budget import part_name
from scoring.criteria import ALL_CATEGORIES, BUDGET_PARTS, MISSING_KPI_RULES
from storage.assessment import criteria, years
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation import org
from storage.organisation.accounts import User
from ui import choices
from ui.admin import run
from ui.errors import describe
from ui.i18n import current_language, t
from ui.people import person
from ui.text import MISSING, md
from ui.widget_state import show_stored, store_changed


def view(db: Store, user: User) -> None:
    lang = current_language()
    cycles = [c["year"] for c in org.cycles(db)][::-1]
    if not cycles:
        st.info(t("adm_open_year_first"), icon=":material/event:")
        return
    year = choices.selectbox(t("adm_year"), cycles, key="adm:criteria_year", format_func=lambda y: year_label(y, lang))
    row = years.cycle(db, year)
    framework = years.framework_of(db, year)
    files = {f["sha256"]: f for f in criteria.accepted_files(db)}
    if row["criteria_sha"]:
        used = files[row["criteria_sha"]]
        st.markdown(t("adm_criteria_in_use_file", name=md(used["name"]), by=md(person(used["accepted_by"])),
                      when=local_time(used["accepted_at"], lang)))
    else:
        st.markdown(t("adm_criteria_in_use_default", name=framework.name.get(lang)))
    _upload(db, user, year)
    _default(db, user, year)
    st.divider()
    _rules(db, user, year, framework, saved=row["rules"] is not None)
    st.divider()
    _thresholds(db, user, year, framework, saved=row["thresholds"] is not None)
    st.divider()
    _page_limits(db, user, year, framework, saved=row["page_limits"] is not None)


def _upload(db: Store, user: User, year: int) -> None:
    round_ = st.session_state.get("adm:criteria_round", 0)
    upload = st.file_uploader(t("adm_criteria_upload"), type=["yaml", "yml"], key=f"adm:criteria:{year}:{round_}",
                              max_upload_size=criteria.MAX_BYTES // (1024 * 1024),
                              help=t("adm_criteria_upload_help"))
    if upload is None:
        return
    data = upload.getvalue()
    try:
        preview = criteria.preview(db, year, data, upload.name)
    except StoreError as exc:
        st.error(describe(exc), icon=":material/error:")
        return
    _changes(preview)
    if st.button(t("adm_criteria_accept", year=year), type="primary", key=f"adm:criteria_accept:{year}:{round_}"):
        if run(lambda: criteria.accept(db, user, year, data, upload.name), done=t("adm_criteria_accepted")):
            st.session_state["adm:criteria_round"] = round_ + 1
        st.rerun()


def _default(db: Store, user: User, year: int) -> None:
    """When the year keeps another file than the default on disk today (the one it was opened with, or one
    accepted): what going back to the default would change, and the button that does it."""
    try:
        preview = criteria.default_preview(db, year)
    except StoreError as exc:  # the year's own file on disk does not load
        st.error(describe(exc), icon=":material/error:")
        return
    if preview is None:
        return
    with st.expander(t("adm_criteria_default_diff", name=preview.framework.name.get(current_language())),
                     icon=":material/difference:"):
        _changes(preview)
    if st.button(t("adm_criteria_use_default"), key=f"adm:criteria_default:{year}"):
        run(lambda: criteria.use_default(db, user, year), done=t("adm_saved"))
        st.rerun()


def _changes(preview: criteria.Preview) -> None:
    """A file's changes to the year's criteria, row by row, their counts, and the saved answers it leaves out."""
    if preview.diff.is_empty:
        st.info(t("diff_none"), icon=":material/check:")
    else:
        rows = preview.diff.as_rows()
        st.dataframe(pd.DataFrame({
            t("diff_col_kind"): [t(f"diff_kind_{r['kind']}") for r in rows],
            t("diff_col_ref"): [r["ref"] for r in rows],
            t("diff_col_change"): [t(f"diff_change_{r['change']}") for r in rows],
            t("diff_col_before"): [r["before"] or "" for r in rows],
            t("diff_col_after"): [r["after"] or "" for r in rows]}), hide_index=True, width="stretch",
            placeholder=MISSING)
        counts = preview.diff
        st.caption(t("adm_criteria_counts", items_added=len(counts.items_added),
                     items_removed=len(counts.items_removed), added=len(counts.checkpoints_added),
                     removed=len(counts.checkpoints_removed), reworded=len(counts.checkpoints_reworded),
                     kpis=len(counts.kpis_added) + len(counts.kpis_removed) + len(counts.kpis_changed)))
    if preview.orphaned_answers:
        st.warning(t("adm_criteria_orphans", answers=preview.orphaned_answers,
                     assessments=preview.orphaned_assessments), icon=":material/warning:")


def _rules(db: Store, user: User, year: int, framework, saved: bool) -> None:
    """How the year counts a KPI with no value, and which categories it assesses."""
    st.subheader(t("adm_rules"))
    st.caption(t("adm_rules_saved") if saved else t("adm_rules_from_file"))
    rules = framework.rules
    for key, stored in ((f"adm:rules:{year}:missing", rules.missing_kpis),
                        (f"adm:rules:{year}:categories", list(rules.categories))):
        if store_changed(key, stored):  # saved meanwhile (by another admin): the form shows it
            choices.choose(key, stored)
    with st.form(f"adm_rules_{year}"):
        missing = choices.one("radio", t("adm_rules_missing"), MISSING_KPI_RULES, f"adm:rules:{year}:missing",
                              lambda r: t(f"adm_rules_missing_{r}"), default=rules.missing_kpis)
        chosen = choices.many(t("adm_rules_categories"), ALL_CATEGORIES, f"adm:rules:{year}:categories",
                              lambda c: t("category_short", n=c), default=rules.categories,
                              help=t("adm_rules_categories_help"))
        if st.form_submit_button(t("adm_save_rules"), type="primary"):
            run(lambda: years.set_rules(db, user, year, missing, chosen), done=t("adm_saved"))
            st.rerun()


def _thresholds(db: Store, user: User, year: int, framework, saved: bool) -> None:
    st.subheader(t("adm_thresholds"))
    st.caption(t("adm_thresholds_saved") if saved else t("adm_thresholds_from_file"))
    now = framework.thresholds
    with st.form(f"adm_thresholds_{year}"):
        st.markdown(f"**{t('adm_levels')}**")
        cols = st.columns(3)
        levels = {level: _number(cols[i], t(f"level_{level}"), f"adm:th:{year}:{level}", getattr(now.levels, level))
                  for i, level in enumerate(("basic", "advance", "significance"))}
        st.markdown(f"**{t('adm_awards')}**")
        tiers = []
        for tier in now.awards.tiers:
            cols = st.columns(2)
            name = tier.name.get(current_language())
            tiers.append(tier.model_dump() | {
                part: _number(cols[i], t(f"adm_award_tier_{part}", tier=name), f"adm:th:{year}:{tier.id}:{part}",
                              getattr(tier, part)) for i, part in enumerate(("total", "category_min"))})
        category = _number(st, t("adm_award_category"), f"adm:th:{year}:category", now.awards.category)
        awards = {"tiers": tiers, "category": category}
        ladder_key = f"adm:th:{year}:ladder"
        ladder = st.text_input(t("adm_ladder"), show_stored(ladder_key, ", ".join(f"{v:g}" for v in now.ladder)),
                               key=ladder_key, help=t("adm_ladder_help"))
        if st.form_submit_button(t("adm_save_thresholds"), type="primary"):
            run(lambda: years.set_thresholds(db, user, year, {"levels": levels, "awards": awards,
                                                              "ladder": _numbers(ladder)}),
                done=t("adm_saved"))
            st.rerun()


def _page_limits(db: Store, user: User, year: int, framework, saved: bool) -> None:
    """The most pages each part of the year's application may take (empty or 0: no limit), beside the criteria
    file's (assumptions: OPDC's current limits are not public)."""
    lang = current_language()
    st.subheader(t("adm_page_limits"))
    st.caption(t("adm_page_limits_saved") if saved else t("adm_page_limits_from_file"))
    application = years.file_framework(db, year).application
    defaults = ", ".join(f"{part_name(part, lang)} {_pages(application.page_limit(part))}" for part in BUDGET_PARTS)
    st.caption(t("adm_page_limits_defaults", limits=defaults))
    if application.page_limits_note:
        st.caption(t("adm_page_limits_note", note=application.page_limits_note.get(lang)))
    now = framework.application
    with st.form(f"adm_page_limits_{year}"):
        columns = st.columns(3)
        chosen = {}
        for i, part in enumerate(BUDGET_PARTS):
            key = f"adm:pl:{year}:{part}"
            chosen[part] = columns[i % 3].number_input(
                part_name(part, lang), 0, years.MAX_PAGES, show_stored(key, now.page_limit(part)), step=1, key=key,
                help=t("adm_page_limits_input_help", limit=_pages(application.page_limit(part))))
        if st.form_submit_button(t("adm_save_page_limits"), type="primary"):
            limits = {part: int(pages) if pages else None for part, pages in chosen.items()}
            run(lambda: years.set_page_limits(db, user, year, limits), done=t("adm_saved"))
            st.rerun()
    if saved and st.button(t("adm_page_limits_use_file"), key=f"adm:pl_file:{year}"):
        run(lambda: years.set_page_limits(db, user, year, {}), done=t("adm_saved"))
        st.rerun()


def _pages(limit: int | None) -> str:
    return str(limit) if limit is not None else t("pb_no_limit")


def _number(container, label: str, key: str, stored: float) -> float:
    """A threshold's input (0-500), showing the stored value (``show_stored``)."""
    return container.number_input(label, 0.0, 500.0, show_stored(key, float(stored)), step=10.0, key=key)


def _numbers(text: str) -> list:
    """'300, 350, 400' as numbers; a part that is not a number is kept as text for the store to refuse."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    values = []
    for part in parts:
        try:
            values.append(float(part))
        except ValueError:
            values.append(part)
    return values
