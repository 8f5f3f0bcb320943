"""The feedback report of the committee's examiner rehearsal, in the shape of the award's feedback: per item the
agreed band, the key strengths and the OFIs; the points per category for the agreement and each member, with a
chart. The committee's own file: it says that the scores are its rehearsal, not OPDC's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from charts.examiners import consensus_chart, scorer_names
from i18n import translate
from i18n.format import date_label
from reports.application import chart_image
from reports.document import Bullets, Heading, Image, PageBreak, Para, Report, Table
from scoring import Framework
from scoring.examiner import AGREED, consensus_points, item_weights, spread
from storage.assessment import examiners, years
from storage.engine import Store
from storage.organisation import identity
from storage.organisation.accounts import User


@dataclass
class FeedbackFigures:
    """What the feedback report shows."""

    year: int
    built_at: datetime
    framework: Framework
    scores: pd.DataFrame  # every submitted score: scorer, name, item, percent, rationale, strengths, ofis
    agreed: dict[str, dict]  # item -> the agreed score
    department: dict = field(default_factory=dict)


def feedback_figures(db: Store, reader: User, year: int, now: datetime | None = None) -> FeedbackFigures:
    """The rehearsal's submitted and agreed scores; refused to a member who has not submitted."""
    return FeedbackFigures(year, now or datetime.now(UTC), years.framework_of(db, year),
                           examiners.submitted_scores(db, reader, year), examiners.agreed(db, reader, year),
                           identity.get(db))


def feedback_report(figures: FeedbackFigures, lang: str = "th", charts: bool = True) -> Report:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    framework, year = figures.framework, figures.year
    weights = item_weights(framework)
    title = t("fb_title", year=year)
    name = identity.text(figures.department, "name", lang)
    report = Report(title, lang, footer=" · ".join(filter(None, [identity.text(figures.department, "short", lang),
                                                                  t("fb_footer", year=year)])), author=name)
    if figures.department.get("logo"):
        report.add(Image(figures.department["logo"], width_cm=3.0))
    report.add(*(Para(line) for line in filter(None, (name, identity.text(figures.department, "ministry", lang)))))
    report.add(Heading(title, 0), Para(date_label(figures.built_at, lang)), Para(t("fb_note"), muted=True))

    names = scorer_names(figures.scores, len(figures.agreed), len(weights), lang)
    totals = consensus_points(figures.scores, {item: row["percent"] for item, row in figures.agreed.items()}, weights)
    by = totals.pivot(index="category", columns="scorer", values="points").fillna(0.0)
    scorers = [AGREED, *sorted(s for s in by.columns if s != AGREED)]
    scorers = [s for s in scorers if s in by.columns]
    category_weights = dict(framework.award_scoring.weights)
    rows = []
    for category in [*(str(c.id) for c in framework.assessed()), "total"]:
        label = t("total_score") if category == "total" else t("category_short", n=int(category))
        weight = framework.award_scoring.scale if category == "total" else category_weights.get(int(category), 0.0)
        rows.append((label, weight, *(round(float(by.loc[category, s]), 1) if category in by.index else 0.0
                                      for s in scorers)))
    report.add(PageBreak(), Heading(t("fb_summary"), 1),
               Table((t("category"), t("fb_weight"), *(names.get(s, s) for s in scorers)), tuple(rows)))
    if charts:
        report.add(chart_image(consensus_chart(totals, names, AGREED, lang), t("ex_chart_title"), lang, width=900,
                          height=460))
    report.add(Para(t("ex_scale_note", scale=framework.award_scoring.scale,
                      source=framework.award_scoring.source.get(lang) if framework.award_scoring.source else "")))

    ranges = spread(figures.scores, framework.award_scoring.spread_flag).set_index("item") \
        if not figures.scores.empty else pd.DataFrame()
    for category in framework.assessed():
        report.add(PageBreak(), Heading(f"{t('category_short', n=category.id)} {category.name.get(lang)}", 1))
        for item in category.items:
            report.add(Heading(f"{item.id} {item.name.get(lang)}", 2))
            settled = figures.agreed.get(item.id)
            theirs = figures.scores[figures.scores["item"] == item.id]
            if settled:
                band = framework.award_scoring.band_of(settled["percent"])
                report.add(Para(t("fb_agreed", band=band.id, percent=settled["percent"],
                                  points=f"{settled['percent'] / 100 * weights[item.id]:.1f}",
                                  weight=f"{weights[item.id]:g}")),
                           Para(t("fb_reason", reason=settled["reason"])))
            elif item.id in ranges.index:
                r = ranges.loc[item.id]
                report.add(Para(t("fb_not_agreed", low=int(r["low"]), high=int(r["high"]), median=f"{r['median']:g}"),
                                muted=True))
            else:
                report.add(Para(t("fb_not_scored"), muted=True))
            for heading, own, members in (("fb_strengths", "strengths", "strengths"), ("fb_ofis", "ofis", "ofis")):
                lines = examiners.lines_of([settled[own]] if settled and settled[own] else theirs[members])
                if lines:
                    report.add(Heading(t(heading), 3), Bullets(lines))
    return report
