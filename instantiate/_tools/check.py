"""``check``: every problem building a config would meet, found without building anything.

What is checked, and how far (only what the config and the targets' signatures tell):

- each ``_target_`` resolves, importing its module as reading its signature needs, and is
  allowed by the policy in force (a refused target's module is never imported);
- each keyword fits the target's signature: unknown names (with the closest valid one),
  missing required arguments, too many positionals, an argument given twice;
- each value whose type is known without building fits the parameter's annotation
  (``check_value``): literals, references to literals, lists and mappings of them, and -- where
  the node names a class, so the built type is that class -- nested target nodes and
  ``$<@path>``. Not checked: what is read from a built object (``$<@model:parameters()>``),
  nested targets that are functions or ``_partial_``, values a resolver computes from a built
  object;
- every interpolation resolves, and each ``$<@path>`` names a node with a ``_target_`` (its
  ``:attr`` chain needs the object, so it is not checked);
- no interpolation cycle, and no nodes that need each other built first;
- no ``???`` is left, unless ``allow_missing``.

A stored dataclass schema is enforced by composition itself, which raises on the first value
that contradicts it; ``Problem.of(error)`` turns such an error into a problem.
"""

from __future__ import annotations

import copy
import typing
from typing import Any, NamedTuple

from .._build.annotations import EMPTY, Parameter, parameters_of
from .._build.flags import SPECIAL_KEYS, converts_none, flag_value
from .._build.policy import current_policy
from .._build.registry import Registry, search_order
from .._build.registry import registry as default_registry
from .._build.signatures import Params, call_problem, params_of
from .._build.targets import Target, resolve_target
from .._build.validation import _UNIONS, check_value, describe, unwrap_optional
from .._compose.run_values import RUN_KEY, RUN_ONLY, mirror_into_hydra
from .._config.interpolation import MISSING
from .._config.nodes import Config
from .._config.paths import Link, link_keys, node_source, path_of
from .._config.provenance import CONTAINERS, MAPPINGS, SEQUENCES, source_of
from .._errors import ConfigError, MissingValueError, ValidationError, _where
from .graph import Edge, TargetNode, Unbuilt, Unknown, Walk, contains_target
from .static import near_miss_special_key, unknown_resolvers

_PLAIN = (type(None), bool, int, float, str)
_FLAG_DEFAULTS = {"_partial_": False, "_recursive_": True, "_lazy_": False}


class Problem(NamedTuple):
    """One thing that would go wrong: where (path, ``file:line``) and what."""

    path: str | None
    source: str | None
    message: str

    def __str__(self) -> str:
        where = _where(self.path, self.source)
        return f"{where}: {self.message}" if where else self.message

    @classmethod
    def of(cls, error: ConfigError) -> Problem:
        """The problem a ConfigError reports, its message on one line."""
        return cls(error.path, error.source, str(error.message).split("\n", 1)[0])


def check_config(
    config: Any,
    *,
    allow: Any = None,
    allow_missing: bool = False,
    registry: Registry = default_registry,
) -> list[Problem]:
    """Every problem building ``config`` would meet, in config order; building nothing.

    ``allow`` narrows the targets allowed (as ``allowed_targets`` does, which also applies);
    ``allow_missing`` accepts ``???`` values, as when they are given at call time.
    """
    return Checker(config, allow=allow, allow_missing=allow_missing, registry=registry).check()


