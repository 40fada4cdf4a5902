"""A ported config's ``hydra.job_logging``: the run's logging set up with ``logging.config.dictConfig``.

As in Hydra, the section is a ``dictConfig`` mapping: a project's own ``hydra/job_logging``
option (``override hydra/job_logging: custom``) is used as it is; keys set without one
(``hydra.job_logging.handlers.file.filename: debug.log``) are merged over Hydra's default, which
logs to stdout and to ``<run dir>/<job name>.log``. Hydra's ``none`` leaves logging alone and
``disabled`` adds no handlers. ``hydra.verbose`` (``true``, a logger name or a list of them) sets
DEBUG as in Hydra. Configs without the section keep this library's logging (see ``rundir``).
"""

from __future__ import annotations

from contextlib import contextmanager

from .._config.nodes import Config
from .._errors import ConfigError

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    import logging
    from collections.abc import Iterator
    from typing import Any

# Hydra 1.3's hydra/job_logging/default.yaml
HYDRA_DEFAULT: dict[str, Any] = {
    "version": 1,
    "formatters": {"simple": {"format": "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "simple", "stream": "ext://sys.stdout"},
        "file": {
            "class": "logging.FileHandler",
            "formatter": "simple",
            "filename": "${hydra.runtime.output_dir}/${hydra.job.name}.log",
        },
    },
    "root": {"level": "INFO", "handlers": ["console", "file"]},
    "disable_existing_loggers": False,
}
_DISABLED: dict[str, Any] = {"version": 1, "disable_existing_loggers": False}


def job_logging(cfg: Config) -> dict[str, Any] | None:
    """The ``dictConfig`` mapping for this run, resolved; None to use this library's logging.

    ``cfg`` is the run's whole config with its run values mirrored into ``hydra:``; the merged
    section is written back there, so ``run.yaml`` records what configured the run.
    """
    section = cfg.get("hydra")  # get, not select: a missing key costs no error message
    choice = cfg.select("_run_.choices", default=None)
    chosen = choice.get("hydra/job_logging") if isinstance(choice, Config) else None
    given = section.get("job_logging") if isinstance(section, Config) and not section.is_sequence() else None
    if chosen == "none":
        return {}
    if chosen == "disabled":
        return dict(_DISABLED)
    if given is None:
        return None
    if not isinstance(given, Config) or given.is_sequence():
        raise ConfigError(
            f"hydra.job_logging must be a logging.config.dictConfig mapping, not {given!r}",
            path="hydra.job_logging",
            source=section.source_of("job_logging"),
        )
    raw = given.to_dict(resolve=False)
    if "version" not in raw:  # keys set over Hydra's default, not a whole option of the project's
        import copy

        raw = _merged(copy.deepcopy(HYDRA_DEFAULT), raw)
    section["job_logging"] = raw
    resolved: dict[str, Any] = section["job_logging"].to_dict(resolve=True)
    return resolved


def verbose_loggers(cfg: Config) -> bool | list[str]:
    """``hydra.verbose``: True (every logger), or the names of the loggers to log at DEBUG."""
    verbose = cfg.select("hydra.verbose", default=False) if "hydra" in cfg else False
    if isinstance(verbose, bool):
        return verbose
    if isinstance(verbose, str):
        return [name.strip() for name in verbose.split(",") if name.strip()]
    if isinstance(verbose, Config) and verbose.is_sequence() and all(isinstance(v, str) for v in verbose):
        return list(verbose)
    raise ConfigError(
        f"hydra.verbose is true, false, a logger name or a list of them, not {verbose!r}",
        path="hydra.verbose",
    )


@contextmanager
def configured(settings: dict[str, Any], verbose: bool | list[str]) -> Iterator[logging.Logger]:
    """Configure logging with ``settings`` for the run, then put back the root logger as it was."""
    import logging
    import logging.config

    root = logging.getLogger()
    old_handlers, old_level = list(root.handlers), root.level
    if settings:
        try:
            logging.config.dictConfig(settings)
        except (ValueError, TypeError, AttributeError, ImportError) as error:
            raise ConfigError(
                f"hydra.job_logging does not configure logging: {error}",
                path="hydra.job_logging",
                hint="it is a logging.config.dictConfig mapping: version, formatters, handlers, root",
            ) from None
    with debug_for(verbose):
        try:
            yield logging.getLogger("instantiate.run")
        finally:
            if settings:
                for handler in root.handlers:
                    if handler not in old_handlers:
                        handler.close()
                root.handlers[:] = old_handlers
                root.setLevel(old_level)


@contextmanager
def debug_for(verbose: bool | list[str]) -> Iterator[None]:
    """Log at DEBUG for the run: the root logger (``True``) or the named loggers."""
    if not verbose:
        yield
        return
    import logging

    loggers = [logging.getLogger()] if verbose is True else [logging.getLogger(name) for name in verbose]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merged(base[key], value)
        else:
            base[key] = value
    return base


__all__ = ["HYDRA_DEFAULT", "configured", "debug_for", "job_logging", "verbose_loggers"]
