"""Shared by every benchmark script: helper classes, config generators, timing, tables."""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import random
import reprlib
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

# Benchmark the checkout that holds this folder (or $INSTANTIATE_SRC), not an installed copy.
ROOT = Path(os.environ.get("INSTANTIATE_SRC") or Path(__file__).resolve().parent.parent)
sys.path.insert(1, str(ROOT))

import yaml as yaml  # noqa: E402  (re-exported to the scripts)
from hydra.utils import instantiate as hydra_instantiate  # noqa: E402
from omegaconf import OmegaConf as OmegaConf  # noqa: E402

try:
    from instantiate import Config as Config
    from instantiate import Recipe as Recipe
    from instantiate import instantiate as instantiate
    from instantiate import load as load
except ImportError as exc:  # the core is not written yet: our columns say so
    Config = Recipe = instantiate = load = None
    OURS_ERROR: str | None = f"instantiate not importable yet ({exc})"
else:
    OURS_ERROR = None
NOT_IMPORTABLE = "instantiate not importable yet"
NONE = "\N{EN DASH}"  # a cell with nothing to show
TIMES = "\N{MULTIPLICATION SIGN}"


# ---------------------------------------------------------------- helper classes


class Plain:
    """Base of the helper classes: equal when of the same type with equal attributes."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


class Linear(Plain):
    """A torch.nn.Linear look-alike: just the sizes."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features = in_features
        self.out_features = out_features
        self.bias = bias


class Sequential(Plain):
    """A torch.nn.Sequential look-alike: keeps its positional layers."""

    def __init__(self, *layers: Any) -> None:
        self.layers = list(layers)


class Wrapper(Plain):
    """One level of deep nesting: wraps an inner object."""

    def __init__(self, inner: Any = None, level: int = 0) -> None:
        self.inner = inner
        self.level = level


class Component(Plain):
    """A component of the wide mapping: ten keyword arguments of every kind."""

    def __init__(
        self,
        width: int,
        lr: float,
        layers: list[int],
        options: dict[str, Any],
        enabled: bool,
        extra: Any,
        size: int,
        scale: float,
        name: str,
        tag: str,
    ) -> None:
        self.width, self.lr, self.layers, self.options, self.enabled = (
            width,
            lr,
            layers,
            options,
            enabled,
        )
        self.extra, self.size, self.scale, self.name, self.tag = extra, size, scale, name, tag


class Service(Plain):
    """A Recipe component that depends on an earlier one."""

    def __init__(self, name: str, size: int, dep: Service | None = None) -> None:
        self.name = name
        self.size = size
        self.dep = dep


# ---------------------------------------------------------------- config generators


def target(cls: type) -> str:
    """The dotted `_target_` of a helper class, as both libraries import it."""
    return f"{cls.__module__}.{cls.__qualname__}"


def ref(path: str, hydra: bool) -> str:
    """An interpolation of `path` in our syntax `$<path>` or Hydra's `${path}`."""
    return f"${{{path}}}" if hydra else f"$<{path}>"


def sequential_config(n: int, hydra: bool) -> dict[str, Any]:
    """Sequential of n Linear; each in_features refers to the previous item's out_features."""
    lin = target(Linear)
    layers = [
        {
            "_target_": lin,
            "in_features": 32 if i == 0 else ref(f"..[{i - 1}].out_features", hydra),
            "out_features": 16 + i % 48,
            "bias": i % 2 == 0,
        }
        for i in range(n)
    ]
    return {"_target_": target(Sequential), "_args_": layers}


def wide_config(n: int, hydra: bool) -> dict[str, Any]:
    """n Components of 10 kwargs: 2 absolute interpolations, list, dict, bool, None, scalars."""
    comp = target(Component)
    width, lr = ref("settings.width", hydra), ref("settings.lr", hydra)
    components = {
        f"c{i}": {
            "_target_": comp,
            "width": width,
            "lr": lr,
            "layers": [i, i + 1, 2],
            "options": {"mode": "fast", "k": i},
            "enabled": i % 2 == 0,
            "extra": None,
            "size": i,
            "scale": i * 0.5,
            "name": "block",
            "tag": f"c{i}",
        }
        for i in range(n)
    }
    return {"settings": {"width": 64, "lr": 0.001}, "components": components}


def deep_config(depth: int, hydra: bool) -> dict[str, Any] | None:
    """Wrapper(inner=Wrapper(inner=...)) nested `depth` targets deep (same in both syntaxes)."""
    node: dict[str, Any] | None = None
    for level in reversed(range(depth)):
        node = {"_target_": target(Wrapper), "inner": node, "level": level}
    return node


