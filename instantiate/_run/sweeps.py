"""Multirun: every combination of the sweep overrides, each a job in its own numbered directory.

``python train.py -m lr=0.1,0.01 model=glob(*)`` runs the cartesian product of the sweeps on
the command line and of the config's ``_run_.sweep`` mapping (key -> sweep text; a ported
config's ``hydra.sweeper.params`` too; which jobs that is: ``sweep_points``).

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

import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._compose.overrides import parse_override
from .._config.nodes import Config
from .._config.plain_yaml import dump_plain
from .._errors import ConfigError
from .jobs import Job
from .launchers.base import JobOutcome
from .progress import Progress, duration
from .sweep_points import PlannedJob

SUMMARY_FILE = "summary.yaml"
# The name the running sweeper was chosen by (``_run_.sweeper``, a ported ``hydra/sweeper``):
# what the summary calls it, so a plugin sweeper need not name itself.
_SWEEPER: ContextVar[str] = ContextVar("sweeper", default="basic")
_SUMMARY_EVERY = 2.0  # seconds: rewrite summary.yaml at most this often while jobs end


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
    sweeper: str = field(default_factory=lambda: _SWEEPER.get())
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

    Sweepers make jobs with `prepare` and hand batches of them to `launch`. ``sweeper`` names the
    sweeper in the summary; by default, the name it was chosen by (see `sweeper_named`).
    """

    def __init__(
        self,
        app: Any,
        directory: Path,
        launcher_name: str,
        launcher: Any,
        total: int,
        *,
        sweeper: str | None = None,
        verbose: bool = False,
        allow: list[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.app = app
        self.directory = directory
        self.launcher_name = launcher_name
        self.launcher = launcher
        self.sweeper = sweeper or _SWEEPER.get()
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
        self._entries: dict[int, tuple[dict[str, Any], str]] = {}  # num -> (entry, its YAML text)
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
        }
        # Each job's entry is written as text once and again only when it changed, so that
        # rewriting the summary after every job of a sweep costs little per job however long.
        jobs = []
        for record in self.records:
            entry = record.summary()
            done = self._entries.get(record.num)
            if done is None or done[0] != entry:
                done = self._entries[record.num] = (entry, yaml_text([entry]))
            jobs.append(done[1])
        text = yaml_text(data) + ("jobs:\n" + "".join(jobs) if jobs else "jobs: []\n")
        write_text(self.directory / SUMMARY_FILE, text)
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


@contextmanager
def sweeper_named(name: str) -> Iterator[None]:
    """While a sweeper runs: the name it was chosen by, which its summary and result then give."""
    token = _SWEEPER.set(name)
    try:
        yield
    finally:
        _SWEEPER.reset(token)


def new_sweep_directory(cfg: Config) -> Path:
    from .rundir import new_directory
    from .settings import RunSettings

    return new_directory(RunSettings.of(cfg).sweep_dir)


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
def yaml_text(data: Any) -> str:
    """``data`` as YAML, multi-line text (tracebacks) as readable blocks (then by PyYAML)."""
    if not _multiline(data):
        text = dump_plain(data)
        if text is not None:
            return text
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text_block(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text_block)
    dumped: str = yaml.dump(
        data, Dumper=Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    return dumped


def _multiline(data: Any) -> bool:
    if isinstance(data, str):
        return "\n" in data
    if isinstance(data, dict):
        return any(_multiline(value) for value in data.values())
    if isinstance(data, list):
        return any(_multiline(value) for value in data)
    return False


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` whole, never half-written: a reader sees the old text or the new."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
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
    "JobRecord",
    "SweepResult",
    "SweepRun",
    "override_dirname",
    "sweeper_named",
]
