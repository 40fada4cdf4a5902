"""``submitit`` (SLURM) and ``submitit-local``: jobs through submitit.

Both take every option of Hydra's submitit launcher (``_run_.submitit``; ``submitit-local``
reads ``_run_.submitit-local`` first; a ported config's ``hydra.launcher``):

- each job's resources: ``timeout_min``, ``nodes``, ``tasks_per_node``, ``cpus_per_task``,
  ``gpus_per_node``, ``mem_gb``; its ``name``; ``stderr_to_stdout``; ``setup`` (shell lines
  run before the job); ``submitit_folder`` (submitit's scripts, pickles and stdout/stderr,
  default ``<sweep dir>/.submitit/%j``);
- ``signal_delay_s``: how long before the time limit the job is warned (default 120 s, as in
  Hydra, but at most half the time limit, so a short job is not warned as it starts), and
  ``max_num_timeout``: how often a job that reached its limit is requeued (default 0; a
  preempted job is always requeued, as Hydra's plugin does through submitit's ``checkpoint``);
- SLURM only: ``partition``, ``qos``, ``account``, ``constraint``, ``comment``, ``exclude``,
  ``gres``, ``cpus_per_gpu``, ``gpus_per_task``, ``mem_per_gpu``, ``mem_per_cpu``,
  ``array_parallelism``, ``srun_args`` and ``additional_parameters`` (any other ``#SBATCH``
  option, as a mapping). ``submitit-local`` ignores these and says so, so a SLURM config runs
  unchanged on one machine.

The jobs of a sweep are submitted as one SLURM job array. A job with several tasks
(``tasks_per_node`` or ``nodes`` above 1) reports the first task's result, as Hydra does.
Ctrl-C or SIGTERM to the sweep cancels every job that has not finished (``scancel``).
"""

from __future__ import annotations

import dataclasses
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..._errors import ConfigError
from ..jobs import Job
from .base import JobError, JobOutcome, Reporter, append_to_log, failed_outcome, run_job
from .cloudpickling import Sent

# Hydra's option -> submitit's AutoExecutor parameter, for every cluster ...
_GENERIC = (
    "timeout_min",
    "nodes",
    "tasks_per_node",
    "cpus_per_task",
    "gpus_per_node",
    "mem_gb",
    "name",
    "stderr_to_stdout",
)
# ... and SLURM's own (given to submitit as slurm_<name>).
_SLURM = (
    "partition",
    "qos",
    "account",
    "constraint",
    "comment",
    "exclude",
    "gres",
    "cpus_per_gpu",
    "gpus_per_task",
    "mem_per_gpu",
    "mem_per_cpu",
    "array_parallelism",
    "srun_args",
    "additional_parameters",
)
# what the local executor reads of the generic ones (cpus, memory and the name mean nothing there)
_LOCAL = ("timeout_min", "tasks_per_node", "gpus_per_node", "stderr_to_stdout")
HYDRA_SIGNAL_DELAY_S = 120
_SLURM_WARNING_SLACK_S = 60  # sbatch --signal: "may be sent up to 60 seconds earlier than specified"
# sacct's states (first word: "CANCELLED by 0") of a job that ended without a result
_ENDED_AS = {"CANCELLED": "cancelled", "TIMEOUT": "timeout", "DEADLINE": "timeout"}
_RUNNING = {"RUNNING", "COMPLETING"}


def import_submitit(launcher: str) -> Any:
    """The submitit module, or a ConfigError saying which extra installs it."""
    try:
        import submitit
    except ImportError as error:
        raise ConfigError(
            f"launcher {launcher!r} needs submitit, which is not installed ({error})",
            path="_run_.launcher",
            hint="pip install 'instantiate[submitit]'",
        ) from None
    return submitit


