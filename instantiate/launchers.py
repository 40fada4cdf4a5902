"""The public interface for writing a launcher plugin (see the entry-point group ``instantiate.launchers``).

A launcher is any class whose constructor takes its options (``_run_.<name>.*``) as keywords and
whose ``launch(jobs, reporter)`` runs each `Job` with `run_job` and reports each `JobOutcome`.
"""

from ._run.jobs import Job
from ._run.launchers.base import JobError, JobOutcome, Launcher, Reporter, run_job

__all__ = ["Job", "JobError", "JobOutcome", "Launcher", "Reporter", "run_job"]
