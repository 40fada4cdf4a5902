"""``Config``: a light view onto one place in a config tree.

A node holds no copy of the data: it is the tree plus a link (its place in the walk from the
root). Reading a value resolves its interpolations; containers come back as nodes of the same
tree, so a node taken out (``cfg.model``) still reaches the rest of its config.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._errors import ConfigError, ConfigKeyError, InterpolationError, MissingValueError, did_you_mean
from .expressions import inner_exprs
from .grammar import BuiltRef, parse
from .interpolation import MISSING, Evaluator, Live, Tree, locate
from .paths import Link, parse_path, path_of
from .provenance import CONTAINERS, MAPPINGS, SEQUENCES, MarkedDict, MarkedList, copy_data, in_tree, source_of
from .recursion import allow_deep_recursion

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


if TYPE_CHECKING:
    from os import PathLike

_NO_DEFAULT: Any = object()


class Config:
    """A mapping or sequence node of a config tree (see ``load`` and ``Config.from_yaml``)."""

    __slots__ = ("_link", "_tree")
    _tree: Tree
    _link: Link

    def __init__(self, data: Any = None) -> None:
        """Wrap plain Python data (copied: later changes to ``data`` do not reach the config)."""
        allow_deep_recursion()  # to_data recurses once per nesting level
        data = {} if data is None else to_data(data)
        if data.__class__ not in CONTAINERS:
            raise ConfigError(f"a Config holds a mapping or a list, not {type(data).__name__}")
        tree = Tree(data)
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "_link", tree.link)

    @classmethod
    def from_yaml(cls, text: str, file: str | None = None) -> Config:
        """Parse YAML text (safe types only); ``file`` names it in error messages."""
        from .loading import parse_yaml  # PyYAML is imported on first use, not with the package

        return cls._root(parse_yaml(text, file), file or "<string>")

    @classmethod
    def _root(cls, data: Any, file: str | None = None) -> Config:
        if data.__class__ not in CONTAINERS:
            raise ConfigError(
                f"the top level of a config must be a mapping or a list, not {data!r}", source=file
            )
        tree = Tree(data)
        return cls._view(tree, tree.link)

    @classmethod
    def _view(cls, tree: Tree, link: Link) -> Config:
        node = object.__new__(cls)
        object.__setattr__(node, "_tree", tree)
        object.__setattr__(node, "_link", link)
        return node

    # -- where this node is -----------------------------------------------------------------
    @property
    def path(self) -> str:
        """This node's full key, like ``model.layers[1]`` (``""`` for the root)."""
        return path_of(self._link)

    @property
    def source(self) -> str | None:
        """``"file:line"`` where this node was written, or None for nodes made in code."""
        link = self._link
        if link[2] is None:
            file = getattr(link[0], "file", None)
            return f"{file}:1" if file else None
        return source_of(link[2][0], link[1])

    def source_of(self, key: Any) -> str | None:
        """``"file:line"`` of the entry ``key`` of this node."""
        self._check_key(key)
        return source_of(self._data, key)

    @property
    def _data(self) -> Any:
        return self._link[0]

    def is_sequence(self) -> bool:
        """True for a list node, False for a mapping node."""
        return self._data.__class__ in SEQUENCES

    # -- reading ----------------------------------------------------------------------------
    def _read(self, key: Any, raw: Any) -> Any:
        """Turn a stored value into what a reader sees: nodes, resolved interpolations."""
        cls = raw.__class__
        if cls is str:
            if raw == MISSING:
                raise MissingValueError(
                    "mandatory value (???) is not set",
                    path=path_of(self._link, key),
                    source=source_of(self._data, key),
                    hint=f"set it in the config or override it: {path_of(self._link, key)}=...",
                )
            if "$" in raw:
                allow_deep_recursion()
                try:
                    value, link = Evaluator(self._tree, Config._view).resolve(raw, self._link, key)
                except RecursionError:
                    raise _too_deep(self._link, key) from None
                return Config._view(self._tree, link) if link is not None else value
            return raw
        if cls in CONTAINERS:
            return Config._view(self._tree, (raw, key, self._link))
        if cls is Live:
            return raw.value
        return raw

    def _get_raw(self, key: Any) -> Any:
        data = self._data
        if data.__class__ in MAPPINGS:
            try:
                return data[key]
            except KeyError:
                raise self._missing_key(key) from None
            except TypeError:
                raise self._missing_key(key) from None
        if isinstance(key, int) and not isinstance(key, bool):
            try:
                return data[key]
            except IndexError:
                raise ConfigKeyError(
                    f"index {key} is out of range: the list has {len(data)} items",
                    path=path_of(self._link, key),
                    source=self.source,
                ) from None
        raise ConfigKeyError(
            f"a list is indexed by integers, not {key!r}",
            path=self.path,
            source=self.source,
        )

    def _missing_key(self, key: Any) -> ConfigKeyError:
        keys = list(self._data)
        shown = ", ".join(map(str, keys[:20])) + (", ..." if len(keys) > 20 else "")
        return ConfigKeyError(
            f"no key {key!r}.{did_you_mean(key, keys)} Keys here: {shown or '(none)'}",
            path=path_of(self._link, key),
            source=self.source,
        )

    def _check_key(self, key: Any) -> None:
        self._get_raw(key)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._data.__class__ in SEQUENCES:
            raise ConfigKeyError(
                f"a list has no attribute {name!r}; index it with [i]",
                path=self.path,
                source=self.source,
            )
        return self._read(name, self._get_raw(name))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            if self._data.__class__ not in SEQUENCES:
                raise ConfigKeyError("only a list can be sliced", path=self.path, source=self.source)
            return [self._read(i, self._data[i]) for i in range(*key.indices(len(self._data)))]
        if key.__class__ is int and key < 0 and self._data.__class__ in SEQUENCES and -key <= len(self._data):
            key += len(self._data)  # so the node's path is layers[1], not layers[-1]
        return self._read(key, self._get_raw(key))

    def get(self, key: Any, default: Any = None) -> Any:
        """The value at ``key``, or ``default`` when there is no such key or it is ``???``."""
        data = self._data
        if data.__class__ in MAPPINGS:
            if key not in data:
                return default
        elif not (isinstance(key, int) and -len(data) <= key < len(data)):
            return default
        if data[key].__class__ is str and data[key] == MISSING:  # as OmegaConf's get
            return default
        return self[key]

    def select(self, path: str, default: Any = _NO_DEFAULT) -> Any:
        """The value at ``path`` (``a.b[0].c``, or ``..x`` relative to this node)."""
        up, keys = parse_path(path)
        node: Any = self
        for _ in range(up):
            if node._link[2] is None:
                raise ConfigKeyError(f"{path!r} goes above the root", path=self.path, source=self.source)
            node = Config._view(node._tree, node._link[2])
        holder, held = node, None  # the last node walked and the key read from it
        for key in keys:
            if not isinstance(node, Config):
                if default is not _NO_DEFAULT:
                    return default
                raise ConfigKeyError(
                    f"{path!r}: {node!r} is not a config node, so it has no key {key!r}",
                    path=path_of(holder._link, held),
                    source=holder.source_of(held),
                )
            if key.__class__ is str and key.isascii() and key.isdigit() and node.is_sequence():
                key = int(key)  # OmegaConf's select("layers.0")
            holder, held = node, key
            if default is not _NO_DEFAULT and node._data.__class__ in MAPPINGS and key not in node._data:
                return default  # without building the "did you mean" message of the error
            try:
                node = node[key]
            except (ConfigKeyError, MissingValueError):
                if default is not _NO_DEFAULT:
                    return default
                raise
        return node

    def is_missing(self, key: Any) -> bool:
        """True when ``key`` holds ``???`` (a mandatory value not set yet)."""
        data = self._data
        if data.__class__ in MAPPINGS and key not in data:
            return False
        return bool(self._get_raw(key) == MISSING)

    def __contains__(self, key: Any) -> bool:
        if self._data.__class__ in MAPPINGS:
            return key in self._data
        return any(self._read(i, raw) == key for i, raw in enumerate(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        if self._data.__class__ in MAPPINGS:
            return iter(list(self._data))
        return (self._read(i, raw) for i, raw in enumerate(list(self._data)))

    def keys(self) -> list[Any]:
        """The keys of a mapping node."""
        self._require_mapping("keys")
        return list(self._data)

    def values(self) -> list[Any]:
        """The values (resolved; containers as nodes)."""
        if self._data.__class__ in SEQUENCES:
            return list(self)
        return [self._read(k, v) for k, v in list(self._data.items())]

    def items(self) -> list[tuple[Any, Any]]:
        """``(key, value)`` pairs of a mapping node, values resolved."""
        self._require_mapping("items")
        return [(k, self._read(k, v)) for k, v in list(self._data.items())]

    def _require_mapping(self, what: str) -> None:
        if self._data.__class__ not in MAPPINGS:
            raise ConfigKeyError(
                f"a list has no {what}(); iterate over it instead", path=self.path, source=self.source
            )

    # -- writing ----------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("__"):
            raise AttributeError(f"cannot set {name} on a Config")
        self[name] = value

    def __setitem__(self, key: Any, value: Any) -> None:
        data = self._data
        if data.__class__ in SEQUENCES and not (isinstance(key, int) and -len(data) <= key < len(data)):
            raise ConfigKeyError(
                f"index {key!r} is out of range for a list of {len(data)} items",
                path=self.path,
                source=self.source,
            )
        data[key] = to_data(value)
        self._tree.changed()
        lines = getattr(data, "lines", None)  # a value set in code has no file:line
        if isinstance(lines, dict):
            lines.pop(key, None)
        elif isinstance(lines, list):
            lines[key] = None

    def __delitem__(self, key: Any) -> None:
        self._get_raw(key)
        del self._data[key]
        self._tree.changed()
        lines = getattr(self._data, "lines", None)
        if isinstance(lines, dict):
            lines.pop(key, None)
        elif isinstance(lines, list):
            del lines[key]

    def __delattr__(self, name: str) -> None:
        del self[name]

    def append(self, value: Any) -> None:
        """Add an item at the end of a list node."""
        if self._data.__class__ not in SEQUENCES:
            raise ConfigKeyError("append() needs a list node", path=self.path, source=self.source)
        self._data.append(to_data(value))
        self._tree.changed()
        lines = getattr(self._data, "lines", None)
        if isinstance(lines, list):
            lines.append(None)  # made in code: no file:line

    # -- converting -------------------------------------------------------------------------
    def to_dict(self, resolve: bool = True) -> Any:
        """Plain dicts and lists (interpolations resolved unless ``resolve=False``).

        ``$<@...>`` references to built objects stay as written: they exist only while building.
        """
        allow_deep_recursion()
        evaluator = Evaluator(self._tree, Config._view) if resolve else None
        try:
            return _plain(self._data, self._link, evaluator)
        except RecursionError:
            raise _too_deep(self._link[2], self._link[1]) from None

    def to_yaml(self, resolve: bool = False) -> str:
        """The node as YAML text (interpolations kept as written unless ``resolve=True``)."""
        import yaml

        try:
            return yaml.dump(
                self.to_dict(resolve=resolve),
                Dumper=_dumper(),
                sort_keys=False,
                default_flow_style=False,
                allow_unicode=True,
            )
        except yaml.representer.RepresenterError as error:
            raise ConfigError(
                f"cannot write this config as YAML: {error.args[-1]!r} is not plain data",
                path=self.path,
                source=self.source,
            ) from None

    # -- protocol ---------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return bool(self.to_dict(resolve=False) == other.to_dict(resolve=False))
        if isinstance(other, (Mapping, list, tuple)):
            return bool(self.to_dict(resolve=False) == to_data(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Config({_plain(self._data, self._link, None)!r})"

    def __str__(self) -> str:
        return str(_plain(self._data, self._link, None))

    def __copy__(self) -> Config:
        return self.__deepcopy__({})

    def __deepcopy__(self, memo: dict[int, Any]) -> Config:
        """A copy of the whole tree, at this node's place in it (so references still resolve)."""
        if not in_tree(self._link):
            return Config(self)
        return _reattach(copy_data(self._tree.data), self._link)

    def __reduce__(self) -> Any:
        from .paths import link_keys

        if not in_tree(self._link):
            return (Config, (self.to_dict(resolve=False),))
        return (_unpickle, (self._tree.data, link_keys(self._link)))

    def __dir__(self) -> list[str]:
        keys = [k for k in self._data if isinstance(k, str)] if self._data.__class__ in MAPPINGS else []
        return sorted(set(keys) | set(type(self).__dict__))


Config.__module__ = "instantiate"


def load(path: str | PathLike[str]) -> Config:
    """Read a YAML config file (safe types only; every node remembers ``file:line``)."""
    import os

    from .yaml_cache import load_file

    return Config._root(load_file(path), os.path.normpath(path))


def to_data(value: Any) -> Any:
    """Copy user data into config containers: Mappings become dicts, lists and tuples lists."""
    cls = value.__class__
    if cls is dict or cls is MarkedDict:
        out = dict(value)  # copied in C; only the containers inside are copied one by one
        for k, v in out.items():
            if v.__class__ not in _LEAVES:
                out[k] = to_data(v)
        return out
    if cls is list or cls is tuple or cls is MarkedList:
        return [v if v.__class__ in _LEAVES else to_data(v) for v in value]
    if cls in _LEAVES:
        return value
    if isinstance(value, Config):
        return copy_data(value._data)
    if isinstance(value, Mapping):
        return {k: to_data(v) for k, v in value.items()}
    return value


_LEAVES = frozenset({str, int, float, bool, type(None)})  # copied by reference: immutable


def _plain(data: Any, link: Link, evaluator: Evaluator | None) -> Any:
    """Plain containers from raw data; resolves interpolations when given an evaluator."""
    if data.__class__ in MAPPINGS:
        items: Any = data.items()
    else:
        items = enumerate(data)
    out: Any = [] if data.__class__ in SEQUENCES else {}
    for key, raw in items:
        value = raw
        if raw.__class__ is str and evaluator is not None and "$" in raw:
            value = _resolved_for_export(evaluator, raw, link, key)
        elif raw.__class__ in CONTAINERS:
            value = _plain(raw, (raw, key, link), evaluator)
        elif raw.__class__ is Live:
            value = raw.value
        elif raw.__class__ is Config:  # a node inside what a resolver returned
            value = raw.to_dict(resolve=evaluator is not None)
        if out.__class__ is list:
            out.append(value)
        else:
            out[key] = value
    return out


def _too_deep(holder: Link | None, key: Any) -> ConfigError:
    return InterpolationError(
        "references lead through more values than Python's recursion limit allows",
        path=path_of(holder, key) if holder is not None else "",
        source=source_of(holder[0], key) if holder is not None else None,
        hint="shorten the chain of $<...> references",
    )


def _resolved_for_export(evaluator: Evaluator, raw: str, link: Link, key: Any) -> Any:
    try:
        expr = parse(raw)
    except ConfigError as error:
        raise locate(error, link, key) from None
    if _mentions_built(expr):
        return raw
    value, target = evaluator.resolve(raw, link, key)
    if value.__class__ is Config:  # a resolver that returned a node
        return value.to_dict()
    if target is not None:
        # Still "resolving" this value while its node is exported: a node that contains the
        # value (a: {b: $<a>}) is then a cycle, not endless recursion.
        evaluator.enter(link, key)
        try:
            return _plain(value, target, evaluator)
        finally:
            evaluator.leave(link, key)
    return value


def _mentions_built(expr: Any) -> bool:
    if isinstance(expr, BuiltRef):
        return True
    return any(_mentions_built(p) for p in inner_exprs(expr))


def _reattach(data: Any, old_link: Link) -> Config:
    from .paths import link_keys

    return _unpickle(data, link_keys(old_link))


def _unpickle(data: Any, keys: list[Any]) -> Config:
    tree = Tree(data)
    link = tree.link
    for key in keys:
        child = link[0][key]
        link = (child, key, link)
    return Config._view(tree, link)


_DUMPER: Any = None


def _dumper() -> Any:
    """A safe YAML dumper that writes MarkedDict/MarkedList like dicts and lists."""
    global _DUMPER
    if _DUMPER is None:
        import yaml

        from .loading import IMPLICIT_FLOAT

        class Dumper(yaml.SafeDumper):
            def represent_str(self, data: str) -> Any:
                if "\x85" in data:  # PyYAML writes NEL raw, and a reader folds it to a space
                    return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
                return super().represent_str(data)

        Dumper.add_implicit_resolver(*IMPLICIT_FLOAT)  # quote "1e-3": our loader reads it as a float
        Dumper.add_representer(str, Dumper.represent_str)
        Dumper.add_representer(MarkedDict, Dumper.represent_dict)
        Dumper.add_representer(MarkedList, Dumper.represent_list)
        _DUMPER = Dumper
    return _DUMPER


__all__ = ["Config", "copy_data", "load", "source_of", "to_data"]
