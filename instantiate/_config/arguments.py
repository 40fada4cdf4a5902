"""Resolver arguments as OmegaConf 2.3's grammar reads them: typed literals, quoted text, lists, dicts.

    $<f:1, -2.5e3, true, null, a b>      int, float, bool, None, text ("a b")
    $<f:'quoted, text', "$<x> too">      always text
    $<f:[1, [2, $<x>]], {a: 1, 2: b}>    a fresh list / dict each call; dict keys are literals

``Scanner`` holds the character-level parsing shared by the top level and the arguments; the
interpolation itself (``$<...>``) is parsed by its subclass in ``grammar``.
"""

from __future__ import annotations

from .._errors import InterpolationError
from .expressions import Concat, DictArg, Expr, ListArg

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

CLOSE = {"<": ">", "{": "}"}
# In a resolver argument a backslash escapes these (as OmegaConf's); before anything else it is
# kept, so an argument such as C:\data\new survives.
_ARG_ESCAPES = frozenset("\\,'\" \t()[]{}<>:=")
# Brackets that only a list or dict literal may hold: inside plain text they are an error
# (OmegaConf refuses ``a[0]`` as an argument), unless escaped or quoted.
_BRACKETS = "[]{"

# OmegaConf's number tokens (OmegaConfGrammarLexer.g4): 1_000 is an int, 01 and 1__0 are text.
_UNSIGNED = r"(?:0|[1-9](?:_?[0-9])*)"
_DIGITS = r"[0-9](?:_?[0-9])*"
_POINT = rf"(?:{_UNSIGNED}\.|{_UNSIGNED}?\.{_DIGITS})"
_NUMBERS: list[Any] = []  # the int and the float pattern, compiled on first use (no re at import)


def _numbers() -> list[Any]:
    if not _NUMBERS:
        import re

        _NUMBERS.append(re.compile(rf"[+-]?{_UNSIGNED}"))
        _NUMBERS.append(
            re.compile(
                rf"[+-]?(?:(?:{_UNSIGNED}|{_POINT})[eE][+-]?{_DIGITS}|{_POINT}|[iI][nN][fF]|[nN][aA][nN])"
            )
        )
    return _NUMBERS


_WORDS = {"true": True, "false": False, "null": None, "~": None}


def literal(text: str) -> Any:
    """An unquoted argument: numbers, booleans and null are typed (as OmegaConf's), the rest is text."""
    word = _WORDS.get(text.lower(), text)
    if word is not text:
        return word
    if text[:1].isdigit() or text[:1] in "-+." or text[:1] in "iInN":
        integer, real = _numbers()
        if integer.fullmatch(text):
            return int(text)
        if real.fullmatch(text):
            return float(text)
    return text


