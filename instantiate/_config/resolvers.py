"""Resolver functions for ``$<name:args>``: the built-ins and the ones users register."""

from __future__ import annotations

import os

from .._errors import ConfigError, InterpolationError
from .paths import KEY_STOP

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Callable


class Resolver:
    """A registered resolver and which context arguments it asked for."""

    __slots__ = ("fn", "use_cache", "wants_parent", "wants_root")

    def __init__(self, fn: Callable[..., Any], wants_root: bool, wants_parent: bool, use_cache: bool) -> None:
        self.fn = fn
        self.wants_root = wants_root
        self.wants_parent = wants_parent
        self.use_cache = use_cache


_registered: dict[str, Resolver] = {}

# Resolvers the evaluator implements itself because they read the config tree (tree_resolvers).
TREE_RESOLVERS = frozenset(
    {"select", "oc.select", "oc.decode", "oc.create", "oc.dict.keys", "oc.dict.values", "oc.deprecated"}
)


def register_resolver(
    name: str, fn: Callable[..., Any], *, replace: bool = False, use_cache: bool = False
) -> None:
    """Make ``$<name:a,b>`` call ``fn(a, b)``; registering a taken name needs ``replace=True``.

    ``fn`` may take keyword arguments ``_root_`` and ``_parent_`` (as in OmegaConf) to receive
    the config root and the node that holds the value. With ``use_cache`` each config tree
    calls it once per distinct arguments (so ``$<now:%H-%M-%S>`` is one time everywhere).
    """
    if not _callable_name(name):
        raise ConfigError(f"resolver name {name!r} is not valid: use letters, digits, '_' and '.'")
    if name in TREE_RESOLVERS:
        raise ConfigError(f"resolver {name!r} is built into the evaluator and cannot be replaced")
    if name in _registered and not replace:  # SPEC 3: even the same function again
        raise ConfigError(
            f"a resolver named {name!r} is already registered",
            hint=f"pass replace=True to register_resolver({name!r}, ...) to replace it",
        )
    if not callable(fn):
        raise ConfigError(
            f"resolver {name!r} must be a function or another callable, not {type(fn).__name__} {fn!r}",
            hint=f"register_resolver({name!r}, lambda x: ...)",
        )
    code = getattr(fn, "__code__", None)
    params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount] if code else ()
    named = [p for p in ("_parent_", "_root_") if p in params]
    if use_cache and named:  # as OmegaConf: the value depends on where it is used, not on the args
        raise ConfigError(
            f"resolver {name!r} takes {named[0]}, so use_cache=True would give every place the first value",
            hint="register it without use_cache, or drop the context argument",
        )
    has_var_kw = bool(code and code.co_flags & 0x08) and not use_cache
    _registered[name] = Resolver(
        fn, "_root_" in params or has_var_kw, "_parent_" in params or has_var_kw, use_cache
    )


def _callable_name(name: Any) -> bool:
    """Whether ``$<name:...>`` parses as a call of ``name`` (see ``grammar.ref_or_call``)."""
    if not isinstance(name, str) or not name or name[0] == "." or name[-1] == "." or ".." in name:
        return False
    return not any(c in KEY_STOP and c != "." for c in name)


def clear_resolvers() -> None:
    """Forget user-registered resolvers, keeping the built-ins (for test isolation)."""
    _registered.clear()
    _register_builtins()


def get_resolver(name: str) -> Resolver | None:
    """The resolver registered under ``name``, if any."""
    return _registered.get(name)


def resolver_names() -> list[str]:
    """Every name a ``$<name:...>`` call may use."""
    return sorted([*_registered, *TREE_RESOLVERS])


_UNSET = object()


def _env(name: Any = _UNSET, default: Any = _UNSET) -> Any:
    if name is _UNSET or not isinstance(name, str) or not name:
        raise InterpolationError("env needs the name of an environment variable: $<env:NAME[,default]>")
    value = os.environ.get(name)
    if value is not None:
        return value
    if default is not _UNSET:  # text like the variable itself, as OmegaConf's oc.env gives
        return default if default is None else str(default)
    raise InterpolationError(
        f"environment variable {name!r} is not set",
        hint=f"set it, or give a default: $<env:{name},default>",
    )


def _now(fmt: Any = "%Y-%m-%d_%H-%M-%S") -> str:
    from datetime import datetime  # only when a config asks for the time

    return datetime.now().strftime(str(fmt))


def _register_builtins() -> None:
    for name in ("env", "oc.env"):
        register_resolver(name, _env, replace=True)
    register_resolver("now", _now, replace=True, use_cache=True)


_register_builtins()
