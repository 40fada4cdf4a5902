"""Targets nested in targets, Wrapper(inner=Wrapper(inner=...)), 50 to 500 deep."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from _common import (
    OURS_ERROR,
    Config,
    Shape,
    Table,
    Wrapper,
    deep_config,
    hydra_build,
    instantiate,
    progress,
    shape_main,
)

DEFAULT_LIMIT = 1000  # CPython's default recursion limit


def hydra_own_process(data: Any) -> Any:
    """Hydra as in a process of its own: under Python's default recursion limit.

    Building with ours raises the process's limit (so deep configs build); without this, Hydra
    would borrow that here and look deeper than it is.
    """
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(DEFAULT_LIMIT)
    try:
        return hydra_build(data)
    finally:
        sys.setrecursionlimit(raised)


def hand(depth: int) -> Wrapper | None:
    """The same nest, written by hand (innermost first)."""
    obj = None
    for level in reversed(range(depth)):
        obj = Wrapper(inner=obj, level=level)
    return obj


def deepest(build: Callable[[Any], Any], hydra: bool, top: int) -> int:
    """The deepest nest (up to `top`) that `build` makes without RecursionError, by bisection."""
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            build(deep_config(mid, hydra))
            lo = mid
        except RecursionError:
            hi = mid - 1
    return lo


def limits(table: Table, args: argparse.Namespace) -> None:
    """Add a note with how deep each library gets under the default recursion limit."""
    progress("deep: bisecting the recursion limits")
    top = max(args.n)
    found = [("Hydra", deepest(hydra_own_process, True, top))]
    if not OURS_ERROR:
        found.insert(0, ("ours (first build)", deepest(lambda data: instantiate(Config(data)), False, top)))
    table.notes.append(
        "deepest nest built (searched up to the largest depth): "
        + ", ".join(f"{who} {d:,}" for who, d in found)
        + "."
    )


SHAPE = Shape(
    "deep",
    deep_config,
    hand,
    sizes=(50, 100, 250, 500),
    size_label="depth",
    hydra=hydra_own_process,
    notes=[
        "config: `{_target_: Wrapper, level: i, inner: {...}}` nested `depth` times, innermost "
        "`inner: null`; RecursionError = the library hit Python's default recursion limit "
        f"({DEFAULT_LIMIT}); ours raises the limit while it builds.",
    ],
)


def main(argv: Sequence[str] | None = None) -> Table:
    """Run and print the table."""
    return shape_main(__doc__, SHAPE, argv, extra=limits)


if __name__ == "__main__":
    main(sys.argv[1:])
