"""The director overview in headless Chromium: only the open tab is built, the open tab is in the address so
a reload opens it, its data downloads as CSV (made when clicked), and English.
Helpers in e2e.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from e2e import (
    enter_signed_in,
    expect,
    expect_chart,
    expect_no_exception,
    heading,
    live,
    main,
    screenshot,
    seen,
    settle,
    switch_language,
)

from i18n import translate

pytestmark = pytest.mark.e2e




def tab(page, key: str, lang: str = "th"):
    return main(page).get_by_role("tab", name=translate(key, lang), exact=True)


def charts(page) -> list[str]:
    """The titles of the charts the page shows now."""
    return [t.strip() for t in live(main(page)).locator(".js-plotly-plot .gtitle").all_text_contents()]


def overview_shown(page, lang: str = "th") -> None:
    expect()(heading(page, "ov_title", lang)).to_be_visible()
    expect_chart(page, translate("ovc_radar_title", lang))
    settle(page)


@pytest.mark.enters_signed_in
def test_the_open_tab_is_built_alone_kept_in_the_address_and_reopened_after_a_reload(page, server, server_store,
                                                                                      artifacts):
    enter_signed_in(page, server, server_store, "demo-director", "overview")
    overview_shown(page)
    assert charts(page) == [translate(k, "th") for k in ("ovc_bullet_title", "ovc_radar_title",
                                                          "ovc_self_review_title")]

    tab(page, "ov_tab_trend").click()
    expect_chart(page, translate("ovc_trend_title", "th"))
    settle(page)
    assert charts(page) == [translate("ovc_bullet_title", "th"), translate("ovc_trend_title", "th")]
    assert parse_qs(urlparse(page.url).query)["ov_tab"] == ["trend"]
    expect_no_exception(page)
    screenshot(page, artifacts / "overview-trend-th.png")

    # the trend's data as CSV, made only now (UTF-8 with BOM, so Excel reads Thai)
    with page.expect_download() as fetched:
        live(main(page)).get_by_role("button", name=translate("ov_download_csv", "th")).last.click()
    data = Path(fetched.value.path()).read_bytes()
    assert fetched.value.suggested_filename == "trend.csv"
    header = data.splitlines()[0].decode("utf-8-sig").split(",")  # headings in the user's language
    assert data.startswith(b"\xef\xbb\xbf") and header[:3] == [translate(k, "th", **v) for k, v in
                                                              (("ovc_year_axis", {}), ("total_score", {}),
                                                               ("category_short", {"n": 1}))]
    settle(page)

    # a reload is a new session at the same address, still signed in (the browser's sign-in cookie): the
    # trend tab opens at once
    page.reload()
    expect_chart(page, translate("ovc_trend_title", "th"))
    settle(page)
    assert translate("ovc_radar_title", "th") not in charts(page)
    expect()(tab(page, "ov_tab_trend")).to_have_attribute("aria-selected", "true")

    # English: the same tab stays open, now labelled in English, and the address follows
    switch_language(page, "en")
    expect_chart(page, translate("ovc_trend_title", "en"))
    settle(page)
    expect()(tab(page, "ov_tab_trend", "en")).to_have_attribute("aria-selected", "true")
    assert parse_qs(urlparse(page.url).query)["ov_tab"] == ["trend"]
    expect_no_exception(page)
    assert seen(page) == {"nav": False, "exception": False}
    screenshot(page, artifacts / "overview-trend-en.png")


@pytest.mark.enters_signed_in
def test_the_award_path_is_listed_by_checkpoint_and_downloads_unit_by_unit(page, server, server_store, artifacts):
    enter_signed_in(page, server, server_store, "demo-committee", "overview")
    overview_shown(page)
    tab(page, "ov_tab_ofi").click()
    expect_chart(page, translate("ovc_pareto_title", "th", n=20))
    expect()(live(main(page)).get_by_text(translate("ov_path_by_item", "th"))).to_be_visible()  # the summary
    settle(page)
    grouped = main(page).locator('[data-testid="stExpander"]').get_by_text(
        re.compile("^" + re.escape(translate("ov_path_grouped", "th", n=0)[:20])))
    expect()(grouped).to_be_visible()  # the full list, behind its expander
    with page.expect_download() as fetched:
        live(main(page)).get_by_role("button", name=translate("ov_download_path", "th")).click()
    lines = Path(fetched.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(translate(k, "th") for k in ("unit", "ov_item", "ov_ref", "ov_action"))
    assert len(lines) > 1 and re.match(r"^[A-Z0-9]+ · ", lines[1])  # one row per unit and action
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "overview-ofi-th.png")


@pytest.mark.enters_signed_in
@pytest.mark.parametrize("by_item", [False, True])
def test_a_click_on_a_heatmap_cell_opens_that_units_details(page, server, server_store, artifacts, by_item):
    """The caption says "click a cell": before, only the drop-down worked (Plotly cannot select a heatmap's
    cells; an invisible marker on each cell now takes the click)."""
    enter_signed_in(page, server, server_store, "demo-director", "overview")
    overview_shown(page)
    tab(page, "ov_tab_units").click()
    heatmap = live(main(page)).locator(".js-plotly-plot").filter(has_text=translate("ovc_heatmap_title", "th"))
    expect()(heatmap).to_be_visible()
    if by_item:
        settle(page)
        live(main(page)).get_by_text(translate("ov_by_item", "th"), exact=True).click()
        expect()(live(main(page)).get_by_text(translate("ov_heatmap_items_caption", "th"))).to_be_visible()
    settle(page)
    drill = live(main(page)).get_by_role("combobox", name=translate("ov_drill", "th"))
    ticks = heatmap.locator(".ytick text")
    rows = [text for _, text in sorted(zip(ticks.evaluate_all("all => all.map(e => e.getBoundingClientRect().y)"),
                                           ticks.all_text_contents(), strict=True))]  # codes, top first: the weakest
    assert not drill.input_value().startswith(f"{rows[0]} · ")  # the list opens on the first unit by code
    chosen = re.compile("^" + re.escape(f"{rows[0]} · "))
    for _ in range(3):  # on a busy machine a click can land while Plotly is still drawing the chart: again
        settle(page)
        area = heatmap.locator(".nsewdrag").first
        area.scroll_into_view_if_needed()
        box = area.bounding_box()
        cell_height = box["height"] / len(rows)
        spot = (box["x"] + box["width"] * 0.5, box["y"] + cell_height / 2)  # the middle column, the top row
        page.mouse.move(*spot)
        page.mouse.click(*spot)
        try:
            expect()(drill).to_have_value(chosen, timeout=10_000)
            break
        except AssertionError:
            continue
    expect()(drill).to_have_value(chosen)
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / f"overview-heatmap-click{'-items' if by_item else ''}.png")
