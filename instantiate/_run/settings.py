"""The run's own settings (``_run_``, or a ported config's ``hydra:`` section), read once per run."""

from __future__ import annotations

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


# The run's own settings: in the config the task receives, left out of the job config it records.
RUN_SECTIONS = ("_run_", "hydra")


class RunSettings:
    """The run's own settings, from ``_run_`` or a ported config's ``hydra:`` section."""

    def __init__(
        self, run_dir: str, sweep_dir: str, chdir: bool, log_level: int, launcher: str, multirun: bool = False
    ) -> None:
        self.run_dir = run_dir
        self.multirun = multirun  # _run_.mode or a ported hydra.mode: MULTIRUN starts a sweep
        self.sweep_dir = sweep_dir
        self.chdir = chdir
        self.log_level = log_level
        self.launcher = launcher

    @classmethod
    def of(cls, cfg: Any) -> RunSettings:
        from .run_log import level_number
        from .rundir import DEFAULT_RUN_DIR, DEFAULT_SWEEP_DIR

        run = cfg.get("_run_") or {}
        hydra = cfg.get("hydra") or {}

        def pick(ours: str, theirs: str, default: Any) -> Any:
            if ours in run:
                return run[ours]
            node: Any = hydra
            for part in theirs.split("."):
                if node is None or not hasattr(node, "get") or part not in node:
                    return default
                node = node[part]
            return node

        return cls(
            run_dir=str(pick("dir", "run.dir", DEFAULT_RUN_DIR)),
            sweep_dir=str(pick("sweep_dir", "sweep.dir", DEFAULT_SWEEP_DIR)),
            chdir=bool(pick("chdir", "job.chdir", False)),
            # checked here, so a bad level fails before a run directory is made
            log_level=level_number(pick("log_level", "job_logging.root.level", "INFO")),
            launcher=str(run.get("launcher", "basic")),  # hydra.launcher.name is a job name, not ours
            multirun=_mode(pick("mode", "mode", "RUN")),
        )


def _mode(value: Any) -> bool:
    from .._errors import ConfigError

    mode = "RUN" if value is None else str(value).upper()
    if mode not in ("RUN", "MULTIRUN"):
        raise ConfigError(
            f"the run mode is RUN or MULTIRUN, not {value!r}",
            path="hydra.mode",
            hint="MULTIRUN makes every run a sweep, as -m does",
        )
    return mode == "MULTIRUN"
