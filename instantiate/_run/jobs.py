"""One job: a composed config, its own directory, and the task called on it.

A single run is one job; a sweep is many. Jobs are plain picklable records, so a launcher
can run ``execute(job)`` in this process, in a process pool, or on a SLURM node.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .._config.nodes import Config


@dataclass
class Job:
    """Everything needed to run the task once, anywhere."""

    task: Callable[..., Any]
    config: Config
    overrides: list[str]
    directory: str
    name: str
    chdir: bool = False
    log_level: Any = "INFO"
    allow: list[str] | None = None
    index: int | None = None  # the job's number within a sweep
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls,
        app: Any,
        cfg: Config,
        overrides: list[str],
        directory: Path,
        *,
        verbose: bool = False,
        allow: list[str] | None = None,
        index: int | None = None,
    ) -> Job:
        """Record the run in ``directory`` (config, overrides) and return the job to execute."""
        from .._compose.run_values import mirror_into_hydra
        from .rundir import write_record
        from .settings import RUN_SECTIONS, RunSettings

        run = cfg["_run_"]
        run["dir"] = str(directory)
        run["overrides"] = list(overrides)
        if index is not None:
            run["job_index"] = index
        mirror_into_hydra(cfg)
        settings = RunSettings.of(cfg)
        job_config = Config(cfg)
        run_config = Config({})
        for key in RUN_SECTIONS:
            if key in job_config:
                run_config[key] = job_config[key]
                del job_config[key]
        write_record(directory, job_config.to_yaml(), run_config.to_yaml(), overrides)
        return cls(
            task=app.entry,
            config=cfg,
            overrides=list(overrides),
            directory=str(directory),
            name=str(run["name"]),
            chdir=settings.chdir,
            log_level=logging.DEBUG if verbose else settings.log_level,
            allow=allow,
            index=index,
        )


def execute(job: Job) -> Any:
    """Run the task on the job's config with its log file, allow-list and working directory."""
    from contextlib import nullcontext

    from .._build.policy import allowed_targets
    from .rundir import run_logging, working_directory

    directory = Path(job.directory)
    guard = allowed_targets(*job.allow) if job.allow else nullcontext()
    with (
        run_logging(directory / f"{job.name}.log", job.log_level) as log,
        working_directory(directory if job.chdir else None),
        guard,
    ):
        log.info("run %s in %s", job.name, directory)
        return job.task(job.config)
