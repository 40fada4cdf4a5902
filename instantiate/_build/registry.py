"""Registries: short names for targets, from code (``@register``) or from installed plugins.

A plugin package publishes names under an entry-point group (``instantiate.targets`` for the
default registry). Nothing is scanned at import: the first name that code did not register
reads the group's names once, and a plugin's module is imported only when its name is used.
"""

from __future__ import annotations

import sys

from .._errors import RegistryError, did_you_mean
from .builder import build
from .targets import Names, registrations_changed

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar, overload

    T = TypeVar("T")

DEFAULT_GROUP = "instantiate.targets"


class _Published:
    """One entry point: where it points and which distribution published it."""

    __slots__ = ("distribution", "entry_point", "value")

    def __init__(self, value: str, distribution: str, entry_point: Any) -> None:
        self.value = value  # "module:qualname"
        self.distribution = distribution
        self.entry_point = entry_point


class Registry:
    """Named targets; ``entry_points`` is the plugin group to read names from.

    Examples:
        >>> MODELS = Registry("models", entry_points="myproj.models")
        >>> MODELS.register("mlp", MLP)            # doctest: +SKIP
        >>> MODELS.build({"_target_": "mlp"})      # doctest: +SKIP
    """

    def __init__(self, name: str, entry_points: str | None = None) -> None:
        self.name = name
        self.group = entry_points
        self._objects: dict[str, Any] = {}
        self._published: dict[str, list[_Published]] | None = None
        self._targets: dict[str, Any] = {}  # name -> resolved Target, see _targets
        self._generation = -1

    def __repr__(self) -> str:
        group = f", entry_points={self.group!r}" if self.group else ""
        return f"instantiate.Registry({self.name!r}{group})"

    # -- registering ------------------------------------------------------------------------
    if TYPE_CHECKING:

        @overload
        def register(self, name_or_obj: str, obj: None = None, *, replace: bool = False) -> Callable[[T], T]: ...
        @overload
        def register(self, name_or_obj: str, obj: T, *, replace: bool = False) -> T: ...
        @overload
        def register(self, name_or_obj: T, obj: None = None, *, replace: bool = False) -> T: ...
        @overload
        def register(
            self, name_or_obj: None = None, obj: None = None, *, replace: bool = False
        ) -> Callable[[T], T]: ...

    def register(self, name_or_obj: Any = None, obj: Any = None, *, replace: bool = False) -> Any:
        """Register a target: ``@register``, ``@register("name")`` or ``register("name", obj)``."""
        if name_or_obj is None:
            if obj is not None:
                raise RegistryError(f"registry {self.name!r}: register(None, {_describe(obj)}) needs a name")
            return lambda target: self._add(_name_of(target), target, replace)
        if isinstance(name_or_obj, str):
            if obj is None:
                return lambda target: self._add(name_or_obj, target, replace)
            return self._add(name_or_obj, obj, replace)
        return self._add(_name_of(name_or_obj), name_or_obj, replace)

    def _add(self, name: str, obj: Any, replace: bool) -> Any:
        if not isinstance(name, str) or not name:
            raise RegistryError(f"registry {self.name!r}: a name must be a non-empty string, not {name!r}")
        taken = self._objects.get(name)
        if taken is not None and taken is not obj and not replace and not _same_definition(taken, obj):
            raise RegistryError(
                f"registry {self.name!r}: the name {name!r} is taken by {_describe(taken)}; "
                f"cannot register {_describe(obj)} under it",
                hint="choose another name, or pass replace=True to replace it",
            )
        self._objects[name] = obj
        registrations_changed()
        return obj

    def unregister(self, name: str) -> None:
        """Forget a code registration (mainly for tests)."""
        self._objects.pop(name, None)
        registrations_changed()

    # -- looking up -------------------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._objects or name in self._entry_points()

    def names(self) -> list[str]:
        """Every name: registered in code and published by installed plugins."""
        return sorted({*self._objects, *self._entry_points()})

    def get(self, name: str) -> Any:
        """The object registered as ``name``; a miss lists the names and the closest one."""
        found = self.lookup(name)
        if found is None:
            raise self.unknown(name)
        return found

    def lookup(self, name: str) -> Any:
        """The object for ``name`` (importing its plugin if needed), or None when unknown."""
        obj = self._objects.get(name)
        if obj is not None:
            return obj
        published = self._entry_points().get(name)
        if not published:
            return None
        return self._load(name, published)

    def published(self, name: str) -> str | None:
        """The ``module:qualname`` a plugin published ``name`` as, without importing it."""
        if name in self._objects:
            return None
        found = self._entry_points().get(name)
        if not found:
            return None
        if len({p.value for p in found}) > 1:
            self._clash(name, found)
        return found[0].value

    def unknown(self, name: str) -> RegistryError:
        """The error for a name nobody registered."""
        names = self.names()
        shown = ", ".join(names[:30]) + (", ..." if len(names) > 30 else "")
        return RegistryError(
            f"registry {self.name!r} has no {name!r}.{did_you_mean(name, names)} "
            f"Available names: {shown or '(none)'}"
        )

    def find(self, name: str) -> dict[str, Any]:
        """Where ``name`` was defined: its module, file and line (like catalogue's ``find``)."""
        import inspect

        obj = self.get(name)
        target = inspect.unwrap(obj)
        try:
            file: str | None = inspect.getsourcefile(target)
            line: int | None = inspect.getsourcelines(target)[1]
        except (TypeError, OSError):
            file = line = None
        return {"module": getattr(target, "__module__", None), "file": file, "line": line}

    def build(self, config: Any, *args: Any, **kwargs: Any) -> Any:
        """``instantiate`` with this registry's names looked up first."""
        return build(config, args, kwargs, search_order(self), None)

    # -- plugins ----------------------------------------------------------------------------
    def _entry_points(self) -> dict[str, list[_Published]]:
        if self._published is None:
            self._published = _read_group(self.group) if self.group else {}
        return self._published

    def _load(self, name: str, published: list[_Published]) -> Any:
        if len({p.value for p in published}) > 1:
            self._clash(name, published)
        entry = published[0]
        try:
            obj = entry.entry_point.load()
        except Exception as error:
            raise RegistryError(
                f"registry {self.name!r}: {name!r} is published by the distribution "
                f"{entry.distribution!r} as {entry.value!r}, which failed to load: "
                f"{type(error).__name__}: {error}",
                hint=f"fix or reinstall {entry.distribution!r}",
            ) from error
        return obj

    def _clash(self, name: str, published: list[_Published]) -> None:
        who = "; ".join(f"{p.distribution!r} as {p.value!r}" for p in published)
        raise RegistryError(
            f"registry {self.name!r}: {name!r} is published by more than one installed "
            f"distribution ({who}), so it is ambiguous",
            hint="uninstall one of them, or register the one you want in code with replace=True",
        )

    def forget_plugins(self) -> None:
        """Re-read the entry-point group on next use (after installing a plugin at run time)."""
        self._published = None
        registrations_changed()


