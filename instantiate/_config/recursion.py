"""Deep configs (targets nested hundreds of levels) must not hit Python's default recursion limit."""

from __future__ import annotations

import sys

# Every walk here is plain Python recursion, a frame or two per nesting level; CPython 3.11+
# runs such frames without growing the C stack, so a higher limit is safe there.
DEEP_ENOUGH = 20_000


def allow_deep_recursion() -> None:
    """Raise the interpreter's recursion limit to ``DEEP_ENOUGH`` if it is lower (never lower it)."""
    if sys.getrecursionlimit() < DEEP_ENOUGH:
        sys.setrecursionlimit(DEEP_ENOUGH)
