"""The department's application texts (storage.record.department) on a real SQLite copy of the demo store: the ADLI
parts of each process account and the units' passages taken into them with their source, five years of results,
the comparisons and the analysis of each KPI of category 7; each checked, versioned and audited."""

from __future__ import annotations

import pytest

from storage import audit
from storage.assessment import years
from storage.errors import AccessDenied, FieldConflict, InputError
from storage.record import department

YEAR = 2570


@pytest.fixture
def committee(demo_user):
    return demo_user("committee")


@pytest.fixture
def record(demo_db, committee):
    return department.start(demo_db, committee, YEAR)


def test_the_parts_are_the_criteria_files(demo_db):
    parts = department.adli_parts(years.framework_of(demo_db, YEAR))
    assert [p.id for p in parts] == ["approach", "deployment", "learning", "integration"]
    assert all(p.prompt.th and p.prompt.en for p in parts)


def test_an_adli_part_is_saved_checked_and_audited(demo_db, committee, record):
    version = department.save_adli(demo_db, committee, YEAR, record.version, "1.1", "approach",
                                   "  ผู้บริหารกำหนดทิศทาง **สำคัญ**\n\n- ข้อหนึ่ง  ", before="")
    stored = department.get(demo_db, committee, YEAR)
    assert stored.adli == {("1.1", "approach"): "ผู้บริหารกำหนดทิศทาง **สำคัญ**\n\n- ข้อหนึ่ง"}
    assert stored.version == version == record.version + 1
    entry = audit.entries(demo_db, action="dept_adli").iloc[0]
    assert (entry["username"], entry["entity_id"]) == ("demo-committee", str(YEAR))
    for item, part in (("7.1", "approach"), ("1.1", "results"), ("9.9", "approach")):
        with pytest.raises(InputError):
            department.save_adli(demo_db, committee, YEAR, version, item, part, "x", before="")
    with pytest.raises(InputError):
        department.save_adli(demo_db, committee, YEAR, version, "1.1", "learning", "ก" * 10001, before="")
    assert department.get(demo_db, committee, YEAR).adli == stored.adli


@pytest.mark.parametrize("role", ["unit", "director", "admin"])
def test_only_the_committee_writes_the_application_texts(demo_db, demo_user, record, role):
    actor = demo_user(role)
    with pytest.raises(AccessDenied):
        department.save_adli(demo_db, actor, YEAR, record.version, "1.1", "approach", "x", before="")
    with pytest.raises(AccessDenied):
        department.save_kpi_note(demo_db, actor, YEAR, record.version, "RM1", analysis="x", before={})


def test_a_part_someone_changed_since_it_was_shown_is_refused(demo_db, committee, record):
    department.save_adli(demo_db, committee, YEAR, record.version, "2.1", "deployment", "ของสมชาย", before="")
    with pytest.raises(FieldConflict) as refused:
        department.save_adli(demo_db, committee, YEAR, record.version, "2.1", "deployment", "ของสมหญิง", before="")
    assert refused.value.stored == "ของสมชาย"
    # another part of the same item is not in conflict
    department.save_adli(demo_db, committee, YEAR, record.version, "2.1", "learning", "ของสมหญิง", before="")


def _unit_accounts(db, item: str) -> None:
    """Two counted units' accounts of ``item`` (the units-only demo has none)."""
    ids = [r[0] for r in db.execute("SELECT id FROM assessments WHERE year = ? AND status IN ('submitted', "
                                    "'approved') ORDER BY unit_id LIMIT 2", [YEAR])]
    db["narratives"].insert_all({"assessment_id": i, "item": item, "level": "basic",
                                 "text": f"หน่วยงานที่ {n} ถ่ายทอดแผนสู่ผู้ปฏิบัติ  "} for n, i in enumerate(ids, 1))


