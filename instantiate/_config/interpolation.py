"""Resolving parsed interpolations against a config tree.

The evaluator walks raw containers through links (see ``paths``), so relative references
cost a few tuple lookups. It returns ``(value, link)``: ``link`` is set when the value is a
container, so the caller can wrap it as a node (reading) or build it (instantiating).
"""

from __future__ import annotations

from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType

from .._errors import (
    ConfigError,
    CycleError,
    InterpolationError,
    MissingValueError,
    did_you_mean,
)
from . import tree_resolvers
from .grammar import (
    BuiltRef,
    Call,
    Concat,
    DictArg,
    DynRef,
    Expr,
    ListArg,
    Ref,
    parse,
    parsed,
    reference_path,
)
from .paths import Link, parse_path, path_of
from .provenance import CONTAINERS, MAPPINGS, SEQUENCES, MarkedDict, MarkedList, source_of
from .provenance import kind_of as _kind
from .resolvers import Resolver, get_resolver, resolver_names

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Callable

MISSING = "???"
SLOW: Any = object()  # what ``Evaluator.plain`` gives when the general path must resolve


class Tree:
    """One config's raw data and what every view of it shares: the resolver cache, and the
    compiled build plans (see ``_build/plan.py``), forgotten on every change made to the tree.

    ``resolvers`` finds resolvers this library does not know (those registered with OmegaConf,
    for a tree read from an OmegaConf config): ``resolvers(name, holder, key)``.
    """

    __slots__ = ("cache", "data", "link", "plans", "resolvers")

    def __init__(self, data: Any) -> None:
        self.data = data
        self.link: Link = (data, None, None)
        self.cache: dict[Any, Any] = {}
        self.plans: dict[Any, Any] = {}
        self.resolvers: Callable[[str, Link, Any], Resolver | None] | None = None

    def changed(self) -> None:
        """Called on every change to the data through the Config API."""
        if self.plans:
            self.plans.clear()


