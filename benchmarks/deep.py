"""Targets nested inside targets, Wrapper(inner=Wrapper(inner=...)), depth 50-500 (issue 5, item 3)."""

from __future__ import annotations

import sys
from typing import Sequence

from _common import Shape, Table, Wrapper, deep_config, shape_main


def hand(depth: int) -> Wrapper | None:
    """The same nest, written by hand (innermost first)."""
    obj = None
    for level in reversed(range(depth)):
        obj = Wrapper(inner=obj, level=level)
    return obj


SHAPE = Shape("deep", deep_config, hand, sizes=(50, 100, 250, 500), size_label="depth", notes=[
    "config: `{_target_: Wrapper, level: i, inner: {...}}` nested `depth` times, innermost `inner: null`; "
    "RecursionError = the library hit Python's default recursion limit "
    f"({sys.getrecursionlimit()}).",
])


def main(argv: Sequence[str] | None = None) -> Table:
    """Run and print the table."""
    return shape_main(__doc__, SHAPE, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
