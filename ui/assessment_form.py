"""The self-assessment form's widgets. Every change saves at once through a callback (see
``ui.editor``); the page re-renders from the store, so what is shown is what is saved."""

from __future__ import annotations

import streamlit as st

from analysis.self_assessment import ItemView, by_target, item_view, kpi_score_of, kpi_value, ticks_of
from charts import kpi_sparkline
from i18n.format import level_label, score_text
from scoring import LEVELS, Framework
from scoring.criteria import Item
from storage.assessment import answers
from storage.assessment.answers import Form, kpis_of
from storage.files import evidence
from storage.organisation.accounts import User
from ui import session
from ui.editor import Editor
from ui.evidence_list import evidence_list
from ui.i18n import current_language, t
from ui.people import person
from ui.text import kpi_field, md, thai_lines

EDITOR = Editor("sa")
key, prime, save = EDITOR.key, EDITOR.prime, EDITOR.save


def begin(form: Form) -> bool:
    return EDITOR.begin(form.assessment["id"], form.assessment["version"])


def _on_tick(user: User, assessment_id: int, checkpoint: str) -> None:
    k = key("cp", checkpoint)
    met = bool(st.session_state[k])
    EDITOR.save_field(k, met, lambda v, shown: answers.save_checkpoints(
        session.store(), user, assessment_id, v, {checkpoint: met}, before={checkpoint: bool(shown)}))


def _narrative_saver(user: User, assessment_id: int, item: str, level: str):
    """``save(version, shown, text)`` of an item's account at a level."""
    return lambda version, shown, text: answers.save_narrative(session.store(), user, assessment_id, version, item,
                                                               level, text, before=shown or "")


def _on_narrative(user: User, assessment_id: int, item: str, level: str) -> None:
    k = key("nar", item, level)
    text = st.session_state[k] or ""
    save = _narrative_saver(user, assessment_id, item, level)
    EDITOR.save_field(k, text.strip(), lambda v, shown: save(v, shown, text))


def _on_none_met(user: User, assessment_id: int, item: str) -> None:
    k = key("none", item)
    none = bool(st.session_state[k])
    EDITOR.save_field(k, none, lambda v, shown: answers.save_none_met(
        session.store(), user, assessment_id, v, item, none, before=bool(shown)))


def _on_kpi(user: User, assessment_id: int, kpi: str, fiscal_year: int) -> None:
    k = key("kpi", kpi, fiscal_year)
    value = st.session_state[k]
    EDITOR.save_field(k, value, lambda v, shown: answers.save_kpi_values(
        session.store(), user, assessment_id, v, {(kpi, fiscal_year): value}, before={(kpi, fiscal_year): shown}))


def level_heading(column, item: Item, level: str, title: str) -> None:
    """A level's title, its theme in the criteria (in Thai with its English tag beside it, as assessors write it)
    and, for a level of one checkpoint, that it is all or nothing."""
    column.markdown(f"**{title}**")
    theme = item.theme(level)
    if theme:
        lang = current_language()
        text = theme.get(lang) + (f" ({theme.tag})" if theme.tag and lang == "th" else "")
        column.caption(t("sa_level_theme", theme=thai_lines(text)))
    if len(item.level_checkpoints(level)) == 1:
        column.caption(t("sa_single_checkpoint"))


