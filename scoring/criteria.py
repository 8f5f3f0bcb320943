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
from itertools import pairwise
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# libyaml's safe loader, as in i18n (both lowest layers: neither imports the other): the same loading, ten times
# faster than pure Python.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    serves: tuple[str, ...] = ()  # Government 4.0 goals and success factors, beyond its level theme's


class Theme(Text):
    """A level's short descriptor in an item (e.g. 1.1 Advance: alignment with the national strategy),
    the short English tag assessors write beside the Thai theme (e.g. "Alignment"; optional, files
    before it have none) and the Government 4.0 goals and success factors it serves."""

    tag: str | None = Field(default=None, min_length=1, max_length=60)
    serves: tuple[str, ...] = ()


class Themes(_Model):
    basic: Theme
    advance: Theme
    significance: Theme


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
    tracks: tuple[str, ...] = ()  # the items of categories 1-6 whose processes it measures (consistency checks)

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
    themes: Themes | None = None
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

    def theme(self, level: str) -> Theme | None:
        return getattr(self.themes, level) if self.themes else None

    @model_validator(mode="after")
    def _shape_fits_category(self) -> Item:
        if self.is_results:
            if self.checkpoints is not None or self.themes is not None or not self.kpis:
                raise ValueError(f"item {self.id}: a category-7 item needs KPIs and no checkpoints or themes")
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


class AwardTier(_Model):
    """One tier of the PMQA 4.0 award (e.g. the award at the Advance level): the total and the
    score every category needs for the department to be *ready* to apply for it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    total: float = Field(ge=0, le=500)
    category_min: float = Field(ge=0, le=500)


LEGACY_TIER = {"id": "pmqa", "name": {"th": "รางวัล PMQA 4.0", "en": "PMQA 4.0 award"}}


class AwardThresholds(_Model):
    """The award tiers, lowest first, and the category award's threshold (รางวัลรายหมวด). The first
    tier is the headline one (``pmqa_total``, ``pmqa_category_min``). Files and saved years from
    before tiers (``pmqa_total``, ``pmqa_category_min``, ``category``) read as one tier."""

    tiers: tuple[AwardTier, ...] = Field(min_length=1)
    category: float = Field(ge=0, le=500)

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data):
        if isinstance(data, dict) and "tiers" not in data and {"pmqa_total", "pmqa_category_min"} <= set(data):
            data = dict(data)
            tier = LEGACY_TIER | {"total": data.pop("pmqa_total"), "category_min": data.pop("pmqa_category_min")}
            data["tiers"] = [tier]
        return data

    @model_validator(mode="after")
    def _tiers_rise(self) -> AwardThresholds:
        _no_duplicates("award tier", [t.id for t in self.tiers])
        totals = [t.total for t in self.tiers]
        if totals != sorted(totals):
            raise ValueError("award tiers must be listed from the lowest total to the highest")
        return self

    @property
    def pmqa_total(self) -> float:
        return self.tiers[0].total

    @property
    def pmqa_category_min(self) -> float:
        return self.tiers[0].category_min

    def tier(self, tier_id: str) -> AwardTier:
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        raise KeyError(tier_id)


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


class Aim(_Model):
    """A goal or success factor of Government 4.0, with what lifts a department's readiness on it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    lifts: Text


class Government40(_Model):
    """The 4.0 lens: the three goals of Government 4.0 and its three success factors."""

    goals: tuple[Aim, ...] = ()
    factors: tuple[Aim, ...] = ()

    def ids(self) -> list[str]:
        return [a.id for a in (*self.goals, *self.factors)]


class ProfilePart(_Model):
    """A part of the organisation profile (ลักษณะสำคัญขององค์การ) and its guiding questions."""

    id: str = Field(min_length=1)
    name: Text
    questions: tuple[Text, ...] = Field(min_length=1)
    number: Text | None = None  # as OPDC numbers it (1 ก, 1 ข, 2 ก...); the id when the file gives none

    def label(self, lang: str = "th") -> str:
        """The part's number as documents and pages show it."""
        return self.number.get(lang) if self.number else self.id


class AdliPart(_Model):
    """A part of a process account in categories 1-6 (Approach, Deployment, Learning, Integration) and the
    prompt the committee writes it by."""

    id: Literal["approach", "deployment", "learning", "integration"]
    name: Text
    prompt: Text


# The parts of the application whose pages are counted (``PageLimits``): the profile, each category, the annex
BUDGET_PARTS: tuple[str, ...] = ("profile", "1", "2", "3", "4", "5", "6", "7", "annex")


