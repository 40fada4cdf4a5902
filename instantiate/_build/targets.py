"""Finding what a ``_target_`` names, and deciding whether it may be used.

Order: a registry name, a plugin's published name, ``module:qualname``, then a dotted path
(the longest importable module prefix, then attributes). Each string is resolved once and
cached. An ``allowed_targets`` policy is checked before any module is imported and again on
the real ``module.qualname`` of what was found, so aliases cannot slip through.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from .._errors import RegistryError, TargetError, did_you_mean
from .denylist import denied, denied_object
from .imports import guarded
from .policy import Policy, effective, real_name, refused

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Protocol
else:
    Protocol = object  # Names is only ever a type: a plain base does at run time


class Target:
    """A resolved ``_target_``: the callable and the names a policy is judged by."""

    __slots__ = ("denied", "name", "obj", "params", "real_name", "registered_as")

    def __init__(self, name: str, obj: Any, real: str, registered_as: str | None) -> None:
        self.name = name
        self.obj = obj
        self.real_name = real
        self.registered_as = registered_as
        self.params: Any = None  # signature facts, filled on first build (see signatures)
        self.denied = denied(real) or denied_object(obj)  # by the built-in deny list

    def __repr__(self) -> str:
        return f"<target {self.name!r} -> {self.real_name}>"


def check_allowed(target: Target, policy: Policy, path: Any = None, source: Any = None) -> None:
    """Raise unless the policy allows the target's registered name or its real name."""
    if policy.layers:
        if not (
            (target.registered_as and policy.allows(target.registered_as)) or policy.allows(target.real_name)
        ):
            raise _refused(target, policy, path, source)
    if (
        target.denied
        and not policy.trusted
        and not any(
            name in layer.exact
            for layer in policy.layers
            for name in (target.real_name, target.registered_as)
        )
    ):
        raise _refused(target, policy, path, source)


def _refused(target: Target, policy: Policy, path: Any, source: Any) -> TargetError:
    shown = target.name if target.name == target.real_name else f"{target.name} (really {target.real_name})"
    return refused("target", shown, policy, path, source)


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
    ``policy`` ``None`` is the default (the deny list); every block active in any thread holds too.
    """
    policy = effective(policy)
    cache = target_cache(registries[0])
    target = cache.get(name) if name.__class__ is str else None
    if target is None:
        target = _find(name, registries, policy)
        if name.__class__ is str:  # a live callable may be unhashable, and is cheap to resolve
            cache[name] = target
    check_allowed(target, policy)
    return target


def _find(name: Any, registries: Sequence[Names], policy: Policy) -> Target:
    if not isinstance(name, str):
        if callable(name) and not isinstance(name, ModuleType):  # a live callable, or a built object
            return Target(real_name(name), name, real_name(name), None)
        raise TargetError(
            f"_target_ must be a string naming a class or function, or a callable object, not {name!r}"
        )
    name = name.strip()
    if not name:
        raise TargetError("_target_ is empty; name a class or function, like torch.nn.Linear")
    for reg in registries:
        if name in reg._objects:
            obj = reg._objects[name]
            return Target(name, obj, real_name(obj), name)
        published = reg.published(name)
        if published is not None:
            module = published.split(":")[0]
            if not policy.allows(name) and not policy.may_import(module):
                _refuse_before_import(name, module, policy)
            try:
                obj = reg.lookup(name)
            except (TargetError, RegistryError):
                raise
            except Exception as error:
                raise _import_failed(name, module, error) from error
            return Target(name, obj, real_name(obj), name)
    if ":" in name:
        module, _, qualname = name.partition(":")
        if not module:
            raise TargetError(
                f"_target_ {name!r} names no module before ':'", hint="write it like torch.nn:Linear"
            )
        return _from_module(name, module, qualname.split(".") if qualname else [], policy, registries)
    return _from_dotted(name, policy, registries)


def _from_module(
    name: str, module_name: str, attrs: list[str], policy: Policy, registries: Sequence[Names]
) -> Target:
    module = _import(name, module_name, policy, registries, must_exist=True)
    return _descend(name, module, module_name, attrs, policy, registries, submodules=False)


def _from_dotted(name: str, policy: Policy, registries: Sequence[Names]) -> Target:
    parts = name.split(".")
    if any(not p for p in parts):
        raise TargetError(
            f"_target_ {name!r} is not a valid dotted path", hint="write it like torch.nn.Linear"
        )
    module = _import(name, parts[0], policy, registries, must_exist=True)
    return _descend(name, module, parts[0], parts[1:], policy, registries, submodules=True)


_ABSENT: Any = object()


def _static(obj: Any, attr: str) -> Any:
    from inspect import getattr_static  # only under an allow-list: inspect costs every start-up

    return getattr_static(obj, attr, _ABSENT)


def _descend(
    name: str,
    obj: Any,
    where: str,
    attrs: list[str],
    policy: Policy,
    registries: Sequence[Names],
    submodules: bool,
) -> Target:
    """Follow attributes from ``obj``; in a dotted path a missing one may be a submodule.

    Before each step that could import (a module's missing attribute: a submodule, or its
    lazy ``__getattr__``), the real name of what would be imported is judged; a module reached
    through an alias (``torch.nn.functional.torch``) is named by what it really is.
    """
    for attr in attrs:
        lazy = False
        if isinstance(obj, ModuleType):
            real = getattr(obj, "__name__", None)
            where = real if isinstance(real, str) else where
            lazy = attr not in vars(obj)
            if lazy and not policy.may_import(f"{where}.{attr}"):
                _refuse_before_import(name, f"{where}.{attr}", policy)
        elif policy.layers and _static(obj, attr) is _ABSENT:
            # Only a __getattr__ could answer: code that might import anything. Refused.
            raise TargetError(
                f"_target_ {name!r}: {where} has no plain attribute {attr!r} (it would be computed "
                f"by {type(obj).__name__}.__getattr__), so it is not looked up under allowed_targets"
            )
        try:
            obj = _read(obj, attr, lazy, name, policy)
        except AttributeError:
            found = None
            if submodules and isinstance(obj, ModuleType):
                found = _import(name, f"{where}.{attr}", policy, registries, must_exist=False)
            if found is None:
                public = [n for n in _names_of(obj) if not n.startswith("_")]
                raise TargetError(
                    f"cannot find _target_ {name!r}: {where} has no attribute {attr!r}."
                    + did_you_mean(attr, public)
                ) from None
            obj = found
        except TargetError:
            raise
        except Exception as error:  # a lazy loader that failed, or a property that raised
            raise TargetError(
                f"cannot find _target_ {name!r}: looking up {attr!r} on {where} raised "
                f"{type(error).__name__}: {error}",
                hint="the module's own attribute lookup failed; its error is the __cause__",
            ) from error
        where = f"{where}.{attr}"
    if isinstance(obj, ModuleType):
        raise TargetError(
            f"_target_ {name!r} names a module, not a class or function inside it",
            hint=f"name something in it, like {name}.SomeClass",
        )
    if not callable(obj):
        raise TargetError(f"_target_ {name!r} is {type(obj).__name__} {obj!r}, which cannot be called")
    return Target(name, obj, real_name(obj), None)


def _read(obj: Any, attr: str, lazy: bool, name: str, policy: Policy) -> Any:
    """``getattr``; on a module's missing attribute, with every import it causes judged first."""
    if not lazy:
        return getattr(obj, attr)
    with guarded(policy) as guard:
        try:
            found = getattr(obj, attr)
        finally:
            if guard.refused is not None:  # even if the lazy loader swallowed the refusal
                _refuse_before_import(name, guard.refused, policy)
    return found


