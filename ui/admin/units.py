"""Units: the list, adding and editing one, deactivating, and importing a whole list from Excel or CSV
(checked first, previewed, then applied in one step)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from intake import unit_import
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation import org
from storage.organisation.accounts import User
from ui import choices
from ui.admin import run
from ui.errors import describe
from ui.i18n import current_language, t
from ui.text import MISSING
from ui.widget_state import form_round, next_round, show_stored

PLAN = "adm:import_plan"  # (uploaded file id, its plan): what the preview showed is what Import applies
TEMPLATE = "code,name_th,name_en,group,weight\nPLAN,กองแผนงาน,Planning Division,ส่วนกลาง,60\n"


def view(db: Store, user: User) -> None:
    table = org.all_units(db)
    if table.empty:
        st.info(t("adm_no_units"), icon=":material/domain_add:")
    else:
        st.dataframe(_shown(table), hide_index=True, width="stretch", placeholder=MISSING)
    _import(db, user)
    _add_form(db, user)
    if not table.empty:
        _edit_form(db, user, table)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("adm_unit_code"): table["code"], t("adm_unit_name_th"): table["name_th"],
        t("adm_unit_name_en"): table["name_en"], t("adm_unit_group"): table["kind"],
        t("adm_unit_weight"): table["weight"].map(lambda w: f"{w:g}"),
        t("adm_active"): table["active"].map(lambda a: t("word_yes") if a else t("word_no"))})


def _fields(prefix: str, unit: dict | None = None) -> dict:
    unit = unit or {}
    stored = {"code": unit.get("code", ""), "name_th": unit.get("name_th", ""), "name_en": unit.get("name_en") or "",
              "kind": unit.get("kind") or "", "weight": float(unit.get("weight", 1.0))}
    given = {name: show_stored(f"{prefix}:{name}", value) for name, value in stored.items()}
    left, right = st.columns(2)
    return {
        "code": left.text_input(t("adm_unit_code"), given["code"], key=f"{prefix}:code", max_chars=20,
                                help=t("adm_unit_code_help")),
        "name_th": right.text_input(t("adm_unit_name_th"), given["name_th"], key=f"{prefix}:name_th",
                                    max_chars=org.MAX_NAME),
        "name_en": left.text_input(t("adm_unit_name_en"), given["name_en"], key=f"{prefix}:name_en",
                                   max_chars=org.MAX_NAME),
        "kind": right.text_input(t("adm_unit_group"), given["kind"], key=f"{prefix}:kind", max_chars=org.MAX_GROUP,
                                 help=t("adm_unit_group_help")),
        "weight": left.number_input(t("adm_unit_weight"), min_value=0.0, max_value=float(org.MAX_WEIGHT),
                                    value=given["weight"], key=f"{prefix}:weight", help=t("adm_unit_weight_help")),
    }


def _add_form(db: Store, user: User) -> None:
    with st.expander(t("adm_add_unit"), icon=":material/add_business:"), st.form("adm_add_unit", border=False):
        fields = _fields(f"adm:new_unit:{form_round('adm:new_unit')}")
        if st.form_submit_button(t("adm_add_unit"), type="primary"):
            added = t("adm_unit_added", code=fields["code"].strip())
            if run(lambda: org.add_unit(db, actor=user, **fields), done=added):
                next_round("adm:new_unit")  # added: an empty form; refused: everything typed stays
            st.rerun()


def _edit_form(db: Store, user: User, table: pd.DataFrame) -> None:
    lang = current_language()
    names = dict(zip(table["id"], table["code"] + " · " + table["name_en" if lang == "en" else "name_th"],
                     strict=True))
    with st.expander(t("adm_edit_unit"), icon=":material/edit:"):
        unit_id = choices.selectbox(t("unit"), list(names), format_func=names.get, key="adm:edit_unit")
        unit = org.unit(db, unit_id)
        with st.form(f"adm_edit_unit_{unit_id}", border=False):
            fields = _fields(f"adm:unit:{unit_id}", unit)
            if st.form_submit_button(t("adm_save"), type="primary"):
                run(lambda: org.update_unit(db, user, unit_id, **fields), done=t("adm_saved"))
                st.rerun()
        if unit["active"]:
            st.caption(t("adm_deactivate_hint"))
            if st.button(t("adm_deactivate"), key=f"adm:unit_off:{unit_id}", icon=":material/block:"):
                run(lambda: org.set_unit_active(db, user, unit_id, False), done=t("adm_saved"))
                st.rerun()
        elif st.button(t("adm_reactivate"), key=f"adm:unit_on:{unit_id}"):
            run(lambda: org.set_unit_active(db, user, unit_id, True), done=t("adm_saved"))
            st.rerun()


def _import(db: Store, user: User) -> None:
    round_ = st.session_state.get("adm:import_round", 0)
    with st.expander(t("adm_import_units"), icon=":material/upload_file:", expanded=org.all_units(db).empty):
        st.caption(t("adm_import_hint"))
        st.download_button(t("adm_import_template"), lambda: TEMPLATE.encode("utf-8-sig"),
                           file_name="units-template.csv", mime="text/csv", on_click="ignore")
        upload = st.file_uploader(t("adm_import_file"), type=["csv", "xlsx"], key=f"adm:import:{round_}",
                                  max_upload_size=unit_import.MAX_BYTES // (1024 * 1024))
        if upload is None:
            return
        previewed = st.session_state.get(PLAN)
        if previewed is None or previewed[0] != upload.file_id:  # the plan shown is the plan applied
            try:
                previewed = (upload.file_id, unit_import.plan(db, unit_import.read_table(upload.getvalue(),
                                                                                         upload.name)))
            except StoreError as exc:
                st.error(describe(exc), icon=":material/error:")
                return
            st.session_state[PLAN] = previewed
        plan = previewed[1]
        if not plan.ok:
            st.error(t("adm_import_problems", n=len(plan.problems)), icon=":material/error:")
            st.dataframe(pd.DataFrame({
                t("adm_import_row"): [p.row for p in plan.problems],
                t("adm_import_column"): [p.column for p in plan.problems],
                t("adm_import_problem"): [t(p.key, **p.params) for p in plan.problems]}),
                hide_index=True, width="stretch", placeholder=MISSING)
            return
        st.success(t("adm_import_preview", added=len(plan.added), changed=len(plan.changed),
                     unchanged=plan.unchanged), icon=":material/preview:")
        if plan.added:
            st.markdown(f"**{t('adm_import_added')}**")
            st.dataframe(pd.DataFrame(plan.added).rename(columns=_headers()), hide_index=True, width="stretch",
                         placeholder=MISSING)
        if plan.changed:
            st.markdown(f"**{t('adm_import_changed')}**")
            st.dataframe(pd.DataFrame([_change_row(before, after) for before, after in plan.changed]),
                         hide_index=True, width="stretch", placeholder=MISSING)
        if st.button(t("adm_import_apply", n=len(plan.added) + len(plan.changed)), type="primary",
                     disabled=not (plan.added or plan.changed), key=f"adm:import_apply:{round_}"):
            if run(lambda: unit_import.apply(db, plan, user),
                   done=t("adm_import_done", added=len(plan.added), changed=len(plan.changed))):
                st.session_state["adm:import_round"] = round_ + 1  # a fresh, empty uploader
            st.session_state.pop(PLAN, None)
            st.rerun()


def _headers() -> dict[str, str]:
    """The import's column names as the page shows them."""
    return {"code": t("adm_unit_code"), "name_th": t("adm_unit_name_th"), "name_en": t("adm_unit_name_en"),
            "group": t("adm_unit_group"), "weight": t("adm_unit_weight"), "active": t("adm_active")}


def _change_row(before: dict, after: dict) -> dict:
    shown = {f: label for f, label in _headers().items() if f != "code"}

    def text(field: str, value) -> str:
        if field == "weight":
            return f"{float(value):g}"
        if field == "active":
            return t("word_yes") if value else t("word_no")
        return str(value)

    changes = [f"{label}: {text(f, before[f])} → {text(f, after[f])}" for f, label in shown.items()
               if before[f] != after[f]]
    return {t("adm_unit_code"): before["code"], t("adm_import_changes"): "; ".join(changes)}
