"""The site-visit presentation of a year: an editable PowerPoint deck (python-pptx).

Slides: the title; the department at a glance (total, level, readiness per tier, the category radar); one
slide per category with its score against the thresholds, its item scores, strengths and OFIs, and for categories
1-6 a slide of the opening of each ADLI part of the department's accounts; one slide per category-7 item, its
KPIs' years against target; the improvement story across the years (the trend of
the units' mean, said to be that and not the department's assessment); readiness, not awards. Every picture
fits its slide. Text is set in TH Sarabun New for Latin and complex scripts alike, so
PowerPoint draws the Thai in it where the font is installed.
"""

from __future__ import annotations

import io

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from analysis.deliverables import ApplicationFigures
from analysis.item_ofis import SCOPES
from charts.overview import category_radar, kpi_panels, trend
from i18n import translate
from i18n.format import level_label, readiness_text, score_text
from reports.application import chart_png
from reports.cells import xml_text
from reports.document import FONT, Bullets, Numbered, Para
from reports.markdown import plain, to_blocks
from scoring import level_for
from storage.organisation import identity
from storage.record import department

WIDE, TALL = Inches(13.333), Inches(7.5)  # 16:9
TITLE_ONLY, TITLE = 5, 0  # layouts of the default template
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(1.0)
BOTTOM = TALL - Inches(0.3)  # the lowest a picture may reach
MAX_LINES = 6  # strengths or OFIs on a slide; the rest are in the application report
MAX_UNITS = 3  # units named on an OFI's line; the rest are counted
ADLI_ROW = Inches(0.95)  # an item's row on the ADLI slide: three lines of 12 pt


def _thai(paragraph, size: int | None = None, bold: bool | None = None) -> None:
    """Every run of the paragraph in the Thai font, for Latin and complex scripts alike."""
    for run in paragraph.runs:
        run.font.name = FONT
        if size:
            run.font.size = Pt(size)
        if bold is not None:
            run.font.bold = bold
        rpr = run._r.get_or_add_rPr()
        for tag in ("a:cs", "a:ea"):
            found = rpr.find(qn(tag))
            if found is None:
                found = etree.SubElement(rpr, qn(tag))
            found.set("typeface", FONT)


def _place(shape, top, height) -> None:
    """A placeholder across the wide slide (the default layouts are drawn for 4:3)."""
    shape.left, shape.top, shape.width, shape.height = Inches(0.5), top, WIDE - Inches(1), height


def _title(slide, text: str, top=TITLE_TOP, height=TITLE_HEIGHT) -> None:
    title = slide.shapes.title
    _place(title, top, height)
    title.text = xml_text(text)
    for paragraph in slide.shapes.title.text_frame.paragraphs:
        _thai(paragraph, 32, bold=True)


def _text(slide, lines: list[str], left, top, width, height, size: int = 18) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = xml_text(line)
        _thai(paragraph, size)


def _picture(slide, png: bytes | None, left, top, width, bottom=BOTTOM) -> None:
    """A picture ``width`` wide, or less so that it ends above ``bottom`` (its proportions kept), centred in
    the width it was given."""
    if not png:
        return
    picture = slide.shapes.add_picture(io.BytesIO(png), left, top, width=width)
    if top + picture.height > bottom:
        scale = (bottom - top) / picture.height
        picture.width, picture.height = int(picture.width * scale), int(picture.height * scale)
        picture.left = int(left + (width - picture.width) / 2)


def _table(slide, headers: list[str], rows: list[tuple], left, top, widths: list) -> None:
    shape = slide.shapes.add_table(len(rows) + 1, len(headers), left, top, sum(widths), Inches(0.4) * (len(rows) + 1))
    for column, width in zip(shape.table.columns, widths, strict=True):
        column.width = width
    for c, header in enumerate(headers):
        cell = shape.table.cell(0, c)
        cell.text = xml_text(header)
        _thai(cell.text_frame.paragraphs[0], 16, bold=True)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = score_text(value) if isinstance(value, float) else xml_text(str(value))
            _thai(cell.text_frame.paragraphs[0], 14)


EXCERPT = 90  # characters of an ADLI part on its category's summary slide


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The opening of a formatted text as plain text, cut at a space before ``limit`` characters ("…" after).

    >>> excerpt("**แนวทาง** ที่ชัดเจน\\n\\n- ข้อหนึ่ง", 40), excerpt("ก ข ค ง", 4)
    ('แนวทาง ที่ชัดเจน ข้อหนึ่ง', 'ก ข…')
    """
    pieces = []
    for block in to_blocks(text):
        if isinstance(block, Para):
            pieces.append(block.text)
        elif isinstance(block, Bullets | Numbered):
            pieces += [item if isinstance(item, str) else plain(item.runs) for item in block.items]
    flat = " ".join(" ".join(pieces).split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[:cut if cut > limit // 2 else limit].rstrip() + "…"


def _adli_slide(deck, figures: ApplicationFigures, category, lang: str) -> None:
    """A category's processes at a glance: per item the opening of each ADLI part of the department's account
    ("–" where it has none); no slide when the category has no ADLI account yet."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    parts = department.adli_parts(figures.framework)
    texts = {(item.id, part.id): figures.record.adli.get((item.id, part.id), "") for item in category.items
             for part in parts}
    if not any(texts.values()):
        return
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    _title(slide, t("sv_adli", category=t("category_short", n=category.id)))
    rows = [(item.id, *(excerpt(texts[item.id, part.id]) or "–" for part in parts)) for item in category.items]
    width = (WIDE - Inches(1) - Inches(0.8)) / len(parts)
    shape = slide.shapes.add_table(len(rows) + 1, len(parts) + 1, Inches(0.5), Inches(1.4), WIDE - Inches(1),
                                   Inches(0.45) + ADLI_ROW * len(rows))
    table = shape.table
    table.columns[0].width = Inches(0.8)
    for column in list(table.columns)[1:]:
        column.width = int(width)
    for c, header in enumerate([t("ov_item"), *(part.name.get(lang) for part in parts)]):
        table.cell(0, c).text = xml_text(header)
        _thai(table.cell(0, c).text_frame.paragraphs[0], 14, bold=True)
    for r, row in enumerate(rows, start=1):
        table.rows[r].height = ADLI_ROW
        for c, value in enumerate(row):
            table.cell(r, c).text = xml_text(value)
            _thai(table.cell(r, c).text_frame.paragraphs[0], 12)


