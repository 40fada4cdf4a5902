"""Where a target call went wrong: the node's source, and the error that names it.

Shared by the builder and by compiled plans, so both report a failing target the same way.
"""

from __future__ import annotations

from .._config.paths import Link, node_source, path_of
from .._errors import InstantiationError


def target_failed(name: str, link: Link, error: Exception) -> InstantiationError:
    """The error for an exception raised by the target ``name`` of the node at ``link``."""
    return InstantiationError(
        f"{name}(...) raised {type(error).__name__}: {error}",
        path=path_of(link),
        source=node_source(link),
        hint="the error came from the target itself; its traceback is the __cause__ above",
    )
