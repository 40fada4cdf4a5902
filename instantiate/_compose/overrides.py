"""The command-line override grammar: ``key=value`` text to `Override` objects, and back.

A small recursive-descent parser over characters, following Hydra's override grammar
(https://hydra.cc/docs/advanced/override_grammar/basic/); composition applies the result.
Deliberate differences from Hydra 1.3: quoted and unquoted pieces concatenate (``'a'b``);
interpolations may nest and may be written ``$<...>``; a group key may start with ``/``; a key
may index lists as errors print them (``a._args_[0].x`` is ``a._args_.0.x``); trailing
whitespace after ``]``, ``)`` or a quote is ignored; dict keys may be quoted; a duplicate dict
key, an empty key (``@pkg=x``), a sweep inside a list or a sweep, a sweeping ``~key``, a bool or
non-finite ``range()`` bound and an empty ``interval()`` are errors; float ranges step in decimal
(``range(0,1,0.1)`` gives 0.7, not 0.7000000000000001); non-ASCII letters may appear unquoted.
Hydra's casts, ``sort``, ``shuffle`` and ``tag`` are in ``override_functions``.
"""

from __future__ import annotations

import enum
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Callable, NoReturn

from .._errors import OverrideError, did_you_mean
from .override_functions import FUNCTIONS, PARAMETERS, call_function, format_wrapped
from .override_literals import dotted_key, typed
from .sweep_values import ABSURD_VALUES, Sweep, is_finite_number, range_size


class _NoValue(enum.Enum):
    NO_VALUE = "NO_VALUE"

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue.NO_VALUE
"""The value of a ``~key`` override written without ``=value``."""


@dataclass(frozen=True)
class Override:
    """One parsed command-line override: which key, how (``prefix``), and to what value."""

    text: str
    prefix: str
    key: str
    value: Any

    @property
    def is_sweep(self) -> bool:
        """Whether the value is a `Sweep` (the override ranges over several values)."""
        return isinstance(self.value, Sweep)

    @property
    def is_delete(self) -> bool:
        """Whether this is ``~key`` or ``~key=value``."""
        return self.prefix == "~"

    @property
    def is_add(self) -> bool:
        """Whether this is ``+key=value``: the key must not exist yet."""
        return self.prefix == "+"

    @property
    def is_force_add(self) -> bool:
        """Whether this is ``++key=value``: add the key or set it if present."""
        return self.prefix == "++"

    @property
    def key_or_group(self) -> str:
        """The key without its ``@package`` part: ``db`` for ``db@backup``."""
        return self.key.partition("@")[0]

    @property
    def package(self) -> str | None:
        """The ``@package`` part of the key (``backup`` for ``db@backup``), or None."""
        _, at, package = self.key.partition("@")
        return package if at else None


def parse_override(text: str) -> Override:
    """Parse one ``key=value`` override; any malformed text raises `OverrideError`."""
    if not isinstance(text, str):
        raise OverrideError(f"an override must be a string, got {type(text).__name__} {text!r}")
    return _Parser(dotted_key(text) if "[" in text else text).override()


def parse_overrides(texts: Iterable[str]) -> list[Override]:
    """Parse each override in order, stopping at the first malformed one."""
    if isinstance(texts, str):
        raise OverrideError(
            f"expected a list of overrides, got the single string {texts!r}",
            hint=f"wrap it in a list: [{texts!r}]",
        )
    return [parse_override(text) for text in texts]


def format_value(value: Any) -> str:
    """Write a value (or a `Sweep`) as override text that `parse_override` reads back equal."""
    if isinstance(value, Sweep):
        return _format_sweep(value)
    return _format_element(value, key=False)


# --- the parser -------------------------------------------------------------------------------

_ID_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_KEY_CHARS = _ID_START | frozenset("0123456789-$")
_PLAIN = _KEY_CHARS | frozenset("/+.%*@?|")  # unquoted value characters besides ':' and '\'
_ESCAPABLE = frozenset("\\()[]{}:=, \t")  # Hydra's escapes: '\,' is a comma, and so on
_WS = " \t"
# each sweep function's parameters and how many are required; choice() takes values only
_SIGNATURES = {
    "choice": ((), 1),
    "glob": (("include", "exclude"), 1),
    "interval": (("start", "end"), 2),
    "range": (("start", "stop", "step"), 1),
}
_MAX_DEPTH = 100
_PREFIX_HINT = "the prefixes are '+' (add), '++' (add or set) and '~' (delete)"


