"""The PMQA 4.0 criteria as validated data.

A criteria (framework) file is YAML: thresholds, then seven categories. Categories 1-6 hold
items with checkpoints at three levels; category 7 holds items with KPIs. Loading validates the
whole file before anything is returned, so a malformed file is never half-loaded::

    >>> fw = default_framework()
    >>> fw.item("2.3").category
    2
    >>> [k.id for k in fw.item("7.1").kpis]
    ['RM1', 'RM2']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

LEVELS: tuple[str, ...] = ("basic", "advance", "significance")
FRAMEWORK_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"
DEFAULT_FILE = "pmqa4-default.yaml"


class CriteriaError(ValueError):
    """A criteria file that cannot be used, with the file, the place and the problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A label in Thai and English."""

    th: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.th


class Checkpoint(_Model):
    id: str = Field(min_length=1)
    text: Text


class Levels(_Model):
    basic: tuple[Checkpoint, ...]
    advance: tuple[Checkpoint, ...]
    significance: tuple[Checkpoint, ...]

    @model_validator(mode="after")
    def _every_level_has_checkpoints(self) -> Levels:
        for level in LEVELS:
            if not getattr(self, level):
                raise ValueError(f"level '{level}' has no checkpoints")
        return self


class KPI(_Model):
    id: str = Field(min_length=1)
    name: Text
    unit: Text
    direction: Literal["higher", "lower"]
    floor: float
    ceiling: float
    target: float
    min: float = 0.0
    max: float = 100.0

    @model_validator(mode="after")
    def _consistent(self) -> KPI:
        if self.floor == self.ceiling:
            raise ValueError(f"KPI {self.id}: floor equals ceiling ({self.floor})")
        if (self.direction == "higher") != (self.ceiling > self.floor):
            raise ValueError(
                f"KPI {self.id}: direction '{self.direction}' contradicts floor {self.floor} "
                f"and ceiling {self.ceiling} (lower is better needs floor > ceiling)"
            )
        if self.min >= self.max:
            raise ValueError(f"KPI {self.id}: min {self.min} is not below max {self.max}")
        for name in ("floor", "ceiling", "target"):
            value = getattr(self, name)
            if not self.min <= value <= self.max:
                raise ValueError(f"KPI {self.id}: {name} {value} outside {self.min}-{self.max}")
        return self


class Item(_Model):
    id: str = Field(pattern=r"^[1-7]\.[1-9]$")
    name: Text
    statement: Text | None = None
    checkpoints: Levels | None = None
    kpis: tuple[KPI, ...] = ()

    @property
    def category(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def is_results(self) -> bool:
        return self.category == 7

    def level_checkpoints(self, level: str) -> tuple[Checkpoint, ...]:
        return getattr(self.checkpoints, level) if self.checkpoints else ()

    @model_validator(mode="after")
    def _shape_fits_category(self) -> Item:
        if self.is_results:
            if self.checkpoints is not None or not self.kpis:
                raise ValueError(f"item {self.id}: a category-7 item needs KPIs and no checkpoints")
        elif self.checkpoints is None or self.kpis:
            raise ValueError(f"item {self.id}: items 1.1-6.4 need checkpoints and no KPIs")
        return self


class Category(_Model):
    id: int = Field(ge=1, le=7)
    name: Text
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_belong(self) -> Category:
        for item in self.items:
            if item.category != self.id:
                raise ValueError(f"item {item.id} is listed under category {self.id}")
        return self


class LevelThresholds(_Model):
    basic: float
    advance: float
    significance: float

    @model_validator(mode="after")
    def _ascending(self) -> LevelThresholds:
        if not 0 < self.basic < self.advance <= self.significance <= 500:
            raise ValueError("level thresholds must rise: 0 < basic < advance <= significance <= 500")
        return self


class AwardThresholds(_Model):
    pmqa_total: float = Field(ge=0, le=500)
    pmqa_category_min: float = Field(ge=0, le=500)
    category: float = Field(ge=0, le=500)


class Thresholds(_Model):
    levels: LevelThresholds
    awards: AwardThresholds
    ladder: tuple[float, ...] = Field(min_length=1)

    @field_validator("ladder")
    @classmethod
    def _ladder_in_range(cls, ladder: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 <= v <= 500 for v in ladder) or list(ladder) != sorted(ladder):
            raise ValueError("ladder values must be ascending and within 0-500")
        return ladder


class Framework(_Model):
    id: str = Field(min_length=1)
    name: Text
    thresholds: Thresholds
    categories: tuple[Category, ...]

    @model_validator(mode="after")
    def _complete_and_unique(self) -> Framework:
        ids = [c.id for c in self.categories]
        missing = sorted(set(range(1, 8)) - set(ids))
        if missing:
            raise ValueError(f"missing categor{'y' if len(missing) == 1 else 'ies'} {missing}")
        _no_duplicates("category", ids)
        _no_duplicates("item", [i.id for i in self.items()])
        _no_duplicates("checkpoint", [cp.id for _, _, cp in self.checkpoints()])
        _no_duplicates("KPI", [k.id for _, k in self.kpis()])
        return self

    def items(self) -> Iterator[Item]:
        for category in self.categories:
            yield from category.items

    def item(self, item_id: str) -> Item:
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def category(self, category_id: int) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def item_ids(self) -> list[str]:
        return [i.id for i in self.items()]

    def checkpoints(self) -> Iterator[tuple[Item, str, Checkpoint]]:
        """Every checkpoint as (item, level, checkpoint), in file order."""
        for item in self.items():
            for level in LEVELS:
                for cp in item.level_checkpoints(level):
                    yield item, level, cp

    def kpis(self) -> Iterator[tuple[Item, KPI]]:
        for item in self.items():
            for kpi in item.kpis:
                yield item, kpi

    @cached_property
    def content_hash(self) -> int:
        """The hash of every field, computed once. The criteria are frozen, and the scorer's tables are
        cached by framework, so each lookup hashed the whole tree again (0.09 ms a time)."""
        return hash(tuple(self.__dict__[name] for name in type(self).model_fields))

    def __hash__(self) -> int:
        return self.content_hash

    def text_of(self, ref: str) -> Text | None:
        """A checkpoint's statement or a KPI's name, by id; None when the criteria have no such id
        (e.g. a KPI a unit added itself)."""
        return _texts(self).get(ref)


@lru_cache(maxsize=16)
def _texts(framework: Framework) -> dict[str, Text]:
    texts = {cp.id: cp.text for _, _, cp in framework.checkpoints()}
    texts.update({kpi.id: kpi.name for _, kpi in framework.kpis()})
    return texts


def _no_duplicates(kind: str, ids: list) -> None:
    seen: set = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)}, key=str)
    if dupes:
        raise ValueError(f"duplicate {kind} id(s): {', '.join(map(str, dupes))}")


def parse_framework(text: str, source: str = "<text>") -> Framework:
    """Validate a framework from YAML text; raise CriteriaError naming source, place and problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CriteriaError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CriteriaError(f"{source}: expected a mapping at the top level")
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise CriteriaError(f"{source}: {_describe(exc, data)}") from exc


