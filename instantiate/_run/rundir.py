"""Run directories: one new directory per run (or sweep job), never reused, with its record.

A run directory holds ``config.yaml`` (the composed job config), ``run.yaml`` (the ``_run_``
settings: choices, name, directory), ``overrides.yaml`` and ``<name>.log`` (see ``run_log``).
Directories are created with ``os.mkdir``, which is atomic: two runs starting in the same
second get ``HH-MM-SS`` and ``HH-MM-SS_1`` rather than sharing one.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

from .._config.plain_yaml import dump_plain
from .._errors import ConfigError

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime
    from pathlib import Path
    from typing import Any

    from .._config.nodes import Config


DEFAULT_RUN_DIR = "outputs/%Y-%m-%d/%H-%M-%S"
DEFAULT_SWEEP_DIR = "multirun/%Y-%m-%d/%H-%M-%S"


def new_directory(pattern: str | os.PathLike[str], now: datetime | None = None) -> Path:
    """Create a fresh directory from ``pattern`` (``strftime`` codes allowed); never reuse one.

    When the directory exists, ``_1``, ``_2``, ... is appended until ``os.mkdir`` succeeds, so
    concurrent runs cannot end up in the same place.
    """
    from pathlib import Path

    return Path(make_directory(pattern, now))


def make_directory(pattern: str | os.PathLike[str], now: datetime | None = None) -> str:
    """`new_directory`, as the absolute path's text (no ``pathlib``: start-up)."""
    base = _planned(pattern, now)
    if base.endswith(os.sep) and base.strip(os.sep):
        base = base.rstrip(os.sep)
    name = os.path.basename(base)
    if name in ("", ".", ".."):  # an existing directory with no name to add _1 to
        raise ConfigError(
            f"the run directory {os.fspath(pattern)!r} names no new directory",
            path="_run_.dir",
            hint="give the run its own directory, such as runs/%Y-%m-%d/%H-%M-%S",
        )
    parent = os.path.dirname(base) or "."
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create the run directory's parent {parent}: {error}") from None
    for attempt in range(10_000):
        candidate = base if attempt == 0 else f"{base}_{attempt}"
        try:
            os.mkdir(candidate)
        except FileExistsError:
            continue
        except OSError as error:
            raise ConfigError(f"cannot create the run directory {candidate}: {error}") from None
        return os.path.realpath(candidate)
    raise ConfigError(f"every name for the run directory {base} is taken")  # pragma: no cover


def planned_directory(pattern: str | os.PathLike[str], now: datetime | None = None) -> Path:
    """The directory ``pattern`` names at ``now``: where a run started then goes (before any ``_1``)."""
    from pathlib import Path

    return Path(_planned(pattern, now))


# strftime codes that datetime and time write differently (a naive datetime has no zone)
_DATETIME_CODES = ("%f", "%z", "%Z", "%:z")


def _planned(pattern: str | os.PathLike[str], now: datetime | None) -> str:
    text = os.fspath(pattern)
    if now is None and not any(code in text for code in _DATETIME_CODES):
        return time.strftime(text, time.localtime())  # as datetime.now() writes it, without datetime
    if now is None:
        from datetime import datetime

        now = datetime.now()
    return now.strftime(text)


def write_record(
    directory: str | os.PathLike[str], job_config: Config, run_config: Config, overrides: Sequence[str]
) -> None:
    """Write what a run was started with; existing files are never overwritten."""
    files = {
        "config.yaml": yaml_text(job_config),
        "run.yaml": yaml_text(run_config),
        "overrides.yaml": dump_plain(list(overrides)) or _safe_dump(list(overrides)),
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "x", encoding="utf-8") as handle:
            handle.write(text)


def yaml_text(cfg: Config) -> str:
    """``cfg.to_yaml()``, written without PyYAML when the config is plain data (it mostly is)."""
    return dump_plain(cfg.to_dict(resolve=False)) or cfg.to_yaml()


def _safe_dump(data: Any) -> str:
    import yaml

    return str(yaml.safe_dump(data, default_flow_style=False, sort_keys=False))


@contextmanager
def working_directory(directory: str | os.PathLike[str] | None) -> Iterator[None]:
    """Change into ``directory`` for the run (only when a config asks for it), then back."""
    if directory is None:
        yield
        return
    previous = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)
