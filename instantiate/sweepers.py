"""The public interface for writing a sweeper plugin (see the entry-point group ``instantiate.sweepers``).

A sweeper is a function ``sweeper(app, entries, base, repo, launcher_name, launcher, *, dry_run,
verbose, allow) -> SweepResult``: it decides the points to run (each a `PlannedJob`), makes each
job with ``SweepRun.prepare(app.compose(overrides), planned)``, runs batches of them with
``SweepRun.launch(jobs)`` (the records it returns hold each job's outcome) and ends with
``SweepRun.finish()``. ``instantiate._run.sweepers.basic.run_grid`` is the simplest one.
"""

from ._run.sweep_points import Entry, PlannedJob, cartesian
from ._run.sweeps import JobRecord, SweepResult, SweepRun, new_sweep_directory

__all__ = ["Entry", "JobRecord", "PlannedJob", "SweepResult", "SweepRun", "cartesian", "new_sweep_directory"]
