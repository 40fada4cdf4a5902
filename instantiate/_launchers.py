"""Launchers: where and how the jobs of a sweep run.

A launcher is any object with ``launch(jobs, reporter)``. It runs each `Job` with `run_job`
(which never raises for a failing task: it returns a failed `JobOutcome`), calls
``reporter.finished(outcome)`` as each job ends (and ``reporter.started(job)`` when it knows a job
began), and returns when every job has ended. On ``KeyboardInterrupt`` it stops or cancels what
it started and lets the interrupt propagate; jobs it never reported count as not run.

Built-in: ``basic`` (this process, one job after another), ``processes`` (a local pool of worker
processes), ``submitit`` (SLURM), ``submitit-local`` (submitit's local executor) and ``ray``.
A launcher's options are the mapping ``_run_.<launcher name>`` (``_run_.processes.n_jobs=4``),
passed as keyword arguments to its constructor; ``submitit-local`` falls back to
``_run_.submitit``, so a SLURM config can be tried on one machine. A ported Hydra config's
``hydra/launcher`` choice (``joblib``, ``submitit_slurm``, ``submitit_local``, ``ray``) picks the
matching launcher, with the options it understands from ``hydra.launcher``.

Another package adds a launcher under the entry-point group ``instantiate.launchers``; the group
is read only when a name is not built in::

    # mypkg/launchers.py
    from concurrent.futures import ThreadPoolExecutor
    from instantiate.launchers import run_job

    class ThreadLauncher:
        def __init__(self, max_workers: int = 4):          # options: _run_.threads.max_workers=8
            self.max_workers = max_workers

        def launch(self, jobs, reporter):
            with ThreadPoolExecutor(self.max_workers) as pool:
                for outcome in pool.map(run_job, jobs):
                    reporter.finished(outcome)

    # pyproject.toml of mypkg
    [project.entry-points."instantiate.launchers"]
    threads = "mypkg.launchers:ThreadLauncher"

and ``python train.py -m lr=0.1,0.01 --launcher threads`` runs the sweep through it.
"""

from __future__ import annotations

import inspect
import numbers
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from ._errors import ConfigError, closest, did_you_mean
from ._jobs import Job, execute
from ._registry import Registry

ENTRY_POINT_GROUP = "instantiate.launchers"
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
    status: str  # "ok" or "failed"
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

    def started(self, job: Job) -> None: ...

    def finished(self, outcome: JobOutcome) -> None: ...


class Launcher(Protocol):
    """Runs jobs; see the module docstring for the contract."""

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None: ...


# -- running one job --------------------------------------------------------------------------------
def run_job(job: Job) -> JobOutcome:
    """Run one job wherever this is called, and say how it ended; a task's exception is caught.

    The full traceback of a failure is appended to the job's log; the outcome keeps its last
    lines. ``KeyboardInterrupt`` is not caught: an interrupted job has no outcome.
    """
    from ._run import install_run_resolvers

    install_run_resolvers()  # a fresh worker process has not composed anything yet
    start = time.perf_counter()
    try:
        value = execute(job)
    except (Exception, SystemExit) as error:
        if isinstance(error, SystemExit) and error.code in (None, 0):
            return JobOutcome(job.index, "ok", None, elapsed=time.perf_counter() - start)
        elapsed = time.perf_counter() - start
        full = _format_traceback(error)
        _append_to_log(job, full)
        return JobOutcome(job.index, "failed", error=JobError.of(error, full), elapsed=elapsed)
    return JobOutcome(job.index, "ok", portable(value), elapsed=time.perf_counter() - start)


def failed_outcome(job: Job, error: BaseException, elapsed: float = 0.0) -> JobOutcome:
    """The outcome of a job its launcher could not run or hear back from (a dead worker, a lost
    SLURM job): the error is the launcher's, not the task's."""
    full = _format_traceback(error)
    _append_to_log(job, full)
    return JobOutcome(job.index, "failed", error=JobError.of(error, full), elapsed=elapsed)


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

    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(here):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb or error.__traceback__))


def _append_to_log(job: Job, text: str) -> None:
    try:
        with open(Path(job.directory) / f"{job.name}.log", "a", encoding="utf-8") as log:
            log.write(f"job {job.index} failed:\n{text}")
    except OSError:  # a vanished directory must not hide the job's own error
        pass


# -- built-in launchers ---------------------------------------------------------------------------
class BasicLauncher:
    """``basic``: every job in this process, one after another."""

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None:
        for job in jobs:
            reporter.started(job)
            reporter.finished(run_job(job))


