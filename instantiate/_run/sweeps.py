"""Multirun: every combination of the sweep overrides, each a job in its own numbered directory.

``python train.py -m lr=0.1,0.01 model=glob(*)`` runs the cartesian product of the sweeps on
the command line and of the config's ``_run_.sweep`` mapping (key -> sweep text; a ported
config's ``hydra.sweeper.params`` too). As in Hydra's basic sweeper the config's keys come
first, the command line wins for a key both name (in the config's place), the first key varies
slowest, a key given twice keeps its first place and its last value, and a sweep
on a config group with ``glob()`` picks from the group's options.

Every job's config is composed here before anything runs, so a bad value stops the sweep
before it starts. The sweep directory (``_run_.sweep_dir``, Hydra's ``hydra.sweep.dir``,
default ``multirun/YYYY-MM-DD/HH-MM-SS``) is new for every sweep; job ``n`` runs in
``<sweep dir>/n`` (``_run_.sweep_subdir`` or ``hydra.sweep.subdir`` may name it otherwise),
with ``_run_.job_num``, ``job_id``, ``sweep_dir`` and ``override_dirname`` set, so Hydra's
``${hydra:job.num}`` resolves. ``summary.yaml`` in the sweep directory lists every job: its
overrides, directory, status, its engine's job id (a SLURM job id), return value or error.
A job is ``pending`` (queued), ``running``, then ``ok``, ``failed``, ``cancelled`` (by someone
else, e.g. ``scancel``), ``timeout`` (its time limit), ``interrupted`` (running when the sweep
was stopped) or ``not run``. One job's failure does not stop the others; the result's
``exit_code`` is 1 when a job did not succeed, 130 after Ctrl-C and 143 after SIGTERM, which
``@main`` makes the exit status; either signal cancels the jobs that have not ended.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._compose.overrides import Override, format_value, parse_override, parse_overrides
from .._compose.searchpath import Repository
from .._compose.sweep_values import ABSURD_VALUES, Sweep
from .._config.nodes import Config
from .._errors import ConfigError, OverrideError
from .jobs import Job
from .launchers.base import JobOutcome
from .progress import Progress, duration

SUMMARY_FILE = "summary.yaml"
MAX_JOBS = 100_000  # default bound on a sweep's jobs (_run_.max_jobs), checked before expanding


def max_jobs(cfg: Config) -> int:
    """The bound ``_run_.max_jobs`` sets on the number of jobs of a sweep."""
    value = cfg.select("_run_.max_jobs", default=MAX_JOBS)
    if type(value) is not int or value < 1:
        raise ConfigError(f"_run_.max_jobs must be a positive integer, not {value!r}", path="_run_.max_jobs")
    return value


_SUMMARY_EVERY = 2.0  # seconds: rewrite summary.yaml at most this often while jobs end


# -- what to sweep -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One key of the sweep: a fixed override, or a `Sweep` of values; and where it was written."""

    override: Override
    origin: str  # "command line", "_run_.sweep.lr", "hydra.sweeper.params.lr"

    @property
    def is_sweep(self) -> bool:
        return self.override.is_sweep

    def text(self, value: Any) -> str:
        """The override that sets this key to ``value``."""
        override = self.override
        return f"{override.prefix}{override.key}={format_value(value)}"

    def values(self, repo: Repository, limit: int = ABSURD_VALUES) -> list[Any]:
        """The values this key takes; a ``glob()`` picks from the options of the config group."""
        sweep = self.override.value
        assert isinstance(sweep, Sweep)
        group = self.override.key_or_group.lstrip("/")
        options = repo.options(group) if repo.group_exists(group) else None
        if sweep.kind == "glob" and options is None:
            raise self.error(
                f"{format_value(sweep)} picks among the options of a config group, and there is no "
                f"config group {group!r}",
                hint="glob() is for groups (model=glob(*)); list values for a key: key=a,b,c",
            )
        try:
            values = sweep.expand(options, limit)
        except OverrideError as error:
            raise self.error(error.message, hint=error.hint) from None
        if not values:
            what = (
                f"no option of config group {group!r} matches (options: {', '.join(options or []) or 'none'})"
                if sweep.kind == "glob"
                else "it gives no values"
            )
            raise self.error(f"{what}, so the sweep has no jobs")
        return values

    def error(self, message: str, hint: str | None = None) -> ConfigError:
        where = f"<override {self.override.text!r}>" if self.origin == "command line" else self.origin
        return OverrideError(
            f"sweep {self.override.text!r}: {message}", path=self.override.key, source=where, hint=hint
        )


