"""The application's page budget: how many pages each counted part (the organisation profile, categories 1-7, the
evidence annex; ``scoring.criteria.BUDGET_PARTS``) takes in the laid-out PDF, against the most pages the year's
criteria allow it (``Application.page_limit``; OPDC's current limits are not public, so these are assumptions).

Pure: it reads a WeasyPrint layout (``reports.document.pdf_layout``) and the criteria, nothing else. A part starts
on the page its level-1 heading is on (``reports.document.page_starts``) and runs until the next part starts, the
last one to the end of the document; what comes before the first part (the cover, the contents) is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from i18n import translate
from reports.document import Report, page_starts, pdf_layout
from reports.text_layer import exact_text
from scoring import Framework
from scoring.criteria import BUDGET_PARTS


@dataclass(frozen=True)
class PartPages:
    """One part's pages, its limit (None: no limit) and whether it takes more pages than its limit."""

    part: str  # one of BUDGET_PARTS: "profile", "1".."7", "annex"
    pages: int
    limit: int | None
    over: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "over", self.limit is not None and self.pages > self.limit)


def part_pages(starts: dict[str, int], total: int) -> dict[str, int]:
    """Per part that starts (part -> its first page), its pages: up to the page before the next part's start (in
    page order), the last one to page ``total``. A part that shares its first page with the next one takes that
    page (1). Parts not in ``BUDGET_PARTS`` bound the others but are not given."""
    order = sorted(starts, key=lambda part: (starts[part], _rank(part)))
    pages = {}
    for i, part in enumerate(order):
        end = starts[order[i + 1]] if i + 1 < len(order) else total + 1
        pages[part] = max(end - starts[part], 1)
    return {part: pages[part] for part in BUDGET_PARTS if part in pages}


def page_budget(layout, framework: Framework) -> list[PartPages]:
    """Each counted part present in the laid-out document (``pdf_layout``), in ``BUDGET_PARTS`` order, with its
    pages and its limit in ``framework`` (the year's criteria, ``storage.assessment.years.framework_of``)."""
    pages = part_pages(page_starts(layout), len(layout.pages))
    return [PartPages(part, count, framework.application.page_limit(part)) for part, count in pages.items()]


def over_limit(budget: list[PartPages]) -> list[PartPages]:
    """The parts that take more pages than their limit, in order."""
    return [part for part in budget if part.over]


def pdf_and_budget(report: Report, framework: Framework) -> tuple[bytes, list[PartPages]]:
    """The report's PDF (as ``reports.document.to_pdf`` writes it) and its page budget, from one layout: laying
    the application out takes seconds, so it is done once for both."""
    layout = pdf_layout(report)
    return exact_text(layout), page_budget(layout, framework)


def part_name(part: str, lang: str = "th") -> str:
    """A counted part's name: the organisation profile, category n, the evidence annex."""
    if part == "profile":
        return translate("dp_profile", lang)
    if part == "annex":
        return translate("ar_annex", lang)
    return translate("category_short", lang, n=part)


def _rank(part: str) -> int:
    return BUDGET_PARTS.index(part) if part in BUDGET_PARTS else len(BUDGET_PARTS)
