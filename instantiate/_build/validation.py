"""Checking one value against a type annotation, converting where OmegaConf would (``"3"`` -> 3).

One helper serves two callers: composition checks what is merged over a stored dataclass, and
the builder checks keyword values against a ``_target_``'s signature. Interpolations and
``???`` pass unchecked: their value is known only later.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import typing
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, Union

from .._errors import ValidationError, did_you_mean

if sys.version_info >= (3, 10):
    from types import UnionType

    _UNIONS: tuple[Any, ...] = (Union, UnionType)
else:  # pragma: no cover - Python 3.9
    _UNIONS = (Union,)

_NONE = type(None)
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_ANY = frozenset({Any, object})


def check_value(value: Any, annotation: Any, *, path: str | None = None, source: str | None = None) -> Any:
    """``value`` converted to fit ``annotation``, or `ValidationError` naming ``path`` and ``source``.

    ``check_value("3", int)`` is 3; ``check_value(0.5, int, path="data.classes")`` raises
    "data.classes: expected an int, got 0.5 (a float)".
    """
    return _check(value, annotation, path or "", source)


def is_unchecked(value: Any) -> bool:
    """Whether ``value`` is a placeholder checked only once known: ``???`` or an interpolation."""
    return value.__class__ is str and (value == "???" or "${" in value or "$<" in value)


def dataclass_fields(cls: type) -> dict[str, Any]:
    """The annotation of each field of a dataclass, string annotations resolved where possible."""
    cached = _FIELDS.get(cls)
    if cached is None:
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # unresolvable forward references: fall back to what is written
            hints = {}
        cached = {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(cls)}
        _FIELDS[cls] = cached
    return cached


_FIELDS: dict[type, dict[str, Any]] = {}  # a memo of class facts, not configuration state


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``Optional[X]``; ``(annotation, False)`` otherwise."""
    if typing.get_origin(annotation) in _UNIONS:
        args = typing.get_args(annotation)
        if _NONE in args:
            rest = tuple(a for a in args if a is not _NONE)
            return (rest[0] if len(rest) == 1 else Union[rest]), True
    return annotation, annotation in _ANY or annotation is _NONE


def child_annotation(annotation: Any, key: Any) -> Any:
    """What a mapping typed ``annotation`` expects at ``key``; `KeyError` for a key a dataclass lacks."""
    annotation, _ = unwrap_optional(annotation)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return dataclass_fields(annotation)[key]
    origin = typing.get_origin(annotation)
    if origin in (dict, Mapping) or origin is typing.get_origin(typing.MutableMapping[str, int]):
        args = typing.get_args(annotation)
        return args[1] if len(args) == 2 else Any
    return Any


def describe(annotation: Any) -> str:
    """``int`` -> ``an int``; ``Optional[List[int]]`` -> ``a list of int, or null``."""
    inner, optional = unwrap_optional(annotation)
    if optional and inner is not annotation:
        return f"{describe(inner)}, or null"
    return _describe(annotation)


