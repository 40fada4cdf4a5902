"""The interpolation grammar: ``$<...>`` (and ``${...}``) strings parsed once into small trees.

    $<a.b[0].c>          path from the root          $<@path>              built object
    $<.x> $<..x>         relative to the holder       $<@path:attr.meth()>  its attribute / call
    $<name:arg,$<x>>     resolver call                \\$<                   a literal $<

``parse(text)`` returns the unescaped string when there is nothing to resolve, else an
``Expr``. Every malformed input raises ``InterpolationError`` with the column.
"""

from __future__ import annotations

from .._errors import InterpolationError
from .paths import KEY_STOP, Key, format_path, parse_key_path

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


_CLOSE = {"<": ">", "{": "}"}
# In a resolver argument a backslash escapes these (as OmegaConf's); before anything else it is
# kept, so an argument such as C:\data\new survives.
_ARG_ESCAPES = frozenset("\\,'\" \t()[]{}<>:=")


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


class Concat(Expr):
    """Text with interpolations inside: the result is always a string."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[str | Expr, ...], text: str) -> None:
        self.parts, self.text = parts, text


parsed: dict[str, str | Expr] = {}  # every string parsed so far (public: the hot path reads it directly)


def parse(text: str) -> str | Expr:
    """Parse a config string once; later calls with the same string are a dict lookup."""
    found = parsed.get(text)
    if found is None:
        try:
            found = _simple_reference(text) or _Parser(text).template()
        except RecursionError:
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise InterpolationError(
                f"cannot parse {shown!r}: interpolations nest too deeply (or too many references lead here)"
            ) from None
        if len(parsed) > 100_000:  # unbounded configs must not grow memory forever
            parsed.clear()
        parsed[text] = found
    return found


# Characters that never appear in a plain reference's path: their presence sends the string
# to the full parser (which also reports what is malformed).
_NOT_PLAIN = frozenset(":,<>{}$\\'\"() \t\n\r@=")


def _simple_reference(text: str) -> Ref | None:
    """The common case, ``$<..[0].out_features>`` as a whole value, read with string methods.

    Anything else (text around it, resolvers, quotes, escapes, ``@``, anything malformed) is
    left to the parser, which gives the same tree for these strings, only slower.
    """
    if (
        len(text) < 4
        or text[0] != "$"
        or text[-1] != (">" if text[1] == "<" else "}" if text[1] == "{" else "")
    ):
        return None
    inner = text[2:-1]
    if not _NOT_PLAIN.isdisjoint(inner):
        return None
    body = inner.lstrip(".")
    dots = len(inner) - len(body)
    parts = body.replace("[", ".[").split(".")
    if parts[0] == "" and body.startswith("["):
        del parts[0]  # "[0].x" reads ".[0].x"
    keys: list[Any] = []
    for part in parts:
        if not part:
            return None
        if part[0] == "[":
            if part[-1] != "]":
                return None
            try:
                keys.append(int(part[1:-1]))
            except ValueError:
                return None
        elif "]" in part:
            return None
        else:
            keys.append(part)
    return Ref(dots - 1 if dots else -1, tuple(keys), text)


class _Parser:
    """Recursive descent over one string; ``pos`` is the index of the next character."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- the top level: text with interpolations ------------------------------------------
    def template(self) -> str | Expr:
        parts = self.pieces(stop="")
        if len(parts) == 1 and isinstance(parts[0], Expr):
            return parts[0]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)  # type: ignore[arg-type]
        return Concat(tuple(parts), self.text)

    def pieces(self, stop: str) -> list[str | Expr]:
        """Text and interpolations up to (not including) a character in ``stop``."""
        text, n = self.text, len(self.text)
        parts: list[str | Expr] = []
        buf: list[str] = []
        literal_closers: list[str] = []  # in arguments, an escaped $< also makes its > text
        while self.pos < n:
            char = text[self.pos]
            if char in stop and stop:
                if not literal_closers or char != literal_closers[-1]:
                    break
                literal_closers.pop()
                buf.append(char)
                self.pos += 1
                continue
            if char == "\\":
                run = self.pos
                while run < n and text[run] == "\\":
                    run += 1
                count = run - self.pos
                if self.opens(run):
                    buf.append("\\" * (count // 2))
                    self.pos = run
                    if count % 2:  # an odd run escapes the interpolation: keep "$<" as text
                        buf.append(text[run : run + 2])
                        self.pos += 2
                        if _CLOSE[text[run + 1]] in stop:
                            literal_closers.append(_CLOSE[text[run + 1]])
                    continue
                if stop and self.pos + 1 < n and text[self.pos + 1] in _ARG_ESCAPES:  # \, is ,
                    buf.append(text[self.pos + 1])
                    self.pos += 2
                    continue
                buf.append(text[self.pos : run])
                self.pos = run
                continue
            if self.opens(self.pos):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.interpolation())
                continue
            buf.append(char)
            self.pos += 1
        if buf:
            parts.append("".join(buf))
        return parts

    def opens(self, pos: int) -> bool:
        return self.text.startswith(("$<", "${"), pos)

    # -- one interpolation ------------------------------------------------------------------
    def interpolation(self) -> Expr:
        start = self.pos
        close = _CLOSE[self.text[start + 1]]
        self.pos += 2
        self.skip_spaces()
        if self.peek() == "@":
            self.pos += 1
            expr: Expr = self.built_ref(start, close)
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
        return expr

    def ref_or_call(self, start: int, close: str) -> Expr:
        name_start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos] not in KEY_STOP or self.text[self.pos] == "."
        ):
            self.pos += 1
        name = self.text[name_start : self.pos]
        if self.peek() == ":" and name and not name.startswith("."):
            if name.endswith(".") or ".." in name:
                self.fail(f"{name!r} is not a resolver name", name_start)
            self.pos += 1
            return Call(name, self.arguments(close), "")
        self.pos = name_start
        ref = self.ref()
        if ref.up < 0 and not ref.keys:
            if self.peek() == close:
                self.fail("empty interpolation: write a path such as $<model.lr>")
            if self.pos >= len(self.text):
                opener = self.text[start : start + 2]
                self.fail(f"'{opener}' opened at column {start + 1} is never closed with '{close}'")
            self.fail(f"unexpected {self.peek()!r}; expected a path or a resolver name")
        return ref

    def ref(self) -> Ref:
        up, keys, self.pos = parse_key_path(self.text, self.pos, where="interpolation")
        return Ref(up, keys, "")

    def built_ref(self, start: int, close: str) -> BuiltRef:
        ref = self.ref()
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

    def arguments(self, close: str) -> tuple[Any, ...]:
        args: list[Any] = []
        self.skip_spaces()
        if self.peek() == close:
            return ()
        while True:
            args.append(self.argument(close))
            if self.peek() == ",":
                self.pos += 1
                continue
            return tuple(args)

    def argument(self, close: str) -> Any:
        """One resolver argument: quoted strings, nested interpolations and plain text."""
        self.skip_spaces()
        start = self.pos
        parts: list[str | Expr] = []
        quoted = ends_quoted = False
        while self.pos < len(self.text):
            char = self.peek()
            if char in "'\"":
                parts.append(self.quoted(char))
                quoted = ends_quoted = True
            elif char in "," + close:
                break
            else:
                before = self.pos
                parts.extend(self.pieces(stop="'\"," + close))
                ends_quoted = False
                if self.pos == before:
                    break
        if self.pos >= len(self.text):
            self.fail(f"resolver arguments are never closed with '{close}'")
        if parts and isinstance(parts[-1], str) and not ends_quoted:
            spaces = _trailing_spaces(self.text[start : self.pos])
            if spaces:
                parts[-1] = parts[-1][:-spaces]
        parts = [p for p in parts if p != ""]
        if len(parts) == 1 and isinstance(parts[0], Expr):
            return parts[0]
        if all(isinstance(p, str) for p in parts):
            joined = "".join(parts)  # type: ignore[arg-type]
            return joined if quoted else _literal(joined)
        return Concat(tuple(parts), "")

    def quoted(self, quote: str) -> str | Expr:
        start = self.pos
        self.pos += 1
        parts: list[str | Expr] = []
        buf: list[str] = []
        text, n = self.text, len(self.text)
        while True:
            if self.pos >= n:
                self.fail(f"the string opened with {quote} at column {start + 1} is never closed", start)
            char = text[self.pos]
            if char == quote:
                self.pos += 1
                break
            if char == "\\" and self.pos + 1 < n and text[self.pos + 1] in (quote, "\\"):
                buf.append(text[self.pos + 1])
                self.pos += 2
            elif char == "\\" and self.opens(self.pos + 1):  # \$< is a literal $< here too
                buf.append(text[self.pos + 1 : self.pos + 3])
                self.pos += 3
            elif self.opens(self.pos):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.interpolation())
            else:
                buf.append(char)
                self.pos += 1
        if buf or not parts:
            parts.append("".join(buf))
        if len(parts) == 1 and parts[0].__class__ is str:
            return parts[0]
        return Concat(tuple(parts), "")  # quoted means text: '$<n>' is the string of n

    # -- helpers --------------------------------------------------------------------------------
    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def fail(self, problem: str, pos: int | None = None) -> None:
        at = self.pos if pos is None else pos
        raise InterpolationError(
            f"malformed interpolation in {self.text!r}: {problem} (column {at + 1})\n"
            f"    {self.text}\n    {' ' * at}^"
        )


def _trailing_spaces(raw: str) -> int:
    """How many whitespace characters end ``raw`` unescaped (``\\ `` is a kept space)."""
    body = raw.rstrip()
    spaces = len(raw) - len(body)
    if spaces and (len(body) - len(body.rstrip("\\"))) % 2:
        spaces -= 1
    return spaces


_WORDS = {"true": True, "false": False, "null": None, "~": None}


def _literal(text: str) -> Any:
    """An unquoted resolver argument: numbers, booleans and null are typed, the rest is text."""
    lowered = text.lower()
    if lowered in _WORDS:
        return _WORDS[lowered]
    if text and (text[0].isdigit() or text[0] in "-+." or lowered in ("inf", "nan")):
        digits = text.lstrip("+-")
        if digits[:1] == "0" and digits[1:2].isdigit():  # 01234 (an id, a zip code) stays text
            return text
        for convert in (int, float):
            try:
                return convert(text)
            except ValueError:
                pass
    return text
