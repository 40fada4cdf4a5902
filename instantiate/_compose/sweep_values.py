"""The values a sweep override stands for: ``a=1,2``, ``choice()``, ``range()``, ``glob()``, ``interval()``.

The override parser makes a `Sweep`; a sweeper asks it for its concrete values with `Sweep.expand`
(a glob picks from the config group's option names; an interval has no list, only a sampler reads it).
"""

from __future__ import annotations

import copy
import fnmatch
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from .._errors import OverrideError

_SWEEP_KINDS = ("list", "choice", "range", "glob", "interval")
# More values than any sweep could run: such a range() is refused where it is written.
ABSURD_VALUES = 1_000_000


@dataclass(frozen=True)
class Sweep:
    """A set of values one override ranges over in a multirun; `expand` lists them.

    ``kind`` is ``"list"`` (``a=1,2``), ``"choice"``, ``"range"``, ``"glob"`` or
    ``"interval"``; only the fields of that kind are set, besides ``shuffle`` and ``tags``.
    """

    kind: str
    items: tuple[Any, ...] = ()
    start: int | float | None = None
    stop: int | float | None = None
    step: int | float = 1
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    low: float | None = None  # an int() cast makes the bounds ints
    high: float | None = None
    shuffle: bool = False  # shuffle(): the values come in random order
    tags: frozenset[str] = frozenset()  # tag(log, ...): labels a sweeper may read

    def __post_init__(self) -> None:
        if self.kind not in _SWEEP_KINDS:
            raise ValueError(f"Sweep kind must be one of {_SWEEP_KINDS}, got {self.kind!r}")

    def __repr__(self) -> str:
        shown = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)[1:]
            if getattr(self, f.name) != f.default
        ]
        return f"Sweep({', '.join([repr(self.kind), *shown])})"

    def size(self, options: Sequence[str] | None = None) -> int:
        """How many values ``expand`` would give, counted without listing them."""
        if self.kind in ("list", "choice"):
            return len(self.items)
        if self.kind == "range":
            return range_size(self.start, self.stop, self.step)
        if self.kind == "glob":
            return len(self.expand(options))
        return 0

    def expand(self, options: Sequence[str] | None = None, limit: int = ABSURD_VALUES) -> list[Any]:
        """The concrete values of this sweep; a glob picks from ``options``, the group's names.

        A range of more than ``limit`` values is refused before any is made.
        """
        values = self._values(options, limit)
        if self.shuffle:
            random.shuffle(values)
        return values

    def _values(self, options: Sequence[str] | None, limit: int) -> list[Any]:
        if self.kind in ("list", "choice"):
            return copy.deepcopy(list(self.items))  # callers may mutate; the sweep stays intact
        if self.kind == "range":
            size = range_size(self.start, self.stop, self.step)
            if size > limit:
                raise OverrideError(
                    f"{self!r} has {size:,} values, more than the {limit:,} a sweep may have",
                    hint="sweep fewer values (a larger step), or raise _run_.max_jobs",
                )
            return _expand_range(self)
        if self.kind == "glob":
            if options is None:
                raise OverrideError(
                    f"{self!r} needs the config group's option names to expand",
                    hint="pass them: sweep.expand(options=[...])",
                )
            return [
                name for name in options if _matches(name, self.include) and not _matches(name, self.exclude)
            ]
        raise OverrideError(
            f"{self!r} is continuous and has no list of values",
            hint="intervals are for samplers such as optuna; use range() or choice() to enumerate",
        )


def _expand_range(sweep: Sweep) -> list[Any]:
    bounds = (sweep.start, sweep.stop, sweep.step)
    if not all(is_finite_number(v) for v in bounds) or not sweep.step:
        raise OverrideError(f"cannot expand {sweep!r}: range() needs finite numbers and a non-zero step")
    if all(type(v) is int for v in bounds):
        return list(range(*bounds))  # type: ignore[arg-type]
    # Decimal from the shortest repr keeps range(0,1,0.1) at 0.7, not 0.7000000000000001
    value, end, increment = (Decimal(repr(float(v))) for v in bounds)  # type: ignore[arg-type]
    values = []
    while (value < end) if increment > 0 else (value > end):
        values.append(float(value))
        value += increment
    return values


def range_size(start: Any, stop: Any, step: Any) -> int:
    """The number of values of ``range(start, stop, step)`` (floats too), computed exactly."""
    if not all(is_finite_number(v) for v in (start, stop, step)) or not step:
        raise OverrideError(f"range({start!r},{stop!r},{step!r}) needs finite numbers and a non-zero step")
    if all(type(v) is int for v in (start, stop, step)):
        return len(range(start, stop, step))
    low, high, increment = (Decimal(repr(float(v))) for v in (start, stop, step))
    return max(0, math.ceil((high - low) / increment))


def is_finite_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # bool is not a number here


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


__all__ = ["ABSURD_VALUES", "Sweep", "is_finite_number", "range_size"]
