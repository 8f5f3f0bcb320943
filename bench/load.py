"""Load: many unit users saving at once, through the storage layer and through the real app, then every save
checked. Not a test: bounded in time and count, local only (a temporary store, a server on 127.0.0.1).

What it measures, on a fresh demo store in a temporary folder (fiscal year 2570, self-assessment open):

- ``--storage-users`` (50) simulated unit users, spread over the demo department's 20 units (2-3 per
  unit; the demo's submitted and approved forms are first returned/re-opened by the committee and the
  admin so that every unit can edit), in ``--processes`` (5) worker processes, each user on a thread of
  its own with its own connection (``storage.connect``). Each user acts as the page does, through the real storage
  functions: it saves ticks (``answers.save_checkpoints``), narratives (``answers.save_narrative``) or
  KPI results (``answers.save_kpi_values``) with the version it last saw, then re-reads the form
  (``answers.load``). A stale-version refusal (``VersionConflict``: another user of the same unit saved
  first, the store's designed answer) is counted, the form re-read and the same change tried again.
- ``--browser-sessions`` (10) real Streamlit sessions: ``streamlit run`` on the same store, one headless
  Chromium with a context per session, each signed in as the user of a unit of its own (added for the
  run), ticking checkpoints and writing narratives in the self-assessment form. The latency is measured
  in the page: from the click (or leaving the text box) to the form showing the save ("last saved by
  <user> (version n)", and for a tick the box in its new state).
- Each user pauses between saves (``--think-ms``, uniformly 0.5-1.5 times it; 0 for flat out).

Afterwards: ``PRAGMA integrity_check``; every save a user was told succeeded is in the audit log with
its version and content; the store holds, for every value touched, the value of the last save that
touched it; nothing is in another unit's form; no save is in the store that its user was told failed;
the server's log holds no error. Printed: saves, refusals, errors, p50/p95/p99 save latency (ms) and
throughput, for the storage users and the browser sessions. Exits 1 if anything was lost or mixed, if
"database is locked" (or any other error) reached a user, if a change was still refused after
``MAX_ATTEMPTS`` tries, or if the server logged an error. A browser session that meets an error stops
(what its form holds is then no longer known for sure).

With ``--departments N`` (PostgreSQL): a generated ministry of N departments (``--units`` each), the storage users
dealt round them, each acting for its own department; the checks read each department acting for it, and count
as "crossed" a save that reached another department's form or audit log.

Run: .venv/bin/python bench/load.py [--seconds 60] [--storage-users 50] [--browser-sessions 10] [--engine postgresql]
     .venv/bin/python bench/load.py --engine postgresql --departments 20 --storage-users 200 --processes 4 \
         --browser-sessions 0   # issue 30's ministry load
(``make load`` runs it on each engine.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import re
import secrets
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e import CHROMIUM, LAUNCH_ARGS, VIEWPORT, streamlit_server  # noqa: E402

from i18n import translate  # noqa: E402
from scoring import LEVELS  # noqa: E402
from storage import connect, open_store  # noqa: E402
from storage.admin import demo  # noqa: E402
from storage.admin.demo import YEARS  # noqa: E402
from storage.assessment import answers, assessments, years  # noqa: E402
from storage.engine import shown  # noqa: E402
from storage.errors import VersionConflict  # noqa: E402
from storage.organisation import accounts, org  # noqa: E402

YEAR = YEARS[-1]
PASSWORD = f"Load-{secrets.token_hex(8)}"  # every load user's; not a demo password
MAX_ATTEMPTS = 50  # a save refused this often in a row is given up (and reported)
WAIT_S = 30.0  # the longest wait for a browser save to show: a bound for a hung app, not a pace
SETUP_S = 120.0  # the longest wait for the workers to be ready
SAVE_ACTIONS = ("save_self", "save_self_kpi", "save_narrative")
LOCKED = "database is locked"


# ---- the store ---------------------------------------------------------------------------------------------

@dataclass
class Member:
    """A load user: who, in which unit, and the unit's assessment (once known)."""

    username: str
    user_id: int
    unit_id: int
    unit_code: str
    assessment_id: int | None = None
    department_id: int = 1


