"""Hydra's override functions besides the sweeps: ``int() float() str() bool() sort() shuffle() tag()``.

They behave as in Hydra 1.3 (https://hydra.cc/docs/advanced/override_grammar/extended/): a cast
converts a value, each item of a list, mapping or choice, the bounds of a range (int and float
only) or of an interval (int and float only); several arguments make a sweep first
(``int(1,2)`` is the sweep ``1,2``). ``sort`` orders a list or sweep (``reverse=true``),
``shuffle`` shuffles a list now and a sweep when it is expanded, ``tag(t1, t2, sweep)`` labels a
sweep for a sweeper (optuna reads ``log`` and ``int``). The override parser reads the arguments
and calls `call_function`; a bad argument raises ``ValueError``, which it reports at the column.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

from .sweep_values import Sweep

# each function's keyword arguments
PARAMETERS: dict[str, tuple[str, ...]] = {
    "int": ("value",),
    "float": ("value",),
    "str": ("value",),
    "bool": ("value",),
    "sort": ("sweep", "list", "reverse"),
    "shuffle": ("sweep", "list"),
    "tag": ("sweep",),
}
FUNCTIONS = frozenset(PARAMETERS)
_ORDERED = ("list", "choice", "range")  # the sweeps that have an order to sort or shuffle


def call_function(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The value of ``name(*args, **kwargs)`` as Hydra computes it; ValueError on bad arguments."""
    if name in _CASTS:
        return _cast(name, args, kwargs)
    if name == "sort":
        return _sort(args, kwargs)
    if name == "shuffle":
        return _shuffle(args, kwargs)
    return _tag(args, kwargs)


# -- casts ---------------------------------------------------------------------------------------


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"cannot cast {value!r} to bool (only 'true' and 'false' can be)")
    return bool(value)


def _to_str(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


_CASTS: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "str": _to_str, "bool": _to_bool}


