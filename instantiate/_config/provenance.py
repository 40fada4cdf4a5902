"""Containers that remember the file and line of each entry, kept beside the data compactly."""

from __future__ import annotations

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, TypeAlias


# An entry's line is an int (in the container's own file), or a full "file:line" string for
# an entry that composition brought in from another file.
Line: TypeAlias = "int | str"


class MarkedDict(dict):  # type: ignore[type-arg]
    """A dict loaded from a file: ``lines`` maps each key to where it was written."""

    __slots__ = ("file", "lines")

    def __init__(self, file: str | None = None) -> None:
        super().__init__()
        self.file = file
        self.lines: dict[Any, Line] = {}

    def __reduce__(self) -> Any:  # keeps file:line, so errors in worker processes still say where
        return (MarkedDict, (self.file,), (None, {"lines": self.lines}), None, iter(self.items()))


class MarkedList(list):  # type: ignore[type-arg]
    """A list loaded from a file: ``lines[i]`` is where item ``i`` was written."""

    __slots__ = ("file", "lines")

    def __init__(self, file: str | None = None) -> None:
        super().__init__()
        self.file = file
        self.lines: list[Line | None] = []  # None: set in code

    def __reduce__(self) -> Any:
        return (MarkedList, (self.file,), (None, {"lines": self.lines}), iter(self), None)


MAPPINGS = (dict, MarkedDict)
SEQUENCES = (list, MarkedList)
CONTAINERS = MAPPINGS + SEQUENCES


def copy_data(value: Any) -> Any:
    """Deep-copy raw config containers, keeping their provenance."""
    cls = value.__class__
    if cls is MarkedDict:
        out = MarkedDict(value.file)
        out.lines = dict(value.lines)
        for k, v in value.items():
            out[k] = copy_data(v)
        return out
    if cls is MarkedList:
        seq = MarkedList(value.file)
        seq.lines = list(value.lines)
        seq.extend(copy_data(v) for v in value)
        return seq
    if cls is dict:
        return {k: copy_data(v) for k, v in value.items()}
    if cls is list:
        return [copy_data(v) for v in value]
    return value


def source_of(container: Any, key: Any) -> str | None:
    """``"file:line"`` of ``container[key]``, or None when the entry was not loaded from a file."""
    lines = getattr(container, "lines", None)
    if lines is None:
        return None
    if isinstance(lines, dict):
        line = lines.get(key)
    elif isinstance(key, int) and -len(lines) <= key < len(lines):
        line = lines[key]
    else:
        line = None
    if line is None:
        return None
    if isinstance(line, str):
        return line
    return f"{container.file}:{line}"


def kind_of(value: Any) -> str:
    """What a value is, for messages: ``null``, ``a list``, ``a mapping``, ``an int (3)``."""
    if value is None:
        return "null"
    if value.__class__ in SEQUENCES:
        return "a list"
    if value.__class__ in MAPPINGS:
        return "a mapping"
    name = type(value).__name__
    article = "an" if name[:1] in "aeiou" else "a"
    return f"{article} {name} ({value!r})"


def in_tree(link: Any) -> bool:
    """False for a node a resolver made: its data hangs below a key that holds something else."""
    while link[2] is not None:
        parent = link[2][0]
        try:
            if parent.__class__ not in CONTAINERS or parent[link[1]] is not link[0]:
                return False
        except (KeyError, IndexError, TypeError):
            return False
        link = link[2]
    return True
