"""Imports a target lookup may cause, judged before they happen.

A module's ``__getattr__`` (a lazy loader) may import anything when an attribute is read.
While such a read runs, ``guarded(policy)`` holds a finder at the front of ``sys.meta_path``
that refuses, in this thread only, any import the policy does not allow. The module a loader
imports is judged; what that allowed module imports for itself while it runs is its own
business (as when it is imported by name).
"""

from __future__ import annotations

import sys
import _thread
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType

from .policy import Policy

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

_state = _thread._local()  # threading.local, without importing threading


class Guard:
    """One guarded read: the policy, the first refused module, and how deep in allowed imports."""

    __slots__ = ("depth", "policy", "refused")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.refused: str | None = None
        self.depth = 0


class _Finder:
    """Refuses imports outside the policy of this thread's guarded read; elsewhere it does nothing."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        guard: Guard | None = getattr(_state, "guard", None)
        if guard is None or guard.depth:
            return None
        if not guard.policy.may_import(name):
            guard.refused = guard.refused or name
            raise ImportError(f"importing {name} is not allowed here", name=name)
        for finder in sys.meta_path:
            if finder is _Finder or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Entered(spec.loader, guard)  # type: ignore[assignment]
                return spec
        return None


class _Entered:
    """A loader that marks its module's own imports as allowed while the module runs."""

    def __init__(self, loader: Any, guard: Guard) -> None:
        self.loader = loader
        self.guard = guard

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        create = getattr(self.loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self.guard.depth += 1
        try:
            self.loader.exec_module(module)
        finally:
            self.guard.depth -= 1
            module.__loader__ = self.loader  # the module keeps its real loader
            if module.__spec__ is not None:
                module.__spec__.loader = self.loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


@contextmanager
def guarded(policy: Policy) -> Iterator[Guard]:
    """Refuse, in this thread, every import the policy does not allow while the block runs."""
    if _Finder not in sys.meta_path:
        sys.meta_path.insert(0, _Finder)
    outer = getattr(_state, "guard", None)
    guard = _state.guard = Guard(policy)
    try:
        yield guard
    finally:
        _state.guard = outer
