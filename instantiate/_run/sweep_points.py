"""What a sweep runs: its entries (from the command line and the config), their cartesian
product as planned jobs, and the bound on how many jobs a sweep may have.

As in Hydra's basic sweeper the config's keys come first, the command line wins for a key both
name (in the config's place), the first key varies slowest, a key given twice keeps its first
place and its last value, and a sweep on a config group with ``glob()`` picks from the group's
options.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._compose.overrides import Override, format_value, parse_override, parse_overrides
from .._compose.searchpath import Repository
from .._compose.sweep_values import ABSURD_VALUES, Sweep
from .._config.nodes import Config
from .._errors import ConfigError, OverrideError

MAX_JOBS = 100_000  # default bound on a sweep's jobs (_run_.max_jobs), checked before expanding


def max_jobs(cfg: Config) -> int:
    """The bound ``_run_.max_jobs`` sets on the number of jobs of a sweep."""
    value = cfg.select("_run_.max_jobs", default=MAX_JOBS)
    if type(value) is not int or value < 1:
        raise ConfigError(f"_run_.max_jobs must be a positive integer, not {value!r}", path="_run_.max_jobs")
    return value


# -- what to sweep -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One key of the sweep: a fixed override, or a `Sweep` of values; and where it was written."""

    override: Override
    origin: str  # "command line", "_run_.sweep.lr", "hydra.sweeper.params.lr"

    @property
    def is_sweep(self) -> bool:
        return self.override.is_sweep

    def text(self, value: Any) -> str:
        """The override that sets this key to ``value``."""
        override = self.override
        return f"{override.prefix}{override.key}={format_value(value)}"

    def values(self, repo: Repository, limit: int = ABSURD_VALUES) -> list[Any]:
        """The values this key takes; a ``glob()`` picks from the options of the config group."""
        sweep = self.override.value
        assert isinstance(sweep, Sweep)
        group = self.override.key_or_group.lstrip("/")
        options = repo.options(group) if repo.group_exists(group) else None
        if sweep.kind == "glob" and options is None:
            raise self.error(
                f"{format_value(sweep)} picks among the options of a config group, and there is no "
                f"config group {group!r}",
                hint="glob() is for groups (model=glob(*)); list values for a key: key=a,b,c",
            )
        try:
            values = sweep.expand(options, limit)
        except OverrideError as error:
            raise self.error(error.message, hint=error.hint) from None
        if not values:
            what = (
                f"no option of config group {group!r} matches (options: {', '.join(options or []) or 'none'})"
                if sweep.kind == "glob"
                else "it gives no values"
            )
            raise self.error(f"{what}, so the sweep has no jobs")
        return values

    def error(self, message: str, hint: str | None = None) -> ConfigError:
        where = f"<override {self.override.text!r}>" if self.origin == "command line" else self.origin
        return OverrideError(
            f"sweep {self.override.text!r}: {message}", path=self.override.key, source=where, hint=hint
        )


def sweep_entries(app: Any, overrides: Sequence[str], repo: Repository) -> tuple[list[Entry], Config]:
    """The keys of the sweep in order, and a config composed at the first point (for settings).

    The config's own sweep keys (``hydra.sweeper.params``, then ``_run_.sweep``, which wins for a
    key both name) come first; a key on the command line replaces the config's in its place, as in
    Hydra's basic sweeper.
    """
    command_line: dict[str, Entry] = {}
    for override in parse_overrides(list(overrides)):
        command_line[override.key] = Entry(override, "command line")  # a repeated key keeps its place
    base = app.compose(_first_point(command_line.values(), repo))
    entries = {entry.override.key: entry for entry in config_entries(base)}
    entries.update(command_line)
    return list(entries.values()), base


def _first_point(entries: Any, repo: Repository) -> list[str]:
    """Overrides for one config of the sweep: each sweep at its first value (an interval left out)."""
    texts = []
    for entry in entries:
        if not entry.is_sweep:
            texts.append(entry.override.text)
        elif entry.override.value.kind == "range":  # its first value, without listing them all
            texts.append(entry.text(_first_of_range(entry)))
        elif entry.override.value.kind != "interval":
            texts.append(entry.text(entry.values(repo)[0]))
    return texts


