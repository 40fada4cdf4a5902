"""What a launcher is and reports: the contract every launcher keeps, and running one job.

A launcher is any object with ``launch(jobs, reporter)``. It runs each `Job` with `run_job`
(which never raises for a failing task: it returns a failed `JobOutcome`), calls
``reporter.finished(outcome)`` as each job ends (and ``reporter.started(job)`` when it knows a job
began), and returns when every job has ended. A launcher that queues jobs in an engine tells
``reporter.queued(job, engine_id)`` (the job is then ``pending``, with its engine's id) and may
``reporter.note(text)``. On ``KeyboardInterrupt`` (Ctrl-C, and SIGTERM, which the sweep turns
into one) it stops or cancels what it started and lets the interrupt propagate; jobs it never
reported started count as not run.
"""

from __future__ import annotations

import numbers
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..jobs import Job, execute

TRACEBACK_LINES = 15  # how much of a failed job's traceback the summary keeps (the log has it all)


# -- what a launcher reports ----------------------------------------------------------------------
@dataclass(frozen=True)
class JobError:
    """Why a job failed, as plain text so it crosses process and machine boundaries."""

    type: str  # "ValueError", or "mypkg.errors.DataError" for a class outside builtins
    message: str
    traceback: str  # the last lines of the formatted traceback

    @classmethod
    def of(cls, error: BaseException, full: str | None = None) -> JobError:
        text = full if full is not None else _format_traceback(error)
        module, name = type(error).__module__, type(error).__qualname__
        shown = name if module == "builtins" else f"{module}.{name}"
        message = f"exit code {error.code}" if isinstance(error, SystemExit) else str(error)
        return cls(shown, message, "\n".join(text.rstrip("\n").splitlines()[-TRACEBACK_LINES:]))

    def __str__(self) -> str:
        first = self.message.splitlines()[0] if self.message else ""
        return f"{self.type}: {first}" if first else self.type


@dataclass(frozen=True)
class JobOutcome:
    """How one job ended: ``ok`` with the task's return value, or ``failed`` with its error.

    ``value`` is plain data: numbers, strings, lists and mappings of them as returned; anything
    else (a tensor, a model) is replaced by its ``repr``. ``elapsed`` is measured where the job ran.
    """

    index: int | None
    status: str  # "ok", "failed", or as the engine saw the job end: "cancelled", "timeout"
    value: Any = None
    error: JobError | None = None
    elapsed: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)  # launcher facts, e.g. a SLURM job id

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Reporter(Protocol):
    """What a launcher tells the sweep, and where the sweep keeps its files."""

    directory: Path  # the sweep directory; a launcher may keep its own files under it

    def queued(self, job: Job, engine_id: str) -> None: ...

    def started(self, job: Job) -> None: ...

    def finished(self, outcome: JobOutcome) -> None: ...

    def note(self, text: str) -> None: ...


class Launcher(Protocol):
    """Runs jobs; see the module docstring for the contract."""

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None: ...


# -- running one job --------------------------------------------------------------------------------
def run_job(job: Job) -> JobOutcome:
    """Run one job wherever this is called, and say how it ended; a task's exception is caught.

    The full traceback of a failure is appended to the job's log; the outcome keeps its last
    lines. ``KeyboardInterrupt`` is not caught: an interrupted job has no outcome.
    """
    from ..._compose.run_values import install_run_resolvers

    install_run_resolvers()  # a fresh worker process has not composed anything yet
    start = time.perf_counter()
    try:
        value = execute(job)
    except (Exception, SystemExit) as error:
        if isinstance(error, SystemExit) and error.code in (None, 0):
            return JobOutcome(job.index, "ok", None, elapsed=time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        full = _format_traceback(error)
        append_to_log(job, full)
        return JobOutcome(job.index, "failed", error=JobError.of(error, full), elapsed=elapsed)
    return JobOutcome(job.index, "ok", portable(value), elapsed=time.perf_counter() - start)


def failed_outcome(
    job: Job, error: BaseException, elapsed: float = 0.0, status: str = "failed"
) -> JobOutcome:
    """The outcome of a job its launcher could not run or hear back from (a dead worker, a lost
    SLURM job; ``status`` is ``cancelled`` or ``timeout`` when the engine says so): the error is
    the launcher's, not the task's."""
    full = _format_traceback(error)
    append_to_log(job, full)
    return JobOutcome(job.index, status, error=JobError.of(error, full), elapsed=elapsed)


def portable(value: Any) -> Any:
    """``value`` as plain YAML data: numbers (numpy's too), strings, lists, mappings; else repr."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Mapping):
        return {_portable_key(k): portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(item) for item in value]
    return repr(value)


def _portable_key(key: Any) -> Any:
    return key if key is None or isinstance(key, (bool, int, float, str)) else repr(key)


def _format_traceback(error: BaseException) -> str:
    """The traceback from the task's own frames on (ours that merely called it left out)."""
    import traceback

    here = str(Path(__file__).resolve().parents[2]) + os.sep  # the instantiate package
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(here):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


def append_to_log(job: Job, text: str) -> None:
    try:
        with open(Path(job.directory) / f"{job.name}.log", "a", encoding="utf-8") as log:
            log.write(f"job {job.index} failed:\n{text}")
    except OSError:  # a vanished directory must not hide the job's own error
        pass


__all__ = [
    "JobError",
    "JobOutcome",
    "Launcher",
    "Reporter",
    "append_to_log",
    "failed_outcome",
    "portable",
    "run_job",
]
