"""The committee review page, driven with AppTest: re-tick, reviewed scores, notes, return, the unit's
revision, approve, locked; admin re-open; who can reach it."""

import pytest

from analysis.self_assessment import live_scores
from i18n import translate
from scoring import default_framework, item_score
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments
from storage.organisation import accounts

FW = default_framework()
PAGE = "pages/review.py"


def unit_answer(at, checkpoint: str) -> str:
    """The tag drawn under a checkpoint's box: the unit's answer."""
    def walk(block):
        for child in block.children.values():
            yield child
            yield from walk(child) if hasattr(child, "children") else ()

    drawn = list(walk(at.main))
    box = next(i for i, e in enumerate(drawn) if getattr(e, "key", None) == f"rv:cp:{checkpoint}")
    return drawn[box + 1].value


@pytest.fixture
def store(demo_path):
    """The demo store with demo-unit's 2570 assessment complete and submitted, reviewed by nobody."""
    db = connect(demo_path)
    unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
    aid = assessments.get(db, unit.unit_id, 2570)["id"]
    for table in ("checkpoint_answers", "kpi_results", "narratives", "unit_kpis", "item_comments"):
        db.execute(f"DELETE FROM {table} WHERE assessment_id = ?", [aid])
    db.execute("UPDATE assessments SET version = 0, status = 'draft' WHERE id = ?", [aid])
    ticks = {cp.id: level == "basic" for item, level, cp in FW.checkpoints()}
    v = answers.save_checkpoints(db, unit, aid, 0, ticks)
    v = answers.save_kpi_values(db, unit, aid, v, {(kpi.id, 2570): 90.0 for _, kpi in FW.kpis()})
    assessments.change_status(db, unit, aid, v, "submit")
    yield {"db": db, "unit": unit, "aid": aid, "unit_id": unit.unit_id,
           "committee": accounts.authenticate(db, "demo-committee", DEMO_PASSWORD)}
    db.close()


@pytest.fixture
def review(app, store):
    def open_page(role: str = "committee"):
        at = app(role, page=PAGE)
        at.selectbox(key="rv:unit:th").set_value(store["unit_id"]).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def metric(at, key):
    label = translate(key, "th")
    return next(m.value for m in at.metric if m.label == label)


def form(store):
    return answers.load(store["db"], store["committee"], store["aid"])


def test_reviewer_reticks_and_scores_equal_the_scoring_package(review, store):
    at = review()
    at.checkbox(key="rv:cp:1.1.B1").uncheck().run()
    at.checkbox(key="rv:cp:1.2.A1").check().run()
    assert not at.exception and not at.error
    saved = form(store)
    assert saved.ticks["1.1.B1"] == {"self": True, "review": False, "needs_confirm": False}  # the unit's stays
    assert saved.ticks["1.2.A1"]["review"] is True and saved.ticks["1.2.A1"]["self"] is False
    reviewed = live_scores(saved, FW, "review")
    own = live_scores(saved, FW, "self")
    assert metric(at, "rv_review_total") == f"{reviewed.total:,.1f}"
    assert metric(at, "rv_self_total") == f"{own.total:,.1f}"
    assert reviewed.items["1.1"] == item_score([False, True, True], [False] * 3, [False] * 2)
    assert reviewed.items["1.2"] == item_score([True] * 3, [True, False, False], [False] * 2)


def test_reviewer_kpi_value_is_separate_from_the_units(review, store):
    at = review()
    at.segmented_control(key="rv:category").set_value(7).run()
    at.number_input(key="rv:kpi:RM1:2570").set_value(80.0).run()
    values = form(store).kpi_values[("RM1", 2570)]
    assert values == {"self": 90.0, "review": 80.0}