def _first_of_range(entry: Entry) -> Any:
    sweep = entry.override.value
    assert isinstance(sweep, Sweep)
    try:
        empty = sweep.size() == 0
    except OverrideError as error:
        raise entry.error(error.message) from None
    if empty:
        raise entry.error("it gives no values, so the sweep has no jobs")
    return sweep.start if type(sweep.start) is int and type(sweep.step) is int else float(sweep.start or 0)


def config_entries(cfg: Config) -> list[Entry]:
    """The sweep a config asks for: ``_run_.sweep`` over a ported ``hydra.sweeper.params``."""
    found: dict[str, Entry] = {}
    for where in ("hydra.sweeper.params", "_run_.sweep"):
        params = cfg.select(where, default=None)
        if params is None:
            continue
        if not isinstance(params, Config) or params.is_sequence():
            raise ConfigError(f"{where} must map keys to sweeps (lr: 0.1,0.01), not {params!r}", path=where)
        raw = params.to_dict(resolve=False)
        for key, value in raw.items():
            origin = f"{where}.{key}"
            source = params.source_of(key)
            if isinstance(value, list):
                items = ",".join(format_value(item) for item in value)
                text = f"{key}={items}" if value else f"{key}=[]"
            elif isinstance(value, str):
                text = f"{key}={value}"
            else:
                text = f"{key}={format_value(value)}"
            try:
                override = parse_override(text)
            except OverrideError as error:
                raise ConfigError(error.message, path=origin, source=source, hint=error.hint) from None
            found[override.key] = Entry(override, f"{origin} ({source})" if source else origin)
    return list(found.values())


@dataclass(frozen=True)
class PlannedJob:
    """One point of the sweep: all its overrides, and just the swept ones (for showing)."""

    overrides: list[str]
    point: list[str]


def cartesian(entries: Sequence[Entry], repo: Repository, max_jobs: int = MAX_JOBS) -> list[PlannedJob]:
    """Every combination, the first key varying slowest; fixed overrides keep their own text.

    A sweep of more than ``max_jobs`` jobs is refused before any value is listed.
    """
    jobs = 1
    for entry in entries:
        if entry.is_sweep:
            sweep = entry.override.value
            assert isinstance(sweep, Sweep)
            if sweep.kind != "glob":
                try:
                    jobs *= sweep.size()
                except OverrideError as error:
                    raise entry.error(error.message) from None
    if jobs > max_jobs:
        raise ConfigError(
            f"the sweep has {jobs:,} jobs, more than the {max_jobs:,} allowed",
            path="_run_.max_jobs",
            hint="sweep fewer values, or raise the bound: _run_.max_jobs=N",
        )
    choices: list[list[tuple[str, bool]]] = []
    for entry in entries:
        if entry.is_sweep:
            choices.append([(entry.text(value), True) for value in entry.values(repo, max_jobs)])
        else:
            choices.append([(entry.override.text, False)])
    return [
        PlannedJob([text for text, _ in combo], [text for text, swept in combo if swept])
        for combo in itertools.product(*choices)
    ]


def dry_run_text(planned: Sequence[PlannedJob], launcher: str) -> str:
    """The jobs a sweep would run, one a line, with what every job shares said once."""
    swept = {text for job in planned for text in job.point}
    shared = [text for text in (planned[0].overrides if planned else []) if text not in swept]
    lines = [f"{len(planned)} jobs (launcher: {launcher}); --dry-run: nothing was run or created"]
    if shared:
        lines.append(f"every job also gets: {' '.join(shared)}")
    width = len(str(max(len(planned) - 1, 0)))
    lines += [f"  #{num:<{width}}  {' '.join(job.point)}" for num, job in enumerate(planned)]
    return "\n".join(lines)


__all__ = [
    "MAX_JOBS",
    "Entry",
    "PlannedJob",
    "cartesian",
    "config_entries",
    "dry_run_text",
    "max_jobs",
    "sweep_entries",
]
