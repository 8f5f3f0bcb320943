"""Browser benchmark: a working day's walk in headless Chromium, step by step.

`streamlit run` on a copy of the demo store, driven with Playwright (Debian's Chromium, as the browser
tests). For every role: signing in to Home, then each page it uses from Home, the overview's tabs and a
switch of its score source: the time from the click to the step's main content being visible (the element
named below, in an element of the new run, not a stale one) and to the app being idle again (its script
finished, nothing stale left), measured in the page at animation-frame resolution; the median of repeated
runs. A step is a (role, what is clicked, what must show) triple.

Run: .venv/bin/python bench/bench_browser.py [--loads 5]
Aim: every step under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e import browser_page, launch, main, menu_link, settle, sidebar, streamlit_server  # noqa: E402

from i18n import translate  # noqa: E402
from storage import open_store  # noqa: E402
from storage.admin.demo import DEMO_PASSWORD  # noqa: E402

AIM_MS = 1000.0
USERS = {"unit": "demo-unit", "committee": "demo-committee", "director": "demo-director", "admin": "demo-admin"}
CHART_TITLE = ".js-plotly-plot .gtitle"
CHECKPOINT = '[data-testid="stCheckbox"]'
METRIC = '[data-testid="stMetricLabel"]'
CAPTION = '[data-testid="stCaptionContainer"]'
# Resolves in the page once an element matching the selector, holding the text, is shown and is not left
# over from the previous run (Streamlit marks those data-stale="true"); timed there, to the frame.
SHOWN = """async ([selector, text, exact]) => {
  const start = performance.now();
  const holds = e => exact ? e.textContent.trim() === text : e.textContent.includes(text);
  const shown = () => [...document.querySelectorAll(selector)].some(e =>
      !e.closest('[data-stale="true"]') && e.getClientRects().length && holds(e));
  const frame = () => new Promise(requestAnimationFrame);
  while (!shown()) {
    if (performance.now() - start > 30000) return [-1, -1];  // never shown: a broken step, not a slow one
    await frame();
  }
  const visible = performance.now() - start;
  // then at rest: the run that showed it has finished and left nothing stale
  const app = document.querySelector('[data-testid="stApp"]');
  while (app.dataset.testScriptState !== "notRunning" || document.querySelector('[data-stale="true"]')) {
    await frame();
  }
  return [visible, performance.now() - start];
}"""


@dataclass(frozen=True)
class Step:
    role: str
    name: str
    click: tuple[str, str]  # ("menu", page title key), ("tab", tab label key), ("radio", option label key) or
    # ("signin", role): the sign-in button, with the role's demo account filled in
    shows: tuple[str, str, bool]  # (CSS selector, text the element holds, whether it is all its text)


def steps() -> list[Step]:
    overview_tabs = {"ov_tab_units": ("units", chart("ovc_heatmap_title")),
                     "ov_tab_ofi": ("OFIs and award path", chart("ovc_pareto_title", n=20)),
                     "ov_tab_trend": ("trend", chart("ovc_trend_title")),
                     "ov_tab_kpi": ("category-7 KPIs", chart("ovc_kpi_title")),
                     "ov_tab_categories": ("categories", chart("ovc_radar_title"))}
    home = {"unit": (METRIC, translate("your_unit_status", "th"), True)}
    return [
        *(Step(role, "sign in to Home", ("signin", role), home.get(role, (METRIC, translate("department_total", "th"),
                                                                           True))) for role in USERS),
        Step("unit", "self-assessment", ("menu", "page_self_assessment"), (CHECKPOINT, "1.1.B1", False)),
        Step("committee", "committee review", ("menu", "page_review"), (CHECKPOINT, "1.1.B1", False)),
        Step("committee", "OFI register", ("menu", "page_ofi"),
             ("h1", translate("ofi_register_title", "th"), True)),
        Step("director", "overview", ("menu", "page_overview"), chart("ovc_radar_title")),
        Step("director", "overview · score source: self", ("radio", "ov_source_self"),
             (CAPTION, f" · {translate('ov_source_self', 'th')} · ", False)),
        *(Step("director", f"overview · {name} tab", ("tab", tab), shows)
          for tab, (name, shows) in overview_tabs.items()),
        Step("director", "home", ("menu", "page_home"), chart("score_by_category")),
    ]


def chart(key: str, **values) -> tuple[str, str, bool]:
    """A chart, by its title (the whole title: one may begin another)."""
    return CHART_TITLE, translate(key, "th", **values), True


def prepare(page, target: tuple[str, str]) -> None:
    """What comes before the timed click: the sign-in form filled in."""
    kind, key = target
    if kind == "signin":
        page.get_by_label(translate("username", "th"), exact=True).fill(USERS[key])
        page.get_by_label(translate("password", "th"), exact=True).fill(DEMO_PASSWORD)


def click(page, target: tuple[str, str]) -> None:
    kind, key = target
    if kind == "menu":
        menu_link(page, key).click()
    elif kind == "tab":
        main(page).get_by_role("tab", name=translate(key, "th"), exact=True).click()
    elif kind == "radio":
        sidebar(page).get_by_text(translate(key, "th"), exact=True).click()
    elif kind == "signin":
        page.get_by_role("button", name=translate("sign_in", "th"), exact=True).click()
    else:  # "signout"
        sidebar(page).get_by_role("button", name=translate("sign_out", "th")).click()


def load_ms(page, step: Step) -> tuple[float, float]:
    """One load: at rest, click, then the times until the main content shows and until the app is at rest
    again (measured in the page)."""
    settle(page)
    prepare(page, step.click)
    page.evaluate(f"shows => {{ window.__shown = ({SHOWN})(shows); }}", list(step.shows))  # starts watching
    click(page, step.click)
    shown, rest = page.evaluate("() => window.__shown")
    if shown < 0:
        raise RuntimeError(f"{step.role} · {step.name}: {step.shows} never showed")
    settle(page)
    return float(shown), float(rest)


def back(page, step: Step) -> None:
    """Return to where the step starts from: Home for a page, the overview's other tab for a tab, the other
    score source for a switch, the sign-in form for signing in."""
    if step.click[0] == "signin":
        if not sidebar(page).get_by_role("button", name=translate("sign_out", "th")).count():
            return  # at the sign-in form already
        target, shows = ("signout", ""), ("label", translate("username", "th"), True)
    elif step.click[0] == "radio":
        target, shows = ("radio", "ov_source_best"), (CAPTION, f" · {translate('ov_source_best', 'th')} · ", False)
    elif step.click[0] == "menu":
        home = step.click[1] != "page_home"
        target, shows = ("menu", "page_home" if home else "page_overview"), \
            chart("score_by_category" if home else "ovc_bullet_title")
    else:
        radar = step.click[1] != "ov_tab_categories"
        target, shows = ("tab", "ov_tab_categories" if radar else "ov_tab_trend"), \
            chart("ovc_radar_title" if radar else "ovc_trend_title")
    load_ms(page, Step(step.role, "back", target, shows))


def measure(browser, url: str, loads: int) -> list[tuple[Step, list[tuple[float, float]]]]:
    results, by_role = [], {}
    for step in steps():
        by_role.setdefault(step.role, []).append(step)
    for role, role_steps in by_role.items():
        with browser_page(browser, url, fresh=True) as page:
            settle(page)
            for step in role_steps:
                on_overview = page.url.endswith("/overview") or "/overview?" in page.url
                if step.click[0] in ("tab", "radio") and not on_overview:
                    load_ms(page, Step(role, "to the overview", ("menu", "page_overview"), chart("ovc_bullet_title")))
                samples = []
                for _ in range(loads):
                    back(page, step)
                    samples.append(load_ms(page, step))
                results.append((step, samples))
    return results


def main_(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "demo.db"
        open_store(store).close()
        with streamlit_server(store, Path(folder) / "streamlit.log") as url, sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                results = measure(browser, url, args.loads)
            finally:
                browser.close()
    print(f"\nheadless Chromium, demo store: from the click, median of {args.loads} loads (ms)")
    print(f"| {'role':<9} | {'page':<36} | {'content shown':>13} | {'loads':<26} | {'app at rest':>11} |")
    print(f"|{'-' * 11}|{'-' * 38}|{'-' * 15}|{'-' * 28}|{'-' * 13}|")
    worst = 0.0
    for step, samples in results:
        shown = [s for s, _ in samples]
        median = statistics.median(shown)
        worst = max(worst, median)
        print(f"| {step.role:<9} | {step.name:<36} | {median:>13.0f} | {' '.join(f'{s:.0f}' for s in shown):<26} "
              f"| {statistics.median(r for _, r in samples):>11.0f} |")
    print(f"slowest median {worst:.0f} ms: {'PASS' if worst < AIM_MS else 'FAIL'} (aim under {AIM_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
