"""Finding what a ``_target_`` names, and deciding whether it may be used.

Order: a registry name, a plugin's published name, ``module:qualname``, then a dotted path
(the longest importable module prefix, then attributes). Each string is resolved once and
cached. An ``allowed_targets`` policy is checked before any module is imported and again on
the real ``module.qualname`` of what was found, so aliases cannot slip through.
"""

from __future__ import annotations

import contextvars
import importlib
import sys
from types import ModuleType
from collections.abc import Sequence

from .._errors import TargetError, did_you_mean

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Protocol
else:
    Protocol = object  # Names is only ever a type: a plain base does at run time

_policy: contextvars.ContextVar[Policy | None] = contextvars.ContextVar("instantiate_policy", default=None)


class Target:
    """A resolved ``_target_``: the callable and the names a policy is judged by."""

    __slots__ = ("name", "obj", "params", "real_name", "registered_as")

    def __init__(self, name: str, obj: Any, real_name: str, registered_as: str | None) -> None:
        self.name = name
        self.obj = obj
        self.real_name = real_name
        self.registered_as = registered_as
        self.params: Any = None  # signature facts, filled on first build (see signatures)

    def __repr__(self) -> str:
        return f"<target {self.name!r} -> {self.real_name}>"


# -- policy ---------------------------------------------------------------------------------
class Policy:
    """Patterns (``fnmatch`` style) a target must match; nested policies must all agree."""

    __slots__ = ("decided", "outer", "patterns", "prefixes")

    def __init__(self, patterns: tuple[str, ...], outer: Policy | None) -> None:
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise TargetError(f"allowed_targets takes non-empty pattern strings, not {pattern!r}")
        self.patterns = patterns
        self.outer = outer
        self.prefixes = tuple(_literal_prefix(p) for p in patterns)
        self.decided: dict[str, bool] = {}

    def allows(self, name: str) -> bool:
        """Does some pattern match ``name`` (and every outer policy too)?"""
        verdict = self.decided.get(name)
        if verdict is None:
            from fnmatch import fnmatchcase

            verdict = any(fnmatchcase(name, p) for p in self.patterns)
            self.decided[name] = verdict
        return verdict and (self.outer is None or self.outer.allows(name))

    def may_import(self, module: str) -> bool:
        """Could anything inside ``module`` match? If not, it is refused before importing."""
        dotted = module + "."
        ok = any(dotted.startswith(p) or p.startswith(dotted) or p == module for p in self.prefixes)
        return ok and (self.outer is None or self.outer.may_import(module))

    def describe(self) -> str:
        """All patterns in force, innermost first."""
        parts = [", ".join(self.patterns) or "(nothing)"]
        if self.outer is not None:
            parts.append(self.outer.describe())
        return " and ".join(parts)


def _literal_prefix(pattern: str) -> str:
    for i, char in enumerate(pattern):
        if char in "*?[":
            return pattern[:i]
    return pattern


class allowed_targets:
    """Refuse every target that matches none of ``patterns``, before importing its module.

    >>> with allowed_targets("torch.nn.*", "myapp.*"):   # doctest: +SKIP
    ...     model = instantiate(cfg.model)
    """

    def __init__(self, *patterns: str) -> None:
        self.patterns = patterns
        self._tokens: list[contextvars.Token[Policy | None]] = []

    def __enter__(self) -> allowed_targets:
        self._tokens.append(_policy.set(Policy(self.patterns, _policy.get())))
        return self

    def __exit__(self, *exc: object) -> None:
        _policy.reset(self._tokens.pop())


allowed_targets.__module__ = "instantiate"


def current_policy(extra: Any = None) -> Policy | None:
    """The policy in force, narrowed by ``extra`` patterns (a Recipe's or main's ``allow=``)."""
    policy = _policy.get()
    if extra is not None:
        patterns = (extra,) if isinstance(extra, str) else tuple(extra)
        policy = Policy(patterns, policy)
    return policy


def check_allowed(target: Target, policy: Policy, path: Any = None, source: Any = None) -> None:
    """Raise unless the policy allows the target's registered name or its real name."""
    if (target.registered_as and policy.allows(target.registered_as)) or policy.allows(target.real_name):
        return
    shown = target.name if target.name == target.real_name else f"{target.name} (really {target.real_name})"
    raise TargetError(
        f"target {shown} is not allowed here; allowed: {policy.describe()}",
        path=path,
        source=source,
        hint="add a matching pattern to allowed_targets(...) / allow=[...] if it is safe",
    )


# -- lookup ---------------------------------------------------------------------------------
class Names(Protocol):
    """What lookup needs of a registry (a ``Registry`` is one): its names, and a cache to keep."""

    _objects: dict[str, Any]
    _targets: dict[str, Any]
    _generation: int

    def names(self) -> list[str]: ...
    def published(self, name: str) -> str | None: ...
    def lookup(self, name: str) -> Any: ...


# Bumped on every registration anywhere, so target caches know when to forget.
_generation = 0


def registrations_changed() -> None:
    """Called by registries on every change: every cached lookup is forgotten."""
    global _generation
    _generation += 1


def target_cache(registry: Names) -> dict[str, Target]:
    """The registry's name -> Target cache, emptied if any registration happened since it was filled."""
    if registry._generation != _generation:
        registry._targets.clear()
        registry._generation = _generation
    return registry._targets


