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
    ValidationError,
)
from .._config.grammar import Ref, parse
from .._config.interpolation import MISSING, SLOW, Evaluator, Live, Tree
from .._config.nodes import Config, copy_data
from .._config.paths import Link, node_source, path_of
from .._config.provenance import MAPPINGS, SEQUENCES, MarkedDict, MarkedList, source_of
from .._config.recursion import allow_deep_recursion
from .calls import build_cycle, copy_cycle, data_cycle, target_failed, targets_around
from .flags import FLAGS, SPECIAL_KEYS, converted, converts_none, flag_value, inherited, list_flags
from .inputs import as_data, is_foreign, is_omegaconf, omegaconf_tree, tree_and_link, unbuilt
from .plan import cached_plan
from .signatures import LEARNED, call_problem, checked_value, params_of, positional_args
from .policy import ACTIVE, BLOCKS, Policy, current_policy, effective, judge_object
from .targets import Names, Target, resolve_target, target_cache

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

def build(
    config: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None, registries: Sequence[Names], allow: Any
) -> Any:
    """Build ``config``, looking names up in ``registries`` in order, under the policy plus ``allow``."""
    allow_deep_recursion()  # reading a structured config recurses once per level too
    tree, link = tree_and_link(config)
    if tree is None:
        if args or kwargs:
            what = "None" if link is None else f"{type(link).__name__} {link!r}"
            raise InstantiationError(
                f"call-time arguments need a mapping node, but the config is {what}",
                hint="pass a mapping, a structured config or a node with _target_",
            )
        return link
    policy = current_policy(allow)
    if policy is None and not (ACTIVE or args or kwargs) and config.__class__ is Config:
        plan = cached_plan(config, registries)  # compiled once per Config node, see plan.py
        if plan is not None:
            return plan()
    builder = Builder(tree, registries, policy)
    return builder.build_top(link, args, kwargs or {})


