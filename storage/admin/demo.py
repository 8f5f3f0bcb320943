"""The demo department: code with a fixed seed, used by first start and by the tests.

Twenty units of a health-style department (central bureaus and regional health centres), fiscal
years 2568 and 2569 approved, 2570 in progress with mixed statuses. Each unit has a maturity that
grows a little each year; a checkpoint is met when the unit's maturity on that item clears the
level's bar, so Basic checkpoints are met far more often than Significance ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scoring import Framework
from storage import audit
from storage.assessment import years
from storage.db import now, set_meta, transaction
from storage.engine import Store
from storage.organisation import accounts, identity
from storage.record import department, images
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


def populate(db: Store, seed: int = SEED, units: list[tuple] | None = None, department_work: bool = True,
             names: tuple[str, dict] | None = None) -> None:
    """Write the demo department (or the given units, with the same pattern of statuses) into an
    empty store, in one transaction; ``department_work``: with the committee's assessments of the last two years
    (accounts, evidence cited, KPI values, the profile), as the app's demo has them. ``names``: the accounts'
    prefix (``demo-admin`` ...) and the department's identity, for a generated ministry's departments."""
    prefix, named = names or ("demo", IDENTITY)
    rng = np.random.default_rng(seed)
    units = units or UNITS
    with transaction(db):
        unit_ids = [db["units"].insert({"code": c, "name_th": th, "name_en": en, "kind": kind,
                                        "weight": float(staff), "active": 1}).last_pk
                    for c, th, en, kind, staff in units]
        for year in YEARS:
            current = year == YEARS[-1]
            db["cycles"].insert({"year": year, "status": "open", "opened_at": now(),  # closed below
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
                writer = units[pos][1] if department_work and pos < 3 and year in YEARS[-2:] else None
                _assessment(db, rng, framework, unit_id, year, status,
                            ability[pos] + 0.25 * year_index, share, writer)
        _own_kpis(db, unit_ids)
        _improvement_cycle(db, unit_ids[0])
        for role, unit in [("admin", None), ("committee", None), ("director", None), ("unit", unit_ids[0])]:
            accounts.create_user(db, f"{prefix}-{role}", DEMO_PASSWORD, role, display_name=f"{prefix}-{role}",
                                 unit_id=unit, actor="demo", weak_password=True)
        db["department_identity"].insert({"id": 1, **named, "logo": LOGO.read_bytes(), "logo_type": "image/png",
                                          "version": 1, "updated_at": now(), "updated_by": "demo"})
        identity.name_department(db, named["name_th"], named["name_en"])
        committee = accounts.get_user(db, accounts.user_id_of(db, f"{prefix}-committee"))
        for year in YEARS[-2:] if department_work else ():  # the closed year's, approved; the open year's
            _evidence(db, year)
            _department_record(db, committee, year, approve=year != YEARS[-1])
        db.execute("UPDATE cycles SET status = 'closed' WHERE year != ?", [YEARS[-1]])
        set_meta(db, "demo", "1")
        audit.record(db, "demo", "populate", "store", None, seed=seed)


# the demo department's identity: a fictitious department of a fictitious ministry
IDENTITY = {
    "name_th": "กรมส่งเสริมคุณภาพบริการสาธารณะ", "name_en": "Department of Public Service Quality Promotion",
    "short_th": "สคบ.", "short_en": "DPSQ", "ministry_th": "กระทรวงสาธิต", "ministry_en": "Ministry of Demonstration",
    "head_name": "นายสมมติ ตัวอย่าง", "head_title_th": "อธิบดีกรมส่งเสริมคุณภาพบริการสาธารณะ",
    "head_title_en": "Director-General", "address_th": "99 ถนนตัวอย่าง แขวงดุสิต เขตดุสิต กรุงเทพมหานคร 10300",
    "address_en": "99 Tua-yang Road, Dusit, Bangkok 10300"}
LOGO = Path(__file__).resolve().parents[2] / "data" / "demo-logo.png"


# KPIs units added themselves to this year's form, in their own words: (unit code, item, name, unit of
# measure, target, values 2568-2570)
OWN_KPIS = [
    ("PLAN", "7.1", "ร้อยละของโครงการที่ดำเนินการได้ตามแผน", "ร้อยละ", 90.0, (78.0, 84.0, 91.5)),
    ("HEP", "7.2", "จำนวนผู้เข้าร่วมกิจกรรมส่งเสริมสุขภาพ", "คน", 5000.0, (3900.0, 4300.0, 4100.0)),
]


def _own_kpis(db: Store, unit_ids: list[int]) -> None:
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


def _gap_items(db: Store, unit_id: int, year: int) -> list[tuple[str, list[str]]]:
    """The unit's items with checkpoints unmet in ``year`` and met in the next year's assessment, most first."""
    found: dict[str, list[str]] = {}
    for (checkpoint,) in db.execute(
            "SELECT c1.checkpoint FROM checkpoint_answers c1 JOIN assessments a1 ON a1.id = c1.assessment_id "
            "JOIN assessments a2 ON a2.unit_id = a1.unit_id AND a2.year = a1.year + 1 JOIN checkpoint_answers c2 "
            "ON c2.assessment_id = a2.id AND c2.checkpoint = c1.checkpoint WHERE a1.unit_id = ? AND a1.year = ? "
            "AND COALESCE(c1.review_met, c1.self_met) = 0 AND COALESCE(c2.review_met, c2.self_met) = 1 "
            "ORDER BY c1.checkpoint", [unit_id, year]):
        found.setdefault(checkpoint.rsplit(".", 1)[0], []).append(checkpoint)
    return sorted(found.items(), key=lambda pair: -len(pair[1]))


# The closed year's improvement cycle: (unit's plan?, title, OFI, actions (text, ends, 6-month %, 12-month %),
# 6-month report submitted on, 12-month report submitted on (None: not sent), a committee comment on the 6-month
# report)
DEMO_PLANS = [
    (True, "ยกระดับการจัดการกระบวนการหลัก", "ยังไม่มีการทบทวนและปรับปรุงกระบวนการหลักอย่างเป็นระบบ",
     [("ทบทวนกระบวนการหลักและจัดทำคู่มือ", "2026-03-31", 100, 100),
      ("ติดตามตัวชี้วัดกระบวนการทุกไตรมาส", "2026-09-30", 40, 100)], "2026-04-24", "2026-09-28", None),
    (False, "พัฒนาระบบติดตามผลลัพธ์ระดับกรม", "การติดตามผลลัพธ์ยังไม่ครอบคลุมทุกหน่วยงาน",
     [("กำหนดตัวชี้วัดร่วมของทุกหน่วยงาน", "2026-02-28", 100, None),
      ("จัดทำแดชบอร์ดผลลัพธ์", "2026-08-31", 30, None)], "2026-05-08", None,
     "รายงานส่งล่าช้ากว่ากำหนด โปรดเร่งจัดทำแดชบอร์ดให้ทันรอบ 12 เดือน"),
]


def _improvement_cycle(db: Store, unit_id: int) -> None:
    """The previous, closed year's OFIs turned into plans the committee accepted, with their 6- and 12-month
    reports: one unit plan closed by its 12-month report, one department plan late, so that every part of the
    follow-up has something to show; the points won are read from this year's assessment."""
    year = YEARS[-2]
    gaps = _gap_items(db, unit_id, year)
    for (item, checkpoints), (own, title, ofi_text, actions, sent_6m, sent_12m, note) in zip(gaps, DEMO_PLANS,
                                                                                           strict=False):
        stamp = f"{year - 543}-03-15T03:00:00+00:00"
        closed = sent_12m is not None
        ofi_id = db["ofis"].insert({"year": year, "source": "committee", "item": item, "description": ofi_text,
                                    "priority": "high", "owner": "demo-committee", "due_date": f"{year - 543}-09-30",
                                    "status": "done" if closed else "in_progress", "created_at": stamp,
                                    "updated_at": stamp, "created_by": "demo", "version": 1,
                                    "updated_by": "demo"}).last_pk
        db["ofi_units"].insert({"ofi_id": ofi_id, "unit_id": unit_id})
        plan_id = db["improvement_plans"].insert({
            "year": year, "unit_id": unit_id if own else None, "horizon": "1y", "title": title, "owner": "",
            "starts_on": f"{year - 544}-10-01", "ends_on": f"{year - 543}-09-30", "resources": "",
            "status": "closed" if closed else "accepted", "version": 4, "created_by": "demo", "created_at": stamp,
            "updated_by": "demo", "updated_at": stamp}).last_pk
        db["plan_ofis"].insert({"plan_id": plan_id, "ofi_id": ofi_id})
        db["plan_targets"].insert_all({"plan_id": plan_id, "kind": "checkpoint", "ref": cp} for cp in checkpoints[:2])
        ids = [db["plan_actions"].insert({"plan_id": plan_id, "position": n, "text": text, "owner": "",
                                          "starts_on": f"{year - 544}-10-01", "ends_on": ends,
                                          "resources": ""}).last_pk
               for n, (text, ends, *_) in enumerate(actions, start=1)]
        for round_, sent, column in (("6m", sent_6m, 2), ("12m", sent_12m, 3)):
            if sent is None:
                continue
            at = f"{sent}T03:00:00+00:00"
            report_id = db["plan_reports"].insert({
                "plan_id": plan_id, "round": round_, "status": "accepted", "summary": "",
                "closes": int(round_ == "12m"), "version": 2, "created_by": "demo", "created_at": at,
                "updated_by": "demo", "updated_at": at, "submitted_at": at}).last_pk
            db["report_actions"].insert_all({"report_id": report_id, "action_id": action_id,
                                             "percent": action[column],
                                             "done": f"ดำเนินการตามแผนแล้วร้อยละ {action[column]}",
                                             "evidence": "รายงานการประชุม (ระบบสารบรรณอิเล็กทรอนิกส์)",
                                             "problems": "" if action[column] == 100 else "บุคลากรติดภารกิจช่วงปิดงบประมาณ"}
                                            for action_id, action in zip(ids, actions, strict=True))
            if round_ == "12m":
                db["report_results"].insert_all({"report_id": report_id, "kind": "checkpoint", "ref": cp,
                                                 "value": None, "met": 1, "note": ""} for cp in checkpoints[:2])
            if round_ == "6m" and note:
                db["plan_comments"].insert({"plan_id": plan_id, "round": round_, "author": "demo-committee",
                                            "kind": "comment", "text": note, "created_at": at})


