"""Compiled build plans: what ``instantiate(cfg)`` does for one Config, worked out once.

Building a Config a second time compiles the node into nested closures: each ``_target_`` resolved, each
interpolation parsed and folded to its value, each call checked once against its target's
signature (one check per target and key set) and its annotations (on the constants, once).
Every later build only runs the closures: one call per target, one fresh container per
container. The plan is kept on the config's tree, per node built, and forgotten on any change
made through the Config API or to the registrations; plain dicts, which nothing watches, are
never planned.

A plan holds only what is the same at every build. Whatever may differ or needs the general
walk -- ``$<@...>`` sharing, resolver calls, ``???``, ``_lazy_``, ``_recursive_``,
``_convert_``, a reference to a whole node (a copy), call-time arguments, an allow-list policy,
anything that would raise -- makes the node unplannable, and the builder builds the whole call
as it always did: its errors, with path and file:line, are the errors a user sees.
"""

from __future__ import annotations

import gc

from .._config.interpolation import MISSING, Evaluator, Live, Tree
from .._config.nodes import Config
from .._config.paths import Link, link_keys, path_of
from .._config.provenance import MarkedDict, MarkedList, source_of
from .._errors import ConfigError
from . import targets as _targets
from .calls import target_failed
from .flags import SPECIAL_KEYS
from .inputs import is_foreign
from .signatures import call_problem, params_of
from .targets import Names, resolve_target, target_cache

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Callable

    Step = Callable[[], Any]

COMPILE_AT = 2  # which build of a node compiles its plan (the tests also run every build by plans: 1)
_FLAGS = ("_partial_", "_recursive_", "_convert_", "_lazy_")
_SCALARS = frozenset({str, int, float, bool, type(None)})


def cached_plan(config: Config, registries: Sequence[Names]) -> Step | None:
    """The plan that builds ``config``, or None when the general builder is to build it.

    A node's first build is the builder's (compiling costs about as much as building, so a
    config built once never pays for a plan); its second build compiles the plan, which every
    later build of the unchanged node runs.
    """
    tree = config._tree
    link = config._link
    key = () if link[2] is None else tuple(link_keys(link))
    generation = _targets._generation
    entry = tree.plans.get(key)
    # The node itself is part of the key: a copy at the same path (what _recursive_: false
    # hands a target) is another node and gets a plan of its own.
    if entry is None or entry[1] != generation or entry[2] != registries or entry[3] is not link[0]:
        entry = (_BUILT_ONCE, generation, tuple(registries), link[0])
        tree.plans[key] = entry
        if COMPILE_AT > 1:
            return None
    plan = entry[0]
    if plan is _BUILT_ONCE:
        plan = compile_plan(tree, link, registries)
        tree.plans[key] = (plan, generation, entry[2], link[0])
    return plan


def _built_once() -> Any:
    raise AssertionError("a marker, never called")  # pragma: no cover


_BUILT_ONCE: Step = _built_once  # a node built once so far: no plan yet


def compile_plan(tree: Tree, link: Link, registries: Sequence[Names]) -> Step | None:
    """A plan for the node at ``link``, or None where the builder must do the work."""
    compiler = _Compiler(tree, registries)
    # The cyclic GC would walk the growing plan over and over with nothing to collect: a
    # plan holds no cycles (each step refers only to the steps below it).
    paused = gc.isenabled()
    gc.disable()
    try:
        return compiler.container(link[0], link)
    except (_Unplannable, ConfigError, RecursionError):
        return None
    except Exception:  # e.g. a signature that cannot be read: the builder says what is wrong
        return None
    finally:
        if paused:
            gc.enable()


class _Unplannable(Exception):
    """This part of the config needs the general builder."""


