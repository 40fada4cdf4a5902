"""Sweeps in process: which jobs a sweep makes, in which order, where they run, what is recorded.

The command line itself (``python train.py -m ...`` as a subprocess, every launcher, failures,
Ctrl-C) is exercised in test_launchers.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from trees import write_tree

from instantiate import ConfigError, OverrideError, main
from instantiate._compose.searchpath import Repository
from instantiate._run.launchers.base import JobOutcome, portable
from instantiate._run.multirun import run_sweep
from instantiate._run.progress import Progress, duration
from instantiate._run.sweep_points import cartesian, sweep_entries
from instantiate._run.sweepers.registry import configured_sweeper
from instantiate._run.sweeps import SUMMARY_FILE, override_dirname

TREE = {
    "train.yaml": "defaults:\n  - model: small\n  - _self_\nlr: 0.1\nbatch: 32\nseed: 0\n",
    "model/small.yaml": "name: small\n",
    "model/large.yaml": "name: large\n",
    "model/wide.yaml": "name: wide\n",
    "swept.yaml": (
        "defaults:\n  - model: small\n  - _self_\nlr: 0.1\nbatch: 32\n"
        "_run_:\n  sweep:\n    batch: 16,32\n    lr: [0.1, 0.01]\n"
    ),
    "ported.yaml": (
        "defaults:\n  - model: small\n  - _self_\nlr: 0.1\nbatch: 32\n"
        "hydra:\n  sweeper:\n    params:\n      model: glob(*)\n      batch: range(8,33,8)\n"
        "  sweep:\n    dir: ported_sweeps\n    subdir: ${hydra.job.override_dirname}\n"
        "  job:\n    config:\n      override_dirname:\n        kv_sep: '-'\n        exclude_keys: [seed]\n"
    ),
}


@pytest.fixture
def conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # sweep directories are relative to the working directory
    return write_tree(tmp_path / "conf", TREE)


def make_app(conf: Path, name: str = "train", task: Any = None) -> Any:
    def record(cfg: Any) -> Any:
        return {
            "lr": cfg.lr,
            "batch": cfg.batch,
            "model": cfg.model.name,
            "num": cfg.select("_run_.job_num"),
        }

    return main(config_dir=str(conf), config_name=name)(task or record).app


def planned(conf: Path, overrides: list[str], name: str = "train") -> list[list[str]]:
    app = make_app(conf, name)
    repo = Repository.from_search_path(app.config_dir, None)
    entries, _ = sweep_entries(app, overrides, repo)
    return [job.overrides for job in cartesian(entries, repo)]


# -- which jobs, in which order --------------------------------------------------------------------
def test_the_product_varies_the_first_key_slowest(conf: Path) -> None:
    assert planned(conf, ["lr=0.1,0.01", "batch=range(0,3)", "seed=7"]) == [
        ["lr=0.1", "batch=0", "seed=7"],
        ["lr=0.1", "batch=1", "seed=7"],
        ["lr=0.1", "batch=2", "seed=7"],
        ["lr=0.01", "batch=0", "seed=7"],
        ["lr=0.01", "batch=1", "seed=7"],
        ["lr=0.01", "batch=2", "seed=7"],
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        ["lr=1,2", "batch=range(0,3)", "seed=choice(5,6)", "+extra=x"],
        ["lr=1,2", "seed=4", "lr=3,4"],  # a repeated key keeps its first place and its last value
        ["model=large,wide", "batch=range(10,0,-4)", "lr=0.5"],
        ["lr=choice('a b',c)"],
    ],
)
def test_the_same_jobs_in_the_same_order_as_hydras_basic_sweeper(conf: Path, overrides: list[str]) -> None:
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    (hydras,) = BasicSweeper.split_arguments(parsed, None)
    ours = planned(conf, overrides)
    assert len(ours) == len(hydras)
    # Hydra writes values as it reads them (lr=1); we write them as our parser reads them back
    assert [[text.replace("'a b'", "a b") for text in job] for job in ours] == [
        [text.replace("a\\ b", "a b") for text in job] for job in hydras
    ]


def test_range_choice_and_glob_over_a_groups_options(conf: Path) -> None:
    assert planned(conf, ["lr=range(0,1,0.25)"]) == [["lr=0.0"], ["lr=0.25"], ["lr=0.5"], ["lr=0.75"]]
    assert planned(conf, ["model=glob(*)"]) == [["model=large"], ["model=small"], ["model=wide"]]
    assert planned(conf, ["model=glob(*,exclude=w*)", "lr=choice(1,2)"]) == [
        ["model=large", "lr=1"],
        ["model=large", "lr=2"],
        ["model=small", "lr=1"],
        ["model=small", "lr=2"],
    ]
    assert planned(conf, ["model=glob([s*,w*])"]) == [["model=small"], ["model=wide"]]


def test_a_sweep_with_no_values_or_no_list_says_so(conf: Path) -> None:
    with pytest.raises(OverrideError) as info:
        planned(conf, ["model=glob(x*)"])
    assert info.value.message == (
        "sweep 'model=glob(x*)': no option of config group 'model' matches (options: large, small, wide), "
        "so the sweep has no jobs"
    )
    assert info.value.path == "model"
    with pytest.raises(OverrideError) as info:
        planned(conf, ["lr=glob(*)"])
    assert "there is no config group 'lr'" in str(info.value)
    with pytest.raises(OverrideError) as info:
        planned(conf, ["lr=interval(0,1)"])
    assert "is continuous and has no list of values" in str(info.value)
    with pytest.raises(OverrideError, match="it gives no values, so the sweep has no jobs"):
        planned(conf, ["lr=range(3,3)"])
    assert "optuna" in str(info.value)


def test_the_configs_sweep_comes_first_and_the_command_line_wins(conf: Path) -> None:
    assert planned(conf, [], "swept") == [
        ["batch=16", "lr=0.1"],
        ["batch=16", "lr=0.01"],
        ["batch=32", "lr=0.1"],
        ["batch=32", "lr=0.01"],
    ]
    assert planned(conf, ["model=small,large", "batch=64"], "swept") == [
        ["batch=64", "lr=0.1", "model=small"],
        ["batch=64", "lr=0.1", "model=large"],
        ["batch=64", "lr=0.01", "model=small"],
        ["batch=64", "lr=0.01", "model=large"],
    ]


def test_a_ported_configs_sweeper_params(conf: Path) -> None:
    jobs = planned(conf, ["batch=8"], "ported")
    assert jobs == [["model=large", "batch=8"], ["model=small", "batch=8"], ["model=wide", "batch=8"]]
    assert len(planned(conf, [], "ported")) == 12


def test_a_bad_sweep_in_the_config_names_its_key_and_line(conf: Path) -> None:
    write_tree(conf, {"bad.yaml": "lr: 1\n_run_:\n  sweep:\n    lr: 'range(1,'\n"})
    with pytest.raises(ConfigError) as info:
        planned(conf, [], "bad")
    assert info.value.path == "_run_.sweep.lr"
    assert info.value.source == f"{conf}/bad.yaml:4"


# -- running in process ----------------------------------------------------------------------------
def summary_of(result: Any) -> dict[str, Any]:
    return yaml.safe_load(result.summary_file.read_text())  # type: ignore[no-any-return]


def test_a_sweep_runs_every_job_in_its_numbered_directory(conf: Path, tmp_path: Path) -> None:
    result = run_sweep(make_app(conf), ["lr=0.1,0.01", "model=small,large"])
    assert result.exit_code == 0
    root = result.directory
    assert root.parent.parent == tmp_path / "multirun"  # multirun/YYYY-MM-DD/HH-MM-SS
    summary = summary_of(result)
    assert [job["num"] for job in summary["jobs"]] == [0, 1, 2, 3]
    assert [job["directory"] for job in summary["jobs"]] == [str(root / str(n)) for n in range(4)]
    assert summary["jobs"][3]["value"] == {"lr": 0.01, "batch": 32, "model": "large", "num": 3}
    assert summary["counts"] == {"ok": 4}
    assert summary["finished"] is True
    for n in range(4):
        files = {p.name for p in (root / str(n)).iterdir()}
        assert files == {"config.yaml", "run.yaml", "overrides.yaml", "record.log"}
    assert yaml.safe_load((root / "2" / "overrides.yaml").read_text()) == ["lr=0.01", "model=small"]
    run = yaml.safe_load((root / "2" / "run.yaml").read_text())["_run_"]
    assert (run["job_num"], run["sweep_dir"], run["dir"]) == (2, str(root), str(root / "2"))
    assert run["override_dirname"] == "lr=0.01,model=small"
    assert run["job_id"] == f"{root.name}_2"


def test_each_sweep_gets_a_new_directory(conf: Path) -> None:
    app = make_app(conf)
    first = run_sweep(app, ["lr=1,2", "++_run_.sweep_dir=fixed"])
    second = run_sweep(app, ["lr=1,2", "++_run_.sweep_dir=fixed"])
    assert first.directory.name == "fixed" and second.directory.name == "fixed_1"
    assert {p.name for p in first.directory.iterdir()} == {"0", "1", SUMMARY_FILE}


def test_hydra_run_values_resolve_inside_the_jobs(conf: Path) -> None:
    write_tree(
        conf,
        {
            "values.yaml": (
                "lr: 1\nnum: ${hydra:job.num}\nname: ${hydra:job.override_dirname}\n"
                "sweep: ${hydra:sweep.dir}\nout: ${hydra:runtime.output_dir}\nours: $<run:job_num>\n"
            )
        },
    )
    seen: list[dict[str, Any]] = []
    task = lambda cfg: seen.append(cfg.to_dict()) or cfg.num  # noqa: E731
    result = run_sweep(make_app(conf, "values", task), ["lr=1,2"])
    root = str(result.directory)
    assert [s["num"] for s in seen] == [0, 1] == [s["ours"] for s in seen]
    assert seen[1]["name"] == "lr=2" and seen[1]["sweep"] == root and seen[1]["out"] == f"{root}/1"


def test_a_ported_sweep_dir_and_subdir(conf: Path, tmp_path: Path) -> None:
    result = run_sweep(make_app(conf, "ported"), ["batch=8,16", "model=small", "+seed=3"])
    assert result.directory == tmp_path / "ported_sweeps"
    names = sorted(p.name for p in result.directory.iterdir())
    assert names == ["batch-16,model-small", "batch-8,model-small", SUMMARY_FILE]


def test_a_subdir_outside_the_sweep_directory_is_refused(conf: Path) -> None:
    with pytest.raises(ConfigError) as info:
        run_sweep(make_app(conf), ["lr=1,2", "++_run_.sweep_subdir=../x"])
    assert info.value.path == "_run_.sweep_subdir"
    assert "must be a relative path inside the sweep directory" in info.value.message


def test_dry_run_lists_the_jobs_and_creates_nothing(
    conf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(tmp_path.rglob("*"))
    result = run_sweep(make_app(conf), ["lr=0.1,0.01", "model=glob(*,exclude=wide)", "seed=1"], dry_run=True)
    assert sorted(tmp_path.rglob("*")) == before
    assert result.dry_run and result.exit_code == 0 and result.directory is None
    assert capsys.readouterr().out.splitlines() == [
        "4 jobs (launcher: basic); --dry-run: nothing was run or created",
        "every job also gets: seed=1",
        "  #0  lr=0.1 model=large",
        "  #1  lr=0.1 model=small",
        "  #2  lr=0.01 model=large",
        "  #3  lr=0.01 model=small",
    ]


def test_a_point_that_does_not_compose_stops_the_sweep_before_it_starts(conf: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        run_sweep(make_app(conf), ["lr=1,2", "model=small,tiny"])
    assert info.value.message.startswith("job 1 (lr=1 model=tiny): ")
    assert not (tmp_path / "multirun").exists()


def test_failures_are_recorded_and_the_others_still_run(conf: Path) -> None:
    def task(cfg: Any) -> Any:
        if cfg.lr == 2:
            raise RuntimeError("diverged\nat step 3")
        if cfg.lr == 3:
            return object()  # not YAML: its repr is kept
        return cfg.lr

    result = run_sweep(make_app(conf, task=task), ["lr=1,2,3,4"])
    assert result.exit_code == 1
    assert [job.num for job in result.failed] == [1]
    jobs = summary_of(result)["jobs"]
    assert [job["status"] for job in jobs] == ["ok", "failed", "ok", "ok"]
    assert jobs[1]["error"]["type"] == "RuntimeError"
    assert jobs[1]["error"]["message"] == "diverged\nat step 3"
    assert jobs[1]["error"]["traceback"].splitlines()[-2:] == ["RuntimeError: diverged", "at step 3"]
    assert 'raise RuntimeError("diverged\\nat step 3")' in jobs[1]["error"]["traceback"]
    assert "_launchers.py" not in jobs[1]["error"]["traceback"]  # the task's frames, not ours
    assert jobs[2]["value"].startswith("<object object at ")
    assert jobs[3]["value"] == 4
    log = (result.directory / "1" / "task.log").read_text()
    assert "job 1 failed:" in log and "RuntimeError: diverged" in log
    # Written a job at a time from cached entries, a traceback is still a readable | block.
    assert "  traceback: |" in result.summary_file.read_text()


def test_sweeper_and_its_errors(conf: Path) -> None:
    app = make_app(conf)
    assert configured_sweeper(app.compose([]))[0] == "basic"
    assert configured_sweeper(app.compose(["_run_.sweeper=optuna"]))[0] == "optuna"
    assert configured_sweeper(app.compose(["hydra/sweeper=optuna"]))[0] == "optuna"
    with pytest.raises(ConfigError) as info:
        configured_sweeper(app.compose(["_run_.sweeper=grid"]))
    assert "unknown sweeper 'grid'. The sweepers: basic, optuna" in info.value.message
    assert info.value.hint == "a package adds one under the entry-point group 'instantiate.sweepers'"


def _sweep_reversed(
    app: Any, entries: Any, base: Any, repo: Any, name: str, launcher: Any, **options: Any
) -> Any:
    """A plugin sweeper as the public interface describes one; it does not name itself."""
    from instantiate.sweepers import SweepResult, SweepRun, cartesian, new_sweep_directory

    planned = cartesian(entries, repo)[::-1]
    if options["dry_run"]:
        return SweepResult(None, [], name, dry_run=True)
    sweep = SweepRun(app, new_sweep_directory(base), name, launcher, len(planned), allow=options["allow"])
    sweep.launch([sweep.prepare(app.compose(job.overrides), job) for job in planned])
    return sweep.finish()


def test_the_summary_names_the_sweeper_that_ran(conf: Path) -> None:
    """Under the name it was chosen by: while the jobs run, at the end, and in the result."""
    from instantiate._run.sweepers.registry import sweepers

    seen: list[str] = []

    def task(cfg: Any) -> float:  # the summary as it is while this job runs
        seen.append(yaml.safe_load((Path(cfg._run_.sweep_dir) / SUMMARY_FILE).read_text())["sweeper"])
        return float(cfg.lr)

    app = make_app(conf, task=task)
    sweepers.register("reversed", _sweep_reversed)
    try:
        result = run_sweep(app, ["lr=1,2", "_run_.sweeper=reversed"])
        dry = run_sweep(app, ["lr=1,2", "_run_.sweeper=reversed"], dry_run=True)
    finally:
        sweepers.unregister("reversed")
    assert [job.outcome.value for job in result.jobs] == [2.0, 1.0]  # type: ignore[union-attr]
    assert seen == ["reversed", "reversed"]
    assert summary_of(result)["sweeper"] == result.sweeper == dry.sweeper == "reversed"
    seen.clear()
    grid = run_sweep(app, ["lr=1,2"])
    assert seen == ["basic", "basic"] and summary_of(grid)["sweeper"] == grid.sweeper == "basic"
    pytest.importorskip("optuna", reason="optuna is not installed: pip install 'instantiate[optuna]'")
    seen.clear()
    ported = run_sweep(app, ["lr=choice(1,2)", "hydra/sweeper=optuna", "_run_.optuna.n_trials=2"])
    assert seen == ["optuna", "optuna"] and summary_of(ported)["sweeper"] == ported.sweeper == "optuna"


# -- pieces ----------------------------------------------------------------------------------------
def test_override_dirname_is_sorted_and_leaves_out_the_runs_own_keys(conf: Path) -> None:
    cfg = make_app(conf).compose([])
    texts = ["model=large", "lr=0.1", "++_run_.launcher=processes", "hydra.job.chdir=true", "+x='a=b'"]
    assert override_dirname(cfg, texts) == "+x='a=b',lr=0.1,model=large"
    ported = make_app(conf, "ported").compose([])
    assert override_dirname(ported, ["seed=1", "lr=2", "batch=3"]) == "batch-3,lr-2"


def test_portable_values() -> None:
    class Odd:
        def __repr__(self) -> str:
            return "Odd()"

    assert portable({"a": (1, 2.5, True), 3: [None, "x", Odd()], Odd(): 1}) == {
        "a": [1, 2.5, True],
        3: [None, "x", "Odd()"],
        "Odd()": 1,
    }
    numpy = pytest.importorskip("numpy")
    value = portable(numpy.float32(0.5))
    assert value == 0.5 and type(value) is float
    assert type(portable(numpy.int64(3))) is int


def test_progress_lines() -> None:
    stream = io.StringIO()
    progress = Progress(12, stream, bar=False)
    progress.started(0, "lr=0.1 batch=32")
    progress.finished(0, "lr=0.1 batch=32", "ok", 1.23)
    progress.finished(1, "lr=0.2 batch=32", "failed", 75, "ValueError: boom")
    assert stream.getvalue().splitlines() == [
        "[ 0/12] start            #0 lr=0.1 batch=32",
        "[ 1/12] ok         1.2s  #0 lr=0.1 batch=32",
        "[ 2/12] FAILED    1m15s  #1 lr=0.2 batch=32  ValueError: boom",
    ]
    assert [duration(s) for s in (0.04, 59.9, 3600 * 2 + 61)] == ["0.0s", "59.9s", "2h01m"]


def test_a_bar_on_a_terminal_but_not_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    progress = Progress(4, stream)
    assert progress.bar
    progress.started(0, "lr=1")
    progress.finished(0, "lr=1", "ok", 0.5)
    progress.close()
    text = stream.getvalue()
    assert "start" not in text  # the bar shows what runs
    assert "\r\033[K[1/4] ok         0.5s  #0 lr=1\n" in text
    assert "[######------------------] 1/4" in text
    monkeypatch.setenv("CI", "true")
    assert not Progress(4, Terminal()).bar


def test_the_bar_draws_what_the_jobs_print_above_itself_and_ends_with_a_newline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    progress = Progress(2, stream)
    monkeypatch.setattr(sys, "stderr", stream)  # the terminal the jobs' log lines also go to
    progress.started(0, "lr=1")
    with progress.above():
        handler = logging.StreamHandler()  # as a job's console logging is made: on sys.stderr
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.emit(logging.LogRecord("job", logging.INFO, __file__, 1, "a log line", None, None))
        print("printed", file=sys.stderr)
    assert sys.stderr is stream
    progress.finished(0, "lr=1", "ok", 0.5)
    progress.close()
    progress.note("sweep finished")
    lines = stream.getvalue().split("\n")
    bar = r"\r\033\[K\[[#-]{24}\] \d/2  \d+\.\ds(  running #0)?"
    # each printed line replaces the bar on its line and the bar is drawn again below it
    assert re.fullmatch(bar + r"\r\033\[Ka log line", lines[0])
    assert re.fullmatch(bar + r"\r\033\[Kprinted", lines[1])
    assert re.fullmatch(bar + r"\r\033\[K\[1/2\] ok         0\.5s  #0 lr=1", lines[2])
    assert re.fullmatch(f"({bar})+", lines[3])  # the last bar, on its own line
    assert lines[4:] == ["sweep finished", ""]  # after close: plain lines, no bar redrawn


def test_outcomes_are_plain_records() -> None:
    outcome = JobOutcome(3, "ok", 0.5, elapsed=1.0)
    assert outcome.ok and outcome.extra == {}