# evidence the units attached (links: files would need their bytes): (item, title, address); one only the
# department's network can open, one confidential
EVIDENCE = [
    ("1.1", "รายงานการประชุมคณะผู้บริหาร ครั้งที่ 3", "https://www.example.go.th/board/minutes-3.pdf", False),
    ("1.1", "แผนถ่ายทอดวิสัยทัศน์สู่หน่วยงาน", "http://intranet/vision-cascade", False),
    ("1.2", "ประกาศนโยบายการกำกับดูแลองค์การที่ดี", "https://www.example.go.th/governance/policy", False),
    ("2.1", "แผนยุทธศาสตร์ระยะ 5 ปี", "https://www.example.go.th/strategy/plan-5y.pdf", False),
    ("3.1", "ผลสำรวจความพึงพอใจผู้รับบริการ", "https://www.example.go.th/survey/satisfaction", False),
    ("4.1", "แดชบอร์ดตัวชี้วัดระดับกรม", "https://dashboard.example.go.th/kpi", True),
    ("5.1", "แผนพัฒนาบุคลากรรายบุคคล", "https://www.example.go.th/hr/idp", False),
    ("6.1", "คู่มือกระบวนการให้บริการหลัก", "https://www.example.go.th/process/manual.pdf", False),
    ("7.1", "รายงานผลการดำเนินงานประจำปี", "https://www.example.go.th/report/annual", False),
]

