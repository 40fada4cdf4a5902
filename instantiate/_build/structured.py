"""Structured configs read one way: the fields of a dataclass or attrs class or instance.

``instantiate`` builds from them (``inputs``) and ``store`` puts them in the config search
space (``_compose/store.py``); both read the fields here. A class gives its defaults (a
factory is called) and ``???`` for a field without one, as ``OmegaConf.structured`` does;
an instance gives its values. Neither dataclasses nor attrs is imported here: a class that is
one has brought its module in already.
"""

from __future__ import annotations

import sys

from .._config.interpolation import MISSING

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


def is_structured(value: Any) -> bool:
    """Is ``value`` a dataclass or attrs class, or an instance of one?"""
    cls = value if isinstance(value, type) else value.__class__
    return hasattr(cls, "__dataclass_fields__") or hasattr(cls, "__attrs_attrs__")


def field_values(value: Any) -> dict[str, Any] | None:
    """Each field's value, by name, in field order (None for what is not a structured config).

    The values are as the class or instance holds them: nested structured configs and
    containers are not read here.
    """
    cls = value if isinstance(value, type) else value.__class__
    if hasattr(cls, "__dataclass_fields__"):
        return _dataclass_fields(value, cls)
    if hasattr(cls, "__attrs_attrs__"):
        return _attrs_fields(value, cls)
    return None


def structured_name(value: Any) -> str:
    """The name a structured config's paths start with (its class name)."""
    return value.__name__ if isinstance(value, type) else type(value).__name__


def _dataclass_fields(value: Any, cls: type) -> dict[str, Any]:
    import dataclasses  # imported already: the class is a dataclass

    if not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
        else:
            out[f.name] = MISSING
    return out


def _attrs_fields(value: Any, cls: type) -> dict[str, Any]:
    attributes = cls.__attrs_attrs__  # type: ignore[attr-defined]
    if not isinstance(value, type):
        return {a.name: getattr(value, a.name) for a in attributes}
    attr = sys.modules["attr"]  # imported already: the class is an attrs class
    out = {}
    for a in attributes:
        default = a.default
        if default is attr.NOTHING:
            out[a.name] = MISSING
        elif isinstance(default, attr.Factory):
            out[a.name] = MISSING if default.takes_self else default.factory()
        else:
            out[a.name] = default
    return out


__all__ = ["field_values", "is_structured", "structured_name"]