def resolve_target(name: Any, registries: Sequence[Names], policy: Policy | None) -> Target:
    """The target a ``_target_`` string names, checked against ``policy``; cached per first registry.

    ``registries`` are searched in order (a registry of the caller's, then the default one).
    """
    cache = target_cache(registries[0])
    target = cache.get(name) if name.__class__ is str else None
    if target is None:
        target = _find(name, registries, policy)
        if name.__class__ is str:  # a live callable may be unhashable, and is cheap to resolve
            cache[name] = target
    if policy is not None:
        check_allowed(target, policy)
    return target


def _find(name: Any, registries: Sequence[Names], policy: Policy | None) -> Target:
    if not isinstance(name, str):
        if callable(name):  # a live callable put in a config from code
            return Target(_real_name(name), name, _real_name(name), None)
        raise TargetError(f"_target_ must be a string naming a class or function, not {name!r}")
    name = name.strip()
    if not name:
        raise TargetError("_target_ is empty; name a class or function, like torch.nn.Linear")
    for reg in registries:
        if name in reg._objects:
            obj = reg._objects[name]
            return Target(name, obj, _real_name(obj), name)
        published = reg.published(name)
        if published is not None:
            if policy is not None and not policy.allows(name):
                _refuse_before_import(name, published.split(":")[0], policy)
            obj = reg.lookup(name)
            return Target(name, obj, _real_name(obj), name)
    if ":" in name:
        module, _, qualname = name.partition(":")
        if not module:
            raise TargetError(
                f"_target_ {name!r} names no module before ':'", hint="write it like torch.nn:Linear"
            )
        return _from_module(name, module, qualname.split(".") if qualname else [], policy, registries)
    return _from_dotted(name, policy, registries)


def _from_module(
    name: str, module_name: str, attrs: list[str], policy: Policy | None, registries: Sequence[Names]
) -> Target:
    module = _import(name, module_name, policy, registries, must_exist=True)
    return _descend(name, module, module_name, attrs, policy, registries, submodules=False)


def _from_dotted(name: str, policy: Policy | None, registries: Sequence[Names]) -> Target:
    parts = name.split(".")
    if any(not p for p in parts):
        raise TargetError(
            f"_target_ {name!r} is not a valid dotted path", hint="write it like torch.nn.Linear"
        )
    module = _import(name, parts[0], policy, registries, must_exist=True)
    return _descend(name, module, parts[0], parts[1:], policy, registries, submodules=True)


def _descend(
    name: str,
    obj: Any,
    where: str,
    attrs: list[str],
    policy: Policy | None,
    registries: Sequence[Names],
    submodules: bool,
) -> Target:
    """Follow attributes from ``obj``; in a dotted path a missing one may be a submodule."""
    for attr in attrs:
        # A module __getattr__ may import a submodule here (torch does): judge it first.
        if (
            policy is not None
            and isinstance(obj, ModuleType)
            and attr not in vars(obj)
            and not policy.may_import(f"{where}.{attr}")
        ):
            _refuse_before_import(name, f"{where}.{attr}", policy)
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            found = None
            if submodules and isinstance(obj, ModuleType):
                found = _import(name, f"{where}.{attr}", policy, registries, must_exist=False)
            if found is None:
                public = [n for n in dir(obj) if not n.startswith("_")]
                raise TargetError(
                    f"cannot find _target_ {name!r}: {where} has no attribute {attr!r}."
                    + did_you_mean(attr, public)
                ) from None
            obj = found
        where = f"{where}.{attr}"
    if isinstance(obj, ModuleType):
        raise TargetError(
            f"_target_ {name!r} names a module, not a class or function inside it",
            hint=f"name something in it, like {name}.SomeClass",
        )
    if not callable(obj):
        raise TargetError(f"_target_ {name!r} is {type(obj).__name__} {obj!r}, which cannot be called")
    return Target(name, obj, _real_name(obj), None)


def _import(
    name: str, module_name: str, policy: Policy | None, registries: Sequence[Names], must_exist: bool
) -> Any:
    if policy is not None and not policy.may_import(module_name):
        _refuse_before_import(name, module_name, policy)
    module = sys.modules.get(module_name)
    if module is not None:
        return module
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if (
            error.name is not None
            and module_name != error.name
            and not module_name.startswith(error.name + ".")
        ):
            raise _import_failed(name, module_name, error) from error
        if not must_exist:
            return None
        names = [n for reg in registries for n in reg.names()]
        raise TargetError(
            f"cannot find _target_ {name!r}: it is not a registered name, no installed plugin "
            f"publishes it, and there is no module {module_name!r}.{did_you_mean(name, names)}",
            hint="register it with @instantiate.register, or write the full path like torch.nn.Linear",
        ) from None
    except Exception as error:
        raise _import_failed(name, module_name, error) from error


def _import_failed(name: str, module_name: str, error: BaseException) -> TargetError:
    return TargetError(
        f"_target_ {name!r}: importing module {module_name!r} failed: {type(error).__name__}: {error}",
        hint="the module exists but raised while importing; fix that error first",
    )


def _refuse_before_import(name: str, module_name: str, policy: Policy) -> None:
    raise TargetError(
        f"target {name} is not allowed here (module {module_name!r} is outside the allowed "
        f"patterns, so it was not imported); allowed: {policy.describe()}",
        hint="add a matching pattern to allowed_targets(...) / allow=[...] if it is safe",
    )


def _real_name(obj: Any) -> str:
    """``module.qualname`` of where an object is really defined (``os.system`` -> ``posix.system``)."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if module is None and qualname is not None:
        owner = getattr(obj, "__objclass__", None) or getattr(obj, "__self__", None)
        owner_type = owner if isinstance(owner, type) else type(owner)
        module = getattr(owner_type, "__module__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        kind = type(obj)
        return f"{kind.__module__}.{kind.__qualname__}"
    return f"{module}.{qualname}"
