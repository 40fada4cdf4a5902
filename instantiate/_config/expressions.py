"""The trees that ``grammar.parse`` makes of an interpolation string.

Each node keeps ``text``, the piece of the string it came from, for messages. Parsing is done
once per string; evaluating (``interpolation``) walks these trees.
"""

from __future__ import annotations

from .paths import Key, format_path

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


class Expr:
    """A parsed interpolation (or a string with several of them)."""

    __slots__ = ("text",)
    text: str


class Ref(Expr):
    """``$<a.b>``/``$<..b>``: the value at a path; ``up`` is -1 from the root."""

    __slots__ = ("keys", "up")

    def __init__(self, up: int, keys: tuple[Key, ...], text: str) -> None:
        self.up, self.keys, self.text = up, keys, text

    def path_text(self) -> str:
        """The path as written, without the ``$< >``."""
        return "." * (self.up + 1) + format_path(self.keys)


class DynRef(Ref):
    """``${datasets.${name}}``: a path in which some keys are interpolations, read first."""

    __slots__ = ()

    def path_text(self) -> str:
        inner = self.text[2:-1].strip()
        return inner


class BuiltRef(Expr):
    """``$<@path>`` or ``$<@path:attr.call()>``: the object built from the node at ``ref``."""

    __slots__ = ("attrs", "ref")

    def __init__(self, ref: Ref, attrs: tuple[tuple[str, bool], ...], text: str) -> None:
        self.ref, self.attrs, self.text = ref, attrs, text


class Call(Expr):
    """``$<name:arg1,arg2>``: a resolver call; each arg is a literal or an ``Expr``."""

    __slots__ = ("args", "name")

    def __init__(self, name: str, args: tuple[Any, ...], text: str) -> None:
        self.name, self.args, self.text = name, args, text


class DynCall(Call):
    """``${${fn}:x}``, ``${ns.${name}:x}``: a call whose name has interpolations in it.

    ``name`` is the name as written (for messages); ``parts`` are its dot-separated pieces,
    each text or an ``Expr`` that must give text.
    """

    __slots__ = ("parts",)

    def __init__(self, name: str, parts: tuple[Any, ...], args: tuple[Any, ...], text: str) -> None:
        super().__init__(name, args, text)
        self.parts = parts


class Concat(Expr):
    """Text with interpolations inside: the result is always a string."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str | Expr, ...], text: str) -> None:
        self.parts, self.text = parts, text


class ListArg(Expr):
    """``[1, $<a>, [x]]`` as a resolver argument: a fresh list each time it is evaluated."""

    __slots__ = ("args",)

    def __init__(self, args: tuple[Any, ...], text: str) -> None:
        self.args, self.text = args, text


class DictArg(Expr):
    """``{a: 1, b: $<x>}`` as a resolver argument: keys are literals, values may be ``Expr``."""

    __slots__ = ("args", "keys")

    def __init__(self, keys: tuple[Any, ...], args: tuple[Any, ...], text: str) -> None:
        self.keys, self.args, self.text = keys, args, text


def inner_exprs(expr: Any) -> tuple[Any, ...]:
    """The sub-expressions ``expr`` evaluates (arguments, parts, keys), for walkers such as ``graph``."""
    if isinstance(expr, Concat):
        return expr.parts
    if isinstance(expr, DynCall):
        return (*expr.parts, *expr.args)
    if isinstance(expr, (Call, ListArg, DictArg)):
        return expr.args
    if isinstance(expr, DynRef):
        return expr.keys
    if isinstance(expr, BuiltRef):
        return inner_exprs(expr.ref)
    return ()