class Builder:
    """The state of one build: the tree, what is built so far, and what is being built."""

    __slots__ = (
        "adapted",
        "approved",
        "building",
        "built_nodes",
        "built_objects",
        "convert_none",
        "copying",
        "defaults",
        "evaluator",
        "fresh",
        "indexed",
        "memo",
        "policy",
        "recursive",
        "registries",
        "shared",
        "subs",
        "targets",
        "top",
        "tracking",
        "tree",
    )

    def __init__(self, tree: Tree, registries: Sequence[Names], policy: Policy | None) -> None:
        self.tree = tree
        self.registries = registries
        self.policy = policy
        self.targets = target_cache(registries[0])  # name -> Target, shared with every build
        # Targets the policy allowed in this build, while the blocks active anywhere stay the same.
        self.approved: tuple[int, dict[int, Target]] = (BLOCKS[0], {})
        # What the walk built, in order: appending costs less than a dict entry per node, and
        # ``memo`` (id(node) -> object) is made from the log only once a $<@path> asks.
        self.built_nodes: list[Any] = []
        self.built_objects: list[Any] = []
        self.memo: dict[int, Any] = {}
        self.indexed = 0  # how much of the log the memo holds
        self.shared: set[int] = set()  # nodes some $<@path> refers to
        self.building: dict[int, Link] = {}  # nodes under construction, in order (for cycles)
        # Whether ``building`` holds every node being built. A walk from the top that nothing
        # can enter again (no reference that builds or copies, no lazy node) needs no record:
        # its nodes being built are the _target_ nodes around where it is, from ``top`` down,
        # and ``track`` writes them down the moment something could ask for one again.
        self.tracking = True
        self.top: Link | None = None  # the link that walk began at
        self.copying: dict[int, tuple[Link, Any]] = {}  # containers a plain $<ref> is copying
        self.fresh = 0  # > 0 while building a plain $<ref> copy: no sharing there
        self.convert_none = False  # _convert_: none, from the nodes around the one being built
        self.recursive = True  # _recursive_ given by a target-less node around this one
        self.defaults = (False, True)  # the two, as call-time flags set them for a whole list
        self.adapted: dict[int, Any] = {}  # id(structured config or Mapping) -> its data
        self.subs: dict[int, Builder] = {}  # id(tree) -> the builder of a nested Config's tree
        self.evaluator = Evaluator(tree, Config._view, self.build_shared, None, self.judge)
        self.evaluator.adapt = self.adapted_data

    # -- entry points -----------------------------------------------------------------------
    def build_top(self, link: Link, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Build the node at ``link`` with call-time arguments overlaid on it."""
        data = link[0]
        if args or kwargs:
            if data.__class__ not in MAPPINGS:
                return self.top_sequence(link, args, kwargs)
            merged = self.overlay(data, kwargs, link)
            if args:
                if "_target_" not in merged:
                    raise InstantiationError(
                        "call-time positional arguments need a node with _target_ to pass them to",
                        path=path_of(link),
                        hint="pass them to the node that has the _target_, or give keywords",
                    )
                merged["_args_"] = Live(list(args))
            link = (merged, link[1], link[2])
        self.tracking, self.top = False, link
        return self.container(link[0], link)

    def top_sequence(self, link: Link, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A list built with call-time flags: ``_convert_`` and ``_recursive_`` apply to its items."""
        self.defaults = self.convert_none, self.recursive = list_flags(args, kwargs, link)
        self.tracking, self.top = False, link
        return self.container(link[0], link)

    def track(self, link: Link) -> None:
        """Record every node being built from now on, starting with those around ``link``:
        what is resolved there may build or copy a node that is being built."""
        if not self.tracking:
            self.tracking = True
            for outer in targets_around(link, self.top):
                self.building[id(outer[0])] = outer

    def build_shared(self, link: Link, text: str = "") -> Any:
        """The one object for the node at ``link`` (``$<@path>``), built now if not yet."""
        node = link[0]
        if node.__class__ not in MAPPINGS or "_target_" not in node:
            raise InterpolationError(
                f"{text} refers to {path_of(link) or 'the root'}, which has no _target_ to build",
                hint=f"use $<{path_of(link)}> to refer to its value instead",
            )
        self.shared.add(id(node))
        built = self.built_object(id(node))
        if built is not _NOTHING:
            return built
        # Built as where it stands, not as where it is referred from: a plain copy around the
        # reference does not stop sharing, and the referrer's _convert_ does not apply.
        outer = (self.fresh, self.convert_none, self.recursive)
        self.fresh = 0
        self.convert_none = inherited(link, "_convert_", self.defaults[0])
        self.recursive = inherited(link, "_recursive_", self.defaults[1])
        try:
            return self.target(node, link)
        finally:
            self.fresh, self.convert_none, self.recursive = outer

    def judged(self, node: Any, link: Link, cached: Target | None) -> Target:
        """The node's target, checked by the policy once per build (again if a block began or ended)."""
        version, approved = self.approved
        if cached is not None and version == BLOCKS[0] and approved.get(id(cached)) is cached:
            return cached
        target = self.resolve(node, link)
        if version != BLOCKS[0]:
            approved = {}
            self.approved = (BLOCKS[0], approved)
        approved[id(target)] = target  # kept alive here, so its id is not reused
        return target

    def judge(self, obj: Any, text: str) -> None:
        """The evaluator's check on what a ``$<@path:chain>`` calls or hands on."""
        judge_object(obj, effective(self.policy), text)

    def overlay(self, data: Any, kwargs: dict[str, Any], link: Link, register: bool = True) -> Any:
        """A copy of ``data`` with call-time values in place, registered for path lookups.

        A mapping given for a key whose value is a ``_target_`` node, or a plain reference to
        one, merges into (a copy of) that node; ``register`` is False for such a copy.
        """
        merged = MarkedDict(getattr(data, "file", None))
        merged.update(data)
        merged.lines = dict(getattr(data, "lines", {}))
        for key, value in kwargs.items():
            found = self.target_at(data, key, link) if isinstance(value, Mapping) else None
            if found is not None:  # a Config is no Mapping: it is passed as it is
                node, node_link, own = found
                merged[key] = self.overlay(node, dict(value), node_link, register and own)
            elif key in SPECIAL_KEYS:
                merged[key] = value
            else:
                merged[key] = Live(value)
        if register:
            overlay = self.evaluator.overlay
            if overlay is None:
                overlay = self.evaluator.overlay = {}
            overlay[id(data)] = merged
        return merged

    def target_at(self, data: Any, key: Any, link: Link) -> tuple[Any, Link, bool] | None:
        """The ``_target_`` node at ``data[key]`` or that a plain ``$<path>`` there names."""
        current = data.get(key)
        if current.__class__ not in MAPPINGS:
            current = self.adapted_data(current) or current  # a structured config: its fields
        if current.__class__ in MAPPINGS and "_target_" in current:
            return current, (current, key, link), True
        if current.__class__ is str and "$" in current and parse(current).__class__ is Ref:
            node, found = self.evaluator.resolve(current, link, key)
            if found is not None and node.__class__ in MAPPINGS and "_target_" in node:
                return node, (node, key, link), False
        return None

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
        if is_foreign(raw):
            return self.foreign(raw, key, holder)
        return raw

    def foreign(self, raw: Any, key: Any, holder: Link) -> Any:
        """Build a structured config, Mapping, Config or OmegaConf node met among the values.

        A Config or OmegaConf node keeps its own tree (its references resolve there); other
        data joins this tree at its place, converted once per build.
        """
        if isinstance(raw, Config) or is_omegaconf(raw):
            tree, link = (raw._tree, raw._link) if isinstance(raw, Config) else omegaconf_tree(raw)
            if tree is None:
                return None  # OmegaConf's DictConfig(None)
            sub = self.subs.get(id(tree))
            if sub is None:
                sub = self.subs[id(tree)] = Builder(tree, self.registries, self.policy)
            sub.convert_none, sub.recursive, sub.fresh = self.convert_none, self.recursive, self.fresh
            return sub.container(link[0], link)
        data = self.adapted_data(raw)
        return raw if data is None else self.value(data, key, holder)

    def adapted_data(self, raw: Any) -> Any:
        """The raw data of a structured config or Mapping in this tree (one copy per build), or None.

        A Config or OmegaConf node is not data of this tree: it keeps its own.
        """
        data = self.adapted.get(id(raw))
        if data is None:
            if isinstance(raw, Config) or is_omegaconf(raw) or not is_foreign(raw):
                return None
            data = as_data(raw)
            if data is raw and raw.__class__ is tuple:  # read in place by the walk, not by lookups
                data = list(raw)
            self.adapted[id(raw)] = data
        return data if data is not raw else None

    def mapping(self, data: Any, link: Link) -> Any:
        if not SPECIAL_KEYS.isdisjoint(data):
            return self.flagged_mapping(data, link)
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
        return converted(out) if self.convert_none else out

    def flagged_mapping(self, data: Any, link: Link) -> Any:
        """A target-less mapping with special keys: none is kept; ``_convert_`` and
        ``_recursive_`` apply to what it holds, as Hydra applies them at the top."""
        outer = (self.convert_none, self.recursive)
        if "_convert_" in data:
            self.convert_none = converts_none(data, link)
        self.recursive = flag_value(data, "_recursive_", self.recursive, link)
        try:
            out = {k: self.value(v, k, link) for k, v in data.items() if k not in SPECIAL_KEYS}
            return converted(out) if self.convert_none else out
        finally:
            self.convert_none, self.recursive = outer

    def sequence(self, data: Any, link: Link) -> Any:
        out = self.items(data, link)
        return converted(out) if self.convert_none else out

    def items(self, data: Any, link: Link) -> list[Any]:
        """The built items of a list (of ``_args_`` too, which is never converted)."""
        out: list[Any] = []
        append = out.append
        for index, raw in enumerate(data):
            cls = raw.__class__
            if cls is dict or cls is MarkedDict:
                item = (raw, index, link)
                append(self.target(raw, item) if "_target_" in raw else self.mapping(raw, item))
            elif cls is int or cls is float or cls is bool or raw is None:
                append(raw)
            else:
                append(self.value(raw, index, link))
        return out

    def string(self, raw: str, key: Any, holder: Link) -> Any:
        if raw == MISSING:
            raise MissingValueError(
                "mandatory value (???) is not set",
                path=path_of(holder, key),
                source=source_of(holder[0], key),
                hint=f"set it in the config, as an override, or pass it to instantiate({key}=...)",
            )
        value = self.evaluator.plain(raw, holder)
        if value is not SLOW:
            return value
        self.track(holder)
        value, link = self.evaluator.resolve(raw, holder, key)
        if link is None:
            return value
        return self.copy(value, link, holder, key)

    def copy(self, value: Any, link: Link, holder: Link, key: Any) -> Any:
        """Build what a plain ``$<path>`` to a node gives: a copy, not the shared object."""
        copied = id(value)
        if copied in self.copying:  # a copy that contains a reference to itself never ends
            raise copy_cycle(self.copying, copied, holder, key, holder[0][key])
        self.copying[copied] = (holder, key)
        self.fresh += 1  # a plain $<path> to a node is a copy of it, not the shared object
        try:
            return self.container(value, link)
        finally:
            self.fresh -= 1
            del self.copying[copied]

    # -- one target -------------------------------------------------------------------------
    def target(self, node: Any, link: Link) -> Any:
        """Build a node with ``_target_`` (once per build unless inside a plain copy)."""
        if self.shared and not self.fresh:  # once a $<@path> has asked, this may be built already
            built = self.built_object(id(node))
            if built is not _NOTHING:
                if id(node) in self.shared:
                    return built
                # The walk built this very dict at another place already: plain data that
                # reuses one dict twice holds two nodes, as a copied config would.
                return self.unshared(node, link)
        tracking = self.tracking
        if tracking:
            key = id(node)
            if key in self.building:
                raise build_cycle(self.building, key, link)
            self.building[key] = link
        try:
            if self.recursive and FLAGS.isdisjoint(node):  # the common case: no flags to look at
                obj = self.call(node, link, self.mapping_as_kwargs(node, link), False)
            else:
                obj = self.flagged(node, link)
        except RecursionError:
            if not self.tracking:  # the innermost node to see it: is it data that holds itself?
                cycle = data_cycle(link, self.top)
                self.tracking = True
                if cycle is not None:
                    raise cycle from None
            raise
        finally:
            if tracking or self.tracking:  # recorded here, or by track() while it was built
                self.building.pop(id(node), None)
        if not self.fresh:
            self.built_nodes.append(node)
            self.built_objects.append(obj)
        return obj

    def built_object(self, key: int) -> Any:
        """The object built from the node ``id`` ``key`` (the first, if built twice), or _NOTHING."""
        memo = self.memo
        nodes = self.built_nodes
        if self.indexed < len(nodes):
            for node, obj in zip(nodes[self.indexed :], self.built_objects[self.indexed :]):
                memo.setdefault(id(node), obj)
            self.indexed = len(nodes)
        return memo.get(key, _NOTHING)

    def unshared(self, node: Any, link: Link) -> Any:
        """Build one more object from a dict met again at another place."""
        self.fresh += 1
        try:
            return self.target(node, link)
        finally:
            self.fresh -= 1

    def flagged(self, node: Any, link: Link) -> Any:
        """A target node with any of ``_partial_``, ``_recursive_``, ``_convert_``, ``_lazy_``."""
        if flag_value(node, "_lazy_", False, link):
            from wrapt import LazyObjectProxy

            self.track(link)  # built later, maybe while the nodes around it are being built

            self.resolve(node, link)  # a wrong or refused target fails now, not on first use
            lazy = {k: v for k, v in node.items() if k != "_lazy_"}
            state = (self.convert_none, self.fresh, self.recursive)
            return LazyObjectProxy(lambda: self.later(lazy, (lazy, link[1], link[2]), state))
        recursive = flag_value(node, "_recursive_", self.recursive, link)
        partial = flag_value(node, "_partial_", False, link)
        outer = (self.convert_none, self.recursive)
        if "_convert_" in node:
            self.convert_none = converts_none(node, link)
        self.recursive = True  # what this node builds, it builds in full
        try:
            if recursive:
                kwargs = self.mapping_as_kwargs(node, link, partial)
                for flag in FLAGS:
                    kwargs.pop(flag, None)
            else:
                kwargs = self.unbuilt_kwargs(node, link, partial)
        finally:
            self.convert_none, self.recursive = outer
        return self.call(node, link, kwargs, partial)

    def later(self, node: Any, link: Link, state: tuple[bool, int, bool]) -> Any:
        """Build a ``_lazy_`` node on first use, in the state of the build that declared it."""
        outer = (self.convert_none, self.fresh, self.recursive)
        self.convert_none, self.fresh, self.recursive = state
        try:
            return self.flagged(node, link)
        finally:
            self.convert_none, self.fresh, self.recursive = outer

    def call(self, node: Any, link: Link, kwargs: dict[str, Any], partial: bool) -> Any:
        """Check the arguments against the target's signature, then call it."""
        name = node["_target_"]
        target = self.targets.get(name) if name.__class__ is str else None
        if target is None or self.policy is not None or target.denied or ACTIVE:
            target = self.judged(node, link, target)
        args = kwargs.pop("_args_", _NO_ARGS)
        if args.__class__ is not list:
            args = positional_args(args, node, link)
        params = target.params
        if params is None:
            params = target.params = params_of(target.obj)
        keys = kwargs.keys()
        if args or (keys != params.fitting and keys != params.fitting_too):
            if (
                args
                or not (params.var_keyword or keys <= params.names)
                or not (partial or keys >= params.required_set)
            ):
                problem = call_problem(params, len(args), kwargs, partial)  # the full check, and why
                if problem is not None:
                    raise InstantiationError(
                        f"{target.name} {problem}", path=path_of(link), source=node_source(link)
                    )
            elif not partial and params.learned < LEARNED:  # the next node likely has them too
                params.learned += 1
                params.fitting_too, params.fitting = params.fitting, frozenset(keys)
        for check in params.checked:
            value = kwargs.get(check.name, _NOTHING)
            if value.__class__ is not check.fast and value is not _NOTHING:
                if value is None and check.optional:
                    continue
                kwargs[check.name] = checked_value(value, check, node, link, target.name)
        try:
            if partial:
                import functools

                return functools.partial(target.obj, *args, **kwargs)
            if args is _NO_ARGS:
                return target.obj(**kwargs)
            return target.obj(*args, **kwargs)
        except ConfigError:
            raise
        except Exception as error:
            raise target_failed(target.name, link, error) from error

    def mapping_as_kwargs(self, node: Any, link: Link, partial: bool = False) -> dict[str, Any]:
        """The node's keys with their values built (``_args_`` stays a list, never converted).

        For a partial, a ``???`` value (or a reference to one) is left out, as in Hydra.
        """
        kwargs = {}
        evaluator = self.evaluator
        for key, raw in node.items():
            cls = raw.__class__
            if cls is str:
                if "$" in raw:
                    resolved = evaluator.plain(raw, link)
                    if resolved is not SLOW:
                        kwargs[key] = resolved
                        continue
                    self.track(link)
                    try:
                        resolved, found = evaluator.resolve(raw, link, key)
                    except MissingValueError:
                        if partial:
                            continue
                        raise
                    raw = resolved if found is None else self.copy(resolved, found, link, key)
                elif raw == MISSING:
                    if partial:
                        continue
                    raw = self.string(raw, key, link)
            elif cls is int or cls is float or cls is bool or raw is None:
                pass
            elif key == "_args_" and (cls is list or cls is MarkedList):
                raw = self.items(raw, (raw, key, link))
            else:
                raw = self.value(raw, key, link)
            kwargs[key] = raw
        del kwargs["_target_"]
        return kwargs

    def unbuilt_kwargs(self, node: Any, link: Link, partial: bool = False) -> dict[str, Any]:
        """``_recursive_: false``: nested nodes are passed as Config nodes, unbuilt."""
        kwargs: dict[str, Any] = {}
        for key, raw in node.items():
            if key in SPECIAL_KEYS and key != "_args_":
                continue
            if raw.__class__ is str and ("$" in raw or raw == MISSING):
                if raw == MISSING:
                    if partial:
                        continue
                    self.string(raw, key, link)
                self.track(link)
                value, target = self.evaluator.resolve(raw, link, key)
                kwargs[key] = Config._view(self.tree, target) if target is not None else value
            elif raw.__class__ in MAPPINGS or raw.__class__ in SEQUENCES:
                # A copy, so a target that changes its argument leaves the config alone; its
                # link still leads up into the tree, so references outside it resolve.
                child = Config._view(self.tree, (copy_data(raw), key, link))
                kwargs[key] = list(child) if key == "_args_" else child
            elif is_foreign(raw):
                kwargs[key] = unbuilt(raw, self.tree, (raw, key, link))
            else:
                kwargs[key] = raw.value if raw.__class__ is Live else raw
        return kwargs

    def resolve(self, node: Any, link: Link) -> Target:
        name = node["_target_"]
        if name.__class__ is str and ("$" in name or name == MISSING):
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


_NOTHING: Any = object()
_NO_ARGS: list[Any] = []  # never mutated: passed as *args only
