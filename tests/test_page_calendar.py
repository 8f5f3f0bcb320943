"""One calendar per language on every page (issue 25: Gregorian ISO dates stood beside Buddhist-era years):
Thai screens write dates in the Buddhist Era, English ones in the Common Era, never "2026-12-06"; Streamlit's
date pickers, which draw a Common-Era calendar only, say so and show the chosen day in the Buddhist Era beside."""

import re
from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from i18n import translate
from i18n.format import MONTHS_TH, date_label, thailand_today
from storage.admin import announcements
from storage.admin.demo import DEMO_PASSWORD
from storage.db import transaction
from storage.organisation import accounts
from storage.plans import ofis, workplan
from storage.record import department
from ui.router import PAGES

YEAR = 2570
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
THAI_MONTH_CE = re.compile("(" + "|".join(map(re.escape, MONTHS_TH)) + r") 20\d\d")  # a Thai month, a C.E. year
ENGLISH_MONTH_BE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 25\d\d\b")


def user(db, role):
    return accounts.authenticate(db, f"demo-{role}", DEMO_PASSWORD)


@pytest.fixture
def dated(demo_db):
    """The demo store with dates on every page: an approved work plan with a step done, an announcement, the
    department's assessment approved, an OFI with a note, phases with their deadlines."""
    admin, committee = user(demo_db, "admin"), user(demo_db, "committee")
    plan = workplan.start(demo_db, admin, YEAR)
    version = workplan.save(demo_db, admin, YEAR, plan.version,
                            [plan.steps[0] | {"status": "done", "done_on": "2026-10-20"}, *plan.steps[1:]])
    workplan.approve(demo_db, user(demo_db, "director"), YEAR, version)
    announcements.publish(demo_db, admin, "ประชุมชี้แจงเกณฑ์", "", expires_on=thailand_today() + timedelta(days=30))
    record = department.start(demo_db, committee, YEAR)
    department.approve(demo_db, committee, YEAR, record.version)
    ofi_id = ofis.create(demo_db, committee, YEAR, "1.1", "ทบทวนวิสัยทัศน์", "high", "demo-unit",
                         thailand_today() + timedelta(days=60), [user(demo_db, "unit").unit_id])
    ofis.add_note(demo_db, committee, ofi_id, "เริ่มแล้ว")
    with transaction(demo_db):
        demo_db.execute("UPDATE phases SET starts_on = '2026-10-01', ends_on = '2027-01-31' WHERE year = ?", [YEAR])
    return demo_db


def shown_texts(at: AppTest) -> list[str]:
    """The page's words: titles, markdown, captions, alerts, metrics, and the text cells of its tables."""
    out = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                                "warning", "error") for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for table in at.dataframe:  # data editors too
        value, editor = table.value, table.editing_mode != "read_only"
        if isinstance(value, pd.DataFrame):
            out += [str(c) for c in value.columns]
            out += [v for column in value.columns for v in value[column].tolist() if isinstance(v, str)
                    and not (editor and ISO.fullmatch(v))]  # an editor's date cell shows in the picker's format
    return out


def wrong_calendar(texts: list[str], lang: str) -> list[str]:
    other = THAI_MONTH_CE if lang == "th" else ENGLISH_MONTH_BE
    return [text for text in texts if ISO.search(text) or other.search(text)]


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("role", ["unit", "committee", "director", "admin"])
def test_every_page_writes_dates_in_the_language_calendar(app, dated, role, lang):
    at = app(role, lang)
    assert not at.exception
    seen = {"pages/home.py": shown_texts(at)}
    for path, (_, _, roles) in PAGES.items():
        if role not in roles:
            continue
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])
        seen[path] = shown_texts(at)
    wrong = {path: found for path, texts in seen.items() if (found := wrong_calendar(texts, lang))}
    assert not wrong
    some_date = date_label(date(2026, 10, 20), lang) if role == "unit" else date_label("2027-01-31", lang)
    assert any(some_date in text for texts in seen.values() for text in texts)  # dates are there, as they should be


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_admins_tabs_write_dates_in_the_language_calendar(app, dated, lang):
    at = app("admin", lang, page="pages/admin.py")
    for tab in ("adm_tab_years", "adm_tab_users", "adm_tab_announcements", "adm_tab_audit"):
        at.session_state["adm_tab"] = translate(tab, lang)
        at.run()
        assert not at.exception, tab
        assert not wrong_calendar(shown_texts(at), lang), tab


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_date_picker_says_its_calendar_and_a_thai_screen_shows_the_buddhist_date(app, lang):
    at = app("committee", lang, page="pages/ofi_register.py")
    at.session_state["ofi_tab"] = translate("ofi_tab_manual", lang)
    at.run()
    picker = at.date_input(key="ofi:new:due")
    due = thailand_today() + timedelta(days=90)
    assert picker.proto.format == "DD/MM/YYYY" and picker.value == due
    assert picker.label == translate("date_picker_label", lang, label=translate("ofi_col_due_date", lang))
    assert thailand_today().strftime("%d/%m/%Y") in picker.help  # the example: the picker's own form of today ...
    assert date_label(thailand_today(), lang) in picker.help  # ... and the language's
    chosen = translate("date_picker_chosen", lang, day=date_label(due, lang))
    assert (chosen in [c.value for c in at.caption]) == (lang == "th")
    if lang == "th":  # (AppTest formats the other widgets' values outside the run, in Thai: English fails there)
        picker.set_value(date(2027, 1, 1)).run()
        assert translate("date_picker_chosen", lang, day="1 ม.ค. 2570") in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_tables_date_column_is_picked_day_first_with_the_buddhist_date_beside_it_in_thai(app, dated, lang):
    at = app("committee", lang, page="pages/ofi_register.py")
    [table] = at.data_editor
    frame = table.value
    due = frame["due_date"].iloc[0]
    twin = "due_date:era"
    if lang == "th":
        assert list(frame.columns).index(twin) == list(frame.columns).index("due_date") - 1  # read first
        assert frame[twin].iloc[0] == date_label(due, "th")
    else:
        assert twin not in frame.columns
