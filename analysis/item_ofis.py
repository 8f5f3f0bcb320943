"""Which OFIs a department item shows in the year's documents, and how each is labelled.

The application report and the site-visit slides speak for the department: under each item of its assessment
of record they list the OFIs of the year's register for that item. The register keeps the department's OFIs
and the units' side by side (``storage.plans.ofis.register``: ``unit_ids`` lists the units an OFI concerns), so the
documents follow one rule, ``item_ofis``:

- **The department's OFIs** are those not tied to one unit: made from a gap several units share (the OFI
  register's "whole department" gaps) or written by the committee across units. They are shown as written.
- **A unit's OFI** (tied to exactly one unit) is shown with the unit's name in the document's language
  ("กองแผนงาน: ..."), so no reader takes it for the department's.
- **No OFI twice**: OFIs of one item with the same text (a unit's gap OFI and the department's OFI on that
  gap, or the same finding written for two units) make one line, the department's when one of them is,
  otherwise naming every unit concerned.
- **No contradiction**: an OFI on checkpoints the department's assessment of record meets (a gap OFI names
  its checkpoint) is not the department's gap, whatever units it concerns. It is kept, named with its units
  and saying that it concerns those units only because the department meets the checkpoint. A committee
  member reading the department's document then sees both facts the store holds (the department meets the
  checkpoint by its rule over the units, and some units still have the gap, which is worth knowing for
  deployment) without the document claiming the department misses what the lines above say it meets;
  dropping the line would hide an open OFI of the register from the very people who follow it up.
- Dropped OFIs are not shown (the committee decided they are not OFIs); open, in-progress and done ones are.

Lines come in that order (the department's, the units', the units-only), each group in the register's order
(priority, then due date). The module is pure: it takes the register's rows, the department's answers and
the units' names, and reads no store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from i18n import translate
from scoring import LEVELS, Framework
from storage.plans.ofis import description

DEPARTMENT, UNIT, UNITS_ONLY = "department", "unit", "units_only"  # in the order the lines are shown
SCOPES = (DEPARTMENT, UNIT, UNITS_ONLY)
NOT_SHOWN = ("dropped",)


@dataclass(frozen=True)
class ItemOfi:
    """One OFI line of a department item: the text, whose it is (``SCOPES``), the units it names (by name in
    the document's language; none for the department's), the register's OFI ids it stands for, and the
    checkpoints of the item its text names."""

    text: str
    scope: str
    units: tuple[str, ...] = ()
    ids: tuple[int, ...] = ()
    checkpoints: tuple[str, ...] = ()

    def line(self, lang: str = "th", most: int | None = None) -> str:
        """The line as a document prints it; ``most`` names at most that many units (then how many more)."""
        if self.scope == DEPARTMENT:
            return self.text
        names = self.units if most is None or len(self.units) <= most else self.units[:most]
        units = ", ".join(names)
        if len(names) < len(self.units):
            units = translate("ar_ofi_more_units", lang, names=units, n=len(self.units) - len(names))
        if self.scope == UNIT:
            return translate("ar_ofi_unit", lang, units=units, text=self.text)
        return translate("ar_ofi_units_only", lang, units=units, text=self.text)


def _named_checkpoints(text: str, checkpoint_ids: Iterable[str]) -> tuple[str, ...]:
    """The checkpoints whose ids the text names as whole words ("1.1.B1", not inside "1.1.B12"): a gap OFI's
    description names its checkpoint (``storage.plans.ofis.GAP_CHECKPOINT_TEXT``), and so may a committee's."""
    return tuple(cp for cp in checkpoint_ids if re.search(rf"(?<![\w.]){re.escape(cp)}(?![\w])", text))


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def item_ofis(register: pd.DataFrame, ticks: Mapping[str, bool], framework: Framework,
              unit_names: Mapping[int, str], lang: str = "th") -> dict[str, tuple[ItemOfi, ...]]:
    """Item id -> the OFI lines its department item shows (see the module's rule).

    ``register``: rows as ``storage.plans.ofis.register`` gives them (``id``, ``item``, ``unit_ids``,
    ``description``, ``status``), in the register's order; ``ticks``: the department's assessment of record,
    checkpoint -> met; ``unit_names``: unit id -> its name in the document's language."""
    checkpoint_ids = {item.id: [cp.id for level in LEVELS for cp in item.level_checkpoints(level)]
                      for item in framework.items()}
    merged: dict[str, dict[str, dict]] = {}
    for row in register.to_dict("records"):
        if row["status"] in NOT_SHOWN:
            continue
        text = description(row, lang)
        item = str(row["item"])
        line = merged.setdefault(item, {}).setdefault(_key(text), {"text": text, "units": [], "ids": [],
                                                                   "department": False})
        unit_ids = list(row["unit_ids"])
        line["department"] |= len(unit_ids) != 1
        line["units"] += [u for u in unit_ids if u not in line["units"]]
        line["ids"].append(int(row["id"]))
    shown: dict[str, tuple[ItemOfi, ...]] = {}
    for item, lines in merged.items():
        found = []
        for line in lines.values():
            named = _named_checkpoints(line["text"], checkpoint_ids.get(item, ()))
            met = bool(named) and all(ticks.get(cp, False) for cp in named)
            scope = UNITS_ONLY if met else DEPARTMENT if line["department"] else UNIT
            units = () if scope == DEPARTMENT else tuple(unit_names.get(u, str(u)) for u in line["units"])
            found.append(ItemOfi(line["text"], scope, units, tuple(line["ids"]), named))
        shown[item] = tuple(sorted(found, key=lambda o: SCOPES.index(o.scope)))  # stable: register order kept
    return shown
