"""The department's assessment page under AppTest: the committee starts it from the units and edits it (every
change saved at once, versioned and audited), approves and reopens it; the director and the admin read it;
units cannot reach it."""

import pytest
from readers import reader

from analysis.department_record import record_scores
from i18n import translate
from i18n.format import score_text
from storage.assessment import assessments
from storage.record import department
from ui.text import WORD_BREAK, md, thai_lines

PAGE = "pages/department.py"
YEAR = 2570


@pytest.fixture
def page(app):
    def open_page(role: str = "committee", lang: str = "th"):
        at = app(role, lang, page=PAGE)
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def _button(at, key: str, lang: str = "th"):
    return next(b for b in at.button if b.label == translate(key, lang))


def _metric(at, key: str, lang: str = "th") -> str:
    # a Thai label's words are marked for the page (ui.text.thai_lines)
    return next(m.value.replace(WORD_BREAK, "") for m in at.metric if m.label == translate(key, lang))


def _start(at):
    _button(at, "dp_start").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_committee_starts_it_from_the_units_by_the_rule_it_chooses(page, demo_db):
    at = page()
    counted = department.unit_answers(demo_db, YEAR)[1]
    assert at.info[0].value == translate("dp_not_started", "th", year=YEAR, n=counted)
    at.radio(key="dp:rule:th").set_value("all").run()
    _start(at)
    record = department.get(demo_db, reader(demo_db), YEAR)
    assert record.record["rule"] == "all" and record.version == 1
    assert _metric(at, "total_score") == score_text(record_scores(demo_db, YEAR).total)
    assert at.checkbox(key="dp:cp:1.1.B1").value == record.ticks["1.1.B1"]
    met = dict(zip(*department.unit_answers(demo_db, YEAR)[0].to_dict("list").values(), strict=True))
    assert translate("dp_units_met", "th", met=met["1.1.B1"], n=counted) in [c.value for c in at.caption]


def test_every_change_saves_at_once_and_the_score_follows(page, demo_db):
    at = page()
    _start(at)
    before = department.get(demo_db, reader(demo_db), YEAR)
    ticked = not before.ticks["1.1.B1"]
    at.checkbox(key="dp:cp:1.1.B1").set_value(ticked).run()
    at.text_area(key="dp:nar:1.1").input("กรมกำหนดทิศทางร่วมกับทุกหน่วยงาน").run()
    at.segmented_control(key="dp:category").set_value(7).run()
    at.number_input(key=f"dp:kpi:RM1:{YEAR}").set_value(91.5).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = department.get(demo_db, reader(demo_db), YEAR)
    assert saved.ticks["1.1.B1"] == ticked and saved.narratives["1.1"] == "กรมกำหนดทิศทางร่วมกับทุกหน่วยงาน"
    assert saved.kpi_values[("RM1", YEAR)] == 91.5 and saved.version == before.version + 3
    assert _metric(at, "total_score") == score_text(record_scores(demo_db, YEAR).total)
    caption = translate("dp_units_kpi", "th", n=0, mean="", min="", max="")[:12]
    assert any(c.value.startswith(caption) for c in at.caption)  # the units' values for reference


def test_the_units_mean_is_offered_as_the_departments_kpi_value(page, demo_db):
    # regression (issue 25): the department's KPI values had to be retyped though the units' mean was shown
    at = page()
    _start(at)
    at.segmented_control(key="dp:category").set_value(7).run()
    theirs = assessments.kpi_results(demo_db, YEAR, "best")
    mean = round(float(theirs[(theirs["kpi"] == "RM1") & (theirs["fiscal_year"] == YEAR)]["value"].dropna().mean()), 2)
    offer = translate("dp_use_units_mean", "th", mean=f"{mean:,.2f}", year=YEAR)
    at.button(key="dp:mean:RM1").click().run()
    assert not at.error and department.get(demo_db, reader(demo_db), YEAR).kpi_values[("RM1", YEAR)] == mean
    assert at.number_input(key=f"dp:kpi:RM1:{YEAR}").value == mean
    assert offer not in [b.label for b in at.button]  # taken: no longer offered


def test_an_out_of_range_value_is_refused_and_nothing_changes(page, demo_db):
    at = page()
    _start(at)
    at.segmented_control(key="dp:category").set_value(7).run()
    at.number_input(key=f"dp:kpi:RM1:{YEAR}").set_value(1e7).run()
    assert at.error and "RM1" in at.error[0].value
    assert ("RM1", YEAR) not in department.get(demo_db, reader(demo_db), YEAR).kpi_values
    assert at.number_input(key=f"dp:kpi:RM1:{YEAR}").value is None  # the widget shows the store again


