"""Merging config data like OmegaConf, keeping where every entry came from and its schema.

Mappings merge key by key; lists and scalars replace; ``???`` never replaces a value; a
mapping may replace a scalar and the other way round, but a list and a mapping do not mix.
Every entry keeps its ``file:line`` (see ``_config.provenance``), so an error after composition still
points at ``db/mysql.yaml:3``. A mapping that came from a stored dataclass is *typed*: keys
merged into it must be fields, and values must fit the field annotations (see ``_build.validation``).
The sources are never changed: what a merge keeps, it copies.
"""

from __future__ import annotations

from .._config.nodes import copy_data
from .._config.paths import format_path
from .._config.provenance import MAPPINGS, SEQUENCES, MarkedDict, MarkedList, source_of
from .._config.type_tests import is_any, is_dataclass_type, is_enum, is_path
from .._errors import ConfigError, ConfigKeyError, did_you_mean

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

    from .._config.provenance import Line

MISSING = "???"
# Top-level keys a root schema never governs: the run's settings and a ported Hydra section.
RESERVED_ROOT_KEYS = frozenset({"_run_", "hydra"})
# What an untyped place expects. Schemas (stored dataclasses) are the rare case: the typing
# machinery (``_build.validation``, ``typing``) is imported only when one is met.
UNTYPED = object


