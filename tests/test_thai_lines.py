"""Thai wraps between words: checkpoint texts broke inside words ("เป้า|หมาย", "ค่า|นิยม") because the
browser's dictionary splits compounds. ``ui.text.thai_lines`` marks PyThaiNLP's words with zero-width spaces and
the page script (``ui/browser.js``) keeps each marked word whole; checked on a sample in real Chromium at a narrow
width. Regression (issue 25): the words were joined letter by letter with U+2060 in the text itself, so a
checkbox's accessible name carried a joiner between every two letters; it is plain Thai now."""

from __future__ import annotations

import pytest
from e2e import text_lines

from ui.browser import page_head
from ui.text import WORD_BREAK, thai_lines

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

SAMPLE = "ผู้บริหารกำหนดเป้าหมายและค่านิยมขององค์การอย่างชัดเจน (KPI ร้อยละ 80)"
WORD_JOINER = "\u2060"


def visible(text: str) -> str:
    return text.replace(WORD_JOINER, "").replace(WORD_BREAK, "")


@pytest.mark.parametrize("text", [SAMPLE, "", "Plain English, unchanged.", "เป้าหมาย", "ปี 2570: 3 ข้อ"])
def test_the_text_reads_the_same(text):
    assert visible(thai_lines(text)) == text


def test_words_are_marked_and_nothing_else():
    shown = thai_lines(SAMPLE)
    assert shown.split(WORD_BREAK)[:5] == ["ผู้บริหาร", "กำหนด", "เป้าหมาย", "และ", "ค่านิยม"]
    assert WORD_JOINER not in shown
    assert thai_lines("Plain English, unchanged.") == "Plain English, unchanged."


@pytest.mark.e2e
def test_chromium_wraps_the_sample_between_words_and_names_the_box_in_plain_thai(browser):
    page = browser.new_page()
    try:
        page.set_content(f'<div id="t" style="width: 90px; font-size: 16px">{thai_lines(SAMPLE)}</div>'
                         f'<label><input type="checkbox" aria-label="{thai_lines(SAMPLE)}"> {thai_lines(SAMPLE)}'
                         f"</label>{page_head('th')}")
        lines = text_lines(page.locator("#t"))
        named = page.get_by_role("checkbox", name=SAMPLE, exact=True).count()
        name = page.locator("input").get_attribute("aria-label")
    finally:
        page.close()
    assert len(lines) > 3  # it did wrap
    assert "".join(lines).replace(" ", "") == SAMPLE.replace(" ", "")
    for word in ("เป้าหมาย", "ค่านิยม", "ผู้บริหาร", "องค์การ"):
        assert any(word in line for line in lines), (word, lines)
    assert named == 1 and WORD_JOINER not in name
