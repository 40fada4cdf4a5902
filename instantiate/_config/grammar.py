"""The interpolation grammar: ``$<...>`` (and ``${...}``) strings parsed once into small trees.

    $<a.b[0].c>          path from the root          $<@path>              built object
    $<.x> $<..x>         relative to the holder       $<@path:attr.meth()>  its attribute / call
    $<name:arg,$<x>>     resolver call                \\$<                   a literal $<
    $<a.$<k>>            a key read from elsewhere    $<$<fn>:x>            a resolver name too

``parse(text)`` returns the unescaped string when there is nothing to resolve, else an
``Expr``. It reads what OmegaConf 2.3's grammar reads; resolver arguments (literals, lists,
dicts) are parsed in ``arguments``. Every malformed input raises ``InterpolationError``
with the column.
"""

from __future__ import annotations

from .._errors import ConfigError, InterpolationError
from .arguments import CLOSE, Scanner
from .expressions import BuiltRef, Call, Concat, DictArg, DynCall, DynRef, Expr, ListArg, Ref
from .paths import KEY_STOP, bracket_key

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "BuiltRef",
    "Call",
    "Concat",
    "DictArg",
    "DynCall",
    "DynRef",
    "Expr",
    "ListArg",
    "Ref",
    "forget",
    "parse",
    "parse_element",
    "parsed",
    "reference_path",
    "simple_path",
]

parsed: dict[str, str | Expr] = {}  # every string parsed so far (public: the hot path reads it directly)
_elements: dict[str, Any] = {}


def parse(text: str) -> str | Expr:
    """Parse a config string once; later calls with the same string are a dict lookup."""
    found = parsed.get(text)
    if found is None:
        found = _simple_reference(text) or _guarded(text, lambda: _Parser(text).template())
        if len(parsed) > 100_000:  # unbounded configs must not grow memory forever
            parsed.clear()
        parsed[text] = found
    return found


def parse_element(text: str) -> Any:
    """One value written in the argument grammar (``oc.decode``): a literal, list, dict or ``Expr``."""
    if text in _elements:
        return _elements[text]
    found = _guarded(text, lambda: _Parser(text).single_element())
    if len(_elements) > 10_000:
        _elements.clear()
    _elements[text] = found
    return found


def _guarded(text: str, run: Any) -> Any:
    try:
        return run()
    except RecursionError:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise InterpolationError(
            f"cannot parse {shown!r}: interpolations nest too deeply (or too many references lead here)"
        ) from None


# Characters that never appear in a plain reference's path: their presence sends the string
# to the full parser (which also reports what is malformed).
_NOT_PLAIN = frozenset(":,<>{}$\\'\"() \t\n\r@=")


def _simple_reference(text: str) -> Ref | None:
    """The common case, ``$<..[0].out_features>`` as a whole value, read with string methods.

    Anything else (text around it, resolvers, quotes, escapes, ``@``, anything malformed) is
    left to the parser, which gives the same tree for these strings, only slower.
    """
    found = simple_path(text)
    return None if found is None else Ref(found[0], tuple(found[1]), text)


def reference_path(text: str) -> tuple[int, Any] | None:
    """``(up, keys)`` of a string not in ``parsed`` if it is a plain whole-value reference, else
    None. Met for the first time, it is read without entering the cache: a reference met once
    (``$<..[i-1].x>`` in every item of a list) would keep an entry for nothing there. Met again,
    it is parsed and kept. One that differs from a reference read before only in its first
    ``[index]`` takes that one's keys with its own index: a few string methods, no reading."""
    if text in _seen:
        try:
            ref = parse(text)
        except ConfigError:
            return None
        return (ref.up, ref.keys) if ref.__class__ is Ref else None
    if len(_seen) >= 1_024:  # bounded: a string met again long after is read once more
        _seen.clear()
    _seen.add(text)
    head, sep, tail = text.partition("]")
    if not sep:
        return simple_path(text)
    pre, sep, index = head.rpartition("[")
    if not (sep and index.isdecimal()):  # what int() reads, as simple_path reads an [index]
        return simple_path(text)
    shape = _shapes.get(tail)
    if shape is not None and shape[0] == pre:
        keys = shape[2].copy()
        keys[shape[3]] = int(index)
        return shape[1], keys
    found = simple_path(text)
    if found is not None:  # its first [index] is the one before the text's first ']'
        if len(_shapes) >= 1_024:
            _shapes.clear()
        up, keys = found
        position = next(n for n, key in enumerate(keys) if key.__class__ is int)
        _shapes[tail] = (pre, up, keys.copy(), position)
    return found


