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
    logging: dict[str, Any] | None = None  # a ported hydra.job_logging, resolved (see job_logging)
    verbose: bool | list[str] = False  # hydra.verbose: True, or the loggers to log at DEBUG

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
        from .job_logging import job_logging, verbose_loggers
        from .rundir import write_record
        from .settings import RUN_SECTIONS, RunSettings

        run = cfg["_run_"]
        run["dir"] = str(directory)
        run["overrides"] = list(overrides)
        run["mode"] = "RUN" if index is None else "MULTIRUN"
        if index is not None:
            run["job_index"] = index
        mirror_into_hydra(cfg)
        settings = RunSettings.of(cfg)
        logging_settings = job_logging(cfg)  # resolved now: a bad section fails before the task runs
        hydra_verbose = verbose_loggers(cfg)
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
            logging=logging_settings,
            verbose=True if verbose else hydra_verbose,
        )


def execute(job: Job) -> Any:
    """Run the task on the job's config with its log file, allow-list and working directory.

    The task gets the config without a ported ``hydra:`` section, as under Hydra; the whole
    config is the active run, where ``${hydra:...}`` and ``run_info()`` read.
    """
    from contextlib import nullcontext

    from .._build.policy import allowed_targets
    from .._compose.run_values import running
    from .job_logging import configured, debug_for
    from .rundir import run_logging, working_directory

    directory = Path(job.directory)
    guard = allowed_targets(*job.allow) if job.allow else nullcontext()
    task_config = job.config
    if "hydra" in task_config:
        task_config = Config(job.config)
        del task_config["hydra"]
    if job.logging is not None:
        logs = configured(job.logging, job.verbose)
    else:
        logs = run_logging(directory / f"{job.name}.log", job.log_level)
    with (
        running(job.config),
        logs as log,
        debug_for(job.verbose if job.logging is None else False),
        working_directory(directory if job.chdir else None),
        guard,
    ):
        log.info("run %s in %s", job.name, directory)
        return job.task(task_config)