class ProcessLauncher:
    """``processes``: a pool of ``n_jobs`` local worker processes (default: one per CPU).

    Workers are started with ``start_method`` (``spawn`` by default: safe with threads and CUDA,
    and the same on every OS), so the task must be importable: a module-level function, as
    ``@main`` makes it. Workers ignore Ctrl-C; the sweep stops them itself. A job whose worker
    dies fails as ``WorkerDied``; the jobs that shared the pool with it run again.
    """

    def __init__(self, n_jobs: int | None = None, start_method: str = "spawn") -> None:
        import multiprocessing

        if n_jobs is not None and (not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 1):
            raise ConfigError(f"launcher 'processes': n_jobs must be a positive integer, not {n_jobs!r}")
        methods = multiprocessing.get_all_start_methods()
        if start_method not in methods:
            raise ConfigError(
                f"launcher 'processes': start_method {start_method!r} is not available here; "
                f"choose one of {', '.join(methods)}"
            )
        self.n_jobs = n_jobs or os.cpu_count() or 1
        self.start_method = start_method

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None:
        # A worker that dies (killed, out of memory, a crash in native code) breaks the whole pool
        # and fails every job in it. So each pool reports which jobs had started: one such job is
        # the culprit; several are rerun one at a time to find it; jobs not started yet run again.
        rounds: list[tuple[list[Job], int]] = [(list(jobs), self.n_jobs)]
        while rounds:
            batch, workers = rounds.pop(0)
            suspects, not_started = self._pool(batch, workers, reporter)
            if len(suspects) == 1:
                reporter.finished(_worker_died(suspects[0]))
            elif suspects:
                rounds.insert(0, (suspects, 1))
            if not_started:
                rounds.append((not_started, workers))

    def _pool(self, jobs: list[Job], workers: int, reporter: Reporter) -> tuple[list[Job], list[Job]]:
        """Run ``jobs`` in one pool; if it breaks: the jobs that were running, and those not started."""
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        context = multiprocessing.get_context(self.start_method)
        states = context.Array("b", len(jobs), lock=False)  # per job: 0 queued, 1 running, 2 ended
        pool = ProcessPoolExecutor(
            min(workers, len(jobs)), mp_context=context, initializer=_start_worker, initargs=(states,)
        )
        suspects: list[Job] = []
        not_started: list[Job] = []
        try:
            pending = {pool.submit(_run_in_worker, job, slot): slot for slot, job in enumerate(jobs)}
            announced = [False] * len(jobs)
            while pending:
                done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=pending.__getitem__):
                    slot = pending.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        (suspects if states[slot] == 1 else not_started).append(jobs[slot])
                        continue
                    except Exception as error:  # never ran: the job or its task could not be pickled
                        outcome = failed_outcome(jobs[slot], error)
                    reporter.finished(outcome)
                for slot, job in enumerate(jobs):  # after the ends: a freed worker starts the next job
                    if states[slot] and not announced[slot]:
                        announced[slot] = True
                        reporter.started(job)
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
        return suspects, not_started


# Set in each worker process of a ProcessLauncher pool: where it marks its jobs started and ended.
_worker_states: Any = None


def _start_worker(states: Any) -> None:
    import signal

    global _worker_states
    _worker_states = states
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _run_in_worker(job: Job, slot: int) -> JobOutcome:
    _worker_states[slot] = 1
    try:
        return run_job(job)
    finally:
        _worker_states[slot] = 2


def _worker_died(job: Job) -> JobOutcome:
    message = (
        "the worker process running this job died before the job ended "
        "(killed, out of memory, os._exit, or a crash in native code)"
    )
    _append_to_log(job, message + "\n")
    return JobOutcome(job.index, "failed", error=JobError("WorkerDied", message, ""))


def _stop(pool: Any) -> None:
    """Cancel what has not started and end the workers now (Python 3.14 has this built in)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # pragma: no cover - Python 3.14+
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)


# -- finding a launcher -----------------------------------------------------------------------------
def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A factory that imports its launcher's module only when the launcher is chosen."""

    def factory(**options: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module, __package__), name)(**options)

    factory.__name__ = factory.__qualname__ = name
    factory.__module__ = f"{__package__}{module}"
    factory.launcher_class = (module, name)  # type: ignore[attr-defined]
    return factory


