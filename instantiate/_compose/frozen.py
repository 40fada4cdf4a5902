"""`Frozen`: the base of small immutable records compared by value (`Override`, `Sweep`).

What ``@dataclass(frozen=True)`` gives them, without importing ``dataclasses``, which imports
``inspect`` and generates code per class: a cost every program start would pay.
"""

from __future__ import annotations

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


class Frozen:
    """Fields are named by the subclass's ``_order`` (its ``__init__``'s order; ``__slots__`` holds
    the same names, in any order), set once; equal when of the same class with equal fields."""

    __slots__ = ()
    _order: tuple[str, ...] = ()

    def _set(self, *values: Any) -> None:
        for name, value in zip(self._order, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a {type(self).__name__} is immutable")

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._order)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._order)
        return f"{type(self).__name__}({shown})"
