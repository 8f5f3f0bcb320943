"""The audit log in words: a label for each action and record type, and a one-line summary of each entry's
detail (its JSON), in Thai or English ("ticked 1.1.B1 met", "reset the password of somchai").

The store keeps the raw codes and JSON (``storage.audit``); the admin's table shows these words and its CSV
carries both. An action, record type or detail this module does not know (an older store's, say) shows as
stored, so nothing is ever hidden.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

import pandas as pd

from i18n import catalogue, translate
from i18n.format import date_label, level_label, role_label, status_label

SHOWN = 6  # checkpoints or values named in one summary; the rest are counted
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # how the store writes a date
Params = dict[str, object]


def _known(key: str) -> bool:
    return key in catalogue()


def action_label(action: str, lang: str = "th") -> str:
    """A readable name for an action code ("save_narrative" -> "saved an account"); the code when unknown."""
    key = f"audit_act_{action}"
    return translate(key, lang) if _known(key) else action


def entity_label(entity: str, lang: str = "th") -> str:
    """A readable name for a record type ("dept_record" -> "department's assessment"); the code when unknown."""
    key = f"audit_ent_{entity}"
    return translate(key, lang) if _known(key) else entity


def detail_of(raw: str | dict | None) -> dict:
    """An entry's detail as a dictionary (stored as JSON text; none is an empty one)."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return {"detail": raw}
    return value if isinstance(value, dict) else {"detail": value}


# -- pieces of summaries -------------------------------------------------------------------------------------

def _word(key: str, lang: str) -> str:
    return translate(f"audit_word_{key}", lang)


def _listed(parts: list[str], lang: str) -> str:
    """Up to SHOWN parts, then how many more."""
    text = ", ".join(parts[:SHOWN])
    if len(parts) > SHOWN:
        text += " " + translate("audit_more", lang, n=len(parts) - SHOWN)
    return text


def _ticks(ticks: dict, lang: str) -> str:
    """{checkpoint: met} as "1.1.B1 met, 1.1.B2 not met"."""
    return _listed([f"{cp} {_word('met' if met else 'not_met', lang)}" for cp, met in sorted(ticks.items())], lang)


def _values(values: dict, lang: str) -> str:
    """{"RM1/2570": 80} as "RM1 (2570) = 80"; a cleared value as "= —"."""
    parts = []
    for ref, value in sorted(values.items()):
        kpi, _, year = str(ref).partition("/")
        shown = "—" if value is None else f"{value:g}" if isinstance(value, float) else value
        parts.append(f"{kpi} ({year}) = {shown}")
    return _listed(parts, lang)


def _value(field: str, value, lang: str) -> str:
    """A stored field's value as people read it: roles, OFI statuses and priorities by name, a date in the
    language's calendar, none as "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return date_label(value, lang)
    if field == "active":
        return _word("active" if value else "inactive", lang)
    prefix = {"role": "role_", "status": "ofi_status_", "priority": "ofi_priority_"}.get(field)
    if prefix and _known(f"{prefix}{value}"):
        return translate(f"{prefix}{value}", lang)
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _field(field: str, lang: str) -> str:
    for key in (f"audit_field_{field}", f"ofi_col_{field}", f"id_{field}"):
        if _known(key):
            return translate(key, lang)
    return field


def _changes(changes: dict, lang: str) -> str:
    """{field: [old, new]} or {field: {"old", "new"}} as "role: Director → PMQA committee; ..."."""
    parts = []
    for field, change in changes.items():
        old, new = (change.get("old"), change.get("new")) if isinstance(change, dict) else change
        parts.append(f"{_field(field, lang)}: {_value(field, old, lang)} → {_value(field, new, lang)}")
    return "; ".join(parts)


def _pairs(detail: dict) -> dict:
    """The changed fields an update names beside its other values: those stored as [old, new]."""
    return {k: v for k, v in detail.items() if isinstance(v, list) and len(v) == 2 and k not in ("ticks",)}


def _reason(detail: dict, lang: str) -> str:
    return translate("audit_reason", lang, reason=detail["reason"]) if detail.get("reason") else ""


def _round(detail: dict, lang: str) -> str:
    key = f"fu_round_{detail.get('round')}"
    return translate(key, lang) if _known(key) else str(detail.get("round", ""))


# -- one summary per (record type, action) ---------------------------------------------------------------------
# Each reads the entry's detail (d), the record's id (ref) and the language, and gives the summary's catalogue
# key (audit_sum_...) with its values.

Summary = Callable[[dict, str, str], tuple[str, Params]]


def _plain(key: str, *fields: str) -> Summary:
    """A summary whose values are the detail's own fields (and ``ref``, the record's id)."""
    return lambda d, ref, lang: (key, {"ref": ref, **{f: _value(f, d.get(f), lang) for f in fields}})


def _client(d: dict, lang: str) -> str:
    """Where a sign-in came from: the client's address, or words for one not known."""
    client = d.get("client")
    return client if client and client != "unknown" else _word("unknown_client", lang)


