"""The run's values for code that has no config in reach: Hydra's ``HydraConfig.get()``,
``get_original_cwd()`` and ``to_absolute_path()``."""

from __future__ import annotations

import os
from pathlib import Path

from .._compose.run_values import RUN_KEY, active_run
from .._config.nodes import Config
from .._errors import ConfigError


def run_info() -> Config:
    """The ``_run_`` values of the run in progress: ``dir``, ``name``, ``cwd``, ``choices``,
    ``overrides``, ``config_name``, ``mode``; in a sweep also ``job_num``, ``job_id``, ``sweep_dir``.

    What ``HydraConfig.get()`` is under Hydra (``run_info().dir`` is its ``runtime.output_dir``);
    a ported ``hydra:`` section's other keys are read with ``${hydra:...}``. Outside a run it
    raises ConfigError.
    """
    cfg = active_run()
    if cfg is None:
        raise ConfigError(
            "run_info() is only set inside a run: no task started by @main is running",
            hint="call it from the task @main decorates (or code it calls); compose() makes no run",
        )
    run: Config = cfg[RUN_KEY]
    return run


def get_original_cwd() -> str:
    """The working directory the run was started from (Hydra's ``hydra.utils.get_original_cwd``)."""
    return str(run_info()["cwd"])


def to_absolute_path(path: str | os.PathLike[str]) -> str:
    """``path`` made absolute against the directory the run started from (or the current one
    outside a run), as Hydra's ``hydra.utils.to_absolute_path`` does."""
    given = Path(path)
    if given.is_absolute():
        return str(given)
    base = get_original_cwd() if active_run() is not None else os.getcwd()
    return str(Path(base) / given)


__all__ = ["get_original_cwd", "run_info", "to_absolute_path"]
