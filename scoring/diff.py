"""What accepting a new criteria file would change: the rows an admin reviews before using it for a year.

Categories, items, checkpoints and KPIs are matched by id, a level's theme by item and level ("2.4 basic"). A
checkpoint or KPI with the same id in another place is "moved"; a new id is "added" (and the old one "removed"),
so answers given to a removed checkpoint are kept but no longer count. Text changes in Thai or English are
"reworded" (shown in Thai); a theme's English tag and the Government 4.0 aims it serves, KPI settings and
thresholds name what changed, values written with ``:g``; an award tier one file has and the other lacks is
"added" or "removed"::

    >>> from scoring.criteria import default_framework
    >>> fw = default_framework()
    >>> diff_frameworks(fw, fw).is_empty
    True

Pure: no I/O, no Streamlit. The UI translates ``diff_kind_<kind>`` and ``diff_change_<change>``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from scoring.criteria import LEVELS, Framework, Text, Thresholds

KINDS = ("category", "item", "theme", "checkpoint", "kpi", "threshold")
CHANGES = ("added", "removed", "reworded", "moved", "floor", "ceiling", "direction", "target", "min", "max", "tracks",
           "value", "tag", "serves")
_KPI_FIELDS = ("floor", "ceiling", "direction", "target", "min", "max", "tracks")


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    ref: str  # the id: "3", "1.1", "1.1 advance" (a theme), "1.1.B2", "RM4", "levels.basic"
    change: str  # one of CHANGES
    before: str | None
    after: str | None


@dataclass(frozen=True)
class CriteriaDiff:
    changes: tuple[Change, ...] = ()

    def _rows(self, kind: str, *changes: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind and c.change in changes)

    @property
    def items_added(self) -> tuple[Change, ...]:
        return self._rows("item", "added")

    @property
    def items_removed(self) -> tuple[Change, ...]:
        return self._rows("item", "removed")

    @property
    def checkpoints_added(self) -> tuple[Change, ...]:
        return self._rows("checkpoint", "added")

    @property
    def checkpoints_removed(self) -> tuple[Change, ...]:
        return self._rows("checkpoint", "removed")

    @property
    def checkpoints_reworded(self) -> tuple[Change, ...]:
        return self._rows("checkpoint", "reworded")

    @property
    def kpis_added(self) -> tuple[Change, ...]:
        return self._rows("kpi", "added")

    @property
    def kpis_removed(self) -> tuple[Change, ...]:
        return self._rows("kpi", "removed")

    @property
    def kpis_changed(self) -> tuple[Change, ...]:
        return self._rows("kpi", *CHANGES[2:])

    @property
    def themes_changed(self) -> tuple[Change, ...]:
        return self._rows("theme", *CHANGES)

    @property
    def removed_checkpoint_ids(self) -> tuple[str, ...]:
        """Checkpoints of the old criteria missing from the new: their answers stay but no longer count."""
        return tuple(c.ref for c in self.checkpoints_removed)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def as_rows(self) -> list[dict]:
        return [asdict(c) for c in self.changes]


@dataclass(frozen=True)
class _Entry:
    """One thing matched by id: its texts (the first names it), where it sits, and its settings."""

    texts: tuple[Text | None, ...]
    place: str = ""
    values: tuple[tuple[str, object], ...] = ()


def diff_frameworks(old: Framework, new: Framework) -> CriteriaDiff:
    """Every change from ``old`` to ``new``, by kind (KINDS order), then by id in criteria order."""
    changes: list[Change] = []
    for kind in KINDS[:-1]:
        changes += _compare(kind, _entries(kind, old), _entries(kind, new))
    before, after = _threshold_values(old.thresholds), _threshold_values(new.thresholds)
    for ref in _merged_order(list(before), list(after)):
        if ref not in after:
            changes.append(Change("threshold", ref, "removed", before[ref], None))
        elif ref not in before:
            changes.append(Change("threshold", ref, "added", None, after[ref]))
        elif before[ref] != after[ref]:
            changes.append(Change("threshold", ref, "value", before[ref], after[ref]))
    return CriteriaDiff(tuple(changes))


def _entries(kind: str, fw: Framework) -> dict[str, _Entry]:
    if kind == "category":
        return {str(c.id): _Entry((c.name,)) for c in fw.categories}
    if kind == "item":
        return {i.id: _Entry((i.name, i.statement)) for i in fw.items()}
    if kind == "theme":
        return {f"{i.id} {level}": _Entry((Text(th=theme.th, en=theme.en),), values=(("tag", theme.tag),
                                                                                   ("serves", theme.serves)))
                for i in fw.items() for level in LEVELS if (theme := i.theme(level))}
    if kind == "checkpoint":
        return {cp.id: _Entry((cp.text,), f"{item.id} {level}") for item, level, cp in fw.checkpoints()}
    return {
        k.id: _Entry((k.name, k.unit), item.id, tuple((f, getattr(k, f)) for f in _KPI_FIELDS)) for item, k in fw.kpis()
    }


def _compare(kind: str, old: dict[str, _Entry], new: dict[str, _Entry]) -> list[Change]:
    rows = []
    for ref in _merged_order(list(old), list(new)):
        a, b = old.get(ref), new.get(ref)
        if b is None:
            rows.append(Change(kind, ref, "removed", a.texts[0].th, None))
        elif a is None:
            rows.append(Change(kind, ref, "added", None, b.texts[0].th))
        else:
            texts = zip(a.texts, b.texts, strict=True)
            rows += [Change(kind, ref, "reworded", _th(x), _th(y)) for x, y in texts if x != y]
            if a.place != b.place:
                rows.append(Change(kind, ref, "moved", a.place, b.place))
            values = zip(a.values, b.values, strict=True)
            rows += [Change(kind, ref, f, _fmt(x), _fmt(y)) for (f, x), (_, y) in values if x != y]
    return rows


def _merged_order(old: list[str], new: list[str]) -> list[str]:
    """The new order, with each id found only in the old placed just after its old predecessor."""
    order, seen = list(new), set(new)
    for n, ref in enumerate(old):
        if ref not in seen:
            order.insert(order.index(old[n - 1]) + 1 if n else 0, ref)
            seen.add(ref)
    return order


def _threshold_values(t: Thresholds) -> dict[str, str]:
    values = {f"levels.{k}": _fmt(v) for k, v in t.levels.model_dump().items()}
    for tier in t.awards.tiers:
        values.update({f"awards.{tier.id}.name": tier.name.th, f"awards.{tier.id}.total": _fmt(tier.total),
                       f"awards.{tier.id}.category_min": _fmt(tier.category_min)})
    values["awards.category"] = _fmt(t.awards.category)
    values["ladder"] = ", ".join(map(_fmt, t.ladder))
    return values


def _th(text: Text | None) -> str | None:
    return text.th if text else None


def _fmt(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return ", ".join(map(_fmt, value))
    return f"{value:g}" if isinstance(value, int | float) else str(value)
