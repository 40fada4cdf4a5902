"""Defaults-list entries: what each line of a ``defaults:`` list means, and where it leads.

An entry is ``group: option`` (an overridable choice), ``group@package: option``,
``optional group: option`` (skipped when the option is missing), ``override group: option``
(changes an earlier choice), ``group: null`` (a placeholder), ``group: [a, b]`` (several
options), ``path/to/config`` (a config, not a choice) or ``_self_`` (where the config's own
content goes). Groups are relative to the directory of the config that names them;
``/group`` is absolute. An entry's package is its group path (``db/mysql`` goes under ``db``)
unless the entry says ``@package`` (relative to the parent's package) or the file's
``# @package`` header does (absolute); ``_global_`` is the root. These are Hydra 1.3's rules
(https://hydra.cc/docs/advanced/defaults_list/); the tree they form is in ``defaults_tree``.
"""

from __future__ import annotations

from .._config.provenance import MAPPINGS, SEQUENCES
from .._errors import ConfigError, did_you_mean
from .searchpath import Loaded

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

SELF = "_self_"
GLOBAL = "_global_"
# Hydra's own config groups: a ported config overrides them ('override hydra/launcher: x')
HYDRA_GROUPS = (
    "output",
    "launcher",
    "sweeper",
    "help",
    "hydra_help",
    "hydra_logging",
    "job_logging",
    "callbacks",
    "env",
)


class Default:
    """One defaults-list entry, and once placed under its parent, where it leads.

    (A plain class, not a dataclass: ``dataclasses`` imports ``inspect``, a cost on every start.)
    """

    __slots__ = ("chosen_by", "chosen_externally", "deleted", "external", "header", "kind", "optional",
                 "override", "package", "parent_dir", "parent_package", "path", "primary", "source",
                 "value")  # fmt: skip

    def __init__(
        self,
        kind: str,  # "group", "config" or "self"
        path: str = "",  # group entries: the group as written ("db", "/db"); configs: the config path
        value: Any = None,  # group entries: the option (a name, a list of names, or None)
        package: str | None = None,  # an explicit @package
        optional: bool = False,
        override: bool = False,
        primary: bool = False,
        external: bool = False,  # appended by +group=option
        source: str | None = None,  # where the entry was written: "file:line" or "<override '...'>"
        chosen_by: str | None = None,  # the override that changed the option, if any
        chosen_externally: bool = False,
    ) -> None:
        self.kind, self.path, self.value, self.package = kind, path, value, package
        self.optional, self.override, self.primary, self.external = optional, override, primary, external
        self.source, self.chosen_by, self.chosen_externally = source, chosen_by, chosen_externally
        self.parent_dir = ""
        self.parent_package = ""
        self.header: str | None = None  # the loaded config's package header, absolute ("_global_.x")
        self.deleted = False

    def __repr__(self) -> str:
        return f"Default({self.kind!r}, {self.path!r}, value={self.value!r}, package={self.package!r})"

    def place(self, parent_dir: str, parent_package: str) -> None:
        """Anchor this entry under its parent: relative groups and packages start from there."""
        self.parent_dir = parent_dir
        self.parent_package = parent_package
        if self.package is not None and "_group_" in self.package:  # Hydra 1.0's keyword, still honoured
            self.package = f"{GLOBAL}.{self.package.replace('_group_', self.default_package)}"

    @property
    def group_path(self) -> str:
        """The group's path from the search path root: ``server/db``."""
        written = self.path if self.kind == "group" else self.path.rpartition("/")[0]
        if self.path.startswith("/"):
            return written.lstrip("/")
        if not self.parent_dir:
            return written
        return f"{self.parent_dir}/{written}" if written else self.parent_dir

    @property
    def name(self) -> Any:
        """The option name (group entries) or the config's last path part."""
        return self.value if self.kind == "group" else self.path.rpartition("/")[2]

    @property
    def config_path(self) -> str:
        if self.kind == "group":
            return f"{self.group_path}/{self.name}"
        if self.path.startswith("/"):
            return self.path[1:]
        return f"{self.parent_dir}/{self.path}" if self.parent_dir else self.path

    @property
    def default_package(self) -> str:
        return self.group_path.replace("/", ".")

    def final_package(self, use_header: bool = True) -> str:
        """The dotted key this entry's content goes under (``""`` for the root)."""
        package = self.package
        if package is None and use_header:
            package = self.header
        if package is None:
            relative = self.path if self.kind == "group" else self.path.rpartition("/")[0]
            package = relative.lstrip("/").replace("/", ".")
        if not self.parent_package:
            joined = package
        elif not package:
            joined = self.parent_package
        else:
            joined = f"{self.parent_package}.{package}"
        at = joined.rfind(GLOBAL)
        return joined if at < 0 else joined[at + len(GLOBAL) + 1 :]

    @property
    def override_key(self) -> str:
        """How the command line names this choice: ``db``, or ``db@backup`` when packaged elsewhere."""
        final = self.final_package(use_header=False)
        if final == self.default_package:
            return self.group_path
        return f"{self.group_path}@{final or GLOBAL}"

    def is_missing(self) -> bool:
        return bool(self.name == "???")

    def is_interpolation(self) -> bool:
        text = self.value if self.kind == "group" else self.path
        return isinstance(text, str) and ("${" in text or "$<" in text)

    def describe(self) -> str:
        if self.kind == "self":
            return SELF
        if self.kind == "config":
            return self.path
        words = [w for w, on in (("optional", self.optional), ("override", self.override)) if on]
        key = self.path + (f"@{self.package}" if self.package is not None else "")
        return " ".join([*words, f"{key}: {self.value}"])


