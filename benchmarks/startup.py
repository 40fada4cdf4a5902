"""Start-up: `import instantiate` and a trivial `@main` run, as whole processes, vs bare Python and Hydra.

Each command runs as a process of its own; its CPU time (user + system, from `os.wait4`) is
what the table reports, so other work on a shared machine hardly moves it. The commands run in
interleaved rounds (bare Python, then each command, then the next round) and the minimum of
each is kept.
"""

from __future__ import annotations

import argparse
import compileall
import os
import site
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _common import NONE, NOT_IMPORTABLE, OURS_ERROR, ROOT, Table, progress, times

CONFIG = "name: demo\nlr: 0.1\nepochs: 3\n"
OURS_APP = """\
from instantiate import main

@main(config_dir="conf", config_name="config")
def app(cfg):
    print(cfg.name)

app()
"""
HYDRA_APP = """\
import hydra

@hydra.main(version_base=None, config_path="conf", config_name="config")
def app(cfg):
    print(cfg.name)

app()
"""
COMMANDS = {  # key: (shown as, argv after the interpreter, ours?)
    "bare": ("python -S -c pass", ["-c", "pass"], False),
    "yaml": ('python -c "import yaml"', ["-c", "import yaml"], False),
    "ours": ('python -c "import instantiate"', ["-c", "import instantiate"], True),
    "hydra": ('python -c "import hydra.utils"', ["-c", "import hydra.utils"], False),
    "ours app": ("trivial `@main` app (ours), warm config cache", ["ours_app.py"], True),
    "ours app cold": ("trivial `@main` app (ours), cold config cache", ["ours_app.py"], True),
    "hydra app": ("trivial `@hydra.main` app", ["hydra_app.py"], False),
}


def environment() -> dict[str, str]:
    """This environment, the benchmarked checkout first on PYTHONPATH, then site-packages.

    The processes run with `python -S`: no `site` start-up, so no `.pth` file runs (an editable
    install's finder imports pathlib, re, urllib, ... into every process, bare Python included,
    which would hide what an import of ours costs); site-packages on PYTHONPATH keeps yaml and
    Hydra importable.
    """
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")]), *site.getsitepackages()]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def cpu_of(argv: list[str], env: dict[str, str], cwd: str) -> float:
    """CPU seconds (user + system) of one `python *argv` process, start to exit."""
    proc = subprocess.Popen(
        [sys.executable, "-S", *argv], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    return usage.ru_utime + usage.ru_stime


def modules_added(code: str, env: dict[str, str], cwd: str) -> int:
    """How many modules `code` adds to sys.modules."""
    probe = f"import sys; before = set(sys.modules); {code}; print(len(set(sys.modules) - before))"
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe], env=env, cwd=cwd, check=True, capture_output=True, text=True
    )
    return int(out.stdout)


def run(args: argparse.Namespace) -> Table:
    """Run every command `args.runs` times, interleaved, and tabulate the minimum CPU time."""
    env = environment()
    # An installed package ships compiled bytecode (pip compiles at install time), as the
    # libraries compared here have; a checkout may not have it yet (PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(str(ROOT / "instantiate"), quiet=1)
    keys = [k for k, (_, _, ours) in COMMANDS.items() if not (ours and OURS_ERROR)]
    best = dict.fromkeys(keys, float("inf"))
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "conf").mkdir()
        Path(tmp, "conf", "config.yaml").write_text(CONFIG)
        Path(tmp, "ours_app.py").write_text(OURS_APP)
        Path(tmp, "hydra_app.py").write_text(HYDRA_APP)
        # the config cache (instantiate/_config/yaml_cache.py): warm is every run after the
        # first of an unchanged config; cold is a config's first run (parsed, then cached)
        warm = {**env, "INSTANTIATE_CACHE_DIR": str(Path(tmp, "cache-warm"))}
        if "ours app" in keys:
            cpu_of(COMMANDS["ours app"][1], warm, tmp)
        progress(f"start-up: {args.runs} rounds of {len(keys)} processes")
        for round_ in range(args.runs):
            for key in keys:
                cold = {**env, "INSTANTIATE_CACHE_DIR": str(Path(tmp, f"cache-cold-{round_}"))}
                use = warm if key == "ours app" else cold if key == "ours app cold" else env
                best[key] = min(best[key], cpu_of(COMMANDS[key][1], use, tmp))
        added = {k: modules_added(COMMANDS[k][1][1], env, tmp) for k in keys if COMMANDS[k][1][0] == "-c"}
    over = {k: best[k] - best["bare"] for k in keys}
    table = Table(
        "start-up",
        ["command", f"CPU, best of {args.runs} (ms)", "over bare Python (ms)", "modules added"],
    )
    for key, (shown, _, _) in COMMANDS.items():
        if key not in keys:
            table.rows.append([shown, NOT_IMPORTABLE, NONE, NONE])
            continue
        count = f"{added[key]:,}" if key in added else NONE
        table.rows.append([shown, f"{best[key] * 1e3:,.1f}", f"{over[key] * 1e3:+,.1f}", count])
    ours, app, cold = over.get("ours"), over.get("ours app"), over.get("ours app cold")
    cold_over_warm = times(cold / app if cold and app else None)
    hydra_import = over["hydra"] / ours if ours else None
    hydra_app = over["hydra app"] / app if app else None
    table.notes += [
        f"Hydra/ours, CPU over bare Python: import {times(hydra_import)}, trivial app {times(hydra_app)}.",
        "the trivial app: a config of three keys in conf/config.yaml, a task that prints one; "
        "each run composes it, makes its run directory and writes config and log there, as "
        "Hydra's does.",
        "warm config cache: the config was run before, unchanged, so its parsed data is read "
        "from the cache and PyYAML is not imported; cold: a config's first run (an empty cache "
        f"directory each round), parsed and then cached. Cold over warm: {cold_over_warm}.",
        "whole processes `python -S ...` (interpreter start-up and exit included; -S: no .pth "
        "file imports anything into bare Python), CPU time (user + system) from os.wait4, the "
        "checkout first on PYTHONPATH with its bytecode compiled (as an "
        "installed package has it), minimum over interleaved rounds.",
    ]
    if OURS_ERROR:
        table.notes.append(OURS_ERROR)

    def cell(key: str) -> str:
        return f"{over[key] * 1e3:,.1f}" if key in over else NONE

    table.summary = [
        ["start-up: `import`, ms CPU over `python -c pass`", NONE, cell("ours"), NONE, NONE,
         NONE, NONE, cell("hydra"), NONE, times(hydra_import)],
        ["start-up: trivial app run, ms CPU over `python -c pass`", NONE, cell("ours app"), NONE,
         NONE, NONE, NONE, cell("hydra app"), NONE, times(hydra_app)],
        ["start-up: trivial app run, cold config cache, ms CPU over `python -c pass`", NONE,
         cell("ours app cold"), NONE, NONE, NONE, NONE, cell("hydra app"), NONE,
         times(over["hydra app"] / cold if cold else None)],
    ]  # fmt: skip
    return table


def main(argv: Sequence[str] | None = None) -> Table:
    """Parse options, run, print and return the table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=10, help="rounds of processes (the minimum is kept)")
    p.add_argument("--quick", action="store_true", help="5 rounds instead of --runs")
    p.add_argument("--budget", type=float, help="accepted for run_all; unused here")
    args = p.parse_args(argv)
    if args.quick:
        args.runs = min(args.runs, 5)
    table = run(args)
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
