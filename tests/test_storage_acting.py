"""Storage functions trust the store, not the ``User`` object they are handed: the acting or reading user is
re-read (active, same name, the store's role and unit), so a forged or stale object gets no further than
the account allows; the OFI register, one OFI, a unit's OFIs and the status table check their reader."""

from __future__ import annotations

import ast
import dataclasses
import sys
from datetime import date
from pathlib import Path

import pytest
from stores import on_server, second_department

from storage.assessment import answers, assessments, reviews, years
from storage.db import transaction
from storage.errors import AccessDenied, InputError
from storage.files import evidence
from storage.organisation import accounts, org
from storage.plans import ofis

YEAR = 2570
DUE = date(2099, 1, 1)


@pytest.fixture
def store(demo_db, demo_user):
    """The demo store with an OFI for demo-unit's unit and one for another unit."""
    unit, committee = demo_user("unit"), demo_user("committee")
    other = next(r[0] for r in demo_db.execute("SELECT id FROM units WHERE active = 1 AND id != ? ORDER BY id",
                                               [unit.unit_id]))
    own_ofi = ofis.create(demo_db, committee, YEAR, "1.1", "ของหน่วยเอง", "high", "demo-committee", DUE, [unit.unit_id])
    other_ofi = ofis.create(demo_db, committee, YEAR, "1.1", "ของหน่วยอื่น", "high", "demo-committee", DUE, [other])
    aid = assessments.get(demo_db, unit.unit_id, YEAR)["id"]
    return {"db": demo_db, "unit": unit, "committee": committee, "admin": demo_user("admin"), "other": other,
            "own_ofi": own_ofi, "other_ofi": other_ofi, "aid": aid}


def version(db, aid: int) -> int:
    return db.execute("SELECT version FROM assessments WHERE id = ?", [aid]).fetchone()[0]


# Every function below is allowed for the genuine user; each is then tried with a doctored one.
ACTS = {
    "answers.save_narrative": ("unit", lambda s, u: answers.save_narrative(
        s["db"], u, s["aid"], version(s["db"], s["aid"]), "1.1", "basic", "เขียนใหม่")),
    "answers.load": ("unit", lambda s, u: answers.load(s["db"], u, s["aid"])),
    "evidence.add_link": ("unit", lambda s, u: evidence.add_link(s["db"], u, s["aid"], "1.1", "basic",
                                                                 "https://example.go.th/plan")),
    "evidence.listing": ("unit", lambda s, u: evidence.listing(s["db"], u, s["aid"])),
    "ofis.add_note": ("unit", lambda s, u: ofis.add_note(s["db"], u, s["own_ofi"], "คืบหน้า")),
    "ofis.register": ("unit", lambda s, u: ofis.register(s["db"], u, YEAR)),
    "ofis.get": ("unit", lambda s, u: ofis.get(s["db"], u, s["own_ofi"])),
    "ofis.for_unit": ("unit", lambda s, u: ofis.for_unit(s["db"], u, s["unit"].unit_id, YEAR)),
    "assessments.status_table": ("unit", lambda s, u: assessments.status_table(s["db"], u, YEAR)),
    "ofis.create": ("committee", lambda s, u: ofis.create(s["db"], u, YEAR, "1.2", "ใหม่", "low", "demo-committee",
                                                          DUE, [s["other"]])),
    "ofis.update": ("committee", lambda s, u: ofis.update(s["db"], u, s["other_ofi"], 0, priority="low")),
    "reviews.add_note": ("committee", lambda s, u: reviews.add_note(s["db"], u, submitted(s), "1.1", "comment", "ดี")),
    "org.update_unit": ("admin", lambda s, u: org.update_unit(s["db"], u, s["other"], "X1", "หน่วย", "Unit",
                                                              "central", 1.0)),
    "years.set_phase": ("admin", lambda s, u: years.set_phase(s["db"], u, YEAR, "review", "open")),
}


def submitted(s) -> int:
    return int(s["db"].execute("SELECT id FROM assessments WHERE year = ? AND status = 'submitted' LIMIT 1",
                               [YEAR]).fetchone()[0])


@pytest.mark.parametrize("name", ACTS)
def test_the_genuine_user_may(store, name):
    role, act = ACTS[name]
    act(store, store[role])


@pytest.mark.parametrize("name", ACTS)
def test_a_disabled_account_may_do_nothing_with_the_object_it_still_holds(store, name):
    role, act = ACTS[name]
    with transaction(store["db"]):
        store["db"].execute("UPDATE users SET active = 0 WHERE id = ?", [store[role].id])
    with pytest.raises(AccessDenied):
        act(store, store[role])


@pytest.mark.parametrize("name", ACTS)
def test_an_object_naming_someone_else_is_refused(store, name):
    role, act = ACTS[name]
    forged = dataclasses.replace(store["unit" if role != "unit" else "committee"], role=role,
                                 unit_id=store[role].unit_id)
    forged = dataclasses.replace(forged, username=store[role].username)  # another account's id, this name
    with pytest.raises(AccessDenied):
        act(store, forged)


@pytest.mark.parametrize("name", [n for n, (role, _) in ACTS.items() if role != "unit"])
def test_a_unit_user_claiming_a_higher_role_keeps_its_own(store, name):
    role, act = ACTS[name]
    promoted = dataclasses.replace(store["unit"], role=role, unit_id=None)
    with pytest.raises(AccessDenied):
        act(store, promoted)


def test_a_unit_user_claiming_another_unit_keeps_its_own(store):
    moved = dataclasses.replace(store["unit"], unit_id=store["other"])
    other_aid = assessments.get(store["db"], store["other"], YEAR)["id"]
    with pytest.raises(AccessDenied):
        answers.load(store["db"], moved, other_aid)
    with pytest.raises(AccessDenied):
        ofis.get(store["db"], moved, store["other_ofi"])
    assert list(assessments.status_table(store["db"], moved, YEAR)["unit_id"]) == [store["unit"].unit_id]


