"""Every builder test again, each build run by a compiled plan from the first build on.

Plans are compiled on a node's second build, which most tests never reach; here every build
compiles one first. Where a plan can build the config it must build and fail exactly as the
builder does; where it cannot, the builder builds. Either way, test_builder's assertions hold.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import test_builder

from instantiate._build import plan

globals().update(
    {
        name: value
        for name, value in vars(test_builder).items()
        if name.startswith("test_") or name == "_reset_counters"
    }
)


@pytest.fixture(autouse=True)
def _plans_from_the_first_build() -> Iterator[None]:
    plan.COMPILE_AT = 1
    yield
    plan.COMPILE_AT = 2
