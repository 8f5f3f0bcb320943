"""The demo department: code with a fixed seed, used by first start and by the tests.

Twenty units of a health-style department (central bureaus and regional health centres), fiscal
years 2568 and 2569 approved, 2570 in progress with mixed statuses. Each unit has a maturity that
grows a little each year; a checkpoint is met when the unit's maturity on that item clears the
level's bar, so Basic checkpoints are met far more often than Significance ones.
"""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from scoring import Framework
from storage import accounts, audit, years
from storage.db import now, set_meta, transaction
from storage.schema import PHASES, keep_record

DEMO_PASSWORD = "demo-pass"
YEARS = (2568, 2569, 2570)
SEED = 2570
UNITS = [
    ("SEC", "สำนักงานเลขานุการกรม", "Office of the Secretary", "central", 120),
    ("PLAN", "กองแผนงาน", "Planning Division", "central", 60),
    ("HR", "กองการเจ้าหน้าที่", "Personnel Division", "central", 55),
    ("FIN", "กองคลัง", "Finance Division", "central", 70),
    ("LAW", "กลุ่มกฎหมาย", "Legal Affairs Group", "central", 20),
    ("DIG", "ศูนย์เทคโนโลยีสารสนเทศ", "Information Technology Centre", "central", 45),
    ("HEP", "สำนักส่งเสริมสุขภาพ", "Bureau of Health Promotion", "central", 90),
    ("ENV", "สำนักอนามัยสิ่งแวดล้อม", "Bureau of Environmental Health", "central", 85),
    *[(f"RC{n:02d}", f"ศูนย์อนามัยที่ {n} {city_th}", f"Regional Health Centre {n} {city_en}", "regional", staff)
      for n, city_th, city_en, staff in [
          (1, "เชียงใหม่", "Chiang Mai", 150), (2, "พิษณุโลก", "Phitsanulok", 130),
          (3, "นครสวรรค์", "Nakhon Sawan", 125), (4, "สระบุรี", "Saraburi", 140),
          (5, "ราชบุรี", "Ratchaburi", 135), (6, "ชลบุรี", "Chon Buri", 145),
          (7, "ขอนแก่น", "Khon Kaen", 160), (8, "อุดรธานี", "Udon Thani", 120),
          (9, "นครราชสีมา", "Nakhon Ratchasima", 150), (10, "อุบลราชธานี", "Ubon Ratchathani", 130),
          (11, "นครศรีธรรมราช", "Nakhon Si Thammarat", 140), (12, "ยะลา", "Yala", 110)]],
]
# Status of each unit's 2570 assessment, in unit order; None: not started.
STATUS_2570 = ["draft", "submitted", "approved", "submitted", None, "returned", "submitted", "approved",
               "submitted", "draft", "submitted", "approved", None, "submitted", "draft", "returned",
               "submitted", None, "submitted", "draft"]
BARS = {"basic": 0.0, "advance": 1.0, "significance": 2.0}


def many_units(count: int) -> list[tuple]:
    """``count`` units in the demo's style, for benchmarks of large stores."""
    return [(f"{code}-{n // len(UNITS) + 1}", f"{th} ({n // len(UNITS) + 1})", f"{en} ({n // len(UNITS) + 1})", kind,
             staff) for n, (code, th, en, kind, staff) in ((n, UNITS[n % len(UNITS)]) for n in range(count))]


def populate(db: Database, seed: int = SEED, units: list[tuple] | None = None) -> None:
    """Write the demo department (or the given units, with the same pattern of statuses) into an
    empty store, in one transaction."""
    rng = np.random.default_rng(seed)
    units = units or UNITS
    with transaction(db):
        unit_ids = [db["units"].insert({"code": c, "name_th": th, "name_en": en, "kind": kind,
                                        "weight": float(staff), "active": 1}).last_pk
                    for c, th, en, kind, staff in units]
        for year in YEARS:
            current = year == YEARS[-1]
            db["cycles"].insert({"year": year, "status": "open" if current else "closed", "opened_at": now(),
                                 "thresholds": years.framework_of(db, year).thresholds.model_dump_json()})
            years.insert_phases(db, year, {"self_assessment": "open", "review": "open"} if current
                                else dict.fromkeys(PHASES, "closed"))
        ability = rng.normal(0.45, 0.55, len(unit_ids))
        for year_index, year in enumerate(YEARS):
            framework = years.framework_of(db, year)
            for pos, unit_id in enumerate(unit_ids):
                status = STATUS_2570[pos % len(STATUS_2570)] if year == YEARS[-1] else "approved"
                if status is None:
                    continue
                share = 0.55 if status == "draft" else 1.0
                _assessment(db, rng, framework, unit_id, year, status,
                            ability[pos] + 0.25 * year_index, share)
        _own_kpis(db, unit_ids)
        for username, role, unit in [("demo-admin", "admin", None), ("demo-committee", "committee", None),
                                     ("demo-director", "director", None), ("demo-unit", "unit", unit_ids[0])]:
            accounts.create_user(db, username, DEMO_PASSWORD, role, display_name=username, unit_id=unit,
                                 actor="demo", weak_password=True)
        set_meta(db, "demo", "1")
        audit.record(db, "demo", "populate", "store", None, seed=seed)


