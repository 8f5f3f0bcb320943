"""The department's assessment of record: widgets of the committee's form. Every change saves at once under
the version on screen (``ui.editor``); the page re-renders from the store."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.annex import is_public
from analysis.evidence_gaps import DEPARTMENT
from analysis.self_assessment import item_view
from i18n.format import evidence_label, level_label, local_time, score_text
from reports.markdown import IMAGE_SOURCE
from scoring import LEVELS, Framework
from scoring.criteria import Item
from storage.assessment import years
from storage.engine import Store
from storage.organisation.accounts import User
from storage.record import department, images
from storage.record.department import Record
from ui import choices, session
from ui.assessment_form import level_heading
from ui.editor import Editor
from ui.evidence_gaps import flag_table, item_flags, item_gaps, year_table
from ui.formatted_text import help_text, images_panel, preview
from ui.i18n import current_language, t
from ui.people import person
from ui.text import kpi_field, md, thai_lines

EDITOR = Editor("dp")
key = EDITOR.key


def _save(action) -> None:
    EDITOR.save(action)


def _on_tick(user: User, year: int, checkpoint: str) -> None:
    k = key("cp", checkpoint)
    met = bool(st.session_state[k])
    EDITOR.save_field(k, met, lambda v, shown: department.save_answers(
        session.store(), user, year, v, {checkpoint: met}, before={checkpoint: bool(shown)}))


def _narrative_saver(user: User, year: int, item: str):
    """``save(version, shown, text)`` of the department's account of an item."""
    return lambda version, shown, text: department.save_narrative(session.store(), user, year, version, item, text,
                                                                  before=shown or "")


def _on_narrative(user: User, year: int, item: str) -> None:
    k = key("nar", item)
    text = st.session_state[k] or ""
    save = _narrative_saver(user, year, item)
    EDITOR.save_field(k, text.strip(), lambda v, shown: save(v, shown, text))


def _adli_saver(user: User, year: int, item: str, part: str):
    """``save(version, shown, text)`` of one ADLI part of the department's account of an item."""
    return lambda version, shown, text: department.save_adli(session.store(), user, year, version, item, part, text,
                                                             before=shown or "")


def _on_adli(user: User, year: int, item: str, part: str) -> None:
    k = key("adli", item, part)
    text = st.session_state[k] or ""
    save = _adli_saver(user, year, item, part)
    EDITOR.save_field(k, text.strip(), lambda v, shown: save(v, shown, text))


def _take(user: User, year: int, item: str, passages: pd.DataFrame) -> None:
    """The chosen unit's passage added to the end of the chosen part, its unit kept as the part's source."""
    chosen, part = st.session_state.get(key("take", item)), st.session_state.get(key("take_part", item))
    if chosen is None or part is None or chosen >= len(passages):
        return
    row = passages.iloc[chosen]
    k = key("adli", item, part)
    shown = (EDITOR.shown(k) or "").strip()
    text = "\n\n".join(filter(None, (shown, str(row.text).strip())))
    EDITOR.save_field(k, text, lambda v, before: department.take_passage(
        session.store(), user, year, item, part, int(row.unit_id), row.level, before=before or ""))
    if EDITOR.flashed() == "success":
        st.session_state[k] = text


def _on_kpi(user: User, year: int, kpi: str, fiscal_year: int) -> None:
    k = key("kpi", kpi, fiscal_year)
    value = st.session_state[k]
    EDITOR.save_field(k, value, lambda v, shown: department.save_kpi_values(
        session.store(), user, year, v, {(kpi, fiscal_year): value}, before={(kpi, fiscal_year): shown}))


def _use_units_mean(user: User, year: int, kpi: str, mean: float) -> None:
    """The department's value of this year's KPI set to the counted units' mean (rounded as shown)."""
    k = key("kpi", kpi, year)
    EDITOR.save_field(k, mean, lambda v, shown: department.save_kpi_values(
        session.store(), user, year, v, {(kpi, year): mean}, before={(kpi, year): shown}))
    if EDITOR.flashed() == "success":
        st.session_state[k] = mean