ADLI = {  # the department's account of a process item, per ADLI part, in the demo's words
    "approach": "กรมกำหนดแนวทาง{name}เป็นลายลักษณ์อักษร ผ่านความเห็นชอบของคณะผู้บริหาร และทบทวนทุกปี โดยมีขั้นตอนสำคัญดังนี้\n\n"
                "1. วิเคราะห์ข้อมูลผู้รับบริการและผลการดำเนินงานปีที่ผ่านมา\n2. **กำหนดเป้าหมายและตัวชี้วัด**ร่วมกับหน่วยงาน\n"
                "3. จัดทำแผนและคู่มือการปฏิบัติงาน",
    "deployment": "ถ่ายทอดสู่ทุกหน่วยงาน (ส่วนกลาง 8 หน่วยงาน และศูนย์อนามัย 12 แห่ง) ผ่านแผนปฏิบัติราชการและคำรับรอง "
                  "ติดตามรายไตรมาสในการประชุมผู้บริหาร\n\n| ช่องทาง | ความถี่ | ผู้รับผิดชอบ |\n|---|---|---|\n"
                  "| ประชุมผู้บริหาร | รายเดือน | กองแผนงาน |\n| ระบบติดตามออนไลน์ | รายไตรมาส | ศูนย์เทคโนโลยีสารสนเทศ |",
    "learning": "ทบทวนผลหลังการดำเนินงานทุกรอบ (After Action Review) นำบทเรียนไปปรับปรุงกระบวนการในปีถัดไป "
                "และแบ่งปันแนวปฏิบัติที่ดีผ่าน*ชุมชนนักปฏิบัติ*ของกรม",
    "integration": "เชื่อมโยงกับแผนยุทธศาสตร์ ตัวชี้วัดหมวด 7 และการจัดสรรงบประมาณ ผลลัพธ์ของประเด็นนี้ติดตามด้วยตัวชี้วัดในหมวด 7",
}
RESULTS_ACCOUNT = ("{name}ดีขึ้นต่อเนื่องตลอด 5 ปี และสูงกว่าค่าเป้าหมายในปีล่าสุด "
                   "เมื่อเทียบกับหน่วยงานที่มีภารกิจใกล้เคียงกันอยู่ในระดับที่ดี")
