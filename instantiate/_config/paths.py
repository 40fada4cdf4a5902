"""Config paths (``model.layers[1].in_features``): parsing, formatting, and links up the tree.

A *link* is a node's place in one walk down a config tree: ``(container, key, parent_link)``,
where ``key`` is the container's key in its parent. Links make relative references and
error paths cheap: nothing is computed until an error or a relative reference needs it.
"""

from __future__ import annotations

from functools import lru_cache

from .._errors import ConfigError, InterpolationError
from .provenance import source_of

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, TypeAlias


Link: TypeAlias = "tuple[Any, Any, Link | None]"  # (container, key in parent, parent link)
Key: TypeAlias = "Any"  # str for mappings, int for sequences (YAML allows other scalar keys too)

# Characters that end a key in a path; everything else (letters, digits, _-/+ ...) is a key.
KEY_STOP = frozenset(".[]:,<>{}$\\'\"() \t\n@=")


def link_keys(link: Link | None) -> list[Key]:
    """The keys from the root down to ``link``'s container."""
    keys = []
    while link is not None and link[2] is not None:
        keys.append(link[1])
        link = link[2]
    keys.reverse()
    return keys


def format_path(keys: Any) -> str:
    """``["model", "layers", 1, "in_features"]`` -> ``"model.layers[1].in_features"``."""
    out = []
    for key in keys:
        if isinstance(key, int) and not isinstance(key, bool):
            out.append(f"[{key}]")
        elif out:
            out.append(f".{key}")
        else:
            out.append(str(key))
    return "".join(out)


def path_of(link: Link | None, *more: Key) -> str:
    """The path of ``link``'s container, extended by ``more`` keys.

    A root link may carry a name as its key (a structured config's class: ``TreeConf.left``).
    """
    keys = []
    while link is not None:
        if link[2] is None:
            if link[1] is not None:
                keys.append(link[1])
            break
        keys.append(link[1])
        link = link[2]
    keys.reverse()
    keys.extend(more)
    return format_path(keys)


def parse_key_path(text: str, pos: int = 0, *, where: str = "path") -> tuple[int, tuple[Key, ...], int]:
    """Parse a path at ``text[pos:]`` up to the first character that cannot continue it.

    Returns ``(up, keys, end)``: ``up`` is -1 for a path from the root, else the number of
    levels above the holding node (``.x`` is 0, ``..x`` is 1); ``end`` is where parsing stopped.
    """
    n = len(text)
    dots = 0
    while pos < n and text[pos] == ".":
        dots += 1
        pos += 1
    up = dots - 1 if dots else -1
    keys: list[Key] = []
    expect_key = True  # at the start or after a '.', a bare key may follow
    while pos < n:
        char = text[pos]
        if char == "[":
            key, pos = bracket_key(text, pos, where)
            keys.append(key)
            expect_key = False
        elif char == "." and not expect_key:
            pos += 1
            expect_key = True
        elif expect_key and char not in KEY_STOP:
            start = pos
            while pos < n and text[pos] not in KEY_STOP:
                pos += 1
            keys.append(text[start:pos])
            expect_key = False
        else:
            break
    if expect_key and keys:
        raise _path_error(text, pos, "a key must follow '.'", where)
    return up, tuple(keys), pos


@lru_cache(maxsize=4096)
def parse_path(text: str) -> tuple[int, tuple[Key, ...]]:
    """Parse a whole path string (``a.b[0].c``, ``..x``); anything left over is an error."""
    up, keys, end = parse_key_path(text)
    if end != len(text):
        raise _path_error(text, end, f"unexpected {text[end]!r} in a path", "path")
    return up, keys


def bracket_key(text: str, pos: int, where: str = "path") -> tuple[Key, int]:
    """The key of ``[0]``/``[name]``/``['a.b']`` starting at ``text[pos]``, and where it ends."""
    close = text.find("]", pos)
    if close < 0:
        raise _path_error(text, pos, "'[' is never closed with ']'", where)
    return _index(text[pos + 1 : close].strip(), text, pos, where), close + 1


def _index(inner: str, text: str, pos: int, where: str) -> Key:
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return inner[1:-1]
    try:
        return int(inner)
    except ValueError:
        pass
    if inner and not any(c in KEY_STOP for c in inner):
        return inner
    raise _path_error(text, pos, f"[{inner}] is not an index: use [0], [-1] or ['key']", where)


def _path_error(text: str, pos: int, problem: str, where: str) -> ConfigError:
    return InterpolationError(
        f"malformed {where} {text!r}: {problem} (column {pos + 1})\n    {text}\n    {' ' * pos}^"
    )


def node_source(link: Link) -> str | None:
    """``file:line`` where the node at ``link`` is written (its key's line), if known."""
    parent = link[2]
    if parent is None:
        file = getattr(link[0], "file", None)
        return f"{file}:1" if file else None
    return source_of(parent[0], link[1])
