"""The audit log in words (analysis.audit_log): every action the store audits has a label and a one-line summary,
read from the code itself; summaries of real and of made-up entries; unknown entries show as stored."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.audit_log import SUMMARIES, action_label, entity_label, readable, summary
from i18n import catalogue, translate
from storage import audit
from storage.assessment import answers, assessments, reviews

ROOT = Path(__file__).resolve().parent.parent
# Actions the code passes in a variable that no call in its own module fills: the values that variable takes.
VARIABLES = {
    ("storage/assessment/assessments.py", "action"): tuple(assessments.TRANSITIONS),  # change_status(..., action)
    ("storage/assessment/answers.py", "source"): tuple(answers.WRITERS),  # f"save_{source}", f"save_{source}_kpi"
    ("storage/assessment/reviews.py", "kind"): reviews.KINDS,  # f"add_{kind}"
}


def _is_record(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit")


def _enclosing(tree: ast.Module, target: ast.AST) -> ast.FunctionDef | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(child is target for child in ast.walk(node)):
            inner = _enclosing(ast.Module(body=node.body, type_ignores=[]), target)
            return inner or node
    return None


def _values(node: ast.AST, tree: ast.Module, call: ast.Call, module: str) -> set[str]:
    """Every string ``node`` (an audit call's argument) can be: a literal, either side of a conditional, an
    f-string over known values, or a parameter filled by the calls of its function in the same module."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, tree, call, module) | _values(node.orelse, tree, call, module)
    if isinstance(node, ast.JoinedStr):
        found = {""}
        for part in node.values:
            options = _values(part.value if isinstance(part, ast.FormattedValue) else part, tree, call, module)
            found = {f + o for f in found for o in options}
        return found
    if isinstance(node, ast.Name):
        if (module, node.id) in VARIABLES:
            return set(VARIABLES[(module, node.id)])
        function = _enclosing(tree, call)
        params = [a.arg for a in function.args.args] if function else []
        if node.id in params:
            position = params.index(node.id)
            callers = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                       and c.func.id == function.name]
            found = set()
            for caller in callers:
                given = {k.arg: k.value for k in caller.keywords}.get(node.id)
                given = given or (caller.args[position] if position < len(caller.args) else None)
                found |= _values(given, tree, caller, module) if given is not None else set()
            if found:
                return found
    raise AssertionError(f"{module}: cannot tell the values of {ast.unparse(node)} in {ast.unparse(call)}; "
                         "name them in VARIABLES")


def audited() -> set[tuple[str, str]]:
    """(record type, action) of every audit.record call in storage/, read from the code."""
    pairs = set()
    for path in sorted((ROOT / "storage").rglob("*.py")):
        module = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in filter(_is_record, ast.walk(tree)):
            action, entity = call.args[2], call.args[3]
            pairs |= {(e, a) for a in _values(action, tree, call, module) for e in _values(entity, tree, call, module)}
    return pairs


AUDITED = audited()


def test_the_code_is_read_whole():
    """What the other tests rely on: the reader finds the calls whose action is a variable or an f-string."""
    assert {("plan", "request_changes"), ("plan_report", "accept"), ("assessment", "save_review_kpi"),
            ("assessment", "add_strength"), ("assessment", "reopen"), ("cycle", "close_phase"),
            ("user", "enable"), ("session", "sign_in")} <= AUDITED
    assert len(AUDITED) > 80


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize(("entity", "action"), sorted(AUDITED))
def test_every_action_the_store_audits_has_words(entity, action, lang):
    assert f"audit_act_{action}" in catalogue(), f"add audit_act_{action} to data/strings.yaml"
    assert f"audit_ent_{entity}" in catalogue(), f"add audit_ent_{entity} to data/strings.yaml"
    assert action_label(action, lang) == translate(f"audit_act_{action}", lang)
    assert entity_label(entity, lang) == translate(f"audit_ent_{entity}", lang)
    assert (entity, action) in SUMMARIES, f"add a summary of {entity}/{action} to analysis.audit_log.SUMMARIES"


def test_every_summary_and_label_is_of_an_action_the_store_audits():
    assert set(SUMMARIES) <= AUDITED, set(SUMMARIES) - AUDITED
    labels = {key.removeprefix("audit_act_") for key in catalogue() if key.startswith("audit_act_")}
    assert labels == {action for _, action in AUDITED}
    kinds = {key.removeprefix("audit_ent_") for key in catalogue() if key.startswith("audit_ent_")}
    assert kinds == {entity for entity, _ in AUDITED}


