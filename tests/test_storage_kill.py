"""A writer killed mid-save (SIGKILL) leaves an intact store that holds every save it completed.

Round after round, a writer process (this file run as a script) saves to a real SQLite store through the
real storage functions, one save after another, and prints a line after each save has returned (that
is, committed). After a random number of saves it is killed with SIGKILL at a random moment within its
next save. Then the store is opened afresh and must pass ``PRAGMA integrity_check`` and hold every save
the writer reported, in the audit log too. Each save's content follows from its version, so the store's
whole state can be checked: the last version, and at most one save beyond what was reported (committed
just before the kill, not yet printed).

The next round's writer is started while the current one runs, so that its start-up (importing the
project) does not add to the test's time.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from scoring import default_framework
from storage import accounts, answers, assessments, connect, org

ROOT = Path(__file__).resolve().parent.parent
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


# ---- the writer (this file run as a script) --------------------------------------------------------------

def writer(path: str, assessment_id: str, user_id: str) -> None:
    """Say it is ready, wait for "go", then save without end, printing "saved <version>" after each."""
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    db = connect(path)
    user = accounts.get_user(db, int(user_id))
    aid = int(assessment_id)
    version = db.execute("SELECT version FROM assessments WHERE id = ?", [aid]).fetchone()[0]
    while True:
        saved = save(db, user, aid, version)
        assert saved == version + 1, (saved, version)
        version = saved
        print(f"saved {version}", flush=True)


# ---- the test -------------------------------------------------------------------------------------------

def start_writer(path: Path, assessment_id: int, user_id: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with open(log, "ab") as errors:
        return subprocess.Popen([sys.executable, __file__, str(path), str(assessment_id), str(user_id)],
                                cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                text=True, bufsize=1)


def line(proc: subprocess.Popen, log: Path) -> str:
    text = proc.stdout.readline()
    assert text, f"the writer ended by itself (exit {proc.poll()}):\n{log.read_text(errors='replace')}"
    return text.strip()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        pipe.close()


def kill_mid_save(proc: subprocess.Popen, log: Path, rng: random.Random) -> list[int]:
    """Let the writer report a random number of saves, then SIGKILL it at a random moment within the next
    (a save's length measured from the ones it made); return every version it reported."""
    assert line(proc, log) == "ready"
    proc.stdin.write("go\n")
    proc.stdin.flush()
    reported, times = [], []
    for _ in range(rng.randint(1, 12)):
        text = line(proc, log)
        assert text.startswith("saved "), text
        reported.append(int(text.split()[1]))
        times.append(time.perf_counter())
    one_save = (times[-1] - times[0]) / (len(times) - 1) if len(times) > 1 else 0.01
    time.sleep(rng.uniform(0, one_save))
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    reported += [int(text.split()[1]) for text in proc.stdout.read().split("\n") if text.startswith("saved ")]
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
    log = tmp_path / "writers.log"
    rng = random.Random()
    version, running = 0, start_writer(path, assessment_id, user.id, log)
    try:
        for round_ in range(ROUNDS):
            proc, running = running, None
            try:
                if round_ + 1 < ROUNDS:
                    running = start_writer(path, assessment_id, user.id, log)  # imports while this one writes
                reported = kill_mid_save(proc, log, rng)
            finally:
                stop(proc)
            assert reported == list(range(version + 1, reported[-1] + 1)), (version, reported)
            version = check_store(path, user, assessment_id, reported)
    finally:
        if running is not None:
            stop(running)
    assert version >= ROUNDS


if __name__ == "__main__":
    writer(*sys.argv[1:])
