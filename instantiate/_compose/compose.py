"""``compose``: a config built from a primary config, its defaults list and command-line overrides.

The steps: read the overrides; expand the defaults tree (``defaults``); merge each chosen
config under its package in order (``merging``), keeping file:line of every entry; record the
choices under ``_run_``; apply the value overrides (``a.b=1``, ``+a.b=1``, ``++a.b=1``,
``~a.b``) as Hydra does, each value remembering the override that set it.
"""

from __future__ import annotations

from .._config.nodes import Config
from .._config.provenance import MAPPINGS, SEQUENCES, MarkedDict, MarkedList, source_of
from .._errors import ConfigError, OverrideError, closest, did_you_mean
from .defaults_tree import DefaultsList, build_defaults
from .merging import Merger, embed, mark, missing_key, set_source
from .run_values import RUN_KEY, install_run_resolvers, is_run_override, mirror_into_hydra
from .searchpath import Repository

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence
    from typing import Any, Union

    from .overrides import Override

    PathLike = Union[str, "os.PathLike[str]"]
# Keys that Hydra itself always has, or that hold the run's settings: an override may set
# them without '+' even when the config does not mention them.
_OPEN_ROOTS = frozenset({RUN_KEY, "hydra"})


def compose(
    config_name: str | None = None,
    overrides: Iterable[str] | None = (),
    return_hydra_config: bool = False,
    *,
    config_dir: PathLike | None = None,
    search_path: Sequence[PathLike] | PathLike | None = None,
) -> Config:
    """Compose ``config_name`` from the search path under command-line style ``overrides``.

    The positional arguments are Hydra's (``compose(name, overrides, return_hydra_config)``);
    where to look is keyword-only: ``config_dir``, then each ``search_path`` entry (a directory
    or ``pkg://package.configs``), then the configs put there by ``store``. The result holds the
    chosen option of each group under ``_run_.choices`` and ``_run_.config_name``. As with
    Hydra's ``compose``, a ported ``hydra:`` section is left out unless ``return_hydra_config``;
    then it comes first, holding also the run values compose knows, by Hydra's names
    (``runtime.choices``, ``job.config_name``, ``overrides.task`` and ``overrides.hydra``).
    """
    _check_flag(return_hydra_config)
    root = _composed(config_name, () if overrides is None else overrides, config_dir, search_path)
    if not return_hydra_config:
        root.pop("hydra", None)
        root.lines.pop("hydra", None)
        return Config._root(root)
    section = root.pop("hydra", None)
    if section is None:
        section = MarkedDict(None)
        root.lines["hydra"] = "<composition>"
    rest = list(root.items())
    root.clear()
    root["hydra"] = section  # first, as in Hydra: its config comes first in the defaults list
    root.update(rest)
    cfg = Config._root(root)
    mirror_into_hydra(cfg)
    return cfg


def _check_flag(value: object) -> None:
    """The third argument is Hydra's ``return_hydra_config``: a config directory there (our
    earlier order) or anything but a bool is refused, saying what to write."""
    if value.__class__ is bool:
        return
    hint = "pass True or False, as to Hydra's compose(config_name, overrides, return_hydra_config)"
    if isinstance(value, str) or hasattr(value, "__fspath__"):
        hint = f"the config directory is a keyword argument: config_dir={str(value)!r}"
    shown = f"{value!r} ({type(value).__name__})"
    raise TypeError(f"compose(): return_hydra_config must be True or False, not {shown}; {hint}")


def compose_config(
    config_name: str | None,
    overrides: Iterable[str] = (),
    config_dir: PathLike | None = None,
    search_path: Sequence[PathLike] | PathLike | None = None,
) -> Config:
    """``compose`` with everything the app and the tools read: a ported ``hydra:`` section
    stays as the config and the overrides set it (nothing mirrored into it)."""
    return Config._root(_composed(config_name, overrides, config_dir, search_path))


def _composed(
    config_name: str | None,
    overrides: Iterable[str],
    config_dir: PathLike | None,
    search_path: Sequence[PathLike] | PathLike | None,
) -> MarkedDict:
    install_run_resolvers()
    texts = [overrides] if isinstance(overrides, str) else list(overrides)
    parsed = _parsed(texts) if texts else []
    repo = Repository.from_search_path(config_dir, search_path)
    _extend_search_path(repo, config_name, parsed)
    defaults = build_defaults(repo, config_name, parsed)
    merger = Merger()
    root = merge_defaults(defaults, merger)
    _record_run(root, config_name, defaults, texts, parsed)
    for override in defaults.value_overrides:
        apply_override(root, override, merger, repo)
    return root


