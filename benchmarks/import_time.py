"""Start-up: whole `python -c "import instantiate"` processes vs bare Python and hydra.utils."""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from _common import NONE, NOT_IMPORTABLE, OURS_ERROR, ROOT, Table, progress, ratio

COMMANDS = {  # key: (shown as, code run by `python -c`)
    "bare": ("python -c pass", "pass"),
    "yaml": ('python -c "import yaml"', "import yaml"),
    "ours": ('python -c "import instantiate"', "import instantiate"),
    "hydra": ('python -c "import hydra.utils"', "import hydra.utils"),
}


def environment() -> dict[str, str]:
    """This environment, with the benchmarked checkout first on PYTHONPATH."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def wall(code: str, env: dict[str, str]) -> float:
    """Seconds one `python -c code` process takes, start to exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start


def modules_added(code: str, env: dict[str, str]) -> int:
    """How many modules `code` adds to sys.modules."""
    probe = f"import sys; before = set(sys.modules); {code}; print(len(set(sys.modules) - before))"
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return int(out.stdout)


def run(args: argparse.Namespace) -> Table:
    """Time every command `args.runs` times, interleaved, and tabulate the minimum."""
    env = environment()
    # An installed package ships compiled bytecode (pip compiles at install time), as the
    # libraries compared here have; a checkout may not have it yet (PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(str(ROOT / "instantiate"), quiet=1)
    keys = [k for k in COMMANDS if not (k == "ours" and OURS_ERROR)]
    best = dict.fromkeys(keys, float("inf"))
    progress(f"import: {args.runs} rounds of {len(keys)} processes")
    for _ in range(args.runs):
        for key in keys:
            best[key] = min(best[key], wall(COMMANDS[key][1], env))
    over = {k: best[k] - best["bare"] for k in keys}
    table = Table(
        "import", ["command", f"best of {args.runs} (ms)", "over bare Python (ms)", "modules added"]
    )
    for key, (shown, code) in COMMANDS.items():
        if key not in keys:
            table.rows.append([shown, NOT_IMPORTABLE, NONE, NONE])
            continue
        added = modules_added(code, env)
        table.rows.append([shown, f"{best[key] * 1e3:,.1f}", f"{over[key] * 1e3:+,.1f}", f"{added:,}"])
    ours = over.get("ours")
    table.notes += [
        f"Hydra/ours, time over bare Python: {ratio(over['hydra'], ours)}; "
        f"ours over `import yaml`, our one heavy dependency: {ratio(ours, over['yaml'])}.",
        "whole processes (interpreter start-up and exit included), the checkout first on "
        "PYTHONPATH with its bytecode compiled (as an installed package has it), minimum over "
        "interleaved runs.",
    ]
    if OURS_ERROR:
        table.notes.append(OURS_ERROR)
    cell = {k: f"{over[k] * 1e3:,.1f}" if k in over else NONE for k in COMMANDS}
    table.summary = [
        ["import: ms over `python -c pass`", NONE, cell["ours"], NONE, cell["yaml"],
         cell["hydra"], ratio(ours, over["yaml"]), ratio(over["hydra"], ours)],
    ]  # fmt: skip
    return table


def main(argv: Sequence[str] | None = None) -> Table:
    """Parse options, run, print and return the table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=10, help="processes per command (the minimum is kept)")
    p.add_argument("--quick", action="store_true", help="accepted for run_all; changes nothing here")
    p.add_argument("--budget", type=float, help="accepted for run_all; unused here")
    table = run(p.parse_args(argv))
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