def test_approval_locks_it_and_a_reason_reopens_it(page, demo_db):
    at = page()
    _start(at)
    assert _button(at, "dp_approve").disabled
    at.checkbox(key="dp:approve_sure").check().run()
    _button(at, "dp_approve").click().run()
    assert department.get(demo_db, reader(demo_db), YEAR).record["status"] == "approved"
    assert at.checkbox(key="dp:cp:1.1.B1").disabled
    assert at.info[0].value == translate("dp_locked", "th")
    at.text_input(key="dp:reopen_reason").input("แก้ค่าตัวชี้วัด")
    _button(at, "dp_reopen").click().run()
    assert department.get(demo_db, reader(demo_db), YEAR).record["status"] == "draft"
    assert not at.checkbox(key="dp:cp:1.1.B1").disabled


@pytest.mark.parametrize("role", ["director", "admin"])
def test_the_director_and_the_admin_read_it(page, demo_db, demo_user, role):
    at = page(role)
    assert not [b for b in at.button if b.label == translate("dp_start", "th")]  # only the committee starts it
    department.start(demo_db, demo_user("committee"), YEAR)
    at.run()
    at.segmented_control(key="dp:category").set_value(1).run()  # the profile was the only section till now
    assert at.checkbox(key="dp:cp:1.1.B1").disabled and at.text_area(key="dp:nar:1.1").disabled
    assert not [b for b in at.button if b.label == translate("dp_approve", "th")]


def test_english(page, demo_db, demo_user):
    department.start(demo_db, demo_user("committee"), YEAR)
    at = page("committee", "en")
    assert at.title[0].value == translate("dp_title", "en", year=YEAR)
    assert _metric(at, "total_score", "en") == score_text(record_scores(demo_db, YEAR).total)


def test_units_cannot_reach_it(app):
    at = app("unit")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_committee_answers_the_organisation_profile_before_and_after_starting(page, demo_db, demo_user):
    at = page()
    assert at.segmented_control(key="dp:category").value == "profile"  # the only section before the start
    part = department.years.framework_of(demo_db, YEAR).profile[0]
    at.text_area(key=f"pf:part:{part.id}").input("  กรมมีพันธกิจตามกฎหมาย 3 ด้าน  ").run()
    assert not at.exception and not at.error
    # regression (issue 25): the profile saved without a sign near the box (a toast far up a long page)
    assert f":material/check_circle: {translate('text_saved', 'th')}" in [c.value for c in at.caption]
    saved = department.profile(demo_db, reader(demo_db), YEAR)
    assert saved[part.id]["text"] == "กรมมีพันธกิจตามกฎหมาย 3 ด้าน" and saved[part.id]["updated_by"] == "demo-committee"
    assert thai_lines(part.questions[0].th) in " ".join(m.value for m in at.markdown)

    other = page()  # a second committee session, opened now, and the first one changes the part again
    at.text_area(key=f"pf:part:{part.id}").input("ฉบับแก้ไข").run()
    other.text_area(key=f"pf:part:{part.id}").input("ฉบับของอีกคน").run()
    # refused (someone changed it since it was shown): theirs in the box, the text typed kept beside it
    assert [w.value for w in other.main.warning] == [translate("conflict_text", "th", by=md("demo-committee"))]
    assert department.profile(demo_db, reader(demo_db), YEAR)[part.id]["text"] == "ฉบับแก้ไข"
    assert other.text_area(key=f"pf:part:{part.id}").value == "ฉบับแก้ไข"
    assert "ฉบับของอีกคน" in [m.value for m in other.markdown]
    other.button(key=f"pf:part:{part.id}:resolve:conflict_both").click().run()
    assert not other.main.warning
    assert department.profile(demo_db, reader(demo_db), YEAR)[part.id]["text"] == "ฉบับแก้ไข\n\nฉบับของอีกคน"
    assert other.text_area(key=f"pf:part:{part.id}").value == "ฉบับแก้ไข\n\nฉบับของอีกคน"

    director = page("director")
    assert director.text_area(key=f"pf:part:{part.id}").disabled


def test_a_closed_year_offers_no_start(page, demo_db):
    at = page()
    at.selectbox(key="cycle:th").set_value(2569).run()
    assert not at.exception
    assert translate("dp_start", "th") not in [b.label for b in at.button]
    assert at.text_area(key="pf:part:P1a").disabled  # nor a profile to write


def test_a_cited_link_only_the_departments_network_opens_is_flagged(app, full_demo_path, monkeypatch):
    monkeypatch.setenv("PMQA_DB", str(full_demo_path))  # the demo cites http://intranet/... under 1.1
    at = app("committee", page=PAGE)
    assert not at.exception, [e.value for e in at.exception]
    flagged = [w.value for w in at.warning if w.value.startswith(translate("dp_cite_intranet", "th", links="")[:40])]
    assert len(flagged) == 1 and md("http://intranet/vision-cascade") in flagged[0]  # as Markdown, shown as typed
    assert "www.example.go.th" not in flagged[0]  # a public link is not flagged