def simple_path(text: str) -> tuple[int, list[Any]] | None:
    """``(up, keys)`` of a plain whole-value reference (``up`` -1 from the root), else None."""
    if len(text) < 4 or text[0] != "$" or _CLOSE.get(text[1]) != text[-1]:
        return None
    inner = text[2:-1]
    if not _NOT_PLAIN.isdisjoint(inner):
        return None
    body = inner.lstrip(".")
    dots = len(inner) - len(body)
    parts = body.replace("[", ".[").split(".")
    if body[:1] == "[":
        del parts[0]  # "[0].x" reads ".[0].x"
    keys: list[Any] = []
    for part in parts:
        if part[:1] == "[":
            if part[-1] != "]":
                return None
            try:
                keys.append(int(part[1:-1]))
            except ValueError:
                return None
        elif not part or "]" in part:
            return None
        else:
            keys.append(part)
    return (dots - 1 if dots else -1), keys


# Shapes of references read, by the text after their first ']': (the text before its '[', up,
# keys, where the index goes among the keys). A second shape with the same ending replaces it.
_shapes: dict[str, tuple[str, int, list[Any], int]] = {}
_seen: set[str] = set()  # strings ``reference_path`` read once, not kept
_CLOSE = {"<": ">", "{": "}"}


def forget() -> None:
    """Empty the caches of parsed strings (what a fresh process starts with)."""
    parsed.clear()
    _elements.clear()
    _seen.clear()
    _shapes.clear()


# What ends a key in an interpolation's path (OmegaConf's INTER_KEY: anything else, '$' and
# '@' included), and in $<...> also its own brackets. A resolver name is stricter.
_KEY_ENDS = {"}": frozenset("\\{}()[]:. \t'\""), ">": frozenset("\\{}()[]:. \t'\"<>")}
_NAME_ENDS = KEY_STOP


