"""The self-assessment page's offline work, driven as a unit with AppTest: import a filled-in Excel form
(preview, then one save), see each problem of a bad file, and only print a form that cannot be changed."""

from datetime import UTC, datetime

import pytest
from sample_files import edited_workbook
from test_page_self_assessment import form, page, store  # noqa: F401  (fixtures)

from i18n import translate
from i18n.format import local_time
from intake import offline_form
from reports.offline_template import offline_template
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, years
from storage.organisation import accounts, org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filled(store, lang: str = "th", **cells) -> bytes:  # noqa: F811
    """The unit's form as downloaded now, with cells changed: sheet key -> {cell: value}."""
    db = store["db"]
    loaded = answers.load(db, store["unit"], store["aid"])
    data = offline_template(loaded, years.framework_of(db, 2570), org.unit(db, store["unit"].unit_id), lang,
                            datetime.now(UTC))
    return edited_workbook(data, {(offline_form.sheet_name(sheet, lang), cell): value
                                  for sheet, changes in cells.items() for cell, value in changes.items()})


@pytest.fixture
def offline(page):  # noqa: F811
    """The page with the offline expander open, as a click on it does: it is built only while open."""
    def open_page(lang: str = "th"):
        at = page(lang)
        assert not at.get("file_uploader") and not at.get("download_button")
        at.session_state["sa:offline_open"] = True
        return at.run()

    return open_page


def labels(at) -> list[str]:
    return [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_filled_in_form_is_previewed_then_imported_in_one_save(offline, store, lang):  # noqa: F811
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    at = offline(lang)
    assert labels(at) == [t("off_download"), t("off_print")]
    data = filled(store, lang, checkpoints={"E2": t("word_yes"), "E3": t("word_yes")}, items={"D2": "ทำทุกเดือน"},
                  kpis={"K2": 88})
    at.get("file_uploader")[0].upload("mine.xlsx", data, XLSX).run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [t("off_preview", n=4)]
    preview = at.dataframe[0].value
    assert list(preview[t("off_field")]) == ["1.1.B1", "1.1.B2", t("off_field_text", item="1.1",
                                                                   level=translate("level_basic", lang)),
                                             t("off_field_kpi", kpi="RM1", year=2570)]
    assert list(preview[t("off_after")]) == [t("word_yes"), t("word_yes"), "ทำทุกเดือน", "88.00"]
    assert form(store).assessment["version"] == 0  # nothing changes before the import is confirmed
    next(b for b in at.button if b.label == t("off_apply", n=4)).click().run()
    assert not at.exception and not at.error
    assert [e.value for e in at.toast] == [t("off_done", n=4)]
    saved = form(store)
    assert saved.assessment["version"] == 1
    assert {cp for cp, v in saved.ticks.items() if v["self"]} == {"1.1.B1", "1.1.B2"}
    assert saved.narratives[("1.1", "basic")] == "ทำทุกเดือน" and saved.kpi_values[("RM1", 2570)]["self"] == 88
    assert at.checkbox(key="sa:cp:1.1.B1").value is True  # the form shows what was imported
    [uploader] = at.get("file_uploader")
    assert uploader.key == "sa:offline_file:1" and uploader.value is None  # a fresh uploader for the next file


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_file_with_problems_lists_each_by_sheet_row_and_column_and_changes_nothing(offline, store, lang):  # noqa: F811
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    at = offline(lang)
    data = filled(store, lang, checkpoints={"E2": t("word_yes"), "E4": "บางส่วน"}, kpis={"K3": 250})
    at.get("file_uploader")[0].upload("mine.xlsx", data, XLSX).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("off_problems", n=2)]
    table = at.dataframe[0].value
    assert list(table[t("off_sheet")]) == [offline_form.sheet_name("checkpoints", lang),
                                           offline_form.sheet_name("kpis", lang)]
    assert list(table[t("adm_import_row")]) == [4, 3] and list(table[t("adm_import_column")]) == ["E", "K"]
    assert list(table[t("adm_import_problem")]) == [
        t("off_problem_yes_no", value="บางส่วน"), t("error_kpi_range", kpi="RM2", value=250.0, min=0.0, max=100.0)]
    assert not [b for b in at.button if b.label.startswith(t("off_apply", n=2)[:6])]
    assert form(store).assessment["version"] == 0


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_file_that_is_not_the_form_gets_a_clear_message(offline, store, lang):  # noqa: F811
    at = offline(lang)
    at.get("file_uploader")[0].upload("budget.xlsx", b"not a spreadsheet", XLSX).run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("error_offline_unreadable", lang, name="budget.xlsx")]
    assert form(store).assessment["version"] == 0