@functools.cache
def recipe_deps(n: int) -> tuple[int | None, ...]:
    """For component i, the index of the earlier component it depends on (fixed seed)."""
    rng = random.Random(5)
    return (None, *(rng.randrange(i) for i in range(1, n)))


def recipe_config(n: int, hydra: bool) -> dict[str, Any]:
    """n Services c0..c{n-1}; each `dep` refers to an earlier one: `$<@cJ>` (Hydra: `${cJ}`)."""
    svc = target(Service)
    return {
        f"c{i}": {
            "_target_": svc,
            "name": f"c{i}",
            "size": i,
            "dep": None if j is None else ref(f"c{j}" if hydra else f"@c{j}", hydra),
        }
        for i, j in enumerate(recipe_deps(n))
    }


_YAML_BLOCK = """\
run_{i:05d}:
  model:
    _target_: mylib.models.ResNet
    depth: {depth}
    widths: [64, 128, 256, 512]
    dropout: 0.1
    pretrained: {pretrained}
    name: resnet-{i:05d}
    checkpoint: {root}/runs/run_{i:05d}/ckpt.pt
  optimizer:
    _target_: mylib.optim.AdamW
    lr: 0.0003
    betas: [0.9, 0.999]
    weight_decay: 0.01
  data:
    _target_: mylib.data.Loader
    path: {data}/shard-{i:05d}
    batch_size: 128
    shuffle: true
    augment:
      - {{name: crop, size: 224}}
      - {{name: flip, p: 0.5}}
    tags: [train, "image net", v{i}]
  trainer:
    epochs: 90
    seed: {i}
    notes: "run {i} of the sweep: 'quoted' text"
    lr_copy: {lr}
    resume: null
"""


def big_yaml(size: int, hydra: bool) -> str:
    """YAML text of about `size` bytes: nested mappings, lists, scalars, interpolated strings."""
    head = "paths:\n  root: /data/experiments\n  data: /data/imagenet\n"
    blocks, total, i = [head], len(head), 0
    fields = {
        "root": ref("paths.root", hydra),
        "data": ref("paths.data", hydra),
        "lr": ref("..optimizer.lr", hydra),
    }
    while total < size:
        block = _YAML_BLOCK.format(
            i=i, depth=(18, 34, 50)[i % 3], pretrained=("true", "false")[i % 2], **fields
        )
        blocks.append(block)
        total += len(block)
        i += 1
    return "".join(blocks)


# ---------------------------------------------------------------- measuring


@dataclass
class Cell:
    """One measured column: best CPU seconds (and its interleaved baseline's), or why there is none."""

    seconds: float | None = None
    text: str = ""
    result: Any = None
    first_input: Any = None
    base: float | None = None  # best CPU seconds of the baseline reps interleaved with this cell's
    runs: int = 0

    @property
    def ok(self) -> bool:
        """True when there is a verified number."""
        return self.seconds is not None and not self.text

    @property
    def value(self) -> float | None:
        """The verified seconds, or None."""
        return self.seconds if self.ok else None

    def over_base(self) -> float | None:
        """Seconds over the interleaved baseline's, or None."""
        return self.seconds / self.base if self.ok and self.base else None

    def show(self) -> str:
        """The cell as printed: milliseconds or the reason."""
        return self.text or ms(self.seconds)


cpu = time.process_time  # CPU time of this process: what other engineers' jobs do not add to


def measure(
    fn: Callable[[Any], Any],
    setup: Callable[[], Any],
    budget: float,
    min_runs: int = 3,
    against: Callable[[], Any] | None = None,
) -> Cell:
    """Best CPU time of fn(setup()) over repetitions filling ~budget seconds (>= min_runs, <= 100).

    Each repetition gets a fresh input from setup() (untimed), after a gc.collect();
    the garbage collector stays on during the call, as in real use. With `against` (the
    baseline, e.g. the hand-written construction), one baseline rep is timed right after every
    measured rep, so both see the same load of the shared machine; `cell.base` is its best.
    """
    times: list[float] = []
    bases: list[float] = []
    cell = Cell()
    while len(times) < min_runs or (sum(times) + sum(bases) < budget and len(times) < 100):
        arg = setup()
        gc.collect()
        start = cpu()
        out = fn(arg)
        times.append(cpu() - start)
        if len(times) == 1:
            cell.result, cell.first_input = out, arg
        del out, arg
        if against is not None:
            gc.collect()
            start = cpu()
            against()
            bases.append(cpu() - start)
    cell.seconds, cell.runs = min(times), len(times)
    cell.base = min(bases) if bases else None
    return cell