def render_item(form: Form, item: Item, framework: Framework, user: User, fresh: bool, editable: bool,
                evidence_rows: list[dict]) -> ItemView:
    lang = current_language()
    aid = form.assessment["id"]
    ticks = ticks_of(form)
    view = item_view(item, ticks, framework)
    with st.container(border=True):
        head, score = st.columns([5, 1])
        head.markdown(f"#### {item.id} {item.name.get(lang)}")
        if item.statement:
            head.caption(thai_lines(item.statement.get(lang)))
        score.metric(t("sa_item_score", score=""), score_text(view.detail.score), border=False)
        score.caption(thai_lines(level_label(view.level, lang)))
        ids = {cp.id for level in LEVELS for cp in item.level_checkpoints(level)}
        if any(form.ticks.get(cp, {}).get("needs_confirm") for cp in ids):
            note, button = st.columns([4, 1])
            note.warning(t("sa_needs_confirm"), icon=":material/history:")
            button.button(t("sa_confirm"), key=key("confirm", item.id), disabled=not editable,
                          on_click=lambda: save(lambda v: answers.confirm_item(session.store(), user, aid, v, item.id)))
        if view.detail.locked:
            st.info(t("sa_locked", points=score_text(view.detail.locked_total),
                      level=level_label(view.detail.blocking, lang), checkpoints=", ".join(view.release)),
                    icon=":material/lock:")
        for note in form.comments:
            if note["item"] == item.id:
                shown = st.success if note["kind"] == "strength" else st.warning
                shown(t(f"note_{note['kind']}", author=md(person(note["author"])), text=md(note["text"])),
                      icon=":material/rate_review:")
        any_met = any(ticks.get(cp, False) for cp in ids)
        k = key("none", item.id)
        none = prime(k, item.id in form.none_met and not any_met, fresh or any_met)  # a tick withdraws the answer
        st.checkbox(t("sa_none_met"), none, key=k, help=t("sa_none_met_help"), disabled=not editable or any_met,
                    on_change=_on_none_met, args=(user, aid, item.id))
        EDITOR.field_error(k)
        for column, level in zip(st.columns(3), LEVELS, strict=True):
            checkpoints = item.level_checkpoints(level)
            met = sum(ticks.get(cp.id, False) for cp in checkpoints)
            level_heading(column, item, level, t("sa_level_met", level=level_label(level, lang), met=met,
                                                 total=len(checkpoints)))
            for cp in checkpoints:
                k = key("cp", cp.id)
                column.checkbox(f"{cp.id} {thai_lines(cp.text.get(lang))}", prime(k, ticks.get(cp.id, False), fresh),
                                key=k, disabled=not editable, wrap=True, width="stretch", on_change=_on_tick,
                                args=(user, aid, cp.id))
                EDITOR.field_error(k, column)
                review = form.ticks.get(cp.id, {}).get("review")
                if review is not None and review != ticks.get(cp.id, False):
                    column.caption(t("sa_committee_met" if review else "sa_committee_not_met"))
            k = key("nar", item.id, level)
            column.text_area(t("sa_narrative"), prime(k, form.narratives.get((item.id, level), ""), fresh), key=k,
                             height=130, max_chars=answers.MAX_NARRATIVE, disabled=not editable,
                             on_change=_on_narrative, args=(user, aid, item.id, level),
                             help=t("sa_narrative_help", limit=answers.MAX_NARRATIVE))
            EDITOR.field_error(k, column)
            EDITOR.text_saved(k, column)
            with column:
                render_evidence(user, aid, item.id, level, None, editable,
                                [e for e in evidence_rows if e["item"] == item.id and e["level"] == level])
        for level in LEVELS:  # a refused account, theirs and the user's side by side: the item's whole width
            EDITOR.text_conflict(key("nar", item.id, level), _narrative_saver(user, aid, item.id, level),
                                 title=f"{t('sa_narrative')} · {level_label(level, lang)}")
    return view


def render_kpis(form: Form, framework: Framework, user: User, fresh: bool, editable: bool,
                evidence_rows: list[dict], not_assessed: frozenset[str] = frozenset()) -> None:
    """The category-7 KPIs, item by item: values of three fiscal years, the score, the trend, evidence; an
    item still missing values is marked "not assessed" when the year averages only the values entered."""
    lang = current_language()
    aid, year = form.assessment["id"], form.assessment["year"]
    years = (year - 2, year - 1, year)
    own = {row["kpi"]: row for row in form.own_kpis}
    current_item = None
    for item, kpi in kpis_of(form, framework):
        if item.id != current_item:
            current_item = item.id
            st.markdown(f"#### {item.id} {item.name.get(lang)}")
            if item.id in not_assessed:
                st.badge(t("sa_item_not_assessed"), icon=":material/hourglass_empty:", color="orange")
        with st.container(border=True):
            cols = st.columns([3, 1, 1, 1, 1, 2])
            name = md(kpi.name.get(lang)) + (f" · _{t('sa_own_kpi')}_" if kpi.id in own else "")
            cols[0].markdown(f"**{md(kpi.id)}** {name}")
            current, on_target = kpi_value(form, kpi.id, year), by_target(framework, form, kpi.id)
            cols[0].caption(t("sa_kpi_meta_target" if on_target else "sa_kpi_meta", unit=md(kpi.unit.get(lang)),
                              direction=t(f"sa_kpi_direction_{kpi.direction}"), target=f"{kpi.target:g}",
                              floor=f"{kpi.floor:g}", ceiling=f"{kpi.ceiling:g}"))
            for col, fiscal_year in zip(cols[1:4], years, strict=True):
                k = key("kpi", kpi.id, fiscal_year)
                # no min/max on the widget: its own refusal is in English; the store's, beside it, is not
                col.number_input(kpi_field(kpi.id, t("sa_kpi_year", year=fiscal_year)),
                                 value=prime(k, kpi_value(form, kpi.id, fiscal_year), fresh), key=k, step=0.1,
                                 format="%.2f",
                                 help=t("sa_kpi_range", min=f"{kpi.min:g}", max=f"{kpi.max:g}"),
                                 disabled=not editable, on_change=_on_kpi, args=(user, aid, kpi.id, fiscal_year))
                EDITOR.field_error(k, col)
                review = form.kpi_values.get((kpi.id, fiscal_year), {}).get("review")
                if review is not None and review != kpi_value(form, kpi.id, fiscal_year):
                    col.caption(t("sa_committee_value", value=f"{review:,.2f}"))
            if on_target:
                cols[0].caption(t("sa_kpi_by_target"))
            if kpi.id in own:
                judgement_note(own[kpi.id], cols[0])
            shown = "—" if current is None else score_text(kpi_score_of(kpi, current, on_target))
            cols[4].metric(t("sa_kpi_score"), shown, help=t("sa_kpi_no_value") if current is None else None)
            values = [kpi_value(form, kpi.id, fy) for fy in years]
            cols[5].plotly_chart(kpi_sparkline(years, values, kpi.target, kpi.floor), key=key("spark", kpi.id),
                                 config={"displayModeBar": False}, width="stretch")
            with cols[0]:
                render_evidence(user, aid, item.id, None, kpi.id, editable,
                                [e for e in evidence_rows if e["kpi"] == kpi.id])
                if kpi.id in own and editable:
                    st.button(t("sa_remove_kpi"), key=key("rmkpi", kpi.id), icon=":material/delete:",
                              on_click=lambda k=kpi.id: save(
                                  lambda v: answers.remove_own_kpi(session.store(), user, aid, v, k)))