@pytest.mark.parametrize(("entity", "action", "entity_id", "detail", "en", "th"), [
    ("assessment", "save_self", "7", {"ticks": {"1.1.B1": True}, "version": 4}, "ticked 1.1.B1 met", "ติ๊ก 1.1.B1 ผ่าน"),
    ("assessment", "save_self", "7", {"ticks": {"1.1.B2": False, "1.1.B1": True}},
     "ticked 1.1.B1 met, 1.1.B2 not met", "ติ๊ก 1.1.B1 ผ่าน, 1.1.B2 ไม่ผ่าน"),
    ("assessment", "save_review", "7", {"ticks": {f"2.1.B{n}": True for n in range(1, 9)}},
     "reviewed: 2.1.B1 met, 2.1.B2 met, 2.1.B3 met, 2.1.B4 met, 2.1.B5 met, 2.1.B6 met and 2 more",
     "ผลตรวจ: 2.1.B1 ผ่าน, 2.1.B2 ผ่าน, 2.1.B3 ผ่าน, 2.1.B4 ผ่าน, 2.1.B5 ผ่าน, 2.1.B6 ผ่าน และอีก 2 รายการ"),
    ("assessment", "save_narrative", "7", {"item": "1.2", "level": "basic", "chars": 420, "version": 5},
     "changed the account of item 1.2, Basic level (420 characters)",
     "แก้คำอธิบายประเด็น 1.2 ระดับพื้นฐาน (420 ตัวอักษร)"),
    ("assessment", "save_narrative", "7", {"item": "1.2", "level": "advance", "chars": 0},
     "cleared the account of item 1.2, Advance level", "ลบคำอธิบายประเด็น 1.2 ระดับก้าวหน้า"),
    ("assessment", "save_none_met", "7", {"item": "3.1", "none": True}, 'answered item 3.1 "none met yet"',
     "ตอบว่าประเด็น 3.1 ยังไม่ผ่านข้อใด"),
    ("assessment", "save_self_kpi", "7", {"values": {"RM1/2570": 82.5, "RM1/2569": None}},
     "entered RM1 (2569) = —, RM1 (2570) = 82.5", "กรอกค่าตัวชี้วัด RM1 (2569) = —, RM1 (2570) = 82.5"),
    ("assessment", "return", "7", {"status": "returned", "reason": "แนบหลักฐาน 1.1"},
     'status now "Returned"; reason: แนบหลักฐาน 1.1', 'สถานะเป็น "ส่งกลับให้แก้ไข" เหตุผล: แนบหลักฐาน 1.1'),
    ("assessment", "add_evidence", "7", {"evidence": 3, "item": "1.1", "level": "basic", "kpi": None,
                                         "file": "แผน.pdf", "sha256": "ab"},
     "attached แผน.pdf to 1.1, Basic", "แนบไฟล์ แผน.pdf ที่ 1.1, ระดับพื้นฐาน"),
    ("user", "reset_password", "4", {"name": "somchai"}, "reset the password of somchai",
     "ตั้งรหัสผ่านใหม่ให้ somchai"),
    ("user", "update", "4", {"name": "somchai", "role": ["director", "committee"]},
     "changed the account somchai: role: Director → PMQA committee",
     "แก้ไขบัญชี somchai: บทบาท: ผู้บริหาร → คณะกรรมการ PMQA"),
    ("ofi", "update", "12", {"changes": {"status": {"old": "open", "new": "done"}, "owner": {"old": None,
                                                                                             "new": "somchai"}}},
     "changed OFI 12: Status: Open → Done; Owner: — → somchai",
     "แก้ OFI รหัส 12: สถานะ: ยังไม่เริ่ม → ดำเนินการแล้ว; ผู้รับผิดชอบ: — → somchai"),
    ("cycle", "close_phase", "2570", {"phase": "planning", "was": "open", "reason": None},
     'closed the phase "Improvement planning" of 2570', "ปิดระยะการจัดทำแผนพัฒนาองค์การ ปี 2570"),
    ("plan_report", "request_changes", "9", {"plan": 3, "round": "6m", "version": 2, "was": "submitted",
                                             "reason": "เพิ่มหลักฐาน"},
     "asked for changes to the 6-month progress report of plan 3; reason: เพิ่มหลักฐาน",
     "ขอให้ปรับแก้รายงานความก้าวหน้ารอบ 6 เดือน ของแผนรหัส 3 เหตุผล: เพิ่มหลักฐาน"),
    ("session", "sign_in_failed", None, {"client": "10.0.0.7", "method": "sso", "provider": "microsoft",
                                         "reason": "sso_unknown"},
     "sign-in with microsoft refused (e-mail of no active user), from 10.0.0.7",
     "เข้าสู่ระบบด้วย microsoft ไม่ได้ (อีเมลไม่ตรงกับผู้ใช้ที่ใช้งานอยู่) จาก 10.0.0.7"),
    ("session", "sign_in_failed", None, {"client": "10.0.0.7", "name": "unknown"},
     "sign-in with a name that is no account (what was typed is not kept), from 10.0.0.7",
     "ลงชื่อเข้าใช้ด้วยชื่อที่ไม่ใช่บัญชีของระบบ (ไม่เก็บสิ่งที่พิมพ์ไว้) จาก 10.0.0.7"),
    ("session", "sign_out", "4", {"client": "10.0.0.7", "reason": "password"},
     "signed out: the password was changed or reset elsewhere", "ออกจากระบบ เพราะรหัสผ่านถูกเปลี่ยนหรือตั้งใหม่ในอีกที่หนึ่ง"),
    ("assessment", "add_evidence", "7", {"evidence": 5, "item": "1.1", "level": None, "kpi": None,
                                         "link": "confidential"},
     "linked (confidential) to 1.1", "แนบลิงก์ (ลับ) ที่ 1.1"),
    ("session", "sign_in", "4", {"client": "unknown"}, "signed in from an unknown address",
     "เข้าสู่ระบบจาก ที่อยู่ที่ไม่ทราบ"),
    ("session", "lockout", None, {"client": "10.0.0.7", "minutes": 15},
     "too many failed sign-ins: signing in paused for 15 minutes (from 10.0.0.7)",
     "ลงชื่อเข้าใช้ผิดหลายครั้ง จึงระงับการเข้าสู่ระบบ 15 นาที (จาก 10.0.0.7)"),
    ("session", "sign_out", "4", {"client": "10.0.0.7", "reason": "idle"}, "signed out after idle time",
     "ออกจากระบบอัตโนมัติ เพราะไม่มีการใช้งาน"),
    ("dept_record", "dept_cite", "2570", {"item": "1.1", "evidence": [4], "version": 3},
     "cited 1 piece of evidence for item 1.1", "อ้างอิงหลักฐาน 1 รายการในประเด็น 1.1"),
    ("dept_record", "dept_adli", "2570", {"ref": "1.1/learning", "item": "1.1", "part": "learning", "chars": 40,
                                          "taken_from": "RC01", "level": "basic", "version": 4},
     "took unit RC01's account into item 1.1, part Learning (40 characters)",
     "นำคำอธิบายของหน่วยงาน RC01 มาใช้ในประเด็น 1.1 ส่วน การเรียนรู้ (40 ตัวอักษร)"),
    ("dept_record", "dept_comparisons", "2570", {"kpi": "RM1", "comparisons": [{"kind": "best"}], "version": 5},
     "saved 1 comparison for KPI RM1", "บันทึกค่าเปรียบเทียบของตัวชี้วัด RM1 1 รายการ"),
    # as stored: what the module has no words for, or a detail of another shape
    ("store", "test", None, None, "", ""),
    ("store", "migrate", None, '{"step": "m018", "rows": 3}', "step: m018; rows: 3", "step: m018; rows: 3"),
    ("assessment", "save_self", "7", '{"ticks": "all"}', "ticks: all", "ticks: all"),
])
def test_a_summary_says_in_a_line_what_the_entry_did(entity, action, entity_id, detail, en, th):
    import json

    stored = json.dumps(detail, ensure_ascii=False) if isinstance(detail, dict) else detail
    assert summary(action, entity, entity_id, stored, "en") == en
    assert summary(action, entity, entity_id, stored, "th") == th


