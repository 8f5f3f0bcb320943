"""The department's identity: kept by the admin (checked, versioned, audited), shown in the sidebar."""

from __future__ import annotations

import pytest

from analysis.audit_log import summary
from i18n import translate
from storage.admin.demo import IDENTITY, LOGO
from storage.errors import AccessDenied, InputError, VersionConflict
from storage.organisation import accounts, identity

PNG = LOGO.read_bytes()


@pytest.fixture
def admin(db):
    return accounts.create_user(db, "owner", "correct horse battery", "admin")


def test_the_admin_keeps_the_identity_and_every_change_is_audited(db, admin):
    assert identity.get(db)["version"] == 0 and identity.name(db) == ""
    version = identity.save(db, admin, 0, {"name_th": "  กรม\x07ทดสอบ\n ", "short_en": "DT"}, ("logo.png", PNG))
    stored = identity.get(db)
    assert (version, stored["name_th"], stored["short_en"], stored["logo"], stored["logo_type"]) == (
        1, "กรมทดสอบ", "DT", PNG, "image/png")
    assert identity.name(db, "en") == "กรมทดสอบ" and identity.name(db, "en", short=True) == "DT"
    assert identity.save(db, admin, 1, {"name_th": "กรมทดสอบ"}) == 1  # nothing changed: nothing written
    identity.save(db, admin, 1, {"name_en": "Test Department"}, remove_logo=True)
    assert identity.get(db)["logo"] is None
    [first, second] = db.execute("SELECT action, entity, entity_id, detail FROM audit_log "
                                 "WHERE entity = 'department_identity' ORDER BY id").fetchall()
    assert "กรมทดสอบ" in summary(*first, "th") and "Test Department" in summary(*second, "en")


@pytest.mark.parametrize(("values", "logo", "key"), [
    ({"name_en": "No Thai name"}, None, "error_identity_name"),
    ({"name_th": "ก" * 201}, None, "error_text_length"),
    ({"name_th": "กรม"}, ("logo.svg", b"<svg onload='alert(1)'/>"), "error_logo_type"),
    ({"name_th": "กรม"}, ("logo.png", b"GIF89a" + b"0" * 10), "error_logo_type"),
    ({"name_th": "กรม"}, ("logo.jpg", b"\xff\xd8\xff" + b"0" * 10), "error_logo_type"),
    ({"name_th": "กรม"}, ("big.png", PNG + b"0" * identity.MAX_LOGO), "error_file_size"),
])
def test_bad_details_are_refused_and_nothing_changes(db, admin, values, logo, key):
    with pytest.raises(InputError, match=key):
        identity.save(db, admin, 0, values, logo)
    assert identity.get(db)["version"] == 0


def test_only_the_admin_saves_and_a_stale_form_is_refused(db, admin):
    director = accounts.create_user(db, "boss", "correct horse battery", "director")
    with pytest.raises(AccessDenied):
        identity.save(db, director, 0, {"name_th": "กรม"})
    identity.save(db, admin, 0, {"name_th": "กรม"})
    with pytest.raises(VersionConflict):
        identity.save(db, admin, 0, {"name_th": "กรมอื่น"})
    assert identity.name(db) == "กรม"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_demo_department_is_named_in_the_sidebar(app, lang):
    at = app("unit", lang=lang)
    assert IDENTITY[f"name_{lang}"] in [m.value.strip("*") for m in at.sidebar.markdown]


def test_the_admin_edits_the_identity_on_the_administration_page(app, demo_db):
    at = app("admin", page="pages/admin.py")
    at.session_state["adm_tab"] = translate("adm_tab_identity", "th")
    at.run()
    assert not at.exception
    box = at.text_input(key="adm:identity:name_th")
    assert box.value == IDENTITY["name_th"]
    box.input("กรมทดลองใหม่")
    at.text_input(key="adm:identity:short_en").input("NEW")
    next(b for b in at.main.button if b.label == translate("id_save", "th")).click().run()
    assert not at.exception and not at.error
    stored = identity.get(demo_db)
    assert (stored["name_th"], stored["short_en"], stored["name_en"]) == ("กรมทดลองใหม่", "NEW", IDENTITY["name_en"])
    assert at.text_input(key="adm:identity:name_th").value == "กรมทดลองใหม่"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_documents_name_the_department(demo_db, lang):
    """The application report's cover (its logo, name and ministry) and footer, the deck's title slide and the
    workbook's summary carry the department's identity."""
    import io

    import docx
    import openpyxl
    from pptx import Presentation
    from readers import reader

    from analysis.deliverables import application_figures, year_figures
    from reports.application import application_report
    from reports.document import to_docx
    from reports.slides import site_visit_deck
    from reports.workbook import year_workbook
    from storage.plans import ofis
    from storage.record import department

    committee = reader(demo_db, "committee")
    department.start(demo_db, committee, 2570)
    figures = application_figures(demo_db, committee, 2570, lang)
    word = docx.Document(io.BytesIO(to_docx(application_report(figures, lang, charts=False))))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs.index(IDENTITY[f"name_{lang}"]) < paragraphs.index(translate("ar_title", lang, year=2570))
    assert IDENTITY[f"ministry_{lang}"] in paragraphs and word.inline_shapes  # the logo
    assert IDENTITY[f"short_{lang}"] in word.sections[0].footer.paragraphs[0].text
    deck = Presentation(io.BytesIO(site_visit_deck(figures, __import__("pandas").DataFrame(), lang, charts=False)))
    assert IDENTITY[f"name_{lang}"] in " ".join(shape.text_frame.text for shape in deck.slides[0].shapes
                                                 if shape.has_text_frame)
    book = openpyxl.load_workbook(io.BytesIO(year_workbook(year_figures(demo_db, committee, 2570, lang=lang),
                                                           ofis.register(demo_db, committee, 2570), lang)))
    summary = book.worksheets[0]
    assert (summary["A2"].value, summary["B2"].value) == (translate("wb_department", lang), IDENTITY[f"name_{lang}"])
