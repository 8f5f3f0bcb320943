"""The ministry's view of its departments: each read as its director reads it, the store reading only
(``storage.organisation.ministry.read_each``, ``read_as``), each department's year's figures cached by that
year's own version."""

from __future__ import annotations

import streamlit as st

from analysis import ministry as rollup
from storage.admin import jobs
from storage.db import data_version, year_versions
from storage.engine import Store
from storage.organisation import ministry, org
from storage.organisation.accounts import User
from storage.schema import MINISTRY_ROLES
from ui import choices, session
from ui.i18n import current_language, t

CHOSEN = "mn:department"  # the department the ministry's account reads on the department pages


def is_ministry(user: User | None) -> bool:
    return user is not None and user.role in MINISTRY_ROLES


def departments(db: Store, user: User) -> list[dict]:
    """The ministry's departments, in the order they were made."""
    return ministry.of_ministry(db, user)[1]


def department_name(department: dict, lang: str) -> str:
    return (department["name_en"] if lang == "en" and department["name_en"] else department["name_th"]) or \
        department["code"]


def choose_department(db: Store, user: User) -> User:
    """For one of the ministry's accounts on a department's page (the overview): the department chosen in the
    sidebar, read only, as its reader. Stops the page when the ministry has no department yet."""
    from ui.router import end_page

    own = {d["id"]: d for d in departments(db, user)}
    if not own:
        st.info(t("mn_no_departments"), icon=":material/info:")
        end_page()
    lang = current_language()
    chosen = choices.one("selectbox", t("mn_department"), list(own), CHOSEN,
                         lambda d: department_name(own[d], lang), container=st.sidebar)
    st.sidebar.caption(t("mn_reading_only"))
    st.info(t("mn_reading_department", name=department_name(own[chosen], lang)), icon=":material/visibility:")
    return ministry.read_as(db, user, chosen)


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _versions(department: int, version: str, held: tuple[int, ...]) -> dict[int, str]:
    """Each of a department's years' own version (``storage.db.year_versions``), while the department's data
    version is ``version``: read again only after a change in that department."""
    return year_versions(session.store(), list(held))


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _year(department: int, version: str, built: bool, year: int, reader: User) -> rollup.DepartmentYear:
    """One department's year, read by the run's store while it reads that department (``version``, the year's own,
    and ``built``, whether its application was built, key it)."""
    return rollup.department_year(session.store(), reader, year, key=str(department))


def figures(db: Store, user: User) -> tuple[dict[int, list[int]], list[rollup.DepartmentYear]]:
    """Each of the ministry's departments' years (department id -> years, oldest first), and every one of those
    years' figures, each from the cache while that year is unchanged: a save in one department's year reads
    that year again, and nothing else."""
    held, found = {}, []
    for department, reader in ministry.read_each(db, user):
        years = held[department["id"]] = sorted(c["year"] for c in org.cycles(db))
        versions = _versions(department["id"], data_version(db), tuple(years))
        built = jobs.built(db, reader, "application")  # a build is no change of the data: not in its version
        found += [_year(department["id"], versions[year], year in built, year, reader) for year in years]
    return held, found