def clash_notes(at) -> list[str]:
    """The preview's note that fields clash (the page has other warnings: the demo data, the phase)."""
    return [w.value for w in at.warning if w.icon == ":material/sync_problem:"]


def colleague(store):  # noqa: F811
    """Another assessor of the demo unit, who works in the app while the file is filled offline."""
    return accounts.create_user(store["db"], "somsri", DEMO_PASSWORD, "unit", display_name="สมศรี ใจดี",
                                unit_id=store["unit"].unit_id, weak_password=True)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_conflict_is_named_before_the_import_and_the_rest_imported_on_request(offline, store, lang):  # noqa: F811
    """Issue 25: the import refused the whole file for one conflicting cell that its preview did not mention."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    data = filled(store, lang, checkpoints={"E2": t("word_yes")}, items={"D2": "ในไฟล์"}, kpis={"K2": 88})
    answers.save_narrative(store["db"], colleague(store), store["aid"], 0, "1.1", "basic", "ในระบบ")
    at = offline(lang)
    at.get("file_uploader")[0].upload("mine.xlsx", data, XLSX).run()
    assert not at.exception and not at.error
    assert clash_notes(at) == [t("off_conflicts", n=1)]
    conflicts, rest = (table.value for table in at.dataframe)
    assert list(conflicts[t("off_cell")]) == ["D2"]
    assert list(conflicts[t("off_field")]) == [t("off_field_text", item="1.1", level=translate("level_basic", lang))]
    assert (list(conflicts[t("off_after")]), list(conflicts[t("off_in_app")])) == (["ในไฟล์"], ["ในระบบ"])
    assert list(conflicts[t("off_changed_by")]) == ["สมศรี ใจดี"]  # as people know her (issue 25)
    assert conflicts[t("off_changed_at")].iloc[0] == local_time(answers.load(
        store["db"], store["unit"], store["aid"]).assessment["updated_at"], lang)  # in the language's calendar
    assert [s.value for s in at.success] == [t("off_preview_rest", n=2)]
    assert list(rest[t("off_field")]) == ["1.1.B1", t("off_field_kpi", kpi="RM1", year=2570)]
    next(b for b in at.button if b.label == t("off_apply_rest", n=2)).click().run()
    assert not at.exception and not at.error
    assert [e.value for e in at.toast] == [t("off_done_kept", n=2, kept=1)]
    saved = form(store)
    assert saved.narratives[("1.1", "basic")] == "ในระบบ"  # left as it is in the app
    assert saved.ticks["1.1.B1"]["self"] is True and saved.kpi_values[("RM1", 2570)]["self"] == 88
    assert at.get("file_uploader")[0].value is None


def test_a_field_changed_in_the_app_after_the_preview_is_refused_then_named(offline, store):  # noqa: F811
    data = filled(store, kpis={"K2": 70})
    at = offline()
    at.get("file_uploader")[0].upload("mine.xlsx", data, XLSX).run()
    assert not clash_notes(at)  # no conflict yet
    answers.save_kpi_values(store["db"], colleague(store), store["aid"], 0, {("RM1", 2570): 65.0})
    next(b for b in at.button if b.label == translate("off_apply", "th", n=1)).click().run()
    assert not at.exception
    sheet = offline_form.sheet_name("kpis", "th")
    assert [e.value for e in at.error] == [translate("error_offline_conflict", "th", fields=f"{sheet} K2", n=1)]
    assert form(store).kpi_values[("RM1", 2570)]["self"] == 65.0
    # the preview now names the conflict; with nothing else in the file, the only choice is to import nothing
    assert clash_notes(at) == [translate("off_conflicts", "th", n=1)]
    assert list(at.dataframe[0].value[translate("off_in_app", "th")]) == ["65.00"]
    assert translate("off_conflicts_only", "th") in [i.value for i in at.info]
    assert not [b for b in at.button if b.label.startswith(translate("off_apply_rest", "th", n=1)[:6])]
    next(b for b in at.button if b.label == translate("off_apply_none", "th")).click().run()
    assert [e.value for e in at.toast] == [translate("off_nothing", "th")]
    assert at.get("file_uploader")[0].value is None and not clash_notes(at)
    assert form(store).kpi_values[("RM1", 2570)]["self"] == 65.0


def test_a_submitted_form_can_be_printed_but_not_imported(offline, store):  # noqa: F811
    store["db"].execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [store["aid"]])
    at = offline()
    assert labels(at) == [translate("off_print", "th")]
    assert not at.get("file_uploader")