def test_comment_return_revision_and_approval(review, app, store):
    at = review()
    at.text_area(key="rv:note:1.1").input("ควรแนบหลักฐานการสื่อสารวิสัยทัศน์")
    at.button(key="rv:addnote:1.1").click().run()
    assert [c["text"] for c in form(store).comments] == ["ควรแนบหลักฐานการสื่อสารวิสัยทัศน์"]
    at.button(key=f"rv:return:{store['aid']}").click().run()  # no reason: refused
    assert [e.value for e in at.error] == [translate("error_reason_required", "th")]
    at.text_area(key=f"rv:reason:{store['aid']}").input("หลักฐานหมวด 1 ไม่ครบ")
    at.button(key=f"rv:return:{store['aid']}").click().run()
    assert assessments.get(store["db"], store["unit_id"], 2570)["status"] == "returned"

    unit = app("unit")  # the unit sees the reason and the comment, revises and submits again
    unit.switch_page("pages/self_assessment.py").run()
    assert any("หลักฐานหมวด 1 ไม่ครบ" in e.value for e in unit.error)
    assert any("ควรแนบหลักฐานการสื่อสารวิสัยทัศน์" in w.value for w in unit.warning)
    unit.checkbox(key="sa:cp:1.1.A1").check().run()
    unit.checkbox(key=f"sa:submit_ok:{store['aid']}").check().run()
    next(b for b in unit.button if b.label == translate("sa_submit", "th")).click().run()
    assert assessments.get(store["db"], store["unit_id"], 2570)["status"] == "submitted"

    at = review()
    assert unit_answer(at, "1.1.A1") == f":blue-badge[{translate('rv_unit_met', 'th')}]"  # the revision is there
    at.checkbox(key=f"rv:approve_ok:{store['aid']}").check().run()
    at.button(key=f"rv:approve:{store['aid']}").click().run()
    assert assessments.get(store["db"], store["unit_id"], 2570)["status"] == "approved"
    assert at.checkbox(key="rv:cp:1.1.B1").disabled
    assert any(s.value == translate("rv_locked", "th") for s in at.success)
    audit = [r[0] for r in store["db"].execute(
        "SELECT action FROM audit_log WHERE entity = 'assessment' AND entity_id = ? ORDER BY id", [str(store["aid"])])]
    assert audit == ["save_self", "save_self_kpi", "submit", "add_comment", "return", "save_self", "submit", "approve"]


def test_admin_reopens_an_approved_assessment_with_a_reason(review, store):
    at = review()
    at.checkbox(key=f"rv:approve_ok:{store['aid']}").check().run()
    at.button(key=f"rv:approve:{store['aid']}").click().run()
    admin = review("admin")
    assert admin.checkbox(key="rv:cp:1.1.B1").disabled  # the admin does not review
    admin.text_area(key=f"rv:reopen_reason:{store['aid']}").input("แก้ไขผลตัวชี้วัด RM1 ตามข้อมูลใหม่")
    admin.button(key=f"rv:reopen:{store['aid']}").click().run()
    assert assessments.get(store["db"], store["unit_id"], 2570)["status"] == "returned"


def test_queue_lists_every_unit_with_scores(review, store):
    at = review()
    [queue] = [d for d in at.dataframe if len(d.value) > 7]
    assert len(queue.value) == 14  # the demo's 13 submitted, returned or approved units, and this one
    assert metric(at, "rv_difference") == "+0.0"