class Application(_Model):
    """What the criteria say of the application: the ADLI parts of a process account, in order, and the page
    limit of each part of the application (``BUDGET_PARTS``; a part not named has none). OPDC's current
    limits are not public: a file's limits are assumptions, which a year may change (``storage.assessment.years``)."""

    adli: tuple[AdliPart, ...] = ()
    page_limits: tuple[tuple[str, int], ...] = ()  # (part, pages), in BUDGET_PARTS order; a mapping in the file
    page_limits_note: Text | None = None  # where the limits come from (an assumption, a circular)

    @field_validator("adli")
    @classmethod
    def _adli_once_each(cls, parts: tuple[AdliPart, ...]) -> tuple[AdliPart, ...]:
        _no_duplicates("ADLI part", [p.id for p in parts])
        return parts

    @field_validator("page_limits", mode="before")
    @classmethod
    def _known_parts(cls, limits) -> tuple[tuple[str, int], ...]:
        limits = dict(limits.items() if isinstance(limits, dict) else limits)
        limits = {str(part): pages for part, pages in limits.items()}
        unknown = sorted(set(limits) - set(BUDGET_PARTS))
        if unknown:
            raise ValueError(f"page limits for unknown parts {unknown} (known: {', '.join(BUDGET_PARTS)})")
        if any(isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= 500 for p in limits.values()):
            raise ValueError("a page limit must be a whole number of pages, 1-500")
        return tuple((part, limits[part]) for part in BUDGET_PARTS if part in limits)

    def page_limit(self, part: str) -> int | None:
        """The most pages ``part`` of the application may take; None when the criteria set none."""
        return dict(self.page_limits).get(part)


class ScoringBand(_Model):
    """A band of the award's item scoring: its range of percentages and what an item in it shows, for process
    items (ADLI) and for results items (LeTCI)."""

    id: str = Field(min_length=1)
    low: int = Field(ge=0, le=100)
    high: int = Field(ge=0, le=100)
    process: Text
    results: Text

    @model_validator(mode="after")
    def _ordered(self) -> ScoringBand:
        if self.low > self.high or self.low % 5 or self.high % 5:
            raise ValueError(f"band {self.id}: {self.low}-{self.high} must rise, in steps of 5")
        return self


class AwardScoring(_Model):
    """How the award's examiners score an application: each item in percentage bands (steps of 5), its points
    the percentage of its weight; a category's weight (points of ``scale``) shared equally by its items unless
    ``items`` names an item's own; bands covering 0-100 without gaps; a spread over ``spread_flag`` percentage
    points between members is discussed first. ``source`` says where each figure comes from."""

    scale: int = Field(default=1000, ge=1)
    weights: tuple[tuple[int, float], ...] = ()  # (category, points); a mapping in the file
    items: tuple[tuple[str, float], ...] = ()  # (item, points) where an item has its own; a mapping in the file
    bands: tuple[ScoringBand, ...] = ()
    spread_flag: int = Field(default=20, ge=0, le=100)
    source: Text | None = None

    @field_validator("weights", "items", mode="before")
    @classmethod
    def _pairs(cls, value):
        return tuple(dict(value).items())

    @model_validator(mode="after")
    def _consistent(self) -> AwardScoring:
        if not self.weights and not self.bands:
            return self  # a file without the block: no examiner scoring
        categories = [c for c, _ in self.weights]
        if sorted(categories) != list(ALL_CATEGORIES):
            raise ValueError(f"award weights must name categories 1-7 once each, not {categories}")
        if abs(sum(p for _, p in self.weights) - self.scale) > 1e-6:
            raise ValueError(f"award weights add up to {sum(p for _, p in self.weights):g}, not {self.scale}")
        edges = [(b.low, b.high) for b in self.bands]
        if not edges or edges[0][0] != 0 or edges[-1][1] != 100 or any(
                nxt[0] != prev[1] + 5 for prev, nxt in pairwise(edges)):
            raise ValueError("scoring bands must run from 0 to 100 in order, each starting 5 above the last")
        return self

    def band_of(self, percent: int) -> ScoringBand:
        """The band a percentage falls in."""
        return next(b for b in self.bands if b.low <= percent <= b.high)


class Consistency(_Model):
    """When an item of categories 1-6 and the KPIs tracking it disagree, as an examiner reads them: the item
    claims one of ``claims`` (the highest level it reaches) while a KPI tracking it is below its target, or has
    fallen ``falling`` years in a row (0: a fall is never flagged)."""

    claims: tuple[Literal["basic", "advance", "significance"], ...] = ("advance", "significance")
    below_target: bool = True
    falling: int = Field(default=2, ge=0, le=4)