def sweep_entries(app: Any, overrides: Sequence[str], repo: Repository) -> tuple[list[Entry], Config]:
    """The keys of the sweep in order, and a config composed at the first point (for settings).

    The config's own sweep keys (``hydra.sweeper.params``, then ``_run_.sweep``, which wins for a
    key both name) come first; a key on the command line replaces the config's in its place, as in
    Hydra's basic sweeper.
    """
    command_line: dict[str, Entry] = {}
    for override in parse_overrides(list(overrides)):
        command_line[override.key] = Entry(override, "command line")  # a repeated key keeps its place
    base = app.compose(_first_point(command_line.values(), repo))
    entries = {entry.override.key: entry for entry in config_entries(base)}
    entries.update(command_line)
    return list(entries.values()), base


def _first_point(entries: Any, repo: Repository) -> list[str]:
    """Overrides for one config of the sweep: each sweep at its first value (an interval left out)."""
    texts = []
    for entry in entries:
        if not entry.is_sweep:
            texts.append(entry.override.text)
        elif entry.override.value.kind == "range":  # its first value, without listing them all
            texts.append(entry.text(_first_of_range(entry)))
        elif entry.override.value.kind != "interval":
            texts.append(entry.text(entry.values(repo)[0]))
    return texts


def _first_of_range(entry: Entry) -> Any:
    sweep = entry.override.value
    assert isinstance(sweep, Sweep)
    try:
        empty = sweep.size() == 0
    except OverrideError as error:
        raise entry.error(error.message) from None
    if empty:
        raise entry.error("it gives no values, so the sweep has no jobs")
    return sweep.start if type(sweep.start) is int and type(sweep.step) is int else float(sweep.start or 0)


def config_entries(cfg: Config) -> list[Entry]:
    """The sweep a config asks for: ``_run_.sweep`` over a ported ``hydra.sweeper.params``."""
    found: dict[str, Entry] = {}
    for where in ("hydra.sweeper.params", "_run_.sweep"):
        params = cfg.select(where, default=None)
        if params is None:
            continue
        if not isinstance(params, Config) or params.is_sequence():
            raise ConfigError(f"{where} must map keys to sweeps (lr: 0.1,0.01), not {params!r}", path=where)
        raw = params.to_dict(resolve=False)
        for key, value in raw.items():
            origin = f"{where}.{key}"
            source = params.source_of(key)
            if isinstance(value, list):
                items = ",".join(format_value(item) for item in value)
                text = f"{key}={items}" if value else f"{key}=[]"
            elif isinstance(value, str):
                text = f"{key}={value}"
            else:
                text = f"{key}={format_value(value)}"
            try:
                override = parse_override(text)
            except OverrideError as error:
                raise ConfigError(error.message, path=origin, source=source, hint=error.hint) from None
            found[override.key] = Entry(override, f"{origin} ({source})" if source else origin)
    return list(found.values())


@dataclass(frozen=True)
class PlannedJob:
    """One point of the sweep: all its overrides, and just the swept ones (for showing)."""

    overrides: list[str]
    point: list[str]


def cartesian(entries: Sequence[Entry], repo: Repository, max_jobs: int = MAX_JOBS) -> list[PlannedJob]:
    """Every combination, the first key varying slowest; fixed overrides keep their own text.

    A sweep of more than ``max_jobs`` jobs is refused before any value is listed.
    """
    jobs = 1
    for entry in entries:
        if entry.is_sweep:
            sweep = entry.override.value
            assert isinstance(sweep, Sweep)
            if sweep.kind != "glob":
                try:
                    jobs *= sweep.size()
                except OverrideError as error:
                    raise entry.error(error.message) from None
    if jobs > max_jobs:
        raise ConfigError(
            f"the sweep has {jobs:,} jobs, more than the {max_jobs:,} allowed",
            path="_run_.max_jobs",
            hint="sweep fewer values, or raise the bound: _run_.max_jobs=N",
        )
    choices: list[list[tuple[str, bool]]] = []
    for entry in entries:
        if entry.is_sweep:
            choices.append([(entry.text(value), True) for value in entry.values(repo, max_jobs)])
        else:
            choices.append([(entry.override.text, False)])
    return [
        PlannedJob([text for text, _ in combo], [text for text, swept in combo if swept])
        for combo in itertools.product(*choices)
    ]


