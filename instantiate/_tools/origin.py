"""``show --origin``: the composed config with, beside every value, where it came from.

Composition is replayed one step at a time, with composition's own pieces (the defaults list,
the merger, the override applier): each config of the defaults list in merge order, then each
command-line value override. After every step the values that changed are recorded with their
``file:line``, so each final value shows who set it, the defaults entry or override that brought
its config in, and the earlier values it replaced.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from .._compose.compose import _extend_search_path, apply_override
from .._compose.defaults_tree import Tree, build_defaults
from .._compose.merging import Merger, embed
from .._compose.overrides import parse_overrides
from .._compose.searchpath import Repository
from .._config.paths import format_path
from .._config.provenance import MAPPINGS, SEQUENCES, MarkedDict, source_of
from .._errors import ConfigError

_COMMENT_COLUMN = 44  # where the origins start, when the values leave room


class Setting(NamedTuple):
    """One value a step of composition left at a path: the value, and where it was written."""

    value: Any
    source: str | None


class Origins(NamedTuple):
    """The composed data, what each path held after each step, and which entry brought each config."""

    data: MarkedDict
    history: dict[str, list[Setting]]
    brought: dict[str, str]  # a package's path -> which config, chosen by which entry


def compose_with_origins(
    config_name: str, overrides: Sequence[str] = (), config_dir: str | None = None
) -> Origins:
    """Compose as ``compose`` does, recording after each step what changed and where it was written."""
    parsed = parse_overrides(list(overrides))
    sweeps = [o.text for o in parsed if o.is_sweep]
    if sweeps:
        raise ConfigError(f"override {sweeps[0]!r} is a sweep; --origin shows one composed config")
    repo = Repository.from_search_path(config_dir, None)
    _extend_search_path(repo, config_name, parsed)
    defaults = build_defaults(repo, config_name, parsed)
    chosen = {id(tree.loaded): tree.node for tree in _trees(defaults.tree) if tree.loaded is not None}
    merger = Merger()
    root = MarkedDict(None)
    history: dict[str, list[Setting]] = {}
    brought: dict[str, str] = {}
    seen = _leaves(root)
    for result in defaults.results:
        loaded = result.loaded
        assert loaded is not None
        if loaded.annotation is not None:
            merger.adopt(loaded.data, loaded.annotation)
        if loaded.data.__class__ in SEQUENCES and not result.package:
            raise ConfigError(f"{result.config_path!r} is a list, so it needs a package to sit under")
        origin = f"{loaded.origin}:1" if not loaded.origin.startswith("<") else loaded.origin
        merger.merge(root, embed(loaded.data, result.package, origin))
        node = chosen.get(id(loaded))
        if result.package and node is not None and node.kind == "group":
            brought[result.package] = _brought_by(loaded.origin, node)
        seen = _record(root, seen, history)
    for override in defaults.value_overrides:
        apply_override(root, override, merger, repo)
        seen = _record(root, seen, history)
    return Origins(root, history, brought)


def origin_text(origins: Origins, show_run: bool = False) -> str:
    """The composed config as YAML, each line followed by ``# where it came from``."""
    rows: list[tuple[str, str]] = []
    data = origins.data
    keys = [k for k in data if show_run or k != "_run_"]
    _render_mapping(data, keys, (), 0, origins, rows)
    width = max((len(text) for text, note in rows if note), default=0)
    column = max(min(width + 2, _COMMENT_COLUMN), 0)
    lines = [f"{text.ljust(column)}# {note}" if note else text for text, note in rows]
    return "\n".join(lines) + "\n"


# -- replaying --------------------------------------------------------------------------------
def _trees(tree: Tree) -> Iterator[Tree]:
    yield tree
    for child in tree.children or ():
        yield from _trees(child)


def _brought_by(origin: str, node: Any) -> str:
    """``model/big.yaml, by '- override /model: big' (conf/experiment/wide.yaml:4)``."""
    config = os.path.normpath(origin) if not origin.startswith("<") else origin
    if node.chosen_externally:
        return f"{config}, chosen on the command line by {node.chosen_by!r}"
    entry = _line_at(node.source)
    return (
        f"{config}, by the defaults entry {entry!r} ({node.source})" if entry else f"{config} ({node.source})"
    )