def site_visit_deck(figures: ApplicationFigures, years: pd.DataFrame, lang: str = "th", charts: bool = True) -> bytes:
    """The deck as .pptx bytes, from the department's assessment (``figures``) and every cycle's scores of the
    units (``years``: ``analysis.overview.trend``)."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    framework, scores = figures.framework, figures.scores
    thresholds = framework.thresholds
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDE, TALL
    draw = chart_png if charts else (lambda *_, **__: None)

    slide = deck.slides.add_slide(deck.slide_layouts[TITLE])
    _title(slide, t("sv_title", year=figures.year), Inches(2.2), Inches(1.5))
    subtitle = slide.placeholders[1]
    _place(subtitle, Inches(4.0), Inches(1.2))
    subtitle.text = " · ".join(filter(None, [identity.text(figures.department, "name", lang),
                                             t("sv_subtitle", year=figures.year)]))
    _thai(subtitle.text_frame.paragraphs[0], 24)

    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    _title(slide, t("sv_glance"))
    lines = [t("ar_scores_note", total=score_text(scores.total), level=level_label(scores.level, lang))]
    lines += [f"{s.tier.name.get(lang)}: {readiness_text(s, lang)}" for s in figures.award.tiers]
    lines.append(t("award_readiness_note"))
    _text(slide, lines, Inches(0.5), Inches(1.5), Inches(5.8), Inches(5), 18)
    _picture(slide, draw(category_radar({t("wb_record_score"): scores.categories}, thresholds, lang,
                                        scores.categories.index), width=800, height=620),
             Inches(6.5), Inches(1.4), Inches(6.3))

    for category in framework.categories:
        if category.id not in framework.rules.categories:
            continue
        score = float(scores.categories[category.id])
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
        _title(slide, f"{t('category_short', n=category.id)} {category.name.get(lang)}")
        award = thresholds.awards.category
        _text(slide, [t("sv_category_score", score=score_text(score), level=level_label(
            level_for(score, thresholds.levels), lang)),
            t("award_met") if score >= award else t("sv_category_gap", points=score_text(award - score),
                                                    threshold=f"{award:g}")],
            Inches(0.5), Inches(1.3), Inches(12.3), Inches(1), 20)
        rows = [(item.id, item.name.get(lang), float(scores.items[item.id])) for item in category.items]
        _table(slide, [t("ov_item"), t("ov_item_name"), t("score")], rows, Inches(0.5), Inches(2.3),
               [Inches(1.1), Inches(4.9), Inches(1.1)])
        notes = [f"+ {s}" for item in category.items for s in figures.strengths.get(item.id, [])][:MAX_LINES // 2]
        ofis = sorted((o for item in category.items for o in figures.ofis.get(item.id, ())),
                      key=lambda o: SCOPES.index(o.scope))  # the department's first, then the units'
        notes += [f"→ {o.line(lang, most=MAX_UNITS)}" for o in ofis][:MAX_LINES - len(notes)]
        _text(slide, [t("sv_strengths_ofis"), *(notes or [t("sv_none_noted")])], Inches(7.6), Inches(2.3),
              Inches(5.2), Inches(4.5), 16)
        if category.id != 7:
            _adli_slide(deck, figures, category, lang)

    values = figures.kpis.dropna(subset=["value"])
    for item in framework.category(7).items if 7 in framework.rules.categories else ():  # a slide per item
        kpis = values[values["kpi"].isin([kpi.id for kpi in item.kpis])]
        if kpis.empty:
            continue
        slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
        _title(slide, f"{item.id} {item.name.get(lang)}")
        _text(slide, [t("sv_kpi_note")], Inches(0.5), Inches(1.25), Inches(12.3), Inches(0.5), 16)
        _picture(slide, draw(kpi_panels(kpis, lang), width=1200), Inches(0.8), Inches(1.8), Inches(11.7))

    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    _title(slide, t("sv_story"))
    _text(slide, [t("sv_story_note", total=score_text(scores.total))], Inches(0.5), Inches(1.25), Inches(12.3),
          Inches(0.5), 16)  # the units' mean is not the department's assessment: say which is which
    _picture(slide, draw(trend(years, thresholds, lang), width=1200, height=560), Inches(0.8), Inches(1.8),
             Inches(11.7))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