def test_a_units_passage_is_taken_into_a_part_with_its_source(demo_db, committee, record):
    _unit_accounts(demo_db, "1.1")
    passages = department.unit_narratives(demo_db, YEAR, "1.1")
    first, second = passages.iloc[0], passages.iloc[1]
    department.save_adli(demo_db, committee, YEAR, record.version, "1.1", "deployment", "ของกรรมการ", before="")
    department.take_passage(demo_db, committee, YEAR, "1.1", "deployment", int(first.unit_id), first.level,
                            before="ของกรรมการ")
    stored = department.get(demo_db, committee, YEAR)
    assert stored.adli[("1.1", "deployment")] == f"ของกรรมการ\n\n{first.text.strip()}"
    assert stored.sources[("1.1", "deployment")] == [first.code]
    department.take_passage(demo_db, committee, YEAR, "1.1", "deployment", int(second.unit_id), second.level,
                            before=stored.adli[("1.1", "deployment")])
    assert department.get(demo_db, committee, YEAR).sources[("1.1", "deployment")] == sorted({first.code,
                                                                                              second.code})
    details = audit.entries(demo_db, action="dept_adli")["detail"]
    assert details.str.contains(f'"taken_from": "{second.code}"').any()
    with pytest.raises(FieldConflict):  # the editor showed an older text
        department.take_passage(demo_db, committee, YEAR, "1.1", "deployment", int(first.unit_id), first.level,
                                before="ของกรรมการ")
    with pytest.raises(InputError):  # no such passage
        department.take_passage(demo_db, committee, YEAR, "1.1", "approach", 999999, "basic", before="")
    version = department.get(demo_db, committee, YEAR).version
    department.save_adli(demo_db, committee, YEAR, version, "1.1", "deployment", "", before=None)
    assert ("1.1", "deployment") not in department.get(demo_db, committee, YEAR).sources  # emptied: no source


def test_results_take_five_years(demo_db, committee, record):
    values = {("RM1", fy): 80.0 + fy - YEAR for fy in range(YEAR - 4, YEAR + 1)}
    department.save_kpi_values(demo_db, committee, YEAR, record.version, values)
    stored = department.get(demo_db, committee, YEAR).kpi_values
    assert {k: v for k, v in stored.items() if k[0] == "RM1"} == values
    for fiscal_year in (YEAR - 5, YEAR + 1):
        with pytest.raises(InputError):
            department.save_kpi_values(demo_db, committee, YEAR, record.version + 1, {("RM1", fiscal_year): 1.0})


def test_comparisons_are_checked_replaced_and_audited(demo_db, committee, record):
    rows = [{"kind": "agency", "label": "กรมตัวอย่าง", "value": 85, "source": "รายงานประจำปี 2569"},
            {"kind": "best", "label": "ค่าสูงสุดของกระทรวง", "value": 92.5, "source": "สำนักงานปลัดกระทรวง"}]
    version = department.save_comparisons(demo_db, committee, YEAR, record.version, "RM1", rows, before=[])
    stored = department.get(demo_db, committee, YEAR).comparisons["RM1"]
    assert stored == [{**rows[0], "value": 85.0}, rows[1]]
    bad = [
        {**rows[0], "kind": "rumour"}, {**rows[0], "label": " "}, {**rows[0], "source": ""},
        {**rows[0], "value": "85"}, {**rows[0], "value": float("nan")}, {**rows[0], "value": 1e9},
        {**rows[0], "value": True},
    ]
    for row in bad:
        with pytest.raises(InputError):
            department.save_comparisons(demo_db, committee, YEAR, version, "RM1", [row], before=stored)
    with pytest.raises(InputError):
        department.save_comparisons(demo_db, committee, YEAR, version, "RM1", rows * 4, before=stored)
    with pytest.raises(InputError):
        department.save_comparisons(demo_db, committee, YEAR, version, "RM99", rows, before=[])
    with pytest.raises(FieldConflict):  # the editor showed none: someone added these since
        department.save_comparisons(demo_db, committee, YEAR, version, "RM1", rows[:1], before=[])
    department.save_comparisons(demo_db, committee, YEAR, version, "RM1", rows[1:], before=stored)
    assert department.get(demo_db, committee, YEAR).comparisons["RM1"] == rows[1:]
    assert len(audit.entries(demo_db, action="dept_comparisons")) == 2


def test_a_kpi_note_keeps_the_field_not_given(demo_db, committee, record):
    department.save_kpi_note(demo_db, committee, YEAR, record.version, "RM2", analysis="ดีขึ้นต่อเนื่อง",
                             before={"analysis": ""})
    department.save_kpi_note(demo_db, committee, YEAR, record.version, "RM2", items=["3.1", "1.1", "3.1"],
                             before={"items": []})
    assert department.get(demo_db, committee, YEAR).kpi_notes["RM2"] == {"analysis": "ดีขึ้นต่อเนื่อง",
                                                                             "items": ["1.1", "3.1"]}
    for items in (["7.1"], ["1.1", 3], ["9.9"]):
        with pytest.raises(InputError):
            department.save_kpi_note(demo_db, committee, YEAR, record.version, "RM2", items=items)
    with pytest.raises(FieldConflict):
        department.save_kpi_note(demo_db, committee, YEAR, record.version, "RM2", analysis="อื่น",
                                 before={"analysis": "ยังไม่มี"})
    with pytest.raises(InputError):
        department.save_kpi_note(demo_db, committee, YEAR, record.version, "RM2", analysis="ก" * 3001)
