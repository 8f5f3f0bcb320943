"""The OFI register's widgets: the editable table, progress notes, and creating OFIs by hand or
from gaps. Every change goes through ``storage.plans.ofis``, which checks and audits it."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import pandas as pd
import streamlit as st

from analysis.ofi import gap_table
from i18n.format import local_time, thailand_today
from reports.ofi_export import register_csv, register_xlsx
from storage.organisation import org
from storage.organisation.accounts import User
from storage.plans import ofis
from ui import choices, session
from ui.dates import date_column, date_input, with_era
from ui.editor import Editor
from ui.i18n import current_language, t
from ui.text import MISSING, md
from ui.widget_state import form_round, next_round

EDITABLE = ("description", "priority", "owner", "due_date", "status")
GAP_TABLE = ("chosen", "ref", "text", "points", "owner", "units", "made")  # the gaps table's columns
TABS = {"register": "ofi_tab_register", "gaps": "ofi_tab_gaps", "manual": "ofi_tab_manual"}
EDITOR = Editor("ofi")
run = EDITOR.attempt
show_flash = EDITOR.show_flash


def _editor_key() -> str:
    return f"ofi:editor:{st.session_state.get('ofi:editor_round', 0)}"


def table_changes(edited_rows: dict, frame: pd.DataFrame, labels: dict[str, dict[str, str]]) -> list[tuple[int, dict]]:
    """The table's edited cells as (OFI id, {field: stored value}): translated labels back to codes,
    dates to ``date``; only fields the register lets people change."""
    changes = []
    for row, changed in edited_rows.items():
        values = {}
        for column, value in changed.items():
            if column not in EDITABLE:
                continue
            if column in labels:
                value = {label: code for code, label in labels[column].items()}.get(value, value)
            if column == "due_date" and value:
                value = date.fromisoformat(str(value)[:10])
            values[column] = value
        if values:
            changes.append((int(frame.iloc[int(row)]["id"]), values))
    return changes


def _apply_edits(user: User, frame: pd.DataFrame, labels: dict[str, dict[str, str]]) -> None:
    """Save the cells changed in the table, one OFI at a time; then start a fresh table."""
    edits = st.session_state.get(_editor_key(), {}).get("edited_rows", {})
    versions = dict(zip(frame["id"], frame["version"], strict=True))  # as shown: a later change by someone else wins
    for ofi_id, values in table_changes(edits, frame, labels):
        if not run(lambda i=ofi_id, v=values: ofis.update(session.store(), user, i, int(versions[i]), **v),
                   t("ofi_saved")):
            break
    st.session_state["ofi:editor_round"] = st.session_state.get("ofi:editor_round", 0) + 1


def register_table(user: User, frame: pd.DataFrame, owners: dict[str, str], people: dict[str, str],
                   editable: bool) -> None:
    """The editable register. Owners show as people know them (``people``: ``storage.organisation.accounts.people``),
    due dates picked day first, with the Buddhist-Era date beside them on a Thai screen (``ui.dates``); the status
    comes right after the description, where it is seen without scrolling."""
    if frame.empty:  # an empty table says "empty", in English
        st.info(t("ofi_none"), icon=":material/checklist:")
        return
    labels = {"priority": {p: t(f"ofi_priority_{p}") for p in ofis.PRIORITIES},
              "status": {s: t(f"ofi_status_{s}") for s in ofis.STATUSES},
              "owner": {**people, **owners}}
    lang = current_language()
    shown = frame.assign(description=[ofis.description(row, lang) for _, row in frame.iterrows()],
                         priority=frame["priority"].map(labels["priority"]),
                         status=frame["status"].map(labels["status"]),
                         owner=frame["owner"].map(lambda o: people.get(o, o)),
                         source=frame["source"].map(lambda s: t(f"ofi_source_{s}")))
    columns = ["id", "item", "description", "status", "priority", "owner", "due_date", "overdue", "points", "units",
               "source"]
    table, era, columns = with_era(shown[columns], {"due_date": t("ofi_col_due_date")})
    st.data_editor(
        table, key=_editor_key(), hide_index=True, width="stretch", placeholder=MISSING, column_order=columns,
        disabled=not editable or [
            c for c in columns if c not in EDITABLE],
        on_change=_apply_edits, args=(user, frame, labels),
        column_config={
            "id": st.column_config.NumberColumn(t("ofi_col_id"), format="%d"),
            "item": t("ofi_col_item"), "units": t("ofi_col_units"), "source": t("ofi_col_source"),
            "description": st.column_config.TextColumn(t("ofi_col_description"), max_chars=ofis.MAX_TEXT,
                                                       width="large"),
            "priority": st.column_config.SelectboxColumn(t("ofi_col_priority"), required=True,
                                                         options=list(labels["priority"].values())),
            "owner": st.column_config.SelectboxColumn(t("ofi_col_owner"), options=list(owners.values()),
                                                      required=True),
            "due_date": date_column(t("ofi_col_due_date"), required=True),
            "status": st.column_config.SelectboxColumn(t("ofi_col_status"), required=True,
                                                       options=list(labels["status"].values())),
            "points": st.column_config.NumberColumn(t("ofi_col_points"), format="%.2f"),
            "overdue": st.column_config.CheckboxColumn(t("ofi_col_overdue")),
        } | era,
    )


def register_view(user: User, year: int, units: dict[int, str], owners: dict[str, str],
                  people: dict[str, str]) -> None:
    """The register tab: filters, the editable table, downloads, carry-over and progress notes."""
    db, lang = session.store(), current_language()
    cols = st.columns(5)
    every = t("ofi_all")  # a selectbox shows None as its placeholder
    category = choices.one("selectbox", t("category"), [None, *range(1, 8)], "ofi:f:category",
                           lambda c: every if c is None else t("category_short", n=c), container=cols[0],
                           placeholder=every)
    unit_id = choices.one("selectbox", t("unit"), [None, *units], "ofi:f:unit",
                          lambda u: every if u is None else units[u], container=cols[1], placeholder=every)
    owner = choices.one("selectbox", t("ofi_col_owner"), [None, *owners], "ofi:f:owner",
                        lambda o: every if o is None else owners[o], container=cols[2], placeholder=every)
    status = choices.many(t("ofi_col_status"), ofis.STATUSES, "ofi:f:status", lambda s: t(f"ofi_status_{s}"),
                          container=cols[3], placeholder=t("ofi_all"))
    overdue = cols[4].checkbox(t("ofi_overdue_only"), key="ofi:f:overdue")
    frame = ofis.register(db, user, year, category=category, unit_id=unit_id, owner=owner, status=status or None,
                          overdue=overdue)
    st.caption(t("ofi_count", n=len(frame)))
    register_table(user, frame, owners, people, editable=True)
    down = st.columns(3)
    # the files are made only when a button is clicked, and a click does not rerun the page
    down[0].download_button(t("ofi_export_xlsx"), partial(register_xlsx, frame, lang, people),
                            file_name=f"ofi-{year}.xlsx", icon=":material/table_view:", key="ofi:xlsx",
                            on_click="ignore")
    down[1].download_button(t("ofi_export_csv"), partial(register_csv, frame, lang, people),
                            file_name=f"ofi-{year}.csv", icon=":material/csv:", key="ofi:csv", on_click="ignore")
    has_previous = year - 1 in {c["year"] for c in org.cycles(db)}
    if has_previous and down[2].button(t("ofi_carry_over", year=year - 1), key="ofi:carry",
                                       icon=":material/move_down:"):
        run(lambda: ofis.carry_over(db, user, year - 1, year), t("ofi_carried"))
        st.rerun()
    st.subheader(t("ofi_notes"))
    notes_panel(user, frame, people)


def gaps_view(user: User, year: int, units: dict[int, str], codes: dict[int, str], owners: dict[str, str]) -> None:
    """The tab that makes OFIs from score gaps, for the department or one unit: filtered by category, the gaps
    already in the register hidden unless asked for, several chosen at once."""
    db, lang = session.store(), current_language()
    st.caption(t("ofi_gaps_caption"))
    cols = st.columns([2, 2, 1], vertical_alignment="bottom")
    scope = choices.one("selectbox", t("ofi_gap_scope"), [None, *units], "ofi:gap_scope",
                        lambda u: t("ofi_department") if u is None else units[u], container=cols[0],
                        placeholder=t("ofi_department"))  # a selectbox shows None as its placeholder
    categories = choices.many(t("category"), range(1, 8), "ofi:gap_categories", lambda c: t("category_short", n=c),
                              container=cols[1], placeholder=t("ofi_all"))
    hide = cols[2].checkbox(t("ofi_gap_hide_made"), value=True, key="ofi:gap_hide")
    gaps = gap_table(db, year, lang, unit_id=scope)
    made = made_from(ofis.register(db, user, year), gaps)
    keep = gaps["category"].isin(categories) if categories else pd.Series(True, index=gaps.index)
    if hide:
        keep &= made.isna()
    from_gaps_form(user, year, gaps[keep], made[keep], codes, owners, (scope, tuple(categories), hide))


def made_from(register: pd.DataFrame, gaps: pd.DataFrame) -> pd.Series:
    """For each gap, the id of an OFI of the register made from it for the same units (else None)."""
    made = {(r["gap_kind"], r["gap_ref"], tuple(sorted(r["unit_ids"]))): int(r["id"])
            for _, r in register.iterrows() if r["gap_ref"]}
    return pd.Series([made.get((g["kind"], g["ref"], tuple(sorted(g["unit_ids"])))) for _, g in gaps.iterrows()],
                     index=gaps.index, dtype="Int64")


def gaps_frame(gaps: pd.DataFrame, made: pd.Series, codes: dict[int, str], owners: dict[str, str],
               defaults: list[str]) -> pd.DataFrame:
    """The gaps as the table shows them: a box to choose each, its owner (a label of ``owners``, from
    ``defaults``), and what it is."""
    return pd.DataFrame({
        "chosen": False, "ref": gaps["ref"], "text": gaps["text"],
        "units": [", ".join(codes.get(u, str(u)) for u in ids) for ids in gaps["unit_ids"]],
        "points": gaps["points"].astype(float), "owner": [owners.get(o, o) for o in defaults], "made": made,
    }, index=gaps.index, columns=list(GAP_TABLE))


def chosen_gaps(edited: pd.DataFrame, gaps: pd.DataFrame, owners: dict[str, str]) -> tuple[list[dict], list[str]]:
    """The gaps ticked in the table and their owners' user names, in the table's order."""
    names = {label: name for name, label in owners.items()}
    rows = edited[edited["chosen"].fillna(False).astype(bool)]
    return [gaps.loc[i].to_dict() for i in rows.index], [names.get(o, o) for o in rows["owner"]]


def from_gaps_form(user: User, year: int, gaps: pd.DataFrame, made: pd.Series, codes: dict[int, str],
                   owners: dict[str, str], view: tuple) -> None:
    """A table of the gaps shown, each with a box to choose it and its owner (suggested by the store:
    an assessor of the unit for a unit's gap, the user for a gap several units share); one OFI per chosen
    gap, all made in one action, or none."""
    if gaps.empty:
        st.info(t("ofi_no_gaps"))
        return
    db = session.store()
    defaults = ofis.default_owners(db, user, year, gaps["unit_ids"])
    round_ = st.session_state.get("ofi:gaps_round", 0)
    st.caption(t("ofi_gaps_help", n=len(gaps)))
    edited = st.data_editor(
        gaps_frame(gaps, made, codes, owners, defaults), key=f"ofi:gaps:{view}:{round_}", hide_index=True,
        width="stretch", placeholder=MISSING, disabled=["ref", "text", "units", "points", "made"],
        column_order=[c for c in GAP_TABLE if c != "made" or made.notna().any()],  # "made" only when there are
        column_config={
            "chosen": st.column_config.CheckboxColumn(t("ofi_gap_col_chosen"), width="small"),
            "ref": t("ofi_gap"), "units": t("ofi_col_units"),
            "text": st.column_config.TextColumn(t("ofi_gap_col_text"), width="large"),
            "points": st.column_config.NumberColumn(t("ofi_col_points"), format="%.2f"),
            "owner": st.column_config.SelectboxColumn(t("ofi_col_owner"), options=list(owners.values()),
                                                      required=True),
            "made": st.column_config.NumberColumn(t("ofi_gap_col_made"), format="#%d"),
        })
    chosen, chosen_owners = chosen_gaps(edited, gaps, owners)
    cols = st.columns(2)
    priority = choices.selectbox(t("ofi_col_priority"), ofis.PRIORITIES, container=cols[0], index=1,
                                 key="ofi:gapform:priority", format_func=lambda p: t(f"ofi_priority_{p}"))
    due = date_input(t("ofi_col_due_date"), thailand_today() + timedelta(days=90), key="ofi:gapform:due",
                     container=cols[1])
    if st.button(t("ofi_create_from_gaps", n=len(chosen)), type="primary", key="ofi:create_gaps",
                 icon=":material/add_task:", disabled=not chosen):
        if run(lambda: ofis.from_gaps(db, user, year, chosen, chosen_owners, due, priority),
               t("ofi_created_n", n=len(chosen))):
            st.session_state["ofi:gaps_round"] = round_ + 1  # a fresh table: nothing chosen
        st.rerun()


def notes_panel(user: User, frame: pd.DataFrame, people: dict[str, str]) -> None:
    if frame.empty:
        return
    lang = current_language()
    texts = {row["id"]: ofis.description(row, lang) for _, row in frame.iterrows()}
    ofi_id = choices.selectbox(t("ofi_notes_for"), frame["id"].tolist(), key="ofi:notes_for",
                               format_func=lambda i: f"#{i} · {texts[i][:80]}")
    record = ofis.get(session.store(), user, ofi_id)
    for note in record["notes"]:
        author = people.get(note["author"], note["author"])
        st.markdown(f"- **{md(author)}** ({local_time(note['at'], lang)}): {md(note['text'])}")
    with st.form("ofi:note"):
        text = st.text_area(t("ofi_note"), max_chars=ofis.MAX_TEXT, key=f"ofi:note:{form_round('ofi:note')}")
        if st.form_submit_button(t("ofi_add_note")):
            if run(lambda: ofis.add_note(session.store(), user, ofi_id, text), t("ofi_note_added")):
                next_round("ofi:note")  # added: an empty box; refused: the text stays
            st.rerun()


def _common_fields(owners: dict[str, str], prefix: str) -> tuple[str, str, date]:
    cols = st.columns(3)
    owner = choices.selectbox(t("ofi_col_owner"), list(owners), container=cols[0], key=f"{prefix}:owner",
                              format_func=owners.get)
    priority = choices.selectbox(t("ofi_col_priority"), ofis.PRIORITIES, container=cols[1], index=1,
                                 key=f"{prefix}:priority", format_func=lambda p: t(f"ofi_priority_{p}"))
    due = date_input(t("ofi_col_due_date"), thailand_today() + timedelta(days=90), key=f"{prefix}:due",
                     container=cols[2])
    return owner, priority, due


def manual_form(user: User, year: int, items: list[str], units: dict[int, str], owners: dict[str, str]) -> None:
    item = choices.selectbox(t("ofi_col_item"), items, key="ofi:new:item")
    chosen = choices.multiselect(t("ofi_col_units"), list(units), format_func=units.get, key="ofi:new:units")
    text = st.text_area(t("ofi_col_description"), max_chars=ofis.MAX_TEXT, key="ofi:new:text")
    owner, priority, due = _common_fields(owners, "ofi:new")
    if st.button(t("ofi_create"), type="primary", key="ofi:create", icon=":material/add_task:"):
        if run(lambda: ofis.create(session.store(), user, year, item, text, priority, owner, due, chosen),
               t("ofi_created")):
            st.session_state.pop("ofi:new:text", None)
        st.rerun()
