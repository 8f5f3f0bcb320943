"""The committee's review of one submission: the unit's answers beside the reviewer's ticks and
values, saved as the reviewer goes (see ``ui.editor``), with notes and evidence per item."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.self_assessment import by_target, item_view, kpi_score_of, kpi_value, ticks_of
from i18n.format import level_label, score_text
from scoring import LEVELS, Framework
from scoring.criteria import Item
from storage.assessment import answers, reviews
from storage.assessment.answers import Form, kpis_of
from storage.organisation.accounts import User
from ui import choices, session
from ui.assessment_form import judgement_note, level_heading
from ui.editor import Editor
from ui.evidence_gaps import item_gaps
from ui.evidence_list import evidence_list
from ui.i18n import current_language, t
from ui.people import person
from ui.text import MISSING, kpi_field, md, thai_lines

EDITOR = Editor("rv")
key = EDITOR.key


def _on_tick(user: User, assessment_id: int, checkpoint: str) -> None:
    k = key("cp", checkpoint)
    met = bool(st.session_state[k])
    EDITOR.save_field(k, met, lambda v, shown: answers.save_checkpoints(
        session.store(), user, assessment_id, v, {checkpoint: met}, source="review", before={checkpoint: bool(shown)}))


def _on_kpi(user: User, assessment_id: int, kpi: str, fiscal_year: int) -> None:
    k = key("kpi", kpi, fiscal_year)
    value = st.session_state[k]
    EDITOR.save_field(k, value, lambda v, shown: answers.save_kpi_values(
        session.store(), user, assessment_id, v, {(kpi, fiscal_year): value}, source="review",
        before={(kpi, fiscal_year): shown}))


def _add_note(user: User, assessment_id: int, item: str) -> None:
    text = st.session_state.get(key("note", item)) or ""
    kind = st.session_state.get(key("note_kind", item)) or "comment"
    if EDITOR.attempt(lambda: reviews.add_note(session.store(), user, assessment_id, item, kind, text),
                      t("rv_note_added")):
        st.session_state[key("note", item)] = ""


def _on_judge(user: User, assessment_id: int, kpi: str) -> None:
    suitable = choices.held(key("judge", kpi))
    reason = st.session_state.get(key("judge_reason", kpi)) or ""
    db = session.store()
    EDITOR.save_field(key("judge", kpi), suitable,
                      lambda v, _: answers.judge_own_kpi(db, user, assessment_id, v, kpi, suitable, reason))


def judgement_form(row: dict, user: User, assessment_id: int, editable: bool) -> None:
    """The committee's judgement of a KPI the unit added itself: suitable, or not (with a reason, and then the
    KPI does not count in the reviewed score)."""
    judgement_note(row)
    if not editable:
        return
    kpi = row["kpi"]
    with st.form(key("judge_form", kpi), border=False):
        stored = None if row.get("suitable") is None else bool(row["suitable"])
        choices.one("radio", t("rv_judge"), [None, True, False], key("judge", kpi),
                    lambda v: t({None: "rv_judge_none", True: "rv_judge_yes", False: "rv_judge_no"}[v]),
                    default=stored, horizontal=True)
        st.text_input(t("rv_judge_reason"), value=row.get("suitable_reason") or "", key=key("judge_reason", kpi),
                      max_chars=answers.MAX_REASON)
        st.form_submit_button(t("rv_judge_save"), on_click=_on_judge, args=(user, assessment_id, kpi))
    EDITOR.field_error(key("judge", kpi))


def _remove_note(user: User, note_id: int) -> None:
    EDITOR.attempt(lambda: reviews.remove_note(session.store(), user, note_id))


def score_pair(container, own: float, reviewed: float | None) -> None:
    """Self score and reviewed score with the difference as the delta (none when the review changed nothing:
    a green "+0.0" read as praise); a reviewed score of None is a KPI the review does not count."""
    if reviewed is None:
        container.metric(t("rv_reviewed_score"), MISSING)
        container.caption(t("rv_not_counted"))
        container.caption(t("rv_self_score", score=score_text(own)))
        return
    change = round(reviewed - own, 1)
    container.metric(t("rv_reviewed_score"), score_text(reviewed), delta=f"{change:+.1f}" if change else None,
                     delta_color="normal" if change > 0 else "inverse")
    container.caption(t("rv_self_score", score=score_text(own)))


def notes_block(form: Form, item: Item, user: User, can_note: bool) -> None:
    for note in form.comments:
        if note["item"] != item.id:
            continue
        left, right = st.columns([6, 1])
        shown = left.success if note["kind"] == "strength" else left.warning
        shown(t(f"note_{note['kind']}", author=md(person(note["author"])), text=md(note["text"])),
              icon=":material/rate_review:")
        if can_note and note["author"] == user.username:
            right.button(t("ev_remove"), key=key("rmnote", note["id"]), on_click=_remove_note, args=(user, note["id"]))
    if can_note:
        left, right = st.columns([3, 2])  # room for the note kind's longest label
        left.text_area(t("rv_note"), key=key("note", item.id), height=68, max_chars=reviews.MAX_NOTE)
        choices.one("selectbox", t("rv_note_kind"), reviews.KINDS, key("note_kind", item.id),
                    lambda k: t(f"rv_kind_{k}"), container=right)
        right.button(t("rv_add_note"), key=key("addnote", item.id), on_click=_add_note,
                     args=(user, form.assessment["id"], item.id))


def render_item(form: Form, item: Item, framework: Framework, user: User, fresh: bool, editable: bool,
                can_note: bool, evidence_rows: list[dict], gaps: tuple[pd.DataFrame, str] | None = None) -> None:
    """An item of categories 1-6: the unit's answers beside the committee's, and ``gaps`` (the year's evidence gaps
    and the unit's code), the item's of them above its levels."""
    lang = current_language()
    aid = form.assessment["id"]
    own, reviewed = ticks_of(form, "self"), ticks_of(form, "review")
    own_view, review_view = item_view(item, own, framework), item_view(item, reviewed, framework)
    with st.container(border=True):
        head, score = st.columns([5, 1])
        head.markdown(f"#### {item.id} {item.name.get(lang)}")
        head.caption(t("rv_legend"))
        score_pair(score, own_view.detail.score, review_view.detail.score)
        score.caption(thai_lines(level_label(review_view.level, lang)))
        if gaps is not None:
            item_gaps(gaps[0], gaps[1], item.id)
        for column, level in zip(st.columns(3), LEVELS, strict=True):
            level_heading(column, item, level, level_label(level, lang))
            for cp in item.level_checkpoints(level):
                k = key("cp", cp.id)
                # one box, the committee's; the unit's answer under it as a tag (in the label, its markup would
                # be in the box's accessible name: Streamlit names an input by its raw label)
                box = column.container(gap=None)
                box.checkbox(f"{cp.id} {thai_lines(cp.text.get(lang))}",
                             EDITOR.prime(k, reviewed.get(cp.id, False), fresh), key=k, disabled=not editable,
                             wrap=True, width="stretch", on_change=_on_tick, args=(user, aid, cp.id))
                met = own.get(cp.id, False)
                box.badge(t("rv_unit_met" if met else "rv_unit_not_met"), color="blue" if met else "gray")
                EDITOR.field_error(k, column)
            text = form.narratives.get((item.id, level))
            if text:
                column.caption(f"{t('sa_narrative')}: {md(text)}")
            with column:
                evidence_list([e for e in evidence_rows if e["item"] == item.id and e["level"] == level], user, key)
        notes_block(form, item, user, can_note)


def render_kpis(form: Form, framework: Framework, user: User, fresh: bool, editable: bool, can_note: bool,
                evidence_rows: list[dict], gaps: tuple[pd.DataFrame, str] | None = None) -> None:
    lang = current_language()
    aid, year = form.assessment["id"], form.assessment["year"]
    own = {row["kpi"]: row for row in form.own_kpis}
    by_item: dict[str, tuple[Item, list]] = {}
    for item, kpi in kpis_of(form, framework):
        by_item.setdefault(item.id, (item, []))[1].append(kpi)
    for item, kpis in by_item.values():
        st.markdown(f"#### {item.id} {item.name.get(lang)}")
        for kpi in kpis:
            with st.container(border=True):
                cols = st.columns([3, 1, 1])
                cols[0].markdown(f"**{md(kpi.id)}** {md(kpi.name.get(lang))}")
                own_value = kpi_value(form, kpi.id, year, "self")
                cols[0].caption(t("rv_unit_value", value="-" if own_value is None else f"{own_value:g}",
                                  unit=kpi.unit.get(lang)))
                with cols[0]:
                    if gaps is not None:
                        item_gaps(gaps[0], gaps[1], item.id, kpi.id)
                    evidence_list([e for e in evidence_rows if e["kpi"] == kpi.id], user, key)
                    if kpi.id in own:
                        judgement_form(own[kpi.id], user, aid, editable)
                k = key("kpi", kpi.id, year)
                # no min/max on the widget: its own refusal is in English; the store's, beside it, is not
                cols[1].number_input(kpi_field(kpi.id, t("rv_reviewed_value", year=year)),
                                     value=EDITOR.prime(k, kpi_value(form, kpi.id, year, "review"), fresh), key=k,
                                     step=0.1, format="%.2f",
                                     help=t("sa_kpi_range", min=f"{kpi.min:g}", max=f"{kpi.max:g}"),
                                     disabled=not editable, on_change=_on_kpi, args=(user, aid, kpi.id, year))
                EDITOR.field_error(k, cols[1])
                reviewed = kpi_value(form, kpi.id, year, "review")
                on_target = by_target(framework, form, kpi.id)
                counted = own.get(kpi.id, {}).get("suitable") != 0  # a KPI judged not suitable leaves the review
                score_pair(cols[2], kpi_score_of(kpi, own_value, on_target),
                           kpi_score_of(kpi, reviewed, on_target) if counted else None)
        notes_block(form, item, user, can_note)
