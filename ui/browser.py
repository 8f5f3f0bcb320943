"""What the router adds to every page for the browser: one stylesheet and one script (``browser.css``,
``browser.js``), with this session's language.

Streamlit 1.67 writes some texts of its widgets in English whatever the app says, with no parameter to change
them: the file uploader's "Upload", "Drag and drop a file here" and "10MB per file", the "Press Ctrl+Enter to
apply" under a box being typed in, a date box's "yyyy/mm/dd", the table toolbar's "Add row". (Those with a
parameter are given one where the widget is drawn: ``ui.choices`` for select boxes, ``placeholder`` for
tables.) The script shows each in the reader's language, in place: ``RULES`` names where it is (a CSS
selector), Streamlit's text (a JavaScript regular expression; named groups are kept, e.g. the size) and the
catalogue key of what is shown instead, and of what a touch screen shows when that differs (no Ctrl key
there). The script keeps what Streamlit wrote as the text's source, so a language
switch shows the other language's text, and a text Streamlit changes is read anew.

The same script sets the page's language (``<html lang>``, for screen readers), keeps Thai words whole in text
``ui.text.thai_lines`` marked, and on a phone closes the sidebar after a tap on a menu link. The stylesheet
lets a metric's label and value wrap instead of ending in "…".
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

from i18n import translate

HERE = Path(__file__).resolve().parent
NARROW = "768px"  # Streamlit's breakpoint below which the sidebar lies over the page

UPLOADER = '[data-testid="stFileUploaderDropzone"]'
HINT = '[data-testid="InputInstructions"]'
TOOLTIP = '[data-testid="stTooltipContent"]'
DATE_PART = '[data-testid="stDateInput"] [data-placeholder="true"][data-type="{part}"]'
QUICK = '[data-testid="stDateInputQuickSelect"], [data-testid="stDateInputQuickSelectPopover"]'  # a date range's


class Rule(NamedTuple):
    where: str  # a CSS selector: the text is inside such an element
    pattern: str  # Streamlit's text, a JavaScript regular expression (its named groups fill the key's {names})
    key: str  # the catalogue's text shown instead
    touch: str | None = None  # the catalogue's text shown instead on a touch screen


RULES = (
    Rule(UPLOADER, "Upload", "st_upload"),
    Rule(UPLOADER, "Drag and drop (?:a file|files) here", "st_drop_files"),
    Rule('[data-testid="stFileUploaderDropzoneInstructions"]', "(?<size>\\S+) per file", "st_per_file"),
    Rule(HINT, "Press (?<keys>Enter) to apply", "st_enter_to_apply"),
    Rule(HINT, "Press (?<keys>(?:Ctrl|⌘)\\+Enter) to apply", "st_keys_to_apply", "st_keys_to_apply_touch"),
    Rule(HINT, "Press (?<keys>(?:Ctrl|⌘)?\\+?Enter) to submit form", "st_keys_to_submit", "st_keys_to_submit_touch"),
    Rule(DATE_PART.format(part="year"), "yyyy", "st_date_year"),
    Rule(DATE_PART.format(part="month"), "mm", "st_date_month"),
    Rule(DATE_PART.format(part="day"), "dd", "st_date_day"),
    Rule(QUICK, "Date range", "st_date_range"),
    Rule(QUICK, "Select\\.\\.\\.", "st_date_range_choose"),
    Rule(QUICK, "Past Week", "st_past_week"),
    Rule(QUICK, "Past Month", "st_past_month"),
    Rule(QUICK, "Past (?<n>\\d+) Months", "st_past_months"),
    Rule(QUICK, "Past Year", "st_past_year"),
    Rule(QUICK, "Past (?<n>\\d+) Years", "st_past_years"),
    Rule(TOOLTIP, "Add row", "st_add_row"),
    Rule(TOOLTIP, "Delete row\\(s\\)", "st_delete_rows"),
    Rule(TOOLTIP, "Clear selection", "st_clear_selection"),
    Rule(TOOLTIP, "Show/hide columns", "st_show_columns"),
    Rule(TOOLTIP, "Download as CSV", "st_download_csv"),
    Rule(TOOLTIP, "Search", "st_search"),
    Rule(TOOLTIP, "Fullscreen", "st_fullscreen"),
    Rule(TOOLTIP, "Close fullscreen", "st_close_fullscreen"),
    Rule('[role="listbox"]', "No results", "st_no_results"),
)


def rules(lang: str) -> list[dict[str, str]]:
    """``RULES`` as the script takes them, with this language's texts."""
    return [{"where": rule.where, "pattern": rule.pattern, "text": translate(rule.key, lang),
             **({"touch": translate(rule.touch, lang)} if rule.touch else {})} for rule in RULES]


@cache
def _read(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def page_head(lang: str) -> str:
    """The stylesheet and the script, for ``st.html(..., unsafe_allow_javascript=True)``. The settings are
    JSON (``<`` escaped, so no text can end the script)."""
    config = json.dumps({"lang": lang, "narrow": NARROW, "rules": rules(lang)}, ensure_ascii=False)
    script = _read("browser.js").replace("PMQA_CONFIG", config.replace("<", "\\u003c"))
    return f"<style>{_read('browser.css')}</style><script>{script}</script>"