class Merger:
    """Merges into one composed tree; remembers which of its mappings are typed by a schema."""

    __slots__ = ("_adding", "_schemas")

    def __init__(self) -> None:
        # id(mapping) -> (mapping, annotation); the mapping is kept so its id is never reused
        self._schemas: dict[int, tuple[Any, Any]] = {}
        self._adding = False  # while applying '+'/'++': keys a schema lacks may be added, as in Hydra

    # -- schemas ----------------------------------------------------------------------------
    def schema_of(self, data: Any) -> Any:
        """The dataclass or ``Dict[...]`` annotation typing mapping ``data``, or None."""
        entry = self._schemas.get(id(data))
        return entry[1] if entry is not None and entry[0] is data else None

    def adopt(self, data: Any, annotation: Any) -> None:
        """Type ``data`` and the containers inside it by ``annotation`` (a dataclass, ``Dict``...)."""
        from .._build.validation import child_annotation, unwrap_optional

        annotation, _ = unwrap_optional(annotation)
        if is_any(annotation):
            return
        if data.__class__ in MAPPINGS:
            if _is_mapping_type(annotation):
                self._schemas[id(data)] = (data, annotation)
            for key, value in data.items():
                if value.__class__ in MAPPINGS or value.__class__ in SEQUENCES:
                    try:
                        self.adopt(value, child_annotation(annotation, key))
                    except KeyError:
                        continue
        elif data.__class__ in SEQUENCES:
            item = _item_annotation(annotation)
            for value in data:
                if value.__class__ in MAPPINGS or value.__class__ in SEQUENCES:
                    self.adopt(value, item)

    def annotation_at(self, schema: Any, key: Any, path: str, source: str | None) -> Any:
        """What ``schema`` expects at ``key``; an unknown key of a dataclass is a `ValidationError`."""
        if schema is None or (key in RESERVED_ROOT_KEYS and path == key):
            return UNTYPED
        from .._build.validation import child_annotation, unknown_field, unwrap_optional

        try:
            return child_annotation(schema, key)
        except KeyError:
            if self._adding:
                return UNTYPED
            raise unknown_field(key, unwrap_optional(schema)[0], path, source) from None

    # -- merging ----------------------------------------------------------------------------
    def merge(self, dst: Any, src: Any, path: str = "") -> None:
        """Merge mapping ``src`` into mapping ``dst``; ``path`` is where ``dst`` sits (for errors)."""
        schema = self.schema_of(dst)
        if schema is None:
            schema = self.schema_of(src)
            if schema is not None:  # like OmegaConf: merging a typed node types an untyped one
                self._schemas[id(dst)] = (dst, schema)
        for key, value in src.items():
            where = _join(path, key)
            source = source_of(src, key)
            annotation = self.annotation_at(schema, key, where, source)
            if key in dst:
                old = dst[key]
                if value.__class__ in MAPPINGS and old.__class__ in MAPPINGS:
                    if key not in getattr(dst, "lines", {key: None}):
                        carry_line(dst, key, src, key)
                    self.merge(old, value, where)
                    continue
                if value.__class__ is str and value == MISSING:
                    continue  # '???' says "must be set", never "unset what is set"
                if _mixes(old, value) and is_any(annotation):  # typed: place() says what fits
                    earlier = source_of(dst, key) or "an earlier config"
                    raise ConfigError(
                        f"cannot merge {_kind(value)} into {_kind(old)}",
                        path=where,
                        source=source,
                        hint=f"the {_kind(old)[2:]} was set at {earlier}; a list and a mapping do not merge",
                    )
            dst[key] = self.place(value, annotation, where, source)
            carry_line(dst, key, src, key)

    def place(self, value: Any, annotation: Any, path: str, source: str | None) -> Any:
        """A copy of ``value`` fitted to ``annotation`` (converted, typed), ready to insert."""
        if annotation is UNTYPED:
            inner = annotation
        else:
            from .._build.validation import unwrap_optional

            inner, _ = unwrap_optional(annotation)
        cls = value.__class__
        if cls in MAPPINGS:
            if is_any(inner):
                copied = copy_data(value)
                own = self.schema_of(value)
                if own is not None:
                    self.adopt(copied, own)
                return copied
            if is_dataclass_type(inner):
                from .store import structured_data

                base = structured_data(inner)  # like OmegaConf: a mapping fills in the dataclass
                self.adopt(base, inner)
                self.merge(base, value, path)
                return base
            if _is_mapping_type(inner):
                typed = MarkedDict(getattr(value, "file", None))
                self._schemas[id(typed)] = (typed, inner)
                self.merge(typed, value, path)
                return typed
        elif cls in SEQUENCES and (is_any(inner) or _is_list_type(inner)):
            if is_any(inner):
                return copy_data(value)
            item = _item_annotation(inner)
            out = MarkedList(getattr(value, "file", None))
            lines = getattr(value, "lines", None)
            for index, entry in enumerate(value):
                entry_source = source_of(value, index) or source
                out.append(self.place(entry, item, f"{path}[{index}]", entry_source))
            out.lines = list(lines) if lines is not None else [source or "<code>"] * len(out)
            return out
        if is_any(inner):
            return storable(value)
        from .._build.validation import check_value

        return storable(check_value(value, annotation, path=path, source=source))

    # -- single assignments (command-line overrides) ----------------------------------------
    def assign(self, parent: Any, key: Any, value: Any, path: str, source: str, adding: bool = False) -> None:
        """Set ``parent[key]`` to ``value`` (merging a mapping into a mapping), recording ``source``.

        ``adding`` (a '+' or '++' override) lets keys that a schema lacks be added.
        """
        self._adding = adding
        try:
            self._assign(parent, key, value, path, source)
        finally:
            self._adding = False

    def _assign(self, parent: Any, key: Any, value: Any, path: str, source: str) -> None:
        schema = self.schema_of(parent) if parent.__class__ in MAPPINGS else None
        if parent.__class__ in SEQUENCES:
            annotation: Any = UNTYPED
        else:
            annotation = self.annotation_at(schema, key, path, source)
        marked = mark(value, source)
        old = parent[key] if parent.__class__ in SEQUENCES or key in parent else None
        if marked.__class__ in MAPPINGS and old.__class__ in MAPPINGS:
            self.merge(old, marked, path)
            return
        if old is not None and _mixes(old, marked):
            raise ConfigError(f"cannot merge {_kind(marked)} into {_kind(old)}", path=path, source=source)
        parent[key] = self.place(marked, annotation, path, source)
        set_source(parent, key, source)

    def child(self, parent: Any, key: Any, path: str, source: str) -> Any:
        """``parent[key]``, created as an empty mapping (typed by the schema) when absent."""
        if key not in parent or parent[key] is None:
            self._adding = True
            try:
                annotation = self.annotation_at(self.schema_of(parent), key, path, source)
                created = self.place(MarkedDict(None), annotation, path, source)
            finally:
                self._adding = False
            parent[key] = created
            set_source(parent, key, source)
        return parent[key]


