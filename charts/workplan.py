"""The year's work plan as a timeline (Gantt): a bar per step over its planned months, coloured by status with
overdue steps in red, the year's phases as bands behind, and today's line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go

from charts.theme import FONT, base_layout, plain, wrap_words
from i18n import translate
from i18n.format import date_label, month_label

STATUS_COLOURS = {"not_started": "#9e9e9e", "in_progress": "#1f5fa8", "done": "#2e8b57", "overdue": "#d9534f"}
PHASE_COLOURS = ("#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5", "#fffde7")
TODAY_COLOUR = "#c2185b"


def _first(month: str) -> date:
    year, number = map(int, month.split("-"))
    return date(year, number, 1)


def _after(month: str) -> date:
    """The first day of the month after ``month`` (``YYYY-MM``): where its bar ends."""
    year, number = map(int, month.split("-"))
    return date(year + number // 12, number % 12 + 1, 1)


LABEL_WIDTH = {"th": 26, "en": 34}  # letters a line of a step's label (Latin letters are narrower): long titles
# take two or three lines, cut nowhere
def workplan_gantt(steps: Sequence[dict], months: Sequence[str], phases: Sequence[dict], today: date,
                   lang: str = "th") -> go.Figure:
    """``steps`` in plan order (``storage.plans.workplan`` rows, each with ``overdue``); ``months`` the fiscal year's
    twelve ``YYYY-MM``; ``phases`` the year's phases with ``phase``, ``starts_on``, ``ends_on``."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    fig = go.Figure()
    titles = [s["title_en"] if lang == "en" and s["title_en"] else s["title_th"] for s in steps]
    # titles as typed: wrap_words makes each line plain text (a title's tags are shown, never read)
    labels = [wrap_words(f"{n}. {title}", LABEL_WIDTH[lang]) for n, title in enumerate(titles, start=1)]
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    row = max(34, 10 + 18 * lines)  # a bar's room: as many lines as its longest label has
    kinds = ["overdue" if s.get("overdue") else s["status"] for s in steps]
    for kind in ("done", "in_progress", "not_started", "overdue"):
        chosen = [n for n, k in enumerate(kinds) if k == kind]
        if not chosen:
            continue
        starts = [_first(steps[n]["start_month"]) for n in chosen]
        ends = [_after(steps[n]["end_month"]) for n in chosen]
        hover = [t("wpc_hover", title=plain(titles[n]), start=month_label(steps[n]["start_month"], lang),
                   end=month_label(steps[n]["end_month"], lang), owner=plain(steps[n]["owner"] or "–"),
                   status=t(f"wp_status_{steps[n]['status']}"))
                 + (t("wpc_done_on", day=date_label(steps[n]["done_on"], lang)) if steps[n]["done_on"] else "")
                 for n in chosen]
        fig.add_trace(go.Bar(
            orientation="h", y=[labels[n] for n in chosen], base=[s.isoformat() for s in starts],
            x=[(e - s).days * 86_400_000 for s, e in zip(starts, ends, strict=True)],
            marker={"color": STATUS_COLOURS[kind], "line": {"width": 0}}, name=t(f"wp_status_{kind}"),
            hovertext=hover, hoverinfo="text", width=0.6))
    shapes, notes = [], []
    for n, phase in enumerate(p for p in phases if p.get("starts_on") and p.get("ends_on")):
        end = date.fromisoformat(phase["ends_on"]).toordinal() + 1
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": phase["starts_on"],
                       "x1": date.fromordinal(end).isoformat(), "y0": 0, "y1": 1, "layer": "below",
                       "line": {"width": 0}, "fillcolor": PHASE_COLOURS[n % len(PHASE_COLOURS)]})
        late = phase["starts_on"] >= _first(months[-3]).isoformat()  # a label there would run off the right edge
        notes.append({"x": date.fromordinal(end).isoformat() if late else phase["starts_on"], "xref": "x",
                      "xanchor": "right" if late else "left", "y": 1.0, "yshift": 2 + 22 * (n % 3),
                      "yref": "paper",  # in rows above the plot however tall it is, below the title
                      "yanchor": "bottom", "showarrow": False, "text": t(f"phase_{phase['phase']}"),
                      "font": {"size": 11, "color": "#555"}, "textangle": 0})
    first, last = _first(months[0]), _after(months[-1])
    if first <= today < last:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": today.isoformat(),
                       "x1": today.isoformat(), "y0": 0, "y1": 1, "line": {"color": TODAY_COLOUR, "width": 2,
                                                                            "dash": "dash"}})
        notes.append({"x": today.isoformat(), "xref": "x", "xanchor": "left", "y": 0, "yref": "paper",
                      "yanchor": "bottom", "showarrow": False, "text": t("wpc_today", day=date_label(today, lang)),
                      "font": {"color": TODAY_COLOUR, "size": 12}, "bgcolor": "rgba(255,255,255,0.85)"})
    layout = base_layout(t("wpc_title")) | {"margin": {"l": 10, "r": 20, "t": 130, "b": 70}}
    fig.update_layout(**layout, shapes=shapes, annotations=notes, barmode="overlay",
                      height=max(320, 200 + row * len(steps)),
                      legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
                              "font": {"family": FONT}})
    fig.update_xaxes(type="date", range=[first.isoformat(), last.isoformat()], showgrid=True, gridcolor="#eee",
                     tickvals=[_first(m).isoformat() for m in months],
                     ticktext=[month_label(m, lang, short=True) for m in months],
                     ticklabelmode="period")
    fig.update_yaxes(autorange="reversed", automargin=True, categoryorder="array", categoryarray=labels)
    return fig
