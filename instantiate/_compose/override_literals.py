"""How override text reads where nothing is quoted: numbers, bools and null as Hydra types them,
and keys written with list indexes as errors print them (``a._args_[0].x``)."""

from __future__ import annotations

import re
from typing import Any

_INT = re.compile(r"[+-]?(?:0|[1-9](?:_?[0-9])*)")
_FRACTION = r"(?:(?:0|[1-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|(?:0|[1-9](?:_?[0-9])*)\.)"
_FLOAT = re.compile(
    rf"[+-]?(?:{_FRACTION}|(?:{_FRACTION}|0|[1-9](?:_?[0-9])*)[eE][+-]?[0-9](?:_?[0-9])*"
    r"|[iI][nN][fF]|[nN][aA][nN])"
)


def typed(raw: str) -> Any:
    """Plain unquoted text as Hydra reads it: bool, null, int, float, or else the string."""
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if raw[0] in "+-.0123456789iInN":
        if _INT.fullmatch(raw):
            return int(raw)
        if _FLOAT.fullmatch(raw):
            return float(raw)
    return raw


def dotted_key(text: str) -> str:
    """``a._args_[0].x=1`` as ``a._args_.0.x=1``: a path as errors print it, pasted back."""
    key, equals, rest = text.partition("=")
    return re.sub(r"\[(\d+)\]", r".\1", key) + equals + rest


__all__ = ["dotted_key", "typed"]