def _parsed(texts: list[str]) -> list[Override]:
    """The overrides parsed; none refused as a sweep (the parser loads only when there are some)."""
    from .overrides import format_value, parse_overrides

    parsed = parse_overrides(texts)
    for override in parsed:
        if override.is_sweep:
            raise OverrideError(
                f"override {override.text!r} sweeps over {format_value(override.value)}; compose() "
                "makes one config",
                path=override.key,
                source=f"<override {override.text!r}>",
                hint="run a sweep with -m/--multirun, or quote a value with commas: key='a,b'",
            )
    return parsed


def merge_defaults(defaults: DefaultsList, merger: Merger) -> MarkedDict:
    """Merge the configs of a defaults list in order, each under its package."""
    root = MarkedDict(None)
    for result in defaults.results:
        loaded = result.loaded
        assert loaded is not None
        data = loaded.data
        if loaded.annotation is not None:
            merger.adopt(data, loaded.annotation)  # types this composition's view; data stays shared
        if data.__class__ in SEQUENCES and not result.package:
            raise ConfigError(
                f"{result.config_path!r} is a list, so it needs a package to sit under",
                source=f"{loaded.origin}:1",
                hint="give it a '# @package name' header, or name it as group@name in the defaults list",
            )
        origin = f"{loaded.origin}:1" if not loaded.origin.startswith("<") else loaded.origin
        merger.merge(root, embed(data, result.package, origin))
    return root


def _record_run(
    root: MarkedDict,
    config_name: str | None,
    defaults: DefaultsList,
    texts: list[str],
    parsed: list[Override],
) -> None:
    """``_run_``: the config name, the choices, and the overrides split as Hydra's
    ``overrides.task`` (``_run_.overrides``) and ``overrides.hydra`` (``_run_.run_overrides``)."""
    run = root.get(RUN_KEY)
    if run is None:
        run = root[RUN_KEY] = MarkedDict(None)
        root.lines[RUN_KEY] = "<composition>"
    elif run.__class__ not in MAPPINGS:
        raise ConfigError(
            f"{RUN_KEY} is reserved for the settings of the run and must be a mapping, not {run!r}",
            path=RUN_KEY,
            source=source_of(root, RUN_KEY),
        )
    origin = "<composition>"
    run["config_name"] = config_name
    run["choices"] = mark(defaults.choices, origin)
    runs = [is_run_override(override.key_or_group) for override in parsed]
    run["overrides"] = mark([text for text, of_run in zip(texts, runs) if not of_run], origin)
    run["run_overrides"] = mark([text for text, of_run in zip(texts, runs) if of_run], origin)
    for key in ("config_name", "choices", "overrides", "run_overrides"):
        set_source(run, key, origin)


def _extend_search_path(repo: Repository, config_name: str | None, parsed: list[Override]) -> None:
    """Honour a ported config's ``hydra.searchpath`` (or the override of it)."""
    entries: Any = None
    for override in parsed:
        if override.key == "hydra.searchpath" and not override.is_delete:
            entries = override.value
    if entries is None and config_name is not None:
        name = config_name[:-5] if config_name.endswith(".yaml") else config_name
        loaded = repo.load(name)
        data = loaded.data if loaded is not None else None
        hydra = data.get("hydra") if data.__class__ in MAPPINGS else None
        entries = hydra.get("searchpath") if hydra.__class__ in MAPPINGS else None
    if entries is None:
        return
    if entries.__class__ not in SEQUENCES or not all(isinstance(e, str) for e in entries):
        raise ConfigError(
            f"hydra.searchpath must be a list of directories or pkg:// entries, got {entries!r}",
            path="hydra.searchpath",
        )
    repo.extend(list(entries))


# --- value overrides ------------------------------------------------------------------------


def apply_override(root: MarkedDict, override: Override, merger: Merger, repo: Repository) -> None:
    """Apply one ``key=value`` override (``+``, ``++``, ``~`` forms) to the composed data."""
    text = override.text
    source = f"<override {text!r}>"
    key = override.key_or_group.lstrip("/")
    if override.package is not None or "/" in key:
        groups = repo.all_groups()
        raise OverrideError(
            f"override {text!r} looks like a config group choice, but there is no config group {key!r}."
            + did_you_mean(key, groups)
            + f" Groups: {', '.join(groups) or '(none)'}",
            path=override.key,
            source=source,
        )
    keys: list[Any] = key.split(".")
    open_root = keys[0] in _OPEN_ROOTS
    if override.is_delete:
        _delete(root, keys, override, source)
        return
    create = override.is_force_add or override.is_add or open_root
    parent = _walk(root, keys, override, source, create, merger, repo)
    last = keys[-1]
    exists = _has(parent, last)
    if override.is_add and exists and not open_root and not _may_add_over(_get(parent, last), override.value):
        raise OverrideError(
            f"override {text!r}: {key!r} already has a value ({_shown(_get(parent, last))}), "
            "and '+' only adds new keys",
            path=key,
            source=source,
            hint=f"set it with {text[1:]}, or add-or-set with +{text}",
        )
    if not exists and not create:
        raise _no_such_key(parent, keys, len(keys) - 1, override, repo)
    if parent.__class__ in SEQUENCES and not exists:
        raise OverrideError(
            f"override {text!r}: index {last} is out of range for a list of {len(parent)} items",
            path=key,
            source=source,
        )
    if not create and isinstance(override.value, dict):
        _require_keys(_get(parent, last), override.value, keys, override, repo)
    merger.assign(parent, _index(parent, last), override.value, key, source, adding=create)


