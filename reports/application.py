"""The application report of a year: the department's assessment of record as the document it sends with its
award application, in Word and PDF.

Cover (the year, the assessment's status, when it was built), contents, the organisation profile, then per
category and item the department's account, the checkpoints met, the evidence cited, the strengths and the
OFIs; category-7 results as tables and a chart of three years against target; a summary of award readiness
(readiness only: OPDC decides awards).
"""

from __future__ import annotations

import logging
import threading
import warnings

import kaleido
import plotly.graph_objects as go

from analysis.deliverables import ApplicationFigures
from charts.overview import category_radar, kpi_panels
from i18n import translate
from i18n.format import evidence_label, level_label, local_time, readiness_text, score_text, status_label
from reports.document import Bullets, Contents, Heading, Image, PageBreak, Para, Report, Table
from scoring import LEVELS, level_for
from storage import identity

log = logging.getLogger("pmqa")


_KALEIDO = threading.Lock()


def chart_png(fig: go.Figure, width: int = 1000, height: int | None = None) -> bytes | None:
    """A chart as a PNG image, drawn by Kaleido in the system Chromium; None (and a line in the log) when it
    cannot be drawn, so that the report is still made. One Chromium serves every chart of the process
    (Kaleido's sync server, started on the first chart): starting one per chart took 2 s a chart."""
    try:
        with _KALEIDO:
            kaleido.start_sync_server(silence_warnings=True)  # a no-op once it runs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plotly warns that its per-call options go unused with a server
            return fig.to_image(format="png", width=width, height=height or int(fig.layout.height or 560),
                                scale=1.5)
    except Exception:  # no Chromium, or it failed to start: the report says the chart is missing
        log.exception("a chart could not be drawn for a report")
        return None


def _image(fig: go.Figure, caption: str, lang: str, **size) -> Image | Para:
    png = chart_png(fig, **size)
    return Image(png, caption) if png else Para(translate("ar_chart_missing", lang, caption=caption), muted=True)


def application_report(figures: ApplicationFigures, lang: str = "th", charts: bool = True) -> Report:
    """The report's blocks (write them with ``reports.document.to_docx`` or ``to_pdf``)."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    framework, record, scores = figures.framework, figures.record, figures.scores
    built = local_time(figures.built_at, lang)
    department = figures.department
    short = identity.text(department, "short", lang)
    report = Report(t("ar_title", year=figures.year), lang,
                    footer=" · ".join(filter(None, [short, t("ar_footer", year=figures.year)])))
    if department.get("logo"):
        report.add(Image(department["logo"], width_cm=3.5))
    report.add(*(Para(line) for line in filter(None, (identity.text(department, "name", lang),
                                                      identity.text(department, "ministry", lang)))))
    report.add(Heading(t("ar_title", year=figures.year), 0),
               Para(t("ar_cover", year=figures.year, status=status_label(record.record["status"], lang),
                      version=record.version, built=built)))
    if record.record["status"] != "approved":
        report.add(Para(t("ar_draft_note"), muted=True))
    report.add(Para(t("ar_scores_note", total=score_text(scores.total), level=level_label(scores.level, lang))),
               PageBreak(), Contents(t("ar_contents")), PageBreak())

    report.add(Heading(t("dp_profile"), 1))
    for part in framework.profile:
        answer = figures.profile.get(part.id, "")
        report.add(Heading(f"{part.id} {part.name.get(lang)}", 2),
                   Para(answer) if answer else Para(t("ar_not_answered"), muted=True))

    for category in framework.categories:
        if category.id not in framework.rules.categories:
            continue
        report.add(PageBreak(), Heading(f"{t('category_short', n=category.id)} {category.name.get(lang)} · "
                                        f"{score_text(scores.categories[category.id])}", 1))
        for item in category.items:
            _item(report, figures, item, lang)
            if item.is_results:
                _results_table(report, figures, item, lang)
        if category.id == 7 and charts:
            report.add(_image(kpi_panels(figures.kpis.dropna(subset=["value"]), lang), t("ar_kpi_chart"), lang))

    report.add(PageBreak(), Heading(t("ar_readiness"), 1))
    thresholds = framework.thresholds
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
        report.add(_image(category_radar({t("wb_record_score"): scores.categories}, thresholds, lang,
                                         scores.categories.index), t("ar_radar"), lang, width=900, height=620))
    report.add(Para(t("award_readiness_note"), muted=True))
    return report


def _item(report: Report, figures: ApplicationFigures, item, lang: str) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    score = figures.scores.items.get(item.id)
    report.add(Heading(f"{item.id} {item.name.get(lang)} · {score_text(score)}", 2))
    text = figures.record.narratives.get(item.id, "")
    report.add(Para(text) if text else Para(t("ar_no_account"), muted=True))
    if not item.is_results:
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


def _results_table(report: Report, figures: ApplicationFigures, item, lang: str) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    year = figures.year
    rows = []
    for kpi in item.kpis:
        values = [figures.record.kpi_values.get((kpi.id, fy)) for fy in (year - 2, year - 1, year)]
        rows.append((kpi.id, kpi.name.get(lang), kpi.target, *values))
    report.add(Table((t("ov_kpi"), t("sa_kpi_name"), t("ovc_target"), *(str(fy) for fy in (year - 2, year - 1, year))),
                     tuple(rows), widths=(1.8, 6.2, 2.0, 2.0, 2.0, 2.0)))
