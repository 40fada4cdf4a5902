"""Sweepers by name: ``basic`` (the grid) and ``optuna`` built in, more from plugins.

A sweeper is a function ``sweeper(app, entries, base, repo, launcher_name, launcher, *, dry_run,
verbose, allow) -> SweepResult`` (see ``basic.run_grid``); it makes jobs with a `SweepRun` and
hands them to the launcher. Another package adds one under the entry-point group
``instantiate.sweepers``; ``_run_.sweeper=NAME`` (or a ported ``hydra/sweeper`` choice) picks it::

    [project.entry-points."instantiate.sweepers"]
    random = "mypkg.sweepers:run_random"
"""

from __future__ import annotations

from typing import Any, Callable

from ..._build.registry import Registry
from ..._config.nodes import Config
from ..._errors import ConfigError, did_you_mean

ENTRY_POINT_GROUP = "instantiate.sweepers"


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A sweeper that imports its module only when it runs (optuna's imports optuna)."""

    def sweeper(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module, __package__), name)(*args, **kwargs)

    sweeper.__name__ = sweeper.__qualname__ = name
    sweeper.__module__ = f"{__package__}{module}"
    return sweeper


sweepers = Registry("sweepers", entry_points=ENTRY_POINT_GROUP)
sweepers.register("basic", _lazy(".basic", "run_grid"))
sweepers.register("optuna", _lazy(".optuna", "run_optuna"))


def configured_sweeper(cfg: Config) -> tuple[str, Callable[..., Any]]:
    """``_run_.sweeper`` (default ``basic``), or a ported config's ``hydra/sweeper`` choice."""
    run = cfg["_run_"]
    name = run.get("sweeper")
    if name is None:
        name = str((run.get("choices") or {}).get("hydra/sweeper", "basic"))
        if name not in sweepers:
            name = "basic"  # Hydra's basic sweeper, or one we have no counterpart of
    sweeper = sweepers.lookup(str(name)) if isinstance(name, str) and name else None
    if sweeper is None:
        names = sweepers.names()
        raise ConfigError(
            f"unknown sweeper {name!r}.{did_you_mean(str(name), names)} The sweepers: {', '.join(names)}",
            path="_run_.sweeper",
            source=run.source_of("sweeper"),
            hint=f"a package adds one under the entry-point group {ENTRY_POINT_GROUP!r}",
        )
    return str(name), sweeper


__all__ = ["ENTRY_POINT_GROUP", "configured_sweeper", "sweepers"]
