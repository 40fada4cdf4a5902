"""Jobs: prepared with their record in a run directory, executed with log, allow-list and cwd."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml
from apps import write_app

from instantiate import Config, TargetError, instantiate, main
from instantiate._run.jobs import Job, execute
from instantiate._run.rundir import new_directory


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return write_app(tmp_path) / "conf"


def build_model(cfg: Config) -> Any:
    logging.getLogger("task").info("building %s", cfg.model.name)
    logging.getLogger("task").debug("debugging")
    return instantiate(cfg.model), os.getcwd()


def prepared(conf: Path, overrides: list[str], **kwargs: Any) -> Job:
    app = main(config_dir=conf, config_name="train")(build_model).app  # type: ignore[attr-defined]
    cfg = app.compose(overrides)
    directory = new_directory(conf.parent / "runs" / "%Y")
    return Job.prepare(app, cfg, overrides, directory, **kwargs)


def test_prepare_writes_the_record(conf: Path) -> None:
    job = prepared(conf, ["model=big", "seed=3"])
    directory = Path(job.directory)
    assert sorted(p.name for p in directory.iterdir()) == ["config.yaml", "overrides.yaml", "run.yaml"]
    config = yaml.safe_load((directory / "config.yaml").read_text())
    assert "_run_" not in config
    assert (config["seed"], config["model"]["name"]) == (3, "big")
    assert config["paths"]["run_dir"] == "$<run:dir>"
    run = yaml.safe_load((directory / "run.yaml").read_text())["_run_"]
    assert (run["dir"], run["name"], run["overrides"]) == (
        str(directory),
        "build_model",
        ["model=big", "seed=3"],
    )
    assert yaml.safe_load((directory / "overrides.yaml").read_text()) == ["model=big", "seed=3"]
    assert (job.name, job.chdir, job.log_level, job.index) == ("build_model", False, logging.INFO, None)
    assert job.config._run_.dir == str(directory)  # the task reads $<run:dir> from it
    assert job.config.paths.run_dir == str(directory)


def test_prepare_takes_chdir_level_and_index(conf: Path) -> None:
    job = prepared(conf, ["_run_.chdir=true", "_run_.log_level=WARNING"], index=4)
    assert (job.chdir, job.log_level, job.index) == (True, logging.WARNING, 4)
    assert job.config._run_.job_index == 4
    assert prepared(conf, ["_run_.log_level=WARNING"], verbose=True).log_level == logging.DEBUG


def test_execute_logs_to_the_run_directory(conf: Path) -> None:
    job = prepared(conf, [])
    model, cwd = execute(job)
    assert model == {"name": "small", "hidden": 16}
    assert cwd == os.getcwd() != job.directory
    log = (Path(job.directory) / "build_model.log").read_text()
    assert f"run build_model in {job.directory}" in log
    assert "[task][INFO] - building small" in log
    assert "debugging" not in log


def test_execute_changes_directory_only_when_asked_and_comes_back(conf: Path) -> None:
    here = os.getcwd()
    job = prepared(conf, ["_run_.chdir=true"])
    _, cwd = execute(job)
    assert cwd == job.directory
    assert os.getcwd() == here


def test_execute_applies_the_allow_list(conf: Path) -> None:
    job = prepared(conf, [], allow=["collections.*"])
    with pytest.raises(TargetError, match=r"builtins\.dict is not allowed"):
        execute(job)
    assert execute(prepared(conf, [], allow=["builtins.*"]))[0]["name"] == "small"


def test_a_failing_task_leaves_logging_and_cwd_as_they_were(conf: Path) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level, os.getcwd())
    job = prepared(conf, ["_run_.chdir=true", "model._target_=no.such.thing"])
    with pytest.raises(TargetError):
        execute(job)
    assert (list(root.handlers), root.level, os.getcwd()) == before


def test_a_job_pickles(conf: Path) -> None:
    job = prepared(conf, ["model=big"])
    job.task = len  # a module-level callable, as a decorated task is
    copy = pickle.loads(pickle.dumps(job))
    assert copy.config.model.name == "big"
    assert copy.config.paths.run_dir == job.directory
