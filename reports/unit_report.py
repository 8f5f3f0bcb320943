"""One unit's assessment of a year, printable: its own and the committee's answers per category, like the
print views departments already use. Built as ``reports.document`` blocks (PDF, or Word)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from analysis.self_assessment import kpi_value, live_scores, ticks_of
from i18n import translate
from i18n.format import level_label, local_time, score_text, status_label
from reports.document import Bullets, Heading, Para, Report, Table
from scoring import LEVELS, Framework
from storage.assessment.answers import Form, kpis_of

MET = {True: "✓", False: "–"}


def unit_report(form: Form, framework: Framework, unit: dict, lang: str, built_at: datetime,
                names: Mapping[str, str] | None = None) -> Report:
    """The unit's answers (its own and, where the committee set one, the reviewed), narratives, KPI values
    and the committee's notes (by the names people know their authors by: ``names``,
    ``storage.organisation.accounts.people``), per category, with the self and reviewed scores."""
    names = names or {}
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    year = form.assessment["year"]
    name = unit["name_en" if lang == "en" else "name_th"]
    own, reviewed = live_scores(form, framework, "self"), live_scores(form, framework, "review")
    report = Report(t("ur_title", unit=name, year=year), lang, footer=t("ur_footer", code=unit["code"], year=year))
    built = local_time(built_at, lang)
    report.add(Heading(t("ur_title", unit=name, year=year), 1),
               Para(t("ur_cover", code=unit["code"], status=status_label(form.assessment["status"], lang),
                      version=form.assessment["version"], built=built)),
               Table((t("category"), t("rv_self_total"), t("rv_review_total")),
                     (*((t("category_short", n=c), round(float(own.categories[c]), 1),
                         round(float(reviewed.categories[c]), 1)) for c in own.categories.index),
                      (t("total_score"), round(own.total, 1), round(reviewed.total, 1)))),
               Para(t("ur_levels", own=level_label(own.level, lang), reviewed=level_label(reviewed.level, lang))))
    mine, theirs = ticks_of(form, "self"), ticks_of(form, "review")
    for category in framework.categories:
        if category.id not in framework.rules.categories:
            continue
        report.add(Heading(f"{t('category_short', n=category.id)} {category.name.get(lang)}", 2))
        if category.id == 7:
            _kpis(report, form, framework, lang, names)
            continue
        for item in category.items:
            report.add(Heading(f"{item.id} {item.name.get(lang)} · {score_text(own.items[item.id])} / "
                               f"{score_text(reviewed.items[item.id])}", 3))
            rows = tuple((cp.id, cp.text.get(lang), level_label(level, lang), MET[mine.get(cp.id, False)],
                          MET[theirs.get(cp.id, False)]) for level in LEVELS for cp in item.level_checkpoints(level))
            report.add(Table((t("wb_checkpoint"), t("ur_text"), t("level"), t("ur_self"), t("ur_review")), rows,
                             widths=(2.2, 7.4, 3.2, 1.6, 1.6)))
            texts = [f"{level_label(level, lang)}: {text}" for level in LEVELS
                     if (text := form.narratives.get((item.id, level)))]
            if texts:
                report.add(Bullets(tuple(texts)))
            _notes(report, form, item.id, lang, names)
    return report


def _kpis(report: Report, form: Form, framework: Framework, lang: str, names: Mapping[str, str]) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    year = form.assessment["year"]
    rows = tuple((kpi.id, kpi.name.get(lang), kpi.target,
                  *(kpi_value(form, kpi.id, fy) for fy in (year - 2, year - 1, year)),
                  kpi_value(form, kpi.id, year, "review")) for _, kpi in kpis_of(form, framework))
    report.add(Table((t("ov_kpi"), t("sa_kpi_name"), t("ovc_target"), *(str(fy) for fy in (year - 2, year - 1, year)),
                      t("ur_review_value", year=year)), rows, widths=(1.6, 5.4, 1.8, 1.8, 1.8, 1.8, 1.8)))
    for item in framework.category(7).items:
        _notes(report, form, item.id, lang, names)


def _notes(report: Report, form: Form, item: str, lang: str, names: Mapping[str, str]) -> None:
    notes = [n for n in form.comments if n["item"] == item]
    if notes:
        report.add(Bullets(tuple(translate(f"note_{n['kind']}", lang, author=names.get(n["author"], n["author"]),
                                           text=n["text"])
                                 for n in notes)))
