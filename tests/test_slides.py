"""The site-visit deck (reports.slides) read back with python-pptx: its slides, their titles and figures, the
Thai font on every run, the charts as pictures; and its command line."""

from __future__ import annotations

import io

import pytest
from ofi_scenario import check_lines, register_ofis
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from readers import reader

from analysis import overview
from analysis.deliverables import application_figures
from i18n import translate
from i18n.format import score_text
from reports.__main__ import main
from reports.document import FONT
from reports.slides import EXCERPT, excerpt, site_visit_deck
from storage.record import department

YEAR = 2570


@pytest.fixture
def started(demo_db):
    department.start(demo_db, reader(demo_db, "committee"), YEAR)
    return demo_db


def _deck(db, lang="th", charts=False):
    figures = application_figures(db, reader(db), YEAR, lang)
    return Presentation(io.BytesIO(site_visit_deck(figures, overview.trend(db), lang, charts=charts))), figures


def test_one_slide_per_category_between_the_glance_and_the_results(started):
    deck, figures = _deck(started)
    titles = [slide.shapes.title.text for slide in deck.slides]
    categories = [f"{translate('category_short', 'th', n=c.id)} {c.name.th}" for c in figures.framework.categories]
    results = [f"{item.id} {item.name.th}" for item in figures.framework.category(7).items
               if figures.kpis[figures.kpis["kpi"].isin([k.id for k in item.kpis])]["value"].notna().any()]
    assert titles == [translate("sv_title", "th", year=YEAR), translate("sv_glance", "th"), *categories, *results,
                      translate("sv_story", "th")]
    first = deck.slides[2]
    text = " ".join(shape.text_frame.text for shape in first.shapes if shape.has_text_frame)
    assert score_text(float(figures.scores.categories[1])) in text
    table = next(shape.table for shape in first.shapes if shape.has_table)
    assert [table.cell(r, 0).text for r in range(1, len(table.rows))] == ["1.1", "1.2", "1.3", "1.4"]
    assert deck.slide_width > deck.slide_height  # 16:9


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_category_shows_the_departments_ofis_and_names_a_units(started, lang):
    # issue 25: unit OFIs were listed without the unit's name, twice when a unit and the department shared a
    # gap, and as a gap of the department whose assessment meets the checkpoint
    scenario = register_ofis(started, YEAR)
    deck, _ = _deck(started, lang)
    boxes = [[p.text for p in shape.text_frame.paragraphs] for shape in deck.slides[2].shapes
             if shape.has_text_frame and shape.text_frame.text.startswith(translate("sv_strengths_ofis", lang))]
    assert len(boxes) == 1
    check_lines(boxes[0][1:], scenario, lang, prefix="→ ")


def test_every_run_is_set_in_the_thai_font_for_complex_scripts(started):
    deck, _ = _deck(started, "en")
    runs = [run for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
            for paragraph in shape.text_frame.paragraphs for run in paragraph.runs]
    assert runs and all(run.font.name == FONT for run in runs)
    assert all(run._r.rPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}cs").get("typeface") == FONT
               for run in runs)


def test_the_charts_are_pictures_one_slide_per_result_item_and_every_shape_fits_its_slide(full_demo_db):
    # the category-7 picture was 14.2 inches tall on a 7.5-inch slide
    deck, figures = _deck(full_demo_db, charts=True)
    pictures = [slide.shapes.title.text for slide in deck.slides for shape in slide.shapes
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    items = [f"{item.id} {item.name.th}" for item in figures.framework.category(7).items]
    assert pictures == [translate("sv_glance", "th"), *items, translate("sv_story", "th")]
    outside = [(slide.shapes.title.text, shape.name) for slide in deck.slides for shape in slide.shapes
               if shape.left < 0 or shape.top < 0 or shape.left + shape.width > deck.slide_width
               or shape.top + shape.height > deck.slide_height]
    assert outside == []


def test_categories_1_to_6_have_an_adli_slide_from_the_accounts(full_demo_db):
    deck, figures = _deck(full_demo_db, "en")
    titles = [slide.shapes.title.text for slide in deck.slides]
    for category in figures.framework.categories:
        name = f"{translate('category_short', 'en', n=category.id)} {category.name.en}"
        adli = translate("sv_adli", "en", category=translate("category_short", "en", n=category.id))
        assert (adli in titles) == (category.id != 7)
        if category.id != 7:
            assert titles.index(adli) == titles.index(name) + 1
            slide = deck.slides[titles.index(adli)]
            table = next(shape.table for shape in slide.shapes if shape.has_table)
            assert [table.cell(0, c).text for c in range(5)] == [translate("ov_item", "en"), "Approach",
                                                                  "Deployment", "Learning", "Integration"]
            first = category.items[0].id
            assert table.cell(1, 0).text == first
            assert table.cell(1, 1).text == excerpt(figures.record.adli[first, "approach"])
            assert "**" not in table.cell(1, 1).text and len(table.cell(1, 1).text) <= EXCERPT + 1


def test_the_units_mean_is_said_to_be_that_beside_the_departments_total(started):
    deck, figures = _deck(started)
    story = next(slide for slide in deck.slides if slide.shapes.title.text == translate("sv_story", "th"))
    text = " ".join(shape.text_frame.text for shape in story.shapes if shape.has_text_frame)
    assert translate("sv_story_note", "th", total=score_text(figures.scores.total)) in text


def test_the_command_line(started, demo_path, tmp_path):
    assert main(["slides", "--db", str(demo_path), "--year", str(YEAR), "--out", str(tmp_path), "--lang", "en"]) == 0
    deck = Presentation(tmp_path / f"pmqa-site-visit-{YEAR}-en.pptx")
    assert deck.slides[0].shapes.title.text == translate("sv_title", "en", year=YEAR)