def _line_at(source: str | None) -> str | None:
    """The text of the line ``file:line`` names, stripped; None when it cannot be read."""
    if not source or source.startswith("<"):
        return None
    file, _, line = source.rpartition(":")
    try:
        with open(file, encoding="utf-8") as opened:
            for number, text in enumerate(opened, 1):
                if number == int(line):
                    return text.strip()
    except (OSError, ValueError):
        return None
    return None


def _leaves(data: Any, keys: tuple[Any, ...] = ()) -> dict[str, Setting]:
    """Every value at the bottom of the tree (scalars, empty containers) by path."""
    found: dict[str, Setting] = {}
    items = data.items() if data.__class__ in MAPPINGS else enumerate(data)
    for key, value in items:
        path = (*keys, key)
        if (value.__class__ in MAPPINGS or value.__class__ in SEQUENCES) and len(value):
            found.update(_leaves(value, path))
        else:
            found[format_path(path)] = Setting(value, source_of(data, key))
    return found


def _record(root: Any, before: dict[str, Setting], history: dict[str, list[Setting]]) -> dict[str, Setting]:
    after = _leaves(root)
    for path, setting in after.items():
        old = before.get(path)
        if old is None or old.source != setting.source or not _same(old.value, setting.value):
            history.setdefault(path, []).append(setting)
    return after


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


# -- rendering --------------------------------------------------------------------------------
def _render_mapping(
    data: Any,
    keys: list[Any],
    path: tuple[Any, ...],
    indent: int,
    origins: Origins,
    rows: list[tuple[str, str]],
) -> None:
    pad = " " * indent
    for key in keys:
        value = data[key]
        here = (*path, key)
        shown = _scalar(key)
        if (value.__class__ in MAPPINGS or value.__class__ in SEQUENCES) and len(value):
            rows.append((f"{pad}{shown}:", origins.brought.get(format_path(here), "")))
            _render_value(value, here, indent + 2, origins, rows)
        else:
            rows.append((f"{pad}{shown}: {_scalar(value)}", _where(format_path(here), data, key, origins)))


def _render_value(
    value: Any, path: tuple[Any, ...], indent: int, origins: Origins, rows: list[tuple[str, str]]
) -> None:
    if value.__class__ in MAPPINGS:
        _render_mapping(value, list(value), path, indent, origins, rows)
        return
    pad = " " * indent
    for i, item in enumerate(value):
        here = (*path, i)
        if (item.__class__ in MAPPINGS or item.__class__ in SEQUENCES) and len(item):
            start = len(rows)
            _render_value(item, here, indent + 2, origins, rows)
            first, note = rows[start]
            rows[start] = (f"{pad}- {first[indent + 2 :]}", note)
        else:
            rows.append((f"{pad}- {_scalar(item)}", _where(format_path(here), value, i, origins)))


def _where(path: str, holder: Any, key: Any, origins: Origins) -> str:
    """``conf/x.yaml:3``, or the override; then each earlier value it replaced, latest first."""
    settings = origins.history.get(path) or [Setting(holder[key], source_of(holder, key))]
    last, earlier = settings[-1], settings[:-1]
    text = _source(last.source)
    replaced = [f"{_scalar(s.value)} from {_source(s.source)}" for s in reversed(earlier)]
    if replaced:
        text += " (replaced " + ", which replaced ".join(replaced) + ")"
    return text


def _source(source: str | None) -> str:
    if source is None:
        return "set in code"
    if source.startswith("<override "):
        return "command line " + source[len("<override ") : -1]
    if source == "<composition>":
        return "composition"
    return source


def _scalar(value: Any) -> str:
    """A scalar (or an empty container) as YAML writes it on one line."""
    import yaml

    if value.__class__ in MAPPINGS:
        return "{}"
    if value.__class__ in SEQUENCES:
        return "[]"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9).strip()
    return text[: -len("...")].strip() if text.endswith("...") else text


__all__ = ["Origins", "compose_with_origins", "origin_text"]
