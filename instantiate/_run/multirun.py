"""``-m``: the sweep a command line asks for, handed to the sweeper and launcher the config names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .launchers.registry import configured_launcher, make_launcher
from .sweep_points import sweep_entries
from .sweepers.registry import configured_sweeper
from .sweeps import SweepResult, sweeper_named


def run_sweep(
    app: Any,
    overrides: Sequence[str],
    *,
    dry_run: bool = False,
    verbose: bool = False,
    allow: list[str] | None = None,
) -> SweepResult:
    """Run the sweep that ``overrides`` and the config describe (see ``sweeps``)."""
    repo = app.repository(overrides)  # with -cd and a ported hydra.searchpath
    entries, base = sweep_entries(app, overrides, repo)
    sweeper_name, sweeper = configured_sweeper(base)
    name, options, where = configured_launcher(base)
    launcher = make_launcher(name, options, where)
    with sweeper_named(sweeper_name):
        result: SweepResult = sweeper(
            app, entries, base, repo, name, launcher, dry_run=dry_run, verbose=verbose, allow=allow
        )
    return result
