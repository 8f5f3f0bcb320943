"""Text as people give it, made fit to store and to write into any document.

XML 1.0 (the inside of every Word, Excel and PowerPoint file) forbids the control characters other than tab,
line feed and carriage return, lone surrogates and U+FFFE/U+FFFF: a single one, pasted from Word (its line
break is a vertical tab, its page break a form feed) or from anywhere else, made python-docx and openpyxl
refuse the whole export. Every store write of a person's text goes through ``clean``; every document writer
puts its texts through ``xml_safe`` (``reports.cells.xml_text``) for text an older store already holds.
"""

from __future__ import annotations

import re

# Word's manual line break (vertical tab) and page break (form feed)
WORD_BREAKS = re.compile("[\x0b\x0c]")
# what XML 1.0 forbids besides those: C0 controls but tab, line feed and carriage return; lone surrogates;
# U+FFFE and U+FFFF
FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_ENDS = re.compile("\r\n?")


def xml_safe(text: str) -> str:
    """``text`` without a character XML 1.0 forbids; Word's line and page breaks become line feeds."""
    return FORBIDDEN.sub("", WORD_BREAKS.sub("\n", text))


def clean(text: str) -> str:
    """``text`` as the store keeps a person's text: ``xml_safe``, and every line ending ``\\n``; nothing else
    changes (no trimming: each caller trims as its field needs)."""
    return xml_safe(LINE_ENDS.sub("\n", text))
