"""What ``check`` can tell from the text of a config alone: near-miss special keys, unknown resolvers.

A key like ``_taget_`` or ``_args`` is almost surely a special key mistyped: as written, the node
is a plain mapping and builds a dict (or passes ``_args`` as a keyword). A resolver nobody
registered here is not necessarily a mistake: the project may register it in code that ``check``
has not run (``--import`` runs it), or with OmegaConf; then the value cannot be checked
statically, which ``check`` says rather than failing, unless the name is close to a known one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from .._build.flags import SPECIAL_KEYS
from .._config.grammar import BuiltRef, Call, Concat, Expr, Ref
from .._config.resolvers import get_resolver, resolver_names
from .._errors import closest


def near_miss_special_key(key: Any) -> str | None:
    """The special key ``key`` was probably meant to be (``_taget_`` -> ``_target_``), or None.

    Only keys with a leading or trailing underscore count, so a parameter named ``args`` or
    ``target`` is never taken for one.
    """
    if key.__class__ is not str or key in SPECIAL_KEYS or not (key.startswith("_") or key.endswith("_")):
        return None
    core = key.strip("_")
    if not core:
        return None
    for special in sorted(SPECIAL_KEYS):
        wanted = special.strip("_")
        if core == wanted or (len(core) > 4 and _distance(core, wanted) <= 2):
            return special
        if len(core) > 2 and _distance(core, wanted) <= 1:
            return special
    return None


def _distance(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions, adjacent swaps), for short words."""
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous_previous[j - 2] + 1)
            current.append(best)
        previous_previous, previous = previous, current
    return previous[-1]


class UnknownResolver:
    """A resolver call ``check`` cannot evaluate: its name, and the known name it is close to."""

    __slots__ = ("close_to", "name", "omegaconf", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.omegaconf = _omegaconf_has(name)
        self.close_to = None if self.omegaconf else closest(name, resolver_names())

    def problem(self) -> str | None:
        """A message when this is most likely a typo; None when it is only not checkable here."""
        if self.close_to is None:
            return None
        return f"{self.text} calls an unknown resolver {self.name!r}. Did you mean {self.close_to!r}?"

    def note(self) -> str:
        if self.omegaconf:
            return f"not checked: {self.text} calls {self.name!r}, a resolver registered with OmegaConf"
        return (
            f"not checked: {self.text} calls the resolver {self.name!r}, which is not registered here; "
            "if your code registers it, pass --import MODULE so check runs that code first"
        )


def unknown_resolvers(expr: str | Expr) -> list[UnknownResolver]:
    """The resolver calls in a parsed string whose resolver is not registered, outermost first."""
    return [UnknownResolver(call.name, call.text) for call in _calls(expr) if get_resolver(call.name) is None]


def _calls(expr: Any) -> Iterator[Call]:
    if isinstance(expr, Call):
        if isinstance(expr.name, str) and expr.name not in ("select", "oc.select"):
            yield expr
        for arg in expr.args:
            yield from _calls(arg)
    elif isinstance(expr, Concat):
        for part in expr.parts:
            yield from _calls(part)
    elif isinstance(expr, BuiltRef):
        yield from _calls(expr.ref)
    elif isinstance(expr, Ref):
        for key in expr.keys:
            yield from _calls(key)
    elif isinstance(expr, (list, tuple)):
        for item in expr:
            yield from _calls(item)
    elif isinstance(expr, dict):
        for item in expr.values():
            yield from _calls(item)


def _omegaconf_has(name: str) -> bool:
    """Whether an already imported OmegaConf knows the resolver (a ported project registers there)."""
    omegaconf = sys.modules.get("omegaconf")
    if omegaconf is None:
        return False
    try:
        return bool(omegaconf.OmegaConf.has_resolver(name))
    except Exception:
        return False


__all__ = ["UnknownResolver", "near_miss_special_key", "unknown_resolvers"]
