"""The special keys of a config node (SPEC 4.3), and how the builder reads their values."""

from __future__ import annotations

import sys

from .._config.interpolation import MISSING, Live, Tree
from .._config.nodes import Config
from .._config.paths import Link, path_of
from .._config.provenance import MAPPINGS, source_of
from .._errors import InstantiationError

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

SPECIAL_KEYS = frozenset({"_target_", "_args_", "_partial_", "_recursive_", "_convert_", "_lazy_"})
FLAGS = frozenset({"_partial_", "_recursive_", "_convert_", "_lazy_"})
_CONVERT_VALUES = {"none": True, "all": False, "partial": False, "object": False}


def flag_value(node: Any, key: str, default: bool, link: Link) -> bool:
    """The value of ``_partial_``, ``_recursive_`` or ``_lazy_`` in ``node``: true or false only."""
    value = node.get(key, default)
    if value.__class__ is Live:
        value = value.value
    if value is True or value is False:
        return value
    raise InstantiationError(
        f"{key} must be true or false, not {value!r}",
        path=path_of(link, key),
        source=source_of(node, key),
    )


def inherited(link: Link, name: str, default: bool) -> bool:
    """The ``_convert_`` mode (True for none) or ``_recursive_`` the nodes around ``link`` give it.

    ``_recursive_`` comes from target-less nodes only: a target node builds what it holds in full.
    """
    parent = link[2]
    while parent is not None:
        data = parent[0]
        if data.__class__ in MAPPINGS:
            if name == "_recursive_" and "_target_" in data:
                return True
            if name in data:
                return converts_none(data, parent) if name == "_convert_" else flag_value(data, name, True, parent)
        parent = parent[2]
    return default


def converts_none(node: Any, link: Link) -> bool:
    """Whether ``node``'s ``_convert_`` is none (a string, null, or an enum such as Hydra's ConvertMode)."""
    value = node["_convert_"]
    if value.__class__ is Live:
        value = value.value
    if value is None:
        return True
    enum = sys.modules.get("enum")  # Hydra's ConvertMode, without importing hydra
    if enum is not None and isinstance(value, enum.Enum):
        value = value.value if isinstance(value.value, str) else value.name
    mode = _CONVERT_VALUES.get(str(value).lower())
    if mode is None:
        raise InstantiationError(
            f"_convert_ must be one of none, all, partial, object; not {value!r}",
            path=path_of(link, "_convert_"),
            source=source_of(node, "_convert_"),
        )
    return mode


def list_flags(args: tuple[Any, ...], kwargs: dict[str, Any], link: Link) -> tuple[bool, bool]:
    """The ``_convert_`` (True for none) and ``_recursive_`` call-time arguments give a list.

    A list takes nothing else (as in Hydra, ``_partial_=True`` is refused).
    """
    if args or not FLAGS.issuperset(kwargs):
        raise InstantiationError(
            "call-time arguments need a mapping node, but this node is a list",
            path=path_of(link),
            hint="a list takes only _convert_ and _recursive_ at call time; pass the others to its items",
        )
    for name in ("_partial_", "_lazy_"):
        if flag_value(kwargs, name, False, link):
            raise InstantiationError(
                f"{name}=True does not apply to a list (as in Hydra)",
                path=path_of(link),
                hint=f"set {name}: true on the items of the list",
            )
    convert = converts_none(kwargs, link) if "_convert_" in kwargs else False
    return convert, flag_value(kwargs, "_recursive_", True, link)


def converted(built: Any) -> Config:
    """``_convert_: none``: hand target-less containers over as Config nodes.

    The values are built already: a nested container converted a moment ago joins this
    node's tree, and text that reads like ``$<...>`` or ``???`` stays text.
    """
    for key, value in built.items() if built.__class__ is dict else enumerate(built):
        cls = value.__class__
        if cls is Config and value._tree.__class__ is _BuiltTree:
            built[key] = value._tree.data
        elif cls is str and ("$" in value or value == MISSING):
            built[key] = Live(value)
    tree = _BuiltTree(built)
    return Config._view(tree, tree.link)


class _BuiltTree(Tree):
    """The tree of a container handed to a target under ``_convert_: none``."""

    __slots__ = ()