launchers = Registry("launchers", entry_points=ENTRY_POINT_GROUP)
BUILT_IN = ("basic", "processes", "submitit", "submitit-local", "ray")
launchers.register("basic", BasicLauncher)
launchers.register("processes", ProcessLauncher)
launchers.register("submitit", _lazy("._launchers_submitit", "SlurmLauncher"))
launchers.register("submitit-local", _lazy("._launchers_submitit", "LocalLauncher"))
launchers.register("ray", _lazy("._launchers_ray", "RayLauncher"))

# A ported Hydra config picks its launcher with the hydra/launcher group.
HYDRA_LAUNCHERS = {
    "basic": "basic",
    "joblib": "processes",
    "submitit_slurm": "submitit",
    "submitit_local": "submitit-local",
    "ray": "ray",
}
# Launchers that read another's options when they have none of their own.
_OPTIONS_FALLBACK = {"submitit-local": "submitit"}


def make_launcher(name: str, options: Mapping[str, Any], where: str | None = None) -> Any:
    """Construct launcher ``name`` with ``options`` (found at ``where``, for error messages)."""
    factory = launchers.lookup(name) if isinstance(name, str) and name else None
    if factory is None:
        names = launchers.names()
        raise ConfigError(
            f"unknown launcher {name!r}.{did_you_mean(name, names)} Available launchers: {', '.join(names)}",
            path="_run_.launcher",
            hint="choose one with --launcher NAME; a package adds one under the entry-point "
            f"group {ENTRY_POINT_GROUP!r}",
        )
    where = where or f"_run_.{name}"
    known = launcher_options(factory)
    for key in options:
        if known is not None and key not in known:
            near = closest(key, known)
            raise ConfigError(
                f"launcher {name!r} has no option {key!r}."
                + (f" Did you mean {near!r}?" if near else "")
                + f" Its options: {', '.join(known) or '(none)'}",
                path=f"{where}.{key}",
            )
    try:
        launcher = factory(**options)
    except ConfigError as error:
        if error.path is None:
            error.path = where
        raise
    if not callable(getattr(launcher, "launch", None)):
        raise ConfigError(
            f"launcher {name!r} ({type(launcher).__qualname__}) has no launch(jobs, reporter) method",
            path="_run_.launcher",
        )
    return launcher


def launcher_options(factory: Any) -> list[str] | None:
    """The keyword options a launcher takes, or None when it takes any (``**options``)."""
    spec = getattr(factory, "launcher_class", None)
    if spec is not None:  # our own module: cheap to import, submitit or ray is not imported yet
        import importlib

        factory = getattr(importlib.import_module(spec[0], __package__), spec[1])
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def configured_launcher(cfg: Any) -> tuple[str, dict[str, Any], str]:
    """The launcher a composed config asks for: its name, its options, and where they are."""
    run = cfg.get("_run_") or {}
    name = run.get("launcher")
    ported = False
    if name is None:
        choice = (run.get("choices") or {}).get("hydra/launcher")
        name = HYDRA_LAUNCHERS.get(str(choice), "basic") if choice is not None else "basic"
        ported = choice is not None
    name = str(name)
    for key in (name, _OPTIONS_FALLBACK.get(name)):
        if key is not None and key in run and run[key] is not None:
            options = run[key]
            if not hasattr(options, "to_dict"):
                raise ConfigError(
                    f"the options of launcher {name!r} must be a mapping, not {options!r}",
                    path=f"_run_.{key}",
                )
            return name, dict(options.to_dict()), f"_run_.{key}"
    if ported:
        return name, _hydra_options(cfg, name), "hydra.launcher"
    return name, {}, f"_run_.{name}"


def _hydra_options(cfg: Any, name: str) -> dict[str, Any]:
    """The options a launcher understands from a ported ``hydra.launcher`` section."""
    section = cfg.select("hydra.launcher", default=None)
    factory = launchers.lookup(name)
    if section is None or not hasattr(section, "keys") or factory is None:
        return {}
    known = launcher_options(factory) or []
    options = {}
    for key in section:
        if key not in known:
            continue  # Hydra's own keys (_target_, submitit_folder, ...)
        try:
            value = section[key]
        except ConfigError:  # ${hydra.job.name} and the like exist only in Hydra's own config
            continue
        options[key] = value.to_dict() if hasattr(value, "to_dict") else value
    return options


__all__ = [
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "BasicLauncher",
    "JobError",
    "JobOutcome",
    "Launcher",
    "ProcessLauncher",
    "Reporter",
    "configured_launcher",
    "failed_outcome",
    "launcher_options",
    "launchers",
    "make_launcher",
    "portable",
    "run_job",
]