def _on_cite(user: User, year: int, item: str) -> None:
    k = key("cite", item)
    chosen = [int(i) for i in st.session_state[k]]
    EDITOR.save_field(k, chosen, lambda v, shown: department.cite(session.store(), user, year, v, item, chosen,
                                                                  before=list(shown or [])))


def start_panel(user: User, year: int, counted: int, closed: bool) -> None:
    """Before the record exists: what it is, and for the committee (in an open year) the rule to start it by."""
    st.info(t("dp_not_started", year=year, n=counted), icon=":material/assignment_add:")
    if user.role != "committee" or closed:
        return
    rule = choices.one("radio", t("dp_rule"), department.RULES, "dp:rule", lambda r: t(f"dp_rule_{r}"))
    if st.button(t("dp_start"), type="primary", key="dp:start") and EDITOR.attempt(
            lambda: department.start(session.store(), user, year, rule), t("dp_started")):
        for shown in (key("category"), key("category") + ":chosen"):  # the first category, not the profile
            st.session_state.pop(shown, None)
        st.rerun()


def cited_images(db: Store, year: int, text: str) -> dict[int, bytes]:
    """The year's images ``text`` cites (``image:<id>``), for its preview."""
    return images.for_year(db, year, map(int, IMAGE_SOURCE.findall(text)))


def text_tools(db: Store, user: User, year: int, editable: bool) -> None:
    """How to format the accounts and the profile, and the year's images they may show (uploaded here)."""
    help_text()
    with st.expander(t("dp_images"), icon=":material/image:"):
        images_panel(db, user, year, editable)


def status_note(record: Record) -> str:
    """When the record was started, by which rule, and its last save (and approval)."""
    row, lang = record.record, current_language()
    text = t("dp_saved_note", rule=t(f"dp_rule_{row['rule']}"), time=local_time(row["updated_at"], lang),
             user=md(person(row["updated_by"])), version=row["version"])
    if row["status"] == "approved":
        text += " · " + t("dp_approved_note", user=md(person(row["approved_by"])),
                          time=local_time(row["approved_at"], lang))
    return text


def decision_panel(record: Record, user: User, year: int) -> None:
    """The committee approves the draft, or reopens the approved record with a reason."""
    if user.role != "committee":
        return
    if record.record["status"] == "draft":
        sure = st.checkbox(t("dp_approve_confirm"), key=key("approve_sure"))
        if st.button(t("dp_approve"), type="primary", disabled=not sure, key=key("approve")):
            _save(lambda v: department.approve(session.store(), user, year, v))
            st.rerun()
        return
    with st.form(key("reopen_form"), border=False):
        reason = st.text_input(t("dp_reopen_reason"), max_chars=department.MAX_REASON, key=key("reopen_reason"))
        if st.form_submit_button(t("dp_reopen")):
            _save(lambda v: department.reopen(session.store(), user, year, v, reason))
            st.rerun()