# -- the result ---------------------------------------------------------------------------------------
@dataclass
class JobRecord:
    """One job of a sweep as the summary lists it."""

    num: int
    overrides: list[str]
    point: list[str]
    directory: Path | None
    status: str = "not run"  # "pending", "running", then an outcome's status or "interrupted"
    outcome: JobOutcome | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # what a sweeper adds, e.g. optuna's params
    engine_id: str | None = None  # the job's id in its engine (SLURM), once it is queued

    @property
    def label(self) -> str:
        return " ".join(self.point) or "(no sweep values)"

    def summary(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"num": self.num, "overrides": list(self.overrides)}
        entry["directory"] = str(self.directory) if self.directory is not None else None
        entry["status"] = self.status
        if self.engine_id is not None:
            entry["engine_id"] = self.engine_id
        entry.update(self.extra)
        outcome = self.outcome
        if outcome is not None:
            entry["elapsed"] = round(outcome.elapsed, 3)
            if outcome.ok:
                entry["value"] = outcome.value
            elif outcome.error is not None:
                error = outcome.error
                entry["error"] = {"type": error.type, "message": error.message, "traceback": error.traceback}
            entry.update(outcome.extra)
        return entry


@dataclass
class SweepResult:
    """What a sweep did; ``exit_code`` is what the command line exits with."""

    directory: Path | None
    jobs: list[JobRecord]
    launcher: str
    sweeper: str = "basic"
    interrupted: bool = False
    dry_run: bool = False
    best: dict[str, Any] | None = None
    signal: int | None = None  # what stopped the sweep: SIGINT (Ctrl-C) or SIGTERM

    @property
    def failed(self) -> list[JobRecord]:
        return [job for job in self.jobs if job.status == "failed"]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signal or 2)
        if self.dry_run:
            return 0
        return 0 if all(job.status == "ok" for job in self.jobs) else 1

    @property
    def summary_file(self) -> Path | None:
        return self.directory / SUMMARY_FILE if self.directory is not None else None


