"""Run every benchmark (with --quick) and print one Markdown summary table for the README."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence

import deep
import load
import memory
import multirun
import recipe
import sequential
import startup
import wide
from _common import SUMMARY_HEADERS, markdown, versions

SCRIPTS = (sequential, wide, deep, recipe, memory, startup, multirun, load)
NOTES = [
    "- Times are process CPU time, best of several runs in one process, each followed by a "
    "hand-written rep: every ratio is over the hand-written reps interleaved with it, so the load "
    "of a shared machine cancels out. first = `instantiate(cfg)` of a Config never built, made "
    "outside the timing with every string unparsed (`R(cfg)` for the recipe); repeated = "
    "`instantiate(cfg)` of a Config built before; "
    "from dict = `instantiate(data)`; Hydra = `instantiate(OmegaConf.create(data))` of the same "
    "config written with `${...}`.",
    "- recipe: Hydra has no shared objects, so its plain `${cJ}` references are re-instantiated as copies.",
    "- start-up rows: whole processes, CPU time over `python -c pass`; multirun: CPU per job of a "
    "sweep with the in-process launcher; memory: tracemalloc peak of one build (the first two "
    "number columns are first-build MB and ratio to hand-written, the next two the repeated build's).",
    "- RecursionError: the library fails at that depth under Python's default recursion limit; "
    "WRONG: it built something other than the hand-written result (see the notes above).",
]


def main(argv: Sequence[str] | None = None) -> str:
    """Run each script's main() in this process, then print and return the summary."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--full", action="store_true", help="no --quick: Hydra at n=10,000 too (minutes)")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of repetitions per cell")
    args = p.parse_args(argv)
    options = [*([] if args.full else ["--quick"]), "--budget", str(args.budget)]
    start = time.perf_counter()
    rows = []
    for script in SCRIPTS:
        rows += script.main(options).summary
        gc.collect()
    command = " ".join(["python benchmarks/run_all.py", *(["--full"] if args.full else [])])
    summary = "\n".join(
        [
            "## Benchmark summary",
            "",
            f"{versions()}. `{command}`, {time.perf_counter() - start:,.0f} s.",
            "",
            markdown(SUMMARY_HEADERS, rows),
            "",
            *NOTES,
            "",
        ]
    )
    print(summary)
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
