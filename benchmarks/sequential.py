"""A Sequential of n Linear-like layers, each `in_features: $<..[i-1].out_features>`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from _common import Linear, Sequential, Shape, Table, sequential_config, shape_main


def hand(n: int) -> Sequential:
    """The same Sequential, written by hand."""
    layers = [Linear(in_features=32, out_features=16, bias=True)] if n else []
    for i in range(1, n):
        layers.append(Linear(in_features=layers[-1].out_features, out_features=16 + i % 48, bias=i % 2 == 0))
    return Sequential(*layers)


SHAPE = Shape(
    "sequential",
    sequential_config,
    hand,
    sizes=(100, 1_000, 10_000, 100_000),
    notes=[
        "config: `_args_` list of Linear nodes; in_features `$<..[i-1].out_features>` "
        "(Hydra `${..[i-1].out_features}`).",
    ],
)


def main(argv: Sequence[str] | None = None) -> Table:
    """Run and print the table."""
    return shape_main(__doc__, SHAPE, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
