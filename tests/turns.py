"""Parameters for a page test whose dimensions do not act on one another: every combination of the dimensions
that matter together, with the others taking turns, instead of the whole product (each run of a page under
AppTest costs 0.3-1.7 s of a worker; a product of four dimensions ran it dozens of times for what a few runs show)."""

from __future__ import annotations

from itertools import product


def in_turns(turning: tuple, *dimensions: tuple) -> list[tuple]:
    """Every combination of ``dimensions`` once, followed by one value of ``turning``: the one at the sum of the
    combination's positions, so that each value of ``turning`` meets every value of each dimension whenever some
    other dimension has as many values as ``turning`` (tests/test_turns.py)."""
    positions = product(*(range(len(dimension)) for dimension in dimensions))
    return [(*combination, turning[sum(at) % len(turning)])
            for at, combination in zip(positions, product(*dimensions), strict=True)]


def named(readings: list[tuple]) -> list[str]:
    """Test ids for ``readings``: their values joined by hyphens, as pytest names a product."""
    return ["-".join(str(value) for value in reading) for reading in readings]
