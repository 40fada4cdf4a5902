"""Structured configs: dataclasses and mappings stored in the config search space by name.

``store("mysql", MySQLConfig, group="db")`` lets a defaults list say ``- db: mysql`` as if
``db/mysql.yaml`` existed. A stored dataclass also brings its fields as the schema of what is
merged over it (see ``merging``). The store is a registry: module state, cleared in tests.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, NamedTuple

from .._build.structured import field_values
from .._config.nodes import Config, to_data
from .._config.provenance import MarkedDict, MarkedList
from .._errors import ConfigError


class Stored(NamedTuple):
    """One stored node: its data (never handed out; copied per composition) and its schema."""

    path: str  # "db/mysql": the group path and the name, as a defaults list names it
    data: MarkedDict
    annotation: type | None  # the dataclass whose fields type the data, None for a mapping
    package: str | None  # like a file's ``# @package`` header
    origin: str  # how errors name it: "<stored db/mysql: MySQLConfig>"


_store: dict[str, Stored] = {}


def store(name: str, node: Any, group: str | None = None, package: str | None = None) -> None:
    """Put a dataclass (class or instance) or a mapping in the config search space.

    A defaults list then names it like a file: ``- mysql_schema`` for ``group=None``, or
    ``- db: mysql_schema`` for ``group="db"``. ``package`` works like a ``# @package`` header.
    Storing a name again replaces the node, as re-running a module that stores it expects.
    """
    if not isinstance(name, str) or not name.strip("/"):
        raise ConfigError(f"store() needs a config name, got {name!r}")
    if group is not None and (not isinstance(group, str) or not group.strip("/")):
        raise ConfigError(f"store() group must be a group path like 'db' or 'server/db', got {group!r}")
    name = name[:-5] if name.endswith(".yaml") else name
    path = f"{group.strip('/')}/{name.strip('/')}" if group else name.strip("/")
    if dataclasses.is_dataclass(node):
        cls = node if isinstance(node, type) else type(node)
        origin = f"<stored {path}: {cls.__qualname__}>"
        data = structured_data(node, origin)
        _store[path] = Stored(path, data, cls, package, origin)
    elif isinstance(node, (Mapping, Config)) and not (isinstance(node, Config) and node.is_sequence()):
        origin = f"<stored {path}>"
        data = _plain(to_data(node), f"stored {path}", origin)
        _store[path] = Stored(path, data, None, package, origin)
    else:
        raise ConfigError(
            f"store({name!r}, ...) takes a dataclass (class or instance) or a mapping, "
            f"not {type(node).__name__}"
        )


def stored(path: str) -> Stored | None:
    """The node stored under ``path`` (``"db/mysql"``), if any."""
    return _store.get(path)


def stored_paths() -> list[str]:
    """Every stored config path."""
    return list(_store)


def clear_store() -> None:
    """Forget every stored node (for test isolation)."""
    _store.clear()


def structured_data(node: Any, origin: str | None = None) -> MarkedDict:
    """A dataclass (class: its defaults; instance: its values) as config data; ``???`` where unset."""
    cls = node if isinstance(node, type) else type(node)
    values = field_values(node)
    assert values is not None, "structured_data reads dataclasses only"
    lines = _field_lines(cls, origin or f"<{cls.__qualname__}>", values)
    out = MarkedDict(None)
    for name, value in values.items():
        out[name] = _plain(value, f"{cls.__qualname__}.{name}", lines[name])
        out.lines[name] = lines[name]
    return out


def _plain(value: Any, where: str, line: str) -> Any:
    """A field value as config data: nested dataclasses as mappings, enums by name."""
    if dataclasses.is_dataclass(value):
        return structured_data(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, PurePath):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return value
    if isinstance(value, Mapping):
        out = MarkedDict(None)
        for key, item in value.items():
            out[key] = _plain(item, f"{where}[{key!r}]", line)
            out.lines[key] = line
        return out
    if isinstance(value, (list, tuple)):
        seq = MarkedList(None)
        for i, item in enumerate(value):
            seq.append(_plain(item, f"{where}[{i}]", line))
            seq.lines.append(line)
        return seq
    raise ConfigError(
        f"{where} = {value!r}: a structured config holds plain data (numbers, text, lists, "
        f"mappings, enums, dataclasses), not {type(value).__name__}",
        source=line,
    )


_CLASS_LINES: dict[type, dict[str, str]] = {}  # a memo of where fields are written
_FIELD_LINE = re.compile(r"^(\s+)([A-Za-z_]\w*)\s*:")


def _field_lines(cls: type, fallback: str, names: Iterable[str]) -> dict[str, str]:
    """``"file:line"`` of each field's definition, found in the class source when it can be read."""
    found = _CLASS_LINES.get(cls)
    if found is None:
        found = {}
        for klass in reversed(cls.__mro__):
            if dataclasses.is_dataclass(klass):
                found.update(_lines_in_source(klass))
        _CLASS_LINES[cls] = found
    return {name: found.get(name, fallback) for name in names}


def _lines_in_source(cls: type) -> dict[str, str]:
    import inspect  # only when a dataclass is first stored

    try:
        file = inspect.getsourcefile(cls)
        lines, start = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return {}
    found: dict[str, str] = {}
    indent = None
    for offset, text in enumerate(lines[1:], start=1):
        match = _FIELD_LINE.match(text)
        if match is None:
            continue
        if indent is None:
            indent = match.group(1)
        if match.group(1) == indent and match.group(2) not in found:
            found[match.group(2)] = f"{file}:{start + offset}"
    return found


__all__ = ["Stored", "clear_store", "store", "stored", "stored_paths", "structured_data"]