# the units' own accounts (the first three units, categories 1-6, basic level), which the committee draws from
UNIT_ACCOUNT = ("{unit} ดำเนินการตามแนวทางของกรม{name} โดยจัดประชุมชี้แจงบุคลากรทุกไตรมาส "
                "และรายงานผลต่อผู้บริหารผ่านระบบติดตามออนไลน์")
# per KPI of category 7: comparisons (kind, whose, offset from the target, source) and the analysis
COMPARISONS = [("agency", "กรมควบคุมคุณภาพบริการ (หน่วยงานภารกิจใกล้เคียง)", -0.04, "รายงานประจำปี {year} ของหน่วยงาน"),
               ("national", "ค่าเฉลี่ยส่วนราชการระดับกรม", -0.08, "รายงานผลการประเมินส่วนราชการ ปี {year} สำนักงาน ก.พ.ร."),
               ("best", "ค่าสูงสุดในกลุ่มกระทรวง", 0.06, "รายงานสรุปผลตัวชี้วัดของกระทรวงสาธิต ปี {year}")]
ANALYSIS = ("ผลการดำเนินงานมีแนวโน้มดีขึ้นตลอด 5 ปี จากการปรับปรุงกระบวนการตามหมวด {items} "
            "ปีล่าสุดสูงกว่าค่าเฉลี่ยส่วนราชการ และยังต่ำกว่าค่าสูงสุดในกลุ่มกระทรวง จึงกำหนดเป็นโอกาสในการปรับปรุงปีถัดไป")
