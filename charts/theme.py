"""Shared look: level colours and a font stack that renders Thai."""

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