# -- running ---------------------------------------------------------------------------------------------
class SweepRun:
    """One sweep being run: its directory and jobs, the launcher's reporter, the summary.

    Sweepers make jobs with `prepare` and hand batches of them to `launch`.
    """

    def __init__(
        self,
        app: Any,
        directory: Path,
        launcher_name: str,
        launcher: Any,
        total: int,
        *,
        sweeper: str = "basic",
        verbose: bool = False,
        allow: list[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.app = app
        self.directory = directory
        self.launcher_name = launcher_name
        self.launcher = launcher
        self.sweeper = sweeper
        self.verbose = verbose
        self.allow = allow
        self.progress = progress or Progress(total)
        self.records: list[JobRecord] = []
        self.interrupted = False
        self.signal: int | None = None
        self.began = time.monotonic()
        self.started_at = datetime.now().isoformat(timespec="seconds")
        self.summary_extra: dict[str, Any] = {}
        self._written = 0.0
        self._unqueued: set[int | None] = set()  # jobs of the batch not yet in their engine's queue
        self._lock = threading.Lock()  # a launcher may report from its own threads

    # -- jobs ------------------------------------------------------------------------------------------
    def prepare(self, cfg: Config, planned: PlannedJob, extra: Mapping[str, Any] | None = None) -> Job:
        """Number the job, make its directory, set its run values and write its record."""
        from .rundir import new_directory

        num = len(self.records)
        run = cfg["_run_"]
        run["job_num"] = num
        run["job_id"] = f"{self.directory.name}_{num}"
        run["sweep_dir"] = str(self.directory)
        run["override_dirname"] = override_dirname(cfg, planned.overrides)
        subdir = _subdir(cfg, num, self.app.name)
        directory = new_directory(str(self.directory / subdir).replace("%", "%%"))
        job = Job.prepare(
            self.app,
            cfg,
            list(planned.overrides),
            directory,
            verbose=self.verbose,
            allow=self.allow,
            index=num,
        )
        self.records.append(
            JobRecord(num, list(planned.overrides), list(planned.point), directory, extra=dict(extra or {}))
        )
        return job

    def launch(self, jobs: Sequence[Job]) -> list[JobRecord]:
        """Run ``jobs`` through the launcher; after Ctrl-C, ``interrupted`` is set and nothing raises."""
        import signal

        self.write_summary()
        self._unqueued = {job.index for job in jobs}
        try:
            with _sigterm_interrupts(), self.progress.above():
                self.launcher.launch(list(jobs), self)
        except KeyboardInterrupt as stop:
            self.interrupt(signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT)
        return [self.records[job.index] for job in jobs if job.index is not None]

    def interrupt(self, signum: int) -> None:
        """Mark the sweep stopped by ``signum`` (its launcher has cancelled what it started)."""
        import signal

        self.interrupted = True
        self.signal = signum
        name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"
        self.progress.note(f"interrupted ({name}): stopping the sweep")

    # -- the reporter a launcher talks to --------------------------------------------------------
    def queued(self, job: Job, engine_id: str) -> None:
        """The job waits in its engine's queue under ``engine_id``."""
        with self._lock:
            record = self._record(job.index)
            if record is not None and record.outcome is None:
                record.engine_id = engine_id
                if record.status == "not run":
                    record.status = "pending"
            self._unqueued.discard(job.index)
            if not self._unqueued:  # the whole batch is in the queue: say so, with the engine's ids
                self.write_summary()

    def started(self, job: Job) -> None:
        with self._lock:
            record = self._record(job.index)
            if record is not None and record.status in ("not run", "pending"):
                record.status = "running"
                self.progress.started(record.num, record.label)
                # in process (basic), a job that ends the process is then listed as running
                in_process = getattr(self.launcher, "in_process", False)
                if in_process or time.monotonic() - self._written > _SUMMARY_EVERY:
                    self.write_summary()

    def note(self, text: str) -> None:
        """A line for whoever watches the sweep."""
        with self._lock:
            self.progress.note(text)

    def finished(self, outcome: JobOutcome) -> None:
        with self._lock:
            record = self._record(outcome.index)
            if record is None or record.outcome is not None:
                return  # an outcome for a job that is not ours, or reported twice
            record.outcome = outcome
            record.status = outcome.status
            self.progress.finished(record.num, record.label, outcome.status, outcome.elapsed, outcome.error)
            # A launcher that runs jobs in this process (basic) may be ended by one of them
            # (os._exit, SIGKILL): the summary is then already true up to the last job.
            if (
                getattr(self.launcher, "in_process", False)
                or time.monotonic() - self._written > _SUMMARY_EVERY
            ):
                self.write_summary()

    def _record(self, index: int | None) -> JobRecord | None:
        if index is None or not 0 <= index < len(self.records):
            return None
        return self.records[index]

    # -- the end ---------------------------------------------------------------------------------------
    def finish(self, best: dict[str, Any] | None = None) -> SweepResult:
        """Mark what did not end, write the summary, print the closing lines; the result."""
        for record in self.records:
            if record.status == "running":
                record.status = "interrupted" if self.interrupted else "failed"
            elif record.status == "pending":  # cancelled in the queue, or never heard of again
                record.status = "not run"
        with _interrupts_held():
            self.write_summary(final=True)
        self.progress.close()
        result = SweepResult(
            self.directory,
            self.records,
            self.launcher_name,
            self.sweeper,
            interrupted=self.interrupted,
            best=best,
            signal=self.signal,
        )
        self._closing_lines(result)
        return result

    def write_summary(self, final: bool = False) -> None:
        """``summary.yaml``, replaced whole (never half-written), so it can be read at any time."""
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.status] = counts.get(record.status, 0) + 1
        data: dict[str, Any] = {
            "sweep_dir": str(self.directory),
            "launcher": self.launcher_name,
            "sweeper": self.sweeper,
            "started": self.started_at,
            "elapsed": round(time.monotonic() - self.began, 3),
            "finished": final and not self.interrupted,
            "interrupted": self.interrupted,
            "counts": counts,
            **self.summary_extra,
            "jobs": [record.summary() for record in self.records],
        }
        write_yaml(self.directory / SUMMARY_FILE, data)
        self._written = time.monotonic()

    def _closing_lines(self, result: SweepResult) -> None:
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.status] = counts.get(record.status, 0) + 1
        shown = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no jobs"
        what = "interrupted after" if self.interrupted else "finished in"
        self.progress.note(
            f"sweep {what} {duration(time.monotonic() - self.began)}: {shown}; summary: {result.summary_file}"
        )
        for record in self.records:
            if record.status in ("failed", "timeout", "cancelled"):
                error = record.outcome.error if record.outcome is not None else "no outcome reported"
                log = record.directory / f"{self.app.name}.log" if record.directory is not None else None
                self.progress.note(f"  #{record.num} {record.label}: {error}  (log: {log})")


