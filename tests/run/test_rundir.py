"""Run directories: a new one per run, never reused, also when runs start in the same second."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from apps import RUN_DIR, env, run_dirs, write_app

from instantiate import Config, ConfigError
from instantiate._run.rundir import (
    DEFAULT_RUN_DIR,
    new_directory,
    working_directory,
    write_record,
)

NOON = datetime(2024, 5, 17, 12, 30, 5)


def test_the_default_pattern_is_dated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    made = new_directory(DEFAULT_RUN_DIR, now=NOON)
    assert made == tmp_path / "outputs" / "2024-05-17" / "12-30-05"
    assert made.is_dir() and made.is_absolute()


def test_an_existing_directory_gets_a_suffix_and_is_never_reused(tmp_path: Path) -> None:
    pattern = tmp_path / "runs" / "%H-%M-%S"
    made = [new_directory(pattern, now=NOON) for _ in range(3)]
    assert [p.name for p in made] == ["12-30-05", "12-30-05_1", "12-30-05_2"]
    (made[0] / "keep.txt").write_text("mine")
    assert new_directory(pattern, now=NOON).name == "12-30-05_3"
    assert (made[0] / "keep.txt").read_text() == "mine"


def test_a_directory_that_cannot_be_made_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="cannot create the run directory's parent"):
        new_directory(tmp_path / "file" / "run")


@pytest.mark.parametrize("pattern", [".", "./", ".."])
def test_a_pattern_without_a_name_is_refused_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="run directory"):
        new_directory(pattern)


def test_the_record_is_never_overwritten(tmp_path: Path) -> None:
    write_record(tmp_path, Config({"a": 1}), Config({"_run_": {}}), ["a=1"])
    assert yaml.safe_load((tmp_path / "overrides.yaml").read_text()) == ["a=1"]
    with pytest.raises(FileExistsError):
        write_record(tmp_path, Config({"a": 2}), Config({"_run_": {}}), ["a=2"])
    assert (tmp_path / "config.yaml").read_text() == "a: 1\n"


def test_working_directory_comes_back_after_an_error(tmp_path: Path) -> None:
    here = os.getcwd()
    with pytest.raises(RuntimeError), working_directory(tmp_path):
        assert os.getcwd() == str(tmp_path)
        raise RuntimeError
    assert os.getcwd() == here
    with working_directory(None):
        assert os.getcwd() == here


@pytest.mark.parametrize("same_name", [False, True])
def test_five_runs_started_together_get_five_directories(tmp_path: Path, same_name: bool) -> None:
    """Started in the same second, each run still gets its own directory and its own record.

    With ``same_name`` all five ask for one directory, so they certainly collide.
    """
    write_app(tmp_path)
    extra = ["_run_.dir=outputs/fixed/together"] if same_name else []
    runs = [
        subprocess.Popen(
            [sys.executable, "train.py", f"seed={i}", *extra],
            cwd=tmp_path,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(5)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    dirs = run_dirs(tmp_path)
    assert len(dirs) == 5, dirs
    if same_name:
        names = ["together", "together_1", "together_2", "together_3", "together_4"]
        assert [d.name for d in dirs] == names
    else:
        assert all(RUN_DIR.match(d.relative_to(tmp_path).as_posix()) for d in dirs)
    seeds = sorted(yaml.safe_load((d / "config.yaml").read_text())["seed"] for d in dirs)
    assert seeds == [0, 1, 2, 3, 4]  # each directory holds its own run's config, none overwritten
    for d in dirs:
        run = yaml.safe_load((d / "run.yaml").read_text())["_run_"]
        assert run["dir"] == str(d)
        assert yaml.safe_load((d / "overrides.yaml").read_text()) == run["overrides"]
        log = (d / "train.log").read_text()
        assert log.count("training small") == 1 and f"run train in {d}\n" in log
