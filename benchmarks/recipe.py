"""A Recipe of 200 components, each `dep: $<@cJ>` the object built for an earlier one."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from typing import Any

from _common import (
    Recipe,
    Service,
    Shape,
    Table,
    hydra_build,
    progress,
    recipe_config,
    recipe_deps,
    shape_main,
)


@functools.cache
def recipe_class(n: int) -> type:
    """`class R(Recipe)` requiring c0..c{n-1}, made once per n (outside the timing)."""

    class R(Recipe):  # type: ignore[misc]
        required = tuple(f"c{i}" for i in range(n))

    return R


def build_all(recipe: Any) -> dict[str, Any]:
    """Enter the recipe, build every component, return name -> object."""
    with recipe as r:
        r.build()
        return dict(r.built)


def build(config: Any) -> dict[str, Any]:
    """Ours: R(config), all built (config a Config or the plain mapping)."""
    return build_all(recipe_class(len(config))(config))


def hand(n: int) -> dict[str, Service]:
    """The same components, written by hand, each dep the very object built before."""
    built: dict[str, Service] = {}
    for i, j in enumerate(recipe_deps(n)):
        key = f"c{i}"
        built[key] = Service(name=key, size=i, dep=None if j is None else built[f"c{j}"])
    return built


def shared(n: int, built: dict[str, Any]) -> str | None:
    """None when every `dep` is the same object as the component it names, else the first miss."""
    for i, j in enumerate(recipe_deps(n)):
        if j is not None and built[f"c{i}"].dep is not built[f"c{j}"]:
            return f"c{i}.dep is not the object built for c{j}: `$<@c{j}>` must share it"
    return None


def count_objects(built: dict[str, Any]) -> int:
    """How many distinct Service objects a result holds (deps included)."""
    seen: set[int] = set()
    stack = list(built.values())
    while stack:
        s = stack.pop()
        if s is not None and id(s) not in seen:
            seen.add(id(s))
            stack.append(s.dep)
    return len(seen)


def hydra_copies(table: Table, args: argparse.Namespace) -> None:
    """Note how many objects Hydra builds, since it re-instantiates every `${cJ}`."""
    progress("recipe: counting Hydra's objects")
    counts = ", ".join(f"{count_objects(hydra_build(recipe_config(n, True))):,} at n={n:,}" for n in args.n)
    table.notes.append(
        "Hydra has no shared objects: the Hydra column instantiates the whole mapping with plain "
        f"`${{cJ}}` references, which it re-instantiates as copies (Service objects built: "
        f"{counts}; ours and hand-written build n, and their deps are checked to be the very "
        "same objects)."
    )


SHAPE = Shape(
    "recipe",
    recipe_config,
    hand,
    sizes=(200, 2_000),
    build=build,
    check=shared,
    how="first = R(Config(data)), repeated = R(cfg) of a Config built before, from dict = R(data), "
    "Hydra = instantiate(OmegaConf.create(data), "
    "_convert_='all')",
    notes=[
        "config: `cI: {_target_: Service, name: cI, size: I, dep: $<@cJ>}` with J < I drawn with a "
        "fixed seed; ours = `with R(cfg) as r: r.build()` where "
        "`class R(Recipe): required = (c0, ...)`.",
    ],
)


def main(argv: Sequence[str] | None = None) -> Table:
    """Run and print the table."""
    return shape_main(__doc__, SHAPE, argv, extra=hydra_copies)


if __name__ == "__main__":
    main(sys.argv[1:])
