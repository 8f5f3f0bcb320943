"""The application of a year, from the department's assessment of record, in Word and PDF, in two editions.

The *application* is what the department sends to OPDC: a cover (logo, name, ministry, title, head of the
department, date), contents, the organisation profile numbered as OPDC numbers it, per category and item the
department's account with the codes of the evidence it cites, category-7 results as tables and a chart, and the
evidence annex (``analysis.annex``). Nothing of the committee's own view: no score, level, status, OFI,
strength or readiness. The *review* edition is the committee's internal file: the cover with the assessment's
status and total, per item its score, the checkpoints met, the evidence cited, the strengths and the OFIs, and a
summary of award readiness (readiness only: OPDC decides awards).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from collections import OrderedDict

import kaleido
import plotly.graph_objects as go

from analysis.annex import codes_by_item
from analysis.deliverables import ApplicationFigures
from charts.kpi import kpi_results_chart
from charts.overview import category_radar, kpi_panels
from i18n import translate
from i18n.format import date_label, evidence_label, level_label, local_time, readiness_text, score_text, status_label
from reports.document import Beside, Bullets, Contents, Heading, Image, PageBreak, Para, Report, Table
from reports.markdown import to_blocks
from scoring import LEVELS, level_for
from storage.organisation import identity
from storage.record import department

log = logging.getLogger("pmqa")


_KALEIDO = threading.Lock()
_DRAWN: OrderedDict[str, bytes] = OrderedDict()  # the last charts drawn, by what they show: a rebuild redraws none
_DRAWN_MOST = 128


def chart_png(fig: go.Figure, width: int = 1000, height: int | None = None) -> bytes | None:
    """A chart as a PNG image, drawn by Kaleido in the system Chromium; None (and a line in the log) when it
    cannot be drawn, so that the report is still made. One Chromium serves every chart of the process
    (Kaleido's sync server, started on the first chart): starting one per chart took 2 s a chart. A chart drawn
    before with the same figure and size is not drawn again (0.2-0.3 s each: a document rebuilt after a change
    of text redraws nothing)."""
    height = height or int(fig.layout.height or 560)
    key = hashlib.sha256(f"{width}x{height}:{fig.to_json()}".encode()).hexdigest()
    with _KALEIDO:
        if key in _DRAWN:
            _DRAWN.move_to_end(key)
            return _DRAWN[key]
    try:
        with _KALEIDO:
            kaleido.start_sync_server(silence_warnings=True)  # a no-op once it runs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plotly warns that its per-call options go unused with a server
            png = fig.to_image(format="png", width=width, height=height, scale=1.5)
    except Exception:  # no Chromium, or it failed to start: the report says the chart is missing
        log.exception("a chart could not be drawn for a report")
        return None
    with _KALEIDO:
        _DRAWN[key] = png
        while len(_DRAWN) > _DRAWN_MOST:
            _DRAWN.popitem(last=False)
    return png


def chart_image(fig: go.Figure, caption: str, lang: str, width_cm: float = 16.0, **size) -> Image | Para:
    png = chart_png(fig, **size)
    return (Image(png, caption, width_cm) if png else
            Para(translate("ar_chart_missing", lang, caption=caption), muted=True))


EDITIONS = ("application", "review")  # what is sent to OPDC first; the committee's internal file second


def application_report(figures: ApplicationFigures, lang: str = "th", charts: bool = True,
                       edition: str = "application") -> Report:
    """The report's blocks (write them with ``reports.document.to_docx`` or ``to_pdf``): the ``application``
    as it is sent (the department's own accounts and results, the evidence annex: no score, level, OFI,
    strength, readiness or status anywhere), or the committee's ``review`` edition (all of those)."""
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}")
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    review = edition == "review"
    framework, scores = figures.framework, figures.scores
    department = figures.department
    title = t("ar_review_title" if review else "ar_title", year=figures.year)
    short = identity.text(department, "short", lang)
    footer = t("ar_review_footer" if review else "ar_application_footer", year=figures.year)
    report = Report(title, lang, footer=" · ".join(filter(None, [short, footer])),
                    author=identity.text(department, "name", lang))
    _cover(report, figures, title, lang, review)
    report.add(PageBreak(), Contents(t("ar_contents")), PageBreak())

    report.add(Heading(t("dp_profile"), 1, part="profile"))
    for part in framework.profile:
        answer = figures.profile.get(part.id, "")
        report.add(Heading(f"{part.label(lang)} {part.name.get(lang)}", 2),
                   *(to_blocks(answer, figures.images) if answer else [Para(t("ar_not_answered"), muted=True)]))

    codes = codes_by_item(figures.annex)
    for category in framework.categories:
        if category.id not in framework.rules.categories:
            continue
        heading = f"{t('category_short', n=category.id)} {category.name.get(lang)}"
        report.add(PageBreak(), Heading(f"{heading} · {score_text(scores.categories[category.id])}" if review
                                        else heading, 1, part=str(category.id)))
        for item in category.items:
            if review:
                _item(report, figures, item, lang)
            else:
                _account(report, figures, item, codes.get(item.id, []), lang, charts)
        if category.id == 7 and charts and review:
            report.add(chart_image(kpi_panels(figures.kpis.dropna(subset=["value"]), lang), t("ar_kpi_chart"), lang))
    if review:
        _readiness(report, figures, lang, charts)
    elif figures.annex:
        _annex(report, figures, lang)
    return report


