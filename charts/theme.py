"""Shared look: level colours, a font stack that renders Thai, labels wrapped between words, and user text made
plain text for Plotly."""

import html
import re

FONT = "Sarabun, 'Noto Sans Thai', 'Leelawadee UI', Tahoma, Loma, sans-serif"
LEVEL_COLOURS = {
    "below_basic": "#d9534f",
    "basic": "#f0ad4e",
    "advance": "#5bc0de",
    "significance": "#2e8b57",
}


def base_layout(title: str) -> dict:
    return {
        "title": {"text": title},
        "font": {"family": FONT, "size": 14},
        "margin": {"l": 40, "r": 110, "t": 60, "b": 40},
        "plot_bgcolor": "white",
    }


def plain(text) -> str:
    """``text`` (a name, a title: anything a person typed) as Plotly must be given it to show exactly those
    characters: Plotly reads tags (``<a href>``, ``<b>``, ``<span style>``, ``<br>``) in every label, hover, title and
    legend, and turns the entities ``&lt;`` ``&gt;`` ``&amp;`` back into ``<`` ``>`` ``&``. Quotes stay as typed:
    Plotly does not decode ``&quot;``. Never escape a template (``%{...}`` would still be read): put the text in
    ``customdata`` instead."""
    return html.escape(str(text), quote=False)


def hline(y: float, colour: str, dash: str | None = None, width: float = 1, axis: str = "") -> dict:
    """A horizontal line across a plot (subplot ``axis``: "", "2", ...) as a layout shape. Figures pass
    all their shapes to one ``update_layout``: ``fig.add_hline`` copies every shape so far on each call,
    which made the KPI panels the slowest part of the overview."""
    line = {"color": colour, "width": width, **({"dash": dash} if dash else {})}
    return {"type": "line", "xref": f"x{axis} domain", "x0": 0, "x1": 1, "yref": f"y{axis}", "y0": y, "y1": y,
            "line": line}


def right_label(y: float, text: str, **font) -> dict:
    """A label in the right margin at height ``y``, as a layout annotation (for an ``hline``)."""
    return {"x": 1.0, "xref": "paper", "xanchor": "left", "y": y, "yref": "y", "showarrow": False, "text": text,
            "font": font}


_WRITTEN_OVER = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # Thai vowels and tone marks over or under a letter
_THAI_LETTER = re.compile("[\u0e01-\u0e4e]")


def text_width(text: str) -> int:
    """How many letters wide ``text`` is: a Thai vowel or tone mark written over or under a letter takes no room."""
    return len(_WRITTEN_OVER.sub("", text))


def words(text: str) -> list[str]:
    """``text`` as the pieces a line may break between: at spaces, and between two Thai words (PyThaiNLP's
    newmm), never inside an abbreviation ("ก.พ.ร.") or after an opening bracket. Spaces are pieces too."""
    from pythainlp.tokenize import word_tokenize  # loads its dictionary once, on first use

    pieces: list[str] = []
    for token in word_tokenize(text, engine="newmm", keep_whitespace=True):
        after = pieces[-1] if pieces else ""
        breaks = not after or token.isspace() or after.isspace() or (
            _THAI_LETTER.fullmatch(after[-1]) and _THAI_LETTER.fullmatch(token[0]))
        if breaks:
            pieces.append(token)
        else:
            pieces[-1] += token
    return pieces


def wrap_words(text: str, width: int, max_lines: int | None = None) -> str:
    """``text`` in lines of about ``width`` letters joined by ``<br>`` (Plotly's line break), broken only between
    words (``words``): a chart's label is never cut inside a word. A word longer than a line has a line of its
    own. With ``max_lines``, the words that do not fit are left for an ellipsis after the last one. ``text`` is as
    typed: each line is made ``plain`` after the breaking, so no break cuts an entity and each ``<br>`` is a break."""
    lines = [""]
    for word in words(text):
        if lines[-1].strip() and text_width((lines[-1] + word).strip()) > width:
            if max_lines is not None and len(lines) == max_lines:
                lines[-1] = lines[-1].rstrip() + "…"
                break
            lines.append("")
        lines[-1] += word.lstrip() if not lines[-1] else word
    return "<br>".join(plain(line.strip()) for line in lines)