def new_sweep_directory(cfg: Config) -> Path:
    from .rundir import new_directory
    from .settings import RunSettings

    return new_directory(RunSettings.of(cfg).sweep_dir)


def dry_run_text(planned: Sequence[PlannedJob], launcher: str) -> str:
    """The jobs a sweep would run, one a line, with what every job shares said once."""
    swept = {text for job in planned for text in job.point}
    shared = [text for text in (planned[0].overrides if planned else []) if text not in swept]
    lines = [f"{len(planned)} jobs (launcher: {launcher}); --dry-run: nothing was run or created"]
    if shared:
        lines.append(f"every job also gets: {' '.join(shared)}")
    width = len(str(max(len(planned) - 1, 0)))
    lines += [f"  #{num:<{width}}  {' '.join(job.point)}" for num, job in enumerate(planned)]
    return "\n".join(lines)


def override_dirname(cfg: Config, overrides: Sequence[str]) -> str:
    """Hydra's ``job.override_dirname``: the job's overrides sorted, as ``a=1,b=2``.

    Overrides of the run itself (``_run_``, ``hydra``) are left out, as Hydra leaves out its own;
    a ported config's ``hydra.job.config.override_dirname`` (kv_sep, item_sep, exclude_keys) applies.
    """
    settings = cfg.select("hydra.job.config.override_dirname", default=None)
    settings = settings.to_dict() if isinstance(settings, Config) else {}
    exclude = set(settings.get("exclude_keys") or [])
    lines = []
    for text in overrides:
        override = parse_override(text)
        root = override.key_or_group.lstrip("/").split(".")[0].split("/")[0]
        if root in ("_run_", "hydra") or override.key_or_group in exclude:
            continue
        lines.append(text)
    joined = str(settings.get("item_sep", ",")).join(sorted(lines))
    return joined.replace("=", str(settings.get("kv_sep", "=")))


def _subdir(cfg: Config, num: int, name: str) -> str:
    """The job's directory under the sweep's: ``_run_.sweep_subdir``, ``hydra.sweep.subdir``, or n."""
    run = cfg["_run_"]
    if "sweep_subdir" in run:
        subdir, where = run["sweep_subdir"], "_run_.sweep_subdir"
    elif "subdir" in _mapping(
        cfg.select("hydra.sweep", default=None)
    ):  # not read yet: it may refer to job values
        subdir, where = _hydra_subdir(cfg, num, name), "hydra.sweep.subdir"
    else:
        return str(num)
    if subdir is None:
        return str(num)
    text = str(subdir)
    if not text or os.path.isabs(text) or ".." in Path(text).parts:
        raise ConfigError(
            f"the job directory {text!r} must be a relative path inside the sweep directory",
            path=where,
            hint="the default is the job number: $<run:job_num>",
        )
    return text


def _hydra_subdir(cfg: Config, num: int, name: str) -> Any:
    """``hydra.sweep.subdir`` as Hydra resolves it, where ``${hydra.job.num}`` is the job's number."""
    import copy

    view = copy.deepcopy(cfg)
    hydra = view["hydra"]
    if hydra.get("job") is None:
        hydra["job"] = {}
    run = cfg["_run_"]
    facts = {"num": num, "id": run["job_id"], "override_dirname": run["override_dirname"], "name": name}
    for key, value in facts.items():
        if key not in hydra["job"]:
            hydra["job"][key] = value
    return view.select("hydra.sweep.subdir")


def _mapping(node: Any) -> Any:
    return node if isinstance(node, Config) and not node.is_sequence() else {}


# -- small helpers ---------------------------------------------------------------------------------------
def write_yaml(path: Path, data: Any) -> None:
    """Write YAML atomically: multi-line text (tracebacks) as readable blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        yaml.dump(data, handle, Dumper=Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)
    os.replace(temporary, path)


class Terminated(KeyboardInterrupt):
    """SIGTERM to the sweep's driver: handled like Ctrl-C, so its jobs are cancelled."""


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into `Terminated` while jobs run (in the main thread, where signals arrive)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C off while the summary is written (in the main thread, where signals arrive)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    terminate = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, terminate)


__all__ = [
    "SUMMARY_FILE",
    "Entry",
    "JobRecord",
    "PlannedJob",
    "SweepResult",
    "SweepRun",
    "cartesian",
    "config_entries",
    "dry_run_text",
    "override_dirname",
    "sweep_entries",
]
