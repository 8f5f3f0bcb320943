"""Thai wraps between words: checkpoint texts broke inside words ("เป้า|หมาย", "ค่า|นิยม") because the
browser's dictionary splits compounds. ``ui.text.thai_lines`` keeps PyThaiNLP's words whole; checked on a
sample in real Chromium at a narrow width."""

from __future__ import annotations

import pytest

from ui.text import WORD_BREAK, WORD_JOINER, thai_lines

SAMPLE = "ผู้บริหารกำหนดเป้าหมายและค่านิยมขององค์การอย่างชัดเจน (KPI ร้อยละ 80)"


def visible(text: str) -> str:
    return text.replace(WORD_JOINER, "").replace(WORD_BREAK, "")


@pytest.mark.parametrize("text", [SAMPLE, "", "Plain English, unchanged.", "เป้าหมาย", "ปี 2570: 3 ข้อ"])
def test_the_text_reads_the_same(text):
    assert visible(thai_lines(text)) == text


def test_words_are_joined_inside_and_may_break_between():
    shown = thai_lines(SAMPLE)
    words = shown.split(WORD_BREAK)
    assert [visible(w) for w in words[:5]] == ["ผู้บริหาร", "กำหนด", "เป้าหมาย", "และ", "ค่านิยม"]
    assert "เ\u2060ป้\u2060า\u2060ห\u2060ม\u2060า\u2060ย" in shown  # never a joiner before a tone mark or vowel above
    assert thai_lines("Plain English, unchanged.") == "Plain English, unchanged."


@pytest.mark.e2e
def test_chromium_wraps_the_sample_between_words(browser):
    page = browser.new_page()
    try:
        page.set_content(f'<div id="t" style="width: 90px; font-size: 16px">{thai_lines(SAMPLE)}</div>')
        lines = page.evaluate("""() => {
          const node = document.getElementById("t").firstChild, lines = [];
          let top = null, line = "";
          for (let i = 0; i < node.length; i++) {
            const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0], at = rect ? Math.round(rect.top) : top;
            if (top !== null && at !== top) { lines.push(line); line = ""; }
            line += node.data[i]; top = at;
          }
          return [...lines, line];
        }""")
    finally:
        page.close()
    lines = [visible(line).strip() for line in lines]
    assert len(lines) > 3  # it did wrap
    assert "".join(lines).replace(" ", "") == SAMPLE.replace(" ", "")
    for word in ("เป้าหมาย", "ค่านิยม", "ผู้บริหาร", "องค์การ"):
        assert any(word in line for line in lines), (word, lines)