def _sign_in(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    method = d.get("method")
    key = {"resume": "audit_sum_sign_in_resume", "sso": "audit_sum_sign_in_sso"}.get(method, "audit_sum_sign_in")
    return key, {"client": _client(d, lang), "provider": d.get("provider", "")}


def _sign_in_failed(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    if d.get("method") == "sso":
        why = f"audit_sso_{str(d.get('reason')).removeprefix('sso_')}"
        return "audit_sum_sign_in_failed_sso", {"client": _client(d, lang), "provider": d.get("provider", ""),
                                                "reason": translate(why, lang) if _known(why) else d.get("reason")}
    key = "audit_sum_sign_in_failed_unknown" if d.get("name") == "unknown" else "audit_sum_sign_in_failed"
    return key, {"client": _client(d, lang)}


def _sign_out(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    reason = d.get("reason", "user")
    return f"audit_sum_sign_out_{reason}" if _known(f"audit_sum_sign_out_{reason}") else "audit_sum_sign_out_user", {}


def _status_change(key: str) -> Summary:
    return lambda d, ref, lang: (key, {"reason": _reason(d, lang)})


def _save_ticks(key: str) -> Summary:
    return lambda d, ref, lang: (key, {"ticks": _ticks(d.get("ticks") or {}, lang)})


def _save_values(key: str) -> Summary:
    return lambda d, ref, lang: (key, {"values": _values(d.get("values") or {}, lang)})


def _narrative(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    chars = d.get("chars") or 0
    key = "audit_sum_narrative" if chars else "audit_sum_narrative_cleared"
    return key, {"item": d.get("item"), "level": level_label(d["level"], lang) if d.get("level") else "—", "n": chars}


def _none_met(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    return ("audit_sum_none_met" if d.get("none") else "audit_sum_none_met_withdrawn"), {"item": d.get("item")}


def _judge(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    return ("audit_sum_judge_suitable" if d.get("suitable") else "audit_sum_judge_unsuitable"), {
        "kpi": d.get("kpi"), "reason": _reason(d, lang)}


def _evidence(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    where = d.get("kpi") or d.get("item") or "—"
    if d.get("level"):
        where = f"{where}, {level_label(d['level'], lang)}"
    if d.get("url"):
        return "audit_sum_evidence_link", {"url": d["url"], "where": where}
    if d.get("link") == "confidential":
        return "audit_sum_evidence_link", {"url": f"({translate('ev_confidential_tag', lang)})", "where": where}
    return "audit_sum_evidence_file", {"file": d.get("file") or "—", "where": where}


def _offline(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    return "audit_sum_offline", {"file": d.get("file") or "—", "ticks": len(d.get("ticks") or {}),
                                 "none_met": len(d.get("none_met") or []), "narratives": len(d.get("narratives") or []),
                                 "values": len(d.get("values") or {})}


def _update(key: str, name: str) -> Summary:
    return lambda d, ref, lang: (key, {"name": d.get(name) or ref, "changes": _changes(_pairs(d), lang) or "—"})


def _ofi_update(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    if "plan" in d:  # moved by the plan it belongs to
        return "audit_sum_ofi_moved", {"ref": ref, "plan": d["plan"], "changes": _changes(_pairs(d), lang)}
    return "audit_sum_ofi_update", {"ref": ref, "changes": _changes(d.get("changes") or {}, lang) or "—"}


def _phase(key: str) -> Summary:
    return lambda d, ref, lang: (key, {"year": ref, "reason": _reason(d, lang), "phase": translate(
        f"phase_{d['phase']}", lang) if _known(f"phase_{d.get('phase')}") else d.get("phase")})


def _criteria(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    if not d.get("file"):
        return "audit_sum_criteria_default", {"year": ref}
    return "audit_sum_criteria", {"year": ref, "file": d["file"], "n": d.get("changes", 0)}


def _workplan_save(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    return "audit_sum_workplan_save", {"year": ref, "added": len(d.get("added") or []),
                                       "removed": len(d.get("removed") or []), "changed": len(d.get("changed") or {})}


def _report(key: str) -> Summary:
    return lambda d, ref, lang: (key, {"report": _round(d, lang), "plan": d.get("plan"), "reason": _reason(d, lang)})


def _plan(key: str) -> Summary:
    return lambda d, ref, lang: (key, {"ref": ref, "title": d.get("title") or "", "n": len(d.get("ofis") or []),
                                       "actions": d.get("actions", 0), "reason": _reason(d, lang)})


def _role_account(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    return "audit_sum_user_create", {"name": d.get("name"), "role": role_label(d["role"], lang)
                                     if d.get("role") else "—"}


def _assessment_status(d: dict, ref: str, lang: str) -> tuple[str, Params]:
    return "audit_sum_assessment_status", {"status": status_label(d["status"], lang) if d.get("status") else "—",
                                           "reason": _reason(d, lang)}


SUMMARIES: dict[tuple[str, str], Summary] = {
    ("session", "sign_in"): _sign_in,
    ("session", "sign_in_failed"): _sign_in_failed,
    ("session", "sign_in_refused"): lambda d, ref, lang: ("audit_sum_sign_in_refused", {"client": _client(d, lang)}),
    ("session", "lockout"): lambda d, ref, lang: ("audit_sum_lockout", {"client": _client(d, lang),
                                                                       "minutes": d.get("minutes")}),
    ("session", "sign_out"): _sign_out,
    ("store", "init"): _plain("audit_sum_store_init"),
    ("store", "populate"): _plain("audit_sum_store_populate"),
    ("store", "backup"): _plain("audit_sum_store_backup", "archive"),
    ("store", "restore"): _plain("audit_sum_store_restore", "archive"),
    ("user", "create"): _role_account,
    ("user", "update"): _update("audit_sum_user_update", "name"),
    ("department_identity", "update"): lambda d, ref, lang: ("audit_sum_identity_update", {
        "changes": "; ".join(filter(None, [_changes(_pairs(d), lang), f"{_field('logo', lang)}: {d['logo']}"
                                           if d.get("logo") else ""])) or "—"}),
    ("user", "enable"): _plain("audit_sum_user_enable", "name"),
    ("user", "disable"): _plain("audit_sum_user_disable", "name"),
    ("user", "reset_password"): _plain("audit_sum_user_reset_password", "name"),
    ("user", "change_password"): _plain("audit_sum_user_change_password"),
    ("unit", "create"): _plain("audit_sum_unit_create", "code", "name_th"),
    ("department", "create"): _plain("audit_sum_department_create", "code", "name"),
    ("unit", "update"): _update("audit_sum_unit_update", "code"),
    ("unit", "enable"): _plain("audit_sum_unit_enable", "code"),
    ("unit", "disable"): _plain("audit_sum_unit_disable", "code"),
    ("units", "import"): _plain("audit_sum_units_import", "file", "added", "changed", "unchanged"),
    ("cycle", "create"): _plain("audit_sum_cycle_create"),
    ("cycle", "open"): _plain("audit_sum_cycle_open"),
    ("cycle", "set_dates"): _plain("audit_sum_cycle_set_dates"),
    ("cycle", "open_phase"): _phase("audit_sum_open_phase"),
    ("cycle", "close_phase"): _phase("audit_sum_close_phase"),
    ("cycle", "close"): _plain("audit_sum_cycle_close"),
    ("cycle", "reopen"): _status_change("audit_sum_cycle_reopen"),
    ("cycle", "set_thresholds"): _plain("audit_sum_cycle_set_thresholds"),
    ("cycle", "set_rules"): _plain("audit_sum_cycle_set_rules"),
    ("cycle", "set_page_limits"): _plain("audit_sum_cycle_set_page_limits"),
    ("cycle", "set_criteria"): _criteria,
    ("cycle", "retire_answers"): _plain("audit_sum_cycle_retire_answers", "answers"),
    ("assessment", "create"): _plain("audit_sum_assessment_create"),
    ("assessment", "save_self"): _save_ticks("audit_sum_save_self"),
    ("assessment", "save_review"): _save_ticks("audit_sum_save_review"),
    ("assessment", "save_self_kpi"): _save_values("audit_sum_save_self_kpi"),
    ("assessment", "save_review_kpi"): _save_values("audit_sum_save_review_kpi"),
    ("assessment", "save_narrative"): _narrative,
    ("assessment", "save_none_met"): _none_met,
    ("assessment", "confirm"): _plain("audit_sum_confirm", "item"),
    ("assessment", "copy_previous"): _plain("audit_sum_copy_previous"),
    ("assessment", "add_kpi"): _plain("audit_sum_add_kpi", "kpi", "item", "name"),
    ("assessment", "remove_kpi"): _plain("audit_sum_remove_kpi", "kpi"),
    ("assessment", "judge_kpi"): _judge,
    ("assessment", "add_evidence"): _evidence,
    ("assessment", "remove_evidence"): _plain("audit_sum_remove_evidence", "evidence"),
    ("assessment", "add_comment"): _plain("audit_sum_add_comment", "item"),
    ("assessment", "add_strength"): _plain("audit_sum_add_strength", "item"),
    ("assessment", "remove_note"): _plain("audit_sum_remove_note", "item"),
    ("assessment", "save_offline"): _offline,
    **{("assessment", action): _assessment_status for action in ("submit", "return", "approve", "reopen")},
    ("dept_record", "dept_start"): _plain("audit_sum_dept_start", "units"),
    ("dept_record", "dept_answers"): _save_ticks("audit_sum_dept_answers"),
    ("dept_record", "dept_narrative"): lambda d, ref, lang: ("audit_sum_dept_narrative",
                                                             {"item": d.get("item"), "n": d.get("chars") or 0}),
    ("dept_record", "dept_adli"): lambda d, ref, lang: (
        "audit_sum_dept_adli_taken" if d.get("taken_from") else "audit_sum_dept_adli",
        {"item": d.get("item"), "part": translate(f"adli_{d.get('part')}", lang), "n": d.get("chars") or 0,
         "unit": d.get("taken_from")}),
    ("dept_record", "dept_comparisons"): lambda d, ref, lang: ("audit_sum_dept_comparisons", {
        "kpi": d.get("kpi"), "n": len(d.get("comparisons") or [])}),
    ("dept_record", "dept_kpi_note"): lambda d, ref, lang: ("audit_sum_dept_kpi_note", {
        "kpi": d.get("kpi"), "n": d.get("chars") or 0, "items": ", ".join(d.get("items") or []) or "-"}),
    ("dept_record", "dept_kpis"): _save_values("audit_sum_dept_kpis"),
    ("cycle", "exam_score"): lambda d, ref, lang: ("audit_sum_exam_score", {
        "item": d.get("item"), "percent": f" ({d['percent']}%)" if d.get("percent") is not None else ""}),
    ("cycle", "exam_submit"): lambda d, ref, lang: ("audit_sum_exam_submit", {"n": d.get("items") or 0}),
    ("cycle", "exam_agree"): _plain("audit_sum_exam_agree", "item", "percent"),
    ("dept_record", "dept_cite"): lambda d, ref, lang: ("audit_sum_dept_cite",
                                                        {"item": d.get("item"), "n": len(d.get("evidence") or [])}),
    ("dept_record", "dept_approve"): _plain("audit_sum_dept_approve"),
    ("dept_record", "dept_reopen"): _status_change("audit_sum_dept_reopen"),
    ("dept_record", "profile"): lambda d, ref, lang: ("audit_sum_dept_profile",
                                                      {"part": d.get("part"), "n": d.get("chars") or 0}),
    ("text_image", "upload_image"): _plain("audit_sum_upload_image", "year", "file", "width", "height"),
    ("ofi", "create"): _plain("audit_sum_ofi_create", "item"),
    ("ofi", "update"): _ofi_update,
    ("ofi", "add_note"): _plain("audit_sum_ofi_add_note"),
    ("ofi", "carry_over"): _plain("audit_sum_ofi_carry_over", "carried_from", "from_year", "to_year"),
    ("plan", "create"): _plan("audit_sum_plan_create"),
    ("plan", "save"): _plan("audit_sum_plan_save"),
    ("plan", "submit"): _plan("audit_sum_plan_submit"),
    ("plan", "request_changes"): _plan("audit_sum_plan_request_changes"),
    ("plan", "accept"): _plan("audit_sum_plan_accept"),
    ("plan", "comment"): _plan("audit_sum_plan_comment"),
    ("plan", "close"): _plan("audit_sum_plan_close"),
    ("plan_report", "save"): _report("audit_sum_report_save"),
    ("plan_report", "submit"): _report("audit_sum_report_submit"),
    ("plan_report", "request_changes"): _report("audit_sum_report_request_changes"),
    ("plan_report", "accept"): _report("audit_sum_report_accept"),
    ("plan_report", "comment"): _report("audit_sum_report_comment"),
    ("workplan", "start"): _plain("audit_sum_workplan_start", "steps"),
    ("workplan", "save"): _workplan_save,
    ("workplan", "approve"): _plain("audit_sum_workplan_approve"),
    ("announcement", "publish"): _plain("audit_sum_announcement_publish", "title"),
    ("announcement", "withdraw"): _plain("audit_sum_announcement_withdraw", "title"),
    ("announcement", "email"): _plain("audit_sum_announcement_email", "sent", "addressed"),
    ("document_job", "request"): _plain("audit_sum_document_job_request", "kind", "lang"),
    ("document_job", "start"): _plain("audit_sum_document_job_start", "kind", "attempt"),
    ("document_job", "done"): lambda d, ref, lang: ("audit_sum_document_job_done", {
        "kind": d.get("kind"), "files": _listed([str(f.get("name")) for f in d.get("files") or []], lang) or "—"}),
    ("document_job", "fail"): lambda d, ref, lang: ("audit_sum_document_job_fail", {
        "kind": d.get("kind"), "reference": d.get("reference") or d.get("reason") or "—"}),
    ("document_job", "requeue"): lambda d, ref, lang: ("audit_sum_document_job_requeue", {
        "kind": d.get("kind"), "why": translate(f"job_why_{d.get('why')}", lang)}),
}


def _generic(detail: dict) -> str:
    """An entry this module has no words for: its detail's fields, one after another."""
    return "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v}"
                     for k, v in detail.items() if v is not None)


def summary(action: str, entity: str, entity_id, detail: str | dict | None, lang: str = "th") -> str:
    """One line saying what the entry did, from its action, record and detail ("ticked 1.1.B1 met")."""
    found = detail_of(detail)
    ref = "" if entity_id is None or (isinstance(entity_id, float) and pd.isna(entity_id)) else str(entity_id)
    describe = SUMMARIES.get((entity, action))
    if describe is None:
        return _generic(found)
    try:
        key, params = describe(found, ref, lang)
        return translate(key, lang, **params).strip()
    except (KeyError, ValueError, TypeError, AttributeError, IndexError):  # a detail of another shape (an old store)
        return _generic(found)


def readable(frame: pd.DataFrame, lang: str = "th", names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Audit entries (``storage.audit.entries``) with readable columns beside the raw ones: who acted, as people
    know them (``names``: ``storage.organisation.accounts.people``; the user name stays in ``username``), the action's
    and the record type's names and the detail's summary."""
    names = names or {}
    return frame.assign(
        who=[names.get(u, u) for u in frame["username"]],
        action_name=[action_label(a, lang) for a in frame["action"]],
        entity_name=[entity_label(e, lang) for e in frame["entity"]],
        summary=[summary(a, e, i, d, lang) for a, e, i, d in
                 zip(frame["action"], frame["entity"], frame["entity_id"], frame["detail"], strict=True)])
