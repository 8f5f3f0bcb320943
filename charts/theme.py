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
