"""Which targets a config may use: ``allowed_targets`` allowlists, the deny list, and trust.

A policy is the allowlists in force (all must agree) plus the built-in deny list, which holds
unless the user trusts the config (``trust_config()`` or ``INSTANTIATE_TRUST_CONFIG=1``) or an
allowlist names the target exactly. Every name is a real ``module.qualname`` (see
``real_name``), so aliases are judged as what they are.

``allowed_targets`` is a ContextVar for its own thread and tasks, and is also recorded
process-wide while its block is active: a thread started inside the block (a
``ThreadPoolExecutor`` worker, a ``threading.Thread``) has no copy of the context, so every
build also obeys every block active anywhere. That fails closed: a thread never sees fewer
restrictions than a block that is active.
"""

from __future__ import annotations

import contextvars
import os
import _thread
from functools import partial
from types import ModuleType

from .._errors import TargetError
from .denylist import denied, denied_module, denied_object

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

TRUST_ENV = "INSTANTIATE_TRUST_CONFIG"


class Allowlist:
    """One ``allowed_targets(...)``: ``fnmatch`` patterns, and the verdicts given so far."""

    __slots__ = ("decided", "exact", "patterns", "prefixes")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise TargetError(f"allowed_targets takes non-empty pattern strings, not {pattern!r}")
        self.patterns = patterns
        self.prefixes = tuple(_literal_prefix(p) for p in patterns)
        self.exact = frozenset(p for p in patterns if _literal_prefix(p) == p)
        self.decided: dict[str, bool] = {}

    def allows(self, name: str) -> bool:
        verdict = self.decided.get(name)
        if verdict is None:
            from fnmatch import fnmatchcase

            verdict = self.decided[name] = any(fnmatchcase(name, p) for p in self.patterns)
        return verdict

    def may_import(self, module: str) -> bool:
        """Could anything inside ``module`` match? If not, it is refused before importing."""
        dotted = module + "."
        return any(dotted.startswith(p) or p.startswith(dotted) or p == module for p in self.prefixes)


class Policy:
    """The allowlists in force (innermost first) and whether the deny list is lifted."""

    __slots__ = ("layers", "trusted")

    def __init__(self, layers: tuple[Allowlist, ...], trusted: bool) -> None:
        self.layers = layers
        self.trusted = trusted

    def with_active(self) -> Policy:
        """This policy, narrowed by every block active in any thread (see the module doc)."""
        if not ACTIVE:
            return self
        extra = tuple(layer for layer in list(ACTIVE) if layer not in self.layers)
        return Policy(self.layers + extra, self.trusted) if extra else self

    def allows(self, name: str) -> bool:
        """May ``name`` (a real name, or a registered one) be called?"""
        for layer in self.layers:
            if not layer.allows(name):
                return False
        return self.trusted or not denied(name) or any(name in layer.exact for layer in self.layers)

    def may_import(self, module: str) -> bool:
        """May ``module`` be imported to look a target up?"""
        for layer in self.layers:
            if not layer.may_import(module):
                return False
        if self.trusted or not denied_module(module):
            return True
        return any(p.startswith(module + ".") for layer in self.layers for p in layer.exact)

    def strict(self) -> bool:
        """Is there an allowlist (not only the deny list)?"""
        return bool(self.layers)

    def describe(self) -> str:
        """What is in force, for error messages."""
        parts = [", ".join(layer.patterns) or "(nothing)" for layer in self.layers]
        text = "allowed: " + " and ".join(parts) if parts else ""
        if not self.trusted:
            text += ("; " if text else "") + "the built-in deny list applies"
        return text


DEFAULT = Policy((), trusted=False)
_policy: contextvars.ContextVar[Policy | None] = contextvars.ContextVar("instantiate_policy", default=None)
# Allowlists of every active block in the process (changed under the lock), and how many
# times that list changed: a builder's verdicts hold while the count stays the same.
ACTIVE: list[Allowlist] = []
BLOCKS = [0]
_lock = _thread.allocate_lock()  # threading.Lock, without importing threading


def _literal_prefix(pattern: str) -> str:
    for i, char in enumerate(pattern):
        if char in "*?[":
            return pattern[:i]
    return pattern