class _Parser(Scanner):
    """The top level and the interpolations; arguments are ``Scanner``'s."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        # Interpolations parsed so far by start: a name is read before we know whether it is a
        # resolver's or a path's, and nested ones must not be parsed again when it is a path.
        self.done: dict[int, tuple[Expr, int]] = {}

    def template(self) -> str | Expr:
        parts = self.pieces(stop="")
        if len(parts) == 1 and isinstance(parts[0], Expr):
            return parts[0]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)  # type: ignore[arg-type]
        return Concat(tuple(parts), self.text)

    def single_element(self) -> Any:
        """The whole text as one argument value (OmegaConf's ``singleElement``)."""
        self.what = "cannot read the value"
        text = self.text
        if not text.strip(" \t"):
            self.fail("expected a value, not empty text")
        if text != text.strip(" \t") and text.strip(" \t")[0] not in "[{":
            value = self.primitive("", "}", raw=True)  # spaces around make it text: " 1 " stays " 1 "
        else:
            self.skip_spaces()
            value = self.element("", "}")
        self.skip_spaces()
        if self.pos < len(text):
            self.fail(f"unexpected {self.peek()!r} after the value")
        return value

    # -- one interpolation ------------------------------------------------------------------
    def interpolation(self) -> Expr:
        start = self.pos
        done = self.done.get(start)
        if done is not None:
            self.pos = done[1]
            return done[0]
        close = CLOSE[self.text[start + 1]]
        self.pos += 2
        self.skip_spaces()
        if self.peek() == "@":
            self.pos += 1
            expr: Expr = self.built_ref(close)
        else:
            expr = self.ref_or_call(start, close)
        self.skip_spaces()
        if self.peek() != close:
            if self.pos >= len(self.text):
                opener = self.text[start : start + 2]
                self.fail(f"'{opener}' opened at column {start + 1} is never closed with '{close}'")
            self.fail(f"unexpected {self.peek()!r}; expected '{close}'")
        self.pos += 1
        expr.text = self.text[start : self.pos]
        self.done[start] = (expr, self.pos)
        return expr

    def ref_or_call(self, start: int, close: str) -> Expr:
        name_start = self.pos
        parts = self.resolver_name()
        name_end = self.pos
        self.skip_spaces()
        if parts is not None and self.peek() == ":":
            name = self.text[name_start:name_end]
            if any(p == "" for p in parts):
                self.fail(f"{name!r} is not a resolver name", name_start)
            self.pos += 1
            args = self.arguments(close)
            if all(p.__class__ is str for p in parts):
                return Call(name, args, "")
            return DynCall(name, tuple(parts), args, "")
        self.pos = name_start
        ref = self.ref(close)
        if ref.up < 0 and not ref.keys:
            if self.peek() == close:
                self.fail("empty interpolation: write a path such as $<model.lr>")
            if self.pos >= len(self.text):
                opener = self.text[start : start + 2]
                self.fail(f"'{opener}' opened at column {start + 1} is never closed with '{close}'")
            self.fail(f"unexpected {self.peek()!r}; expected a path or a resolver name")
        return ref

    def resolver_name(self) -> list[Any] | None:
        """``oc.env``, ``$<fn>``, ``ns.$<x>``: dot-separated pieces, or None if this is no name."""
        text, n = self.text, len(self.text)
        parts: list[Any] = []
        while True:
            if self.opens(self.pos):
                parts.append(self.interpolation())
            else:
                start = self.pos
                while self.pos < n and text[self.pos] not in _NAME_ENDS:
                    self.pos += 1
                parts.append(text[start : self.pos])
            if self.peek() != ".":
                break
            self.pos += 1
        if parts[0] == "" and len(parts) > 1:
            return None  # a leading dot: a relative path
        return parts if parts != [""] else None

    def ref(self, close: str) -> Ref:
        """A path: leading dots, then keys by ``.key``, ``[index]``, or an interpolation."""
        text, n = self.text, len(self.text)
        ends = _KEY_ENDS[close]
        dots = 0
        while self.pos < n and text[self.pos] == ".":
            dots += 1
            self.pos += 1
        keys: list[Any] = []
        dynamic = False
        expect_key = True  # at the start or after a '.', a bare key may follow
        while self.pos < n:
            char = text[self.pos]
            if char == "[":
                if self.opens(self.pos + 1):
                    self.pos += 1
                    keys.append(self.interpolation())
                    dynamic = True
                    if self.peek() != "]":
                        self.fail("expected ']' after the key")
                    self.pos += 1
                else:
                    key, self.pos = bracket_key(text, self.pos, "interpolation")
                    keys.append(key)
                expect_key = False
            elif char == "." and not expect_key:
                self.pos += 1
                expect_key = True
            elif expect_key and self.opens(self.pos):
                keys.append(self.interpolation())
                dynamic = True
                expect_key = False
            elif expect_key and char not in ends:
                start = self.pos
                while self.pos < n and text[self.pos] not in ends and not self.opens(self.pos):
                    self.pos += 1
                keys.append(text[start : self.pos])
                expect_key = False
            else:
                break
        if expect_key and keys:
            self.fail("a key must follow '.'")
        up = dots - 1 if dots else -1
        return DynRef(up, tuple(keys), "") if dynamic else Ref(up, tuple(keys), "")

    def built_ref(self, close: str) -> BuiltRef:
        ref = self.ref(close)
        if ref.up < 0 and not ref.keys:
            self.fail("'@' must be followed by the path of a node to build, as in $<@model>")
        attrs: list[tuple[str, bool]] = []
        if self.peek() == ":":
            self.pos += 1
            while True:
                name_start = self.pos
                while self.pos < len(self.text) and (
                    self.text[self.pos].isalnum() or self.text[self.pos] == "_"
                ):
                    self.pos += 1
                name = self.text[name_start : self.pos]
                if not name or name[0].isdigit():
                    self.fail("expected an attribute name, as in $<@model:parameters()>", name_start)
                call = self.text.startswith("()", self.pos)
                if call:
                    self.pos += 2
                attrs.append((name, call))
                if self.peek() != ".":
                    break
                self.pos += 1
        return BuiltRef(ref, tuple(attrs), "")
