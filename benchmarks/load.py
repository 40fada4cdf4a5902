"""Loading a ~5 MB YAML config: instantiate.load vs yaml's C loader and OmegaConf.load."""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import (
    NONE,
    NOT_IMPORTABLE,
    OURS_ERROR,
    Cell,
    OmegaConf,
    Table,
    attempt,
    big_yaml,
    const,
    first_difference,
    load,
    progress,
    ratio,
    times,
    yaml,
)

Memory = tuple[float | None, float | None]  # peak and retained MB


def yaml_load(path: str) -> Any:
    """The floor: read the text, parse it with yaml.CSafeLoader into plain dicts and lists."""
    return yaml.load(Path(path).read_text(), Loader=yaml.CSafeLoader)


def yaml_load_gc_off(path: str) -> Any:
    """The same with the garbage collector paused, as a loader may do while it builds."""
    gc.disable()
    try:
        return yaml_load(path)
    finally:
        gc.enable()


def ours_plain(config: Any) -> Any:
    """Our loaded Config as plain data, interpolations left as written."""
    return config.to_dict(resolve=False)


def omegaconf_plain(config: Any) -> Any:
    """OmegaConf's loaded DictConfig as plain data, interpolations left as written."""
    return OmegaConf.to_container(config, resolve=False)


def traced(fn: Callable[[str], Any], path: str) -> Memory:
    """Peak and retained MB that tracemalloc sees while fn(path) runs and its result is alive."""
    gc.collect()
    tracemalloc.start()
    try:
        out = fn(path)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del out
    return peak / 1e6, current / 1e6


def check(cell: Cell, plain: Callable[[Any], Any], expected: Any, label: str, notes: list[str]) -> None:
    """Mark the cell WRONG unless its loaded config, made plain, equals what the C loader read."""
    if not cell.ok:
        return
    try:
        diff = first_difference(plain(cell.result), expected, "config")
    except Exception as exc:  # a half-written to_dict must not stop the table
        diff = f"{type(exc).__name__}: {exc}"
    if diff:
        cell.text = "WRONG"
        notes.append(f"{label} loaded something else: {diff}")


def mb(value: float | None) -> str:
    """Megabytes with one decimal, or NONE."""
    return NONE if value is None else f"{value:,.1f}"


def run(args: argparse.Namespace) -> Table:
    """Write the two files, time and trace each loader, verify, tabulate."""
    headers = [
        "loader",
        "time (ms)",
        "time ÷ yaml",
        "peak MB",
        "peak ÷ yaml",
        "retained MB",
        "retained ÷ yaml",
    ]
    table = Table(f"load ({args.mb:g} MB YAML)", headers)
    notes = table.notes
    cells: dict[str, Cell] = {}
    memory: dict[str, Memory] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {"ours": str(Path(tmp, "ours.yaml")), "hydra": str(Path(tmp, "hydra.yaml"))}
        for syntax, path in paths.items():
            Path(path).write_text(big_yaml(int(args.mb * 1e6), hydra=syntax == "hydra"))
        size = Path(paths["ours"]).stat().st_size / 1e6
        loaders = {  # key: (label, loader, file)
            "yaml": ("yaml.load(text, Loader=yaml.CSafeLoader)", yaml_load, paths["ours"]),
            "yaml gc off": ("the same, GC paused", yaml_load_gc_off, paths["ours"]),
            "ours": ("instantiate.load(path)", load, paths["ours"]),
            "omegaconf": ("OmegaConf.load(path)", OmegaConf.load, paths["hydra"]),
        }
        for key, (label, fn, path) in loaders.items():
            progress(f"load: {label}")
            if key == "ours" and OURS_ERROR:
                cells[key], memory[key] = Cell(text=NOT_IMPORTABLE), (None, None)
                continue
            slow = args.quick and key == "omegaconf"  # ~9 s a run per MB, ~4x under tracemalloc
            baseline = functools.partial(yaml_load, paths["ours"])  # interleaved, for the ratio
            cells[key] = attempt(fn, const(path), args.budget, notes, label, 1 if slow else 3, baseline)
            traceable = cells[key].ok and not slow and key != "yaml gc off"  # same as "yaml"
            memory[key] = traced(fn, path) if traceable else (None, None)
        memory["yaml gc off"] = memory["yaml"]
        expected = cells["yaml"].result
        check(cells["ours"], ours_plain, expected, "instantiate.load", notes)
        expected = yaml_load(paths["hydra"])
        check(cells["omegaconf"], omegaconf_plain, expected, "OmegaConf.load", notes)

    base_peak, base_kept = memory["yaml"]
    for key, (label, _, _) in loaders.items():
        cell, (peak, kept) = cells[key], memory[key]
        table.rows.append([label, cell.show(), times(cell.over_base()), mb(peak), ratio(peak, base_peak),
                           mb(kept), ratio(kept, base_kept)])  # fmt: skip
    ours, omega = cells["ours"], cells["omegaconf"]
    ours_peak, omega_peak = memory["ours"][0], memory["omegaconf"][0]
    notes += [
        f"file: {size:.2f} MB of nested mappings, lists, scalars and interpolated strings "
        "(`$<...>`; OmegaConf reads the same file written with `${...}`).",
        f"OmegaConf/ours: time {ratio(omega, ours)}, peak memory {ratio(omega_peak, ours_peak)}.",
        "time: process CPU time, best of ≥3 runs, each followed by a C-loader rep that its "
        "ratio is over (OmegaConf: 1 with --quick, and no memory trace), reading the "
        "file included, GC on unless said; memory: tracemalloc (Python allocations only, not "
        "libyaml's own buffers), peak during the call and retained by the result.",
        "each loaded config is checked equal to the C loader's plain data "
        "(to_dict / to_container, unresolved).",
    ]
    if OURS_ERROR:
        notes.append(OURS_ERROR)
    table.summary = [
        [f"load {size:.1f} MB YAML: time (over C yaml)", NONE, ours.show(), times(ours.over_base()),
         NONE, NONE, NONE, omega.show(), times(omega.over_base()), ratio(omega, ours)],
        [f"load {size:.1f} MB YAML: peak MB (over C yaml)", NONE, mb(ours_peak),
         ratio(ours_peak, base_peak), NONE, NONE, NONE, mb(omega_peak), ratio(omega_peak, base_peak),
         ratio(omega_peak, ours_peak)],
    ]  # fmt: skip
    return table


def main(argv: Sequence[str] | None = None) -> Table:
    """Parse options, run, print and return the table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mb", type=float, default=5.0, help="size of the generated YAML file")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of runs per loader (min 2)")
    p.add_argument("--quick", action="store_true", help="time OmegaConf once, skip its memory trace")
    table = run(p.parse_args(argv))
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
