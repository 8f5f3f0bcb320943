"""The self-assessment page's actions beyond single fields: start or copy, add a KPI, submit."""

from __future__ import annotations

import json

import streamlit as st

from analysis.self_assessment import Progress
from scoring import Framework
from storage.assessment import answers, assessments
from storage.assessment.answers import Form
from storage.organisation.accounts import User
from storage.plans import ofis
from ui import choices, session
from ui.assessment_form import EDITOR, key, save
from ui.i18n import current_language, t
from ui.widget_state import form_round, next_round


def copy_previous_offer(form: Form, user: User) -> None:
    """Offer last year's answers as a starting point while the form is empty."""
    year, unit_id = form.assessment["year"], form.assessment["unit_id"]
    if form.ticks or form.narratives or form.kpi_values:
        return
    if assessments.get(session.store(), unit_id, year - 1) is None:
        return

    st.button(t("sa_copy_previous", year=year - 1), icon=":material/content_copy:", on_click=save,
              args=(lambda v: assessments.copy_previous(session.store(), user, form.assessment["id"], v),
                    t("sa_copy_done")))


def add_kpi_form(form: Form, framework: Framework, user: User) -> None:
    """A KPI of the unit's own for a category-7 item, asking only for what the year's rule scores it by: its
    target (the percentage of target) or its floor and ceiling. Refused, everything typed stays; added, the form
    empties."""
    lang = current_language()
    items = [i for i in framework.items() if i.is_results]
    unit_ofis = ofis.for_unit(session.store(), user, form.assessment["unit_id"], form.assessment["year"])
    expander = st.expander(t("sa_add_kpi"), icon=":material/add_chart:", key=key("addkpi_open"), on_change="rerun")
    if not expander.open:  # the form is built only when it is opened
        return
    on_target = framework.rules.unit_kpis == "percent_of_target"
    name_of_form = key("addkpi", form.assessment["id"])
    with expander, st.form(f"{name_of_form}:{form_round(name_of_form)}"):
        st.caption(t("sa_kpi_by_target" if on_target else "sa_kpi_by_floor_ceiling"))
        item = choices.selectbox(t("sa_kpi_item"), [i.id for i in items],
                                 format_func=lambda i: f"{i} {framework.item(i).name.get(lang)}")
        name = st.text_input(t("sa_kpi_name"), max_chars=answers.MAX_NAME)
        cols = st.columns(2)
        unit_label = cols[0].text_input(t("sa_kpi_unit"), max_chars=answers.MAX_NAME)
        direction = choices.selectbox(t("sa_kpi_direction"), ["higher", "lower"], container=cols[1],
                                      format_func=lambda d: t(f"sa_kpi_direction_{d}"))
        cols = st.columns(3 if on_target else 5)
        target = cols[0].number_input(t("sa_kpi_target"), value=80.0)
        floor = ceiling = None
        if not on_target:
            floor = cols[3].number_input(t("sa_kpi_floor"), value=60.0)
            ceiling = cols[4].number_input(t("sa_kpi_ceiling"), value=90.0)
        low = cols[1].number_input(t("sa_kpi_min"), value=0.0, help=t("sa_kpi_range_help"))
        high = cols[2].number_input(t("sa_kpi_max"), value=100.0, help=t("sa_kpi_range_help"))
        ofi = choices.selectbox(t("sa_kpi_ofi"), [None, *[o["id"] for o in unit_ofis]],
                                format_func=lambda o: t("sa_kpi_no_ofi") if o is None else
                                next(f"{x['item']} · {ofis.description(x, lang)}" for x in unit_ofis if x["id"] == o))
        if st.form_submit_button(t("sa_add"), type="primary"):
            save(lambda v: answers.add_own_kpi(session.store(), user, form.assessment["id"], v, item, name,
                                               unit_label, direction, floor, ceiling, target, low, high, ofi),
                 t("sa_kpi_added"))
            if EDITOR.flashed() == "success":
                next_round(name_of_form)
            st.rerun()


GOTO = "sa:goto"  # the item a click on the missing list asked for: its category opens, the page scrolls to it


def _go_to(framework: Framework) -> None:
    item = st.session_state.get(key("missing"))
    if item:
        st.session_state[key("category")] = framework.item(item).category
        st.session_state[GOTO] = item
        st.session_state[key("missing")] = None


def scroll_to_asked_item() -> None:
    """After the items are drawn: bring the item asked for (``GOTO``) into view."""
    item = st.session_state.pop(GOTO, None)
    if item:
        st.html(f"""<script>setTimeout(() => {{
  const head = [...document.querySelectorAll('[data-testid="stMain"] h4')]
      .find(h => h.textContent.trim().startsWith({json.dumps(item + " ")}));
  if (head) head.scrollIntoView({{block: "start"}});
}}, 50);</script>""", unsafe_allow_javascript=True)


def submit_panel(form: Form, user: User, progress: Progress, framework: Framework) -> None:
    if progress.missing:
        st.warning(t("sa_missing", items=", ".join(progress.missing)), icon=":material/checklist:")
        st.pills(t("sa_missing_go"), progress.missing, key=key("missing"), on_change=_go_to, args=(framework,))
        return
    st.success(t("sa_complete"), icon=":material/task_alt:")
    agreed = st.checkbox(t("sa_submit_confirm"), key=key("submit_ok", form.assessment["id"]))

    st.button(t("sa_submit"), type="primary", disabled=not agreed, icon=":material/send:", on_click=save,
              args=(lambda v: assessments.change_status(session.store(), user, form.assessment["id"], v, "submit"),
                    t("sa_submitted")))