def _require_keys(
    target: Any, value: dict[Any, Any], keys: list[Any], override: Override, repo: Repository
) -> None:
    """Without '+', a mapping merges only into keys that exist (Hydra's struct mode)."""
    if target.__class__ not in MAPPINGS:
        return
    for key, item in value.items():
        if key not in target:
            raise _no_such_key(target, [*keys, key], len(keys), override, repo)
        if isinstance(item, dict):
            _require_keys(target[key], item, [*keys, key], override, repo)


def _walk(
    root: Any,
    keys: list[Any],
    override: Override,
    source: str,
    create: bool,
    merger: Merger,
    repo: Repository,
) -> Any:
    """The container that holds ``keys[-1]``, creating missing mappings when ``create``."""
    node = root
    for depth, key in enumerate(keys[:-1]):
        path = ".".join(map(str, keys[: depth + 1]))
        if node.__class__ in SEQUENCES:
            if not _has(node, key):
                raise OverrideError(
                    f"override {override.text!r}: {path!r} is not an index of the list there",
                    path=path,
                    source=source,
                )
            node = node[_index(node, key)]
            continue
        child = node.get(key)
        if child.__class__ in MAPPINGS or child.__class__ in SEQUENCES:
            node = child
        elif child is not None or (key in node and not create):
            raise OverrideError(
                f"override {override.text!r}: {path!r} is {_shown(child)}, not a mapping, "
                f"so it has no key {keys[depth + 1]!r}",
                path=path,
                source=source,
                hint=f"replace it with a mapping: ++{override.text.lstrip('+')}" if child is None else None,
            )
        elif create:
            node = merger.child(node, key, path, source)
        else:
            raise _no_such_key(node, keys, depth, override, repo)
    return node


def _delete(root: Any, keys: list[Any], override: Override, source: str) -> None:
    node = root
    key = override.key_or_group
    for depth, part in enumerate(keys):
        if (node.__class__ not in MAPPINGS and node.__class__ not in SEQUENCES) or not _has(node, part):
            raise OverrideError(
                f"override {override.text!r}: cannot delete {key!r}, there is no such key."
                f"{did_you_mean(part, node) if node.__class__ in MAPPINGS else ''}",
                path=key,
                source=source,
            )
        if depth < len(keys) - 1:
            node = node[_index(node, part)]
    last = _index(node, keys[-1])
    from .overrides import NO_VALUE

    if override.value is not NO_VALUE and node[last] != override.value:
        raise OverrideError(
            f"override {override.text!r}: {key!r} is {_shown(node[last])}, not {_shown(override.value)}, "
            "so it is kept",
            path=key,
            source=source,
            hint=f"delete it whatever its value with ~{key}",
        )
    del node[last]
    lines = getattr(node, "lines", None)
    if isinstance(lines, dict):
        lines.pop(last, None)
    elif isinstance(lines, list) and last < len(lines):
        del lines[last]


def _no_such_key(
    container: Any, keys: list[Any], depth: int, override: Override, repo: Repository
) -> OverrideError:
    text = override.text
    base = missing_key(container, keys, depth, f"<override {text!r}>")
    near_group = closest(override.key_or_group, repo.all_groups()) if depth == 0 else None
    extra = f" There is also a config group {near_group!r}." if near_group else ""
    return OverrideError(
        f"override {text!r}: {base.message}{extra}",
        path=base.path,
        source=base.source,
        hint=f"to add a new key, write +{text}",
    )


def _may_add_over(current: Any, value: Any) -> bool:
    """Hydra's '+': a key may be added over null or ``???``; a mapping or list value merges in."""
    return current is None or current == "???" or isinstance(value, (dict, list))


def _index(container: Any, key: Any) -> Any:
    if container.__class__ in SEQUENCES and isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    return key


def _has(container: Any, key: Any) -> bool:
    if container.__class__ in SEQUENCES:
        index = _index(container, key)
        return isinstance(index, int) and -len(container) <= index < len(container)
    return key in container


def _get(container: Any, key: Any) -> Any:
    return container[_index(container, key)]


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if value.__class__ in (MarkedDict, dict):
        return "a mapping"
    if value.__class__ in (MarkedList, list):
        return "a list"
    return repr(value)


__all__ = ["apply_override", "compose", "compose_config", "merge_defaults"]
