"""Per-job overhead of a sweep: our `-m` (basic launcher) against Hydra's, in one process.

Both sweep a trivial task (it reads one value) over `lr=range(0,N)` with their in-process
launcher, so every job composes its config, makes its directory and writes its config, overrides
and log, and the sweep writes its summary. A sweep of N1 and one of N2 jobs are timed in
interleaved rounds (ours N1, ours N2, Hydra N1, Hydra N2, ...), by process CPU time; the
per-job cost is (best N2 - best N1) / (N2 - N1), so the fixed cost of a sweep drops out.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from _common import NONE, NOT_IMPORTABLE, OURS_ERROR, Table, cpu, ms, progress, times

APPS = """\
import hydra
from instantiate import main


@main(config_dir="conf", config_name="config")
def ours(cfg):
    return cfg.lr


@hydra.main(version_base=None, config_path={conf!r}, config_name="config")
def theirs(cfg):
    return cfg.lr
"""


def sweep_once(run: Callable[[int], object], jobs: int) -> float:
    """CPU seconds of one sweep of `jobs` jobs, its output swallowed."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        start = cpu()
        run(jobs)
        return cpu() - start


def run(args: argparse.Namespace) -> Table:
    """Time both sweeps at both sizes in interleaved rounds; tabulate per-job CPU time."""
    small, large = args.jobs
    table = Table(
        "multirun: per-job overhead",
        ["sweeper", f"{small} jobs (ms)", f"{large} jobs (ms)", "per job (ms)", "Hydra/ours"],
    )
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "conf").mkdir()
        Path(tmp, "conf", "config.yaml").write_text("name: demo\nlr: 0.1\nepochs: 3\n")
        Path(tmp, "sweep_apps.py").write_text(APPS.format(conf=str(Path(tmp, "conf"))))
        sys.path.insert(0, tmp)
        os.chdir(tmp)
        argv = sys.argv
        try:
            apps = importlib.import_module("sweep_apps") if not OURS_ERROR else None

            def ours(n: int) -> object:
                return apps.ours.app.run_command_line(["-m", f"lr=range(0,{n})"])  # type: ignore[union-attr]

            def hydra(n: int) -> object:
                sys.argv = ["sweep_apps.py", "-m", f"lr=range(0,{n})"]
                return apps.theirs()  # type: ignore[union-attr]

            sides = {"ours": ours, "hydra": hydra} if apps else {}
            best = {(k, n): float("inf") for k in sides for n in args.jobs}
            progress(f"multirun: {args.rounds} rounds of {small} and {large} jobs, ours and Hydra")
            for _ in range(args.rounds):
                for key, fn in sides.items():
                    for n in args.jobs:
                        best[key, n] = min(best[key, n], sweep_once(fn, n))
        finally:
            sys.argv = argv
            os.chdir(here)
            sys.path.remove(tmp)
            sys.modules.pop("sweep_apps", None)
    if not sides:
        table.rows.append(["ours (basic launcher)", NOT_IMPORTABLE, NONE, NONE, NONE])
        table.notes.append(str(OURS_ERROR))
        return table
    per_job = {k: (best[k, large] - best[k, small]) / (large - small) for k in sides}
    hydra_ours = per_job["hydra"] / per_job["ours"] if per_job["ours"] > 0 else None
    labels = {"ours": "ours `-m` (basic launcher)", "hydra": "Hydra `-m` (basic launcher)"}
    for key in sides:
        table.rows.append(
            [labels[key], ms(best[key, small]), ms(best[key, large]), ms(per_job[key]),
             times(hydra_ours) if key == "hydra" else NONE]
        )  # fmt: skip
    table.notes.append(
        f"process CPU time, best of {args.rounds} interleaved rounds per cell; per job = "
        f"(best {large} - best {small}) / {large - small}; each job composes, makes its directory, "
        "writes config, overrides and log; the trivial task reads one value."
    )
    table.summary = [
        ["multirun: ms CPU per job", NONE, ms(per_job["ours"]), NONE, NONE, NONE, NONE,
         ms(per_job["hydra"]), NONE, times(hydra_ours)],
    ]  # fmt: skip
    return table


def main(argv: Sequence[str] | None = None) -> Table:
    """Parse options, run, print and return the table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--jobs", type=int, nargs=2, default=[4, 20], help="the two sweep sizes")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (the best is kept)")
    p.add_argument("--quick", action="store_true", help="3 rounds")
    p.add_argument("--budget", type=float, help="accepted for run_all; unused here")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds = min(args.rounds, 3)
    table = run(args)
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