class _Const:
    """A value that is the same at every build (a scalar, folded at compile time)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Folding(Evaluator):
    """Resolves references at compile time; refuses what may differ between builds."""

    __slots__ = ()

    def call(self, expr: Any, holder: Link, key: Any) -> Any:
        raise _Unplannable  # a resolver may give another value next time (now:, env:, ...)

    def built(self, expr: Any, holder: Link, key: Any) -> Any:
        raise _Unplannable  # $<@path>: sharing is the builder's


class _Compiler:
    """One compile: the tree, the registries, and the signature checks done so far."""

    def __init__(self, tree: Tree, registries: Sequence[Names]) -> None:
        self.tree = tree
        self.registries = registries
        self.targets = target_cache(registries[0])
        self.evaluator = _Folding(tree, Config._view)
        self.fits: dict[tuple[Any, ...], bool] = {}  # (target, keys, n args, partial) -> fits
        self.calls: set[int] = set()  # ids of the steps that call a target

    def container(self, data: Any, link: Link) -> Step:
        cls = data.__class__
        if cls is dict or cls is MarkedDict:
            return self.target(data, link) if "_target_" in data else self.mapping(data, link)
        if cls is list or cls is MarkedList or cls is tuple:
            return self.sequence(data, link)
        raise _Unplannable

    def value(self, raw: Any, key: Any, holder: Link) -> _Const | Step:
        cls = raw.__class__
        if cls is str:
            if raw == MISSING:
                raise _Unplannable
            if "$" not in raw:
                return _Const(raw)
            value, found = self.evaluator.resolve(raw, holder, key)
            if found is not None or value.__class__ is Live:
                raise _Unplannable  # a plain $<path> to a node builds a copy of it
            return _Const(value)
        if cls is dict or cls is MarkedDict or cls is list or cls is MarkedList or cls is tuple:
            return self.container(raw, (raw, key, holder))
        if cls is Live or is_foreign(raw):
            raise _Unplannable  # a structured config, a Mapping, a node of another tree
        return _Const(raw)  # any other object is passed as it is, as the builder does

    def mapping(self, data: Any, link: Link) -> Step:
        if not SPECIAL_KEYS.isdisjoint(data):
            raise _Unplannable  # _convert_ / _recursive_ around what it holds: the builder's
        return _fresh(*self.parts(data.items(), link, {}))

    def sequence(self, data: Any, link: Link) -> Step:
        return _fresh_list(*self.parts(enumerate(data), link, [None] * len(data)))

    def parts(self, items: Any, link: Link, template: Any) -> tuple[Any, tuple[tuple[Any, Step], ...]]:
        """The constants of a container in ``template`` (in place), and the steps for the rest."""
        dyn = []
        for key, raw in items:
            step = self.value(raw, key, link)
            if isinstance(step, _Const):
                template[key] = step.value
            else:
                template[key] = None  # keeps the key's place; filled at every build
                dyn.append((key, step))
        return template, tuple(dyn)

    def target(self, node: Any, link: Link) -> Step:
        name = node["_target_"]
        if name.__class__ is not str or "$" in name:
            raise _Unplannable
        partial = False
        for flag in _FLAGS:
            if flag in node:
                value = node[flag]
                if flag != "_partial_" or (value is not True and value is not False):
                    raise _Unplannable
                partial = value
        target = self.targets.get(name) or resolve_target(name, self.registries, None)
        if target.denied:
            raise _Unplannable  # refused (or allowed only by trust): the builder decides, every time
        template: dict[str, Any] = {}
        dyn = []
        n_args, args = 0, ()
        for key, raw in node.items():
            if key == "_target_" or key in _FLAGS:
                continue
            if key == "_args_":
                if raw.__class__ is not list and raw.__class__ is not MarkedList:
                    raise _Unplannable
                n_args = len(raw)
                items, built = self.parts(enumerate(raw), (raw, key, link), [None] * n_args)
                if built:  # some item is built at every build
                    template[key] = None
                    dyn.append((key, _fresh_list(items, built)))
                else:
                    args = tuple(items)
                continue
            step = self.value(raw, key, link)
            if isinstance(step, _Const):
                template[key] = step.value
            else:
                template[key] = None
                dyn.append((key, step))
        keys = frozenset(k for k in template if k != "_args_")
        self.check_call(target, keys, n_args, partial)
        self.convert_constants(target, template, dict(dyn), node, link)
        step = _call(target.obj, target.name, template, tuple(dyn), args, partial, link)
        self.calls.add(id(step))
        return step

    def check_call(self, target: Any, keys: frozenset[str], n_args: int, partial: bool) -> None:
        """Does the call fit the target's signature? Decided once per target and key set."""
        fit = (id(target), keys, n_args, partial)
        fits = self.fits.get(fit)
        if fits is None:
            params = target.params
            if params is None:
                params = target.params = params_of(target.obj)
            fits = self.fits[fit] = call_problem(params, n_args, dict.fromkeys(keys), partial) is None
        if not fits:
            raise _Unplannable  # the builder raises the error that says why

    def convert_constants(self, target: Any, template: dict[str, Any], dyn: dict[str, Any], node: Any,
                          link: Link) -> None:  # fmt: skip
        """Check (and convert) the constant scalars for annotated parameters, once."""
        for check in target.params.checked:
            name = check.name
            if name in dyn:
                if id(dyn[name]) in self.calls:
                    raise _Unplannable  # a built object may be a scalar: checked at every build
                continue  # a fresh container: passed as it is, as by the builder
            if name not in template:
                continue
            value = template[name]
            if value.__class__ is check.fast or (value is None and check.optional):
                continue
            if value.__class__ in _SCALARS:
                from .validation import check_value

                template[name] = check_value(
                    value, check.annotation, path=path_of(link, name), source=source_of(node, name)
                )


def _fresh_list(template: list[Any], dyn: tuple[tuple[Any, Step], ...]) -> Step:
    """A fresh list: as `_fresh`, and when every item is built, just the built items."""
    if dyn and len(dyn) == len(template):
        makers = tuple(step for _, step in dyn)
        return lambda: [make() for make in makers]
    return _fresh(template, dyn)


def _fresh(template: Any, dyn: tuple[tuple[Any, Step], ...]) -> Step:
    """A fresh copy of ``template`` with the built values put in place, in order."""
    if not dyn:
        return template.copy  # type: ignore[no-any-return]

    def make() -> Any:
        out = template.copy()
        for key, step in dyn:
            out[key] = step()
        return out

    return make


def _call(
    obj: Any,
    name: str,
    template: dict[str, Any],
    dyn: tuple[tuple[str, Step], ...],
    args: tuple[Any, ...],
    partial: bool,
    link: Link,
) -> Step:
    """The step that builds the kwargs (in the node's key order) and calls the target."""
    if partial:
        import functools

        obj = functools.partial(functools.partial, obj)
    if not dyn:

        def call() -> Any:
            try:
                return obj(*args, **template)
            except ConfigError:
                raise
            except Exception as error:
                raise target_failed(name, link, error) from error

        return call

    def build_and_call() -> Any:
        kw = template.copy()
        for key, step in dyn:
            kw[key] = step()
        positional = kw.pop("_args_", args)
        try:
            return obj(*positional, **kw)
        except ConfigError:
            raise
        except Exception as error:
            raise target_failed(name, link, error) from error

    return build_and_call
