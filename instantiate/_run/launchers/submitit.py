"""``submitit`` (SLURM) and ``submitit-local``: jobs through ``submitit.AutoExecutor``.

Both take the same options (``_run_.submitit``; ``submitit-local`` reads ``_run_.submitit-local``
first): the resources of each job (``timeout_min``, ``nodes``, ``tasks_per_node``,
``cpus_per_task``, ``gpus_per_node``, ``mem_gb``), its ``name``, and for SLURM ``partition``,
``qos``, ``account``, ``constraint``, ``comment``, ``exclude``, ``gres``, ``array_parallelism``,
``setup`` (shell lines run before the job) and ``additional_parameters`` (any other
``#SBATCH`` option, as a mapping). The local executor ignores the SLURM-only ones, so a SLURM
config runs unchanged on one machine. submitit's own files (scripts, pickles, stdout/stderr)
go to ``<sweep dir>/.submitit/<job id>``.

The jobs of a sweep are submitted as one batch (a SLURM job array). Ctrl-C cancels every job
that has not finished (``scancel`` on SLURM).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from ..._errors import ConfigError
from ..jobs import Job
from .base import Reporter, failed_outcome, run_job

# Our option -> submitit's parameter. Generic ones apply to every cluster; the rest to SLURM only.
_GENERIC = ("timeout_min", "nodes", "tasks_per_node", "cpus_per_task", "gpus_per_node", "mem_gb", "name")
_SLURM = (
    "partition",
    "qos",
    "account",
    "constraint",
    "comment",
    "exclude",
    "gres",
    "array_parallelism",
    "setup",
    "additional_parameters",
)


def import_submitit(launcher: str) -> Any:
    """The submitit module, or a ConfigError saying which extra installs it."""
    try:
        import submitit
    except ImportError as error:
        raise ConfigError(
            f"launcher {launcher!r} needs submitit, which is not installed ({error})",
            path="_run_.launcher",
            hint="pip install 'instantiate[submitit]'",
        ) from None
    return submitit


class SubmititLauncher:
    """Jobs through ``submitit.AutoExecutor`` on the cluster named by ``cluster``."""

    cluster = "slurm"
    launcher_name = "submitit"
    poll_interval = 1.0  # seconds between checks; submitit rate-limits its own sacct calls

    def __init__(
        self,
        timeout_min: int = 60,
        nodes: int = 1,
        tasks_per_node: int = 1,
        cpus_per_task: int | None = None,
        gpus_per_node: int | None = None,
        mem_gb: float | None = None,
        name: str | None = None,
        partition: str | None = None,
        qos: str | None = None,
        account: str | None = None,
        constraint: str | None = None,
        comment: str | None = None,
        exclude: str | None = None,
        gres: str | None = None,
        array_parallelism: int = 256,
        setup: list[str] | None = None,
        additional_parameters: dict[str, Any] | None = None,
    ) -> None:
        self.submitit = import_submitit(self.launcher_name)
        self.check_cluster()
        given = dict(locals())
        self.parameters: dict[str, Any] = {}
        for key in _GENERIC:
            if given[key] is not None:
                self.parameters[key] = given[key]
        for key in _SLURM:
            if given[key] is not None:
                self.parameters[f"slurm_{key}"] = given[key]
        if additional_parameters is not None and not isinstance(additional_parameters, dict):
            raise ConfigError(
                f"launcher {self.launcher_name!r}: additional_parameters must be a mapping of "
                f"#SBATCH options, not {additional_parameters!r}"
            )

    def check_cluster(self) -> None:
        """Raise a ConfigError when this machine cannot run the cluster's jobs."""

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None:
        if not jobs:
            return
        executor = self.submitit.AutoExecutor(
            folder=reporter.directory / ".submitit" / "%j", cluster=self.cluster
        )
        executor.update_parameters(**{"name": jobs[0].name, **self.parameters})
        with executor.batch():
            handles = [executor.submit(run_job, job) for job in jobs]
        pending = dict(zip(handles, jobs))
        try:
            for job in jobs:
                reporter.started(job)
            while pending:
                for handle in [h for h in pending if h.done()]:
                    reporter.finished(self._outcome(handle, pending.pop(handle)))
                if pending:
                    time.sleep(self.poll_interval)
        except BaseException:
            for handle in pending:
                handle.cancel(check=False)
            raise

    def _outcome(self, handle: Any, job: Job) -> Any:
        try:
            outcome = handle.result()  # run_job's JobOutcome: a task's exception is already inside
        except Exception as error:  # submitit's: the job was killed, timed out, or never started
            outcome = failed_outcome(job, error)
        return dataclasses.replace(outcome, extra={**outcome.extra, "submitit_job_id": str(handle.job_id)})


class SlurmLauncher(SubmititLauncher):
    """``submitit``: each job a SLURM job, the sweep one job array."""

    def check_cluster(self) -> None:
        import shutil

        if shutil.which("srun") is None:  # submitit's own check, made before any directory exists
            raise ConfigError(
                "launcher 'submitit' submits to SLURM, and this machine has no 'srun'",
                path="_run_.launcher",
                hint="run the same jobs here with --launcher submitit-local",
            )


class LocalLauncher(SubmititLauncher):
    """``submitit-local``: submitit's local executor, one process per job on this machine."""

    cluster = "local"
    launcher_name = "submitit-local"
    poll_interval = 0.1


__all__ = ["LocalLauncher", "SlurmLauncher", "SubmititLauncher", "import_submitit"]
