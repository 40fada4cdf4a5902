"""``ray``: each job a ray task (``ray.remote``), on a running cluster or a local one.

Options (``_run_.ray``), as Hydra's ray launcher names them: ``init`` is passed to
``ray.init`` (``address: auto`` joins a running cluster; without it ray starts a local one,
which is shut down when the sweep ends) and ``remote`` to ``ray.remote`` (``num_cpus``,
``num_gpus``, ``max_retries``, ``resources``...; ``max_retries`` is 0 unless given: a job whose
worker dies runs once, where ray would retry it 3 times). Workers must be able to import
``instantiate`` and the task's module, as with any ray task; a task they cannot import (from
``python -c``, stdin, a notebook, a function) travels by value, as with submitit. Ctrl-C
cancels unfinished tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._errors import ConfigError
from ..jobs import Job
from .base import Reporter, failed_outcome, run_job
from .cloudpickling import Sent


def import_ray() -> Any:
    """The ray module, or a ConfigError saying which extra installs it."""
    import importlib

    try:
        ray = importlib.import_module("ray")  # not `import ray`: type checkers need not have it
    except ImportError as error:
        raise ConfigError(
            f"launcher 'ray' needs ray, which is not installed ({error})",
            path="_run_.launcher",
            hint="pip install 'instantiate[ray]'",
        ) from None
    return ray


class RayLauncher:
    """Jobs as ray tasks; results are collected as they finish (``ray.wait``)."""

    def __init__(self, init: dict[str, Any] | None = None, remote: dict[str, Any] | None = None) -> None:
        for label, value in (("init", init), ("remote", remote)):
            if value is not None and not isinstance(value, dict):
                raise ConfigError(
                    f"launcher 'ray': {label} must be a mapping of keyword arguments, not {value!r}"
                )
        self.ray = import_ray()
        self.init = dict(init or {})
        # ray re-runs a task whose worker died 3 times by default: a crashed job runs once here,
        # as with every other launcher, unless max_retries asks for more
        self.remote = {"max_retries": 0, **(remote or {})}

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None:
        if not jobs:
            return
        ray = self.ray
        started_here = not ray.is_initialized()
        if started_here:
            ray.init(**self.init)
        try:
            task = ray.remote(**self.remote)(run_job)
            pending: dict[Any, Job] = {}
            try:
                for job in jobs:
                    try:
                        ref = task.remote(Sent(job, "ray.cloudpickle"))  # see cloudpickling
                    except Exception as error:  # ray could not pickle it: it fails, the others run
                        reporter.finished(failed_outcome(job, error))
                    else:
                        pending[ref] = job
                        reporter.started(job)
                while pending:
                    done, _ = ray.wait(list(pending), num_returns=1)
                    for ref in done:
                        job = pending.pop(ref)
                        try:
                            outcome = ray.get(ref)
                        except Exception as error:  # ray's: the worker died, or the task was cancelled
                            outcome = failed_outcome(job, error)
                        reporter.finished(outcome)
            except BaseException:
                for ref in pending:
                    ray.cancel(ref, force=True)
                raise
        finally:
            if started_here:
                ray.shutdown()


__all__ = ["RayLauncher", "import_ray"]
