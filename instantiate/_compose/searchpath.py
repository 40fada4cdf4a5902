"""The config search path: directories, ``pkg://`` packages and stored configs, searched in order.

A *config path* names a config without its extension: ``train``, ``db/mysql``. A *group* is a
directory of options (``db``). The first source that has a config path provides it, as in
Hydra; stored configs (``store``) come last, so a file shadows a stored node of the same name.
"""

from __future__ import annotations

import os

from .._config.provenance import MAPPINGS, SEQUENCES, MarkedDict, MarkedList
from .._config.yaml_cache import parse_file
from .._errors import ConfigError
from .store import stored, stored_paths

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Source(Protocol):
        description: str

        def is_config(self, path: str) -> bool: ...

        def is_group(self, path: str) -> bool: ...

        def entries(self, group: str) -> tuple[list[str], list[str]]: ...

        def load(self, path: str) -> Loaded: ...


class Loaded:
    """One config as read: shared between compositions, so never changed (merging copies)."""

    __slots__ = ("annotation", "data", "defaults", "header", "origin", "path")

    def __init__(
        self,
        path: str,
        data: Any,
        defaults: MarkedList | None,
        header: str | None,
        annotation: type | None,
        origin: str,
    ) -> None:
        self.path = path  # the config path, "db/mysql"
        self.data = data  # MarkedDict (or MarkedList) without its ``defaults`` key
        self.defaults = defaults  # the defaults list as written, with its lines
        self.header = header  # the ``# @package`` header (or a stored node's package)
        self.annotation = annotation  # the dataclass typing a stored node
        self.origin = origin  # how errors name it: a file name, or "<stored db/mysql: MySQL>"

    def __repr__(self) -> str:
        return f"Loaded({self.path!r}, origin={self.origin!r})"


class DirectorySource:
    """Configs in a directory tree: ``db/mysql`` is ``<root>/db/mysql.yaml``."""

    def __init__(self, root: str, shown: str | None = None) -> None:
        self.root = root
        self.description = f"{shown or root} (directory)"

    def is_config(self, path: str) -> bool:
        return os.path.isfile(os.path.join(self.root, path + ".yaml"))

    def is_group(self, path: str) -> bool:
        return os.path.isdir(os.path.join(self.root, path)) if path else True

    def entries(self, group: str) -> tuple[list[str], list[str]]:
        try:
            scanned = list(os.scandir(os.path.join(self.root, group)))
        except OSError:
            return [], []
        groups = [e.name for e in scanned if e.is_dir() and e.name != "__pycache__"]
        configs = [e.name[:-5] for e in scanned if e.name.endswith(".yaml") and e.is_file()]
        return groups, configs

    def load(self, path: str) -> Loaded:
        file = os.path.normpath(os.path.join(self.root, path + ".yaml"))
        try:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read config file {file!r}: {error}") from None
        return read_config(path, text, file)


class PackageSource:
    """Configs shipped inside an installed package: ``pkg://myapp.conf`` (``/sub/dir`` optional)."""

    def __init__(self, spec: str) -> None:
        import importlib.resources  # only for a pkg:// search path entry

        module, _, sub = spec.partition("/")
        self.description = f"pkg://{spec} (package)"
        try:
            root: Any = importlib.resources.files(module)
        except (ModuleNotFoundError, TypeError) as error:
            raise ConfigError(
                f"search path entry 'pkg://{spec}': cannot import package {module!r} ({error})",
                hint="a pkg:// entry names an importable package (with an __init__.py) holding YAML files",
            ) from None
        for part in filter(None, sub.split("/")):
            root = root.joinpath(part)
        self.root = root
        self.spec = spec

    def _at(self, path: str) -> Any:
        node = self.root
        for part in filter(None, path.split("/")):
            node = node.joinpath(part)
        return node

    def is_config(self, path: str) -> bool:
        return bool(self._at(path + ".yaml").is_file())

    def is_group(self, path: str) -> bool:
        return bool(self._at(path).is_dir())

    def entries(self, group: str) -> tuple[list[str], list[str]]:
        node = self._at(group)
        if not node.is_dir():
            return [], []
        children = list(node.iterdir())
        groups = [c.name for c in children if c.is_dir() and c.name != "__pycache__"]
        configs = [c.name[:-5] for c in children if c.name.endswith(".yaml") and c.is_file()]
        return groups, configs

    def load(self, path: str) -> Loaded:
        from pathlib import Path

        node = self._at(path + ".yaml")
        shown = str(node) if isinstance(node, Path) else f"pkg://{self.spec}/{path}.yaml"
        return read_config(path, node.read_text(encoding="utf-8"), shown)


class StoreSource:
    """Configs put in the search space by ``store()``."""

    description = "stored configs (instantiate.store)"

    def is_config(self, path: str) -> bool:
        return stored(path) is not None

    def is_group(self, path: str) -> bool:
        prefix = path + "/" if path else ""
        return any(p.startswith(prefix) for p in stored_paths())

    def entries(self, group: str) -> tuple[list[str], list[str]]:
        prefix = group + "/" if group else ""
        groups, configs = set(), []
        for path in stored_paths():
            if path.startswith(prefix):
                rest = path[len(prefix) :]
                if "/" in rest:
                    groups.add(rest.partition("/")[0])
                else:
                    configs.append(rest)
        return sorted(groups), configs

    def load(self, path: str) -> Loaded:
        node = stored(path)
        assert node is not None
        data, defaults = split_defaults(node.data, node.origin)
        return Loaded(path, data, defaults, node.package, node.annotation, node.origin)