def const(value: Any) -> Callable[[], Any]:
    """A setup function that always gives `value`."""
    return lambda: value


def attempt(
    fn: Callable[[Any], Any],
    setup: Callable[[], Any],
    budget: float,
    notes: list[str],
    label: str,
    min_runs: int = 3,
    against: Callable[[], Any] | None = None,
) -> Cell:
    """measure(), but an exception becomes the cell's text (e.g. "RecursionError") and a note."""
    try:
        return measure(fn, setup, budget, min_runs, against)
    except RecursionError:
        return Cell(text="RecursionError")
    except Exception as exc:  # a bug in a library under test must not stop the table
        notes.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
        return Cell(text=type(exc).__name__)


def _short(value: Any) -> str:
    """A short repr that never walks deep structures."""
    return f"<{type(value).__name__}>" if isinstance(value, Plain) else reprlib.repr(value)


def first_difference(got: Any, expected: Any, path: str = "result") -> str | None:
    """Where and how two built results first differ (types strict, iterative), or None if equal."""
    stack = [(path, got, expected)]
    while stack:
        where, a, b = stack.pop()
        if a is b:
            continue
        if type(a) is not type(b):
            return f"{where}: got {_short(a)}, expected {_short(b)}"
        fmt = "{}[{!r}]"  # how a key extends the path
        if isinstance(a, Plain):
            a, b, fmt = vars(a), vars(b), "{}.{}"
        if isinstance(a, dict):
            if a.keys() != b.keys():
                return f"{where}: keys {sorted(map(str, a.keys() ^ b.keys()))} differ"
            stack.extend((fmt.format(where, k), a[k], b[k]) for k in reversed(list(a)))
        elif isinstance(a, (list, tuple)):
            if len(a) != len(b):
                return f"{where}: length {len(a)}, expected {len(b)}"
            stack.extend((f"{where}[{i}]", a[i], b[i]) for i in reversed(range(len(a))))
        elif a != b:
            return f"{where}: got {_short(a)}, expected {_short(b)}"
    return None


def verify(cell: Cell, expected: Any, label: str, notes: list[str]) -> None:
    """Mark the cell WRONG (with a note saying where) unless its result equals `expected`."""
    if cell.seconds is None or cell.text:
        return
    diff = first_difference(cell.result, expected)
    if diff:
        cell.text = "WRONG"
        notes.append(f"{label} built a different result: {diff}")


# ---------------------------------------------------------------- tables


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds with sensible precision."""
    if seconds is None:
        return NONE
    v = seconds * 1e3
    return f"{v:,.3f}" if v < 1 else f"{v:,.2f}" if v < 100 else f"{v:,.0f}"


def ratio(a: Cell | float | None, b: Cell | float | None) -> str:
    """a/b as "12.3x" (with the times sign), or NONE when either is missing or unverified."""
    x, y = (v.value if isinstance(v, Cell) else v for v in (a, b))
    if not x or not y:
        return NONE
    return f"{x / y:,.1f}{TIMES}" if x / y < 100 else f"{x / y:,.0f}{TIMES}"


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, padded to line up in a terminal; all but the first column right-aligned."""
    widths = [max(len(c) for c in col) for col in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w + 2) if k == 0 else "-" * (w + 1) + ":" for k, w in enumerate(widths)]
    return "\n".join([line(headers), "|" + "|".join(rule) + "|", *(line(r) for r in rows)])


SUMMARY_HEADERS = [
    "benchmark",
    "n",
    "ours first (ms)",
    "first/hand",
    "ours repeated (ms)",
    "repeated/hand",
    "from dict/hand",
    "Hydra (ms)",
    "Hydra/hand",
    "Hydra/ours first",
]


