"""Loading a ~5 MB YAML config: instantiate.load vs yaml's C loader vs OmegaConf.load (issue 5, item 5)."""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Sequence

from _common import (
    NOT_IMPORTABLE, OURS_ERROR, Cell, OmegaConf, Table, attempt, big_yaml, first_difference, load,
    progress, ratio, yaml,
)


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


def traced(fn: Callable[[str], Any], path: str) -> tuple[float, float]:
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


def check(cell: Cell, to_plain: Callable[[Any], Any], expected: Any, label: str, notes: list[str]) -> None:
    """Mark the cell WRONG unless its loaded config, made plain, equals what the C loader read."""
    if not cell.ok:
        return
    try:
        diff = first_difference(to_plain(cell.result), expected, "config")
    except Exception as exc:  # a half-written to_dict must not stop the table
        diff = f"{type(exc).__name__}: {exc}"
    if diff:
        cell.text = "WRONG"
        notes.append(f"{label} loaded something else: {diff}")


def run(args: argparse.Namespace) -> Table:
    """Write the two files, time and trace each loader, verify, tabulate."""
    table = Table(f"load ({args.mb:g} MB YAML)", ["loader", "time (ms)", "time ÷ yaml", "peak MB",
                                                  "peak ÷ yaml", "retained MB", "retained ÷ yaml"])
    notes = table.notes
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
        cells: dict[str, Cell] = {}
        memory: dict[str, tuple[float | None, float | None]] = {}
        for key, (label, fn, path) in loaders.items():
            progress(f"load: {label}")
            if key == "ours" and OURS_ERROR:
                cells[key], memory[key] = Cell(text=NOT_IMPORTABLE), (None, None)
                continue
            slow = args.quick and key == "omegaconf"  # ~9 s a run per MB, ~4x that under tracemalloc
            cells[key] = attempt(fn, lambda path=path: path, args.budget, notes, label, 1 if slow else 2)
            traceable = cells[key].ok and not slow and key != "yaml gc off"  # same memory as "yaml"
            memory[key] = traced(fn, path) if traceable else (None, None)
        memory["yaml gc off"] = memory["yaml"]
        check(cells["ours"], lambda c: c.to_dict(resolve=False), cells["yaml"].result, "instantiate.load", notes)
        check(cells["omegaconf"], lambda c: OmegaConf.to_container(c, resolve=False),
              yaml_load(paths["hydra"]), "OmegaConf.load", notes)
    mb = lambda v: "–" if v is None else f"{v:,.1f}"  # noqa: E731
    base_peak, base_kept = memory["yaml"]
    for key, (label, _, _) in loaders.items():
        peak, kept = memory[key]
        table.rows.append([label, cells[key].show(), ratio(cells[key], cells["yaml"]), mb(peak),
                           ratio(peak, base_peak), mb(kept), ratio(kept, base_kept)])
    ours, omega = cells["ours"], cells["omegaconf"]
    ours_peak, omega_peak = memory["ours"][0], memory["omegaconf"][0]
    notes += [
        f"file: {size:.2f} MB of nested mappings, lists, scalars and interpolated strings "
        "(`$<...>`; OmegaConf reads the same file written with `${...}`).",
        f"OmegaConf/ours: time {ratio(omega, ours)}, peak memory {ratio(omega_peak, ours_peak)}.",
        "time: best of ≥2 runs (OmegaConf: 1 with --quick, and no memory trace), reading the file "
        "included, GC on unless said; memory: tracemalloc (Python allocations only, not libyaml's own buffers), peak during "
        "the call and retained by the result.",
        "each loaded config is checked equal to the C loader's plain data (to_dict / to_container, unresolved).",
    ]
    if OURS_ERROR:
        notes.append(OURS_ERROR)
    table.summary = [
        [f"load {size:.1f} MB YAML: time", "–", ours.show(), "–", cells["yaml"].show(), omega.show(),
         ratio(ours, cells["yaml"]), ratio(omega, ours)],
        [f"load {size:.1f} MB YAML: peak MB", "–", mb(ours_peak), "–", mb(base_peak), mb(omega_peak),
         ratio(ours_peak, base_peak), ratio(omega_peak, ours_peak)],
    ]
    return table


def main(argv: Sequence[str] | None = None) -> Table:
    """Parse options, run, print and return the table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mb", type=float, default=5.0, help="size of the generated YAML file")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of repetitions per loader (min 2 runs)")
    p.add_argument("--quick", action="store_true", help="time OmegaConf.load once, and skip its memory trace")
    table = run(p.parse_args(argv))
    print(table.render())
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