def _read_group(group: str) -> dict[str, list[_Published]]:
    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
    else:  # pragma: no cover - Python 3.9
        from importlib_metadata import entry_points

    found: dict[str, list[_Published]] = {}
    seen: set[tuple[str, str, str]] = set()
    for ep in entry_points(group=group):
        dist = getattr(getattr(ep, "dist", None), "name", None) or "<unknown distribution>"
        if (ep.name, ep.value, dist) in seen:  # one distribution found twice on sys.path
            continue
        seen.add((ep.name, ep.value, dist))
        found.setdefault(ep.name, []).append(_Published(ep.value, dist, ep))
    return found


def _name_of(obj: Any) -> str:
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str):
        raise RegistryError(f"{obj!r} has no __name__; register it with an explicit name")
    return name


def _describe(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else repr(obj)


def _same_definition(old: Any, new: Any) -> bool:
    """A re-executed definition (module reload, notebook cell) replaces its older self.

    Lambdas and functions made inside functions share a qualname while being different
    targets, so they never count as the same definition.
    """
    qualname = getattr(old, "__qualname__", None)
    return (
        isinstance(qualname, str)
        and "<" not in qualname  # <lambda>, <locals>
        and qualname == getattr(new, "__qualname__", None)
        and getattr(old, "__module__", None) == getattr(new, "__module__", None)
    )


registry = Registry("instantiate", entry_points=DEFAULT_GROUP)
"""The default registry: what `register` adds to, and plugins publish under `instantiate.targets`."""


def search_order(first: Registry | None = None) -> tuple[Names, ...]:
    """The registries a name is looked up in: ``first`` (if given), then the default one."""
    return (registry,) if first is None or first is registry else (first, registry)


def register(name_or_obj: Any = None, obj: Any = None, *, replace: bool = False) -> Any:
    """Register a target in the default registry (see ``Registry.register``)."""
    return registry.register(name_or_obj, obj, replace=replace)