def _describe(annotation: Any) -> str:
    if annotation in _ANY:
        return "any value"
    if annotation is _NONE:
        return "null"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in _UNIONS:
        return " or ".join(_describe(a) for a in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(map(repr, args))
    if origin in (list, tuple, Sequence, set, frozenset) or annotation in (list, tuple):
        kind = "a tuple" if tuple in (origin, annotation) else "a list"
        shown = [_name(a) for a in args if a is not Ellipsis]
        return f"{kind} of {', '.join(shown)}" if shown else kind
    if origin in (dict, Mapping) or annotation is dict:
        return f"a mapping of {_name(args[0])} to {_name(args[1])}" if len(args) == 2 else "a mapping"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return f"one of {annotation.__name__}'s names ({', '.join(annotation.__members__)})"
    if dataclasses.is_dataclass(annotation):
        return f"a mapping for {_name(annotation)}"
    name = _name(annotation)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    name = type(value).__name__
    return f"{value!r} ({'an' if name[:1].lower() in 'aeiou' else 'a'} {name})"


def _fail(
    value: Any, annotation: Any, path: str, source: str | None, hint: str | None = None
) -> ValidationError:
    return ValidationError(
        f"expected {describe(annotation)}, got {_shown(value)}", path=path, source=source, hint=hint
    )


def _check(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    if annotation in _ANY or isinstance(annotation, (str, typing.ForwardRef, typing.TypeVar)):
        return value  # unknown or unresolvable: nothing to check against
    if is_unchecked(value):
        return value
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _check(value, typing.get_args(annotation)[0], path, source)
    if value is None:
        if annotation is _NONE or (origin in _UNIONS and _NONE in typing.get_args(annotation)):
            return None
        raise _fail(
            value, annotation, path, source, hint="the annotation is not Optional, so null is not allowed"
        )
    if origin in _UNIONS:
        return _check_union(value, annotation, path, source)
    if origin is typing.Literal:
        if value in typing.get_args(annotation):
            return value
        raise _fail(value, annotation, path, source)
    if origin is not None:
        return _check_generic(value, annotation, origin, path, source)
    if annotation is _NONE:
        raise _fail(value, annotation, path, source)
    if not isinstance(annotation, type):
        return value  # e.g. a NewType or a callable protocol: leave it to the target
    checker = _SCALARS.get(annotation)
    if checker is not None:
        return checker(value, annotation, path, source)
    if issubclass(annotation, enum.Enum):
        return _check_enum(value, annotation, path, source)
    if dataclasses.is_dataclass(annotation):
        return _check_dataclass(value, annotation, path, source)
    if issubclass(annotation, PurePath):
        if isinstance(value, (str, PurePath)):
            return annotation(value)
        raise _fail(value, annotation, path, source)
    if annotation in (list, tuple, dict):
        return _check_generic(value, annotation, annotation, path, source)
    if isinstance(value, annotation) or value.__class__ in (dict, list) or isinstance(value, Mapping):
        return value  # an unbuilt config (a mapping) may still become one; the builder decides
    raise _fail(value, annotation, path, source)


def _check_int(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    if value.__class__ is bool:
        raise _fail(value, annotation, path, source, hint="write a number, not true/false")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    hint = "an int has no fractional part; declare the field as float if that is meant"
    raise _fail(value, annotation, path, source, hint=hint if isinstance(value, float) else None)


def _check_float(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    if value.__class__ is not bool and isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise _fail(value, annotation, path, source)


def _check_bool(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    if value.__class__ is bool:
        return value
    if value.__class__ is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise _fail(value, annotation, path, source, hint="write true/false (also yes/no, on/off, 1/0)")


def _check_str(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)  # like OmegaConf: a YAML scalar written unquoted is still text
    raise _fail(value, annotation, path, source)


def _check_bytes(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    if isinstance(value, bytes):
        return value
    raise _fail(value, annotation, path, source)


_SCALARS = {int: _check_int, float: _check_float, bool: _check_bool, str: _check_str, bytes: _check_bytes}


def _check_union(value: Any, annotation: Any, path: str, source: str | None) -> Any:
    arms = [a for a in typing.get_args(annotation) if a is not _NONE]
    for arm in arms:  # an arm the value already fits exactly wins over one that converts it
        if isinstance(arm, type) and type(value) is arm:
            return value
    for arm in arms:
        try:
            return _check(value, arm, path, source)
        except ValidationError:
            continue
    raise _fail(value, annotation, path, source)


def _check_enum(value: Any, annotation: type[enum.Enum], path: str, source: str | None) -> Any:
    if isinstance(value, annotation):
        return value
    if isinstance(value, str):
        name = value.rpartition(".")[2] if value.startswith(annotation.__name__ + ".") else value
        if name in annotation.__members__:
            return annotation[name]
        raise _fail(
            value, annotation, path, source, hint=did_you_mean(name, annotation.__members__).strip() or None
        )
    if value.__class__ is not bool:
        for member in annotation:
            if member.value == value:
                return member
    raise _fail(value, annotation, path, source)


def _check_dataclass(value: Any, annotation: type, path: str, source: str | None) -> Any:
    if isinstance(value, annotation):
        return value
    if not isinstance(value, Mapping):
        raise _fail(value, annotation, path, source)
    fields = dataclass_fields(annotation)
    out = {}
    for key, item in value.items():
        if key not in fields:
            raise unknown_field(key, annotation, _join(path, key), source)
        out[key] = _check(item, fields[key], _join(path, key), source)
    return out


def unknown_field(key: Any, cls: type, path: str, source: str | None) -> ValidationError:
    """The error for a key that a dataclass schema does not declare."""
    fields = dataclass_fields(cls)
    return ValidationError(
        f"{key!r} is not a field of {cls.__name__}.{did_you_mean(key, fields)} "
        f"Fields: {', '.join(fields) or '(none)'}",
        path=path,
        source=source,
    )


def _check_generic(value: Any, annotation: Any, origin: Any, path: str, source: str | None) -> Any:
    args = typing.get_args(annotation)
    if origin in (list, tuple, set, frozenset, Sequence, typing.get_origin(typing.MutableSequence[int])):
        if not isinstance(value, (list, tuple)):
            raise _fail(value, annotation, path, source)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(value):
                raise _fail(value, annotation, path, source, hint=f"give exactly {len(args)} items")
            items = [_check(v, a, f"{path}[{i}]", source) for i, (v, a) in enumerate(zip(value, args))]
        else:
            item = args[0] if args else Any
            items = [_check(v, item, f"{path}[{i}]", source) for i, v in enumerate(value)]
        return type(value)(items) if isinstance(value, tuple) else items
    if origin in (dict, Mapping, typing.get_origin(typing.MutableMapping[str, int])):
        if not isinstance(value, Mapping):
            raise _fail(value, annotation, path, source)
        key_type, item = args if len(args) == 2 else (Any, Any)
        out = {}
        for key, v in value.items():
            checked_key = _check(key, key_type, _join(path, key), source)
            out[checked_key] = _check(v, item, _join(path, key), source)
        return out
    if isinstance(origin, type) and not isinstance(value, origin) and not isinstance(value, (Mapping, list)):
        raise _fail(value, annotation, path, source)
    return value


def _join(path: str, key: Any) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


__all__ = [
    "check_value",
    "child_annotation",
    "dataclass_fields",
    "describe",
    "is_unchecked",
    "unknown_field",
    "unwrap_optional",
]