class Live:
    """A call-time argument placed among config values: used as it is, never interpreted."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Placeholder:
    """Stands where a built object would be when nothing is built (``check``, ``graph``).

    A ``$<@path:chain>`` on it reads nothing: ``follow`` returns what stands for the result.
    """

    __slots__ = ()

    def follow(self, attrs: tuple[tuple[str, bool], ...]) -> Any:
        raise NotImplementedError


class Evaluator:
    """Resolves interpolation strings of one tree.

    ``view(tree, link)`` wraps a container for resolvers that receive nodes; ``build(link)``
    (set only while instantiating) gives the shared object for ``$<@path>``; ``overlay`` maps
    ``id(container)`` to the container that call-time arguments put in its place; ``judge(obj,
    text)`` raises unless the policy lets a ``$<@path:chain>`` call ``obj`` or hand it on;
    ``adapt`` (set only while instantiating) gives the raw data of a value that is config data
    in another form (a structured config, a Mapping), or None.
    """

    __slots__ = ("active", "adapt", "build", "judge", "overlay", "tree", "view")

    def __init__(
        self,
        tree: Tree,
        view: Callable[[Tree, Link], Any],
        build: Callable[[Link, str], Any] | None = None,
        overlay: dict[int, Any] | None = None,
        judge: Callable[[Any, str], None] | None = None,
    ) -> None:
        self.tree = tree
        self.view = view
        self.build = build
        self.overlay = overlay
        self.judge = judge
        self.adapt: Callable[[Any], Any] | None = None
        # The values being resolved, outermost first: a value met again is a cycle. Only a
        # reference that leads to another interpolation enters here, so the common case (a
        # reference to a plain value) costs nothing.
        self.active: dict[tuple[int, Any], tuple[Link, Any]] = {}

    # -- entry point ------------------------------------------------------------------------
    def resolve(self, text: str, holder: Link, key: Any) -> tuple[Any, Link | None]:
        """Resolve the string ``holder[0][key]``; errors name that node and its source."""
        expr = parsed.get(text)
        if expr is None:
            try:
                expr = parse(text)
            except ConfigError as error:
                raise locate(error, holder, key) from None
        cls = expr.__class__
        if cls is str:
            return expr, None
        try:
            if cls is Ref:
                return self.lookup(expr, holder, key)  # type: ignore[arg-type]
            return self.evaluate(expr, holder, key)  # type: ignore[arg-type]
        except ConfigError as error:
            locate(error, holder, key)
            raise  # as it is: a resolver's own exception stays its __cause__

    def evaluate(self, expr: Expr, holder: Link, key: Any) -> tuple[Any, Link | None]:
        cls = expr.__class__
        if cls is Ref:
            return self.lookup(expr, holder, key)  # type: ignore[arg-type]
        if cls is Concat:
            return "".join(self.text_of(part, holder, key) for part in expr.parts), None  # type: ignore[attr-defined]
        if cls is DynRef:
            return self.lookup(self.fixed(expr, holder, key), holder, key)  # type: ignore[arg-type]
        if cls is BuiltRef:
            return self.built(expr, holder, key), None  # type: ignore[arg-type]
        if cls is ListArg or cls is DictArg:
            return self.result(self.argument(expr, holder, key), holder, key)
        return self.call(expr, holder, key)  # type: ignore[arg-type]

    def nested(
        self, text: str, holder: Link, key: Any, origin: Link, origin_key: Any
    ) -> tuple[Any, Link | None]:
        """Resolve a value that a reference led to, watching for cycles."""
        outermost = not self.active
        if outermost:
            self.enter(origin, origin_key)
        self.enter(holder, key)
        try:
            return self.resolve(text, holder, key)
        except RecursionError:
            if not outermost:
                raise
            raise InterpolationError(
                "references lead through more values than Python's recursion limit allows",
                path=path_of(origin, origin_key),
                source=source_of(origin[0], origin_key),
                hint="shorten the chain of $<...> references",
            ) from None
        finally:
            self.leave(holder, key)
            if outermost:
                self.leave(origin, origin_key)

    def enter(self, holder: Link, key: Any) -> None:
        """Mark ``holder[0][key]`` as being resolved; a CycleError if it already is."""
        marker = (id(holder[0]), key)
        if marker in self.active:
            places = list(self.active.values())[list(self.active).index(marker) :]
            chain = [*(path_of(link, k) for link, k in places), path_of(holder, key)]
            raise CycleError(
                "interpolation cycle: " + " -> ".join(chain),
                path=path_of(holder, key),
                source=source_of(holder[0], key),
            )
        self.active[marker] = (holder, key)

    def leave(self, holder: Link, key: Any) -> None:
        del self.active[(id(holder[0]), key)]

    def text_of(self, part: Any, holder: Link, key: Any) -> str:
        if part.__class__ is str:
            return part
        value, link = self.evaluate(part, holder, key)
        if link is not None:
            return str(self.view(self.tree, link))
        return str(value)

    # -- references -------------------------------------------------------------------------
    def plain(self, text: str, holder: Link) -> Any:
        """The common case made cheap: ``text`` is a reference to a plain scalar through plain
        containers, with no call-time arguments in the way. Anything else gives ``SLOW``, and
        ``resolve`` does the work (and raises what is wrong, with the path)."""
        if self.overlay:
            return SLOW
        ref = parsed.get(text)
        if ref is None:
            found = reference_path(text)
            if found is None:
                return SLOW
            up, keys = found
        elif ref.__class__ is Ref:
            up, keys = ref.up, ref.keys
        else:
            return SLOW
        link = holder if up == 0 else holder[2] if up == 1 else self.tree.link if up < 0 else None
        if link is None:
            return SLOW
        value = link[0]
        for k in keys:
            cls = value.__class__
            if not (cls is dict or cls is list or cls is MarkedDict or cls is MarkedList):
                return SLOW  # a string indexed by an int would give a character
            try:
                value = value[k]
            except (KeyError, IndexError, TypeError):
                return SLOW
        cls = value.__class__
        if cls is int or cls is float or cls is bool or value is None:
            return value
        if cls is str and "$" not in value and value != MISSING:
            return value
        return SLOW

    def lookup(self, ref: Ref, holder: Link, key: Any, default: Any = MISSING) -> tuple[Any, Link | None]:
        """Follow a path reference from ``holder[0][key]``; with ``default`` a missing key gives it."""
        up = ref.up
        if up == 0:
            link = holder
        elif up == 1 and holder[2] is not None:  # $<..x>: the holder's parent
            link = holder[2]
        else:
            link = self.start(ref, holder)
        overlay = self.overlay
        value = link[0]
        keys = ref.keys
        last = len(keys) - 1
        for i, k in enumerate(keys):
            try:
                value = value[k]  # always a dict or a list here: scalars stop the walk below
            except (KeyError, IndexError, TypeError):
                found = self.step_aside(ref, link, k, i, default)
                if found is _NOT_FOUND:
                    return default, None
                value, k = found
            vcls = value.__class__
            if vcls is str:
                if value == MISSING:
                    if default is not MISSING:
                        return default, None
                    raise MissingValueError(
                        f"{ref.text} refers to {path_of(link, k)}, a mandatory value (???) that is not set",
                        hint=f"set {path_of(link, k)} in the config or as an override",
                    )
                if "$" in value:
                    value, next_link = self.nested(value, link, k, holder, key)
                    if next_link is not None:
                        link = next_link
                        continue
            elif vcls is Live:
                value = value.value
                if i < last:
                    raise InterpolationError(
                        f"{ref.text}: {path_of(link, k)} is a call-time argument, not a config node"
                    )
                return value, None
            if value.__class__ in CONTAINERS:
                if overlay:
                    value = overlay.get(id(value), value)
                link = (value, k, link)
            elif value.__class__ not in _SCALARS and self.adapt is not None and self.adapt(value) is not None:
                value = self.adapt(value)  # a dataclass in plain data: its fields, as the walk has them
                link = (value, k, link)
            elif i < last:
                if default is not MISSING:
                    return default, None
                raise InterpolationError(
                    f"{ref.text}: {path_of(link, k)} is {_kind(value)}, so it has no key {keys[i + 1]!r}"
                )
        if value.__class__ in CONTAINERS:
            return value, link
        return value, None

    def step_aside(self, ref: Ref, link: Link, k: Any, i: int, default: Any) -> Any:
        """A key the container does not hold as written: ``.0`` of a list, a default, or an error."""
        container = link[0]
        if container.__class__ in SEQUENCES and _digits(k) and int(k) < len(container):
            return container[int(k)], int(k)  # OmegaConf's ${layers.0} (and .1_0) for $<layers[0]>
        if k.__class__ is int and container.__class__ in MAPPINGS and str(k) in container:
            return container[str(k)], str(k)  # OmegaConf's ${d[0]} for the key "0"
        if default is not MISSING:
            return _NOT_FOUND
        raise self.not_found(ref, link, k, ref.keys[: i + 1])

    def start(self, ref: Ref, holder: Link) -> Link:
        if ref.up < 0:
            link = self.tree.link
            if self.overlay:
                data = self.overlay.get(id(link[0]), link[0])
                link = (data, None, None)
            return link
        link = holder
        for _ in range(ref.up):
            parent = link[2]
            if parent is None:
                raise InterpolationError(
                    f"{ref.text} goes {ref.up} levels up from {path_of(holder) or '<root>'}, above the root",
                    hint="use fewer dots, or a path from the root without a leading dot",
                )
            link = parent
        return link

    def not_found(self, ref: Ref, link: Link, key: Any, walked: tuple[Any, ...]) -> ConfigError:
        container = link[0]
        where = path_of(link) or "the root"
        if container.__class__ in SEQUENCES:
            problem = f"{where} has {len(container)} items, so there is no item [{key}]"
            hint = ""
        elif container.__class__ in MAPPINGS:
            problem = f"{where} has no key {key!r}."
            hint = did_you_mean(key, container.keys())
        else:
            problem = f"{where} is {_kind(container)}, not a config node"
            hint = ""
        return InterpolationError(f"{ref.text} refers to a missing value: {problem}{hint}")

    def built(self, expr: BuiltRef, holder: Link, key: Any) -> Any:
        """``$<@path>`` and ``$<@path:attr.call()>``: the shared object, then its attributes."""
        if self.build is None:
            raise InterpolationError(
                f"{expr.text} refers to a built object, which exists only while instantiating",
                hint="read it through instantiate() or a Recipe; to_dict()/to_yaml() leave it as written",
            )
        ref = expr.ref
        if ref.__class__ is DynRef:
            ref = self.fixed(ref, holder, key)
        value, link = self.lookup(ref, holder, key)
        if link is None:
            raise InterpolationError(
                f"{expr.text} refers to {expr.ref.path_text()}, which is {_kind(value)}, not a node to build",
                hint=f"use $<{expr.ref.path_text()}> to refer to a value",
            )
        for name, _ in expr.attrs:
            if name.startswith("_"):
                raise InterpolationError(
                    f"{expr.text}: {name!r} is private; a $<@path:...> chain reads public attributes "
                    "and calls public zero-argument methods only",
                    hint="expose what you need as a public attribute or method of the built object",
                )
        obj = self.build(link, expr.text)
        if not expr.attrs:
            return obj
        if issubclass(type(obj), Placeholder):  # type(): a lazy proxy is not built by asking
            return obj.follow(expr.attrs)
        judge = self.judge
        for name, call in expr.attrs:
            try:
                obj = getattr(obj, name)
            except AttributeError:
                raise InterpolationError(
                    f"{expr.text}: {type(obj).__name__} object has no attribute {name!r}."
                    + did_you_mean(name, [n for n in dir(obj) if not n.startswith("_")])
                ) from None
            except Exception as error:
                raise InterpolationError(f"{expr.text}: reading {name} raised {error!r}") from error
            if call:
                if judge is not None:
                    judge(obj, expr.text)
                try:
                    obj = obj()
                except Exception as error:
                    raise InterpolationError(f"{expr.text}: calling {name}() raised {error!r}") from error
        if judge is not None and _is_code(obj):
            judge(obj, expr.text)  # a function or class handed on may be called later
        return obj

    def fixed(self, ref: Ref, holder: Link, key: Any) -> Ref:
        """``${a.${k}}`` with its keys read: each interpolated key must give text (or an index)."""
        up = ref.up
        keys: list[Any] = []
        for part in ref.keys:
            if not isinstance(part, Expr):
                keys.append(part)
                continue
            value = self.argument(part, holder, key)
            if value.__class__ is int or (value.__class__ is str and value):
                if value.__class__ is str and not _digits(value) and any(c in value for c in ".["):
                    # the text is a path, as OmegaConf joins it into the outer one: ${${name}}
                    # with name "a.b" reads a.b
                    more_up, more = parse_path(value)
                    if more_up >= 0 and (keys or up >= 0):
                        raise InterpolationError(
                            f"{ref.text}: {part.text} gives {value!r}, a relative path inside a path"
                        )
                    up = more_up if more_up >= 0 else up
                    keys.extend(more)
                else:
                    keys.append(value)
                continue
            raise InterpolationError(
                f"{ref.text}: the key {part.text} must give text, but gives {_kind(value)}",
                hint="refer to a string value, e.g. dataset: mnist and ${datasets.${dataset}}",
            )
        return Ref(up, tuple(keys), ref.text)

    # -- resolver calls ---------------------------------------------------------------------
    def call(self, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
        name = expr.name if expr.__class__ is Call else self.name_of(expr, holder, key)
        if name in tree_resolvers.CALLS:
            tree_call = tree_resolvers.CALLS[name]
            if tree_call is None:  # select, oc.select
                return self.select(expr, holder, key)
            return tree_call(self, expr, holder, key)
        resolver = get_resolver(name)
        if resolver is None and self.tree.resolvers is not None:
            resolver = self.tree.resolvers(name, holder, key)
        if resolver is None:
            raise InterpolationError(
                f"{expr.text} calls an unknown resolver {name!r}.{did_you_mean(name, resolver_names())}",
                hint="register it with instantiate.register_resolver(name, function)",
            )
        args = tuple(self.argument(arg, holder, key) for arg in expr.args)
        cache_key = None
        if resolver.use_cache:
            try:
                cache_key = (name, args)
                if cache_key in self.tree.cache:  # a cached list or dict is a node again
                    return self.result(self.tree.cache[cache_key], holder, key, live=True)
            except TypeError:  # unhashable arguments are simply not cached
                cache_key = None
        kwargs = {}
        if resolver.wants_root:
            kwargs["_root_"] = self.view(self.tree, self.tree.link)
        if resolver.wants_parent:
            kwargs["_parent_"] = self.view(self.tree, holder)
        try:
            result = resolver.fn(*args, **kwargs)
        except ConfigError:
            raise
        except Exception as error:
            raise InterpolationError(f"{expr.text}: resolver {name!r} raised {error!r}") from error
        if result.__class__ in CONTAINERS:
            result = _as_given(result)
        if cache_key is not None:
            self.tree.cache[cache_key] = result
        return self.result(result, holder, key, live=True)  # already given

    def result(self, value: Any, holder: Link, key: Any, live: bool = False) -> tuple[Any, Link | None]:
        """A resolver's value as a node's: a container becomes a node whose strings are values
        (unless ``live``: ``oc.create`` makes a node whose strings are interpolations)."""
        if value.__class__ in CONTAINERS:
            if not live:
                value = _as_given(value)
            return value, (value, key, holder)
        return value, None

    def name_of(self, expr: Any, holder: Link, key: Any) -> str:
        """The name of ``${${fn}:x}``/``${ns.${x}:y}``, its interpolated pieces read as text."""
        pieces = []
        for part in expr.parts:
            if isinstance(part, Expr):
                part = self.argument(part, holder, key)
                if part.__class__ is not str or not part:
                    raise InterpolationError(
                        f"{expr.text}: the resolver name {expr.name!r} must be text, "
                        f"but a piece of it gives {_kind(part)}"
                    )
            pieces.append(part)
        return ".".join(pieces)

    def argument(self, arg: Any, holder: Link, key: Any) -> Any:
        """A resolver argument's value: literals as they are, lists and dicts made afresh."""
        if not isinstance(arg, Expr):
            return arg
        cls = arg.__class__
        if cls is ListArg:
            return [self.argument(a, holder, key) for a in arg.args]  # type: ignore[attr-defined]
        if cls is DictArg:
            return {
                k: self.argument(a, holder, key)
                for k, a in zip(arg.keys, arg.args)  # type: ignore[attr-defined]
            }
        value, link = self.evaluate(arg, holder, key)
        return self.view(self.tree, link) if link is not None else value

    def select(self, expr: Call, holder: Link, key: Any) -> tuple[Any, Link | None]:
        if not 1 <= len(expr.args) <= 2:
            raise InterpolationError(f"{expr.text}: select takes a path and an optional default")
        where = self.argument(expr.args[0], holder, key)
        try:
            up, keys = parse_path(str(where))
        except InterpolationError:  # no such path, as OmegaConf's oc.select reads it
            found, link = _NOT_FOUND, None
        else:
            found, link = self.lookup(Ref(up, keys, expr.text), holder, key, default=_NOT_FOUND)
        if found is _NOT_FOUND:  # the default's default is null, as in OmegaConf's oc.select
            return (self.argument(expr.args[1], holder, key) if len(expr.args) == 2 else None), None
        return found, link


