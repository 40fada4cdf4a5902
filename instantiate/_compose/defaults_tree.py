"""The defaults tree: which configs a composition merges, in which order, under which package.

Hydra 1.3's expansion (https://hydra.cc/docs/advanced/defaults_list/), implemented afresh:

- Without ``_self_``, a config's own content comes after its defaults.
- Entries are expanded last to first, so an ``override`` met in a later entry (an experiment)
  is known before the earlier entry it changes is expanded. Entries whose option is an
  interpolation (``db: ${db_kind}``) are expanded after their siblings, from the choices made.
- Command-line ``group=option`` changes a choice, ``+group=option`` appends an entry to the
  primary config's list, ``~group`` (or ``~group=option``) removes one.
- Every choice is recorded (``db: mysql``), as Hydra's ``hydra.runtime.choices``.
"""

from __future__ import annotations

from .._config.nodes import Config
from .._config.provenance import MAPPINGS, MarkedDict
from .._errors import ConfigError, MissingValueError, OverrideError, closest, did_you_mean
from .defaults import HYDRA_GROUPS, Default, absolute_header, ensure_self, parse_defaults, shown_option
from .searchpath import Loaded, Repository

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    import re
    from typing import Any

    from .overrides import Override

_HYDRAS = "<Hydra's defaults>"  # the source of an entry for one of Hydra's own groups
_HYDRA_OPTIONS = frozenset({"default", "disabled", "none", "stdout", "basic"})  # Hydra ships these
# regular expressions (compiled by `re` on first use, for options that hold an interpolation)
_LEGACY = r"\$\{defaults\.\d"  # Hydra 1.0: ${defaults.0.db}
_CHOICE = r"\$\{([^${}:]*[@/][^${}:]*)\}"  # ${db@backup}, ${server/db}


class Tree:
    """A config and, once expanded, the subtrees of its defaults list (``None`` for a leaf)."""

    __slots__ = ("children", "loaded", "node")

    def __init__(
        self, node: Default, children: list[Tree] | None = None, loaded: Loaded | None = None
    ) -> None:
        self.node = node
        self.children = children
        self.loaded = loaded

    def __repr__(self) -> str:
        return f"Tree(node={self.node!r}, children={self.children!r}, loaded={self.loaded!r})"


class Result:
    """One config to merge, in order: its path, its package, and whether it is a ``_self_``."""

    __slots__ = ("config_path", "is_self", "loaded", "override_key", "package", "primary")

    def __init__(self, node: Default, loaded: Loaded | None, is_self: bool) -> None:
        self.config_path = node.config_path
        self.package = node.final_package()
        self.primary = node.primary
        self.is_self = is_self
        self.loaded = loaded
        self.override_key = node.override_key if node.kind == "group" and not is_self else None

    def __repr__(self) -> str:
        return f"Result({self.config_path!r}, package={self.package!r}{', self' if self.is_self else ''})"


class _Choice:
    __slots__ = ("external", "parent", "source", "text", "used", "value")

    def __init__(
        self, value: Any, source: str | None, text: str | None, external: bool, parent: str | None = None
    ) -> None:
        self.value = value
        self.source = source
        self.text = text  # the command-line override, for messages
        self.external = external
        self.parent = parent  # the config holding an ``override`` entry
        self.used = False


class _Deletion:
    __slots__ = ("name", "text", "used")

    def __init__(self, name: Any, text: str) -> None:
        self.name = name
        self.text = text
        self.used = False


class DefaultsList:
    """What composition merges (``results``), the tree it came from, and the choices made."""

    __slots__ = ("choices", "results", "tree", "value_overrides")

    def __init__(
        self,
        results: list[Result],
        tree: Tree,
        choices: dict[str, Any],
        value_overrides: list[Override] | None = None,
    ) -> None:
        self.results = results
        self.tree = tree
        self.choices = choices
        self.value_overrides = value_overrides if value_overrides is not None else []


def build_defaults(
    repo: Repository,
    config_name: str | None,
    overrides: list[Override],
    skip_missing: bool = False,
) -> DefaultsList:
    """Expand the defaults tree of ``config_name`` under command-line ``overrides``."""
    return _Builder(repo, overrides, skip_missing).build(config_name)


