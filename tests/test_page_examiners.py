"""The examiner rehearsal page under AppTest: two committee members score on their own (each sees only their own
until they submit), then agree; the PMQA owner and the director read the consensus; units cannot reach it."""

from __future__ import annotations

import pytest
from addresses import open_address

from i18n import translate
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import examiners, years
from storage.organisation import accounts
from ui.router import url_path
from ui.text import WORD_BREAK

PAGE = "pages/examiners.py"
YEAR = 2570
SECOND = "committee-two"


@pytest.fixture
def second(demo_db):
    return accounts.create_user(demo_db, SECOND, DEMO_PASSWORD, "committee", display_name="กรรมการสอง",
                                actor="test", weak_password=True)


def _as(app, username: str | None, role: str | None = None, lang: str = "th"):
    """The page, signed in as the demo user of ``role`` or as ``username``."""
    if role:
        at = app(role, lang, page=PAGE)
    else:
        at = app(None, lang)
        open_address(at, url_path(PAGE))
        at.text_input(key="login_username").input(username)
        at.text_input(key="login_password").input(DEMO_PASSWORD)
        at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _score_all(db, member, percent: int) -> None:
    for item in examiners.scored_items(years.framework_of(db, YEAR)):
        examiners.save(db, member, YEAR, item, percent=percent, rationale=f"เหตุผล {item} ร้อยละ {percent}")


def _shown(at) -> str:
    """Every Markdown text of the page, as a reader sees it (a Thai text's word marks taken out)."""
    return " ".join(m.value for m in at.markdown).replace(WORD_BREAK, "")


def _button(at, key: str, lang: str = "th"):
    return next(b for b in at.button if b.label == translate(key, lang))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_member_scores_alone_submits_and_then_sees_and_agrees(app, demo_db, demo_user, second, lang):
    at = _as(app, None, "committee", lang)
    assert at.title[0].value == translate("ex_title", lang, year=YEAR)
    at.selectbox(key="ex:percent:1.1").set_value(55).run()
    at.text_area(key="ex:rationale:1.1").input("มีแนวทางเป็นระบบ ถ่ายทอดครบ").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    mine = examiners.own(demo_db, demo_user("committee"), YEAR)["1.1"]
    assert (mine["percent"], mine["rationale"]) == (55, "มีแนวทางเป็นระบบ ถ่ายทอดครบ")
    # the other member's draft is never shown; the consensus waits for one's own submission
    examiners.save(demo_db, second, YEAR, "1.1", percent=90, rationale="ลับของกรรมการสอง")
    at.segmented_control(key="ex:view").set_value("consensus").run()
    assert at.info[-1].value == translate("ex_consensus_after_submit", lang)
    assert "ลับของกรรมการสอง" not in _shown(at)
    # every item scored, then submitted through the page
    _score_all(demo_db, demo_user("committee"), 40)
    at.segmented_control(key="ex:view").set_value("mine").run()
    at.checkbox(key="ex:submit_sure").check().run()
    _button(at, "ex_submit", lang).click().run()
    assert not at.exception and at.success[0].value == translate("ex_submitted", lang)
    assert examiners.is_submitted(demo_db, demo_user("committee").id, YEAR)
    at.segmented_control(key="ex:view").set_value("consensus").run()
    assert "ลับของกรรมการสอง" not in _shown(at) and "เหตุผล 1\\.1 ร้อยละ 40" in _shown(at)  # its draft: not shown
    # the second member submits: both side by side, the widest gap first (1.1: 40 against 90)
    _score_all(demo_db, second, 50)
    examiners.save(demo_db, second, YEAR, "1.1", percent=90, rationale="ลับของกรรมการสอง")
    examiners.submit(demo_db, second, YEAR)
    at.run()
    first = at.expander[1] if at.expander[0].label.startswith(translate("ex_bands_title", lang, kind="")[:5]) \
        else at.expander[0]
    assert first.label.startswith("1.1 ")
    assert "ลับของกรรมการสอง" in _shown(at)
    at.selectbox(key="ex:agree_pct:1.1").set_value(60)
    at.text_area(key="ex:agree_why:1.1").input("หลักฐานการถ่ายทอดครบทุกหน่วยงาน")
    next(b for b in at.button if (b.label == translate("ex_agree", lang) and "1.1" in (b.key or ""))
         or b.label == translate("ex_agree", lang)).click().run()
    assert not at.exception
    row = examiners.agreed(demo_db, demo_user("committee"), YEAR)["1.1"]
    assert (row["percent"], row["reason"]) == (60, "หลักฐานการถ่ายทอดครบทุกหน่วยงาน")
    assert at.dataframe  # the totals, each member and the agreement


@pytest.mark.parametrize("role", ["admin", "director"])
def test_the_owner_and_the_director_read_the_consensus_only(app, demo_db, demo_user, second, role):
    _score_all(demo_db, second, 50)
    examiners.submit(demo_db, second, YEAR)
    at = _as(app, None, role)
    assert not at.selectbox or all("agree" not in (s.key or "") for s in at.selectbox)
    assert any(e.label.startswith("1.1 ") for e in at.expander)
    assert not [b for b in at.button if b.label == translate("ex_agree", "th")]


def test_units_cannot_reach_it(app):
    at = app("unit", page=PAGE)
    assert not at.exception
    assert translate("ex_title", "th", year=YEAR) not in [t.value for t in at.title]


def test_the_agreed_ofis_go_to_the_register_from_the_page(app, demo_db, demo_user, second):
    from storage.plans import ofis

    member = demo_user("committee")
    _score_all(demo_db, member, 40)
    examiners.submit(demo_db, member, YEAR)
    examiners.agree(demo_db, member, YEAR, "3.1", 45, "ตามหลักฐาน", ofis="ยังไม่สำรวจผู้รับบริการกลุ่มใหม่")
    at = _as(app, None, "committee")
    at.segmented_control(key="ex:view").set_value("consensus").run()
    next(b for b in at.button if b.key == "ex:register:3.1").click().run()
    assert at.success[0].value == translate("ex_registered", "th", item="3.1", n=1)
    added = ofis.register(demo_db, member, YEAR).query("source == 'examiner'")
    assert added["description"].tolist() == ["ยังไม่สำรวจผู้รับบริการกลุ่มใหม่"]