def parse_defaults(loaded: Loaded) -> list[Default]:
    """The defaults list of a loaded config as fresh `Default` entries (each composition its own)."""
    raw = loaded.defaults
    if raw is None:
        return []
    entries = []
    for index, item in enumerate(raw):
        line = raw.lines[index] if index < len(raw.lines) else None
        source = line if isinstance(line, str) else f"{raw.file or loaded.origin}:{line}"
        entries.append(_parse_entry(item, source))
    return entries


_KEYWORDS = ("optional", "override")


def _parse_entry(item: Any, source: str) -> Default:
    if isinstance(item, str):
        if item == SELF:
            return Default("self", source=source)
        path, at, package = item.partition("@")
        if not path:
            raise ConfigError(f"defaults entry {item!r} names no config", path="defaults", source=source)
        if path.strip() == SELF:
            raise ConfigError(
                f"defaults entry {item!r}: _self_ takes no @package (as in Hydra)",
                path="defaults",
                source=source,
                hint="write '- _self_'; to put this config's own content under a package, "
                "give the file a '# @package name' header",
            )
        package = package.strip()
        package_value = ("" if package == "_here_" else package) if at else None
        return Default("config", path.strip(), package=package_value, source=source)
    if item.__class__ in MAPPINGS:
        if len(item) != 1:
            keys = ", ".join(map(str, item)) or "(none)"
            raise ConfigError(
                f"a defaults entry is one 'group: option' pair, got {len(item)} keys ({keys})",
                path="defaults",
                source=source,
                hint="start each entry with '- ' on its own line",
            )
        ((key, value),) = item.items()
        words = str(key).split()
        group_key, flags = words[-1], words[:-1]
        for word in flags:
            if word not in _KEYWORDS:
                raise ConfigError(
                    f"unknown keyword {word!r} in defaults entry {key!r}.{did_you_mean(word, _KEYWORDS)}",
                    path="defaults",
                    source=source,
                    hint="an entry is '[optional] [override] group[@package]: option'",
                )
        group, at, package = group_key.partition("@")
        if value.__class__ in SEQUENCES:
            if not all(isinstance(v, str) for v in value):
                raise ConfigError(
                    f"defaults entry {key!r}: a list of options holds names only",
                    path="defaults",
                    source=source,
                )
            value = list(value)
        elif value is not None and not isinstance(value, str):
            raise ConfigError(
                f"defaults entry {key!r}: the option must be a name, a list of names or null, "
                f"not {type(value).__name__} {value!r}",
                path="defaults",
                source=source,
            )
        if not group.strip("/"):
            raise ConfigError(f"defaults entry {key!r} names no group", path="defaults", source=source)
        package_value = ("" if package == "_here_" else package) if at else None
        return Default(
            "group",
            group,
            value,
            package_value,
            optional="optional" in flags,
            override="override" in flags,
            source=source,
        )
    raise ConfigError(
        f"a defaults entry is a config name, 'group: option' or _self_, not {type(item).__name__} {item!r}",
        path="defaults",
        source=source,
    )


def ensure_self(node: Default, defaults: list[Default], origin: str) -> bool:
    """Check ``_self_`` appears at most once; add it last when absent. True when it was added."""
    selves = [d for d in defaults if d.kind == "self"]
    if len(selves) > 1:
        raise ConfigError(
            f"_self_ appears more than once in the defaults list of {origin}",
            path="defaults",
            source=selves[1].source,
        )
    if selves:
        return False
    if not defaults or any(not d.override for d in defaults):
        defaults.append(Default("self"))
        return True
    return False


def absolute_header(header: str) -> str:
    """A ``# @package`` header is absolute: ``x`` means ``_global_.x``."""
    if header == GLOBAL or header.startswith(GLOBAL + "."):
        return header
    return f"{GLOBAL}.{header}" if header else GLOBAL


def shown_option(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(value) + "]"
    return "null" if value is None else str(value)


__all__ = [
    "GLOBAL",
    "HYDRA_GROUPS",
    "SELF",
    "Default",
    "absolute_header",
    "ensure_self",
    "parse_defaults",
    "shown_option",
]