def _describe(exc: ValidationError, data: dict) -> str:
    problems = []
    for err in exc.errors():
        place = _place(err["loc"], data)
        message = re.sub(r"^Value error, ", "", err["msg"])
        problems.append(f"{place}: {message}" if place else message)
    return "; ".join(problems)


def _place(loc: tuple, data: object) -> str:
    """Turn a pydantic location into a readable path, naming list entries by their id."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{ident if ident is not None else key}]"]
            continue
        parts.append(str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def load_framework(path: str | Path) -> Framework:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CriteriaError(f"{path}: cannot be read: {exc.strerror}") from exc
    return parse_framework(text, source=path.name)


@cache
def default_framework() -> Framework:
    """The shipped default criteria."""
    return load_framework(FRAMEWORK_DIR / DEFAULT_FILE)


def framework_for_year(year: int, directory: str | Path = FRAMEWORK_DIR) -> Framework:
    """The year's own file (pmqa4-<year>.yaml, year in B.E.) if present, else the default.
    A file is read and validated once until it changes on disk."""
    own = Path(directory) / f"pmqa4-{year}.yaml"
    try:
        stamp = own.stat().st_mtime_ns
    except FileNotFoundError:
        return default_framework()
    return _load_once(own, stamp)


@lru_cache(maxsize=32)
def _load_once(path: Path, stamp: int) -> Framework:
    """``load_framework`` memoised by path and modification time."""
    return load_framework(path)
