"""The ``basic`` launcher: every job in this process, one after another."""

from __future__ import annotations

from collections.abc import Sequence

from ..jobs import Job
from .base import Reporter, run_job


class BasicLauncher:
    """``basic``: every job in this process, one after another (summary.yaml rewritten after each)."""

    in_process = True

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None:
        for job in jobs:
            reporter.started(job)
            reporter.finished(run_job(job))
