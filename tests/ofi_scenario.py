"""A year's OFI register as a real department ends up with it on item 1.1 (issue 25): the department's OFI, a
unit's, a gap the department and a unit both filed, a unit's gap on a checkpoint the department's assessment
meets, and a dropped OFI. The document tests read it back from the application report and the slides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from readers import reader

from i18n.format import thailand_today
from storage.engine import Store
from storage.organisation import org
from storage.plans import ofis
from storage.record import department

DEPARTMENT_TEXT = "ทบทวนวิสัยทัศน์และค่านิยมร่วมกับเครือข่ายทุกภาคส่วน"
UNIT_TEXT = "จัดทำแผนสื่อสารวิสัยทัศน์ของกองให้ครบทุกกลุ่มงาน"
DROPPED_TEXT = "ข้อเสนอที่คณะกรรมการยกเลิกแล้ว"
MET, NOT_MET = "1.1.B1", "1.1.A1"  # the department's assessment meets the first, not the second


@dataclass(frozen=True)
class Scenario:
    shared_gap: dict[str, str]  # lang -> the department's and PLAN's OFI on NOT_MET: one line, the department's
    met_gap: dict[str, str]  # lang -> HR's OFI on MET: named with HR, for HR only
    names: dict[str, dict[str, str]]  # unit code -> lang -> name


def register_ofis(db: Store, year: int) -> Scenario:
    """Start the department's assessment if need be, set MET met and NOT_MET not, and file the OFIs."""
    committee = reader(db, "committee")
    record = department.get(db, committee, year) or department.start(db, committee, year)
    department.save_answers(db, committee, year, record.version, {MET: True, NOT_MET: False})
    plan, hr = org.unit_id_of(db, "PLAN"), org.unit_id_of(db, "HR")
    due, owner = thailand_today() + timedelta(days=90), committee.username
    ofis.create(db, committee, year, "1.1", UNIT_TEXT, "high", owner, due, [plan])  # a unit's, first in the register
    ofis.create(db, committee, year, "1.1", DEPARTMENT_TEXT, "medium", owner, due, [plan, hr])
    for ref, units in ((NOT_MET, [plan]), (NOT_MET, [plan, hr]), (MET, [hr])):
        ofis.from_gap(db, committee, year, {"kind": "checkpoint", "ref": ref, "item": "1.1", "points": 1.0}, owner,
                      due, units=units)
    dropped = ofis.create(db, committee, year, "1.1", DROPPED_TEXT, "low", owner, due, [plan, hr])
    ofis.update(db, committee, dropped, 0, status="dropped")
    gap = {ref: {lang: ofis.gap_description(db, year, {"kind": "checkpoint", "ref": ref}, lang)
                 for lang in ("th", "en")} for ref in (MET, NOT_MET)}
    names = {code: {"th": org.unit(db, uid)["name_th"], "en": org.unit(db, uid)["name_en"]}
             for code, uid in (("PLAN", plan), ("HR", hr))}
    return Scenario(gap[NOT_MET], gap[MET], names)


def check_lines(lines: list[str], scenario: Scenario, lang: str, prefix: str = "") -> None:
    """Item 1.1's OFI lines (each after ``prefix``): the department's as written and first, PLAN's named with
    PLAN, the shared gap once, the met checkpoint's gap named with HR and for HR only, nothing dropped."""
    plan, hr = scenario.names["PLAN"][lang], scenario.names["HR"][lang]
    assert len(lines) == len(set(lines)) == 4, lines  # no line twice; the dropped OFI is not there
    shared, met = scenario.shared_gap[lang], scenario.met_gap[lang]  # a gap's OFI in the document's language
    assert lines[:2] == [prefix + DEPARTMENT_TEXT, prefix + shared]  # the department's, as written
    assert lines[2] == f"{prefix}{plan}: {UNIT_TEXT}"  # a unit's OFI, named with its unit
    assert lines[3].startswith(f"{prefix}{hr}: {met} (")  # named, and said to be the unit's only
    assert sum(shared in line for line in lines) == 1
    assert prefix + met not in lines and DROPPED_TEXT not in "".join(lines)
