"""A writer killed mid-save (SIGKILL) leaves an intact store that holds every save it completed.

Round after round, a writer process saves to a real SQLite store through the real storage functions, one
save after another, and sends its version after each save has returned (that is, committed). After a random
number of saves it is killed with SIGKILL at a random moment within its next save. Then the store is opened
afresh and must pass ``PRAGMA integrity_check`` and hold every save the writer reported, in the audit log too.
Each save's content follows from its version, so the store's whole state can be checked: the last version, and
at most one save beyond what was reported (committed just before the kill, not yet sent).

Each writer is forked from the server of processes.py, which has imported the project once; the writer's
module (this one) imports only the project, so it is cheap to import there.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from multiprocessing import Pipe
from pathlib import Path

import processes

from scoring import default_framework
from storage import connect
from storage.assessment import answers, assessments
from storage.organisation import accounts, org

YEAR = 2570
ROUNDS = 20
FRAMEWORK = default_framework()
CHECKPOINTS = [cp.id for item, _, cp in FRAMEWORK.checkpoints() if not item.is_results]
KPIS = [kpi.id for _, kpi in FRAMEWORK.kpis()]
FISCAL_YEARS = (YEAR - 2, YEAR - 1, YEAR)
KINDS = ("ticks", "narrative", "kpi")
ACTIONS = {"ticks": "save_self", "narrative": "save_narrative", "kpi": "save_self_kpi"}


# ---- what save number v writes: a function of v alone ---------------------------------------------------

def kind_of(version: int) -> str:
    return KINDS[version % 3]


def ticks_of(version: int) -> dict[str, bool]:
    """Every checkpoint of categories 1-6 (a large transaction), in a pattern that moves with the version."""
    return {cp: (n + version) % 3 == 0 for n, cp in enumerate(CHECKPOINTS)}


def narrative_of(version: int) -> str:
    return f"บันทึกฉบับที่ {version} " * 40


def kpi_values_of(version: int) -> dict[tuple[str, int], float]:
    return {(kpi, fy): float((version * 7 + n) % 100) + 0.5
            for n, (kpi, fy) in enumerate((k, fy) for k in KPIS for fy in FISCAL_YEARS)}


def save(db, user, assessment_id: int, version: int) -> int:
    """Save number ``version + 1``; returns the version the store gave it."""
    new = version + 1
    if kind_of(new) == "ticks":
        return answers.save_checkpoints(db, user, assessment_id, version, ticks_of(new))
    if kind_of(new) == "narrative":
        return answers.save_narrative(db, user, assessment_id, version, "1.1", "basic", narrative_of(new))
    return answers.save_kpi_values(db, user, assessment_id, version, kpi_values_of(new))


def expected_state(version: int) -> dict:
    """The form's content after saves 1..version: each kind as its last save left it."""
    last = {kind: max((v for v in range(1, version + 1) if kind_of(v) == kind), default=None) for kind in KINDS}
    return {
        "ticks": ticks_of(last["ticks"]) if last["ticks"] else {},
        "narrative": narrative_of(last["narrative"]).strip() if last["narrative"] else None,
        "kpi": kpi_values_of(last["kpi"]) if last["kpi"] else {},
    }


def audit_detail(version: int) -> dict:
    kind = kind_of(version)
    if kind == "ticks":
        return {"ticks": ticks_of(version), "version": version}
    if kind == "narrative":
        return {"item": "1.1", "level": "basic", "chars": len(narrative_of(version).strip()), "version": version}
    return {"values": {f"{k}/{fy}": v for (k, fy), v in kpi_values_of(version).items()}, "version": version}


# ---- the writer (a process of its own) ----------------------------------------------------------------

def writer(path: str, assessment_id: int, user_id: int, channel) -> None:
    """Say it is ready, wait for "go", then save without end, sending each version after its save returned."""
    channel.send("ready")
    if channel.recv() != "go":
        return
    db = connect(path)
    user = accounts.get_user(db, user_id)
    version = db.execute("SELECT version FROM assessments WHERE id = ?", [assessment_id]).fetchone()[0]
    while True:
        saved = save(db, user, assessment_id, version)
        assert saved == version + 1, (saved, version)
        version = saved
        channel.send(version)  # one write of a few bytes: a kill cannot leave half of it in the pipe


# ---- the test -------------------------------------------------------------------------------------------

def start_writer(path: Path, assessment_id: int, user_id: int):
    """The writer in a process forked from processes.py's server (the project already imported there); returns
    the process and this end of its channel."""
    ours, theirs = Pipe()
    proc = processes.context().Process(target=writer, args=(str(path), assessment_id, user_id, theirs), daemon=True)
    processes.start(proc)
    theirs.close()  # only the writer holds that end now: its death ends the channel
    return proc, ours


def heard(proc, channel):
    """The writer's next message; a writer that ended by itself fails the test (its traceback is in the
    forkserver's output)."""
    try:
        return channel.recv()
    except EOFError:
        proc.join(timeout=10)
        raise AssertionError(f"the writer ended by itself (exit {proc.exitcode})") from None


def kill_mid_save(proc, channel, rng: random.Random) -> list[int]:
    """Let the writer report a random number of saves, then SIGKILL it at a random moment within the next
    (a save's length measured from the ones it made); return every version it reported."""
    assert heard(proc, channel) == "ready"
    channel.send("go")
    reported, times = [], []
    for _ in range(rng.randint(1, 12)):
        reported.append(heard(proc, channel))
        times.append(time.perf_counter())
    one_save = (times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else 0.01
    time.sleep(rng.uniform(0, one_save))
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    assert proc.exitcode == -signal.SIGKILL
    while True:  # what it sent before the kill
        try:
            reported.append(channel.recv())
        except EOFError:
            return reported


def check_store(path: Path, user: accounts.User, assessment_id: int, reported: list[int]) -> int:
    """The store after a kill: intact, and holding every reported save (and at most one more); returns its
    version."""
    db = connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        version = db.execute("SELECT version FROM assessments WHERE id = ?", [assessment_id]).fetchone()[0]
        assert reported[-1] <= version <= reported[-1] + 1, (reported, version)
        audit = [(action, json.loads(detail)) for action, detail in db.execute(
            "SELECT action, detail FROM audit_log WHERE entity = 'assessment' AND entity_id = ? "
            "AND action LIKE 'save_%' ORDER BY id", [str(assessment_id)])]
        assert audit == [(ACTIONS[kind_of(v)], audit_detail(v)) for v in range(1, version + 1)]
        form = answers.load(db, user, assessment_id)
        want = expected_state(version)
        assert {cp: t["self"] for cp, t in form.ticks.items()} == want["ticks"]
        assert all(not t["needs_confirm"] for t in form.ticks.values())
        assert form.narratives.get(("1.1", "basic")) == want["narrative"]
        assert {key: v["self"] for key, v in form.kpi_values.items()} == want["kpi"]
        return version
    finally:
        db.close()


def test_a_writer_killed_mid_save_leaves_an_intact_store_with_every_completed_save(tmp_path):
    path = tmp_path / "killed.db"
    db = connect(path)
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    assessment_id = assessments.ensure(db, user, unit_id, YEAR)["id"]
    db.close()
    rng = random.Random()
    version = 0
    for _ in range(ROUNDS):
        proc, channel = start_writer(path, assessment_id, user.id)
        try:
            reported = kill_mid_save(proc, channel, rng)
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            channel.close()
        assert reported == list(range(version + 1, reported[-1] + 1)), (version, reported)
        version = check_store(path, user, assessment_id, reported)
    assert version >= ROUNDS
