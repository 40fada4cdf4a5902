"""The run's log: the console and ``<run dir>/<name>.log``, set up only when logging is used.

Importing ``logging`` costs more than a small run itself, so a run whose task has not imported
it writes its own line ("run app in ...") to both places in ``logging``'s format, and sets up
the handlers the moment the task imports ``logging`` (a finder on ``sys.meta_path`` waits for
it). The console and the file then read exactly as if they had been set up from the start.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

from .._errors import ConfigError

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterator
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"
RUN_LOGGER = "instantiate.run"
INFO, DEBUG = 20, 10
# logging's own names, for a level given before logging is imported
_LEVELS = {"CRITICAL": 50, "FATAL": 50, "ERROR": 40, "WARN": 30, "WARNING": 30, "INFO": 20, "DEBUG": 10}
_LEVELS["NOTSET"] = 0


@contextmanager
def run_logging(log_file: str | os.PathLike[str] | None, level: int | str = INFO) -> Iterator[Any]:
    """Log to the console and to ``log_file`` for the duration of a run, then restore logging.

    Yields the run's logger (``instantiate.run``); before ``logging`` is imported, a stand-in
    with its ``info``.
    """
    new_level = level_number(level)  # before any handler is added, so a bad level leaves none behind
    early = _EarlyLog(log_file, new_level)
    waiting = None
    log: Any = early
    if "logging" in sys.modules:
        early.hand_over()
        log = sys.modules["logging"].getLogger(RUN_LOGGER)
    else:
        waiting = _WhenImported("logging", early.hand_over)
        sys.meta_path.insert(0, waiting)
    try:
        yield log
    finally:
        if waiting is not None and waiting in sys.meta_path:
            sys.meta_path.remove(waiting)
        early.close()


def _add_handlers(log_file: str | os.PathLike[str] | None) -> list[logging.Handler]:
    import logging

    root = logging.getLogger()
    handlers: list[logging.Handler] = []
    formatter = logging.Formatter(LOG_FORMAT)
    # a script that set up logging itself keeps its console handler; adding ours too would
    # print every line twice
    if not any(getattr(h, "_instantiate_console", False) or _is_console(h) for h in root.handlers):
        console = logging.StreamHandler()
        console.setFormatter(formatter)
        console._instantiate_console = True  # type: ignore[attr-defined]
        handlers.append(console)
    if log_file is not None:
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(formatter)
        handlers.append(file_handler)
    for handler in handlers:
        root.addHandler(handler)
    return handlers


def _remove_handlers(handlers: list[logging.Handler]) -> None:
    import logging

    root = logging.getLogger()
    for handler in handlers:
        root.removeHandler(handler)
        handler.close()


def _is_console(handler: logging.Handler) -> bool:
    import logging

    return isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stderr, sys.stdout)


class _EarlyLog:
    """The run's handlers: before ``logging`` is imported, a logger that writes its lines as the
    handlers would; once it is (``hand_over``), the handlers themselves, until ``close``."""

    def __init__(self, log_file: str | os.PathLike[str] | None, level: int) -> None:
        self.log_file = log_file
        self.level = level
        self.handlers: list[logging.Handler] | None = None  # once logging is imported
        self.old_level = 0
        if log_file is not None:
            open(log_file, "a", encoding="utf-8").close()  # as a FileHandler does: the file exists

    def info(self, message: str, *args: Any) -> None:
        """Log ``message % args`` at INFO as ``instantiate.run``."""
        if self.handlers is not None:
            import logging

            logging.getLogger(RUN_LOGGER).info(message, *args)
            return
        if self.level > INFO:
            return
        now = time.time()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        text = str(message) % args if args else str(message)
        line = f"[{stamp},{int((now - int(now)) * 1000):03d}][{RUN_LOGGER}][INFO] - {text}\n"
        sys.stderr.write(line)
        sys.stderr.flush()
        if self.log_file is not None:
            with open(self.log_file, "a", encoding="utf-8") as handle:
                handle.write(line)

    def hand_over(self) -> None:
        """``logging`` was just imported: set up the handlers the run would have had from the start."""
        import logging

        root = logging.getLogger()
        self.old_level = root.level
        self.handlers = _add_handlers(self.log_file)
        root.setLevel(self.level)

    def close(self) -> None:
        if self.handlers is not None:
            import logging

            _remove_handlers(self.handlers)
            logging.getLogger().setLevel(self.old_level)
            self.handlers = None


class _WhenImported:
    """A ``sys.meta_path`` finder that calls ``then()`` once module ``name`` has been imported."""

    def __init__(self, name: str, then: Callable[[], None]) -> None:
        self.name = name
        self.then = then

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != self.name:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _ThenLoader(spec.loader, self.then)
        return spec  # type: ignore[no-any-return]


class _ThenLoader:
    """A module's own loader, and ``then()`` after the module has run."""

    def __init__(self, loader: Any, then: Callable[[], None]) -> None:
        self.loader = loader
        self.then = then

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader  # the module keeps its own loader (linecache, inspect read it)
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        self.then()


def level_number(level: Any) -> int:
    """``"debug"``, ``"INFO"`` or ``10`` as a ``logging`` level; anything else is a ConfigError."""
    if isinstance(level, int):
        return level
    name = str(level).upper()
    if "logging" in sys.modules:  # levels added with logging.addLevelName count too
        value: Any = sys.modules["logging"].getLevelName(name)
    else:
        value = _LEVELS.get(name)
    if not isinstance(value, int):
        raise ConfigError(
            f"unknown log level {level!r}",
            path="_run_.log_level",
            hint="use DEBUG, INFO, WARNING, ERROR or CRITICAL",
        )
    return value


__all__ = ["DEBUG", "INFO", "LOG_FORMAT", "level_number", "run_logging"]
