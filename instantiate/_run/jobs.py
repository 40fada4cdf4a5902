"""One job: a composed config, its own directory, and the task called on it.

A single run is one job; a sweep is many. Jobs are plain picklable records, so a launcher
can run ``execute(job)`` in this process, in a process pool, or on a SLURM node. A task defined
in the script being run (``__main__``) travels by reference, its file and name, and is imported
from that file where the job runs, as multiprocessing does: pickled by value (cloudpickle, which
submitit and ray use) it would lose its source, and tracebacks would read ``<dynamic-code>``.
"""

from __future__ import annotations

import os
import sys

from .._config.nodes import Config
from .run_log import DEBUG
from .settings import RUN_SECTIONS

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Callable


class Job:
    """Everything needed to run the task once, anywhere."""

    def __init__(
        self,
        task: Callable[..., Any],
        config: Config,
        overrides: list[str],
        directory: str,
        name: str,
        chdir: bool = False,
        log_level: Any = "INFO",
        allow: list[str] | None = None,
        index: int | None = None,
        extra: dict[str, Any] | None = None,
        logging: dict[str, Any] | None = None,
        verbose: bool | list[str] = False,
    ) -> None:
        self.task = task
        self.config = config
        self.overrides = overrides
        self.directory = directory
        self.name = name
        self.chdir = chdir
        self.log_level = log_level
        self.allow = allow
        self.index = index  # the job's number within a sweep
        self.extra = extra if extra is not None else {}
        self.logging = logging  # a ported hydra.job_logging, resolved (see job_logging)
        self.verbose = verbose  # hydra.verbose: True, or the loggers to log at DEBUG

    def __repr__(self) -> str:
        return f"Job(name={self.name!r}, directory={self.directory!r}, index={self.index!r})"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        reference = state.pop("_main_task", None)  # unpickled here from a reference: pass it on
        state["task"] = reference or MainTask.of(self.task) or self.task
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        task = state["task"]
        if isinstance(task, MainTask):
            state["task"], state["_main_task"] = task.load(), task
        self.__dict__.update(state)

    @classmethod
    def prepare(
        cls,
        app: Any,
        cfg: Config,
        overrides: list[str],
        directory: str | os.PathLike[str],
        *,
        verbose: bool = False,
        allow: list[str] | None = None,
        index: int | None = None,
    ) -> Job:
        """Record the run in ``directory`` (config, overrides) and return the job to execute."""
        from .._compose.run_values import mirror_into_hydra
        from .job_logging import job_logging, verbose_loggers
        from .rundir import write_record
        from .settings import RunSettings

        task_overrides = [text for text in overrides if not is_run_setting(text)]
        run = cfg["_run_"]
        run["dir"] = str(directory)
        run["overrides"] = task_overrides  # Hydra's overrides.task
        run["run_overrides"] = [text for text in overrides if is_run_setting(text)]  # overrides.hydra
        run["mode"] = "RUN" if index is None else "MULTIRUN"
        if index is not None:
            run["job_index"] = index
        mirror_into_hydra(cfg)
        settings = RunSettings.of(cfg)
        logging_settings = job_logging(cfg)  # resolved now: a bad section fails before the task runs
        hydra_verbose = verbose_loggers(cfg)
        job_config = Config(cfg)
        run_config = Config({})
        for key in RUN_SECTIONS:
            if key in job_config:
                run_config[key] = job_config[key]
                del job_config[key]
        write_record(directory, job_config, run_config, task_overrides)
        return cls(
            task=app.entry,
            config=cfg,
            overrides=list(overrides),
            directory=str(directory),
            name=str(run["name"]),
            chdir=settings.chdir,
            log_level=DEBUG if verbose else settings.log_level,
            allow=allow,
            index=index,
            logging=logging_settings,
            verbose=True if verbose else hydra_verbose,
        )


def is_run_setting(override: str) -> bool:
    """Whether an override sets the run itself (``_run_...``, ``hydra...``), not the task's config."""
    from .._compose.overrides import parse_override
    from .._compose.run_values import is_run_override

    return is_run_override(parse_override(override).key_or_group)


class MainTask:
    """A function of the ``__main__`` script, by reference: its module or file, and its name."""

    def __init__(self, module: str | None, file: str | None, name: str) -> None:
        self.module = module  # ``python -m pkg.train``: importable by name
        self.file = file
        self.name = name

    def __repr__(self) -> str:
        return f"MainTask(module={self.module!r}, file={self.file!r}, name={self.name!r})"

    @classmethod
    def of(cls, task: Any) -> MainTask | None:
        """The reference for ``task`` if it is a top-level function of ``__main__`` (else None)."""
        main = sys.modules.get("__main__")
        name = getattr(task, "__qualname__", None)
        if getattr(task, "__module__", None) != "__main__" or main is None or not isinstance(name, str):
            return None
        if getattr(main, name, None) is not task:  # nested, or made in `if __name__ == "__main__":`
            return None
        spec = getattr(main, "__spec__", None)
        file = getattr(main, "__file__", None)
        module = spec.name if spec is not None and spec.name not in (None, "__main__") else None
        if module is None and not (isinstance(file, str) and os.path.isfile(file)):  # -c, <stdin>
            return None
        return cls(module, os.path.realpath(file) if isinstance(file, str) else None, name)

    def load(self) -> Any:
        """The function, importing the script (as ``__mp_main__``, so its main block does not run)."""
        import importlib

        if self.module is not None:
            return getattr(importlib.import_module(self.module), self.name)
        assert self.file is not None
        for loaded in (sys.modules.get("__main__"), sys.modules.get("__mp_main__")):
            file = getattr(loaded, "__file__", None)
            if isinstance(file, str) and os.path.realpath(file) == self.file and hasattr(loaded, self.name):
                return getattr(loaded, self.name)
        import importlib.util

        spec = importlib.util.spec_from_file_location("__mp_main__", self.file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["__mp_main__"] = module
        folder = os.path.dirname(self.file)
        if folder not in sys.path:  # the script's own imports, as when it was run
            sys.path.insert(0, folder)
        spec.loader.exec_module(module)
        return getattr(module, self.name)


def execute(job: Job) -> Any:
    """Run the task on the job's config with its log file, allow-list and working directory.

    The task gets the config without a ported ``hydra:`` section, as under Hydra; the whole
    config is the active run, where ``${hydra:...}`` and ``run_info()`` read.
    """
    from contextlib import nullcontext

    from .._compose.run_values import running
    from .job_logging import configured, debug_for
    from .run_log import run_logging
    from .rundir import working_directory

    directory = job.directory
    if job.allow:
        from .._build.policy import allowed_targets

        guard: Any = allowed_targets(*job.allow)
    else:
        guard = nullcontext()
    task_config = job.config
    if "hydra" in task_config:
        task_config = Config(job.config)
        del task_config["hydra"]
    if job.logging is not None:
        logs = configured(job.logging, job.verbose)
    else:
        logs = run_logging(os.path.join(directory, f"{job.name}.log"), job.log_level)
    with (
        running(job.config),
        logs as log,
        debug_for(job.verbose if job.logging is None else False),
        working_directory(directory if job.chdir else None),
        guard,
    ):
        log.info("run %s in %s", job.name, directory)
        return job.task(task_config)
