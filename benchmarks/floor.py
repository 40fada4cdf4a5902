"""The floor of a first build of the chain: a loop written for that one shape, against ours.

The loop reads each `$<..[i-1].out_features>` as our first build does (`Evaluator.plain`: a
string met once is read, not parsed into the cache) and checks each call as the builder's fast
path does (keyword names, required names, scalar annotations), but knows nothing else: no flags,
no provenance, no policy, no error paths. What it costs is about the least a first build of this
shape can cost in Python with this reading of references; ours over it is what the general walk
adds.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from typing import Any

import sequential
from _common import (
    NONE,
    OURS_ERROR,
    Config,
    Table,
    instantiate,
    measure,
    ms,
    sequential_config,
    times,
    uncached,
)

_NOTHING = object()


def loop(cfg: Any) -> list[Any]:
    """Build the chain's layers with the least machinery that still reads and checks them."""
    from instantiate._build.registry import search_order
    from instantiate._build.signatures import params_of
    from instantiate._build.targets import target_cache
    from instantiate._config.interpolation import SLOW, Evaluator

    tree = cfg._tree
    plain = Evaluator(tree, Config._view).plain
    targets = target_cache(search_order()[0])
    items = tree.data["_args_"]
    items_link = (items, "_args_", tree.link)
    out = []
    for index, node in enumerate(items):
        link = (node, index, items_link)
        kwargs = {}
        for key, raw in node.items():
            if raw.__class__ is str and "$" in raw:
                raw = plain(raw, link)
                if raw is SLOW:
                    raise AssertionError("the loop reads plain references only")
            kwargs[key] = raw
        target = targets[kwargs.pop("_target_")]
        params = target.params or params_of(target.obj)
        keys = kwargs.keys()
        if not (keys <= params.names and keys >= params.required_set):
            raise TypeError(f"{target.name}: {sorted(keys)}")
        for check in params.checked:
            value = kwargs.get(check.name, _NOTHING)
            if value.__class__ is not check.fast and value is not _NOTHING:
                raise TypeError(check.name)
        out.append(target.obj(**kwargs))
    return out


def main(argv: Sequence[str] | None = None) -> Table:
    """Time the loop and our first build of the same fresh configs, each against hand-written."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, nargs="+", default=[1_000, 10_000], help="sizes")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of repetitions per cell")
    p.add_argument("--quick", action="store_true", help="accepted for run_all; changes nothing here")
    args = p.parse_args(argv)
    headers = [
        "n",
        "hand-written (ms)",
        "the loop (ms)",
        "loop/hand",
        "ours first (ms)",
        "ours/hand",
        "ours/loop",
    ]
    table = Table("floor of a first build (chain)", headers)
    for n in args.n:
        if OURS_ERROR:
            table.rows.append([f"{n:,}", *[NONE] * 6])
            continue
        hand = functools.partial(sequential.hand, n)
        fresh = functools.partial(lambda n: Config(uncached(sequential_config, n)), n)
        instantiate(fresh())  # the target resolved and its signature read, as in any later build
        floor = measure(loop, fresh, args.budget, against=hand)
        ours = measure(instantiate, fresh, args.budget, against=hand)
        if ours.result.layers != floor.result:
            raise AssertionError("the loop built something else")
        base = min(floor.base or 0.0, ours.base or 0.0) or None
        table.rows.append(
            [
                f"{n:,}",
                ms(base),
                ms(floor.seconds),
                times(floor.seconds / floor.base if floor.base and floor.seconds else None),
                ms(ours.seconds),
                times(ours.seconds / ours.base if ours.base and ours.seconds else None),
                times(ours.seconds / floor.seconds if floor.seconds and ours.seconds else None),
            ]
        )
    table.notes.append(
        "process CPU time, best of the repetitions, each rep of the loop and of ours followed by a "
        "hand-written rep (ratios over the best of those); fresh Configs made outside the timing "
        "with the parse caches emptied, as in the first-build column of sequential.py."
    )
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
