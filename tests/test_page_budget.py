"""The application's page budget (reports.page_budget): pages per counted part of a laid-out document, against the
criteria's limits; the PDF and the budget from one layout."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from i18n import translate
from reports import page_budget
from reports.document import Contents, Heading, PageBreak, Para, Report, pdf_layout
from reports.page_budget import PartPages, over_limit, part_name, part_pages
from reports.page_budget import page_budget as budget_of
from scoring import default_framework
from scoring.criteria import BUDGET_PARTS

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


def with_limits(**limits: int):
    """The default criteria with these page limits only (``p1`` for part "1")."""
    framework = default_framework()
    pairs = tuple((part, limits[f"p{part}" if part.isdigit() else part]) for part in BUDGET_PARTS
                  if (f"p{part}" if part.isdigit() else part) in limits)
    return framework.model_copy(update={"application": framework.application.model_copy(
        update={"page_limits": pairs})})


def small_application() -> Report:
    """Cover (1), contents (2), profile (3), category 1 over three pages (4-6), category 2 on page 7 with the annex
    starting on the same page, the annex running on to page 8."""
    return Report("budget", "en").add(
        Heading("An application", 0), Para("the cover"), PageBreak(), Contents("Contents"), PageBreak(),
        Heading("Organisation profile", 1, part="profile"), Para("who we are"), PageBreak(),
        Heading("Category 1", 1, part="1"), Para("page one of it"), PageBreak(), Para("page two"), PageBreak(),
        Para("page three"), PageBreak(),
        Heading("Category 2", 1, part="2"), Para("one page"),
        Heading("Annex", 1, part="annex"), Para("the start of the annex"), PageBreak(), Para("the rest"))


@pytest.fixture(scope="module")
def layout():
    return pdf_layout(small_application())


def test_the_small_application_is_laid_out_as_planned(layout):
    assert len(layout.pages) == 8


def test_each_part_runs_until_the_next_starts_the_last_to_the_end(layout):
    budget = budget_of(layout, with_limits(profile=1, p1=2, p2=5))
    assert [(p.part, p.pages) for p in budget] == [("profile", 1), ("1", 3), ("2", 1), ("annex", 2)]


def test_limits_and_over(layout):
    budget = budget_of(layout, with_limits(profile=1, p1=2, p2=5))
    assert budget == [PartPages("profile", 1, 1), PartPages("1", 3, 2), PartPages("2", 1, 5),
                      PartPages("annex", 2, None)]
    assert [(p.part, p.over) for p in budget] == [("profile", False), ("1", True), ("2", False), ("annex", False)]
    assert over_limit(budget) == [PartPages("1", 3, 2)]
    exactly = budget_of(layout, with_limits(p1=3))  # as many pages as the limit is within it
    assert not over_limit(exactly)
    assert [p.limit for p in exactly] == [None, 3, None, None]


def test_the_default_criteria_limits_apply(layout):
    framework = default_framework()
    budget = budget_of(layout, framework)
    assert [p.limit for p in budget] == [framework.application.page_limit(part) for part in ("profile", "1", "2",
                                                                                             "annex")]
    assert budget[0].limit == 5 and budget[1].limit == 6


def test_a_part_over_its_limit_is_over_and_one_at_it_is_not():
    assert PartPages("3", 7, 6).over
    assert not PartPages("3", 6, 6).over
    assert not PartPages("annex", 900, None).over


def test_parts_come_in_budget_order_only_those_present_and_the_cover_is_not_counted():
    # the annex first in the document, a part no budget knows bounding the profile, no category 2-7 at all
    pages = part_pages({"annex": 3, "profile": 5, "extra": 8, "1": 9}, total=12)
    assert pages == {"profile": 3, "1": 4, "annex": 2}
    assert list(pages) == ["profile", "1", "annex"]
    assert part_pages({}, total=4) == {}
    assert part_pages({"7": 4}, total=4) == {"7": 1}


def test_a_document_without_parts_has_no_budget():
    layout = pdf_layout(Report("plain", "en").add(Heading("Title", 0), PageBreak(), Heading("A section", 1)))
    assert budget_of(layout, default_framework()) == []


def test_the_pdf_and_the_budget_come_from_one_layout(monkeypatch):
    calls = []

    def counted(report):
        calls.append(report)
        return pdf_layout(report)

    monkeypatch.setattr(page_budget, "pdf_layout", counted)
    pdf, budget = page_budget.pdf_and_budget(small_application(), with_limits(p1=2))
    assert len(calls) == 1
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 8
    assert [(p.part, p.pages, p.over) for p in budget] == [("profile", 1, False), ("1", 3, True), ("2", 1, False),
                                                          ("annex", 2, False)]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_part_names(lang):
    assert part_name("profile", lang) == translate("dp_profile", lang)
    assert part_name("4", lang) == translate("category_short", lang, n="4")
    assert part_name("annex", lang) == translate("ar_annex", lang)