def render_item(db: Store, record: Record, item: Item, framework: Framework, user: User, fresh: bool,
                editable: bool, units_met: dict[str, int], counted: int) -> None:
    """An item of categories 1-6: the department's answers beside how many units met each checkpoint, its
    narrative, the units' narratives to draw from, and the units' evidence it cites."""
    lang, year = current_language(), record.record["year"]
    view = item_view(item, record.ticks, framework)
    with st.container(border=True):
        head, score = st.columns([5, 1])
        head.markdown(f"#### {item.id} {item.name.get(lang)}")
        score.metric(t("sa_item_score", score=""), score_text(view.detail.score), border=False)
        score.caption(thai_lines(level_label(view.level, lang)))
        item_gaps(year_table(db, year), DEPARTMENT, item.id)
        item_flags(flag_table(db, year), item.id)
        for column, level in zip(st.columns(3), LEVELS, strict=True):
            checkpoints = item.level_checkpoints(level)
            met = sum(record.ticks.get(cp.id, False) for cp in checkpoints)
            level_heading(column, item, level, t("sa_level_met", level=level_label(level, lang), met=met,
                                                 total=len(checkpoints)))
            for cp in checkpoints:
                k = key("cp", cp.id)
                column.checkbox(f"{cp.id} {thai_lines(cp.text.get(lang))}",
                                EDITOR.prime(k, record.ticks.get(cp.id, False), fresh), key=k, disabled=not editable,
                                wrap=True, width="stretch", on_change=_on_tick, args=(user, year, cp.id))
                EDITOR.field_error(k, column)
                column.caption(t("dp_units_met", met=units_met.get(cp.id, 0), n=counted))
        _narrative_and_evidence(db, record, item, user, fresh, editable)


def _narrative_and_evidence(db: Store, record: Record, item: Item, user: User, fresh: bool,
                            editable: bool) -> None:
    lang, year = current_language(), record.record["year"]
    theirs = department.unit_narratives(db, year, item.id)
    if not item.is_results:
        _adli(db, record, item, user, fresh, editable, theirs)
    k = key("nar", item.id)
    st.text_area(t("dp_narrative_results" if item.is_results else "dp_narrative_overview"),
                 EDITOR.prime(k, record.narratives.get(item.id, ""), fresh), key=k,
                 height=160 if item.is_results else 90, max_chars=department.MAX_NARRATIVE, disabled=not editable,
                 on_change=_on_narrative, args=(user, year, item.id), help=t("dp_narrative_help"))
    EDITOR.field_error(k)
    EDITOR.text_notes(k, _narrative_saver(user, year, item.id))
    if text := record.narratives.get(item.id, ""):
        with st.expander(t("dp_preview")):
            preview(text, cited_images(db, year, text))
    if item.is_results:
        with st.expander(t("dp_unit_narratives", n=theirs["code"].nunique())):
            if theirs.empty:
                st.caption(t("dp_no_unit_narratives"))
            for row in theirs.itertuples():
                st.markdown(f"**{md(row.code)}** · {level_label(row.level, lang)}: {md(row.text)}")
    options = department.citable(db, year, item.id)
    labels = {int(row.id): evidence_label(row, lang) for row in options.itertuples()}
    k = key("cite", item.id)
    cited = EDITOR.prime(k, [i for i in record.citations.get(item.id, []) if i in labels], fresh)
    choices.multiselect(t("dp_cite"), list(labels), default=cited, key=k, format_func=lambda i: labels.get(i, str(i)),
                        disabled=not editable, on_change=_on_cite, args=(user, year, item.id),
                        help=t("dp_cite_help"), placeholder=t("dp_cite_none") if not labels else None)
    EDITOR.field_error(k)
    addresses = {int(row.id): row.url for row in options.itertuples() if isinstance(row.url, str) and row.url}
    intranet = [labels[i] for i in record.citations.get(item.id, []) if i in addresses and not is_public(addresses[i])]
    if intranet:  # OPDC's assessors cannot open them: the application shows them "at the site visit"
        st.warning(t("dp_cite_intranet", links="; ".join(md(label) for label in intranet)), icon=":material/vpn_lock:")


