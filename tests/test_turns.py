"""turns.in_turns: every combination of the dimensions once; each turning value meets every value of every
dimension (given another dimension at least as long)."""

from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st
from turns import in_turns, named

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


def test_the_overviews_readings():
    readings = in_turns(("director", "committee", "admin"), ("mean", "median"), ("self", "review", "best"))
    assert readings[:3] == [("mean", "self", "director"), ("mean", "review", "committee"),
                            ("mean", "best", "admin")]
    assert len(readings) == 6 and named(readings)[0] == "mean-self-director"


@given(turning=st.integers(1, 4), lengths=st.lists(st.integers(1, 5), min_size=1, max_size=3))
def test_each_turning_value_meets_every_value_of_every_dimension(turning, lengths):
    values = tuple(f"v{n}" for n in range(turning))
    dimensions = [tuple(f"d{d}.{n}" for n in range(length)) for d, length in enumerate(lengths)]
    readings = in_turns(values, *dimensions)
    assert sorted(r[:-1] for r in readings) == sorted(product(*dimensions))
    for d, dimension in enumerate(dimensions):
        if any(len(other) >= turning for o, other in enumerate(dimensions) if o != d):
            assert {(r[d], r[-1]) for r in readings} == {(x, v) for x in dimension for v in values}