UnitKpiRule = Literal["floor_ceiling", "percent_of_target"]
UNIT_KPI_RULES: tuple[str, ...] = get_args(UnitKpiRule)
MissingKpiRule = Literal["zero", "entered_only"]
MISSING_KPI_RULES: tuple[str, ...] = get_args(MissingKpiRule)
ALL_CATEGORIES: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)


class Rules(_Model):
    """Rules the criteria file chooses, each of which a year may change (``storage.assessment.years.set_rules``):

    - ``unit_kpis``: how KPIs a unit adds itself are scored, on floor and ceiling like the criteria's
      KPIs, or on the percentage of target as in the field; ``unit_kpis_per_item``: how many per item;
    - ``missing_kpis``: a KPI with no value counts as 0 (the reviewer's view), or only the entered values
      are averaged and the item is "not assessed" until its KPIs have values (the unit's view);
    - ``categories``: the categories the year assesses (some agencies assess 1-6 only); the total is the
      mean of these.
    """

    unit_kpis: UnitKpiRule = "floor_ceiling"
    unit_kpis_per_item: int = Field(default=3, ge=0, le=10)
    missing_kpis: MissingKpiRule = "zero"
    categories: tuple[int, ...] = ALL_CATEGORIES

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, categories: tuple[int, ...]) -> tuple[int, ...]:
        if not categories:
            raise ValueError("at least one category must be assessed")
        if set(categories) - set(ALL_CATEGORIES):
            raise ValueError("categories assessed must be among 1-7")
        _no_duplicates("category", list(categories))
        return tuple(sorted(categories))


class Framework(_Model):
    id: str = Field(min_length=1)
    name: Text
    thresholds: Thresholds
    rules: Rules = Rules()
    government_4_0: Government40 = Government40()
    profile: tuple[ProfilePart, ...] = ()
    application: Application = Application()
    award_scoring: AwardScoring = AwardScoring()
    consistency: Consistency = Consistency()
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
        _no_duplicates("Government 4.0 goal or factor", self.government_4_0.ids())
        _no_duplicates("profile part", [p.id for p in self.profile])
        processes = {item.id for item in self.items() if not item.is_results}
        for _, kpi in self.kpis():
            unknown = sorted(set(kpi.tracks) - processes)
            if unknown:
                raise ValueError(f"KPI {kpi.id} tracks {', '.join(unknown)}, not items of categories 1-6")
        known = set(self.government_4_0.ids())
        for item in self.items():
            for level in LEVELS:
                theme = item.theme(level)
                for owner, serves in ((f"{item.id} {level} theme", theme.serves if theme else ()),
                                      *((cp.id, cp.serves) for cp in item.level_checkpoints(level))):
                    unknown = sorted(set(serves) - known)
                    if unknown:
                        raise ValueError(f"{owner} serves {', '.join(unknown)}, not a goal or factor of "
                                         f"government_4_0")
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

    def with_rules(self, **changes) -> Framework:
        """These criteria with some rules changed, validated (``categories`` as a tuple or list).

        >>> default_framework().with_rules(categories=[1, 2, 3, 4, 5, 6]).rules.categories
        (1, 2, 3, 4, 5, 6)
        """
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        return _with_rules(self, tuple(sorted(changes.items())))

    def assessed(self) -> tuple[Category, ...]:
        """The categories the rules assess, in order."""
        return tuple(c for c in self.categories if c.id in self.rules.categories)

    def assessed_items(self) -> Iterator[Item]:
        for category in self.assessed():
            yield from category.items

    def checkpoints(self) -> Iterator[tuple[Item, str, Checkpoint]]:
        """Every checkpoint as (item, level, checkpoint), in file order."""
        for item in self.items():
            for level in LEVELS:
                for cp in item.level_checkpoints(level):
                    yield item, level, cp

    def serves(self, item: Item, level: str, checkpoint: Checkpoint) -> frozenset[str]:
        """The goals and factors a checkpoint serves: its own and its level theme's."""
        theme = item.theme(level)
        return frozenset((*checkpoint.serves, *(theme.serves if theme else ())))

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


@lru_cache(maxsize=64)
def _with_rules(framework: Framework, changes: tuple) -> Framework:
    data = framework.model_dump()
    return Framework.model_validate(data | {"rules": data["rules"] | dict(changes)})


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
        data = yaml.load(text, Loader=YAML_LOADER)
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
