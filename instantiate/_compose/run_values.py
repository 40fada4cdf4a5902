"""The run's own values under ``_run_``, and the resolvers that read them.

``$<run:choices.db>`` reads ``_run_.choices.db`` of the config it is in. For configs written
for Hydra, ``${hydra:...}`` reads the same values by Hydra's names (``runtime.choices.db``,
``job.name``, ``runtime.output_dir``), falling back to the config's own ``hydra:`` section
(``${hydra:run.dir}``). Values that only a run has (``dir``, ``name``) are set by ``@main``.

Inside a run the task's config has no ``hydra:`` section (as under Hydra); the whole config of
the run, section included, is the `active_run`, where ``${hydra:...}`` and ``run_info()`` read.
"""

from __future__ import annotations

from contextlib import contextmanager

from .._config.nodes import Config
from .._config.paths import parse_path
from .._config.resolvers import get_resolver, register_resolver
from .._errors import ConfigError, InterpolationError, did_you_mean

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

RUN_KEY = "_run_"
# Hydra's names for run values, and the _run_ key each one is.
HYDRA_NAMES = {
    "runtime.choices": "choices",
    "runtime.output_dir": "dir",
    "runtime.cwd": "cwd",
    "job.name": "name",
    "job.config_name": "config_name",
    "job.num": "job_num",
    "job.id": "job_id",
    "job.override_dirname": "override_dirname",
    "overrides.hydra": "run_overrides",
    "overrides.task": "overrides",
    "sweep.dir": "sweep_dir",
    "mode": "mode",
}
# Keys only a run started by @main sets; compose() alone does not.
RUN_ONLY = frozenset({"dir", "cwd", "name", "job_num", "job_id", "override_dirname", "sweep_dir", "mode"})
# the whole configs of the runs in progress in this process, innermost last (a task may run another)
_ACTIVE: list[Config] = []


def active_run() -> Config | None:
    """The whole config (with ``_run_`` and a ported ``hydra:`` section) of the run in progress."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def running(cfg: Config) -> Iterator[None]:
    """Make ``cfg`` the active run for the duration of the task."""
    _ACTIVE.append(cfg)
    try:
        yield
    finally:
        _ACTIVE.remove(cfg)


def install_run_resolvers() -> None:
    """Register ``run`` and ``hydra`` unless they already are (cheap: called by every compose)."""
    for name, fn in (("run", run_value), ("hydra", hydra_value)):
        current = get_resolver(name)
        if current is None or current.fn is not fn:
            register_resolver(name, fn, replace=True)


def run_value(key: Any, _root_: Any) -> Any:
    """``$<run:KEY>``: the value at ``_run_.KEY``."""
    return _lookup(_root_, str(key), f"$<run:{key}>")


def hydra_value(key: Any, _root_: Any) -> Any:
    """``${hydra:KEY}``: a run value by Hydra's name, else the config's own ``hydra.KEY``."""
    text = str(key)
    for hydra_name, run_name in HYDRA_NAMES.items():
        if text == hydra_name or text.startswith(hydra_name + "."):
            try:
                return _lookup(_root_, run_name + text[len(hydra_name) :], f"${{hydra:{text}}}")
            except InterpolationError:
                if _section_value(_root_, text) is _ABSENT:
                    raise
    found = _section_value(_root_, text)
    if found is not _ABSENT:
        return found
    raise InterpolationError(
        f"${{hydra:{text}}} is not set: neither a run value ({', '.join(HYDRA_NAMES)}) "
        "nor a key of this config's hydra section",
        hint="run values exist in a config made by compose() or a run started by @main; "
        "compose() keeps the hydra section only with return_hydra_config=True, as Hydra's does",
    )


_ABSENT = object()


def _section_value(root: Any, text: str) -> Any:
    """``hydra.<text>`` of this config, else of the active run (a task's config has no section)."""
    found = _in_section(root, text)
    run = active_run()
    return _in_section(run, text) if found is _ABSENT and run is not None else found


def _in_section(root: Any, text: str) -> Any:
    """``hydra.<text>`` of the config, or ``_ABSENT``."""
    section = root.get("hydra") if root is not None and not root.is_sequence() else None
    if not isinstance(section, Config):
        return _ABSENT
    try:
        parse_path(text)
    except ConfigError:  # not a path this section could hold (``runtime.choices.db@backup``)
        return _ABSENT
    return section.select(text, default=_ABSENT)


def _lookup(root: Any, key: str, shown: str) -> Any:
    run = root.get(RUN_KEY) if root is not None and not root.is_sequence() else None
    if run is None:
        raise InterpolationError(
            f"{shown}: this config has no {RUN_KEY} section",
            hint="run values exist in a config made by compose(), or inside a run started by @main",
        )
    first, _, rest = key.partition(".")
    if first == "choices" and rest:
        choices = run.get("choices")
        if choices is None or rest not in choices:
            known = list(choices) if choices is not None else []
            raise InterpolationError(
                f"{shown}: no config group {rest!r} was chosen.{did_you_mean(rest, known)} "
                f"Choices: {', '.join(map(str, known)) or '(none)'}"
            )
        return choices[rest]
    node: Any = run
    walked = []
    for part in key.split("."):
        walked.append(part)
        if not hasattr(node, "keys") or part not in node:
            if walked[0] in RUN_ONLY and len(walked) == 1:
                raise InterpolationError(
                    f"{shown}: {RUN_KEY}.{part} is only set inside a run started by @main",
                    hint="compose() alone makes no run; read it inside the function @main decorates",
                )
            known = list(node.keys()) if hasattr(node, "keys") else []
            raise InterpolationError(
                f"{shown}: {RUN_KEY}.{'.'.join(walked)} is not set.{did_you_mean(part, known)}"
            )
        node = node[part]
    return node


# Hydra's name a user may set to rename a run; every other run value is a fact of this run
# and is always written over (Hydra too sets ``job.config_name`` over a user's).
_USER_SET = frozenset({"job.name"})


def is_run_override(key_or_group: str) -> bool:
    """Whether an override sets the run, not the task: Hydra's ``hydra.*`` and ``hydra/*``
    (its ``overrides.hydra``) and ours under ``_run_``; the rest are ``overrides.task``."""
    key = key_or_group.lstrip("/")
    return key.startswith(("hydra.", "hydra/", RUN_KEY + ".")) or key == RUN_KEY


def mirror_into_hydra(cfg: Config) -> None:
    """Copy run values into a ported config's ``hydra:`` section under Hydra's names.

    Configs written for Hydra refer to ``${hydra.job.name}`` or ``${hydra.runtime.output_dir}``
    as nodes; with the values mirrored there, those paths resolve as they did under Hydra.
    Configs without a ``hydra:`` section are left alone.
    """
    section = cfg.get("hydra")
    run = cfg.get(RUN_KEY)
    if not isinstance(section, Config) or section.is_sequence() or not isinstance(run, Config):
        return
    for hydra_name, run_key in HYDRA_NAMES.items():
        if run_key not in run:
            continue
        *parents, leaf = hydra_name.split(".")
        node = section
        for part in parents:
            child = node.get(part)
            if not isinstance(child, Config) or child.is_sequence():
                node[part] = {}
                child = node[part]
            node = child
        if hydra_name in _USER_SET and leaf in node:
            continue
        node[leaf] = run._link[0][run_key]  # as stored: interpolations stay unresolved
    return


__all__ = [
    "HYDRA_NAMES",
    "RUN_KEY",
    "active_run",
    "hydra_value",
    "install_run_resolvers",
    "is_run_override",
    "mirror_into_hydra",
    "run_value",
    "running",
]
