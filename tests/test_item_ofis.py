"""Which OFIs a department item shows and how each is labelled (analysis.item_ofis): a table of registers and
what item 1.1 shows; the lines as printed in Thai and English."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.item_ofis import DEPARTMENT, UNIT, UNITS_ONLY, ItemOfi, item_ofis
from i18n import translate
from scoring import default_framework

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

PLAN, HR, FIN = 1, 2, 3
NAMES = {PLAN: "กองแผนงาน", HR: "กองการเจ้าหน้าที่", FIN: "กองคลัง"}
MET, NOT_MET = "ยังไม่ผ่าน 1.1.B1: ผู้บริหารกำหนดวิสัยทัศน์", "ยังไม่ผ่าน 1.1.A1: ทบทวนทิศทาง"
TICKS = {"1.1.B1": True, "1.1.A1": False}


def _register(*rows) -> pd.DataFrame:
    """Register rows (id from the position): (unit ids, description[, status[, item]])."""
    return pd.DataFrame([{"id": i, "item": row[3] if len(row) > 3 else "1.1", "unit_ids": list(row[0]),
                          "description": row[1], "status": row[2] if len(row) > 2 else "open"}
                         for i, row in enumerate(rows, start=1)])


def _shown(register: pd.DataFrame, item: str = "1.1") -> list[tuple]:
    lines = item_ofis(register, TICKS, default_framework(), NAMES).get(item, ())
    return [(o.scope, o.text, o.units, o.ids) for o in lines]


@pytest.mark.parametrize(("rows", "shown"), [
    # several units, or one: the department's as written, a unit's with its name
    ([([PLAN, HR], "ทบทวนแผน")], [(DEPARTMENT, "ทบทวนแผน", (), (1,))]),
    ([([PLAN], "ทบทวนแผน")], [(UNIT, "ทบทวนแผน", (NAMES[PLAN],), (1,))]),
    # the department's first, then the units', each in the register's order
    ([([PLAN], "ก"), ([PLAN, HR], "ข"), ([HR], "ค")],
     [(DEPARTMENT, "ข", (), (2,)), (UNIT, "ก", (NAMES[PLAN],), (1,)), (UNIT, "ค", (NAMES[HR],), (3,))]),
    # a unit and the department share a gap: one line, the department's
    ([([PLAN], NOT_MET), ([PLAN, HR], NOT_MET)], [(DEPARTMENT, NOT_MET, (), (1, 2))]),
    # the same finding for two units: one line naming both (spaces and case do not make it new)
    ([([PLAN], "Review  the plan"), ([HR], "review the plan")],
     [(UNIT, "Review  the plan", (NAMES[PLAN], NAMES[HR]), (1, 2))]),
    # a checkpoint the department meets: the units' only, whoever the OFI was made for
    ([([PLAN, HR], MET)], [(UNITS_ONLY, MET, (NAMES[PLAN], NAMES[HR]), (1,))]),
    ([([FIN], MET), ([PLAN], MET)], [(UNITS_ONLY, MET, (NAMES[FIN], NAMES[PLAN]), (1, 2))]),
    ([([PLAN], MET), ([HR], "ค")], [(UNIT, "ค", (NAMES[HR],), (2,)), (UNITS_ONLY, MET, (NAMES[PLAN],), (1,))]),
    # one of the checkpoints named is not met: still a gap of the department
    ([([PLAN, HR], "1.1.B1 และ 1.1.A1")], [(DEPARTMENT, "1.1.B1 และ 1.1.A1", (), (1,))]),
    # an id inside a longer one, or another item's checkpoint, is not this item's checkpoint
    ([([PLAN, HR], "ดู 1.1.B10 และ 11.1.B1")], [(DEPARTMENT, "ดู 1.1.B10 และ 11.1.B1", (), (1,))]),
    # dropped OFIs are not shown; done ones are
    ([([PLAN, HR], "ก", "dropped"), ([PLAN], "ข", "done")], [(UNIT, "ข", (NAMES[PLAN],), (2,))]),
    ([], []),
])
def test_what_item_1_1_shows(rows, shown):
    assert _shown(_register(*rows)) == shown


def test_items_are_kept_apart_and_a_checkpoint_counts_only_on_its_item():
    register = _register(([PLAN], MET, "open", "1.2"), ([PLAN], MET, "open", "1.1"))
    lines = item_ofis(register, TICKS, default_framework(), NAMES)
    assert [(o.scope, o.ids) for o in lines["1.2"]] == [(UNIT, (1,))]
    assert [(o.scope, o.ids) for o in lines["1.1"]] == [(UNITS_ONLY, (2,))]
    assert lines["1.1"][0].checkpoints == ("1.1.B1",) and lines["1.2"][0].checkpoints == ()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_lines_as_printed(lang):
    units = ("กองแผนงาน", "กองคลัง", "กองการเจ้าหน้าที่")
    assert ItemOfi("ทบทวนแผน", DEPARTMENT).line(lang) == "ทบทวนแผน"
    assert ItemOfi("ทบทวนแผน", UNIT, units[:1]).line(lang) == "กองแผนงาน: ทบทวนแผน"
    assert ItemOfi("ทบทวนแผน", UNIT, units[:2]).line(lang) == "กองแผนงาน, กองคลัง: ทบทวนแผน"
    only = ItemOfi(MET, UNITS_ONLY, units[:1]).line(lang)
    assert only == translate("ar_ofi_units_only", lang, units="กองแผนงาน", text=MET)
    assert only.startswith(f"กองแผนงาน: {MET} (") and len(only) > len(f"กองแผนงาน: {MET} (")
    more = ItemOfi("ทบทวนแผน", UNIT, units).line(lang, most=1)
    assert more == {"th": "กองแผนงาน และอีก 2 หน่วยงาน: ทบทวนแผน",
                    "en": "กองแผนงาน and 2 more units: ทบทวนแผน"}[lang]
    assert ItemOfi("ทบทวนแผน", UNIT, units).line(lang, most=3) == ItemOfi("ทบทวนแผน", UNIT, units).line(lang)