def _cast(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    value = _one_value(name, args, kwargs.get("value", _UNSET))
    return _cast_value(name, value)


def _cast_value(name: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _cast_value(name, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cast_value(name, item) for item in value]
    if isinstance(value, Sweep):
        return _cast_sweep(name, value)
    if value is None or not isinstance(value, (int, float, str)):
        raise ValueError(f"cannot cast {value!r} to {name}")
    try:
        return _CASTS[name](value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"cannot cast {value!r} to {name}: {error}") from None


def _cast_sweep(name: str, sweep: Sweep) -> Sweep:
    if sweep.kind in ("list", "choice"):
        return dataclasses.replace(sweep, items=tuple(_cast_value(name, item) for item in sweep.items))
    if sweep.kind == "range":
        if name not in ("int", "float"):
            raise ValueError("a range can only be cast to int or float")
        cast = _CASTS[name]
        bounds = {"start": cast(sweep.start), "stop": cast(sweep.stop), "step": cast(sweep.step)}
        return dataclasses.replace(sweep, **bounds)
    if sweep.kind == "interval":
        if name not in ("int", "float"):
            raise ValueError(f"an interval cannot be cast to {name}")
        cast = _CASTS[name]
        return dataclasses.replace(sweep, low=cast(sweep.low), high=cast(sweep.high))
    raise ValueError(f"glob() cannot be cast to {name}")


_UNSET = object()


def _one_value(name: str, args: list[Any], keyword: Any) -> Any:
    """Hydra's reading of a cast's arguments: one value, or several as a sweep."""
    if args and keyword is not _UNSET:
        raise ValueError(f"{name}() takes its value positionally or as value=, not both")
    if keyword is not _UNSET:
        return keyword
    if not args:
        raise ValueError(f"{name}() needs a value")
    return args[0] if len(args) == 1 else _simple_sweep(name, args)


def _simple_sweep(name: str, args: list[Any]) -> Sweep:
    if any(isinstance(arg, Sweep) for arg in args):
        raise ValueError(f"{name}() takes one sweep, or several plain values")
    return Sweep("list", tuple(args))


# -- order ---------------------------------------------------------------------------------------


def _sort(args: list[Any], kwargs: dict[str, Any]) -> Any:
    reverse = kwargs.get("reverse", False)
    if not isinstance(reverse, bool):
        raise ValueError(f"sort(reverse=...) takes true or false, not {reverse!r}")
    if "list" in kwargs:
        items = kwargs["list"]
        if not isinstance(items, list):
            raise ValueError(f"sort(list=...) takes a list, not {items!r}")
        return _sorted(items, reverse)
    if "sweep" in kwargs:
        return _sort_sweep(kwargs["sweep"], reverse)
    if not args:
        raise ValueError("sort() needs a list, a sweep or values")
    if len(args) == 1:
        (arg,) = args
        if isinstance(arg, Sweep):
            return _sort_sweep(arg, reverse)
        if isinstance(arg, list):
            return _sorted(arg, reverse)
        return arg
    if not all(isinstance(arg, (int, float, str)) for arg in args):
        raise ValueError("sort() of several values takes plain values only (numbers, strings, bools)")
    return _sort_sweep(Sweep("list", tuple(args)), reverse)


def _sorted(items: Any, reverse: bool) -> list[Any]:
    try:
        return sorted(items, reverse=reverse)
    except TypeError:
        raise ValueError(f"cannot sort values of different kinds: {list(items)!r}") from None


def _sort_sweep(sweep: Any, reverse: bool) -> Sweep:
    if not isinstance(sweep, Sweep) or sweep.kind not in _ORDERED:
        raise ValueError(f"sort() takes a list, choice() or range(), not {sweep!r}")
    if sweep.kind != "range":
        return dataclasses.replace(sweep, items=tuple(_sorted(sweep.items, reverse)))
    start, stop, step = sweep.start, sweep.stop, sweep.step
    assert start is not None and stop is not None
    if not reverse and start > stop:  # the same values, counted upwards
        return dataclasses.replace(sweep, start=stop + abs(step), stop=start + abs(step), step=-step)
    if reverse and start < stop:
        return dataclasses.replace(sweep, start=stop - abs(step), stop=start - abs(step), step=-step)
    return sweep


def _shuffle(args: list[Any], kwargs: dict[str, Any]) -> Any:
    if "list" in kwargs:
        args = [kwargs["list"]]
        if not isinstance(args[0], list):
            raise ValueError(f"shuffle(list=...) takes a list, not {args[0]!r}")
    elif "sweep" in kwargs:
        args = [kwargs["sweep"]]
        if not isinstance(args[0], Sweep):
            raise ValueError(f"shuffle(sweep=...) takes a choice() or range(), not {args[0]!r}")
    if not args:
        raise ValueError("shuffle() needs a list, a sweep or values")
    if len(args) > 1:
        return dataclasses.replace(_simple_sweep("shuffle", args), shuffle=True)
    (arg,) = args
    if isinstance(arg, Sweep):
        if arg.kind not in _ORDERED:
            raise ValueError(f"shuffle() takes a list, choice() or range(), not {arg!r}")
        return dataclasses.replace(arg, shuffle=True)
    if isinstance(arg, list):
        shuffled = list(arg)
        random.shuffle(shuffled)
        return shuffled
    return [arg]


def _tag(args: list[Any], kwargs: dict[str, Any]) -> Sweep:
    if "sweep" in kwargs:
        args = [*args, kwargs["sweep"]]
    if not args or not isinstance(args[-1], Sweep) or args[-1].kind == "glob":
        raise ValueError("the last argument of tag() must be a choice(), range() or interval()")
    *labels, last = args
    sweep: Sweep = last
    for label in labels:
        if not isinstance(label, str):
            raise ValueError(f"tags are strings, not {label!r}")
    return dataclasses.replace(sweep, tags=frozenset(labels))


def format_wrapped(sweep: Sweep, text: str) -> str:
    """``text`` (the sweep's own spelling) wrapped in the shuffle() and tag() it carries."""
    if sweep.shuffle:
        text = f"shuffle({text})"
    if sweep.tags:
        text = f"tag({','.join(sorted(sweep.tags))},{text if sweep.kind != 'list' else f'choice({text})'})"
    return text


__all__ = ["FUNCTIONS", "PARAMETERS", "call_function", "format_wrapped"]
