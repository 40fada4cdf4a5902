"""Sweeps that would never end or take the machine down are refused before they are expanded;
the basic launcher's summary is true after each job, even when a job kills the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from trees import write_tree

from instantiate import ConfigError, OverrideError, main
from instantiate._compose.searchpath import Repository
from instantiate._run.sweep_points import MAX_JOBS, cartesian, max_jobs, sweep_entries

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_tree(tmp_path / "conf", {"train.yaml": "a: 0\nb: 0\n"})


def plan(conf: Path, overrides: list[str]) -> int:
    app = main(config_dir=str(conf), config_name="train")(lambda cfg: None).app
    repo = Repository.from_search_path(app.config_dir, None)
    entries, base = sweep_entries(app, overrides, repo)
    return len(cartesian(entries, repo, max_jobs(base)))


def test_a_sweep_over_the_bound_is_refused_before_it_is_expanded(conf: Path) -> None:
    assert MAX_JOBS == 100_000
    with pytest.raises(ConfigError, match="1,000,000 jobs, more than the 100,000 allowed") as info:
        plan(conf, ["a=range(0,1000)", "b=range(0,1000)"])
    assert info.value.path == "_run_.max_jobs"
    with pytest.raises(ConfigError, match="6 jobs, more than the 5 allowed"):
        plan(conf, ["a=1,2,3", "b=1,2", "++_run_.max_jobs=5"])
    assert plan(conf, ["a=1,2,3", "b=1,2", "++_run_.max_jobs=6"]) == 6
    with pytest.raises(ConfigError, match="positive integer"):
        plan(conf, ["a=1,2", "++_run_.max_jobs=0"])


def test_an_absurd_range_fails_at_once(conf: Path) -> None:
    with pytest.raises(OverrideError, match="more than any sweep can run"):
        plan(conf, ["a=range(0,1e300,1e-300)"])
    with pytest.raises(OverrideError, match="no values"):
        plan(conf, ["a=range(5,0)"])


APP = """
import os
from pathlib import Path
from typing import Any
from instantiate import main

@main(config_dir="conf", config_name="train")
def train(cfg):
    if cfg.a == 3:
        os._exit(9)
    Path(cfg["_run_"]["dir"], "result.txt").write_text(str(cfg.a))

if __name__ == "__main__":
    train()
"""


def test_the_basic_launchers_summary_is_true_after_a_job_kills_the_process(tmp_path: Path) -> None:
    write_tree(tmp_path, {"conf/train.yaml": "a: 0\n", "train.py": APP})
    done = subprocess.run(
        [sys.executable, "train.py", "-m", "a=1,2,3,4", "--launcher", "basic"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr
    (found,) = tmp_path.glob("multirun/*/*/summary.yaml")
    jobs = yaml.safe_load(found.read_text())["jobs"]
    assert [job["status"] for job in jobs] == ["ok", "ok", "running", "not run"]
    for job in jobs[:2]:
        assert (Path(job["directory"]) / "result.txt").exists()


def test_optuna_trials_over_the_bound_are_refused_before_any_runs(conf: Path) -> None:
    pytest.importorskip("optuna", reason="optuna is not installed: pip install 'instantiate[optuna]'")
    from instantiate._run.multirun import run_sweep

    ran: list[Any] = []
    app = main(config_dir=str(conf), config_name="train")(ran.append).app
    overrides = ["a=choice(1,2)", "++_run_.sweeper=optuna", "++_run_.optuna.n_trials=10"]
    with pytest.raises(ConfigError, match="10 trials, more than the 5 jobs"):
        run_sweep(app, [*overrides, "++_run_.max_jobs=5"])
    assert ran == []