class allowed_targets:
    """Refuse every target that matches none of ``patterns``, before importing its module.

    Holds in this block, in every thread started while it is active, and for every build
    anywhere in the process meanwhile (fail closed). A pattern without wildcards also admits
    that exact name if the built-in deny list refuses it.

    Examples:
        >>> with allowed_targets("torch.nn.*", "myapp.*"):   # doctest: +SKIP
        ...     model = instantiate(cfg.model)
    """

    def __init__(self, *patterns: str) -> None:
        self.patterns = patterns
        self._entered: list[tuple[contextvars.Token[Policy | None], Allowlist]] = []

    def __enter__(self) -> allowed_targets:
        layer = Allowlist(self.patterns)
        outer = _policy.get() or DEFAULT
        token = _policy.set(Policy((layer, *outer.layers), outer.trusted))
        with _lock:
            ACTIVE.append(layer)
            BLOCKS[0] += 1
        self._entered.append((token, layer))
        return self

    def __exit__(self, *exc: object) -> None:
        token, layer = self._entered.pop()
        with _lock:
            ACTIVE[:] = [active for active in ACTIVE if active is not layer]
            BLOCKS[0] += 1
        _policy.reset(token)


allowed_targets.__module__ = "instantiate"


class trust_config:
    """Lift the built-in deny list in this block (allowlists still hold): for configs you wrote.

    The same for a whole process: ``INSTANTIATE_TRUST_CONFIG=1``. Threads started in the
    block do not inherit trust (they fail closed).
    """

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token[Policy | None]] = []

    def __enter__(self) -> trust_config:
        outer = _policy.get() or DEFAULT
        self._tokens.append(_policy.set(Policy(outer.layers, True)))
        return self

    def __exit__(self, *exc: object) -> None:
        _policy.reset(self._tokens.pop())


trust_config.__module__ = "instantiate"


def current_policy(extra: Any = None) -> Policy | None:
    """The policy in force, narrowed by ``extra`` patterns (a Recipe's or main's ``allow=``).

    ``None`` means the default: the deny list only (what the builder's fast path knows).
    """
    policy = _policy.get()
    if os.environ.get(TRUST_ENV, "") not in ("", "0"):
        policy = Policy(policy.layers if policy else (), True)
    if extra is not None:
        patterns = (extra,) if isinstance(extra, str) else tuple(extra)
        outer = policy or DEFAULT
        policy = Policy((Allowlist(patterns), *outer.layers), outer.trusted)
    return policy


def effective(policy: Policy | None) -> Policy:
    """The policy a check uses: ``policy`` (or the default) plus every active block."""
    return (policy or DEFAULT).with_active()


def refused(what: str, name: str, policy: Policy, path: Any = None, source: Any = None) -> TargetError:
    """The error for a refused target or chain call."""
    return TargetError(
        f"{what} {name} is not allowed here; {policy.describe()}",
        path=path,
        source=source,
        hint="add a matching pattern to allowed_targets(...) / allow=[...] if it is safe; "
        "configs you wrote yourself may run under trust_config() or INSTANTIATE_TRUST_CONFIG=1",
    )


def judge_object(obj: Any, policy: Policy, text: str) -> None:
    """Refuse ``obj`` (what a ``$<@...>`` chain calls or hands on) unless its real name is allowed."""
    while True:
        if isinstance(obj, ModuleType):
            name = str(obj.__name__)
            if not (policy.may_import(name) and (not policy.strict() or policy.allows(name))):
                raise refused(f"{text} reaches module", name, policy)
            return
        name = real_name(obj)
        if not policy.allows(name) or (denied_object(obj) and not policy.trusted):
            raise refused(f"{text} reaches", name, policy)
        if obj.__class__ is partial:  # judge what the partial would call, too
            obj = obj.func
            continue
        return


def real_name(obj: Any) -> str:
    """``module.qualname`` of where an object is really defined (``os.system`` -> ``posix.system``).

    A bound method is named by its function; a builtin method by its owner's type
    (``{}.clear`` -> ``builtins.dict.clear``); an instance by its class.
    """
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if module is None and qualname is not None:
        owner = getattr(obj, "__objclass__", None) or getattr(obj, "__self__", None)
        owner_type = owner if isinstance(owner, type) else type(owner)
        module = getattr(owner_type, "__module__", None)
        if owner is not None and "." not in qualname:
            qualname = f"{owner_type.__qualname__}.{qualname}"
    if not isinstance(module, str) or not isinstance(qualname, str):
        kind = type(obj)
        return f"{kind.__module__}.{kind.__qualname__}"
    return f"{module}.{qualname}"
