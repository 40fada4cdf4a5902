"""What ``--help``, ``--hydra-help`` and ``--info`` print for an ``@main`` program.

``--help`` lists the flags and the config groups; a ported config's ``hydra.help.template``
(a project's ``hydra/help`` option) replaces it as in Hydra, with ``$FLAGS_HELP``,
``$APP_CONFIG_GROUPS``, ``$HYDRA_CONFIG_GROUPS`` and ``$CONFIG`` filled in. ``--info`` takes
Hydra's sub-options: ``all``, ``config``, ``defaults``, ``defaults-tree``, ``plugins``,
``searchpath``.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from .._config.nodes import Config
from .._errors import ConfigError

# Hydra's hydra/help/default.yaml, under what a project's help option sets
_HYDRA_HELP = {
    "app_name": "${hydra.job.name}",
    "header": "${hydra.help.app_name} is powered by Hydra.",
    "footer": "Powered by Hydra (https://hydra.cc)\nUse --hydra-help to view Hydra specific help",
}


def help_text(app: Any, overrides: Sequence[str], resolve: bool) -> str:
    """``--help``: the config's ``hydra.help.template`` if it has one, else flags and groups."""
    try:
        cfg = app.compose(overrides)
    except ConfigError:  # help must work while the config is broken; the error shows on a run
        cfg = None
    template = cfg.select("hydra.help.template", default=None) if cfg is not None else None
    if cfg is None or not isinstance(template, str):
        return _our_help(app)
    section = cfg["hydra"]["help"]
    for key, value in _HYDRA_HELP.items():
        if key not in section:
            section[key] = value
    import yaml

    task = Config(cfg)
    for key in ("hydra", "_run_"):
        if key in task:
            del task[key]
    config = yaml.safe_dump(task.to_dict(resolve=resolve), sort_keys=False, default_flow_style=False)
    return string.Template(str(section["template"])).safe_substitute(
        FLAGS_HELP=_flags(app),
        APP_CONFIG_GROUPS=_groups(app, hydra=False),
        HYDRA_CONFIG_GROUPS=_groups(app, hydra=True),
        CONFIG=config,
    )


def hydra_help_text(app: Any) -> str:
    """``--hydra-help``: the flags, the run's own settings, and the project's configs for Hydra's groups."""
    lines = [
        f"{app.name} runs with instantiate's @main, which reads Hydra's flags and a ported hydra: section.",
        "",
        "Flags:",
        _flags(app),
        "Settings of the run: _run_.dir, _run_.sweep_dir, _run_.launcher, _run_.sweep, _run_.log_level",
        "(or a ported hydra.run.dir, hydra.sweep.dir, hydra.sweeper.params, hydra.job_logging, ...).",
        "",
        "Project configs for Hydra's groups:",
        _groups(app, hydra=True) or "  (none)",
    ]
    return "\n".join(lines)


def _our_help(app: Any) -> str:
    groups = app.groups()
    lines = [app.parser().format_help().rstrip(), ""]
    lines.append(f"Config groups (search path: {app.config_dir or 'stored configs only'}):")
    lines += [f"  {group}: {', '.join(options)}" for group, options in groups.items()] or ["  (none)"]
    lines.append("Choose an option with group=option, add one with +group=option.")
    return "\n".join(lines)


def _flags(app: Any) -> str:
    text: str = app.parser().format_help()
    return text[text.find("options:") :] if "options:" in text else text


def _groups(app: Any, hydra: bool) -> str:
    """``group: option, option`` lines, sorted, of the groups that are (or are not) Hydra's."""
    lines = []
    for group, options in sorted(app.groups().items()):
        if (group == "hydra" or group.startswith("hydra/")) == hydra:
            lines.append(f"{group}: {', '.join(sorted(options))}")
    return "\n".join(lines) + ("\n" if lines else "")


def info_text(app: Any, overrides: Sequence[str], which: str = "all") -> str:
    """``--info [which]``: the search path, the defaults tree, the merge order, plugins, the config."""
    from .._compose.defaults_tree import build_defaults
    from .._compose.overrides import parse_overrides

    repo = app.repository(overrides)
    parts: list[list[str]] = []
    if which in ("all", "searchpath"):
        parts.append(["Config search path:", repo.describe()])
    if which in ("all", "defaults-tree", "defaults"):
        defaults = build_defaults(repo, app.config_name, parse_overrides(list(overrides)))
        if which in ("all", "defaults-tree"):
            tree = ["Defaults tree:"]
            _tree_lines(defaults.tree, 1, tree)
            parts.append(tree)
        if which in ("all", "defaults"):
            merged = ["Merged in this order (later wins):"]
            for result in defaults.results:
                where = result.loaded.origin if result.loaded is not None else "(absent)"
                name, package = result.config_path or "<primary>", result.package or "<root>"
                merged.append(f"    {name} -> {package}  ({where})")
            parts.append(merged)
            choices = [f"    {group}: {option}" for group, option in defaults.choices.items()]
            parts.append(["Choices:", *(choices or ["    (none)"])])
    if which in ("all", "plugins"):
        parts.append(_plugins())
    if which in ("all", "config"):
        parts.append(["Config:", app.config_text(overrides, "job", False).rstrip()])
    return "\n\n".join("\n".join(part) for part in parts)


def _plugins() -> list[str]:
    from .launchers.registry import launchers
    from .sweepers.registry import sweepers

    return [
        "Plugins:",
        f"    launchers: {', '.join(launchers.names())}",
        f"    sweepers: {', '.join(sweepers.names())}",
    ]


def _tree_lines(tree: Any, depth: int, lines: list[str], parent_file: str | None = None) -> None:
    node = tree.node
    label = f"{node.group_path}: {node.value}" if node.kind == "group" else node.config_path or "<primary>"
    if node.optional:
        label = f"optional {label}"
    if node.chosen_by:
        label += f"   (chosen by {node.chosen_by})"
    elif (
        node.kind == "group" and node.source and parent_file and not node.source.startswith(parent_file + ":")
    ):
        label += f"   (chosen by {node.source})"  # an 'override /group: ...' in another config
    lines.append("    " * depth + label)
    origin = tree.loaded.origin if tree.loaded is not None else None
    for child in tree.children or ():
        _tree_lines(child, depth + 1, lines, origin)


__all__ = ["help_text", "hydra_help_text", "info_text"]