def _unit_accounts(db, item: str) -> list[str]:
    """Two counted units' accounts of ``item`` (the units-only demo has none); their codes."""
    rows = db.execute("SELECT a.id, u.code FROM assessments a JOIN units u ON u.id = a.unit_id WHERE a.year = ? AND "
                      "a.status IN ('submitted', 'approved') ORDER BY a.unit_id LIMIT 2", [YEAR]).fetchall()
    db["narratives"].insert_all({"assessment_id": i, "item": item, "level": "basic",
                                 "text": f"หน่วยงาน {code} ถ่ายทอดแผนสู่ผู้ปฏิบัติ"} for i, code in rows)
    return sorted(code for _, code in rows)  # in the order the page lists them


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_committee_writes_each_adli_part_by_its_prompt_and_takes_a_units_passage(page, demo_db, lang):
    codes = _unit_accounts(demo_db, "1.1")
    at = page(lang=lang)
    _start(at) if lang == "th" else _button(at, "dp_start", lang).click().run()
    parts = department.adli_parts(department.years.framework_of(demo_db, YEAR))
    areas = {a.key: a for a in at.text_area}
    for part in parts:  # each part's box, labelled with its name, its prompt shown while it is empty
        area = areas[f"dp:adli:1.1:{part.id}"]
        assert area.label == part.name.get(lang) and area.placeholder == part.prompt.get(lang) and area.value == ""
    at.text_area(key="dp:adli:1.1:approach").input("กรม**กำหนด**ทิศทาง\n\n- ทบทวนทุกปี").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = department.get(demo_db, reader(demo_db), YEAR)
    assert saved.adli == {("1.1", "approach"): "กรม**กำหนด**ทิศทาง\n\n- ทบทวนทุกปี"}
    preview = [m.value for m in at.markdown]
    assert "กรม**กำหนด**ทิศทาง" in preview and "- ทบทวนทุกปี" in preview  # the preview: bold and a list
    # a unit's passage into the deployment part, its unit kept as the source
    at.selectbox(key="dp:take:1.1").set_value(1).run()
    at.radio(key="dp:take_part:1.1").set_value("deployment").run()
    _button(at, "dp_take", lang).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = department.get(demo_db, reader(demo_db), YEAR)
    assert saved.adli[("1.1", "deployment")] == f"หน่วยงาน {codes[1]} ถ่ายทอดแผนสู่ผู้ปฏิบัติ"
    assert saved.sources[("1.1", "deployment")] == [codes[1]]
    assert at.text_area(key="dp:adli:1.1:deployment").value == saved.adli[("1.1", "deployment")]
    assert translate("dp_adli_sources", lang, units=codes[1]) in [c.value for c in at.caption]


def test_category_7_takes_five_years_comparisons_and_an_analysis(page, demo_db):
    at = page()
    _start(at)
    at.segmented_control(key="dp:category").set_value(7).run()
    for fiscal_year in range(YEAR - 4, YEAR + 1):
        assert at.number_input(key=f"dp:kpi:RM1:{fiscal_year}")
    at.number_input(key=f"dp:kpi:RM1:{YEAR - 4}").set_value(71.25).run()
    at.selectbox(key="dp:cmp_kind:RM1").set_value("best")  # in a form: sent with its submit
    at.text_input(key="dp:cmp_label:RM1").input("ค่าสูงสุดของกระทรวง")
    at.number_input(key="dp:cmp_value:RM1").set_value(95.0)
    at.text_input(key="dp:cmp_source:RM1").input("")  # no source: refused, what was typed stays
    submit = next(b for b in at.button if b.label == translate("dp_cmp_save", "th")
                  and b.key and "cmp_form" in b.key and "RM1" in b.key)
    submit.click().run()
    assert at.error and translate("error_comparison_text", "th", limit=department.MAX_LABEL) in at.error[0].value
    assert at.text_input(key="dp:cmp_label:RM1").value == "ค่าสูงสุดของกระทรวง"
    assert at.selectbox(key="dp:cmp_kind:RM1").value == "best", at.selectbox(key="dp:cmp_kind:RM1").value
    at.text_input(key="dp:cmp_source:RM1").input("รายงานของกระทรวง 2569")
    next(b for b in at.button if b.key and "cmp_form" in b.key and "RM1" in b.key).click().run()
    at.text_area(key="dp:kpi_analysis:RM1").input("ดีขึ้นต่อเนื่อง 5 ปี").run()
    at.multiselect(key="dp:kpi_items:RM1").set_value(["1.1", "3.2"]).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = department.get(demo_db, reader(demo_db), YEAR)
    assert saved.kpi_values[("RM1", YEAR - 4)] == 71.25
    assert saved.comparisons["RM1"] == [{"kind": "best", "label": "ค่าสูงสุดของกระทรวง", "value": 95.0,
                                         "source": "รายงานของกระทรวง 2569"}]
    assert saved.kpi_notes["RM1"] == {"analysis": "ดีขึ้นต่อเนื่อง 5 ปี", "items": ["1.1", "3.2"]}
    assert at.text_input(key="dp:cmp_label:RM1").value == ""  # the form empties for the next one
    next(b for b in at.button if b.key == "dp:cmp_rm:RM1:0").click().run()
    assert department.get(demo_db, reader(demo_db), YEAR).comparisons.get("RM1", []) == []
