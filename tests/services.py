"""The real engines some tests run against, when the CI set-up (``.ci/run``) provides them.

``.ci/run`` starts a single-node SLURM cluster in a loopback-only network namespace and exports
``INSTANTIATE_TEST_SLURM=<namespace>``; it installs ray and exports ``INSTANTIATE_TEST_RAY=1``.
Elsewhere these tests skip, whatever the machine has installed; under CI (``CI=true``) a missing
service is a failure, so a broken set-up cannot pass as skipped tests.
"""

from __future__ import annotations

import os

import pytest


def required(variable: str, what: str) -> str:
    """The value of ``variable`` set by ``.ci/run``; skip without it, or fail under CI."""
    value = os.environ.get(variable, "")
    if value:
        return value
    message = f"{what} is not set up: {variable} is not set (.ci/run sets it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and CI=true expects it")
    pytest.skip(message)