ORGCHART = Path(__file__).resolve().parents[2] / "data" / "demo-orgchart.png"
PROFILE_TABLE = ("\n\n| ประเภทบุคลากร | จำนวน (คน) | ร้อยละ |\n|---|---:|---:|\n| ข้าราชการ | 1,240 | 62.0 |\n"
                 "| พนักงานราชการ | 480 | 24.0 |\n| ลูกจ้าง | 280 | 14.0 |\n| **รวม** | **2,000** | **100.0** |")


def _evidence(db: Store, year: int) -> None:
    """The year's evidence of the first two units, as links."""
    assessment_ids = [row[0] for row in db.execute("SELECT id FROM assessments WHERE year = ? ORDER BY unit_id "
                                                   "LIMIT 2", [year])]
    for number, (item, title, url, confidential) in enumerate(EVIDENCE):
        db["evidence"].insert({"assessment_id": assessment_ids[number % len(assessment_ids)], "item": item,
                               "level": "basic" if item != "7.1" else None, "kpi": None, "kind": "link",
                               "filename": title, "url": url, "confidential": int(confidential),
                               "added_by": "demo-unit", "added_at": now()})


def _department_record(db: Store, committee: accounts.User, year: int, approve: bool) -> None:
    """The committee's assessment of the year, started from the units (half the units meet a checkpoint): every
    process item's account in its ADLI parts, taking a unit's passage, every results item's account; the
    evidence cited; five years of the department's KPI values (the units' mean, earlier years following their
    trend) with comparisons and an analysis; the organisation profile with a table and the organisation chart."""
    framework = years.framework_of(db, year)
    version = department.start(db, committee, year).version
    processes = [item for item in framework.items() if not item.is_results]
    for item in framework.items():
        name = item.name.get("th")
        if item.is_results:
            version = department.save_narrative(db, committee, year, version, item.id,
                                                RESULTS_ACCOUNT.format(name=name))
        for part, text in ({} if item.is_results else ADLI).items():
            version = department.save_adli(db, committee, year, version, item.id, part, text.format(name=name))
        passages = department.unit_narratives(db, year, item.id)
        if not passages.empty:
            first = passages.iloc[0]
            version = department.take_passage(db, committee, year, item.id, "deployment", int(first.unit_id),
                                              first.level, before=ADLI["deployment"].format(name=name))
        cited = [int(i) for i in department.citable(db, year, item.id)["id"]]
        if cited:
            version = department.cite(db, committee, year, version, item.id, cited)
    kpis = {kpi.id: kpi for _, kpi in framework.kpis()}
    means = {(kpi, fiscal_year): round(mean, 2) for kpi, fiscal_year, mean in db.execute(
        "SELECT r.kpi, r.fiscal_year, AVG(COALESCE(r.review_value, r.self_value)) FROM kpi_results r JOIN assessments "
        "a ON a.id = r.assessment_id WHERE a.year = ? GROUP BY r.kpi, r.fiscal_year", [year]) if kpi in kpis
        and mean is not None}
    for kpi in kpis.values():  # the two years before the units' three, along the units' trend
        first, last = means.get((kpi.id, year - 2)), means.get((kpi.id, year))
        if first is None or last is None:
            continue
        step = (last - first) / 2 or abs(kpi.ceiling - kpi.floor) * 0.05
        for back in (1, 2):
            means[(kpi.id, year - 2 - back)] = round(min(max(first - step * back, kpi.min), kpi.max), 2)
    if means:
        version = department.save_kpi_values(db, committee, year, version, means)
    for n, kpi in enumerate(kpis.values()):
        spread = abs(kpi.ceiling - kpi.floor)
        rows = [{"kind": kind, "label": label, "source": source.format(year=year - 1),
                 "value": round(min(max(kpi.target + offset * spread * 5, kpi.min), kpi.max), 2)}
                for kind, label, offset, source in COMPARISONS]
        version = department.save_comparisons(db, committee, year, version, kpi.id, rows)
        tracked = sorted({processes[n % len(processes)].id, processes[(3 * n + 5) % len(processes)].id})
        version = department.save_kpi_note(db, committee, year, version, kpi.id,
                                           analysis=ANALYSIS.format(items=" และ ".join(tracked)), items=tracked)
    chart = images.upload(db, committee, year, ORGCHART.name, ORGCHART.read_bytes())
    for number, part in enumerate(framework.profile):
        answer = "\n".join(f"{q.get('th')} — ส่วนราชการกำหนดไว้ในแผนยุทธศาสตร์และคู่มือการปฏิบัติงาน"
                           for q in part.questions)
        if number == 0:  # the first part: the staff in a table and the organisation chart
            answer += PROFILE_TABLE + f"\n\n![แผนภูมิโครงสร้างองค์การ](image:{chart})"
        department.save_profile(db, committee, year, part.id, answer, before="")
    if approve:
        department.approve(db, committee, year, version)


