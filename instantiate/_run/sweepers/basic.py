"""The basic sweeper: the cartesian product of the sweep overrides, every job composed up front."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._compose.searchpath import Repository
from ..._config.nodes import Config
from ..._errors import ConfigError
from ..sweep_points import Entry, PlannedJob, cartesian, dry_run_text, max_jobs
from ..sweeps import JobRecord, SweepResult, SweepRun, new_sweep_directory


def run_grid(
    app: Any,
    entries: Sequence[Entry],
    base: Config,
    repo: Repository,
    name: str,
    launcher: Any,
    *,
    dry_run: bool = False,
    verbose: bool = False,
    allow: list[str] | None = None,
) -> SweepResult:
    """Run every combination of ``entries`` with ``launcher`` (named ``name``)."""
    planned = cartesian(entries, repo, max_jobs(base))
    configs = [_compose_job(app, num, job) for num, job in enumerate(planned)]
    if dry_run:
        print(dry_run_text(planned, name))
        return SweepResult(
            None,
            [JobRecord(n, j.overrides, j.point, None) for n, j in enumerate(planned)],
            name,
            dry_run=True,
        )
    sweep = SweepRun(
        app, new_sweep_directory(base), name, launcher, len(planned), verbose=verbose, allow=allow
    )
    sweep.progress.note(f"sweep of {len(planned)} jobs in {sweep.directory} (launcher: {name})")
    try:
        jobs = [sweep.prepare(cfg, job) for cfg, job in zip(configs, planned)]
        sweep.launch(jobs)
    except KeyboardInterrupt:  # while the job directories were being made
        sweep.interrupted = True
        sweep.signal = sweep.signal or 2
        for job in planned[len(sweep.records) :]:
            sweep.records.append(JobRecord(len(sweep.records), job.overrides, job.point, None))
    return sweep.finish()


def _compose_job(app: Any, num: int, job: PlannedJob) -> Config:
    try:
        return app.compose(job.overrides)  # type: ignore[no-any-return]
    except ConfigError as error:
        error.message = f"job {num} ({' '.join(job.point)}): {error.message}"
        raise
