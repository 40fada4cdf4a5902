"""Memory of a build: the peak that `instantiate` allocates, over what the hand-written code does.

tracemalloc traces one call at a time: the config is made before tracing starts, so what is
counted is what the build allocates (its result included) at its peak. The hand-written
construction's peak is about the size of the result itself, so the ratio says how much the
build holds beyond its result: no copy of the config per call keeps it near 1.
"""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import sequential
import wide
from _common import NONE, NOT_IMPORTABLE, OURS_ERROR, Config, Table, progress, times, uncached, warmed


def peak(fn: Callable[[], Any]) -> int:
    """Bytes at the peak of tracemalloc's trace while fn() runs (its result kept until the end)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return top


def mb(size: int | None) -> str:
    """Bytes as MB."""
    return NONE if size is None else f"{size / 1e6:,.2f}"


def run(args: argparse.Namespace) -> Table:
    """Trace the hand-written construction, a first and a repeated build per shape and size."""
    headers = ["shape", "n", "hand-written peak (MB)", "first build peak (MB)", "first/hand",
               "repeated build peak (MB)", "repeated/hand"]  # fmt: skip
    table = Table("memory of a build", headers)
    if not OURS_ERROR:  # what a process pays once (the builder's lazy imports) is no build's
        for module in (sequential, wide):
            module.SHAPE.build(Config(uncached(module.SHAPE.config, 3)))
    for module in (sequential, wide):
        shape = module.SHAPE
        for n in args.n:
            progress(f"memory: {shape.name} n={n}")
            hand = peak(functools.partial(shape.hand, n))
            if OURS_ERROR:
                table.rows.append([shape.name, f"{n:,}", mb(hand), NOT_IMPORTABLE, NONE, NONE, NONE])
                continue
            cfg = Config(uncached(shape.config, n))
            first = peak(functools.partial(shape.build, cfg))
            again = warmed(shape.build, shape.config(n, False))
            repeated = peak(functools.partial(shape.build, again))
            table.rows.append([shape.name, f"{n:,}", mb(hand), mb(first), times(first / hand),
                               mb(repeated), times(repeated / hand)])  # fmt: skip
            table.summary.append([f"memory peak, {shape.name}", f"{n:,}", mb(first), times(first / hand),
                                  mb(repeated), times(repeated / hand), NONE, NONE, NONE, NONE])  # fmt: skip
    table.notes.append(
        "tracemalloc (Python allocations), the config made before tracing: the peak of what "
        "one call allocates, its result included; first = the first instantiate of a fresh "
        "Config, repeated = a Config built before."
    )
    if OURS_ERROR:
        table.notes.append(OURS_ERROR)
    return table


def main(argv: Sequence[str] | None = None) -> Table:
    """Parse options, run, print and return the table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, nargs="+", default=[1_000, 10_000], help="sizes")
    p.add_argument("--quick", action="store_true", help="accepted for run_all; changes nothing here")
    p.add_argument("--budget", type=float, help="accepted for run_all; unused here")
    table = run(p.parse_args(argv))
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
