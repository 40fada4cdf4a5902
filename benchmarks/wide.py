"""A wide mapping of n components, 10 keyword arguments each."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from _common import Component, Shape, Table, shape_main, wide_config


def hand(n: int) -> dict[str, Any]:
    """The same mapping, written by hand."""
    settings: dict[str, Any] = {"width": 64, "lr": 0.001}
    components = {}
    for i in range(n):
        key = f"c{i}"
        components[key] = Component(
            width=settings["width"],
            lr=settings["lr"],
            layers=[i, i + 1, 2],
            options={"mode": "fast", "k": i},
            enabled=i % 2 == 0,
            extra=None,
            size=i,
            scale=i * 0.5,
            name="block",
            tag=key,
        )
    return {"settings": settings, "components": components}


SHAPE = Shape(
    "wide",
    wide_config,
    hand,
    sizes=(100, 1_000, 10_000, 100_000),
    notes=[
        "config: `components.cI` nodes with width `$<settings.width>`, lr `$<settings.lr>`, "
        "a list, a dict, a bool, None, an int, a float and two strings; the whole root is "
        "instantiated.",
    ],
)


def main(argv: Sequence[str] | None = None) -> Table:
    """Run and print the table."""
    return shape_main(__doc__, SHAPE, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
