"""What the router adds to every page for the browser: one stylesheet and one script (``browser.css``,
``browser.js``), with this session's language.

Streamlit 1.67 writes some texts of its widgets in English whatever the app says, with no parameter to change
them: the file uploader's "Upload", "Drag and drop a file here" and "10MB per file", the "Press Ctrl+Enter to
apply" under a box being typed in, a date box's "yyyy/mm/dd", the table toolbar's "Add row". (Those with a
parameter are given one where the widget is drawn: ``ui.choices`` for select boxes, ``placeholder`` for
tables.) The script shows each in the reader's language, in place: ``RULES`` names where it is (a CSS
selector), Streamlit's text (a JavaScript regular expression; named groups are kept, e.g. the size) and the
catalogue key of what is shown instead; a key with a ``_touch`` twin in the catalogue shows that one on a
touch screen (no Ctrl key there). The script keeps what Streamlit wrote as the text's source, so a language
switch shows the other language's text, and a text Streamlit changes is read anew.

The same script sets the page's language (``<html lang>``, for screen readers), keeps Thai words whole in text
``ui.text.thai_lines`` marked, and on a phone closes the sidebar after a tap on a menu link. The stylesheet
lets a metric's label and value wrap instead of ending in "…".
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from i18n import catalogue, translate

HERE = Path(__file__).resolve().parent
NARROW = "768px"  # Streamlit's breakpoint below which the sidebar lies over the page

UPLOADER = '[data-testid="stFileUploaderDropzone"]'
HINT = '[data-testid="InputInstructions"]'
TOOLTIP = '[data-testid="stTooltipContent"]'
DATE_PART = '[data-testid="stDateInput"] [data-placeholder="true"][data-type="{part}"]'
QUICK = '[data-testid="stDateInputQuickSelect"], [data-testid="stDateInputQuickSelectPopover"]'  # a date range's
RULES = (
    (UPLOADER, "Upload", "st_upload"),
    (UPLOADER, "Drag and drop (?:a file|files) here", "st_drop_files"),
    ('[data-testid="stFileUploaderDropzoneInstructions"]', "(?<size>\\S+) per file", "st_per_file"),
    (HINT, "Press (?<keys>Enter) to apply", "st_enter_to_apply"),
    (HINT, "Press (?<keys>(?:Ctrl|⌘)\\+Enter) to apply", "st_keys_to_apply"),
    (HINT, "Press (?<keys>(?:Ctrl|⌘)?\\+?Enter) to submit form", "st_keys_to_submit"),
    (DATE_PART.format(part="year"), "yyyy", "st_date_year"),
    (DATE_PART.format(part="month"), "mm", "st_date_month"),
    (DATE_PART.format(part="day"), "dd", "st_date_day"),
    (QUICK, "Date range", "st_date_range"),
    (QUICK, "Select\\.\\.\\.", "st_date_range_choose"),
    (QUICK, "Past Week", "st_past_week"),
    (QUICK, "Past Month", "st_past_month"),
    (QUICK, "Past (?<n>\\d+) Months", "st_past_months"),
    (QUICK, "Past Year", "st_past_year"),
    (QUICK, "Past (?<n>\\d+) Years", "st_past_years"),
    (TOOLTIP, "Add row", "st_add_row"),
    (TOOLTIP, "Delete row\\(s\\)", "st_delete_rows"),
    (TOOLTIP, "Clear selection", "st_clear_selection"),
    (TOOLTIP, "Show/hide columns", "st_show_columns"),
    (TOOLTIP, "Download as CSV", "st_download_csv"),
    (TOOLTIP, "Search", "st_search"),
    (TOOLTIP, "Fullscreen", "st_fullscreen"),
    (TOOLTIP, "Close fullscreen", "st_close_fullscreen"),
    ('[role="listbox"]', "No results", "st_no_results"),
)


def rules(lang: str) -> list[dict[str, str]]:
    """``RULES`` as the script takes them, with this language's texts."""
    shown = []
    for where, pattern, key in RULES:
        rule = {"where": where, "pattern": pattern, "text": translate(key, lang)}
        if f"{key}_touch" in catalogue():
            rule["touch"] = translate(f"{key}_touch", lang)
        shown.append(rule)
    return shown


@cache
def _read(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def page_head(lang: str) -> str:
    """The stylesheet and the script, for ``st.html(..., unsafe_allow_javascript=True)``. The settings are
    JSON (``<`` escaped, so no text can end the script)."""
    config = json.dumps({"lang": lang, "narrow": NARROW, "rules": rules(lang)}, ensure_ascii=False)
    script = _read("browser.js").replace("PMQA_CONFIG", config.replace("<", "\\u003c"))
    return f"<style>{_read('browser.css')}</style><script>{script}</script>"
