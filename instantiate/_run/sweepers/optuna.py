"""The optuna sweeper (``_run_.sweeper=optuna``, ``pip install 'instantiate[optuna]'``).

The sweep overrides become the search space: ``choice()``, a plain list (``a=1,2``) and a
``glob()`` over a group's options are categorical; ``range(start, stop, step)`` is an int (or
float) distribution over the same values ``-m`` alone would run (``stop`` excluded, unlike
Hydra's optuna plugin); ``interval(low, high)`` is a float. Options, in ``_run_.optuna`` (a ported
config's ``hydra.sweeper`` is read too): ``direction`` (``minimize`` or ``maximize``), ``n_trials``,
``n_jobs`` (trials asked for and launched together), ``sampler`` (``tpe`` or ``random``), ``seed``,
``log`` (keys whose range or interval is sampled on a log scale), ``study_name``, ``storage``.

Each trial is a job like any other: numbered directories under one sweep directory, run by the
chosen launcher. Its objective is the number the task returns. ``summary.yaml`` records each
trial's ``params`` and value, and the best trial under ``optuna.best``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence
from typing import Any

from ..._compose.overrides import format_value
from ..._compose.searchpath import Repository
from ..._compose.sweep_values import Sweep
from ..._config.nodes import Config
from ..._errors import ConfigError
from ..launchers.base import JobError
from ..sweep_points import Entry, PlannedJob, max_jobs
from ..sweeps import JobRecord, SweepResult, SweepRun, new_sweep_directory

DEFAULTS: dict[str, Any] = {
    "direction": "minimize",
    "n_trials": 20,
    "n_jobs": 1,
    "sampler": "tpe",
    "seed": None,
    "log": [],
    "study_name": None,
    "storage": None,
}


def import_optuna() -> Any:
    """The optuna module, or a ConfigError saying which extra installs it."""
    try:
        import optuna
    except ImportError as error:
        raise ConfigError(
            f"the optuna sweeper needs optuna, which is not installed ({error})",
            path="_run_.sweeper",
            hint="pip install 'instantiate[optuna]'",
        ) from None
    return optuna


def optuna_settings(cfg: Config) -> dict[str, Any]:
    """The sweeper's options from ``_run_.optuna``, else a ported ``hydra.sweeper`` section."""
    settings = dict(DEFAULTS)
    ours = cfg.select("_run_.optuna", default=None)
    if ours is not None:
        given = ours.to_dict() if isinstance(ours, Config) else ours
        if not isinstance(given, dict):
            raise ConfigError(
                f"_run_.optuna must be a mapping of options, not {given!r}", path="_run_.optuna"
            )
        for key in given:
            if key not in DEFAULTS:
                from ..._errors import did_you_mean

                raise ConfigError(
                    f"the optuna sweeper has no option {key!r}.{did_you_mean(key, DEFAULTS)} "
                    f"Its options: {', '.join(DEFAULTS)}",
                    path=f"_run_.optuna.{key}",
                )
        settings.update(given)
    else:
        hydra = cfg.select("hydra.sweeper", default=None)
        if isinstance(hydra, Config):
            for key in ("direction", "n_trials", "n_jobs", "study_name", "storage"):
                if key in hydra:
                    settings[key] = hydra[key]
            settings["seed"] = hydra.select("sampler.seed", default=None)
            sampler = hydra.get("sampler")
            if isinstance(sampler, Config) and "_target_" in sampler:  # Hydra's optuna plugin config
                settings["sampler"] = sampler.to_dict()
    if settings["direction"] not in ("minimize", "maximize"):
        raise ConfigError(
            f"the optuna direction is 'minimize' or 'maximize', not {settings['direction']!r}",
            path="_run_.optuna.direction",
        )
    for key in ("n_trials", "n_jobs"):
        value = settings[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(
                f"optuna {key} must be a positive integer, not {value!r}", path=f"_run_.optuna.{key}"
            )
    if not isinstance(settings["sampler"], dict) and settings["sampler"] not in ("tpe", "random"):
        raise ConfigError(
            f"the optuna sampler is 'tpe' or 'random', not {settings['sampler']!r}",
            path="_run_.optuna.sampler",
        )
    return settings


def search_space(
    entries: Sequence[Entry], repo: Repository, optuna: Any, log: Sequence[str]
) -> dict[str, Any]:
    """Each swept key's optuna distribution."""
    dist = optuna.distributions
    space: dict[str, Any] = {}
    for entry in entries:
        if not entry.is_sweep:
            continue
        key = entry.override.key
        sweep = entry.override.value
        assert isinstance(sweep, Sweep)
        on_log = key in log or "log" in sweep.tags  # tag(log, interval(...)), as Hydra's plugin reads it
        if sweep.kind == "interval":
            assert sweep.low is not None and sweep.high is not None
            if isinstance(sweep.low, int) and isinstance(sweep.high, int):  # int(interval(1, 8))
                space[key] = dist.IntDistribution(sweep.low, sweep.high, log=on_log)
            else:
                space[key] = dist.FloatDistribution(sweep.low, sweep.high, log=on_log)
            continue
        values = entry.values(repo)
        if sweep.kind == "range":
            low, high = min(values), max(values)
            step = abs(sweep.step)
            if all(isinstance(v, int) for v in values):
                space[key] = dist.IntDistribution(low, high, step=1 if on_log else step, log=on_log)
            else:
                space[key] = dist.FloatDistribution(low, high, step=None if on_log else step, log=on_log)
            continue
        if on_log:
            raise entry.error("a log scale needs range() or interval(), not a list of values")
        for value in values:
            if not (value is None or isinstance(value, (bool, int, float, str))):
                raise entry.error(f"optuna chooses among plain values, and {format_value(value)} is not one")
        space[key] = dist.CategoricalDistribution(values)
    if not space:
        raise ConfigError(
            "the optuna sweeper has nothing to search: no override sweeps",
            path="_run_.sweeper",
            hint="give a search space: lr=interval(0.0001,0.1) batch=choice(32,64), or _run_.sweep",
        )
    return space


def describe(space: dict[str, Any]) -> list[str]:
    lines = []
    for key, distribution in space.items():
        kind = type(distribution).__name__
        if kind == "CategoricalDistribution":
            shown = "one of " + ", ".join(format_value(c) for c in distribution.choices)
        else:
            number = "int" if kind == "IntDistribution" else "float"
            shown = f"{number} in [{distribution.low}, {distribution.high}]"
            step = getattr(distribution, "step", None)
            if step is not None and (number == "float" or step != 1):
                shown += f" step {step}"
            if distribution.log:
                shown += " (log)"
        lines.append(f"  {key}: {shown}")
    return lines


def run_optuna(
    app: Any,
    entries: Sequence[Entry],
    base: Config,
    repo: Repository,
    launcher_name: str,
    launcher: Any,
    *,
    dry_run: bool = False,
    verbose: bool = False,
    allow: list[str] | None = None,
) -> SweepResult:
    """Ask optuna for ``n_jobs`` trials at a time, run them as jobs, tell it the returned values."""
    optuna = import_optuna()
    settings = optuna_settings(base)
    space = search_space(entries, repo, optuna, settings["log"])
    n_trials, batch = settings["n_trials"], settings["n_jobs"]
    if n_trials > (bound := max_jobs(base)):
        raise ConfigError(
            f"optuna: {n_trials:,} trials, more than the {bound:,} jobs a sweep may have",
            path="_run_.max_jobs",
            hint="ask for fewer trials, or raise the bound: _run_.max_jobs=N",
        )
    fixed = [entry.override.text for entry in entries if not entry.is_sweep]
    if dry_run:
        lines = [
            f"optuna: {n_trials} trials, {settings['direction']}, {batch} at a time "
            f"(launcher: {launcher_name}); "
            "--dry-run: nothing was run or created",
            "search space:",
            *describe(space),
        ]
        if fixed:
            lines.append(f"every trial also gets: {' '.join(fixed)}")
        print("\n".join(lines))
        return SweepResult(None, [], launcher_name, "optuna", dry_run=True)

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our progress lines say what it would
    if isinstance(settings["sampler"], dict):  # hydra.sweeper.sampler: {_target_: optuna.samplers.X, ...}
        from ..._build.api import instantiate

        sampler = instantiate(settings["sampler"])
    elif settings["sampler"] == "tpe":
        sampler = optuna.samplers.TPESampler(seed=settings["seed"])
    else:
        sampler = optuna.samplers.RandomSampler(seed=settings["seed"])
    study = optuna.create_study(
        direction=settings["direction"],
        sampler=sampler,
        study_name=settings["study_name"],
        storage=settings["storage"],
        load_if_exists=settings["storage"] is not None,
    )
    sweep = SweepRun(
        app,
        new_sweep_directory(base),
        launcher_name,
        launcher,
        n_trials,
        sweeper="optuna",
        verbose=verbose,
        allow=allow,
    )
    sweep.progress.note(f"optuna: {n_trials} trials in {sweep.directory} (launcher: {launcher_name})")
    sweep.summary_extra["optuna"] = {"direction": settings["direction"], "n_trials": n_trials, "best": None}
    waiting: list[Any] = []  # asked and not yet told, so an interrupt can close them
    trial_of_job: dict[int, Any] = {}
    try:
        while len(sweep.records) < n_trials and not sweep.interrupted:
            waiting = [study.ask(space) for _ in range(min(batch, n_trials - len(sweep.records)))]
            jobs = []
            for trial in waiting:
                point = [entry.text(trial.params[entry.override.key]) for entry in entries if entry.is_sweep]
                overrides = _in_order(entries, trial.params)
                cfg = app.compose(overrides)
                params = {key: trial.params[key] for key in space}
                job = sweep.prepare(cfg, PlannedJob(overrides, point), extra={"params": params})
                trial_of_job[len(sweep.records) - 1] = trial
                trial.set_user_attr("job_num", len(sweep.records) - 1)
                jobs.append(job)
            for record in sweep.launch(jobs):
                trial = trial_of_job[record.num]
                waiting.remove(trial)
                _tell(study, trial, record, optuna)
            sweep.summary_extra["optuna"]["best"] = _best(study)
    except KeyboardInterrupt:
        sweep.interrupted = True
        sweep.signal = sweep.signal or 2
    finally:
        for trial in waiting:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    best = _best(study)
    sweep.summary_extra["optuna"]["best"] = best
    if best is not None:
        sweep.progress.note(f"best: #{best['num']} {best['value']}  {best['params']}")
    return sweep.finish(best=best)


def _in_order(entries: Sequence[Entry], params: dict[str, Any]) -> list[str]:
    return [
        entry.text(params[entry.override.key]) if entry.is_sweep else entry.override.text for entry in entries
    ]


def _tell(study: Any, trial: Any, record: JobRecord, optuna: Any) -> None:
    """Tell optuna the trial's value; a failed job, or a task that returned no number, is a failed trial."""
    outcome = record.outcome
    value = outcome.value if outcome is not None and outcome.ok else None
    if outcome is not None and outcome.ok and not _is_number(value):
        error = JobError(
            "TypeError",
            f"the optuna sweeper needs the task to return a number to {study.direction.name.lower()}, "
            f"got {value!r}",
            "",
        )
        record.outcome = dataclasses.replace(outcome, status="failed", error=error)
        record.status = "failed"
        value = None
    if value is None:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    else:
        study.tell(trial, float(value))


def _is_number(value: Any) -> bool:
    return type(value) is not bool and isinstance(value, numbers.Real) and math.isfinite(value)


def _best(study: Any) -> dict[str, Any] | None:
    try:
        trial = study.best_trial
    except ValueError:  # no trial has completed
        return None
    return {"num": trial.user_attrs.get("job_num"), "params": dict(trial.params), "value": trial.value}


__all__ = ["DEFAULTS", "import_optuna", "optuna_settings", "run_optuna", "search_space"]