class _Parser:
    """Reads one override left to right; ``pos`` is the index of the next character."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.key: str | None = None  # reported as the error's path once known
        self.depth = 0

    # errors

    def fail(self, problem: str, column: int | None = None, hint: str | None = None) -> NoReturn:
        at = self.pos if column is None else column
        shown = "".join(c if c.isprintable() else " " for c in self.text)
        message = f"override {self.text!r}, column {at + 1}: {problem}\n    {shown}\n    {' ' * at}^"
        raise OverrideError(message, path=self.key, hint=hint)

    def unexpected(self, expected: str, opener: str = "", opened_at: int = 0) -> NoReturn:
        if self.pos >= len(self.text):
            if opener:
                self.fail(f"unclosed {opener!r} opened at column {opened_at + 1}: expected {expected}")
            self.fail(f"expected {expected}, but the override ends")
        char = self.text[self.pos]
        if self.key is None:
            hint = (
                _PREFIX_HINT
                if char in "+~"
                else (
                    "remove the spaces around '='"
                    if char in _WS
                    else "keys are names joined by '.' (list items as a.0.b), or by '/' for groups"
                )
            )
        elif expected == "a value" and char in ",)]}":
            hint = "write '' for an empty string, or remove the extra ','"
        elif char in _ESCAPABLE:
            hint = f"escape it as '\\{char}' or quote the value: key='...'"
        else:
            hint = "quote the value: key='...'"
        self.fail(f"expected {expected}, found {char!r}", hint=hint)

    # helpers

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1

    # override := ('~' | '+' | '++')? key ('=' value?)?

    def override(self) -> Override:
        text = self.text
        prefix = "++" if text.startswith("++") else text[:1] if text[:1] in ("+", "~") else ""
        self.pos = len(prefix)
        key = self.key = self.parse_key()
        if self.pos == len(text):
            if prefix != "~":
                self.fail(
                    "expected '=' and a value after the key",
                    hint="write key=value, or ~key to delete the key",
                )
            return Override(text, prefix, key, NO_VALUE)
        self.pos += 1  # the '='
        value_at = self.pos
        value = self.value()
        if prefix == "~" and isinstance(value, Sweep):
            self.fail(
                "a deletion cannot sweep",
                column=value_at,
                hint="~key=value deletes the key only if it equals that one value",
            )
        return Override(text, prefix, key, value)

    def parse_key(self) -> str:
        """key := '/'? name (('.' | '/') name)* ('@' package)?, with one kind of separator."""
        start = self.pos
        separator = "/" if self.peek() == "/" else ""
        self.pos += len(separator)
        while True:
            self.key_name(in_group=separator == "/")
            char = self.peek()
            if char not in (".", "/"):
                break
            if separator and char != separator:
                self.fail("a key joins names with '.' (a config key) or '/' (a config group), not both")
            if char == "/" and "$" in self.text[start : self.pos]:
                self.fail("'$' is not allowed in a config group name", column=start)
            separator = char
            self.pos += 1
        if char == "@":  # the package: empty (Hydra's _global_ shorthand) or a dotted path
            self.pos += 1
            if self.peek() not in ("=", None):
                self.key_name(in_group=False)
                while self.peek() == ".":
                    self.pos += 1
                    self.key_name(in_group=False)
        if self.peek() not in ("=", None):
            self.unexpected("'=' after the key")
        return self.text[start : self.pos]

    def key_name(self, in_group: bool) -> None:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _KEY_CHARS:
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            self.unexpected("a key name")
        if not (name[0] in _ID_START or name.isdigit() or (name[0] == "$" and not in_group)):
            self.fail(
                f"{name!r} is not a valid key name",
                column=start,
                hint="a name starts with a letter or '_' (or '$'), or is a list index",
            )
        if in_group and "$" in name:
            self.fail(f"{name!r} is not a valid config group name", column=start)

    # value := element (',' element)*

    def value(self) -> Any:
        self.skip_ws()
        if self.pos == len(self.text):
            return ""  # `key=` sets the empty string, as in Hydra
        items = [self.element(top=True)]
        self.skip_ws()
        while self.peek() == ",":
            if isinstance(items[0], Sweep):
                self.fail(f"{items[0].kind}() must be the whole value, not one of several")
            self.pos += 1
            self.skip_ws()
            items.append(self.element())
            self.skip_ws()
        if self.pos < len(self.text):
            self.unexpected("',' or the end of the value")
        return items[0] if len(items) == 1 else Sweep("list", tuple(items))

    def element(self, top: bool = False) -> Any:
        if self.peek() == "[":
            items: list[Any] = []
            self.container("]", lambda: items.append(self.element()))
            return items
        if self.peek() == "{":
            mapping: dict[Any, Any] = {}
            self.container("}", lambda: self.pair(mapping))
            return mapping
        start = self.pos
        value, name = self.primitive()
        if self.peek() != "(":
            return value
        if name is None:
            self.fail(
                "'(' may only follow a function name", hint="escape it as '\\(' or quote the value: key='...'"
            )
        if name not in _SIGNATURES and name not in FUNCTIONS:
            self.fail(
                f"unknown function {name!r}",
                column=start,
                hint="the functions are choice(), glob(), interval(), range(), int(), float(), str(), "
                "bool(), sort(), shuffle() and tag()." + did_you_mean(name, [*_SIGNATURES, *FUNCTIONS]),
            )
        result = self.function(name, start)
        if not top and isinstance(result, Sweep):
            self.fail(f"{name}() must be the whole value, not part of a list or sweep", column=start)
        return result

    def container(self, closer: str, item: Callable[[], object]) -> None:
        """``opener (item (',' item)*)? closer``, for lists, mappings and function arguments."""
        opened_at = self.pos
        self.depth += 1
        if self.depth > _MAX_DEPTH:  # a clear error long before Python's recursion limit
            self.fail(f"nested deeper than {_MAX_DEPTH} levels")
        self.pos += 1
        self.skip_ws()
        if self.peek() != closer:
            while True:
                item()
                self.skip_ws()
                if self.peek() != ",":
                    break
                self.pos += 1
                self.skip_ws()
            if self.peek() != closer:
                self.unexpected(f"',' or {closer!r}", self.text[opened_at], opened_at)
        self.pos += 1
        self.depth -= 1

    def pair(self, mapping: dict[Any, Any]) -> None:
        key_at = self.pos
        key, _ = self.primitive(key_mode=True)
        if self.peek() != ":":
            self.unexpected("':' after the mapping key")
        if key in mapping:
            self.fail(f"duplicate mapping key {key!r}", column=key_at)
        self.pos += 1
        self.skip_ws()
        mapping[key] = self.element()

    def primitive(self, key_mode: bool = False) -> tuple[Any, str | None]:
        """An unquoted/quoted/escaped run, typed if plain; also returns it if it is a bare name.

        Pieces concatenate (``'a'b`` is ``ab``); unescaped whitespace at the ends is dropped.
        A mapping key (``key_mode``) stops at ':' and holds no interpolation.
        """
        text, n = self.text, len(self.text)
        i = self.pos
        parts: list[str] = []
        pending = ""  # whitespace kept only if more content follows
        plain = True  # nothing quoted or escaped: may be a number, bool or null
        while i < n:
            char = text[i]
            if char == "$" and not key_mode and text[i + 1 : i + 2] in ("{", "<"):
                j = self.interpolation_end(i)
                piece = text[i:j]
            elif char in _PLAIN or (char > "\x7f" and char.isprintable()):
                j = i + 1
                while j < n:
                    char = text[j]
                    if char == "$" and not key_mode and text[j + 1 : j + 2] in ("{", "<"):
                        break
                    if not (char in _PLAIN or (char > "\x7f" and char.isprintable())):
                        break
                    j += 1
                piece = text[i:j]
            elif char in _WS:
                j = i + 1
                while j < n and text[j] in _WS:
                    j += 1
                pending += text[i:j] if parts else ""
                i = j
                continue
            elif char == ":" and not key_mode:
                piece, j = ":", i + 1
            elif char == "\\":
                escaped = i + 1 < n and text[i + 1] in _ESCAPABLE
                piece, j = (text[i + 1], i + 2) if escaped else ("\\", i + 1)
                plain = plain and not escaped
            elif char in "'\"":
                piece, j = self.quoted(i)
                plain = False
            else:
                break
            if pending:
                parts.append(pending)
                pending = ""
            parts.append(piece)
            i = j
        self.pos = i
        if not parts:
            self.unexpected("a mapping key" if key_mode else "a value")
        raw = "".join(parts)
        if not plain:
            return raw, None
        is_name = raw[0] in _ID_START and all(c in _KEY_CHARS and c != "$" for c in raw)
        try:
            return typed(raw), raw if is_name else None
        except ValueError:  # an integer longer than Python reads (sys.int_max_str_digits)
            self.fail(f"an integer of {len(raw):,} digits is too long to read", hint="quote it")

    def quoted(self, start: int) -> tuple[str, int]:
        """A quoted string at ``start``; a backslash escapes only a quote or the backslashes
        before one, as in Hydra."""
        text, quote = self.text, self.text[start]
        parts: list[str] = []
        i = start + 1
        while True:
            end = text.find(quote, i)
            if end < 0:
                self.fail(
                    f"unclosed {quote} quote opened at column {start + 1}",
                    column=len(text),
                    hint=f"close it with {quote}, and write a {quote} inside as \\{quote}",
                )
            slashes = end
            while slashes > i and text[slashes - 1] == "\\":
                slashes -= 1
            count = end - slashes
            parts.append(text[i:slashes] + "\\" * (count // 2))
            i = end + 1
            if count % 2 == 0:
                return "".join(parts), i
            parts.append(quote)

    def interpolation_end(self, start: int) -> int:
        """The index after the interpolation at ``start``, skipping nested ones and quotes."""
        text, n = self.text, len(self.text)
        closers: list[str] = []
        i = start
        while i < n:
            char = text[i]
            if char == "$" and i + 1 < n and text[i + 1] in "{<":
                closers.append("}" if text[i + 1] == "{" else ">")
                i += 2
                continue
            if char in "'\"":
                i = self.quoted(i)[1]
                continue
            i += 2 if char == "\\" else 1
            if char == closers[-1]:
                closers.pop()
                if not closers:
                    return i
        self.fail(
            f"unclosed interpolation {text[start : start + 2]!r} opened at column "
            f"{start + 1}: expected {closers[-1]!r}",
            column=n,
        )

    # function := name '(' (arg (',' arg)*)? ')';  arg := (name '=')? element

    def function(self, name: str, name_at: int) -> Any:
        extended = name in FUNCTIONS  # a cast, sort(), shuffle() or tag(): may take sweeps
        params, required = (PARAMETERS[name], 0) if extended else _SIGNATURES[name]
        positional: list[tuple[Any, int]] = []
        bound: dict[str, tuple[Any, int]] = {}  # parameter -> (value, where it was written)

        def argument() -> None:
            arg_at = self.pos
            keyword = self.keyword()
            if keyword is None and bound:
                self.fail("a positional argument follows a keyword argument")
            if keyword is not None and keyword not in params:
                self.fail(
                    f"{name}() has no argument {keyword!r}",
                    column=arg_at,
                    hint=f"its arguments are: {', '.join(params) or 'values only'}",
                )
            if keyword in bound:
                self.fail(f"{name}() got the argument {keyword!r} twice", column=arg_at)
            if keyword is None:
                positional.append((self.element(top=extended), arg_at))
            else:
                bound[keyword] = (self.element(top=extended), arg_at)

        self.container(")", argument)
        if extended:
            try:
                return call_function(name, [v for v, _ in positional], {k: v for k, (v, _) in bound.items()})
            except ValueError as error:
                self.fail(f"{name}(): {error}", column=name_at)
        if name == "choice":
            if not positional:
                self.fail("choice() needs at least one value", column=name_at)
            return Sweep("choice", tuple(value for value, _ in positional))
        if len(positional) > len(params):
            self.fail(
                f"{name}() takes at most {len(params)} arguments, got {len(positional)}",
                column=positional[len(params)][1],
            )
        for param, arg in zip(params, positional):
            if param in bound:
                self.fail(f"{name}() got the argument {param!r} twice", column=bound[param][1])
            bound[param] = arg
        for param in params[:required]:
            if param not in bound:
                self.fail(f"{name}() needs the argument {param!r}", column=name_at)
        return getattr(self, f"make_{name}")(name_at, bound)

    def keyword(self) -> str | None:
        """Consume ``name =`` if the next argument is a keyword argument."""
        text, i = self.text, self.pos
        while i < len(text) and text[i] in _KEY_CHARS and text[i] != "$":
            i += 1
        name, j = text[self.pos : i], i
        while j < len(text) and text[j] in _WS:
            j += 1
        if not name or name[0] not in _ID_START or text[j : j + 1] != "=":
            return None
        self.pos = j + 1
        self.skip_ws()
        return name

    def number(self, func: str, arg: tuple[Any, int]) -> int | float:
        value, column = arg
        if not is_finite_number(value):
            self.fail(f"{func}() takes finite numbers, got {value!r}", column=column)
        return value  # type: ignore[no-any-return]

    def make_range(self, at: int, bound: dict[str, tuple[Any, int]]) -> Sweep:
        start, stop, step = (
            self.number("range", bound[p]) if p in bound else None for p in ("start", "stop", "step")
        )
        if stop is None:  # range(5) counts from 0, like Python's range
            start, stop = 0, start
        step = 1 if step is None else step
        if step == 0:
            self.fail("range() step must not be zero", column=bound["step"][1])
        if (size := range_size(start, stop, step)) > ABSURD_VALUES:
            self.fail(f"range() of {size:,} values is more than any sweep can run", column=at)
        return Sweep("range", start=start, stop=stop, step=step)

    def make_interval(self, at: int, bound: dict[str, tuple[Any, int]]) -> Sweep:
        low, high = (float(self.number("interval", bound[p])) for p in ("start", "end"))
        if not low < high:
            self.fail(f"interval() needs start < end, got {low} and {high}", column=at)
        return Sweep("interval", low=low, high=high)

    def make_glob(self, at: int, bound: dict[str, tuple[Any, int]]) -> Sweep:
        patterns: dict[str, tuple[str, ...]] = {"include": (), "exclude": ()}
        for param, (value, column) in bound.items():
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) for v in values):
                self.fail(
                    f"glob() patterns are strings or lists of strings, got {value!r}",
                    column=column,
                    hint="quote a pattern that reads as a number: '1*'",
                )
            patterns[param] = tuple(values)
        return Sweep("glob", include=patterns["include"], exclude=patterns["exclude"])


# --- formatting -------------------------------------------------------------------------------


def _format_sweep(sweep: Sweep) -> str:
    if sweep.shuffle or sweep.tags:
        return format_wrapped(sweep, _format_sweep(replace(sweep, shuffle=False, tags=frozenset())))
    if sweep.kind == "list":
        return ",".join(_format_element(item, key=False) for item in sweep.items)
    if sweep.kind == "choice":
        return f"choice({','.join(_format_element(item, key=False) for item in sweep.items)})"
    if sweep.kind == "range":
        return f"range({sweep.start!r},{sweep.stop!r},{sweep.step!r})"
    if sweep.kind == "interval":
        return f"interval({sweep.low!r},{sweep.high!r})"
    include = _format_element(list(sweep.include), key=False)
    exclude = _format_element(list(sweep.exclude), key=False)
    return f"glob(include={include},exclude={exclude})"


def _format_element(value: Any, key: bool) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, numbers.Integral):  # numpy integers too
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return _format_str(value, key)
    if not key and isinstance(value, Mapping):
        pairs = (f"{_format_element(k, True)}:{_format_element(v, False)}" for k, v in value.items())
        return "{" + ",".join(pairs) + "}"
    if not key and isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return "[" + ",".join(_format_element(item, False) for item in value) + "]"
    where = "a mapping key" if key else "an override value"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as {where}")


def _format_str(value: str, key: bool) -> str:
    """The most readable spelling that reads back as the same string: as is, escaped, or quoted."""
    escaped = "".join("\\" + c if c in _ESCAPABLE else c for c in value)
    for candidate in (value, escaped):
        if candidate and _reads_back(candidate, value, key):
            return candidate
    quote = '"' if "'" in value and '"' not in value else "'"
    out, slashes = [], 0
    for char in value:  # backslashes are special only before a quote, so only those double
        if char == "\\":
            slashes += 1
            continue
        out.append("\\" * (2 * slashes + 1 if char == quote else slashes) + char)
        slashes = 0
    return quote + "".join(out) + "\\" * (2 * slashes) + quote


def _reads_back(candidate: str, value: str, key: bool) -> bool:
    # followed by what follows it in a container, so a trailing '\\' cannot escape that
    parser = _Parser(candidate + (":" if key else ","))
    try:
        parsed, _ = parser.primitive(key_mode=key)
    except OverrideError:
        return False
    return parser.pos == len(candidate) and type(parsed) is str and parsed == value
