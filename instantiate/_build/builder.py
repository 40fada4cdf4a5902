"""``instantiate``: one depth-first walk over raw config containers that builds objects.

The walk never copies or wraps the config: it reads the containers in place, carries a link
(container, key, parent) for relative references and error paths, resolves each ``_target_``
through a per-registry cache, and checks each call against a signature read once per target.
Nodes with ``_target_`` are built at most once per call (per Recipe), which is what makes
``$<@path>`` share one object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._errors import (
    ConfigError,
    CycleError,
    InstantiationError,
    InterpolationError,
    MissingValueError,
    RegistryError,
    TargetError,
)
from .._config.interpolation import MISSING, Evaluator, Live, Tree
from .._config.nodes import Config, copy_data, to_data
from .._config.paths import Link, path_of
from .._config.provenance import MAPPINGS, SEQUENCES, MarkedDict, MarkedList, source_of
from .._config.recursion import allow_deep_recursion
from .calls import node_source as _node_source
from .calls import target_failed
from .plan import cached_plan
from .signatures import Checked, call_problem, params_of
from .targets import Names, Policy, Target, current_policy, resolve_target, target_cache

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

SPECIAL_KEYS = frozenset({"_target_", "_args_", "_partial_", "_recursive_", "_convert_", "_lazy_"})
_SCALARS = frozenset({str, int, float, bool, type(None)})
_FLAGS = frozenset({"_partial_", "_recursive_", "_convert_", "_lazy_"})
_CONVERT_VALUES = {"none": True, "all": False, "partial": False, "object": False}


def build(
    config: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None, registries: Sequence[Names], allow: Any
) -> Any:
    """Build ``config``, looking names up in ``registries`` in order, under the policy plus ``allow``."""
    tree, link = _tree_and_link(config)
    if tree is None:
        if args or kwargs:
            raise InstantiationError(
                f"call-time arguments need a mapping node, but the config is {type(config).__name__} "
                f"{config!r}"
            )
        return config
    allow_deep_recursion()
    policy = current_policy(allow)
    if policy is None and not (args or kwargs) and config.__class__ is Config:
        plan = cached_plan(config, registries)  # compiled once per Config node, see plan.py
        if plan is not None:
            return plan()
    builder = Builder(tree, registries, policy)
    return builder.build_top(link, args, kwargs or {})


def _tree_and_link(config: Any) -> tuple[Tree | None, Any]:
    if isinstance(config, Config):
        return config._tree, config._link
    cls = config.__class__
    if cls in MAPPINGS or cls in SEQUENCES:
        tree = Tree(config)  # plain data is read in place, never copied
        return tree, tree.link
    if type(config).__module__.startswith("omegaconf"):  # a DictConfig from a Hydra codebase
        return _omegaconf_tree(config)
    if isinstance(config, (Mapping, list, tuple)):
        tree = Tree(to_data(config))
        return tree, tree.link
    return None, None


def _omegaconf_tree(config: Any) -> tuple[Tree, Link]:
    """The whole OmegaConf config as a tree, and ``config``'s place in it.

    A node taken out of a DictConfig (``cfg.model``) still belongs to its config, and its
    ``${...}`` references may reach outside it, as they do in OmegaConf.
    """
    from omegaconf import OmegaConf

    keys = []
    root = config
    while root._get_parent() is not None:
        keys.append(root._key())
        root = root._get_parent()
    tree = Tree(OmegaConf.to_container(root, resolve=False))
    link = tree.link
    for key in reversed(keys):
        link = (link[0][key], key, link)
    return tree, link


class Builder:
    """The state of one build: the tree, what is built so far, and what is being built."""

    __slots__ = (
        "building",
        "convert_none",
        "copying",
        "evaluator",
        "fresh",
        "memo",
        "policy",
        "registries",
        "shared",
        "targets",
        "tree",
    )

    def __init__(self, tree: Tree, registries: Sequence[Names], policy: Policy | None) -> None:
        self.tree = tree
        self.registries = registries
        self.policy = policy
        self.targets = target_cache(registries[0])  # name -> Target, shared with every build
        self.memo: dict[int, Any] = {}  # id(node) -> its built object
        self.shared: set[int] = set()  # nodes some $<@path> refers to
        self.building: dict[int, Link] = {}  # nodes under construction, in order (for cycles)
        self.copying: dict[int, tuple[Link, Any]] = {}  # containers a plain $<ref> is copying
        self.fresh = 0  # > 0 while building a plain $<ref> copy: no sharing there
        self.convert_none = False
        self.evaluator = Evaluator(tree, Config._view, self.build_shared, None)

    # -- entry points -----------------------------------------------------------------------
    def build_top(self, link: Link, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Build the node at ``link`` with call-time arguments overlaid on it."""
        data = link[0]
        if args or kwargs:
            if data.__class__ not in MAPPINGS:
                raise InstantiationError(
                    "call-time arguments need a mapping node, but this node is a list",
                    path=path_of(link),
                )
            merged = self.overlay(data, kwargs, link)
            if args:
                merged["_args_"] = Live(list(args))
            link = (merged, link[1], link[2])
        return self.container(link[0], link)

    def build_shared(self, link: Link, text: str = "") -> Any:
        """The one object for the node at ``link`` (``$<@path>``), built now if not yet."""
        node = link[0]
        if node.__class__ not in MAPPINGS or "_target_" not in node:
            raise InterpolationError(
                f"{text} refers to {path_of(link) or 'the root'}, which has no _target_ to build",
                hint=f"use $<{path_of(link)}> to refer to its value instead",
            )
        self.shared.add(id(node))
        built = self.memo.get(id(node), _NOTHING)
        if built is not _NOTHING:
            return built
        # Built as where it stands, not as where it is referred from: a plain copy around the
        # reference does not stop sharing, and the referrer's _convert_ does not apply.
        fresh, self.fresh = self.fresh, 0
        convert_none, self.convert_none = self.convert_none, _inherited_convert(link)
        try:
            return self.target(node, link)
        finally:
            self.fresh = fresh
            self.convert_none = convert_none

    def overlay(self, data: Any, kwargs: dict[str, Any], link: Link) -> Any:
        """A copy of ``data`` with call-time values in place, registered for path lookups."""
        merged = MarkedDict(getattr(data, "file", None))
        merged.update(data)
        merged.lines = dict(getattr(data, "lines", {}))
        for key, value in kwargs.items():
            current = data.get(key)
            if (
                isinstance(value, Mapping)  # a Config is no Mapping: it is passed as it is
                and current.__class__ in MAPPINGS
                and "_target_" in current
            ):
                merged[key] = self.overlay(current, dict(value), (current, key, link))
            elif key in SPECIAL_KEYS:
                merged[key] = value
            else:
                merged[key] = Live(value)
        overlay = self.evaluator.overlay
        if overlay is None:
            overlay = self.evaluator.overlay = {}
        overlay[id(data)] = merged
        return merged

    # -- the walk ---------------------------------------------------------------------------
    def container(self, data: Any, link: Link) -> Any:
        if data.__class__ in MAPPINGS:
            if "_target_" in data:
                return self.target(data, link)
            return self.mapping(data, link)
        return self.sequence(data, link)

    def value(self, raw: Any, key: Any, holder: Link) -> Any:
        """Build one stored value: scalars pass, strings resolve, containers recurse."""
        cls = raw.__class__
        if cls is str:
            if raw == MISSING or "$" in raw:
                return self.string(raw, key, holder)
            return raw
        if cls is dict or cls is MarkedDict:
            if "_target_" in raw:
                return self.target(raw, (raw, key, holder))
            return self.mapping(raw, (raw, key, holder))
        if cls is list or cls is MarkedList:
            return self.sequence(raw, (raw, key, holder))
        if cls is Live:
            return raw.value
        if cls is tuple:  # plain Python data is read in place: a tuple is a sequence too
            return self.sequence(raw, (raw, key, holder))
        return raw

    def mapping(self, data: Any, link: Link) -> Any:
        value = self.value
        out = {}
        for key, raw in data.items():
            cls = raw.__class__
            if cls is str:
                out[key] = raw if ("$" not in raw and raw != MISSING) else self.string(raw, key, link)
            elif cls is int or cls is float or cls is bool or raw is None:
                out[key] = raw
            else:
                out[key] = value(raw, key, link)
        return self.converted(out) if self.convert_none else out

    def sequence(self, data: Any, link: Link) -> Any:
        out = self.items(data, link)
        return self.converted(out) if self.convert_none else out

    def items(self, data: Any, link: Link) -> list[Any]:
        """The built items of a list (of ``_args_`` too, which is never converted)."""
        out = []
        for index, raw in enumerate(data):
            cls = raw.__class__
            if cls is dict or cls is MarkedDict:
                item = (raw, index, link)
                out.append(self.target(raw, item) if "_target_" in raw else self.mapping(raw, item))
            elif cls is int or cls is float or cls is bool or raw is None:
                out.append(raw)
            else:
                out.append(self.value(raw, index, link))
        return out

    def string(self, raw: str, key: Any, holder: Link) -> Any:
        if raw == MISSING:
            raise MissingValueError(
                "mandatory value (???) is not set",
                path=path_of(holder, key),
                source=source_of(holder[0], key),
                hint=f"set it in the config, as an override, or pass it to instantiate({key}=...)",
            )
        value, link = self.evaluator.resolve(raw, holder, key)
        if link is None:
            return value
        return self.copy(value, link, holder, key)

    def copy(self, value: Any, link: Link, holder: Link, key: Any) -> Any:
        """Build what a plain ``$<path>`` to a node gives: a copy, not the shared object."""
        copied = id(value)
        if copied in self.copying:  # a copy that contains a reference to itself never ends
            raise self.copy_cycle(copied, holder, key, holder[0][key])
        self.copying[copied] = (holder, key)
        self.fresh += 1  # a plain $<path> to a node is a copy of it, not the shared object
        try:
            return self.container(value, link)
        finally:
            self.fresh -= 1
            del self.copying[copied]

    def converted(self, built: Any) -> Config:
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

    # -- one target -------------------------------------------------------------------------
    def target(self, node: Any, link: Link) -> Any:
        """Build a node with ``_target_`` (once per build unless inside a plain copy)."""
        key = id(node)
        if not self.fresh:
            built = self.memo.get(key, _NOTHING)
            if built is not _NOTHING:
                if key in self.shared:
                    return built
                # The walk built this very dict at another place already: plain data that
                # reuses one dict twice holds two nodes, as a copied config would.
                return self.unshared(node, link)
        if key in self.building:
            raise self.cycle(key, link)
        self.building[key] = link
        try:
            if _FLAGS.isdisjoint(node):  # the common case: no _partial_/_lazy_/... to look at
                obj = self.call(node, link, self.mapping_as_kwargs(node, link), partial=False)
            else:
                obj = self.flagged(node, link)
        finally:
            del self.building[key]
        if not self.fresh:
            self.memo[key] = obj
        return obj

    def unshared(self, node: Any, link: Link) -> Any:
        """Build one more object from a dict met again at another place."""
        self.fresh += 1
        try:
            return self.target(node, link)
        finally:
            self.fresh -= 1

    def flagged(self, node: Any, link: Link) -> Any:
        """A target node with any of ``_partial_``, ``_recursive_``, ``_convert_``, ``_lazy_``."""
        if _flag(node, "_lazy_", False, link):
            from wrapt import LazyObjectProxy

            self.resolve(node, link)  # a wrong or refused target fails now, not on first use
            lazy = {k: v for k, v in node.items() if k != "_lazy_"}
            state = (self.convert_none, self.fresh)
            return LazyObjectProxy(lambda: self.later(lazy, (lazy, link[1], link[2]), state))
        outer = self.convert_none
        if "_convert_" in node:
            self.convert_none = _convert(node, link)
        try:
            if _flag(node, "_recursive_", True, link):
                kwargs = self.mapping_as_kwargs(node, link)
            else:
                kwargs = self.unbuilt_kwargs(node, link)
        finally:
            self.convert_none = outer
        return self.call(node, link, kwargs, partial=_flag(node, "_partial_", False, link))

    def later(self, node: Any, link: Link, state: tuple[bool, int]) -> Any:
        """Build a ``_lazy_`` node on first use, in the state of the build that declared it."""
        outer = (self.convert_none, self.fresh)
        self.convert_none, self.fresh = state
        try:
            return self.flagged(node, link)
        finally:
            self.convert_none, self.fresh = outer

    def call(self, node: Any, link: Link, kwargs: dict[str, Any], partial: bool) -> Any:
        """Check the arguments against the target's signature, then call it."""
        name = node["_target_"]
        target = self.targets.get(name) if name.__class__ is str else None
        if target is None or self.policy is not None:
            target = self.resolve(node, link)
        args = kwargs.pop("_args_", _NO_ARGS)
        if args.__class__ is not list:
            args = self.positionals(args, node, link)
        params = target.params
        if params is None:
            params = target.params = params_of(target.obj)
        keys = kwargs.keys()
        if (
            args
            or not (params.var_keyword or keys <= params.names)
            or not (partial or keys >= params.required_set)
        ):
            problem = call_problem(params, len(args), kwargs, partial)  # the full check, and why
            if problem is not None:
                raise InstantiationError(
                    f"{target.name} {problem}", path=path_of(link), source=_node_source(link)
                )
        for check in params.checked:
            value = kwargs.get(check.name, _NOTHING)
            if value.__class__ is not check.fast and value is not _NOTHING:
                if value is None and check.optional:
                    continue
                kwargs[check.name] = self.checked(value, check, node, link)
        try:
            if partial:
                import functools

                return functools.partial(target.obj, *args, **kwargs)
            return target.obj(*args, **kwargs)
        except ConfigError:
            raise
        except Exception as error:
            raise target_failed(target.name, link, error) from error

    def checked(self, value: Any, check: Checked, node: Any, link: Link) -> Any:
        """A config scalar converted to its parameter's annotation, or a ValidationError."""
        if node.get(check.name).__class__ is Live or value.__class__ not in _SCALARS:
            return value  # call-time values and built objects are passed as they are
        from .validation import check_value

        return check_value(
            value, check.annotation, path=path_of(link, check.name), source=source_of(node, check.name)
        )

    def positionals(self, args: Any, node: Any, link: Link) -> list[Any]:
        if args.__class__ is tuple:
            return list(args)
        if isinstance(args, Config) and args.is_sequence():
            return list(args)
        raise InstantiationError(
            f"_args_ must be a list of positional arguments, not {type(args).__name__}",
            path=path_of(link, "_args_"),
            source=source_of(node, "_args_"),
        )

    def mapping_as_kwargs(self, node: Any, link: Link) -> dict[str, Any]:
        """The node's keys with their values built (``_args_`` stays a list, never converted)."""
        kwargs = {}
        value = self.value
        resolve = self.evaluator.resolve
        for key, raw in node.items():
            cls = raw.__class__
            if cls is str:
                if "$" in raw:
                    resolved, found = resolve(raw, link, key)
                    raw = resolved if found is None else self.copy(resolved, found, link, key)
                elif raw == MISSING:
                    raw = self.string(raw, key, link)
            elif cls is int or cls is float or cls is bool or raw is None:
                pass
            elif key == "_args_" and (cls is list or cls is MarkedList):
                raw = self.items(raw, (raw, key, link))
            else:
                raw = value(raw, key, link)
            kwargs[key] = raw
        del kwargs["_target_"]
        if not _FLAGS.isdisjoint(kwargs):
            for flag in _FLAGS:
                kwargs.pop(flag, None)
        return kwargs

    def unbuilt_kwargs(self, node: Any, link: Link) -> dict[str, Any]:
        """``_recursive_: false``: nested nodes are passed as Config nodes, unbuilt."""
        kwargs: dict[str, Any] = {}
        for key, raw in node.items():
            if key in SPECIAL_KEYS and key != "_args_":
                continue
            if raw.__class__ is str and ("$" in raw or raw == MISSING):
                if raw == MISSING:
                    self.string(raw, key, link)
                value, target = self.evaluator.resolve(raw, link, key)
                kwargs[key] = Config._view(self.tree, target) if target is not None else value
            elif raw.__class__ in MAPPINGS or raw.__class__ in SEQUENCES:
                # A copy, so a target that changes its argument leaves the config alone; its
                # link still leads up into the tree, so references outside it resolve.
                child = Config._view(self.tree, (copy_data(raw), key, link))
                kwargs[key] = list(child) if key == "_args_" else child
            else:
                kwargs[key] = raw.value if raw.__class__ is Live else raw
        return kwargs

    def resolve(self, node: Any, link: Link) -> Target:
        name = node["_target_"]
        if name.__class__ is str and "$" in name:
            name = self.string(name, "_target_", link)
        elif name.__class__ is Live:
            name = name.value
        try:
            return resolve_target(name, self.registries, self.policy)
        except (TargetError, RegistryError) as error:
            if error.path is None:
                error.path = path_of(link, "_target_")
                error.source = source_of(node, "_target_")
            raise

    def copy_cycle(self, copied: int, holder: Link, key: Any, raw: str) -> CycleError:
        ids = list(self.copying)
        chain = [path_of(*self.copying[i]) for i in ids[ids.index(copied) :]]
        chain.append(path_of(holder, key))
        return CycleError(
            f"interpolation cycle: {' -> '.join(chain)}: {raw} copies a node that holds this reference",
            path=path_of(holder, key),
            source=source_of(holder[0], key),
            hint="a plain $<path> builds a copy of what it names, so it cannot sit inside it",
        )

    def cycle(self, key: int, link: Link) -> CycleError:
        ids = list(self.building)
        chain = [path_of(self.building[i]) or "<root>" for i in ids[ids.index(key) :]]
        chain.append(path_of(link) or "<root>")
        return CycleError(
            "these nodes need each other to be built first: " + " -> ".join(chain),
            path=path_of(link),
            source=_node_source(link),
            hint="break the cycle: one of them must not refer to the other with $<@...>",
        )


_NOTHING: Any = object()
_NO_ARGS: list[Any] = []  # never mutated: passed as *args only


class _BuiltTree(Tree):
    """The tree of a container handed to a target under ``_convert_: none``."""

    __slots__ = ()


def _flag(node: Any, key: str, default: bool, link: Link) -> bool:
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


def _inherited_convert(link: Link) -> bool:
    """The ``_convert_`` mode that the target nodes around the node at ``link`` give it."""
    parent = link[2]
    while parent is not None:
        data = parent[0]
        if data.__class__ in MAPPINGS and "_convert_" in data and "_target_" in data:
            return _convert(data, parent)
        parent = parent[2]
    return False


def _convert(node: Any, link: Link) -> bool:
    value = node["_convert_"]
    if value.__class__ is Live:
        value = value.value
    if value is None:
        return True
    mode = _CONVERT_VALUES.get(str(value).lower())
    if mode is None:
        raise InstantiationError(
            f"_convert_ must be one of none, all, partial, object; not {value!r}",
            path=path_of(link, "_convert_"),
            source=source_of(node, "_convert_"),
        )
    return mode