# KPIs units added themselves to this year's form, in their own words: (unit code, item, name, unit of
# measure, target, values 2568-2570)
OWN_KPIS = [
    ("PLAN", "7.1", "ร้อยละของโครงการที่ดำเนินการได้ตามแผน", "ร้อยละ", 90.0, (78.0, 84.0, 91.5)),
    ("HEP", "7.2", "จำนวนผู้เข้าร่วมกิจกรรมส่งเสริมสุขภาพ", "คน", 5000.0, (3900.0, 4300.0, 4100.0)),
]


def _own_kpis(db: Database, unit_ids: list[int]) -> None:
    """A few KPIs of the units' own in this year's assessments, for the committee to judge."""
    codes = dict(zip((u[0] for u in UNITS), unit_ids, strict=False))
    for code, item, name, unit_label, target, values in OWN_KPIS:
        found = db.execute("SELECT id, status FROM assessments WHERE unit_id = ? AND year = ?",
                           [codes.get(code), YEARS[-1]]).fetchone()
        if found is None:
            continue
        kpi_id = f"U{codes[code]}-{len(list(db.query('SELECT 1 FROM unit_kpis'))) + 1}"
        db["unit_kpis"].insert({"assessment_id": found[0], "kpi": kpi_id, "item": item, "name": name,
                                "unit_label": unit_label, "direction": "higher", "floor": target * 0.8,
                                "ceiling": target * 1.1, "target": target, "min_value": 0.0,
                                "max_value": target * 10})
        db["kpi_results"].insert_all({"assessment_id": found[0], "kpi": kpi_id, "fiscal_year": YEARS[-1] - back,
                                      "self_value": value} for back, value in zip((2, 1, 0), values, strict=True))
        if found[1] != "draft":
            keep_record(db, found[0])


def _assessment(db: Database, rng: np.random.Generator, framework: Framework, unit_id: int, year: int,
                status: str, ability: float, share: float) -> None:
    stamp = now()
    reviewed = status in ("approved", "returned")
    assessment_id = db["assessments"].insert({
        "unit_id": unit_id, "year": year, "status": status, "version": 1, "created_at": stamp,
        "updated_at": stamp, "updated_by": "demo", "submitted_at": None if status == "draft" else stamp,
    }).last_pk
    answered = {item.id for item in framework.items() if rng.random() < share}
    maturity = {item.id: ability + rng.normal(0, 0.6) for item in framework.items()}
    rows = []
    for item, level, checkpoint in framework.checkpoints():
        if item.id not in answered:
            continue
        met = bool(maturity[item.id] + rng.normal(0, 0.45) > BARS[level])
        review = (met and rng.random() > 0.12) if reviewed else None
        rows.append({"assessment_id": assessment_id, "checkpoint": checkpoint.id, "self_met": int(met),
                     "review_met": None if review is None else int(review), "needs_confirm": 0})
    db["checkpoint_answers"].insert_all(rows)
    kpi_rows = []
    for item, kpi in framework.kpis():
        if item.id not in answered:
            continue
        for back in (2, 1, 0):
            spread = abs(kpi.ceiling - kpi.floor)
            value = kpi.target + spread * (0.25 * (ability - 0.6) - 0.1 * back + rng.normal(0, 0.3))
            value = round(float(np.clip(value, kpi.min, kpi.max)), 2)
            review = round(value - abs(rng.normal(0, spread * 0.05)), 2) if reviewed and back == 0 else None
            kpi_rows.append({"assessment_id": assessment_id, "kpi": kpi.id, "fiscal_year": year - back,
                             "self_value": value, "review_value": review})
    db["kpi_results"].insert_all(kpi_rows)
    if status != "draft":  # what it was submitted (or returned, or approved) with: see schema.keep_record
        keep_record(db, assessment_id)
