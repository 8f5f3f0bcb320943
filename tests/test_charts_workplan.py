"""The work plan's timeline: a bar per step over its months, coloured by status (overdue in red), the phases as
bands behind with their names, today's line, month labels in the language's calendar."""

from datetime import date

import pytest

from charts.workplan import PHASE_COLOURS, STATUS_COLOURS, TODAY_COLOUR, workplan_gantt
from i18n import translate
from storage.plans.workplan import fiscal_months

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

MONTHS = fiscal_months(2570)
DAY = 86_400_000


def step(title, start, end, status="not_started", overdue=False, **extra):
    return {"title_th": title, "title_en": extra.pop("en", ""), "start_month": start, "end_month": end,
            "owner": extra.pop("owner", ""), "status": status, "done_on": extra.pop("done_on", None),
            "overdue": overdue}


STEPS = [step("แต่งตั้ง", "2026-10", "2026-10", "done", done_on="2026-10-12", en="Appoint"),
         step("ชี้แจง", "2026-10", "2026-11", overdue=True, en="Brief"),
         step("สมัครรางวัล", "2026-12", "2027-07", "in_progress", owner="กพร.")]
PHASES = [{"phase": "self_assessment", "starts_on": "2026-10-01", "ends_on": "2026-12-31"},
          {"phase": "review", "starts_on": "2027-01-01", "ends_on": "2027-02-28"},
          {"phase": "planning", "starts_on": None, "ends_on": None}]


def bars(fig):
    return {trace.name: trace for trace in fig.data}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_each_step_is_a_bar_over_its_months_in_its_status_colour(lang):
    fig = workplan_gantt(STEPS, MONTHS, PHASES, date(2026, 12, 15), lang)
    traces = bars(fig)
    assert set(traces) == {translate(f"wp_status_{s}", lang) for s in ("done", "in_progress", "overdue")}
    done = traces[translate("wp_status_done", lang)]
    assert done.marker.color == STATUS_COLOURS["done"]
    assert list(done.base) == ["2026-10-01"] and list(done.x) == [31 * DAY]
    assert list(done.y) == ["1. " + ("Appoint" if lang == "en" else "แต่งตั้ง")]
    late = traces[translate("wp_status_overdue", lang)]
    assert late.marker.color == STATUS_COLOURS["overdue"] and list(late.x) == [61 * DAY]
    running = traces[translate("wp_status_in_progress", lang)]
    assert list(running.base) == ["2026-12-01"] and running.x[0] == (date(2027, 8, 1) - date(2026, 12, 1)).days * DAY
    assert "กพร." in running.hovertext[0] and "2026-12" not in running.hovertext[0]
    assert ("Dec 2026 – Jul 2027" if lang == "en" else "ธ.ค. 2569 – ก.ค. 2570") in running.hovertext[0]
    assert fig.layout.yaxis.autorange == "reversed"  # the first step at the top
    assert list(fig.layout.yaxis.categoryarray)[2].startswith("3. ")


def test_phases_are_bands_with_their_names_and_today_is_a_line():
    fig = workplan_gantt(STEPS, MONTHS, PHASES, date(2026, 12, 15), "th")
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(b.x0, b.x1, b.fillcolor) for b in bands] == [("2026-10-01", "2027-01-01", PHASE_COLOURS[0]),
                                                         ("2027-01-01", "2027-03-01", PHASE_COLOURS[1])]
    assert all(b.layer == "below" for b in bands)
    texts = [a.text for a in fig.layout.annotations]
    assert translate("phase_self_assessment", "th") in texts and translate("phase_review", "th") in texts
    [line] = [s for s in fig.layout.shapes if s.type == "line"]
    assert line.x0 == line.x1 == "2026-12-15" and line.line.color == TODAY_COLOUR
    assert translate("wpc_today", "th", day="15 ธ.ค. 2569") in texts


def test_months_read_in_the_language_calendar_and_today_outside_the_year_draws_no_line():
    fig = workplan_gantt(STEPS, MONTHS, [], date(2028, 1, 1), "th")
    assert list(fig.layout.xaxis.ticktext)[:4] == ["ต.ค. 69", "พ.ย. 69", "ธ.ค. 69", "ม.ค. 70"]
    assert list(fig.layout.xaxis.range) == ["2026-10-01", "2027-10-01"]
    assert not [s for s in fig.layout.shapes if s.type == "line"]
    english = workplan_gantt(STEPS, MONTHS, [], date(2028, 1, 1), "en").layout.xaxis  # the Common Era (issue 25)
    assert list(english.ticktext)[:4] == ["Oct 26", "Nov 26", "Dec 26", "Jan 27"]


def test_a_steps_hover_names_its_months_and_the_day_it_was_done_in_the_language_calendar():
    done = step("Done", "2026-10", "2026-11", "done", done_on="2026-11-20")
    for lang, months, day in (("th", ("ต.ค. 2569", "พ.ย. 2569"), "20 พ.ย. 2569"),
                              ("en", ("Oct 2026", "Nov 2026"), "20 Nov 2026")):
        [bar] = workplan_gantt([done], MONTHS, [], date(2026, 12, 1), lang).data
        assert f"{months[0]} – {months[1]}" in bar.hovertext[0] and day in bar.hovertext[0]
        assert "2026-11-20" not in bar.hovertext[0]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_step_labels_wrap_between_words_and_are_never_cut(lang):
    """Regression (issue 25): long step titles ended in "…" cut inside a word ("(ประ…")."""
    from pythainlp.tokenize import word_tokenize

    from charts.theme import text_width
    from charts.workplan import LABEL_WIDTH
    from storage.plans.workplan import template

    def ends(parts):  # where each part ends in the text without its spaces
        at, found = 0, set()
        for part in parts:
            at += len(part.replace(" ", ""))
            found.add(at)
        return found

    steps = [step(s.title["th"], "2026-10", "2026-11", en=s.title["en"]) for s in template()]
    fig = workplan_gantt(steps, MONTHS, [], date(2026, 12, 15), lang)
    labels = list(fig.layout.yaxis.categoryarray)
    for n, (label, s) in enumerate(zip(labels, steps, strict=True), start=1):
        title = f"{n}. {s['title_th'] if lang == 'th' else s['title_en']}"
        lines = label.split("<br>")
        assert "…" not in label and "".join(lines).replace(" ", "") == title.replace(" ", "")  # all of it
        assert ends(lines) <= ends(word_tokenize(title, engine="newmm"))  # lines end where words end
        assert all(text_width(line) <= LABEL_WIDTH[lang] for line in lines)
    assert any("<br>" in label for label in labels)  # the long ones did wrap
    assert fig.layout.height >= 90 + 34 * len(steps)