def application_stem(edition: str, year: int, lang: str) -> str:
    """The files' name without suffix: ``pmqa-application-2570-th``, ``pmqa-review-2570-th``."""
    return f"pmqa-{edition}-{year}-{lang}"


def _cover(report: Report, figures: ApplicationFigures, title: str, lang: str, review: bool) -> None:
    """The department's logo, name and ministry, the title; the application names its head and its date; the
    review edition says which version of the department's assessment it shows, and its total."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    department, record, scores = figures.department, figures.record, figures.scores
    if department.get("logo"):
        report.add(Image(department["logo"], width_cm=3.5))
    report.add(*(Para(line) for line in filter(None, (identity.text(department, "name", lang),
                                                      identity.text(department, "ministry", lang)))))
    report.add(Heading(title, 0))
    if not review:
        head = " ".join(filter(None, (department.get("head_name"), identity.text(department, "head_title", lang))))
        report.add(*(Para(line) for line in filter(None, (head, date_label(figures.built_at, lang)))))
        return
    report.add(Para(t("ar_cover", year=figures.year, status=status_label(record.record["status"], lang),
                      version=record.version, built=local_time(figures.built_at, lang))))
    if record.record["status"] != "approved":
        report.add(Para(t("ar_draft_note"), muted=True))
    report.add(Para(t("ar_scores_note", total=score_text(scores.total), level=level_label(scores.level, lang))))


def _item_text(figures: ApplicationFigures, item, lang: str) -> list:
    """The department's account of an item as blocks: its overview, then for a process item each ADLI part
    written (under its name), for a results item its account of the results; a muted line when it has none."""
    images = figures.images
    blocks = to_blocks(figures.record.narratives.get(item.id, ""), images)
    if not item.is_results:
        for part in department.adli_parts(figures.framework):
            text = figures.record.adli.get((item.id, part.id), "")
            if text:
                blocks += [Heading(part.name.get(lang), 3), *to_blocks(text, images)]
    return blocks or [Para(translate("ar_no_account", lang), muted=True)]


def _account(report: Report, figures: ApplicationFigures, item, codes: list[str], lang: str,
             charts: bool) -> None:
    """An item as the application gives it: the department's account, the codes of the evidence it cites, and
    for a results item each KPI's results (LeTCI)."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    report.add(Heading(f"{item.id} {item.name.get(lang)}", 2), *_item_text(figures, item, lang))
    if codes:
        report.add(Para(t("ar_evidence_codes", codes=", ".join(codes))))
    for kpi in item.kpis:
        _kpi_results(report, figures, kpi, lang, charts)


def _kpi_results(report: Report, figures: ApplicationFigures, kpi, lang: str, charts: bool) -> None:
    """A KPI of category 7 in LeTCI form: its level and trend over up to five years against the target (a table
    and its chart beside it), its comparisons with their sources, the committee's analysis and the items of
    categories 1-6 it tracks."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    record = figures.record
    fiscal_years = _result_years(figures, [kpi.id])
    values = [record.kpi_values.get((kpi.id, fy)) for fy in fiscal_years]
    comparisons = record.comparisons.get(kpi.id, [])
    note = record.kpi_notes.get(kpi.id, {})
    results = Table((t("ar_kpi_year"), t("ar_kpi_result")),
                    (*zip(map(str, fiscal_years), values, strict=True), (t("ovc_target"), kpi.target)),
                    widths=(2.1, 2.7))
    chart = (chart_image(kpi_results_chart(fiscal_years, values, kpi.target, comparisons, kpi.unit.get(lang), lang),
                    t("ar_kpi_chart_one", kpi=kpi.id), lang, width=640, height=400, width_cm=10.6)
             if charts and any(v is not None for v in values) else None)
    report.add(Heading(f"{kpi.id} {kpi.name.get(lang)} ({kpi.unit.get(lang)})", 3),
               Beside(results, chart) if isinstance(chart, Image) else results)
    if isinstance(chart, Para):  # the chart could not be drawn: said below the table
        report.add(chart)
    if comparisons:
        report.add(Table((t("dp_cmp_kind"), t("dp_cmp_label"), t("dp_cmp_value"), t("dp_cmp_source")),
                         tuple((t(f"dp_cmp_{row['kind']}"), row["label"], row["value"], row["source"])
                               for row in comparisons), widths=(3.0, 5.0, 2.5, 5.5)))
    if note.get("analysis"):
        report.add(*to_blocks(note["analysis"], figures.images))
    if note.get("items"):
        report.add(Para(t("ar_kpi_tracks", items=", ".join(note["items"]))))


def _annex(report: Report, figures: ApplicationFigures, lang: str) -> None:
    """Every cited piece of evidence: its code, title, unit, and a public link or "shown at the site visit"."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    rows = tuple((entry.code, entry.title or t("ev_confidential_tag"), entry.unit, entry.url or t("ar_at_site_visit"))
                 for entry in figures.annex)
    report.add(PageBreak(), Heading(t("ar_annex"), 1, part="annex"), Para(t("ar_annex_intro")),
               Table((t("ar_annex_code"), t("ar_annex_title"), t("unit"), t("ar_annex_where")), rows,
                     widths=(2.0, 6.0, 3.5, 4.5)))


