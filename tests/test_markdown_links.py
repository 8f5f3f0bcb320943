"""Links an owner types (an announcement's links, the work plan's documents) reach Streamlit's Markdown only
through ``ui.text.md_link``: an address that holds ``)``, ``<``, ``>``, a backslash or white space cannot end
its link early and slip in a tracking image (``![t](https://tracker/img.png)``) or a second, disguised link;
only http(s) addresses become links; titles show as typed."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from test_page_admin import admin_page  # noqa: F401  (a fixture)

from storage.admin import announcements
from storage.admin.demo import DEMO_PASSWORD
from storage.organisation import accounts
from storage.plans import workplan
from ui.text import link_target, md_link

YEAR = 2570
# accepted by the store (http, no white space) and a tracking image once it ends the link it is in
TRACKER = "https://intra.example/a)![t](https://tracker.example/img.png"
# an angle-bracketed destination as CommonMark reads one: nothing in it ends it or escapes its end
DESTINATION = re.compile(r"\(<[^<>\\\s]*>\)")


def outside_destinations(markdown: str) -> str:
    """The Markdown without its safe link destinations: what is left is read as text, links and images."""
    return DESTINATION.sub("", markdown)


def one_link(markdown: str, title: str) -> None:
    """``markdown`` holds exactly one link, titled ``title``, and no image."""
    rest = outside_destinations(markdown)
    assert "![" not in rest and rest.count("](") == 0 and rest.count(f"[{title}]") == 1, markdown


@pytest.mark.parametrize("url", [
    TRACKER,
    "https://intra.example/a b) ![t](https://tracker.example/i.png",  # an older store's, with spaces
    "https://intra.example/a\\",  # a backslash before the closing bracket would escape it
    "https://intra.example/<b>x",
    "https://intra.example/a\n![t](https://tracker.example/i.png)",
])
def test_an_address_cannot_end_its_link_early(url):
    one_link(md_link("คู่มือ", url), "คู่มือ")
    assert link_target(url).count("<") == 1 and link_target(url).count(">") == 1


def test_only_web_addresses_become_links_and_titles_show_as_typed():
    assert md_link("t", "javascript:alert(1)") == "t"  # text, not a link
    assert md_link("", "javascript:alert(1)") == r"javascript\:alert\(1\)"
    assert md_link("", "mailto:a@b.c") == r"mailto\:a\@b\.c"
    assert md_link("[x](https://evil.example)\n", "https://ok.example/a_(b)") == (
        r"[\[x\]\(https\:\/\/evil\.example\)](<https://ok.example/a_(b)>)")
    assert md_link(None, "https://ok.example/") == r"[https\:\/\/ok\.example\/](<https://ok.example/>)"
    assert link_target("https://ok.example/ไทย?q=ก ข") == "<https://ok.example/ไทย?q=ก%20ข>"


def _user(db, role: str):
    return accounts.authenticate(db, f"demo-{role}", DEMO_PASSWORD)


def _markdown(at: AppTest) -> str:
    assert not at.exception, [e.value for e in at.exception]
    return "\n".join(m.value for m in at.markdown)


def test_an_announcements_link_shows_as_one_link_on_the_home_page_and_the_owners_list(app, admin_page,  # noqa: F811
                                                                                       demo_db):
    announcements.publish(demo_db, _user(demo_db, "admin"), "ประชุมชี้แจง", "", roles=["unit"],
                          links=[{"title": "คู่มือ", "url": TRACKER}])
    text = _markdown(app("unit"))
    assert "ประชุมชี้แจง" in text
    one_link(text, "คู่มือ")
    one_link(_markdown(admin_page("announcements")), "คู่มือ")


def test_a_work_plan_documents_link_shows_as_one_link(app, demo_db):
    admin = _user(demo_db, "admin")
    plan = workplan.start(demo_db, admin, YEAR)
    first = plan.steps[0] | {"documents": [{"title": "คำสั่ง", "url": TRACKER}]}
    workplan.save(demo_db, admin, YEAR, plan.version, [first, *plan.steps[1:]])
    one_link(_markdown(app("committee", page="pages/workplan.py")), "คำสั่ง")
