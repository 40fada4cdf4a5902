"""Plain data written as block-style YAML without PyYAML, for the files a run directory holds.

Only dicts with str keys, lists, str, int, float, bool and None; anything else is left to
PyYAML (``None`` is returned). The layout is PyYAML's (``sort_keys=False``,
``default_flow_style=False``); a string is written plain only when it is safe beyond doubt, else
quoted, so PyYAML and this package's loader read back exactly the data written.
"""

from __future__ import annotations

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FIRST = _ASCII_LETTERS | frozenset("_$/")  # starts no number, date, indicator or special word
_INNER = _FIRST | frozenset("0123456789 -.<>{}()[]@=+,:~^*!?%&;")  # no '#', quotes, '\\', '|', tab
_DIGITS = frozenset("0123456789")
# Every character an int, float or timestamp of YAML 1.1 may hold (hex digits, 0x/0o/0b, exponents,
# sexagesimal ':', dates and times): text starting with a digit is plain only with another one.
_NUMERIC = _DIGITS | frozenset("_.+-:eExXoObBaAcCdDfFtTzZ ")
# What YAML 1.1 reads as a bool or null (any case, to be sure): these are quoted.
_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}


class NotPlain(Exception):
    """The data holds something only PyYAML can write."""


def dump_plain(data: Any) -> str | None:
    """``data`` as YAML text, or None when it is not plain data (then PyYAML writes it)."""
    if not isinstance(data, (dict, list)):
        return None
    lines: list[str] = []
    try:
        _block(data, "", lines)
    except NotPlain:
        return None
    return "\n".join(lines) + "\n"


def _block(value: Any, indent: str, lines: list[str]) -> None:
    """``value`` (a non-empty collection, or an empty one at the top) as lines at ``indent``."""
    if isinstance(value, dict):
        if not value:
            lines.append(indent + "{}")
        for key, item in value.items():
            if key.__class__ is not str or len(key) > 1000:  # longer: not a simple key for a reader
                raise NotPlain(key)
            _entry(f"{indent}{scalar(key)}:", item, indent, True, lines)
    else:
        if not value:
            lines.append(indent + "[]")
        for item in value:
            _entry(f"{indent}-", item, indent, False, lines)


def _entry(head: str, item: Any, indent: str, in_mapping: bool, lines: list[str]) -> None:
    """One ``key:`` or ``-`` line and its value: inline, or as a block below it."""
    if isinstance(item, (dict, list)) and item:
        if isinstance(item, list) and in_mapping:  # PyYAML: a list in a mapping is not indented
            lines.append(head)
            _block(item, indent, lines)
            return
        if in_mapping:
            lines.append(head)
            _block(item, indent + "  ", lines)
            return
        # in a list: the first line of the nested block goes on the "- " line itself
        nested: list[str] = []
        _block(item, indent + "  ", nested)
        lines.append(head + " " + nested[0][len(indent) + 2 :])
        lines.extend(nested[1:])
        return
    if isinstance(item, (dict, list)):
        lines.append(head + (" {}" if isinstance(item, dict) else " []"))
        return
    lines.append(f"{head} {scalar(item)}")


def scalar(value: Any) -> str:
    """A scalar as YAML reads it back: ``null``, ``true``, ``3``, ``1.0e-05``, ``name``, ``'yes'``."""
    cls = value.__class__
    if value is None:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is int:
        return repr(value)
    if cls is float:
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value).lower()
        if "." not in text and "e" in text:  # 1e-05 reads as a string in YAML 1.1: 1.0e-05
            text = text.replace("e", ".0e", 1)
        return text
    if cls is str:
        return _string(value)
    raise NotPlain(value)


def _string(text: str) -> str:
    if _is_plain(text):
        return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _is_plain(text: str) -> bool:
    if not text or text[-1] in " :" or text.lower() in _WORDS:
        return False
    if text[0] in _DIGITS:  # "0.1,0.01" and "12k" are text; "1e3", "0x1F", "2024-01-01" are not
        if all(char in _NUMERIC for char in text):
            return False
    elif text[0] in "+-":  # an override's "++a=1", a flag's "--lr"; not "-1", "+.inf", "- x", "---"
        rest = text.lstrip("+-")
        if not rest or rest[0] not in _FIRST or text.startswith("---"):
            return False
    elif text[0] not in _FIRST:
        return False
    return ": " not in text and all(char in _INNER or (char > "\x7f" and char.isalnum()) for char in text)


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    if 0xD800 <= code < 0xE000:  # a lone surrogate (an undecodable argv byte): PyYAML's to judge
        raise NotPlain(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


__all__ = ["dump_plain", "scalar"]
