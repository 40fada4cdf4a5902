"""The run's log: console and ``<name>.log``, the same whether the task imports ``logging`` or not."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from apps import env, run_dirs, write_app

from instantiate import ConfigError
from instantiate._run.run_log import run_logging

STAMP = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\]"


def run(root: Path, script: str) -> tuple[str, str]:
    """Run ``script`` as train.py in ``root``: its stderr, and the text of its run's log file."""
    write_app(root, script=script)
    done = subprocess.run(
        [sys.executable, "train.py"], cwd=root, env=env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    (directory,) = run_dirs(root)
    return done.stderr, (directory / "train.log").read_text(encoding="utf-8")


NO_LOGGING = """
import sys
from instantiate import main

@main(config_dir="conf", config_name="train")
def train(cfg):
    print("LOGGING", "logging" in sys.modules)

train()
"""

LATE_LOGGING = """
from instantiate import main

@main(config_dir="conf", config_name="train")
def train(cfg):
    import logging

    logging.getLogger("task").info("lr is %s", cfg.optimizer.lr)
    logging.getLogger("task").debug("not shown at INFO")
    import logging.handlers  # a submodule later: nothing set up twice

    logging.getLogger("task").warning("done")

train()
"""

EARLY_LOGGING = "import logging\n" + LATE_LOGGING


def lines_of(text: str) -> list[str]:
    """The log's lines without their time stamps."""
    return [re.sub(f"^{STAMP}", "[T]", line) for line in text.splitlines()]


def test_a_task_without_logging_still_gets_the_run_line_and_never_imports_logging(tmp_path: Path) -> None:
    write_app(tmp_path, script=NO_LOGGING)
    # -S: no site start-up, whose .pth files may import logging before anything of ours runs
    paths = os.pathsep.join([env()["PYTHONPATH"], *(p for p in sys.path if p.endswith("site-packages"))])
    done = subprocess.run(
        [sys.executable, "-S", "train.py"],
        cwd=tmp_path,
        env={**env(), "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "LOGGING False" in done.stdout
    (directory,) = run_dirs(tmp_path)
    log = (directory / "train.log").read_text(encoding="utf-8")
    line = f"{STAMP}\\[instantiate.run\\]\\[INFO\\] - run train in {re.escape(str(directory))}\n"
    assert re.fullmatch(line, log)
    assert done.stderr == log  # the console shows the same line


def test_logging_imported_during_the_task_logs_as_if_set_up_from_the_start(tmp_path: Path) -> None:
    late_console, late_log = run(tmp_path / "late", LATE_LOGGING)
    early_console, early_log = run(tmp_path / "early", EARLY_LOGGING)
    expected = [
        "[T][instantiate.run][INFO] - run train in {dir}",
        "[T][task][INFO] - lr is 0.1",
        "[T][task][WARNING] - done",
    ]
    for console, log, name in ((late_console, late_log, "late"), (early_console, early_log, "early")):
        (directory,) = run_dirs(tmp_path / name)
        assert lines_of(log) == [line.format(dir=directory) for line in expected]
        assert lines_of(console) == lines_of(log)


def test_the_run_line_follows_the_log_level(tmp_path: Path) -> None:
    script = NO_LOGGING.replace("\ntrain()\n", "\nsys.argv[1:] = ['_run_.log_level=WARNING']\ntrain()\n")
    stderr, log = run(tmp_path, script)
    assert (stderr, log) == ("", "")


def test_the_import_watch_is_gone_after_the_run(tmp_path: Path) -> None:
    before = list(sys.meta_path)
    with run_logging(tmp_path / "job.log"):
        pass
    assert sys.meta_path == before


def test_run_logging_writes_the_file_and_restores_logging(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    with run_logging(tmp_path / "job.log", "DEBUG") as log:
        log.info("hello")
        logging.getLogger("x.y").debug("detail")
        assert root.level == logging.DEBUG
    assert (list(root.handlers), root.level) == before
    text = (tmp_path / "job.log").read_text()
    assert "[instantiate.run][INFO] - hello" in text
    assert "[x.y][DEBUG] - detail" in text


def test_run_logging_adds_no_console_when_there_is_one(tmp_path: Path) -> None:
    root = logging.getLogger()
    console = logging.StreamHandler(sys.stderr)
    root.addHandler(console)
    try:
        with run_logging(tmp_path / "job.log"):
            added = [h for h in root.handlers if isinstance(h, logging.StreamHandler) and h is not console]
            assert [type(h) for h in added if h.stream in (sys.stderr, sys.stdout)] == []
            assert any(isinstance(h, logging.FileHandler) for h in added)
    finally:
        root.removeHandler(console)


def test_a_bad_log_level_leaves_logging_as_it_was(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    with (
        pytest.raises(ConfigError, match="unknown log level 'LOUD'"),
        run_logging(tmp_path / "job.log", "LOUD"),
    ):
        pass  # pragma: no cover
    assert (list(root.handlers), root.level) == before