def read_config(path: str, text: str, file: str) -> Loaded:
    """A config file's text as a `Loaded`: its header, its data and its defaults list apart."""
    header = package_header(text, file)
    data = parse_file(text, file)
    if data is None:
        data = MarkedDict(file)
    elif data.__class__ not in MAPPINGS and data.__class__ not in SEQUENCES:
        raise ConfigError(
            f"a config file holds a mapping (or a list), not {type(data).__name__} {data!r}",
            source=f"{file}:1",
        )
    data, defaults = split_defaults(data, file)
    return Loaded(path, data, defaults, header, None, file)


def split_defaults(data: Any, origin: str) -> tuple[Any, MarkedList | None]:
    """``data`` without its top-level ``defaults`` key, and that defaults list."""
    if data.__class__ not in MAPPINGS or "defaults" not in data:
        return data, None
    defaults = data["defaults"]
    if defaults.__class__ not in SEQUENCES:
        kind = "a mapping" if defaults.__class__ in MAPPINGS else type(defaults).__name__
        line = data.lines.get("defaults") if isinstance(data, MarkedDict) else None
        raise ConfigError(
            f"the defaults list must be a list (got {kind})",
            path="defaults",
            source=f"{origin}:{line}" if isinstance(line, int) else line,
            hint="write each entry on its own line: '- db: mysql'",
        )
    rest = MarkedDict(getattr(data, "file", None))
    lines = getattr(data, "lines", {})
    for key, value in data.items():
        if key != "defaults":
            rest[key] = value
            if key in lines:
                rest.lines[key] = lines[key]
    if defaults.__class__ is list:
        marked = MarkedList(origin)
        marked.extend(defaults)
        marked.lines = [origin] * len(defaults)
        defaults = marked
    return rest, defaults


def package_header(text: str, file: str) -> str | None:
    """The ``# @package`` value from the comment lines that open a file (Hydra's header rule)."""
    package = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not (line.startswith("#") and line[1:].lstrip().startswith("@")):
            break  # the header ends at the first line that is not a '# @key value' comment
        parts = line.lstrip("#").split()
        if len(parts) != 2:
            raise ConfigError(
                f"a header line is '# @key value', got {line!r}",
                source=f"{file}:{number}",
                hint="for the package: '# @package _global_' or '# @package db.primary'",
            )
        if parts[0] == "@package":
            package = parts[1]
    return package


class Repository:
    """The search path of one composition, with the configs it has read so far."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self._loaded: dict[str, Loaded | None] = {}

    @classmethod
    def from_search_path(cls, config_dir: Any, search_path: Any) -> Repository:
        """Sources for ``config_dir`` then each ``search_path`` entry, then the stored configs."""
        sources: list[Source] = []
        if config_dir is not None:
            sources.append(make_source(os.fspath(config_dir), main=True))
        if isinstance(search_path, (str, os.PathLike)):
            search_path = [search_path]
        sources.extend(make_source(os.fspath(entry)) for entry in search_path or ())
        sources.append(StoreSource())
        return cls(sources)

    def extend(self, entries: list[str]) -> None:
        """Add search path entries before the stored configs (Hydra's ``hydra.searchpath``)."""
        self.sources[-1:-1] = [make_source(entry) for entry in entries]

    def load(self, path: str) -> Loaded | None:
        """The config at ``path`` from the first source that has it, or None."""
        if path in self._loaded:
            return self._loaded[path]
        found = None
        for source in self.sources:
            if source.is_config(path):
                found = source.load(path)
                break
        self._loaded[path] = found
        return found

    def group_exists(self, path: str) -> bool:
        return bool(path) and any(s.is_group(path) for s in self.sources)

    def options(self, group: str) -> list[str]:
        """The config names in ``group`` across the search path, sorted."""
        names: set[str] = set()
        for source in self.sources:
            names.update(source.entries(group)[1])
        return sorted(names)

    def groups(self, parent: str = "") -> list[str]:
        """The group names directly under ``parent``, sorted."""
        names: set[str] = set()
        for source in self.sources:
            names.update(source.entries(parent)[0])
        return sorted(names)

    def all_groups(self) -> list[str]:
        """Every group path (``db``, ``server/db``), for suggesting the closest to a misspelling."""
        found: list[str] = []
        pending = [""]
        while pending:
            parent = pending.pop()
            for name in self.groups(parent):
                path = f"{parent}/{name}" if parent else name
                found.append(path)
                pending.append(path)
        return sorted(found)

    def describe(self) -> str:
        """The search path for error messages, one source a line."""
        return "\n".join(f"    {s.description}" for s in self.sources)


def make_source(entry: str, main: bool = False) -> Source:
    """A source for one search path entry: ``pkg://pkg.configs``, ``file://dir`` or a directory."""
    if entry.startswith("pkg://"):
        return PackageSource(entry[len("pkg://") :])
    root = entry[len("file://") :] if entry.startswith("file://") else entry
    if not os.path.isdir(root):
        what = "config directory" if main else "search path directory"
        absolute = os.path.abspath(root)
        raise ConfigError(
            f"{what} {root!r} does not exist" + (f" (looked in {absolute!r})" if absolute != root else ""),
            hint="a relative directory is taken from the current working directory",
        )
    return DirectorySource(root)


__all__ = ["Loaded", "Repository", "make_source", "package_header", "read_config", "split_defaults"]