def _adli(db: Store, record: Record, item: Item, user: User, fresh: bool, editable: bool,
          passages: pd.DataFrame) -> None:
    """The department's account of a process item in its ADLI parts, each with its prompt, the units it took
    passages from and a preview of the formatted text; beside them, the units' accounts, any of which goes into a
    part with one action."""
    lang, year = current_language(), record.record["year"]
    parts = department.adli_parts(years.framework_of(db, year))
    st.markdown(f"**{t('dp_adli_title')}**")
    st.caption(t("dp_adli_help"))
    for row in range(0, len(parts), 2):
        for column, part in zip(st.columns(2), parts[row:row + 2], strict=False):
            k = key("adli", item.id, part.id)
            column.text_area(part.name.get(lang), EDITOR.prime(k, record.adli.get((item.id, part.id), ""), fresh),
                             key=k, height=150, max_chars=department.MAX_NARRATIVE, disabled=not editable,
                             placeholder=part.prompt.get(lang), help=part.prompt.get(lang), on_change=_on_adli,
                             args=(user, year, item.id, part.id))
            EDITOR.field_error(k, column)
            EDITOR.text_saved(k, column)
            sources = record.sources.get((item.id, part.id))
            if sources:
                column.caption(t("dp_adli_sources", units=", ".join(md(code) for code in sources)))
            text = record.adli.get((item.id, part.id), "")
            if text:
                with column.expander(t("dp_preview")):
                    preview(text, cited_images(db, year, text))
    for part in parts:  # a conflict's panel takes the whole width
        EDITOR.text_conflict(key("adli", item.id, part.id), _adli_saver(user, year, item.id, part.id),
                             title=part.name.get(lang))
    with st.expander(t("dp_unit_narratives", n=passages["code"].nunique())):
        if passages.empty:
            st.caption(t("dp_no_unit_narratives"))
            return
        labels = [f"{row.code} · {level_label(row.level, lang)}" for row in passages.itertuples()]
        chosen = choices.selectbox(t("dp_take_passage"), range(len(passages)), key=key("take", item.id),
                                   format_func=lambda i: labels[i])
        st.markdown(md(str(passages.iloc[chosen].text)) if chosen is not None else "")
        if editable:
            names = {part.id: part.name.get(lang) for part in parts}
            st.radio(t("dp_take_into"), list(names), key=key("take_part", item.id), horizontal=True,
                     format_func=names.get)
            st.button(t("dp_take"), key=key("take_go", item.id), icon=":material/input:", on_click=_take,
                      args=(user, year, item.id, passages))


def render_kpis(db: Store, record: Record, framework: Framework, user: User, fresh: bool, editable: bool,
                unit_values: pd.DataFrame) -> None:
    """Category 7: per criteria KPI, the department's values of the cycle's three years, the units' values of
    this year for reference; per item, the department's narrative and cited evidence."""
    lang, year = current_language(), record.record["year"]
    for item in framework.category(7).items:
        st.markdown(f"#### {item.id} {item.name.get(lang)}")
        for kpi in item.kpis:
            with st.container(border=True):
                st.markdown(f"**{md(kpi.id)}** {md(kpi.name.get(lang))}")
                st.caption(t("sa_kpi_meta", unit=md(kpi.unit.get(lang)),
                             direction=t(f"sa_kpi_direction_{kpi.direction}"), target=f"{kpi.target:g}",
                             floor=f"{kpi.floor:g}", ceiling=f"{kpi.ceiling:g}"))
                item_gaps(year_table(db, year), DEPARTMENT, item.id, kpi.id)
                theirs = unit_values[(unit_values["kpi"] == kpi.id) & (unit_values["fiscal_year"] == year)]["value"]
                theirs = theirs.dropna()
                st.caption(t("dp_units_kpi", n=len(theirs), mean=f"{theirs.mean():,.2f}", min=f"{theirs.min():,.2f}",
                             max=f"{theirs.max():,.2f}") if len(theirs) else t("dp_units_kpi_none"))
                mean = round(float(theirs.mean()), 2) if len(theirs) else None
                if editable and mean is not None and record.kpi_values.get((kpi.id, year)) != mean:
                    st.button(t("dp_use_units_mean", mean=f"{mean:,.2f}", year=year), key=key("mean", kpi.id),
                              icon=":material/functions:", on_click=_use_units_mean, args=(user, year, kpi.id, mean))
                fiscal_years = range(year - department.RESULT_YEARS + 1, year + 1)
                for column, fiscal_year in zip(st.columns(len(fiscal_years)), fiscal_years, strict=True):
                    k = key("kpi", kpi.id, fiscal_year)
                    column.number_input(kpi_field(kpi.id, t("dp_kpi_value", year=fiscal_year)),
                                        value=EDITOR.prime(k, record.kpi_values.get((kpi.id, fiscal_year)), fresh),
                                        key=k, step=0.1,
                                        format="%.2f", disabled=not editable, on_change=_on_kpi,
                                        args=(user, year, kpi.id, fiscal_year),
                                        help=t("sa_kpi_range", min=f"{kpi.min:g}", max=f"{kpi.max:g}"))
                    EDITOR.field_error(k, column)
                _comparisons(record, kpi, user, editable)
                _kpi_note(record, kpi, framework, user, fresh, editable)
        _narrative_and_evidence(db, record, item, user, fresh, editable)