class RunValue:
    """Stands for a value only a run started by ``@main`` has (``_run_.dir``)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"<{RUN_KEY}.{self.key} of the run>"

    __str__ = __repr__


def as_in_a_run(config: Config) -> Config:
    """A copy of a composed config in which the values a run adds (``$<run:dir>``) resolve."""
    copied = copy.deepcopy(config)
    data = copied._tree.data
    if data.__class__ in MAPPINGS:
        run = data.get(RUN_KEY)
        if run is None:
            run = data[RUN_KEY] = {}
        if run.__class__ in MAPPINGS:
            for key in sorted(RUN_ONLY):
                run.setdefault(key, RunValue(key))
        before = set(_leaf_slots(data.get("hydra")))
        mirror_into_hydra(copied)  # ${hydra.runtime.output_dir} as a node path, as in a run
        after = _leaf_slots(data.get("hydra"))
        for slot in set(after) - before:  # what mirroring added is the run's: resolves, not counted
            container, key = after[slot]
            if container[key].__class__ is not RunValue:
                container[key] = RunValue(str(key))
    return copied


def _leaf_slots(data: Any) -> dict[tuple[int, Any], tuple[Any, Any]]:
    """Every scalar below ``data`` as ``(id(container), key) -> (container, key)``."""
    if data.__class__ in MAPPINGS:
        items: Any = data.items()
    elif data.__class__ in SEQUENCES:
        items = enumerate(data)
    else:
        return {}
    found: dict[tuple[int, Any], tuple[Any, Any]] = {}
    for key, value in items:
        if value.__class__ in CONTAINERS:
            found.update(_leaf_slots(value))
        else:
            found[(id(data), key)] = (data, key)
    return found


class _Slot(NamedTuple):
    """What a target expects at one key or position."""

    target: Target
    param: str
    annotation: Any
    default: Any


class _Expects:
    """The parameters of one target node, looked up by keyword or by position in ``_args_``."""

    def __init__(self, target: Target, parameters: list[Parameter]) -> None:
        self.target = target
        self.by_name = {p.name: p for p in parameters if p.by_keyword}
        self.by_position = [p for p in parameters if p.by_position]
        self.var_positional = next((p for p in parameters if p.kind.name == "VAR_POSITIONAL"), None)
        self.var_keyword = next((p for p in parameters if p.kind.name == "VAR_KEYWORD"), None)

    def keyword(self, key: Any) -> _Slot | None:
        if key in SPECIAL_KEYS:
            return None
        param = self.by_name.get(key) or self.var_keyword
        return self._slot(param)

    def positional(self, index: Any) -> _Slot | None:
        if not isinstance(index, int):
            return None
        param = self.by_position[index] if index < len(self.by_position) else self.var_positional
        return self._slot(param)

    def _slot(self, param: Parameter | None) -> _Slot | None:
        if param is None or param.annotation is EMPTY:
            return None
        return _Slot(self.target, param.name, param.annotation, param.default)


class Checker(Walk):
    """One check of one config: the problems found, and how many targets and values were seen."""

    def __init__(
        self,
        config: Any,
        *,
        allow: Any = None,
        allow_missing: bool = False,
        registry: Registry = default_registry,
    ) -> None:
        super().__init__(config)
        self.policy = current_policy(allow)
        self.registry = registry
        self.allow_missing = allow_missing
        self.targets = 0
        self.values = 0
        self._problems: list[tuple[int, Problem]] = []
        self._seen: set[Any] = set()
        self._resolved: dict[int, tuple[Target | None, ConfigError | None]] = {}
        self._keywords: dict[int, _Expects] = {}  # id(target node) -> its parameters
        self._positionals: dict[int, _Expects] = {}  # id(its _args_ list) -> its parameters
        self._deferred: dict[tuple[int, Any], list[Problem]] = {}  # found early, listed in place
        self.notes: list[Problem] = []  # what cannot be checked statically, said instead of failing
        self._unchecked: set[str] = set()  # resolvers that are not registered here

    def check(self) -> list[Problem]:
        """Walk the config once; every problem in config order."""
        graph = self.run()
        for cycle in graph.cycles():
            self._cycle(cycle)
        return [problem for _, problem in sorted(self._problems, key=lambda item: item[0])]

    # -- reporting ----------------------------------------------------------------------------
    def report(self, problem: Problem, position: int | None = None, at: Any = None) -> None:
        """Add a problem once; ``at=(container, key)`` lists it where that entry is walked."""
        if at is not None:
            self._deferred.setdefault((id(at[0]), at[1]), []).append(problem)
            return
        key: Any = problem
        if problem.message.startswith("interpolation cycle: "):  # one report per cycle
            key = frozenset(problem.message[len("interpolation cycle: ") :].split(" -> "))
        if key not in self._seen:
            self._seen.add(key)
            self._problems.append((self.position if position is None else position, problem))

    def _cycle(self, cycle: list[Edge]) -> None:
        first = cycle[0].origin
        assert first is not None
        steps = [first.path or "<root>"]
        for edge in cycle:
            if edge.kind == "nest":
                how = f"inside {edge.origin.path or '<root>'}" if edge.origin else "nested"
            elif edge.kind == "share":
                how = f"{edge.text} at {edge.path}"
            else:
                how = f"copied by {edge.text} at {edge.path}"
            steps.append(f"{edge.dest.path or '<root>'} ({how})")
        message = "these nodes need each other to be built first: " + " -> ".join(steps)
        self.report(Problem(first.path, first.source, message), position=first.position)

    # -- target nodes -------------------------------------------------------------------------
    def target(self, node: TargetNode) -> None:
        self.targets += 1
        data, link = node.link[0], node.link
        for flag, default in _FLAG_DEFAULTS.items():
            if flag in data:
                try:
                    flag_value(data, flag, default, link)
                except ConfigError as error:
                    self.report(Problem.of(error), at=(data, flag))
        if "_convert_" in data:
            try:
                converts_none(data, link)
            except ConfigError as error:
                self.report(Problem.of(error), at=(data, "_convert_"))
        if data["_target_"] == MISSING:
            self._missing(link, "_target_")
            return
        target, failure = self.resolved(link)
        if failure is not None:
            self.report(Problem.of(failure))
        if target is None:
            return
        if target.params is None:
            target.params = params_of(target.obj)
        self._check_call(target, target.params, data, link)
        parameters = parameters_of(target.obj)
        if parameters is not None:
            expects = _Expects(target, parameters)
            self._keywords[id(data)] = expects
            args = data.get("_args_")
            if args.__class__ in SEQUENCES:
                self._positionals[id(args)] = expects

    def resolved(self, link: Link) -> tuple[Target | None, ConfigError | None]:
        """The target a node names (looked up once), or the error that stops it being found."""
        data = link[0]
        found = self._resolved.get(id(data))
        if found is None:
            found = self._resolve(data, link)
            self._resolved[id(data)] = found
        return found

    def _resolve(self, data: Any, link: Link) -> tuple[Target | None, ConfigError | None]:
        name = data["_target_"]
        try:
            if name.__class__ is str and "$" in name:
                name, _ = self.evaluate(name, link, "_target_")
                if isinstance(name, (Unbuilt, Unknown)):
                    return None, None
            return resolve_target(name, search_order(self.registry), self.policy), None
        except MissingValueError:
            return None, None  # reported where the ??? is
        except ConfigError as error:
            if error.path is None:
                error.path, error.source = path_of(link, "_target_"), source_of(data, "_target_")
            return None, error
        except Exception as error:  # a module whose attribute access itself raises
            return None, ConfigError(
                f"looking up _target_ {name!r} raised {type(error).__name__}: {error}",
                path=path_of(link, "_target_"),
                source=source_of(data, "_target_"),
            )

    def _check_call(self, target: Target, params: Params, data: Any, link: Link) -> None:
        """Every way the node's keywords and ``_args_`` fail to fit the signature."""
        keywords = [key for key in data if key not in SPECIAL_KEYS]
        fitting: dict[Any, None] = {}
        for key in keywords:
            problem = call_problem(params, 0, {key: None}, partial=True)
            if problem is None:
                fitting[key] = None
            elif near_miss_special_key(key) is None:  # a mistyped special key is reported as one
                message = f"{target.name} {problem}"
                self.report(Problem(path_of(link, key), source_of(data, key), message), at=(data, key))
        n_args = self._count_args(data, link)
        if n_args is None:
            return  # _args_ is known only when built
        partial = data.get("_partial_") is True
        for _ in range(len(params.positional) + len(params.required) + 1):
            problem = call_problem(params, n_args, fitting, partial)
            if problem is None:
                return
            message = f"{target.name} {problem}"
            if n_args > len(params.positional) and not params.var_positional:
                self.report(
                    Problem(path_of(link, "_args_"), source_of(data, "_args_"), message), at=(data, "_args_")
                )
                n_args = len(params.positional)
                continue
            twice = next((name for name in params.positional[:n_args] if name in fitting), None)
            if twice is not None:
                self.report(Problem(path_of(link, twice), source_of(data, twice), message), at=(data, twice))
                del fitting[twice]
                continue
            self.report(Problem(path_of(link), node_source(link), message))
            missing = next(
                (n for n in params.required if n not in fitting and n not in params.positional[:n_args]),
                None,
            )
            if missing is None:  # a problem this loop does not know: reported once, as it is
                return
            fitting[missing] = None  # as if given, to find the next one

    def _count_args(self, data: Any, link: Link) -> int | None:
        args = data.get("_args_", [])
        if args.__class__ in SEQUENCES:
            return len(args)
        if args.__class__ is str and "$" in args:
            try:
                value, target = self.evaluate(args, link, "_args_")
            except ConfigError:
                return None  # reported when the value itself is visited
            if target is not None and value.__class__ in SEQUENCES:
                return len(value)
            if isinstance(value, (Unbuilt, Unknown)):
                return None
        if args == MISSING:
            return None
        message = f"_args_ must be a list of positional arguments, not {_kind(args)}"
        self.report(Problem(path_of(link, "_args_"), source_of(data, "_args_"), message), at=(data, "_args_"))
        return None

    # -- values -------------------------------------------------------------------------------
    def child(self, holder: Link, key: Any, raw: Any, owner: TargetNode | None) -> None:
        data = holder[0]
        for problem in self._deferred.pop((id(data), key), ()):
            self.report(problem)
        if raw.__class__ is RunValue:
            return  # a value only a run has, put in place by as_in_a_run
        if data.__class__ in MAPPINGS:
            meant = near_miss_special_key(key)
            if meant is not None:
                self._near_miss(holder, key, meant)
        if key in SPECIAL_KEYS and key != "_args_" and self.is_target(data, holder):
            return  # looked at with the node
        if raw.__class__ in CONTAINERS:
            self._check_type(holder, key, raw, (raw, key, holder))
            return
        keys = link_keys(holder)
        if not (keys and keys[0] == RUN_KEY):
            self.values += 1
        if raw.__class__ is not str:
            self._check_type(holder, key, raw, None)
            return
        if raw == MISSING:
            self._missing(holder, key)
            return
        if "$" not in raw:
            self._check_type(holder, key, raw, None)
            return
        if self._calls_unknown_resolvers(raw, holder, key):
            return
        try:
            value, link = self.evaluate(raw, holder, key)
        except MissingValueError:
            return  # the ??? it reaches is reported where it is written
        except ConfigError as error:
            if not any(f"unknown resolver {name!r}" in error.message for name in self._unchecked):
                self.report(Problem.of(error))  # (one reached through a reference is noted where it is)
            return
        self._check_type(holder, key, value, link)

    def _near_miss(self, holder: Link, key: str, meant: str) -> None:
        data = holder[0]
        if self.is_target(data, holder):
            what = f"it is passed to {data['_target_']} as a keyword"
        else:
            what = "this mapping builds a plain dict"
        message = f"{key!r} is not a special key, so {what}. Did you mean {meant!r}?"
        self.report(Problem(path_of(holder, key), source_of(data, key), message))

    def _calls_unknown_resolvers(self, raw: str, holder: Link, key: Any) -> bool:
        """Report or note resolver calls nobody registered here; True when the value is not checkable."""
        try:
            found = unknown_resolvers(self.parse(raw, holder, key))
        except ConfigError:
            return False  # malformed: evaluating reports it
        path, source = path_of(holder, key), source_of(holder[0], key)
        for call in found:
            self._unchecked.add(call.name)
            problem = call.problem()
            if problem is not None:
                self.report(Problem(path, source, problem))
            else:
                self.notes.append(Problem(path, source, call.note()))
        return bool(found)

    def _missing(self, holder: Link, key: Any) -> None:
        if not self.allow_missing:
            path = path_of(holder, key)
            message = f"mandatory value (???) is not set; set it in the config or override it: {path}=..."
            self.report(Problem(path, source_of(holder[0], key), message))

    def _check_type(self, holder: Link, key: Any, value: Any, link: Link | None) -> None:
        """Compare a value with the annotation of the parameter it is passed to, where both are known."""
        data = holder[0]
        expects = self._keywords.get(id(data))
        slot = expects.keyword(key) if expects is not None else None
        if expects is None:
            expects = self._positionals.get(id(data))
            slot = expects.positional(key) if expects is not None else None
        if slot is None or (value is None and slot.default is None):
            return
        path, source = path_of(holder, key), source_of(data, key)
        built = self._built_type(value, link)
        if built is not None:
            cls, built_from = built
            if _fits(cls, slot.annotation) is False:
                message = (
                    f"expected {describe(slot.annotation)}, got a {cls.__module__}.{cls.__qualname__} "
                    f"(built from {built_from})"
                )
                self.report(Problem(path, source, _for_param(message, slot)))
            return
        known, plain = self._plain_value(value, link)
        if not known:
            return
        try:
            check_value(plain, slot.annotation, path=path, source=source)
        except ValidationError as error:
            self.report(Problem(error.path, error.source, _for_param(error.message, slot)))
        except Exception:  # an annotation check_value cannot apply (a class that rejects the value)
            return

    def _built_type(self, value: Any, link: Link | None) -> tuple[type, str] | None:
        """The class a value will be an instance of once built, where the node says so."""
        if isinstance(value, Unbuilt):
            if value.chain:
                return None
            link = value.link
        elif link is None or not self.is_target(link[0], link):
            return None
        if link[0].get("_partial_") is True:
            return None
        target, _ = self.resolved(link)
        if target is None or not isinstance(target.obj, type):
            return None
        return target.obj, path_of(link) or "<root>"

    def _plain_value(self, value: Any, link: Link | None) -> tuple[bool, Any]:
        """``(True, data)`` when the value is plain data known now; ``(False, None)`` otherwise."""
        if link is None:
            return value.__class__ in _PLAIN, value
        if contains_target(link[0]):
            return False, None
        try:
            return True, Config._view(self.tree, link).to_dict(resolve=True)
        except ConfigError:
            return False, None  # its own values report why


def _fits(cls: type, annotation: Any) -> bool | None:
    """Whether instances of ``cls`` fit ``annotation``; None when that cannot be told from a class."""
    inner, _ = unwrap_optional(annotation)
    if inner is Any or inner is object:
        return True
    arms = typing.get_args(inner) if typing.get_origin(inner) in _UNIONS else (inner,)
    for arm in arms:
        if typing.get_origin(arm) is typing.Annotated:
            arm = typing.get_args(arm)[0]
        if arm is Any or arm is object or not isinstance(arm, type):
            return None  # a generic, a TypeVar, a string: not comparable with a class
        if arm in (float, complex) and issubclass(cls, (int, float)):
            return True
        try:
            if issubclass(cls, arm):
                return True
        except TypeError:  # protocols with data members, and other classes issubclass refuses
            return None
    return False


def _for_param(message: str, slot: _Slot) -> str:
    return f"{message} for parameter {slot.param!r} of {slot.target.name}"


def _kind(value: Any) -> str:
    if value.__class__ in MAPPINGS:
        return "a mapping"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} ({value!r})"


__all__ = ["Checker", "Problem", "RunValue", "as_in_a_run", "check_config"]