class SubmititLauncher:
    """Jobs through submitit on the cluster named by ``cluster``."""

    cluster = "slurm"
    launcher_name = "submitit"
    poll_interval = 0.5  # seconds between looks at the result files
    state_interval = 15.0  # at most this long between two sacct calls (1 s, 2 s, 4 s... until then)

    def __init__(
        self,
        timeout_min: int = 60,
        nodes: int = 1,
        tasks_per_node: int = 1,
        cpus_per_task: int | None = None,
        gpus_per_node: int | None = None,
        mem_gb: float | None = None,
        name: str | None = None,
        stderr_to_stdout: bool = False,
        setup: list[str] | None = None,
        submitit_folder: str | None = None,
        signal_delay_s: int | None = None,
        max_num_timeout: int = 0,
        partition: str | None = None,
        qos: str | None = None,
        account: str | None = None,
        constraint: str | None = None,
        comment: str | None = None,
        exclude: str | None = None,
        gres: str | None = None,
        cpus_per_gpu: int | None = None,
        gpus_per_task: int | None = None,
        mem_per_gpu: str | None = None,
        mem_per_cpu: str | None = None,
        array_parallelism: int = 256,
        srun_args: list[str] | None = None,
        additional_parameters: dict[str, Any] | None = None,
    ) -> None:
        self.submitit = import_submitit(self.launcher_name)
        self.check_cluster()
        given = dict(locals())
        for key in ("timeout_min", "nodes", "tasks_per_node", "max_num_timeout", "array_parallelism"):
            _check_count(self.launcher_name, key, given[key], minimum=0 if key == "max_num_timeout" else 1)
        if additional_parameters is not None and not isinstance(additional_parameters, dict):
            raise self.error(
                f"additional_parameters must be a mapping of #SBATCH options, not {additional_parameters!r}",
                "additional_parameters",
            )
        for key in ("setup", "srun_args"):
            value = given[key]
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise self.error(f"{key} must be a list of strings, not {value!r}", key)
        limit_s = timeout_min * 60
        if signal_delay_s is None:
            signal_delay_s = min(HYDRA_SIGNAL_DELAY_S, limit_s // 2)
        elif not isinstance(signal_delay_s, int) or isinstance(signal_delay_s, bool) or signal_delay_s < 0:
            raise self.error(
                f"signal_delay_s must be a number of seconds, not {signal_delay_s!r}", "signal_delay_s"
            )
        elif signal_delay_s >= limit_s:
            raise self.error(
                f"signal_delay_s={signal_delay_s} warns the job before it starts: its time limit is "
                f"timeout_min={timeout_min} ({limit_s} s)",
                "signal_delay_s",
                hint=f"a signal_delay_s below {limit_s}, or a longer timeout_min",
            )
        self.timeout_min = timeout_min
        self.signal_delay_s = signal_delay_s
        self.max_num_timeout = max_num_timeout
        self.folder = submitit_folder
        self.setup = setup
        self.parameters: dict[str, Any] = {key: given[key] for key in _GENERIC if given[key] is not None}
        self.slurm_parameters: dict[str, Any] = {key: given[key] for key in _SLURM if given[key] is not None}
        if self.slurm_parameters.get("additional_parameters") == {}:
            del self.slurm_parameters["additional_parameters"]
        if self.slurm_parameters.get("array_parallelism") == 256:  # submitit's default too
            del self.slurm_parameters["array_parallelism"]
        self.check_options()

    def check_options(self) -> None:
        """Raise a ConfigError for options this cluster cannot honour."""

    def announce(self, reporter: Reporter) -> None:
        """Say what the reporter should know before the jobs start."""

    def error(self, message: str, option: str, hint: str | None = None) -> ConfigError:
        return ConfigError(f"launcher {self.launcher_name!r}: {message}", path=option, hint=hint)

    def check_cluster(self) -> None:
        """Raise a ConfigError when this machine cannot run the cluster's jobs."""

    def executor(self, directory: Path, name: str) -> Any:
        """A submitit executor with every option applied."""
        folder = self.folder if self.folder is not None else str(directory / ".submitit" / "%j")
        executor = self.submitit.AutoExecutor(
            folder=folder, cluster="slurm", slurm_max_num_timeout=self.max_num_timeout
        )
        slurm = {f"slurm_{key}": value for key, value in self.slurm_parameters.items()}
        if self.setup is not None:
            slurm["slurm_setup"] = list(self.setup)
        executor.update_parameters(
            **{"name": name, **self.parameters, **slurm, "slurm_signal_delay_s": self.signal_delay_s}
        )
        return executor

    def launch(self, jobs: Sequence[Job], reporter: Reporter) -> None:
        if not jobs:
            return
        self.announce(reporter)
        task = SubmititTask(self.timeout_min, self.signal_delay_s, self.max_num_timeout)
        try:
            executor = self.executor(reporter.directory, jobs[0].name)
        except (AssertionError, TypeError, ValueError) as error:  # submitit's checks of a value's type
            raise ConfigError(
                f"launcher {self.launcher_name!r}: submitit refused its options: {error}"
            ) from None
        try:
            with executor.batch():
                handles = [executor.submit(task, Sent(job)) for job in jobs]  # see cloudpickling
        except Exception as error:  # sbatch refused the array (a bad partition, a limit): every job failed
            for job in jobs:
                reporter.finished(failed_outcome(job, error))
            return
        pending = dict(zip(handles, jobs))
        running: dict[Any, float] = {}
        try:
            for handle, job in pending.items():
                reporter.queued(job, str(handle.job_id))
            watcher = handles[0].watcher if self.cluster == "slurm" else None
            wait, last = 1.0, time.monotonic()
            while pending:
                if watcher is not None and time.monotonic() - last >= wait:
                    watcher.update()  # one sacct for the whole array
                    wait, last = min(wait * 2, self.state_interval), time.monotonic()
                for handle in list(pending):
                    if handle.done():
                        job = pending.pop(handle)
                        began = running.pop(handle, None)
                        reporter.finished(self.outcome(handle, job, began))
                    elif handle not in running and self.state(handle) in _RUNNING:
                        running[handle] = time.monotonic()
                        reporter.started(pending[handle])
                if pending:
                    time.sleep(self.poll_interval)
        except BaseException:
            self.cancel(list(pending))
            raise

    def elapsed(self, handle: Any, began: float | None) -> float:
        """How long a job that ended without a result ran: SLURM's record, else as seen from here."""
        import subprocess

        done = subprocess.run(
            ["sacct", "-X", "-n", "-P", "-o", "ElapsedRaw", "-j", str(handle.job_id)],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = done.stdout.split()
        if done.returncode == 0 and lines and lines[0].isdigit():
            return float(lines[0])
        return time.monotonic() - began if began is not None else 0.0

    def cancel(self, handles: list[Any]) -> None:
        """Cancel these jobs: one ``scancel`` for them all."""
        import subprocess

        if handles:
            subprocess.run(["scancel", *(str(h.job_id) for h in handles)], check=False, capture_output=True)

    def state(self, handle: Any) -> str:
        """The job's state as last seen, its first word (``CANCELLED by 0`` -> CANCELLED)."""
        state = str(handle.watcher.get_state(handle.job_id, mode="cache") or "UNKNOWN").strip()
        return state.split()[0].upper() if state else "UNKNOWN"

    def outcome(self, handle: Any, job: Job, began: float | None) -> JobOutcome:
        """The job's outcome: the first task's result, or how the job ended without one."""
        try:
            outcome: JobOutcome = handle.results()[0]  # run_job's: a task's exception is already inside
        except Exception as error:  # submitit's: the job was cancelled, killed, or never started
            state = self.state(handle)
            status = _ENDED_AS.get(state, "failed")
            elapsed = self.elapsed(handle, began)
            outcome = failed_outcome(job, error, elapsed=elapsed, status=status)
        return dataclasses.replace(outcome, extra={**outcome.extra, "engine_id": str(handle.job_id)})


def _check_count(launcher: str, key: str, value: Any, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        what = "a positive integer" if minimum else "an integer of 0 or more"
        raise ConfigError(f"launcher {launcher!r}: {key} must be {what}, not {value!r}", path=key)


class SubmititTask:
    """What runs on the node: `run_job`, requeued by submitit's checkpoint protocol.

    submitit warns a job ``signal_delay_s`` before its time limit (and on preemption) and
    calls ``checkpoint``; the job is then requeued, for a timeout up to ``max_num_timeout``
    times. A timeout that is not requeued ends the job with status ``timeout``.
    """

    def __init__(self, timeout_min: int, signal_delay_s: int, max_num_timeout: int) -> None:
        self.timeout_min = timeout_min
        self.signal_delay_s = signal_delay_s
        self.max_num_timeout = max_num_timeout

    def __call__(self, job: Job) -> JobOutcome:
        start = time.perf_counter()
        _pass_warning_through()
        try:
            return run_job(job)
        except _Warned as warned:
            if isinstance(warned.error, SystemExit):  # requeued: this run ends, the job runs again
                raise warned.error from None
            requeued = "" if self.max_num_timeout else "; max_num_timeout=0"
            message = (
                f"the job reached its time limit (timeout_min={self.timeout_min}) and was not requeued "
                f"({str(warned.error).rstrip('.')}{requeued})"
            )
            append_to_log(job, message + "\n")
            error = JobError("Timeout", message, "")
            return JobOutcome(job.index, "timeout", error=error, elapsed=time.perf_counter() - start)

    def checkpoint(self, job: Job) -> Any:
        import submitit

        return submitit.helpers.DelayedSubmission(self, Sent(job))


class _Warned(BaseException):
    """submitit's handler of the time-limit warning ended the task (run_job lets it through)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _pass_warning_through() -> None:
    """Wrap submitit's handler of its warning signal so what it raises reaches `SubmititTask`.

    The handler requeues the job and exits, or raises "not requeued"; either comes out of the
    task's own frames, and `run_job` would report it as the task's failure.
    """
    number = getattr(signal, "SIG" + _warning_signal(), signal.SIGUSR2)
    handler = signal.getsignal(number)
    if not callable(handler):
        return

    def warned(signum: int, frame: Any) -> None:
        try:
            handler(signum, frame)
        except BaseException as error:
            raise _Warned(error) from None

    signal.signal(number, warned)


def _warning_signal() -> str:
    import os

    return os.environ.get("SUBMITIT_PREEMPT_SIGNAL", "USR2")


class SlurmLauncher(SubmititLauncher):
    """``submitit``: each job a SLURM job, the sweep one job array."""

    def check_cluster(self) -> None:
        import shutil

        if shutil.which("srun") is None:  # submitit's own check, made before any directory exists
            raise ConfigError(
                "launcher 'submitit' submits to SLURM, and this machine has no 'srun'",
                path="_run_.launcher",
                hint="run the same jobs here with --launcher submitit-local",
            )

    def announce(self, reporter: Reporter) -> None:
        """Say when the warning may come before the job's task runs: SLURM checks time limits
        every 30 s and may warn up to 60 s early; a warning no task catches is lost, and the job
        then runs into its limit without being requeued."""
        limit_s = self.timeout_min * 60
        left = limit_s - self.signal_delay_s
        if left < _SLURM_WARNING_SLACK_S:
            safe = limit_s - _SLURM_WARNING_SLACK_S
            better = f"a signal_delay_s of {safe} or less" if safe > 0 else "a longer timeout_min"
            reporter.note(
                f"signal_delay_s={self.signal_delay_s} warns each job {left} s after it starts "
                f"(timeout_min={self.timeout_min}); SLURM may send the warning up to "
                f"{_SLURM_WARNING_SLACK_S} s early, before the job runs, and a job that misses it "
                f"is not requeued: {better} leaves it time to start"
            )


class LocalLauncher(SubmititLauncher):
    """``submitit-local``: submitit's local executor, one process per job on this machine."""

    cluster = "local"
    launcher_name = "submitit-local"
    poll_interval = 0.1

    def check_options(self) -> None:
        if self.parameters.get("nodes", 1) > 1:
            raise self.error(
                f"nodes={self.parameters['nodes']}: the local executor runs on one node", "nodes"
            )

    def state(self, handle: Any) -> str:
        return str(handle.state).upper()

    def cancel(self, handles: list[Any]) -> None:
        for handle in handles:
            handle.cancel(check=False)

    def elapsed(self, handle: Any, began: float | None) -> float:
        return time.monotonic() - began if began is not None else 0.0

    def announce(self, reporter: Reporter) -> None:
        if self.slurm_parameters:
            reporter.note(
                f"submitit-local ignores the SLURM-only options {', '.join(sorted(self.slurm_parameters))}"
            )

    def executor(self, directory: Path, name: str) -> Any:
        folder = self.folder if self.folder is not None else str(directory / ".submitit" / "%j")
        executor = self.submitit.LocalExecutor(folder=folder, max_num_timeout=self.max_num_timeout)
        local = {key: value for key, value in self.parameters.items() if key in _LOCAL}
        executor.update_parameters(**local, signal_delay_s=self.signal_delay_s, setup=list(self.setup or ()))
        return executor


__all__ = ["LocalLauncher", "SlurmLauncher", "SubmititLauncher", "SubmititTask", "import_submitit"]