def _readiness(report: Report, figures: ApplicationFigures, lang: str, charts: bool) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    scores = figures.scores
    report.add(PageBreak(), Heading(t("ar_readiness"), 1))
    thresholds = figures.framework.thresholds
    awards = figures.award.category_awards
    rows = tuple((t("category_short", n=c), round(float(score), 1),
                  level_label(level_for(score, thresholds.levels), lang),
                  t("award_met") if met else t("award_missing", points=score_text(missing)))
                 for (c, score), met, missing in zip(scores.categories.items(), awards["met"], awards["missing"],
                                                     strict=True))
    report.add(Table((t("category"), t("score"), t("level"),
                      t("ov_category_award", threshold=f"{thresholds.awards.category:g}")), rows))
    report.add(Bullets(tuple(f"{status.tier.name.get(lang)}: {readiness_text(status, lang)}"
                             for status in figures.award.tiers)))
    if charts:
        report.add(chart_image(category_radar({t("wb_record_score"): scores.categories}, thresholds, lang,
                                         scores.categories.index), t("ar_radar"), lang, width=900, height=620))
    report.add(Para(t("award_readiness_note"), muted=True))


def _item(report: Report, figures: ApplicationFigures, item, lang: str) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    score = figures.scores.items.get(item.id)
    report.add(Heading(f"{item.id} {item.name.get(lang)} · {score_text(score)}", 2), *_item_text(figures, item, lang))
    if item.is_results:
        _results_table(report, figures, item, lang)
    else:
        report.add(Heading(t("ar_checkpoints_met"), 3))
        lines = []
        for level in LEVELS:
            checkpoints = item.level_checkpoints(level)
            met = [cp for cp in checkpoints if figures.record.ticks.get(cp.id, False)]
            lines.append(f"{level_label(level, lang)} ({len(met)}/{len(checkpoints)}): " +
                         ("; ".join(f"{cp.id} {cp.text.get(lang)}" for cp in met) or t("ar_none_met")))
        report.add(Bullets(tuple(lines)))
    cited = figures.evidence[figures.evidence["item"] == item.id]
    if not cited.empty:
        report.add(Heading(t("dp_cite"), 3), Bullets(tuple(evidence_label(row, lang) for row in cited.itertuples())))
    ofis = tuple(ofi.line(lang) for ofi in figures.ofis.get(item.id, ()))
    for key, texts in (("ar_strengths", figures.strengths.get(item.id)), ("ar_ofis", ofis)):
        if texts:
            report.add(Heading(t(key), 3), Bullets(tuple(texts)))


def _result_years(figures: ApplicationFigures, kpis: list[str]) -> list[int]:
    """The fiscal years a results table shows: the cycle's three, and the two before when a value of ``kpis``
    has them."""
    year, values = figures.year, figures.record.kpi_values
    return [fy for fy in range(year - department.RESULT_YEARS + 1, year + 1)
            if fy >= year - 2 or any(values.get((kpi, fy)) is not None for kpi in kpis)]


def _results_table(report: Report, figures: ApplicationFigures, item, lang: str) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    fiscal_years = _result_years(figures, [kpi.id for kpi in item.kpis])
    values = figures.record.kpi_values
    rows = [(kpi.id, kpi.name.get(lang), kpi.target, *(values.get((kpi.id, fy)) for fy in fiscal_years))
            for kpi in item.kpis]
    report.add(Table((t("ov_kpi"), t("sa_kpi_name"), t("ovc_target"), *map(str, fiscal_years)), tuple(rows),
                     widths=(1.6, 5.0, 1.8, *[round(7.6 / len(fiscal_years), 2)] * len(fiscal_years))))
