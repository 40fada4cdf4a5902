"""OmegaConf's built-in resolvers that read the config tree: ``oc.decode``, ``oc.create``,
``oc.dict.keys``, ``oc.dict.values``, ``oc.deprecated`` (``select``/``oc.select`` live in the
evaluator itself).

Each is called as ``fn(evaluator, call, holder, key)`` and gives ``(value, link)`` as the
evaluator's own steps do. Paths are read as OmegaConf reads them here: from the root, or from
the node holding the value when they start with a dot.
"""

from __future__ import annotations

from .._errors import InterpolationError
from .expressions import Call, DictArg, Expr, ListArg, Ref
from .grammar import parse_element
from .paths import Link, format_path, link_keys, parse_path, path_of
from .provenance import CONTAINERS, MAPPINGS, SEQUENCES, in_tree, kind_of

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Callable

_DEPRECATED = "'$OLD_KEY' is deprecated. Change your code and config to use '$NEW_KEY'"


def _args(ev: Any, expr: Call, holder: Link, key: Any, low: int, high: int, usage: str) -> list[Any]:
    if not low <= len(expr.args) <= high:
        raise InterpolationError(f"{expr.text}: {usage}")
    return [ev.argument(arg, holder, key) for arg in expr.args]


def _text(value: Any, expr: Call, what: str) -> str:
    if value.__class__ is not str:
        raise InterpolationError(f"{expr.text}: {what} must be text, not {kind_of(value)}")
    return value


def decode(ev: Any, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
    """``oc.decode:'[1, ${x}]'``: a string read as one argument value, interpolations resolved here."""
    (value,) = _args(
        ev, expr, holder, key, 1, 1, "oc.decode takes one string, as in ${oc.decode:${oc.env:N}}"
    )
    if value is None:
        return None, None
    text = _text(value, expr, "the value oc.decode reads")
    try:
        element = parse_element(text)
    except InterpolationError as error:
        raise InterpolationError(f"{expr.text}: oc.decode {error.message}") from None
    if isinstance(element, Expr) and not isinstance(element, (ListArg, DictArg)):
        return ev.evaluate(element, holder, key)  # type: ignore[no-any-return]
    return ev.result(ev.argument(element, holder, key), holder, key)  # type: ignore[no-any-return]


def create(ev: Any, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
    """``oc.create:{a: 1}``: a node made here; its strings are interpolations, as in OmegaConf."""
    (value,) = _args(ev, expr, holder, key, 1, 1, "oc.create takes one dict, list or YAML text")
    if value is None:
        return None, None  # OmegaConf.create(None) is a null node
    if value.__class__ is str:
        from .loading import parse_yaml  # only when a config asks for it

        value = parse_yaml(value)
        if value is None:
            value = {}
        elif value.__class__ not in CONTAINERS:
            value = {value: None}  # OmegaConf.create("abc") is {"abc": None}
    data = _unresolved(value)
    if data.__class__ not in CONTAINERS:
        raise InterpolationError(
            f"{expr.text}: oc.create makes a node from a dict, a list or YAML text, not {kind_of(value)}"
        )
    return ev.result(data, holder, key, live=True)  # type: ignore[no-any-return]


def _unresolved(value: Any) -> Any:
    """A fresh copy of an argument's data; nodes inside give their data as written."""
    cls = value.__class__
    if cls in MAPPINGS:
        return {k: _unresolved(v) for k, v in value.items()}
    if cls in SEQUENCES:
        return [_unresolved(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None and getattr(value, "_link", None) is not None:  # a Config node
        return to_dict(resolve=False)
    return value


def _mapping(ev: Any, expr: Call, holder: Link, key: Any, name: str) -> tuple[Any, Link, Ref]:
    (where,) = _args(
        ev, expr, holder, key, 1, 1, f"{name} takes the path of a mapping, as in ${{{name}:model}}"
    )
    up, keys = parse_path(_text(where, expr, f"the path {name} reads"))
    ref = Ref(up, keys, expr.text)
    found, link = ev.lookup(ref, holder, key)
    if link is None or link[0].__class__ not in MAPPINGS:
        raise InterpolationError(
            f"{expr.text}: {name} needs a mapping, but {where} is {kind_of(found)}",
            hint="give the path of a mapping node",
        )
    return found, link, ref


def dict_keys(ev: Any, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
    """``oc.dict.keys:path``: the mapping's keys as a list node."""
    found, _, _ = _mapping(ev, expr, holder, key, "oc.dict.keys")
    return ev.result(list(found.keys()), holder, key)  # type: ignore[no-any-return]


def dict_values(ev: Any, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
    """``oc.dict.values:path``: a list node of references to the mapping's values (read lazily)."""
    found, link, _ = _mapping(ev, expr, holder, key, "oc.dict.values")
    keys = link_keys(link)
    if in_tree(link) and all(_plain_key(k) for k in keys) and all(_plain_key(k) for k in found):
        return ev.result([f"${{{format_path([*keys, k])}}}" for k in found], holder, key, live=True)  # type: ignore[no-any-return]
    values = []
    for k in found:  # a node no path reaches (a resolver made it): its values now
        value, vlink = ev.lookup(Ref(0, (k,), expr.text), link, None)
        values.append(ev.view(ev.tree, vlink) if vlink is not None else value)
    return ev.result(values, holder, key)  # type: ignore[no-any-return]


def deprecated(ev: Any, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
    """``oc.deprecated:new.key[,message]``: the value at the new key, with a warning naming both."""
    args = _args(ev, expr, holder, key, 1, 2, "oc.deprecated takes the new key and an optional message")
    where = _text(args[0], expr, "the key oc.deprecated redirects to")
    message = _text(args[1], expr, "the message of oc.deprecated") if len(args) > 1 else _DEPRECATED
    up, keys = parse_path(where)
    ref = Ref(up, keys, expr.text)
    value, link = ev.lookup(ref, holder, key)
    new = path_of(ev.start(ref, holder), *keys)
    import string
    import warnings

    text = string.Template(message).safe_substitute(OLD_KEY=path_of(holder, key), NEW_KEY=new)
    warnings.warn(text, UserWarning, stacklevel=2)
    return value, link


def _plain_key(key: Any) -> bool:
    """A key that ``${a.b}`` spells as written."""
    if key.__class__ is int:
        return True
    return key.__class__ is str and key != "" and key.isidentifier()


# Every resolver the evaluator answers itself, by name.
CALLS: dict[str, Callable[[Any, Call, Link, Any], tuple[Any, Link | None]] | None] = {
    "select": None,
    "oc.select": None,
    "oc.decode": decode,
    "oc.create": create,
    "oc.dict.keys": dict_keys,
    "oc.dict.values": dict_values,
    "oc.deprecated": deprecated,
}
