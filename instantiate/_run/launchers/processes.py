"""The ``processes`` launcher: a pool of local worker processes, robust to a worker that dies."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..._errors import ConfigError
from ..jobs import Job
from .base import JobError, JobOutcome, Reporter, append_to_log, failed_outcome, run_job


class ProcessLauncher:
    """``processes``: a pool of ``n_jobs`` local worker processes (default: one per CPU).

    Workers are started with ``start_method`` (``spawn`` by default: safe with threads and CUDA,
    and the same on every OS), so the task must be importable: a module-level function, as
    ``@main`` makes it. While the sweep draws a progress bar, what workers print (their jobs' log
    lines) is passed to this process, which draws it above the bar. Workers ignore Ctrl-C; the
    sweep stops them itself. A job whose worker
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
        import sys
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        context = multiprocessing.get_context(self.start_method)
        states = context.Array("b", len(jobs), lock=False)  # per job: 0 queued, 1 running, 2 ended
        # a progress bar holds this terminal: workers send what they print here, to go above it
        output, sender = (
            context.Pipe(duplex=False) if getattr(sys.stderr, "above_bar", False) else (None, None)
        )
        pool = ProcessPoolExecutor(
            min(workers, len(jobs)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(states, sender),
        )
        suspects: list[Job] = []
        not_started: list[Job] = []
        try:
            pending = {pool.submit(_run_in_worker, job, slot): slot for slot, job in enumerate(jobs)}
            announced = [False] * len(jobs)
            while pending:
                done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                _show(output)
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
        finally:
            _show(output)
        pool.shutdown()
        _show(output)
        return suspects, not_started


# Set in each worker process of a ProcessLauncher pool: where it marks its jobs started and ended.
_worker_states: Any = None


def _start_worker(states: Any, sender: Any) -> None:
    import signal
    import sys

    global _worker_states
    _worker_states = states
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sender is not None:
        sys.stdout, sys.stderr = _Forward(sender, "1"), _Forward(sender, "2")


class _Forward:
    """A worker's stdout or stderr that sends each line to the sweep's process.

    One write of at most ``PIPE_BUF`` bytes to a pipe is atomic, so workers share the pipe without
    a lock (a worker that dies cannot leave one held) and lines never interleave.
    """

    def __init__(self, sender: Any, which: str) -> None:
        self.sender = sender
        self.which = which
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        if "\n" in self.pending:
            lines, _, self.pending = self.pending.rpartition("\n")
            self._send(lines + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending:
            text, self.pending = self.pending, ""
            self._send(text)

    def isatty(self) -> bool:
        return False

    def _send(self, text: str) -> None:
        import select

        atomic = select.PIPE_BUF - 5  # a message is a 4-byte length, the stream, the text
        data = text.encode("utf-8", "replace")
        for start in range(0, len(data), atomic):
            self.sender.send_bytes(self.which.encode() + data[start : start + atomic])


def _show(output: Any) -> None:
    """Write what the workers sent to this process's stdout or stderr (above the bar)."""
    import sys

    while output is not None and output.poll():
        data = output.recv_bytes()
        stream = sys.stdout if data[:1] == b"1" else sys.stderr
        stream.write(data[1:].decode("utf-8", "replace"))
        stream.flush()


def _run_in_worker(job: Job, slot: int) -> JobOutcome:
    import sys

    _worker_states[slot] = 1
    try:
        return run_job(job)
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        _worker_states[slot] = 2


def _worker_died(job: Job) -> JobOutcome:
    message = (
        "the worker process running this job died before the job ended "
        "(killed, out of memory, os._exit, or a crash in native code)"
    )
    append_to_log(job, message + "\n")
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