_NOT_FOUND = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _as_given(value: Any) -> Any:
    """A copy of a resolver's result whose strings are values, never interpolations (as OmegaConf)."""
    cls = value.__class__
    if cls is str:
        return Live(value) if "$" in value or value == MISSING else value
    if cls in MAPPINGS:
        return {k: _as_given(v) for k, v in value.items()}
    if cls in SEQUENCES:
        return [_as_given(v) for v in value]
    return value


def _digits(key: Any) -> bool:
    """``"3"``/``"1_0"``: text that OmegaConf reads as a list index."""
    return (
        key.__class__ is str
        and key.isascii()
        and key.replace("_", "").isdigit()
        and "__" not in key
        and key[0] != "_"
        and key[-1] != "_"
    )


def locate(error: ConfigError, holder: Link, key: Any) -> ConfigError:
    """Fill in where an error happened, unless a deeper frame already did."""
    if error.path is None:
        error.path = path_of(holder, key)
        error.source = source_of(holder[0], key)
    return error


def _is_code(obj: Any) -> bool:
    """Could a receiver call this, or reach code through it? Functions, methods, classes, modules."""
    return isinstance(obj, (FunctionType, MethodType, BuiltinFunctionType, type, ModuleType)) or (
        callable(obj) and type(obj).__module__ in ("functools", "builtins", "operator", "_operator")
    )