def _comparison_label(row: dict, lang: str) -> str:
    kind = t(f"dp_cmp_{row['kind']}")
    return f"{kind} · {row['label']}: {row['value']:,.2f} ({row['source']})"


def _remove_comparison(user: User, year: int, kpi: str, position: int, shown: list[dict]) -> None:
    rows = [row for n, row in enumerate(shown) if n != position]
    _save(lambda v: department.save_comparisons(session.store(), user, year, v, kpi, rows, before=shown))


def _comparisons(record: Record, kpi, user: User, editable: bool) -> None:
    """The values a KPI's results are compared with, each with its source; the committee adds and removes them."""
    lang, year = current_language(), record.record["year"]
    rows = record.comparisons.get(kpi.id, [])
    st.markdown(f"**{t('dp_cmp_title')}**")
    if not rows:
        st.caption(t("dp_cmp_none"))
    for n, row in enumerate(rows):
        text, remove = st.columns([8, 1], vertical_alignment="center")
        text.markdown(md(_comparison_label(row, lang)))
        if editable:
            remove.button(t("dp_cmp_remove"), key=key("cmp_rm", kpi.id, n), icon=":material/delete:",
                          on_click=_remove_comparison, args=(user, year, kpi.id, n, rows))
    if not editable or len(rows) >= department.MAX_COMPARISONS:
        return
    with st.popover(t("dp_cmp_add"), icon=":material/add:"), st.form(key("cmp_form", kpi.id), border=False):
        kind = choices.selectbox(t("dp_cmp_kind"), department.COMPARISON_KINDS, key=key("cmp_kind", kpi.id),
                                 format_func=lambda k: t(f"dp_cmp_{k}"))
        label = st.text_input(t("dp_cmp_label"), key=key("cmp_label", kpi.id), max_chars=department.MAX_LABEL,
                              placeholder=t("dp_cmp_label_hint"))
        value = st.number_input(kpi_field(kpi.id, t("dp_cmp_value")), value=None, step=0.1, format="%.2f",
                                key=key("cmp_value", kpi.id))
        source = st.text_input(t("dp_cmp_source"), key=key("cmp_source", kpi.id), max_chars=department.MAX_LABEL,
                               placeholder=t("dp_cmp_source_hint"))
        submitted = st.form_submit_button(t("dp_cmp_save"), type="primary")
    if not submitted:
        return
    added = {"kind": kind, "label": label, "value": value, "source": source}
    _save(lambda v: department.save_comparisons(session.store(), user, year, v, kpi.id, [*rows, added], before=rows))
    if EDITOR.flashed() != "success":  # refused: said here, beside the form, which keeps what was typed
        EDITOR.show_flash()
        return
    for name in ("cmp_label", "cmp_value", "cmp_source"):  # the form empties for the next one
        st.session_state.pop(key(name, kpi.id), None)
    st.rerun()