class Scanner:
    """Recursive descent over one string; ``pos`` is the index of the next character."""

    what = "malformed interpolation in"  # how an error names the text

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def interpolation(self) -> Expr:  # pragma: no cover - always overridden
        raise NotImplementedError

    # -- text with interpolations -------------------------------------------------------------
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
                        if CLOSE[text[run + 1]] in stop:
                            literal_closers.append(CLOSE[text[run + 1]])
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

    # -- resolver arguments -------------------------------------------------------------------
    def arguments(self, close: str) -> tuple[Any, ...]:
        """``a, [b], {c: d}`` up to the interpolation's closer (not consumed)."""
        self.skip_spaces()
        if self.peek() == close:
            return ()
        return self.sequence(close, close, f"resolver arguments are never closed with '{close}'")

    def sequence(self, end: str, close: str, unclosed: str) -> tuple[Any, ...]:
        """Elements separated by ``,`` up to ``end``; a missing element is ``""`` (as OmegaConf)."""
        items: list[Any] = []
        while True:
            self.skip_spaces()
            char = self.peek()
            items.append("" if char == "," or (char == end and char) else self.element(end, close))
            self.skip_spaces()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == end:
                return tuple(items)
            if not char:
                self.fail(unclosed)
            self.fail(f"unexpected {char!r}; expected ',' or {end!r}")

    def element(self, end: str, close: str) -> Any:
        """One value: a list, a dict, or text and interpolations (typed when plain)."""
        char = self.peek()
        if char == "[":
            start = self.pos
            self.pos += 1
            self.skip_spaces()
            items: tuple[Any, ...] = ()
            if self.peek() != "]":
                items = self.sequence(
                    "]", close, f"'[' opened at column {start + 1} is never closed with ']'"
                )
            self.pos += 1
            return ListArg(items, self.text[start : self.pos])
        if char == "{":
            return self.dict_literal(close)
        return self.primitive(end, close)

    def dict_literal(self, close: str) -> DictArg:
        start = self.pos
        self.pos += 1
        unclosed = f"'{{' opened at column {start + 1} is never closed with '}}'"
        keys: list[Any] = []
        values: list[Any] = []
        self.skip_spaces()
        if self.peek() == "}":
            self.pos += 1
            return DictArg((), (), self.text[start : self.pos])
        while True:
            self.skip_spaces()
            keys.append(self.dict_key(close))
            self.skip_spaces()
            char = self.peek()
            if char != ":":
                if not char:
                    self.fail(unclosed)
                if self.opens(self.pos):
                    self.fail("a dict key cannot hold an interpolation")
                self.fail(f"unexpected {char!r}; expected ':' after a dict key")
            self.pos += 1
            self.skip_spaces()
            char = self.peek()
            if char in (",", "}") and char:
                self.fail("a value must follow ':' in a dict")
            values.append(self.element("}", close))
            self.skip_spaces()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "}":
                self.pos += 1
                return DictArg(tuple(keys), tuple(values), self.text[start : self.pos])
            if not char:
                self.fail(unclosed)
            self.fail(f"unexpected {char!r}; expected ',' or '}}'")

    def dict_key(self, close: str) -> Any:
        """A dict literal's key: a literal (``a``, ``1``, ``null``), typed like an argument."""
        char = self.peek()
        if char in "'\"" and char:
            key = self.quoted(char)
            if isinstance(key, Expr):
                self.fail("a dict key cannot hold an interpolation")
            return key
        text, n = self.text, len(self.text)
        buf: list[str] = []
        escaped = False
        while self.pos < n:
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < n and text[self.pos + 1] in _ARG_ESCAPES:
                buf.append(text[self.pos + 1])
                self.pos += 2
                escaped = True
                continue
            if char in ":,{}[]'\"" or char == close or self.opens(self.pos):
                break
            buf.append(char)
            self.pos += 1
        key = "".join(buf).rstrip(" \t")
        if not key:
            self.fail("expected a key in the dict, as in {a: 1}")
        return key if escaped else literal(key)

    def primitive(self, end: str, close: str, raw: bool = False) -> Any:
        """Text, quoted text and interpolations written together, up to a separator.

        ``raw`` keeps trailing spaces and leaves the text untyped (``oc.decode`` of ``" 1 "``).
        """
        start = self.pos
        text, n = self.text, len(self.text)
        stop = "," + end + close + _BRACKETS
        parts: list[str | Expr] = []
        quoted = ends_quoted = False
        while self.pos < n:
            char = text[self.pos]
            if char in "'\"":
                parts.append(self.quoted(char))
                quoted = ends_quoted = True
            elif char in stop:
                break
            else:
                before = self.pos
                parts.extend(self.pieces(stop + "'\""))
                ends_quoted = False
                if self.pos == before:
                    break
        char = self.peek()
        if char and char in _BRACKETS and char != end:
            self.fail(
                f"{char!r} inside an argument: a list or dict must be a whole argument; "
                f"quote the text or escape it as \\{char}"
            )
        if parts and isinstance(parts[-1], str) and not ends_quoted and not raw:
            spaces = _trailing_spaces(text[start : self.pos])
            if spaces:
                parts[-1] = parts[-1][:-spaces]
        parts = [p for p in parts if p != ""]
        if len(parts) == 1 and isinstance(parts[0], Expr):
            return parts[0]
        if all(isinstance(p, str) for p in parts):
            joined = "".join(parts)  # type: ignore[arg-type]
            return joined if quoted or raw or not joined else literal(joined)
        return Concat(tuple(parts), "")

    # -- helpers --------------------------------------------------------------------------------
    def opens(self, pos: int) -> bool:
        return self.text.startswith(("$<", "${"), pos)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def fail(self, problem: str, pos: int | None = None) -> Any:
        at = self.pos if pos is None else pos
        raise InterpolationError(
            f"{self.what} {self.text!r}: {problem} (column {at + 1})\n    {self.text}\n    {' ' * at}^"
        )


def _trailing_spaces(raw: str) -> int:
    """How many whitespace characters end ``raw`` unescaped (``\\ `` is a kept space)."""
    body = raw.rstrip()
    spaces = len(raw) - len(body)
    if spaces and (len(body) - len(body.rstrip("\\"))) % 2:
        spaces -= 1
    return spaces
