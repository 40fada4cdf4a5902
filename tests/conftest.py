"""Shared fixtures: every test starts with the default registry, resolvers and config store as shipped."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from shipped import shipped_state

# The default run is reproducible (the same examples every time, no deadline on a busy machine),
# so CI is never red by chance; HYPOTHESIS_PROFILE=explore searches afresh on each run.
settings.register_profile("default", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _isolated_registries() -> Iterator[None]:
    """Undo registrations a test makes, so tests do not see each other's names."""
    with shipped_state():
        yield
