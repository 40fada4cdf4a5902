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
    ``@main`` makes it. While the sweep draws a progress bar, what workers write to their stdout
    and stderr (file descriptors 1 and 2: Python's output, C code's, the processes a task starts)
    goes through pipes to this process, which writes it above the bar, line by line. Workers
    ignore Ctrl-C; the sweep stops them itself. A job whose worker dies fails as
    ``WorkerDied``; the jobs that shared the pool with it run again.
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
        # a progress bar holds this terminal: workers write here, to go above it
        output = _Output(context) if getattr(sys.stderr, "above_bar", False) else None
        pool = ProcessPoolExecutor(
            min(workers, len(jobs)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(states, output.writers if output is not None else None),
        )
        suspects: list[Job] = []
        not_started: list[Job] = []
        try:
            pending = {pool.submit(_run_in_worker, job, slot): slot for slot, job in enumerate(jobs)}
            announced = [False] * len(jobs)
            while pending:
                done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                if output is not None:  # before the ends: a job's lines come before its end line
                    output.show()
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
            pool.shutdown()
        except BaseException:
            _stop(pool)
            raise
        finally:
            if output is not None:
                output.close()
        return suspects, not_started


# Set in each worker process of a ProcessLauncher pool: where it marks its jobs started and ended.
_worker_states: Any = None


def _start_worker(states: Any, writers: Any) -> None:
    import signal
    import sys

    global _worker_states
    _worker_states = states
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if writers is None:
        return
    # the descriptors themselves, so os.write, C code and subprocesses write into the pipes too
    streams = [stream for stream in (sys.stdout, sys.stderr) if stream is not None]
    for stream in streams:
        stream.flush()
    for fd, writer in zip((1, 2), writers):
        os.dup2(writer.fileno(), fd)
    for writer in set(writers):  # one pipe for both, or one each
        writer.close()
    for stream in streams:
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)  # a pipe now: each line as it is printed


class _Output:
    """Where a pool's workers write their stdout and stderr (descriptors 1 and 2): pipes read
    here, whose lines this process writes to its own stdout and stderr, above the bar.

    When this process's stdout and stderr are one terminal, the workers' are one pipe too, so
    their lines keep the order they were written in (a ``print`` after a log line stays after it);
    otherwise each has its own. One write of at most ``PIPE_BUF`` bytes to a pipe is atomic, so
    the workers' lines (a line-buffered ``print``, one ``os.write``) do not interleave.
    """

    def __init__(self, context: Any) -> None:
        import sys

        try:
            one = os.path.samestat(os.fstat(1), os.fstat(2))
        except OSError:
            one = False
        pipes = [context.Pipe(duplex=False) for _ in range(1 if one else 2)]  # (reader, writer)
        self.readers = [
            (reader, sys.stderr if one or n else sys.stdout) for n, (reader, _) in enumerate(pipes)
        ]
        self.writers = [writer for _, writer in pipes] * (2 if one else 1)  # for descriptors 1 and 2
        self.pending = [b""] * len(pipes)  # the start of a line whose end has not come yet
        for reader, _ in self.readers:
            os.set_blocking(reader.fileno(), False)

    def show(self, final: bool = False) -> None:
        """Write the whole lines the workers wrote; with ``final``, also an unfinished last one."""
        for n, (reader, stream) in enumerate(self.readers):
            data = self.pending[n] + _available(reader.fileno())
            end = len(data) if final else data.rfind(b"\n") + 1
            self.pending[n] = data[end:]
            if end:
                text = data[:end].decode("utf-8", "replace")
                stream.write(text if text.endswith("\n") else text + "\n")  # the bar keeps its line
                stream.flush()

    def close(self) -> None:
        self.show(final=True)
        for connection in {*(reader for reader, _ in self.readers), *self.writers}:
            connection.close()


def _available(fd: int) -> bytes:
    """What can be read from the non-blocking ``fd`` now."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _run_in_worker(job: Job, slot: int) -> JobOutcome:
    import sys

    _worker_states[slot] = 1
    try:
        return run_job(job)
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
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