class _Builder:
    def __init__(self, repo: Repository, overrides: list[Override], skip_missing: bool) -> None:
        self.repo = repo
        self.skip_missing = skip_missing
        self.choices: dict[str, _Choice] = {}
        self.appends: list[Default] = []
        self.deletions: dict[str, _Deletion] = {}
        self.known: dict[str, Any] = {}
        self.list_choices: dict[str, list[str]] = {}  # groups given several options (Hydra omits them)
        self.known_per_group: dict[str, list[str]] = {}
        self.value_overrides: list[Override] = []
        for override in overrides:
            self.classify(override)

    # -- command-line overrides -------------------------------------------------------------
    def classify(self, override: Override) -> None:
        from .overrides import NO_VALUE

        group = override.key_or_group.lstrip("/")
        value = override.value
        if isinstance(value, dict) or not self.repo.group_exists(group):
            if "/" in group and group.partition("/")[0] == "hydra" and not isinstance(value, dict):
                self.known[group] = value  # Hydra's own groups (hydra/launcher...): recorded, not ours
                return
            self.value_overrides.append(override)
            return
        source = f"<override {override.text!r}>"
        key = group + (f"@{override.package}" if override.package is not None else "")
        if override.is_force_add:
            raise OverrideError(
                f"override {override.text!r}: '++' adds or sets a config value, "
                f"but {group!r} is a config group",
                path=key,
                source=source,
                hint=f"choose an option with {override.text[2:]}, or append one with {override.text[1:]}",
            )
        if override.is_delete:
            if value is not NO_VALUE and not isinstance(value, str):
                raise OverrideError(
                    f"override {override.text!r}: ~group=option takes an option name", path=key, source=source
                )
            self.deletions[key] = _Deletion(None if value is NO_VALUE else value, override.text)
            return
        if (
            value is not None
            and not isinstance(value, str)
            and not (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            raise OverrideError(
                f"override {override.text!r}: a config group takes an option name, a list of names, "
                f"or null, not {value!r}",
                path=key,
                source=source,
                hint=f"options in {group!r}: {', '.join(self.repo.options(group)) or '(none)'}",
            )
        if override.is_add:
            self.appends.append(
                Default(
                    "group",
                    group,
                    value,
                    override.package,
                    external=True,
                    source=source,
                    chosen_by=override.text,
                    chosen_externally=True,
                )
            )
        else:
            self.choices[key] = _Choice(value, source, override.text, external=True)

    # -- the tree ---------------------------------------------------------------------------
    def build(self, config_name: str | None) -> DefaultsList:
        if config_name is None:
            root = Default("config", "", primary=True)
        else:
            name = config_name[:-5] if config_name.endswith(".yaml") else config_name
            root = Default("config", name, primary=True)
        tree = self.expand(root, primary=True, interpolated=False)
        results: list[Result] = []
        self.flatten(tree, results)
        self.check_unused()
        self.check_duplicates(results)
        return DefaultsList(results, tree, self.ordered_choices(tree), self.value_overrides)

    def ordered_choices(self, tree: Tree) -> dict[str, Any]:
        """The choices in the order the defaults tree lists them (expansion met them last to first)."""
        known = {**self.list_choices, **self.known}
        ordered: dict[str, Any] = {}
        pending = [tree]
        while pending:
            current = pending.pop()
            node = current.node
            if node.kind == "group" and node.override_key in known:
                ordered.setdefault(node.override_key, known[node.override_key])
            pending.extend(reversed(current.children or []))
        for key, value in known.items():  # deleted entries, Hydra's own groups
            ordered.setdefault(key, value)
        return ordered

    def expand(self, node: Default, primary: bool, interpolated: bool) -> Tree:
        loaded: Loaded | None
        if primary:
            loaded = self.load_primary(node)
        else:
            loaded = None if node.name is None or node.is_missing() else self.repo.load(node.config_path)
            if loaded is not None and loaded.header is not None:
                node.header = absolute_header(loaded.header)
        if self.is_deleted(node):
            node.deleted = True
            return Tree(node)
        self.set_known(node)
        if node.name is None:
            return Tree(node)
        if node.is_missing():
            if self.skip_missing:
                return Tree(node)
            raise self.missing_choice(node)
        if loaded is None:
            if node.optional:
                node.deleted = True
                return Tree(node)
            raise self.not_found(node)
        defaults = parse_defaults(loaded)
        if primary:  # Hydra's own groups that the project extends, so 'override hydra/x: y' finds them
            defaults[:0] = [
                Default("group", f"hydra/{group}", "default", optional=True, source=_HYDRAS)
                for group in HYDRA_GROUPS
                if self.repo.group_exists(f"hydra/{group}")
            ]
        self_added = False
        if defaults or (primary and self.appends):
            self_added = ensure_self(node, defaults, loaded.origin)
        if primary:
            defaults.extend(self.appends)
        self.register_overrides(node, defaults, interpolated)

        parent_dir, parent_package = node.group_path, node.final_package()
        reversed_children: list[Tree] = []
        for entry in reversed(defaults):
            if entry.kind == "self":
                reversed_children.append(Tree(entry))
                continue
            if entry.override:
                continue
            entry.place(parent_dir, parent_package)
            self.apply_choice(entry)
            if entry.kind == "group" and isinstance(entry.value, list):
                self.list_choices.setdefault(entry.override_key, list(entry.value))
                for option in reversed(entry.value):
                    item = Default(
                        "config",
                        f"{entry.path}/{option}",
                        package=entry.package,
                        optional=entry.optional,
                        source=entry.source,
                        chosen_by=entry.chosen_by,
                        chosen_externally=entry.chosen_externally,
                    )
                    item.place(parent_dir, parent_package)
                    reversed_children.append(self.expand(item, primary=False, interpolated=interpolated))
            elif entry.is_interpolation():
                reversed_children.append(Tree(entry))  # expanded below, once its siblings chose
            else:
                reversed_children.append(self.expand(entry, primary=False, interpolated=interpolated))
        children = reversed_children[::-1]

        for index, child in enumerate(children):
            entry = child.node
            if (
                entry.kind != "self"
                and child.children is None
                and entry.is_interpolation()
                and not entry.deleted
            ):
                self.resolve_interpolation(entry, defaults, self_added, node)
                entry.place(parent_dir, parent_package)
                children[index] = self.expand(entry, primary=False, interpolated=True)
        return Tree(node, children or None, loaded)

    def load_primary(self, node: Default) -> Loaded:
        if not node.path:
            return Loaded("", MarkedDict(None), None, None, None, "<no primary config>")
        loaded = self.repo.load(node.config_path)
        if loaded is None:
            top = self.repo.options("")
            raise ConfigError(
                f"cannot find the primary config {node.path!r}.{did_you_mean(node.path, top)}\n"
                f"  configs at the top of the search path: {', '.join(top) or '(none)'}\n"
                f"  search path:\n{self.repo.describe()}",
                hint="config_name names a YAML file (without .yaml) in config_dir, or a stored config",
            )
        if loaded.data.__class__ not in MAPPINGS:
            raise ConfigError(
                f"the primary config {node.path!r} must be a mapping, not a list", source=f"{loaded.origin}:1"
            )
        if loaded.header is not None:
            node.header = absolute_header(loaded.header)
        return loaded

    def flatten(self, tree: Tree, out: list[Result]) -> None:
        if tree.children is None:
            self.emit(tree, out)
            return
        for child in tree.children:
            if child.node.kind == "self":
                if tree.node.path or not tree.node.primary:
                    out.append(Result(tree.node, tree.loaded, is_self=True))
            elif child.children is None:
                self.emit(child, out)
            else:
                self.flatten(child, out)

    def emit(self, tree: Tree, out: list[Result]) -> None:
        node = tree.node
        if node.deleted or node.name is None or node.is_missing() or node.kind == "self":
            return
        if tree.loaded is not None and (node.path or not node.primary):  # no empty stand-in primary
            out.append(Result(node, tree.loaded, is_self=False))

    # -- choices, overrides, deletions ------------------------------------------------------
    def register_overrides(self, parent: Default, defaults: list[Default], interpolated: bool) -> None:
        last_override: Default | None = None
        for entry in defaults:
            if entry.kind == "self":
                continue
            entry.place(parent.group_path, parent.final_package())
            if last_override is not None and not (entry.override or entry.external):
                raise ConfigError(
                    f"in {parent.config_path!r}: 'override {last_override.override_key}: "
                    f"{last_override.value}' comes before '{entry.describe()}'; "
                    "override entries must be at the end of the defaults list",
                    path="defaults",
                    source=entry.source,
                )
            if not entry.override:
                if entry.kind == "group" and entry.source != _HYDRAS:
                    self.refuse_hydra_choice(parent, entry)
                continue
            last_override = entry
            if interpolated:
                raise ConfigError(
                    f"in {parent.config_path!r}: 'override {entry.override_key}: {entry.value}' is not "
                    "allowed under a config chosen by an interpolation (its choices are already made)",
                    path="defaults",
                    source=entry.source,
                )
            self.choices.setdefault(
                entry.override_key,
                _Choice(entry.value, entry.source, None, external=False, parent=parent.config_path),
            )

    def apply_choice(self, entry: Default) -> None:
        if entry.kind != "group":
            return
        choice = self.choices.get(entry.override_key)
        if choice is not None:
            if entry.source == _HYDRAS and choice.value not in _HYDRA_OPTIONS:
                entry.optional = False  # a project config chosen for Hydra's group must exist
            entry.value = choice.value
            entry.chosen_by = choice.text
            entry.chosen_externally = choice.external
            entry.source = choice.source
            choice.used = True

    def set_known(self, node: Default) -> None:
        if node.kind != "group":
            return
        key = node.override_key
        if key in self.known and self.known[key] != node.name:
            raise self.chosen_twice(node, key, self.known[key])
        self.known[key] = node.name
        keys = self.known_per_group.setdefault(node.group_path, [])
        if key not in keys:
            keys.append(key)

    def is_deleted(self, node: Default) -> bool:
        if node.kind != "group":
            return False
        deletion = self.deletions.get(node.override_key)
        if deletion is None or (deletion.name is not None and deletion.name != node.name):
            return False
        deletion.used = True
        return True

    def check_unused(self) -> None:
        for key, choice in self.choices.items():
            if choice.used:
                continue
            group = key.partition("@")[0]
            if group.partition("/")[0] == "hydra" and not self.repo.group_exists(group):
                self.known[key] = choice.value  # an override of Hydra's own groups: recorded only
                continue
            others = sorted(self.known_per_group.get(group, []))
            if others:
                message = f"cannot override {key!r}: the defaults list has it as {', '.join(others)}"
                hint = f"override {' or '.join(others)} instead"
            else:
                message = f"cannot override {key!r}: the defaults list has no entry for it"
                hint = f"to add one to the defaults list, write +{key}={shown_option(choice.value)}"
            if choice.external:
                raise OverrideError(
                    f"override {choice.text!r}: {message}", path=key, source=choice.source, hint=hint
                )
            raise ConfigError(
                f"in {choice.parent!r}: {message}",
                path="defaults",
                source=choice.source,
                hint=None if others else f"add '{group}: {shown_option(choice.value)}' to a defaults list",
            )
        for key, deletion in self.deletions.items():
            if not deletion.used:
                shown = f"{key}={deletion.name}" if deletion.name is not None else key
                extra = ""
                if deletion.name is not None and self.known.get(key) is not None:
                    extra = f" (the choice for {key!r} is {self.known[key]!r})"
                raise OverrideError(
                    f"override {deletion.text!r}: cannot delete {shown!r}, the defaults list has no such "
                    f"entry{extra}",
                    path=key,
                    source=f"<override {deletion.text!r}>",
                )

    def check_duplicates(self, results: list[Result]) -> None:
        seen: set[str] = set()
        for result in results:
            key = result.override_key
            if key is None:
                continue
            if key in seen:
                raise ConfigError(
                    f"{key!r} appears more than once in the final defaults list",
                    path=key,
                    hint="remove one entry, or give one a package: group@other_package",
                )
            seen.add(key)

    def refuse_hydra_choice(self, parent: Default, entry: Default) -> None:
        """Hydra 1.3 refuses choosing one of its own groups without 'override' (Hydra 1.0's form)."""
        group, _, name = entry.group_path.partition("/")
        if group != "hydra" or name not in HYDRA_GROUPS:
            return
        raise ConfigError(
            f"in {parent.config_path!r}: '{entry.describe()}' chooses one of Hydra's own groups, "
            f"which already has a value; Hydra 1.3 refuses this too",
            path="defaults",
            source=entry.source,
            hint=f"write '- override {entry.path}: {shown_option(entry.value)}' at the end of the list",
        )

    # -- interpolated options ---------------------------------------------------------------
    def resolve_interpolation(
        self, entry: Default, defaults: list[Default], self_added: bool, parent: Default
    ) -> None:
        listing: list[Any] = []
        for item in defaults:
            if item.kind == "self" and self_added:
                continue
            listing.append(item.config_path if item.kind != "group" else {item.override_key: item.value})
        scope = {**{k: v for k, v in self.known.items() if k != "defaults"}, "defaults": listing}
        text = entry.value if entry.kind == "group" else entry.path
        import re

        if re.search(_LEGACY, text):
            raise ConfigError(
                f"in {parent.config_path!r}: {text!r} uses Hydra 1.0's form ${{defaults.N.group}}, "
                "which Hydra 1.3 refuses too",
                path="defaults",
                source=entry.source,
                hint="name the choice itself: ${group} (or ${group@package})",
            )
        # a choice key may hold '@' or '/' (${db@backup}), which OmegaConf reads as one key
        text = re.sub(_CHOICE, lambda m: self._choice_text(m), text)
        try:  # ${...} reads the choices made so far, as Hydra resolves it
            value = Config({**scope, "_option_": text})["_option_"]
        except ConfigError as error:
            names = ", ".join(k for k in self.known if isinstance(k, str))
            raise ConfigError(
                f"in {parent.config_path!r}: cannot resolve {text!r} ({error.message}); "
                f"choices it can use: {names or '(none)'}",
                path="defaults",
                source=entry.source,
            ) from None
        if not isinstance(value, str):
            raise ConfigError(
                f"in {parent.config_path!r}: {text!r} must resolve to a config name, got {value!r}",
                path="defaults",
                source=entry.source,
            )
        if entry.kind == "group":
            entry.value = value
        else:
            entry.path = value

    def _choice_text(self, match: re.Match[str]) -> str:
        value = self.known.get(match.group(1).strip())
        return value if isinstance(value, str) else match.group(0)

    # -- errors -----------------------------------------------------------------------------
    def chosen_twice(self, node: Default, key: str, later: Any) -> ConfigError:
        """Two entries choose ``key``; ``later`` is the one further down the list (expanded first)."""
        appended = next((d for d in self.appends if d.override_key == key), None)
        if appended is not None:
            return OverrideError(
                f"override {appended.chosen_by!r}: the defaults list already chooses {key!r} "
                f"({shown_option(node.name)}, at {node.source}), and '+' appends a second choice",
                path=key,
                source=appended.source,
                hint=f"change the choice without '+': {str(appended.chosen_by).lstrip('+')}",
            )
        here, there = shown_option(node.name), shown_option(later)
        return ConfigError(
            f"{key!r} is chosen twice in the defaults list: {here} here and {there} further down",
            path=key,
            source=node.source,
            hint=f"to change an earlier choice, the later entry must say 'override {key}: {there}'",
        )

    def missing_choice(self, node: Default) -> ConfigError:
        key = node.override_key
        options = self.repo.options(node.group_path)
        return MissingValueError(
            f"no option chosen for {key!r} (its default is ???); options: {', '.join(options) or '(none)'}",
            path=key,
            source=node.source,
            hint=f"choose one on the command line: {key}=<option>",
        )

    def not_found(self, node: Default) -> ConfigError:
        group = node.group_path
        cls = OverrideError if node.chosen_externally else ConfigError
        where = f"override {node.chosen_by!r}: " if node.chosen_externally else ""
        if node.kind == "group" or group:
            if self.repo.group_exists(group):
                options = self.repo.options(group)
                message = (
                    f"{where}no option {node.name!r} in group {group!r}."
                    f"{did_you_mean(node.name, options)} Options: {', '.join(options) or '(none)'}"
                )
            else:
                groups = self.repo.all_groups()
                near = closest(group, groups)
                message = (
                    f"{where}could not find {node.config_path!r}: there is no config group {group!r}."
                    + (f" Did you mean {near!r}?" if near else "")
                    + f" Groups: {', '.join(groups) or '(none)'}"
                )
        else:
            top = self.repo.options("")
            message = f"{where}could not find the config {node.config_path!r}.{did_you_mean(node.path, top)}"
        return cls(
            f"{message}\n  search path:\n{self.repo.describe()}",
            path=node.override_key if node.kind == "group" else "defaults",
            source=node.source,
        )


__all__ = ["DefaultsList", "Result", "Tree", "build_defaults"]