def _names_of(obj: Any) -> list[str]:
    """Names for a 'did you mean', read without running a module's ``__dir__``."""
    try:
        return list(vars(obj)) if isinstance(obj, ModuleType) else dir(obj)
    except Exception:
        return []


def _import(
    name: str, module_name: str, policy: Policy, registries: Sequence[Names], must_exist: bool
) -> Any:
    if not policy.may_import(module_name):
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
        why, hint = _not_on_path(module_name)
        raise TargetError(
            f"cannot find _target_ {name!r}: it is not a registered name, no installed plugin "
            f"publishes it, and there is no module {module_name!r}{why}.{did_you_mean(name, names)}",
            hint=hint or "register it with @instantiate.register, or write the full path like torch.nn.Linear",
        ) from None
    except Exception as error:
        raise _import_failed(name, module_name, error) from error


def _not_on_path(module_name: str) -> tuple[str, str | None]:
    """Why a module of the working directory was not found: that directory is not on sys.path."""
    top = module_name.split(".", 1)[0]
    cwd = os.getcwd()
    if not (os.path.isdir(top) or os.path.isfile(top + ".py")):
        return "", None
    if "" in sys.path or any(os.path.abspath(entry or ".") == cwd for entry in sys.path):
        return "", None
    return (
        f" on sys.path (there is ./{top} in the working directory {cwd}, but that directory is not on sys.path)",
        "run from there with `python -m ...`, or set PYTHONPATH=. so the working directory's modules are found",
    )


def _import_failed(name: str, module_name: str, error: BaseException) -> TargetError:
    return TargetError(
        f"_target_ {name!r}: importing module {module_name!r} failed: {type(error).__name__}: {error}",
        hint="the module exists but raised while importing; fix that error first",
    )


def _refuse_before_import(name: str, module_name: str, policy: Policy) -> None:
    outside = any(not layer.may_import(module_name) for layer in policy.layers)
    why = "outside the allowed patterns" if outside else "all on the built-in deny list"
    raise TargetError(
        f"target {name} is not allowed here (module {module_name!r} is {why}, so it was not "
        f"imported); {policy.describe()}",
        hint="add a matching pattern to allowed_targets(...) / allow=[...] if it is safe",
    )