def test_an_unknown_action_or_record_type_shows_as_stored():
    assert action_label("m018_backfill", "th") == "m018_backfill"
    assert entity_label("gadget", "en") == "gadget"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_entry_of_a_real_year_reads_in_words(demo_db, demo_user, lang):
    """The store's own details, made by its functions, fit the summaries: none falls back to the raw fields."""
    from storage.assessment import years
    from storage.organisation import accounts

    admin, unit = demo_user("admin"), demo_user("unit")
    found = assessments.get(demo_db, unit.unit_id, 2570)
    aid, version = found["id"], found["version"]
    version = answers.save_checkpoints(demo_db, unit, aid, version, {"1.1.B1": True})
    version = answers.save_narrative(demo_db, unit, aid, version, "1.2", "basic", "ก" * 420)
    version = answers.save_none_met(demo_db, unit, aid, version, "3.1", True)
    version = answers.save_kpi_values(demo_db, unit, aid, version, {("RM1", 2570): 82.5})
    accounts.reset_password(demo_db, admin, accounts.user_id_of(demo_db, "demo-unit"), "mango-tide-temp1")
    years.set_phase(demo_db, admin, 2570, "planning", "open")
    frame = readable(audit.entries(demo_db), lang)
    assert len(frame) >= 10
    for row in frame.itertuples():
        assert row.action_name == translate(f"audit_act_{row.action}", lang)
        assert row.entity_name == translate(f"audit_ent_{row.entity}", lang)
        assert row.summary and "{" not in row.summary and ": [" not in row.summary, row
    words = dict(zip(frame["action"], frame["summary"], strict=False))
    assert words["save_narrative"] == translate("audit_sum_narrative", lang, item="1.2", n=420,
                                                level=translate("level_basic", lang))
    assert words["reset_password"] == translate("audit_sum_user_reset_password", lang, name="demo-unit")