def judgement_note(row: dict, container=st) -> None:
    """The committee's judgement of a unit's own KPI, if it made one."""
    if row.get("suitable") == 1:
        container.caption(t("kpi_judged_suitable"))
    elif row.get("suitable") == 0:
        container.warning(t("kpi_judged_unsuitable", reason=md(row.get("suitable_reason") or "")),
                          icon=":material/block:")


def _attach_file(user: User, assessment_id: int, item: str, level: str | None, kpi: str | None) -> None:
    """A file is attached as soon as it is chosen (a file chosen and left behind was lost); then a fresh
    uploader. A refused file stays in the uploader beside the message, until another is chosen."""
    base = (item, level or kpi)
    upload = st.session_state.get(_uploader_key(base))
    if upload is None:  # the file was removed from the uploader
        return
    confidential = bool(st.session_state.get(key("ev_conf", *base)))
    if EDITOR.attempt(lambda: evidence.add_file(session.store(), user, assessment_id, item, level, upload.name,
                                                upload.getvalue(), confidential, kpi), t("ev_added")):
        st.session_state[key("ev_n", *base)] = st.session_state.get(key("ev_n", *base), 0) + 1


def _add_link(user: User, assessment_id: int, item: str, level: str | None, kpi: str | None) -> None:
    base = (item, level or kpi)
    url = (st.session_state.get(key("ev_url", *base)) or "").strip()
    if not url:
        EDITOR.flash("error", t("ev_nothing"))
        return
    title = st.session_state.get(key("ev_title", *base)) or ""
    confidential = bool(st.session_state.get(key("ev_conf", *base)))
    if EDITOR.attempt(lambda: evidence.add_link(session.store(), user, assessment_id, item, level, url, title,
                                                confidential, kpi), t("ev_added")):
        st.session_state[key("ev_url", *base)] = ""
        st.session_state[key("ev_title", *base)] = ""


def _uploader_key(base: tuple) -> str:
    return key("ev_file", *base, st.session_state.get(key("ev_n", *base), 0))


def _remove_evidence(user: User, evidence_id: int) -> None:
    EDITOR.attempt(lambda: evidence.remove(session.store(), user, evidence_id))


def render_evidence(user: User, assessment_id: int, item: str, level: str | None, kpi: str | None,
                    editable: bool, rows: list[dict]) -> None:
    """A popover per level (or KPI) with its evidence and, while editable, the controls to add some. Its
    content is built only while it is open (a form shows a dozen of these). Its label stays the same (a
    popover whose label changes closes, and adding a file would close it): the count is a caption above."""
    base = (item, level or kpi)
    st.caption(t("ev_count", n=len(rows)) if rows else t("ev_none"))
    popover = st.popover(t("ev_title"), icon=":material/attach_file:", width="stretch", key=key("ev_pop", *base),
                         on_change="rerun")
    if not popover.open:
        return
    with popover:
        evidence_list(rows, user, key, _remove_evidence if editable else None)
        if editable:
            target = (user, assessment_id, item, level, kpi)
            st.checkbox(t("ev_confidential"), key=key("ev_conf", *base))  # first: it applies to what is added
            st.file_uploader(t("ev_upload", limit=evidence.MAX_BYTES // (1024 * 1024)),
                             type=[s.lstrip(".") for s in evidence.ALLOWED], key=_uploader_key(base),
                             max_upload_size=evidence.MAX_BYTES // (1024 * 1024), on_change=_attach_file, args=target)
            st.text_input(t("ev_link"), key=key("ev_url", *base), placeholder="https://")
            st.text_input(t("ev_link_title"), key=key("ev_title", *base))
            st.button(t("ev_add"), key=key("ev_add", *base), type="primary", on_click=_add_link, args=target)