@pytest.mark.parametrize("role", ["unit", "director"])
def test_other_roles_cannot_reach_the_review_page(app, role):
    at = app(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_decision_is_below_the_items_too_and_an_unchanged_score_shows_no_change(review, store):
    at = review()
    returns = [b for b in at.button if b.label == translate("rv_return", "th")]
    approves = [b for b in at.button if b.label == translate("rv_approve", "th")]
    assert len(returns) == len(approves) == 2  # above and below the items
    # nothing re-ticked yet: no "+0.0" delta on an item's reviewed score
    reviewed = [m for m in at.metric if m.label == translate("rv_reviewed_score", "th")]
    assert reviewed and all(not m.proto.delta for m in reviewed)
    at.checkbox(key="rv:cp:1.1.B1").uncheck().run()
    assert [m.proto.delta for m in at.metric if m.label == translate("rv_reviewed_score", "th") and m.proto.delta]
    # the bottom one works on its own: returned with the reason typed there
    at.text_area(key=f"rv:reason:{store['aid']}:below").input("แนบหลักฐานเพิ่ม").run()
    next(b for b in at.button if b.key == f"rv:return:{store['aid']}:below").click().run()
    assert assessments.get(store["db"], store["unit_id"], 2570)["return_reason"] == "แนบหลักฐานเพิ่ม"


def test_the_link_to_ofis_opens_this_units_gaps(review, store, app):
    at = review()
    link = next(p for p in at.get("page_link") if p.proto.label == translate("rv_to_ofis", "th"))
    assert link.proto.query_string == f"ofi_tab=gaps&gaps_of={store['unit_id']}"
    ofi = app("committee")
    ofi.query_params["ofi_tab"], ofi.query_params["gaps_of"] = "gaps", str(store["unit_id"])
    ofi.switch_page("pages/ofi_register.py").run()
    assert not ofi.exception
    assert ofi.selectbox(key="ofi:gap_scope:th").value == store["unit_id"]


@pytest.fixture
def own_kpi(demo_db):
    """The demo's submitted PLAN unit and the KPI it added itself (7.1)."""
    row = next(demo_db.query("SELECT a.unit_id, u.assessment_id, u.kpi FROM unit_kpis u JOIN assessments a "
                             "ON a.id = u.assessment_id WHERE a.status = 'submitted' ORDER BY u.id LIMIT 1"))
    return row


def test_the_committee_judges_a_units_own_kpi_and_the_unit_sees_it(app, demo_db, own_kpi):
    lang = "th"  # AppTest cannot choose a category in English (a format_func widget); the browser test does
    at = app("committee", lang, page=PAGE)
    at.selectbox(key=f"rv:unit:{lang}").set_value(own_kpi["unit_id"]).run()
    at.segmented_control(key="rv:category").set_value(7).run()
    judged_before = answers.load(demo_db, accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD),
                                 own_kpi["assessment_id"])
    radio = f"rv:judge:{own_kpi['kpi']}:{lang}"
    at.radio(key=radio).set_value(False)
    next(b for b in at.button if b.label == translate("rv_judge_save", lang)).click().run()
    assert [e.value for e in at.error] == [translate("error_kpi_unsuitable_reason", lang)]  # a reason is needed
    assert next(demo_db.query("SELECT suitable FROM unit_kpis WHERE kpi = ?", [own_kpi["kpi"]]))["suitable"] is None

    at.radio(key=radio).set_value(False)
    at.text_input(key=f"rv:judge_reason:{own_kpi['kpi']}").input("วัดผลผลิต ไม่ใช่ผลลัพธ์")
    next(b for b in at.button if b.label == translate("rv_judge_save", lang)).click().run()
    assert not at.exception and not at.error
    assert next(demo_db.query("SELECT suitable, suitable_reason FROM unit_kpis WHERE kpi = ?", [own_kpi["kpi"]])) == {
        "suitable": 0, "suitable_reason": "วัดผลผลิต ไม่ใช่ผลลัพธ์"}
    saved = answers.load(demo_db, accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD),
                         own_kpi["assessment_id"])
    after = next(m.value for m in at.metric if m.label == translate("rv_review_total", lang))
    assert after == f"{live_scores(saved, FW, 'review').total:,.1f}"
    # the judgement counts: item 7.1 without the unit's KPI (the total, rounded, may not show it)
    assert live_scores(saved, FW, "review").items["7.1"] != live_scores(judged_before, FW, "review").items["7.1"]
    notice = translate("kpi_judged_unsuitable", lang, reason="วัดผลผลิต ไม่ใช่ผลลัพธ์")
    assert notice in [w.value for w in at.warning]
    assert [c.value for c in at.caption].count(translate("rv_not_counted", lang)) == 1  # beside the KPI

    demo_db.execute("UPDATE users SET unit_id = ? WHERE username = 'demo-unit'", [own_kpi["unit_id"]])
    unit = app("unit", lang, page="pages/self_assessment.py")
    unit.segmented_control(key="sa:category").set_value(7).run()
    assert not unit.exception and notice in [w.value for w in unit.warning]


def test_only_the_committee_sees_the_judgement_form(app, own_kpi):
    at = app("admin")  # the PMQA owner reads the review; the director cannot reach it
    at.switch_page(PAGE).run()
    at.selectbox(key="rv:unit:th").set_value(own_kpi["unit_id"]).run()
    at.segmented_control(key="rv:category").set_value(7).run()
    assert not at.exception
    assert translate("rv_judge_save", "th") not in [b.label for b in at.button]
