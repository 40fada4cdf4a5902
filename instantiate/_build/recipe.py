"""``Recipe``: the components of one run, each built on first use from one mapping of configs.

A recipe keeps one ``Builder`` for its whole life, so what the builder built is the cache:
``$<@model>`` inside the optimizer's config and ``recipe.model`` are the same object, however
they are reached first. One lock serialises building, so many threads asking at once still
build each component once.
"""

from __future__ import annotations

import _thread
from collections.abc import Iterable, Mapping
from types import MappingProxyType, TracebackType

from .builder import Builder
from .inputs import as_data, is_foreign, is_omegaconf, tree_and_link
from .._errors import CloseError, ConfigError, MissingComponentError, did_you_mean
from .._config.interpolation import MISSING, Tree
from .._config.nodes import Config
from .._config.paths import Link, link_keys, path_of
from .._config.provenance import MAPPINGS, SEQUENCES, copy_data
from .._config.recursion import allow_deep_recursion
from .registry import Registry
from .registry import search_order
from .policy import current_policy

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Callable


_NOTHING: Any = object()


class Recipe:
    """The lazy, cached components of a run: model, optimizer, loss, data loaders, ...

    Examples:
        >>> class Train(Recipe):
        ...     required = ("model", "optimizer")
        >>> with Train(cfg) as r:              # doctest: +SKIP
        ...     r.optimizer                    # its $<@model:parameters()> is r.model's

    A component named like a method here (``build``, ``built``, ``close``, ``names``,
    ``required``) is reached by key: ``r["build"]``.
    """

    required: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names: Any = cls.required
        if isinstance(names, str) or not all(isinstance(name, str) for name in names):
            raise TypeError(
                f"{cls.__qualname__}.required must be a tuple of component names, "
                f"like ('model', 'optimizer'), not {names!r}"
            )

    def __init__(
        self, config: Any, *, allow: str | Iterable[str] | None = None, registry: Registry | None = None
    ) -> None:
        """Check that every ``required`` component is present; build nothing yet.

        ``allow`` narrows the targets any component may use (as ``allowed_targets``); the policy
        in force here, at construction, governs every later build, in any thread.
        """
        view = _snapshot(config)
        data = view._link[0]
        if data.__class__ not in MAPPINGS:
            raise ConfigError(
                f"{type(self).__name__} needs a mapping of component configs, not a list",
                path=view.path,
                source=view.source,
            )
        absent = [name for name in self.required if name not in data or _is_missing(data[name])]
        if absent:
            raise MissingComponentError(
                f"{type(self).__name__} requires components that the config does not set: "
                f"{', '.join(absent)} (it has: {', '.join(map(str, data)) or 'nothing'})",
                path=view.path,
                source=view.source,
                hint="add them to the config, or remove them from required",
            )
        allow_deep_recursion()
        self._config = view
        self._builder = Builder(view._tree, search_order(registry), current_policy(allow))
        # Components built with a _target_, by id of their config node: how the builder's log
        # (which also holds nodes built through $<@...>) maps back to component names.
        self._component_ids = {
            id(node): name for name, node in data.items() if node.__class__ in MAPPINGS and "_target_" in node
        }
        self._built: dict[Any, Any] = {}  # name -> object, in the order they finished building
        self._seen_in_log = 0  # how much of the builder's log of built nodes is looked at
        self._closed: set[int] = set()
        self._is_closed = False  # set by close(): nothing is built after it
        self._lock = _thread.RLock()  # reentrant: a constructor may ask the recipe for more

    # -- reading ------------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never a component: keeps copy, pickle and hasattr sane
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: Any) -> Any:
        built = self._built.get(name, _NOTHING)
        if built is _NOTHING:
            with self._lock:  # close() holds it too: a build is wholly before or after a close
                built = self._built.get(name, _NOTHING)
                if built is _NOTHING:
                    if self._is_closed:
                        raise self._closed_error(name)
                    built = self._build(name)
        return built

    def _closed_error(self, name: Any) -> ConfigError:
        return ConfigError(
            f"{type(self).__name__} is closed: component {name!r} was not built before close() "
            "(or the end of its with block), and nothing is built after it",
            path=path_of(self._config._link, name) if name in self else None,
            source=self._config.source,
            hint="use the components inside the with block, or make a new recipe",
        )

    def __contains__(self, name: object) -> bool:
        return name in self._config._link[0]

    def names(self) -> list[Any]:
        """Every component name in the config, built or not, in config order."""
        return list(self._config._link[0])

    @property
    def built(self) -> Mapping[Any, Any]:
        """The components built so far, by name, in build order (a read-only live view)."""
        return MappingProxyType(self._built)

    def build(self, *names: Any) -> dict[Any, Any]:
        """Build the named components now (all of them when none is named) and return them."""
        wanted = names or tuple(self.names())
        unknown = [name for name in wanted if name not in self]
        if unknown:
            raise self._unknown(unknown)
        return {name: self[name] for name in wanted}

    def _build(self, name: Any) -> Any:
        data = self._config._link[0]
        if name not in data:
            raise self._unknown([name])
        try:
            built = self._builder.value(data[name], name, self._config._link)
        except ConfigError as error:
            if getattr(error, "component", None) is None:
                error.component = name  # type: ignore[attr-defined]
                error.message = f"recipe component {name!r}: {error.message}"
                error.args = (error.message, *error.args[1:])
            raise
        finally:
            self._note_built()  # whatever $<@...> built on the way is a component too, even now
        return self._built.setdefault(name, built)

    def _note_built(self) -> None:
        builder = self._builder
        seen = self._seen_in_log
        if seen == len(builder.built_nodes):
            return
        for node, obj in zip(builder.built_nodes[seen:], builder.built_objects[seen:]):
            name = self._component_ids.get(id(node))
            if name is not None:
                self._built.setdefault(name, obj)
        self._seen_in_log = len(builder.built_nodes)

    def _unknown(self, names: list[Any]) -> MissingComponentError:
        have = self.names()
        hint = did_you_mean(names[0], have) if len(names) == 1 else ""
        return MissingComponentError(
            f"{type(self).__name__} has no component {', '.join(map(repr, names))}.{hint} "
            f"Components: {', '.join(map(str, have)) or '(none)'}",
            path=path_of(self._config._link, names[0]),
            source=self._config.source,
        )

    # -- closing ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close built components, last built first: ``close()``, else a context manager's exit.

        Each object is closed at most once; every close is attempted, and failures are raised
        together as one ``CloseError`` (the first failure is its ``__cause__``).
        """
        with self._lock:
            self._is_closed = True
            failures: list[tuple[str, Exception]] = []
            for name, obj in reversed(list(self._built.items())):
                closer = None if id(obj) in self._closed else _closer(obj)
                if closer is None:
                    continue
                self._closed.add(id(obj))  # the object stays alive in _built, so its id is stable
                try:
                    closer()
                except Exception as error:
                    failures.append((name, error))
        if failures:
            listed = "; ".join(f"{name}: {type(e).__name__}: {e}" for name, e in failures)
            raise CloseError(
                f"closing {len(failures)} recipe component(s) failed: {listed}", failures
            ) from failures[0][1]

    def __enter__(self) -> Recipe:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.close()
        except CloseError as close_error:
            if error is None:
                raise
            # The block's own error is the one to see; close failures ride along as a note
            # (what add_note does on 3.11+, spelled so older versions keep it too).
            error.__notes__ = [*getattr(error, "__notes__", []), str(close_error)]  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        shown = [f"{name} (built)" if name in self._built else str(name) for name in self.names()]
        return f"<{type(self).__qualname__}: {', '.join(shown)}>"


Recipe.__module__ = "instantiate"


def _snapshot(config: Any) -> Config:
    """A private copy, so later edits to the caller's config cannot reach half-built state.

    It takes what ``instantiate`` takes (a Config, a mapping, a structured config, an OmegaConf
    node), read the same way (``tree_and_link``): the whole tree is copied and the view stays
    at the same place in it, so references outside it resolve, with the same resolvers.
    """
    tree, link = tree_and_link(config)
    if tree is None:
        what = "None" if link is None else type(link).__name__
        raise ConfigError(f"a Recipe is built from a mapping of component configs, not {what}")
    copied = Tree(copy_data(tree.data))
    copied.resolvers = tree.resolvers
    at: Link = (copied.data, tree.link[1], None)  # a structured config's root is named
    copied.link = at
    for key in link_keys(link):
        at = (at[0][key], key, at)
    components = at[0]
    if components.__class__ in MAPPINGS:
        for name, node in components.items():
            # A component given as a structured config or Mapping becomes plain data, so it is
            # known by its node like the others (see _component_ids) and closed in build order.
            cls = node.__class__
            if cls in MAPPINGS or cls in SEQUENCES or not is_foreign(node):
                continue  # copied with the tree already
            if not (isinstance(node, Config) or is_omegaconf(node)):
                components[name] = copy_data(as_data(node))
    return Config._view(copied, at)


def _is_missing(raw: Any) -> bool:
    return raw.__class__ is str and raw == MISSING


def _closer(obj: Any) -> Callable[[], Any] | None:
    """How to close a built component: its ``close()``, else ``__exit__`` of a context manager."""
    if isinstance(obj, type):  # a class handed over as a value: its close() needs an instance
        return None
    close = getattr(obj, "close", None)
    if callable(close):
        return close  # type: ignore[no-any-return]
    kind = type(obj)
    if hasattr(kind, "__enter__") and hasattr(kind, "__exit__"):
        return lambda: obj.__exit__(None, None, None)
    return None