def test_a_unit_reads_only_its_own_units_ofis_and_status(store):
    db, unit = store["db"], store["unit"]
    mine = ofis.register(db, unit, YEAR)
    assert store["own_ofi"] in set(mine["id"]) and store["other_ofi"] not in set(mine["id"])
    assert all(unit.unit_id in ids for ids in mine["unit_ids"])
    with pytest.raises(AccessDenied):
        ofis.register(db, unit, YEAR, unit_id=store["other"])
    with pytest.raises(AccessDenied):
        ofis.get(db, unit, store["other_ofi"])
    with pytest.raises(AccessDenied):
        ofis.for_unit(db, unit, store["other"], YEAR)
    assert list(assessments.status_table(db, unit, YEAR)["unit_id"]) == [unit.unit_id]
    # the committee reads them all
    everything = ofis.register(db, store["committee"], YEAR)
    assert {store["own_ofi"], store["other_ofi"]} <= set(everything["id"])
    assert len(assessments.status_table(db, store["committee"], YEAR)) == len(org.units(db))


# ---- departments: the store's check, and PostgreSQL's wall behind it ------------------------------------

@pytest.mark.parametrize("name", ACTS)
def test_an_account_of_another_department_is_refused(store, name):
    """An object naming another department is refused by the store, whatever else it claims."""
    role, act = ACTS[name]
    with pytest.raises(AccessDenied):
        act(store, dataclasses.replace(store[role], department_id=second_department(store["db"])))


@pytest.mark.skipif(not on_server(), reason="row-level security is PostgreSQL's (make test-postgres)")
@pytest.mark.parametrize("name", ACTS)
def test_with_the_store_s_department_check_removed_the_database_still_refuses(store, name, monkeypatch):
    """The store's check disabled on purpose: a store acting for another department (as a session handed the
    wrong one would) still gets nowhere with this department's genuine accounts, their rows and their data,
    because PostgreSQL shows that connection none of them."""
    role, act = ACTS[name]
    db = store["db"]
    monkeypatch.setattr(accounts, "in_acting_department", lambda db, user: True)
    known = {"version": version(db, store["aid"]), "submitted": submitted(store)}  # read while they can be
    monkeypatch.setattr(sys.modules[__name__], "version", lambda db, aid: known["version"])
    monkeypatch.setattr(sys.modules[__name__], "submitted", lambda s: known["submitted"])
    before = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("ofis", "ofi_notes", "narratives")}
    db.act_for(second_department(db))
    with pytest.raises((AccessDenied, InputError)):  # the account is not there, or what it names is not
        act(store, store[role])
    db.act_for(1)
    assert {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in before} == before


# ---- every function: handed an account, it reaches the store's check ------------------------------------

STORAGE = Path(__file__).resolve().parent.parent / "storage"
CHECKS = {("storage.organisation.accounts", "acting")}  # re-reads the account, in the department acted for
REVIEWED = {  # handed an account, and reaching no check of their own: why that is safe
    ("storage.organisation.accounts", "acting"): "the check itself",
    ("storage.organisation.accounts", "in_acting_department"): "a part of the check",
    ("storage.organisation.signin", "open_session"): "given the account sign_in or sso has just authenticated, "
                                                     "in the department the store acts for",
    ("storage.plans.improvement", "may_write"): "a rule on an account its callers have re-read",
    ("storage.plans.improvement", "move_ofis"): "a step inside functions that re-read the account first",
}


def _resolved(call: ast.Call, module: str, defined: set[str], names: dict[str, str]) -> tuple[str, str] | None:
    """The store's function a call names, as (module, function): one of the module's own, or through its
    imports (``accounts.acting(...)``, ``acting(...)``); None for anything else."""
    if isinstance(call.func, ast.Name):
        if call.func.id in defined:
            return module, call.func.id
        target = names.get(call.func.id, "")
        return tuple(target.rsplit(".", 1)) if "." in target else None
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        target = names.get(call.func.value.id)
        return (target, call.func.attr) if target else None
    return None


def _functions() -> dict[tuple[str, str], tuple[bool, set[tuple[str, str]]]]:
    """Each module-level function of the store: whether it is handed an account (a parameter typed ``User``),
    and the store's functions it calls."""
    found = {}
    for path in STORAGE.rglob("*.py"):
        if "revisions" in path.parts:
            continue
        module = ".".join(path.relative_to(STORAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("storage"):
                names.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
            elif isinstance(node, ast.Import):
                names.update({a.asname or a.name: a.name for a in node.names if a.name.startswith("storage")})
        defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                handed = any(a.annotation is not None and "User" in ast.unparse(a.annotation) for a in arguments)
                calls = {_resolved(n, module, defined, names) for n in ast.walk(node) if isinstance(n, ast.Call)}
                found[module, node.name] = handed, calls - {None}
    return found


def test_every_store_function_handed_an_account_reaches_the_store_s_check():
    """Every function of the store that is handed an account (an actor or a reader) calls, itself or through
    the functions it calls, ``accounts.acting``: the check of the account and of the department the store acts
    for. A new function that forgets it fails here, unless reviewed and listed with why it is safe."""
    functions = _functions()
    checked, grew = set(CHECKS), True
    while grew:
        grew = False
        for key, (_, calls) in functions.items():
            if key not in checked and calls & checked:
                checked.add(key)
                grew = True
    handed = {key for key, (takes, _) in functions.items() if takes}
    assert len(handed) > 100  # the scan sees the store's functions
    assert {key for key in handed - checked if not key[1].startswith("_")} == set(REVIEWED) - checked
