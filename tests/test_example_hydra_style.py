"""examples/hydra_style runs as its README says: each single-run command trains, and its run is recorded."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "examples" / "hydra_style" / "train.py"
EPOCH = re.compile(r"\]\[__main__\]\[INFO\] - epoch\s+(\d+)\s+loss ([\d.]+)$", re.M)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # one torch thread: on a shared 2-core machine a tiny model trains many times faster
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def the_run(cwd: Path) -> Path:
    dirs = [p.parent for p in (cwd / "outputs").rglob("run.yaml")]
    assert len(dirs) == 1, dirs
    return dirs[0]


@pytest.mark.parametrize(
    ("args", "choices", "lr", "epochs"),
    [
        ([], {"model": "small", "optimizer": "adam", "data": "synthetic"}, 0.01, 15),
        (
            ["model=big", "optimizer.lr=0.01"],
            {"model": "big", "optimizer": "adam", "data": "synthetic"},
            0.01,
            15,
        ),
        (
            ["+experiment=wide"],
            {"model": "big", "optimizer": "adam", "data": "synthetic", "experiment": "wide"},
            0.003,
            20,
        ),
        (["optimizer=sgd"], {"model": "small", "optimizer": "sgd", "data": "synthetic"}, 0.05, 15),
    ],
)
def test_a_run_trains_and_records_itself(
    tmp_path: Path, args: list[str], choices: dict[str, str], lr: float, epochs: int
) -> None:
    pytest.importorskip("torch")
    done = run(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    directory = the_run(tmp_path)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d/\d\d-\d\d-\d\d", directory.relative_to(tmp_path / "outputs").as_posix()
    )
    assert sorted(p.name for p in directory.iterdir()) == [
        "config.yaml",
        "overrides.yaml",
        "run.yaml",
        "train.log",
    ]

    log = (directory / "train.log").read_text()
    losses = [float(loss) for _, loss in EPOCH.findall(log)]
    assert len(losses) == epochs, log
    assert losses[-1] < losses[0] / 5, losses  # it learns
    assert f"done: loss {losses[-1]:.4f}, run directory {directory}" in log
    assert all(line in done.stderr for line in log.splitlines())  # the console shows the same lines

    config = yaml.safe_load((directory / "config.yaml").read_text())
    assert "_run_" not in config
    assert config["optimizer"]["lr"] == lr and config["epochs"] == epochs
    assert config["model"]["_args_"][0]["in_features"] == "$<data.features>"  # as written
    run_record = yaml.safe_load((directory / "run.yaml").read_text())["_run_"]
    assert run_record["choices"] == choices
    assert run_record["sweep"] == {"optimizer.lr": "0.1,0.01,0.001", "model": "small,big"}
    assert yaml.safe_load((directory / "overrides.yaml").read_text()) == args


def test_cfg_info_and_help(tmp_path: Path) -> None:
    done = run(tmp_path, "--cfg", "job", "model=big")
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout)
    assert list(printed) == ["model", "optimizer", "data", "loss", "epochs", "seed"]
    assert printed["model"]["_args_"][2]["in_features"] == "$<..[0].out_features>"

    done = run(tmp_path, "--cfg", "job", "--resolve", "model=big")
    assert yaml.safe_load(done.stdout)["model"]["_args_"][2]["in_features"] == 128

    done = run(tmp_path, "--info", "+experiment=wide")
    assert done.returncode == 0, done.stderr
    assert "model: big   (chosen by" in done.stdout and "experiment/wide.yaml:4)" in done.stdout
    assert "experiment: wide   (chosen by +experiment=wide)" in done.stdout

    done = run(tmp_path, "--help")
    assert "  model: big, small\n  optimizer: adam, sgd" in done.stdout
    assert not (tmp_path / "outputs").exists()