def embed(data: Any, package: str, origin: str | None) -> Any:
    """``data`` nested under the dotted ``package`` (``"db.primary"``); the root when it is ``""``."""
    if not package:
        return data
    for key in reversed(package.split(".")):
        wrapper = MarkedDict(None)
        wrapper[key] = data
        if origin is not None:
            wrapper.lines[key] = origin
        data = wrapper
    return data


def mark(value: Any, source: str) -> Any:
    """Plain data from code or the command line as marked containers whose entries say ``source``."""
    cls = value.__class__
    if cls is dict or cls is MarkedDict:
        out = MarkedDict(None)
        for key, item in value.items():
            out[key] = mark(item, source)
            out.lines[key] = source
        return out
    if cls is list or cls is MarkedList or cls is tuple:
        seq = MarkedList(None)
        seq.extend(mark(item, source) for item in value)
        seq.lines = [source] * len(seq)
        return seq
    return value


def storable(value: Any) -> Any:
    """A checked value as plain config data: an enum member by name, a path as text."""
    if is_enum(value):
        return value.name
    if is_path(value):
        return str(value)
    return value


def carry_line(dst: Any, key: Any, src: Any, src_key: Any) -> None:
    """Record in ``dst`` where ``src[src_key]`` was written (an int line only within one file)."""
    lines = getattr(src, "lines", None)
    if lines is None:
        return
    line: Line | None = lines.get(src_key) if isinstance(lines, dict) else lines[src_key]
    if line is None:
        return
    if isinstance(line, int) and getattr(dst, "file", None) != src.file:
        line = f"{src.file}:{line}"
    set_source(dst, key, line)


def set_source(container: Any, key: Any, line: Line) -> None:
    """Record ``line`` as where ``container[key]`` came from."""
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        lines[key] = line
    elif isinstance(lines, list) and isinstance(key, int):
        while len(lines) <= key:
            lines.append(line)
        lines[key] = line


def closest_key(container: Any, key: Any) -> str:
    """`` Did you mean 'x'?`` over the keys of a mapping, or an empty string."""
    if container.__class__ in MAPPINGS:
        return did_you_mean(key, container)
    return ""


def missing_key(container: Any, keys: list[Any], depth: int, source: str) -> ConfigKeyError:
    """The error for ``keys[depth]`` absent from ``container`` while walking ``keys``."""
    key = keys[depth]
    shown = ", ".join(map(str, list(container)[:20])) if container.__class__ in MAPPINGS else ""
    return ConfigKeyError(
        f"no key {key!r} at {format_path(keys[:depth]) or 'the top level'}.{closest_key(container, key)}"
        + (f" Keys there: {shown}" if shown else ""),
        path=format_path(keys[: depth + 1]),
        source=source,
    )


def _is_mapping_type(annotation: Any) -> bool:
    if is_dataclass_type(annotation):
        return True
    import typing

    origin = typing.get_origin(annotation)
    return annotation is dict or origin in (
        dict,
        typing.get_origin(typing.Mapping[str, int]),
        typing.get_origin(typing.MutableMapping[str, int]),
    )


def _is_list_type(annotation: Any) -> bool:
    import typing
    from collections.abc import Sequence

    lists = (list, tuple, Sequence, typing.get_origin(typing.MutableSequence[int]))
    return annotation in (list, tuple) or typing.get_origin(annotation) in lists


def _item_annotation(annotation: Any) -> Any:
    import typing

    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and args and args[-1] is not Ellipsis:
        return UNTYPED  # fixed-length tuples are checked as a whole by check_value
    return args[0] if args else UNTYPED


def _mixes(old: Any, new: Any) -> bool:
    return (old.__class__ in MAPPINGS and new.__class__ in SEQUENCES) or (
        old.__class__ in SEQUENCES and new.__class__ in MAPPINGS
    )


def _kind(value: Any) -> str:
    return "a list" if value.__class__ in SEQUENCES else "a mapping"


def _join(path: str, key: Any) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


__all__ = ["RESERVED_ROOT_KEYS", "Merger", "embed", "mark", "missing_key", "storable"]