@dataclass
class Table:
    """A titled Markdown table with notes, and its rows for run_all's summary."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: list[list[str]] = field(default_factory=list)

    def render(self) -> str:
        """Title, table and notes as Markdown."""
        notes = [f"- {n}" for n in self.notes]
        return "\n".join([f"### {self.title}", "", markdown(self.headers, self.rows), "", *notes, ""])


def progress(message: str) -> None:
    """One progress line on stderr, so long runs show where they are."""
    print(f"  … {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the shape benchmarks (1-4)


def uncached(config: Callable[[int, bool], Any], n: int) -> Any:
    """A fresh config for ours, with our parsed-interpolation cache emptied: every string is
    parsed again, as in a process that builds its config once (untimed setup)."""
    from instantiate._config import grammar as _grammar

    _grammar.forget()
    return config(n, False)


def hydra_build(data: Any) -> Any:
    """Hydra's equivalent: OmegaConf.create + instantiate, plain containers like ours."""
    return hydra_instantiate(OmegaConf.create(data), _convert_="all")


def fresh_config(config: Callable[[int, bool], Any], n: int) -> Any:
    """A Config never built, of fresh data, with our parse caches emptied (untimed setup): what
    a first build starts from in a process that builds its config once."""
    return Config(uncached(config, n))


def parsed_before(build: Callable[[Any], Any], config: Callable[[int, bool], Any], n: int) -> Any:
    """A Config never built, whose strings this process has met twice before in other configs of
    the same shape (untimed): what each job after the second of an in-process sweep starts from."""
    for _ in range(2):  # a string met once is read, not kept; met again, it is parsed and kept
        build(Config(config(n, False)))
    return Config(config(n, False))


def warmed(build: Callable[[Any], Any], data: Any) -> Any:
    """A Config of `data` built twice already (the second build compiles its plan): what a
    repeated build starts from (untimed)."""
    cfg = Config(data)
    build(cfg)
    build(cfg)
    return cfg


@dataclass
class Shape:
    """A config shape: its generator, its hand-written construction, how each library builds it.

    `build` takes a Config or plain data (`instantiate` for most shapes); the columns are
    first = build(cfg) of a Config never built, repeated = build(cfg) of one Config built
    before, from dict = build(data) (see `how`).
    """

    name: str
    config: Callable[[int, bool], Any]
    hand: Callable[[int], Any]
    sizes: tuple[int, ...]
    build: Callable[[Any], Any] = lambda c: instantiate(c)
    hydra: Callable[[Any], Any] = hydra_build
    check: Callable[[int, Any], str | None] = lambda n, result: None
    size_label: str = "n"
    how: str = (
        "first = instantiate(cfg) of a Config never built (made outside the timing, as load() "
        "or compose() hands it over), parsed before = the same when this process has met its "
        "strings in two earlier configs (an in-process sweep's third job on), repeated = "
        "instantiate(cfg) of a Config built twice before (its plan compiled), from dict = "
        "instantiate(data), Config(data) = the copy that wrapping plain data makes, alone; "
        "Hydra = instantiate(OmegaConf.create(data), _convert_='all')"
    )
    notes: list[str] = field(default_factory=list)


def shape_parser(doc: str, shape: Shape) -> argparse.ArgumentParser:
    """Command-line options shared by the shape benchmarks."""
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--n", type=int, nargs="+", default=list(shape.sizes), help=f"sizes ({shape.size_label})")
    p.add_argument("--quick", action="store_true", help="skip Hydra above n=1,000")
    p.add_argument("--budget", type=float, default=1.0, help="seconds of repetitions per cell (min 2 runs)")
    return p


def times(x: float | None) -> str:
    """A ratio as "12.3x" (with the times sign), or NONE."""
    if not x:
        return NONE
    return f"{x:,.2f}{TIMES}" if x < 10 else f"{x:,.1f}{TIMES}" if x < 100 else f"{x:,.0f}{TIMES}"


def per_node(cell: Cell, n: int) -> str:
    """Microseconds per node of a verified cell."""
    return f"{cell.seconds * 1e6 / n:,.2f}" if cell.ok and cell.seconds and n else NONE


SHAPE_HEADERS = [
    "ours first (ms)",
    "first/hand",
    "first, parsed before/hand",
    "ours repeated (ms)",
    "repeated/hand",
    "from dict/hand",
    "Config(data)/hand",
    "hand-written (ms)",
    "µs/node first",
    "µs/node repeated",
    "Hydra+OmegaConf (ms)",
    "Hydra/hand",
    "Hydra/ours first",
]