def _on_kpi_note(user: User, year: int, kpi: str, name: str) -> None:
    k = key(f"kpi_{name}", kpi)
    value = st.session_state[k]
    value = (value or "").strip() if name == "analysis" else list(value or [])
    EDITOR.save_field(k, value, lambda v, shown: department.save_kpi_note(
        session.store(), user, year, v, kpi, **{name: value}, before={name: shown or ("" if name == "analysis"
                                                                                       else [])}))


def _kpi_note(record: Record, kpi, framework: Framework, user: User, fresh: bool, editable: bool) -> None:
    """The committee's analysis of a KPI's results and the process items it tracks (Integration, in LeTCI)."""
    lang, year = current_language(), record.record["year"]
    note = record.kpi_notes.get(kpi.id, {})
    k = key("kpi_analysis", kpi.id)
    st.text_area(t("dp_kpi_analysis"), EDITOR.prime(k, note.get("analysis", ""), fresh), key=k, height=90,
                 max_chars=department.MAX_ANALYSIS, disabled=not editable, placeholder=t("dp_kpi_analysis_hint"),
                 on_change=_on_kpi_note, args=(user, year, kpi.id, "analysis"))
    EDITOR.field_error(k)
    EDITOR.text_notes(k, lambda version, shown, text: department.save_kpi_note(
        session.store(), user, year, version, kpi.id, analysis=text, before={"analysis": shown or ""}))
    items = {item.id: f"{item.id} {item.name.get(lang)}" for item in framework.items() if not item.is_results}
    k = key("kpi_items", kpi.id)
    choices.multiselect(t("dp_kpi_items"), list(items), default=EDITOR.prime(k, note.get("items", []), fresh), key=k,
                        format_func=lambda i: items.get(i, i), disabled=not editable, on_change=_on_kpi_note,
                        args=(user, year, kpi.id, "items"), help=t("dp_kpi_items_help"))
    EDITOR.field_error(k)


PROFILE = Editor("pf")


def _profile_saver(user: User, year: int, part: str):
    """``save(version, shown, text)`` of the committee's answer to a part of the profile."""
    return lambda _, shown, text: department.save_profile(session.store(), user, year, part, text, before=shown or "")


def _on_profile(user: User, year: int, part: str) -> None:
    k = PROFILE.key("part", part)
    text = st.session_state[k] or ""
    save = _profile_saver(user, year, part)
    PROFILE.save_field(k, text.strip(), lambda v, shown: save(v, shown, text))


def render_profile(db: Store, framework: Framework, user: User, year: int, editable: bool) -> None:
    """The organisation profile: per part of the criteria file, its guiding questions and the committee's
    answer, saved when the text box is left."""
    lang = current_language()
    answers = department.profile(db, user, year)
    fresh = PROFILE.begin(year, department.profile_version(db, year))
    PROFILE.show_flash()
    st.caption(t("dp_profile_intro"))
    if not framework.profile:
        st.info(t("dp_profile_none"))
    for part in framework.profile:
        with st.container(border=True):
            st.markdown(f"#### {md(part.label(lang))} {part.name.get(lang)}")
            st.markdown("\n".join(f"{n}. {thai_lines(q.get(lang))}" for n, q in enumerate(part.questions, start=1)))
            k = PROFILE.key("part", part.id)
            st.text_area(t("dp_profile_answer"), PROFILE.prime(k, answers.get(part.id, {}).get("text", ""), fresh),
                         key=k, height=200, max_chars=department.MAX_NARRATIVE,
                         disabled=not editable, on_change=_on_profile, args=(user, year, part.id))
            PROFILE.field_error(k)
            PROFILE.text_notes(k, _profile_saver(user, year, part.id))
            if text := answers.get(part.id, {}).get("text", ""):
                with st.expander(t("dp_preview")):
                    preview(text, cited_images(db, year, text))
            if part.id in answers:
                st.caption(t("dp_profile_saved", time=local_time(answers[part.id]["updated_at"], lang),
                             user=md(person(answers[part.id]["updated_by"]))))