def _assessment(db: Store, rng: np.random.Generator, framework: Framework, unit_id: int, year: int,
                status: str, ability: float, share: float, writer: str | None = None) -> None:
    """A unit's assessment of the year; ``writer``: the unit's name when it writes its accounts of the process
    items it answered (basic level), for the committee to draw from."""
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
        # the units' results lie about the target, or about the middle of the scored range when the target lies
        # outside it (RM8: the field's target, 85, is below its floor, 94; budgets are spent near the floor)
        low, high = sorted((kpi.floor, kpi.ceiling))
        centre = kpi.target if low <= kpi.target <= high else (kpi.floor + kpi.ceiling) / 2
        for back in (2, 1, 0):
            spread = abs(kpi.ceiling - kpi.floor)
            value = centre + spread * (0.25 * (ability - 0.6) - 0.1 * back + rng.normal(0, 0.3))
            value = round(float(np.clip(value, kpi.min, kpi.max)), 2)
            review = round(value - abs(rng.normal(0, spread * 0.05)), 2) if reviewed and back == 0 else None
            kpi_rows.append({"assessment_id": assessment_id, "kpi": kpi.id, "fiscal_year": year - back,
                             "self_value": value, "review_value": review})
    db["kpi_results"].insert_all(kpi_rows)
    if writer:
        db["narratives"].insert_all({"assessment_id": assessment_id, "item": item.id, "level": "basic",
                                     "text": UNIT_ACCOUNT.format(unit=writer, name=item.name.get("th"))}
                                    for item in framework.items() if item.id in answered and not item.is_results)
    if status != "draft":  # what it was submitted (or returned, or approved) with: see schema.keep_record
        keep_record(db, assessment_id)


def populate_ministry(db: Store, departments: int = 20, units: int = 50, seed: int = SEED,
                      department_work: int | None = None) -> list[int]:
    """A generated ministry (PostgreSQL only: ``ministry.add_department``): the ministry at the root and
    ``departments`` departments of ``units`` units and three years each, every one the demo's pattern with its
    own seed, accounts (``d01-admin``, ``d01-committee`` ... with the demo's password) and identity. The store's
    first department is the first of them; the ids of all, in order. For tests and benchmarks.
    ``department_work``: how many departments, the first ones, have the committee's work as the demo has it
    (``populate``: the most of a department's making, 1.2 s a year on PostgreSQL); all by default."""
    from storage.organisation import ministry

    ministry.add_department(db, "ministry", "กระทรวงสาธิต", "Ministry of Demonstration", "demo", kind="ministry")
    made = []
    for n in range(1, departments + 1):
        department = 1 if n == 1 else ministry.add_department(
            db, f"d{n:02d}", f"กรมสาธิตที่ {n}", f"Demonstration Department {n}", "demo")
        db.act_for(department)
        named = {**IDENTITY, "name_th": f"กรมสาธิตที่ {n}", "name_en": f"Demonstration Department {n}",
                 "short_th": f"กส.{n}", "short_en": f"DD{n}"}
        populate(db, seed=seed + n, units=many_units(units), names=(f"d{n:02d}", named),
                 department_work=department_work is None or n <= department_work)
        made.append(department)
    db.act_for(1)
    return made