def build_store(path: Path, storage_users: int, browser_sessions: int, departments: int = 1,
                units: int = 50) -> tuple[list[Member], list[Member]]:
    """The demo department (or, with ``departments`` > 1, a generated ministry of that many departments of
    ``units`` units each), every unit's 2570 form editable, the storage users spread over the departments and
    their units, and a unit of its own (with one user) for each browser session (in the first department)."""
    db = connect(path) if departments > 1 else open_store(path)
    try:
        made = demo.populate_ministry(db, departments, units) if departments > 1 else [1]
        members = []
        for n_department, department in enumerate(made):
            db.act_for(department)
            prefix = f"d{n_department + 1:02d}" if departments > 1 else "demo"
            admin = accounts.get_user(db, accounts.user_id_of(db, f"{prefix}-admin"))
            committee = accounts.get_user(db, accounts.user_id_of(db, f"{prefix}-committee"))
            demo_units = [(r["id"], r["code"]) for r in db.query("SELECT id, code FROM units ORDER BY id")]
            for unit_id, _ in demo_units:
                found = assessments.get(db, unit_id, YEAR)
                if found and found["status"] == "submitted":
                    assessments.change_status(db, committee, found["id"], found["version"], "return", "load run")
                elif found and found["status"] == "approved":
                    assessments.change_status(db, admin, found["id"], found["version"], "reopen", "load run")
            for n in range(n_department, storage_users, len(made)):  # the users dealt round the departments
                unit_id, code = demo_units[(n // len(made)) % len(demo_units)]
                user = accounts.create_user(db, f"load-s{n:03d}", PASSWORD, "unit", unit_id=unit_id,
                                            actor=admin.username)
                members.append(Member(user.username, user.id, unit_id, code, department_id=department))
        db.act_for(made[0])
        admin = accounts.get_user(db, accounts.user_id_of(db, f"{'d01' if departments > 1 else 'demo'}-admin"))
        sessions = []
        for n in range(browser_sessions):
            code = f"LOAD{n:02d}"
            unit_id = org.add_unit(db, code, f"หน่วยทดสอบภาระ {n}", f"Load unit {n}", actor=admin)
            user = accounts.create_user(db, f"load-b{n:02d}", PASSWORD, "unit", unit_id=unit_id, actor=admin.username)
            sessions.append(Member(user.username, user.id, unit_id, code, department_id=made[0]))
        return members, sessions
    finally:
        db.close()


# ---- the storage users ---------------------------------------------------------------------------------

@dataclass
class Tally:
    """What one user (or one worker, or a whole group) saw."""

    saves: list = field(default_factory=list)  # [username, assessment id, version, kind, payload]
    call_ms: list = field(default_factory=list)  # the call that succeeded
    total_ms: list = field(default_factory=list)  # from the first try, refusals and re-reads included
    read_ms: list = field(default_factory=list)  # answers.load after a save
    refusals: int = 0
    gave_up: int = 0
    errors: list = field(default_factory=list)  # [username, message]

    def add(self, other: Tally) -> None:
        for name in ("saves", "call_ms", "total_ms", "read_ms", "errors"):
            getattr(self, name).extend(getattr(other, name))
        self.refusals += other.refusals
        self.gave_up += other.gave_up


def _change(rng: random.Random, framework, member: Member, seq: int) -> tuple[str, object]:
    """A random change a unit user makes: ticks (50%), a narrative (30%) or KPI results (20%)."""
    roll = rng.random()
    if roll < 0.5:
        checkpoints = [cp.id for _, _, cp in framework.checkpoints()]
        return "ticks", {cp: rng.random() < 0.6 for cp in rng.sample(checkpoints, rng.randint(1, 3))}
    if roll < 0.8:
        item = rng.choice([i.id for i in framework.items() if not i.is_results])
        text = f"[{member.unit_code}/{member.username}/{seq}] " + "ทบทวนแผนร่วมกับผู้มีส่วนได้ส่วนเสีย " * rng.randint(1, 10)
        return "narrative", [item, rng.choice(LEVELS), text.strip()]
    kpis = [k for _, k in framework.kpis()]
    values = []
    for kpi in rng.sample(kpis, rng.randint(1, 2)):
        values.append([kpi.id, rng.choice((YEAR - 2, YEAR - 1, YEAR)), round(rng.uniform(kpi.min, kpi.max), 2)])
    return "kpi", values


def _save(db, user, aid: int, version: int, kind: str, payload) -> int:
    if kind == "ticks":
        return answers.save_checkpoints(db, user, aid, version, payload)
    if kind == "narrative":
        return answers.save_narrative(db, user, aid, version, *payload)
    return answers.save_kpi_values(db, user, aid, version, {(k, fy): v for k, fy, v in payload})


def _described(exc: Exception, seconds: float) -> str:
    """The error, how long the call had run, and where in the project it was raised."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-3:]))
    return f"{type(exc).__name__}: {exc} (after {seconds * 1000:.0f} ms, at {where})"


def _pause(rng: random.Random, think_s: float, end_at: float) -> None:
    if think_s > 0:
        time.sleep(max(0.0, min(rng.uniform(0.5, 1.5) * think_s, end_at - time.time())))


def _user_loop(path: str, member: Member, seed: int, think_s: float, ready: threading.Barrier, go, end_at,
               tally: Tally) -> None:
    rng = random.Random(seed)
    db = connect(path)
    try:
        db.act_for(member.department_id)  # as the sign-in does for the account's department
        user = accounts.get_user(db, member.user_id)
        aid = assessments.ensure(db, user, member.unit_id, YEAR)["id"]
        framework = years.framework_of(db, YEAR)
        version = answers.load(db, user, aid).assessment["version"]
        ready.wait()
        go.wait()
        end, seq = end_at.value, 0
        while time.time() < end:
            _pause(rng, think_s, end)
            if time.time() >= end:
                break
            seq += 1
            kind, payload = _change(rng, framework, member, seq)
            first = time.perf_counter()
            for _ in range(MAX_ATTEMPTS):
                start = time.perf_counter()
                try:
                    saved = _save(db, user, aid, version, kind, payload)
                except VersionConflict:
                    tally.refusals += 1
                    version = answers.load(db, user, aid).assessment["version"]  # re-read, as the page does
                    continue
                except Exception as exc:  # anything else reached the user: counted, the form re-read
                    tally.errors.append([member.username, _described(exc, time.perf_counter() - start)])
                    version = answers.load(db, user, aid).assessment["version"]
                    break
                done = time.perf_counter()
                tally.call_ms.append((done - start) * 1000)
                tally.total_ms.append((done - first) * 1000)
                tally.saves.append([member.username, aid, saved, kind, payload])
                version = answers.load(db, user, aid).assessment["version"]  # the page shows the form again
                tally.read_ms.append((time.perf_counter() - done) * 1000)
                break
            else:
                tally.gave_up += 1
    except Exception as exc:
        tally.errors.append([member.username, _described(exc, 0.0)])
        ready.abort()  # before the run, the worker reports it failed to start; after it, a no-op
    finally:
        db.close()


def storage_worker(path: str, members: list[dict], seed: int, think_s: float, queue, go, end_at,
                   out: str) -> None:
    """One process: a thread (and a connection) per user; reports ready, waits for ``go``, runs until
    ``end_at``, writes its tally to ``out``."""
    try:
        people = [Member(**m) for m in members]
        ready = threading.Barrier(len(people) + 1)
        tallies = [Tally() for _ in people]
        threads = [threading.Thread(target=_user_loop, args=(path, m, seed * 1000 + n, think_s, ready, go, end_at, t))
                   for n, (m, t) in enumerate(zip(people, tallies, strict=True))]
        for th in threads:
            th.start()
        ready.wait(timeout=SETUP_S)
        queue.put(("ready", len(people)))
        for th in threads:
            th.join()
        total = Tally()
        for t in tallies:
            total.add(t)
        Path(out).write_text(json.dumps(total.__dict__, ensure_ascii=False), encoding="utf-8")
    except Exception:
        queue.put(("failed", traceback.format_exc()))


# ---- the browser sessions ------------------------------------------------------------------------------

# Armed before an action: notes when the action happens (the click, or the text box being left), then
# resolves once the form shows the save ("... by <user> (version n)", and for a tick the box in its new
# state), with the times from the action until then and until the app is at rest; or with the error shown.
WATCH = """([kind, suffix, checkpoint, want, text, waitMs]) => {
  const state = {start: null};
  const mark = event => {
    if (state.start !== null) return;
    if (kind === 'tick' || (event.target.tagName === 'TEXTAREA' && event.target.value === text)) {
      state.start = performance.now();
    }
  };
  document.addEventListener(kind === 'tick' ? 'click' : 'focusout', mark, {capture: true});
  const live = e => !e.closest('[data-stale="true"]');
  const confirmed = () => {
    const caption = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
      .some(e => live(e) && e.textContent.includes(suffix));
    if (!caption || kind !== 'tick') return caption;
    return [...document.querySelectorAll('[data-testid="stCheckbox"]')].some(e => live(e)
      && e.textContent.trim().startsWith(checkpoint + ' ') && e.querySelector('input').checked === want);
  };
  const failed = () => {
    const e = [...document.querySelectorAll('[data-testid="stAlertContentError"], [data-testid="stException"]')]
      .find(live);
    return e ? (e.querySelector('[data-testid="stMarkdownContainer"]') || e).textContent.trim() : null;
  };
  const frame = () => new Promise(requestAnimationFrame);
  window.__load = (async () => {
    const armed = performance.now();
    try {
      while (state.start === null || !confirmed()) {
        const error = state.start === null ? null : failed();
        if (error) return {error};
        if (performance.now() - armed > waitMs) return {error: 'no confirmation on the page in time'};
        await frame();
      }
      const shown = performance.now() - state.start;
      const app = document.querySelector('[data-testid="stApp"]');
      while (app.dataset.testScriptState !== 'notRunning' || document.querySelector('[data-stale="true"]')) {
        if (performance.now() - armed > waitMs) return {error: 'app not at rest in time'};
        await frame();
      }
      return {shown, rest: performance.now() - state.start};
    } finally {
      document.removeEventListener(kind === 'tick' ? 'click' : 'focusout', mark, {capture: true});
    }
  })();
}"""
AT_REST = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.dataset.testScriptState === 'notRunning' && !document.querySelector('[data-stale="true"]');
}"""


def _live(page):
    return page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]:not([data-stale="true"])')


async def _at_rest(page) -> None:
    await page.wait_for_function(AT_REST, polling="raf", timeout=WAIT_S * 1000)


async def _sign_in(browser, url: str, member: Member):
    from playwright.async_api import expect

    context = await browser.new_context(viewport=VIEWPORT, locale="th-TH")
    page = await context.new_page()
    page.set_default_timeout(WAIT_S * 1000)
    await page.goto(f"{url}/self_assessment")  # signed out, the address shows the sign-in form
    await expect(page.get_by_label(translate("username", "th"), exact=True)).to_be_visible(timeout=WAIT_S * 1000)
    await _at_rest(page)
    await page.get_by_label(translate("username", "th"), exact=True).fill(member.username)
    await page.get_by_label(translate("password", "th"), exact=True).fill(PASSWORD)
    await page.get_by_role("button", name=translate("sign_in", "th"), exact=True).click()
    await expect(_live(page).get_by_text(translate("sa_never_saved", "th"))).to_be_visible(
        timeout=WAIT_S * 1000)
    await _at_rest(page)
    return context, page


async def _session_loop(page, member: Member, framework, seed: int, think_s: float, go: asyncio.Event,
                        end_box: list, tally: Tally) -> None:
    rng = random.Random(seed)
    items = framework.category(1).items  # the form opens on category 1
    checkpoints = [cp.id for item in items for level in LEVELS for cp in item.level_checkpoints(level)]
    boxes = [(item.id, level) for item in items for level in LEVELS]  # the narratives, in page order
    ticked: dict[str, bool] = {}
    version, seq = 0, 0
    await go.wait()
    end = end_box[0]
    while time.time() < end:
        if think_s > 0:
            await asyncio.sleep(max(0.0, min(rng.uniform(0.5, 1.5) * think_s, end - time.time())))
        if time.time() >= end:
            break
        seq += 1
        suffix = translate("sa_last_saved", "th", time="\0", user=member.username, version=version + 1).split("\0")[1]
        try:
            await _at_rest(page)
            if rng.random() < 0.6:
                cp = rng.choice(checkpoints)
                want = not ticked.get(cp, False)
                kind, payload = "ticks", {cp: want}
                await page.evaluate(WATCH, ["tick", suffix, cp, want, "", WAIT_S * 1000])
                await _live(page).locator('[data-testid="stCheckbox"]').filter(
                    has_text=f"{cp} ").locator("label").click()
            else:
                index = rng.randrange(len(boxes))
                text = f"[{member.unit_code}/{member.username}/{seq}] ทบทวนแผนร่วมกับผู้มีส่วนได้ส่วนเสีย"
                kind, payload = "narrative", [*boxes[index], text]
                box = _live(page).get_by_label(translate("sa_narrative", "th"), exact=True).nth(index)
                await page.evaluate(WATCH, ["text", suffix, "", False, text, WAIT_S * 1000])
                await box.fill(text)
                await box.press("Tab")
            outcome = await page.evaluate("() => window.__load")
        except Exception as exc:  # a hung or broken page: counted; the session stops
            tally.errors.append([member.username, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"])
            return
        if "error" in outcome:
            tally.errors.append([member.username, outcome["error"]])
            return  # the version on the page is no longer known for sure: this session stops
        version += 1
        if kind == "ticks":
            ticked.update(payload)
        tally.call_ms.append(outcome["shown"])
        tally.total_ms.append(outcome["rest"])
        tally.saves.append([member.username, member.assessment_id, version, kind, payload])


async def browser_run(url: str, sessions: list[Member], framework, seed: int, think_s: float, ready_cb,
                      tally: Tally) -> None:
    """Sign every session in, call ``ready_cb`` (which starts the run and returns its end time), drive the
    sessions until then; returns when each has finished its last save."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            opened = await asyncio.gather(*(_sign_in(browser, url, m) for m in sessions))
            go, end_box = asyncio.Event(), [0.0]
            tallies = [Tally() for _ in sessions]
            tasks = [asyncio.create_task(_session_loop(page, m, framework, seed * 7919 + n, think_s, go, end_box, t))
                     for n, ((_, page), m, t) in enumerate(zip(opened, sessions, tallies, strict=True))]
            end_box[0] = await asyncio.get_running_loop().run_in_executor(None, ready_cb)
            go.set()
            await asyncio.gather(*tasks)
            for t in tallies:
                tally.add(t)
            for context, _ in opened:
                await context.close()
        finally:
            await browser.close()


# ---- checking -------------------------------------------------------------------------------------------

def _key_values(kind: str, payload) -> list[tuple[tuple, object]]:
    """The values a save writes, each under the key of where it is stored."""
    if kind == "ticks":
        return [(("tick", cp), bool(met)) for cp, met in payload.items()]
    if kind == "narrative":
        item, level, text = payload
        return [(("narrative", item, level), text.strip())]
    return [(("kpi", k, fy), float(v)) for k, fy, v in payload]


def _audit_matches(kind: str, payload, detail: dict) -> bool:
    if kind == "ticks":
        return detail.get("ticks") == {cp: bool(m) for cp, m in payload.items()}
    if kind == "narrative":
        item, level, text = payload
        return (detail.get("item"), detail.get("level"), detail.get("chars")) == (item, level, len(text.strip()))
    return detail.get("values") == {f"{k}/{fy}": float(v) for k, fy, v in payload}


def _stored(db, aid: int, key: tuple):
    if key[0] == "tick":
        row = db.execute("SELECT self_met FROM checkpoint_answers WHERE assessment_id = ? AND checkpoint = ?",
                         [aid, key[1]]).fetchone()
        return None if row is None else bool(row[0])
    if key[0] == "narrative":
        row = db.execute("SELECT text FROM narratives WHERE assessment_id = ? AND item = ? AND level = ?",
                         [aid, key[1], key[2]]).fetchone()
        return None if row is None else row[0]
    row = db.execute("SELECT self_value FROM kpi_results WHERE assessment_id = ? AND kpi = ? AND fiscal_year = ?",
                     [aid, key[1], key[2]]).fetchone()
    return None if row is None else row[0]


def check(path: Path, saves: list, members: list[Member]) -> dict[str, list[str]]:
    """Every problem found, by kind: lost, mixed, crossed (a department's rows naming another department's
    user), unacknowledged, integrity. Each department is read acting for it, as its own people read it."""
    problems: dict[str, list[str]] = defaultdict(list)
    db = connect(path)
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0] if db.sqlite else "ok"  # PostgreSQL: its own
        if integrity != "ok":
            problems["integrity"].append(integrity)
        unit_of_user = {m.username: m.unit_id for m in members}
        code_of_unit = {(m.department_id, m.unit_id): m.unit_code for m in members}
        department_of_user = {m.username: m.department_id for m in members}
        unit_of_form, department_of_form, audit, narratives = {}, {}, {}, []
        names = ", ".join("?" * len(SAVE_ACTIONS))
        for department in sorted(set(department_of_user.values())) or [1]:
            db.act_for(department)
            for aid, unit_id in db.execute("SELECT id, unit_id FROM assessments").fetchall():
                unit_of_form[aid], department_of_form[aid] = unit_id, department
            for username, action, entity_id, detail in db.execute(
                    f"SELECT username, action, entity_id, detail FROM audit_log WHERE entity = 'assessment' "
                    f"AND action IN ({names}) AND username LIKE 'load-%'", SAVE_ACTIONS).fetchall():
                if department_of_user.get(username) != department:
                    problems["crossed"].append(f"department {department}'s audit log holds a save by {username} "
                                               f"(department {department_of_user.get(username)})")
                detail = json.loads(detail)
                audit[(int(entity_id), detail["version"])] = (username, action, detail)
            narratives += [(department, aid, text) for aid, text in db.execute(
                "SELECT assessment_id, text FROM narratives WHERE text LIKE '[%/load-%'").fetchall()]
        last: dict[tuple, tuple[int, object]] = {}
        seen: set[tuple[int, int]] = set()
        for username, aid, version, kind, payload in saves:
            if (aid, version) in seen:
                problems["lost"].append(f"{username}: two saves were both told they made version {version} of "
                                        f"form {aid}")
            seen.add((aid, version))
            if unit_of_form.get(aid) != unit_of_user[username]:
                problems["mixed"].append(f"{username} (unit {unit_of_user[username]}) saved into form {aid} "
                                         f"of unit {unit_of_form.get(aid)}")
            if department_of_form.get(aid) != department_of_user[username]:
                problems["crossed"].append(f"{username} (department {department_of_user[username]}) saved into "
                                           f"form {aid} of department {department_of_form.get(aid)}")
            entry = audit.get((aid, version))
            if entry is None or entry[0] != username or not _audit_matches(kind, payload, entry[2]):
                problems["lost"].append(f"{username}: version {version} of form {aid} ({kind}) is not in the "
                                        f"audit log as saved: {entry}")
            for key, value in _key_values(kind, payload):
                if (aid, key) not in last or last[(aid, key)][0] < version:
                    last[(aid, key)] = (version, value)
        for (aid, version), (username, action, _) in audit.items():
            if (aid, version) not in seen:
                problems["unacknowledged"].append(f"{username}: {action} made version {version} of form {aid}, "
                                                  f"but the user was not told it succeeded")
        for (aid, key), (version, value) in last.items():
            db.act_for(department_of_form.get(aid, 1))
            stored = _stored(db, aid, key)
            if stored != value:
                problems["lost"].append(f"form {aid} {key}: stores {stored!r}, the last save (version {version}) "
                                        f"was {value!r}")
        for department, aid, text in narratives:
            code = text[1:].split("/", 1)[0]
            if code_of_unit.get((department, unit_of_form[aid])) != code:
                problems["mixed"].append(f"form {aid} (unit {code_of_unit.get((department, unit_of_form[aid]))}) "
                                         f"holds a narrative written for unit {code}: {text[:60]!r}")
        problems["_checked"] = [str(len(saves)), str(len(last))]
    finally:
        db.close()
    return problems


def logged_causes(log_text: str) -> dict[str, str]:
    """The server log's unexpected errors: reference -> the exception's last line (what the user saw is
    only the reference)."""
    causes, reference = {}, None
    for line in log_text.splitlines():
        if re.match(r"\d{4}-\d\d-\d\d ", line):  # a new log record
            found = re.search(r"unexpected error, reference (\w+)", line)
            reference = found.group(1) if found else None
        elif reference and line and not line.startswith((" ", "Traceback", "During handling", "The above")):
            causes[reference] = line.strip()  # the last such line of the record: the exception raised
    return causes


def with_cause(message: str, causes: dict[str, str]) -> str:
    """A page's error message, with what the server logged under the reference it ends with."""
    reference = (message.split() or [""])[-1]
    return f"{message} (server log: {causes[reference]})" if reference in causes else message


# ---- reporting ------------------------------------------------------------------------------------------

def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    import numpy as np

    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return f"p50 {p50:.0f} · p95 {p95:.0f} · p99 {p99:.0f} · max {max(samples):.0f}"


def report_group(title: str, tally: Tally, seconds: float, call_label: str, total_label: str) -> None:
    kinds = Counter(s[3] for s in tally.saves)
    locked = sum(LOCKED in message for _, message in tally.errors)
    print(f"\n{title}")
    print(f"  saves           {len(tally.saves)} ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
          f"{len(tally.saves) / seconds:.1f} per second")
    print(f"  refusals        {tally.refusals} stale-version refusals, re-read and retried; "
          f"{tally.gave_up} changes given up after {MAX_ATTEMPTS} refusals")
    print(f"  errors          {len(tally.errors)} (\"{LOCKED}\": {locked})")
    for username, message in tally.errors[:10]:
        print(f"    {username}: {message[:200]}")
    print(f"  {call_label:<15} {percentiles(tally.call_ms)}")
    print(f"  {total_label:<15} {percentiles(tally.total_ms)}")
    if tally.read_ms:
        print(f"  {'form re-read ms':<15} {percentiles(tally.read_ms)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--storage-users", type=int, default=50)
    parser.add_argument("--browser-sessions", type=int, default=10)
    parser.add_argument("--processes", type=int, default=5, help="worker processes for the storage users")
    parser.add_argument("--think-ms", type=float, default=1000.0, help="mean pause between a user's saves")
    parser.add_argument("--seed", type=int, default=2570)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the store's engine: a SQLite file, or a throw-away PostgreSQL cluster")
    parser.add_argument("--departments", type=int, default=1,
                        help="a generated ministry of this many departments (PostgreSQL), the users dealt round them")
    parser.add_argument("--units", type=int, default=50, help="units of each generated department")
    args = parser.parse_args(argv)
    if args.departments > 1 and args.engine != "postgresql":
        parser.error("a ministry's departments share a PostgreSQL store: --engine postgresql")
    if not 1 <= args.departments <= 30 or not 1 <= args.units <= 300:
        parser.error("bounded: --departments 1-30, --units 1-300")
    if (not 0 < args.seconds <= 600 or not 0 <= args.storage_users <= 200 or not 0 <= args.browser_sessions <= 20
            or not 1 <= args.processes <= 50):
        parser.error("bounded: --seconds 1-600, --storage-users 0-200, --browser-sessions 0-20, --processes 1-50")
    think_s = args.think_ms / 1000
    started = time.monotonic()
    spawn = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="pmqa-load-") as folder, _store(args.engine, Path(folder)) as path:
        built = time.monotonic()
        members, sessions = build_store(path, args.storage_users, args.browser_sessions, args.departments,
                                        args.units)
        what = (f"a generated ministry of {args.departments} departments x {args.units} units x 3 years "
                f"(made in {time.monotonic() - built:.0f} s)" if args.departments > 1 else "demo department")
        print(f"store {shown(path)} ({args.engine}): {what}, {len(members)} storage users on "
              f"{len({m.unit_id for m in members})} units of {len({m.department_id for m in members})} "
              f"departments, {len(sessions)} browser users on units of their own; "
              f"{os.cpu_count()} CPUs; think time {args.think_ms:.0f} ms mean; {args.seconds:.0f} s")
        queue, go, end_at = spawn.Queue(), spawn.Event(), spawn.Value("d", 0.0)
        groups = [members[n::args.processes] for n in range(args.processes)] if members else []
        groups = [g for g in groups if g]
        workers = []
        storage, browser = Tally(), Tally()
        window = {"start": 0.0, "end": 0.0}
        server_log = Path(folder) / "streamlit.log"
        try:
            for n, group in enumerate(groups):
                out = Path(folder) / f"worker-{n}.json"
                worker = spawn.Process(target=storage_worker, daemon=True, args=(
                    str(path), [m.__dict__ for m in group], args.seed + n, think_s, queue, go, end_at, str(out)))
                worker.start()
                workers.append((worker, out))

            def start_run() -> float:
                """Once every storage user is ready: the run's window starts now."""
                waiting = len(groups)
                while waiting:
                    kind, detail = queue.get(timeout=SETUP_S)
                    if kind == "failed":
                        raise RuntimeError(f"a storage worker failed to start:\n{detail}")
                    waiting -= 1
                window["start"] = time.time()
                window["end"] = end_at.value = window["start"] + args.seconds
                go.set()
                return window["end"]

            if sessions:
                with streamlit_server(path, server_log) as url:
                    db = connect(path)
                    framework = years.framework_of(db, YEAR)
                    db.close()
                    try:
                        asyncio.run(browser_run(url, sessions, framework, args.seed, think_s,
                                                lambda: _with_forms(path, sessions, start_run), browser))
                    finally:
                        go.set()  # workers never left waiting
            else:
                start_run()
            for worker, _ in workers:
                worker.join(timeout=max(5.0, window["end"] - time.time() + 30))
        finally:
            go.set()
            for worker, _ in workers:
                if worker.is_alive():
                    worker.terminate()
                    worker.join()
        for worker, out in workers:
            if not out.exists():
                storage.errors.append(["worker", f"a worker process left no results (exit {worker.exitcode})"])
                continue
            storage.add(Tally(**json.loads(out.read_text(encoding="utf-8"))))
        elapsed = args.seconds
        log_text = server_log.read_text(errors="replace") if server_log.exists() else ""
        log_errors = [line for line in log_text.splitlines() if " ERROR " in line or " CRITICAL " in line]
        causes = logged_causes(log_text)
        browser.errors = [[who, with_cause(message, causes)] for who, message in browser.errors]
        problems = check(path, storage.saves + browser.saves, members + sessions)
    checked_saves, checked_keys = problems.pop("_checked")

    report_group(f"storage users: {len(members)} in {len(groups)} processes (a thread and a connection each)",
                 storage, elapsed, "save call ms", "save ms*")
    print("  * from the first try to the save, stale-version refusals and re-reads included")
    report_group(f"browser sessions: {len(sessions)} (one headless Chromium, a context each)", browser, elapsed,
                 "shown ms", "at rest ms")
    print("  shown: from the click (or leaving the text box) to the form showing the save; "
          "at rest: until the page's run has finished")
    all_saves = len(storage.saves) + len(browser.saves)
    print(f"\nthroughput      {all_saves} saves in {elapsed:.0f} s: {all_saves / elapsed:.1f} per second")
    print(f"checks          integrity_check {'ok' if not problems['integrity'] else 'FAILED'}; "
          f"{checked_saves} saves found in the audit log with their version and content; "
          f"{checked_keys} values compared with the last save of each")
    failed = False
    for kind in ("integrity", "lost", "mixed", "crossed", "unacknowledged"):
        print(f"  {kind:<15} {len(problems[kind])}")
        for line in problems[kind][:10]:
            print(f"    {line}")
        failed |= bool(problems[kind])
    print(f"  server log      {len(log_errors)} errors logged")
    for cause, n in Counter(causes.values()).most_common():
        print(f"    {n} x {cause[:200]}")
    for line in log_errors[:5]:
        print(f"    {line[:200]}")
    errors = storage.errors + browser.errors
    failed |= bool(errors) or bool(log_errors) or storage.gave_up > 0
    print(f"\n{'FAIL' if failed else 'PASS'} in {time.monotonic() - started:.0f} s "
          f"(run {args.seconds:.0f} s + set-up, sign-ins and checks)")
    return 1 if failed else 0


@contextlib.contextmanager
def _store(engine: str, folder: Path):
    """Where the run's store lives: a file in ``folder``, or a database of a throw-away PostgreSQL cluster."""
    if engine == "sqlite":
        yield folder / "load.db"
        return
    import psycopg
    from postgres_cluster import cluster, wait_ready

    with cluster() as address:
        wait_ready(address)
        with psycopg.connect(address, autocommit=True) as conn:
            conn.execute("CREATE DATABASE load")
        yield address.rsplit("/", 1)[0] + "/load"


def _with_forms(path: Path, sessions: list[Member], start_run) -> float:
    """Note each browser unit's form (the page made it on opening), then start the run."""
    db = connect(path)
    try:
        for member in sessions:
            member.assessment_id = assessments.get(db, member.unit_id, YEAR)["id"]
    finally:
        db.close()
    return start_run()


if __name__ == "__main__":
    sys.exit(main())