def run_shape(shape: Shape, args: argparse.Namespace) -> Table:
    """Time ours (first, repeated, from dict) and Hydra per size, each rep followed by a
    hand-written one; verify every result equal to the hand-written one."""
    table = Table(shape.name, [shape.size_label, *SHAPE_HEADERS])
    notes = table.notes
    for n in args.n:
        progress(f"{shape.name} {shape.size_label}={n}")
        expected = shape.hand(n)
        bad = shape.check(n, expected)
        if bad:
            raise AssertionError(f"hand-written {shape.name} fails its own check: {bad}")
        hand = functools.partial(shape.hand, n)
        build = shape.build
        columns = {  # label: (function, setup)
            "first": (build, functools.partial(fresh_config, shape.config, n)),
            "parsed before": (build, functools.partial(parsed_before, build, shape.config, n)),
            "repeated": (build, const(None if OURS_ERROR else warmed(build, shape.config(n, False)))),
            "from dict": (build, functools.partial(uncached, shape.config, n)),
            "Config(data)": (Config, functools.partial(shape.config, n, False)),
        }
        cells: dict[str, Cell] = {}
        for label, (fn, setup) in columns.items():
            if OURS_ERROR:
                cells[label] = Cell(text=NOT_IMPORTABLE)
                continue
            cell = attempt(fn, setup, args.budget, notes, f"{label} n={n}", against=hand)
            if fn is Config:  # the wrap alone: a copy of the data, nothing built
                cells[label] = cell
                continue
            verify(cell, expected, f"{label} n={n}", notes)
            problem = cell.ok and shape.check(n, cell.result)
            if problem:
                cell.text = "WRONG"
                notes.append(f"{label} n={n}: {problem}")
            cells[label] = cell
        changed = cells["from dict"].ok and first_difference(
            cells["from dict"].first_input, shape.config(n, False), "data"
        )
        if changed:
            notes.append(f"instantiate(data) changed its input at n={n}: {changed}")
        if args.quick and n > 1000:
            hydra = Cell(text="skipped (--quick)")
        else:
            setup = functools.partial(shape.config, n, True)
            hydra = attempt(shape.hydra, setup, args.budget, notes, f"Hydra n={n}", 2, against=hand)
            verify(hydra, expected, f"Hydra n={n}", notes)
        first, repeated, fdict = cells["first"], cells["repeated"], cells["from dict"]
        before, wrap = cells["parsed before"], cells["Config(data)"]
        hand_best = min(filter(None, (c.base for c in (first, repeated, fdict, hydra))), default=None)
        hydra_first = hydra.over_base() and first.over_base() and hydra.over_base() / first.over_base()
        row = [
            f"{n:,}",
            first.show(),
            times(first.over_base()),
            times(before.over_base()),
            repeated.show(),
            times(repeated.over_base()),
            times(fdict.over_base()),
            times(wrap.over_base()),
            ms(hand_best),
            per_node(first, n),
            per_node(repeated, n),
            hydra.show(),
            times(hydra.over_base()),
            times(hydra_first),
        ]
        table.rows.append(row)
        table.summary.append([shape.name, *row[:3], *row[4:7], row[11], row[12], row[13]])
    if OURS_ERROR:
        notes.append(OURS_ERROR)
    notes += shape.notes
    notes.append(
        f"{shape.how}; process CPU time, best of ≥3 runs per cell (more within --budget), one "
        "hand-written rep right after every measured rep and each ratio over the best of the reps "
        "interleaved with it; our cache of parsed interpolations is emptied before each first "
        "build; every result is checked equal to the hand-written one outside the timing."
    )
    return table


def shape_main(
    doc: str,
    shape: Shape,
    argv: Sequence[str] | None = None,
    extra: Callable[[Table, argparse.Namespace], None] = lambda table, args: None,
) -> Table:
    """Parse options, run the benchmark, let `extra` add notes, print and return the table."""
    args = shape_parser(doc, shape).parse_args(argv)
    table = run_shape(shape, args)
    extra(table, args)
    print(table.render())
    return table


# ---------------------------------------------------------------- machine description


def versions() -> str:
    """One line naming the machine, Python and every library measured."""
    cpu = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        cpu += next(f" ({ln.split(':', 1)[1].strip()})" for ln in cpuinfo if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    libs = [f"{name} {metadata.version(name)}" for name in ("hydra-core", "omegaconf", "PyYAML")]
    libs[-1] += " (libyaml)" if yaml.__with_libyaml__ else " (no libyaml!)"
    commit = (
        subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or "?"
    )
    ours = NOT_IMPORTABLE if OURS_ERROR else f"instantiate @ {commit}"
    busy = f", load average {os.getloadavg()[0]:.1f} at the end" if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}, {os.cpu_count()} cores{busy}, Python {platform.python_version()}, {ours}, {', '.join(libs)}"
    )
