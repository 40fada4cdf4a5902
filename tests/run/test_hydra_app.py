"""A ported Hydra app run both ways, as a user runs it: the task's config without ``hydra:``,
the run values, ``hydra.job_logging``, ``hydra/help`` templates, Hydra's flags, ``hydra.mode``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from apps import env
from trees import write_tree

from instantiate import (
    ConfigError,
    TargetError,
    get_class,
    get_method,
    get_object,
    run_info,
    to_absolute_path,
)

TREE = {
    "conf/app.yaml": """
        defaults:
          - db: mysql
          - _self_
        x: 1
        task_name: app
        paths:
          work_dir: ${hydra:runtime.cwd}
          output_dir: ${hydra:runtime.output_dir}
        hydra:
          run:
            dir: out/run
          sweep:
            dir: out/sweep
            subdir: ${hydra.job.num}
          job_logging:
            handlers:
              file:
                filename: ${hydra.runtime.output_dir}/${task_name}.log
    """,
    "conf/db/mysql.yaml": "user: omry\n",
    "conf/db/pg.yaml": "user: pg\n",
    "conf/debug/default.yaml": """
        # @package _global_
        task_name: debug
        hydra:
          job_logging:
            root:
              level: DEBUG
    """,
    "conf/search/grid.yaml": """
        # @package _global_
        hydra:
          mode: MULTIRUN
          sweeper:
            params:
              db: mysql,pg
    """,
    "conf/custom_logging.yaml": """
        defaults:
          - db: mysql
          - _self_
          - override hydra/job_logging: custom
        x: 2
        hydra:
          run:
            dir: out/custom
    """,
    "conf/hydra/job_logging/custom.yaml": """
        version: 1
        formatters:
          simple:
            format: 'CUSTOM %(levelname)s %(name)s: %(message)s'
        handlers:
          console:
            class: logging.StreamHandler
            formatter: simple
            stream: ext://sys.stdout
        root:
          level: INFO
          handlers: [console]
        disable_existing_loggers: false
    """,
    "conf/with_help.yaml": """
        defaults:
          - db: mysql
          - _self_
          - override hydra/help: mine
        x: 3
    """,
    "conf/hydra/help/mine.yaml": """
        app_name: AwesomeApp
        header: == ${hydra.help.app_name} ==
        footer: Powered by both
        template: |-
          ${hydra.help.header}
          == Configuration groups ==
          $APP_CONFIG_GROUPS
          == Config ==
          $CONFIG
          ${hydra.help.footer}
    """,
    "other/alt.yaml": "alt: true\n",
    "extra/db/sqlite.yaml": "user: sqlite\n",
}

OURS = """
import json, logging, os
from instantiate import main, run_info, get_original_cwd, to_absolute_path

log = logging.getLogger("task")

@main(config_dir="conf", config_name="app")
def task(cfg):
    log.info("hello from the task")
    log.debug("some detail")
    info = run_info()
    seen = {
        "config": cfg.to_dict(resolve=True),
        "has_hydra": "hydra" in cfg,
        "original_cwd": get_original_cwd(),
        "absolute": to_absolute_path("data/x.csv"),
        "dir": str(info.dir),
        "mode": str(info.mode),
        "num": info.get("job_num"),
    }
    print("TASK " + json.dumps(seen), flush=True)
    return 0.5

if __name__ == "__main__":
    task()
"""

HYDRAS = """
import json, logging, os
import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.utils import get_original_cwd, to_absolute_path
from omegaconf import OmegaConf

log = logging.getLogger("task")

@hydra.main(version_base="1.3", config_path="conf", config_name="app")
def task(cfg):
    log.info("hello from the task")
    log.debug("some detail")
    info = HydraConfig.get()
    seen = {
        "config": OmegaConf.to_container(cfg, resolve=True),
        "has_hydra": "hydra" in cfg,
        "original_cwd": get_original_cwd(),
        "absolute": to_absolute_path("data/x.csv"),
        "dir": info.runtime.output_dir,
        "mode": str(info.mode).split(".")[-1],
        "num": info.job.get("num"),
    }
    print("TASK " + json.dumps(seen), flush=True)
    return 0.5

if __name__ == "__main__":
    task()
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("ported"), TREE)
    (root / "ours.py").write_text(OURS.lstrip(), encoding="utf-8")
    (root / "hydras.py").write_text(HYDRAS.lstrip(), encoding="utf-8")
    return root


def run(root: Path, script: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / script), *args],
        cwd=cwd or root,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def seen(done: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line[5:]) for line in done.stdout.splitlines() if line.startswith("TASK ")]


def both(root: Path, *args: str, out: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Our run and Hydra's of the same command line, each in its own output tree."""
    mine = seen(run(root, "ours.py", *args, f"hydra.run.dir={out}/ours", f"hydra.sweep.dir={out}/ours"))
    theirs = seen(run(root, "hydras.py", *args, f"hydra.run.dir={out}/hydra", f"hydra.sweep.dir={out}/hydra"))
    return mine, theirs


def test_a_single_run_resolves_the_task_config_whole_as_hydra_does(project: Path) -> None:
    (mine,), (theirs,) = both(project, out="single")
    assert mine["has_hydra"] is theirs["has_hydra"] is False
    config = dict(mine["config"])  # type: ignore[call-overload]
    assert config.pop("_run_")["choices"]["db"] == "mysql"  # our run values stay reachable as $<run:...>
    assert config == {
        **theirs["config"],  # type: ignore[dict-item]
        "paths": {"work_dir": str(project), "output_dir": str(project / "single/ours")},
    }
    assert theirs["config"]["paths"]["output_dir"] == str(project / "single/hydra")  # type: ignore[index]
    assert mine["original_cwd"] == theirs["original_cwd"] == str(project)
    assert mine["absolute"] == theirs["absolute"] == str(project / "data/x.csv")
    assert (mine["mode"], mine["num"]) == (theirs["mode"], theirs["num"]) == ("RUN", None)
    for who in ("ours", "hydra"):  # the configured log file name, with what the task logged
        log = (project / "single" / who / "app.log").read_text()
        assert "hello from the task" in log and "some detail" not in log


def test_every_sweep_job_resolves_its_config_whole(project: Path) -> None:
    mine, theirs = both(project, "-m", "db=mysql,pg", out="sweep")
    assert [job["config"]["db"] for job in mine] == [job["config"]["db"] for job in theirs]  # type: ignore[index]
    assert [(job["num"], job["mode"]) for job in mine] == [(0, "MULTIRUN"), (1, "MULTIRUN")]
    assert [(job["num"], job["mode"]) for job in theirs] == [(0, "MULTIRUN"), (1, "MULTIRUN")]
    assert [job["dir"] for job in mine] == [str(project / "sweep/ours" / n) for n in ("0", "1")]
    assert (project / "sweep/ours/1/app.log").is_file() and (project / "sweep/hydra/1/app.log").is_file()


def test_a_debug_option_sets_the_log_file_name_and_level(project: Path) -> None:
    both(project, "+debug=default", out="debug")
    for who in ("ours", "hydra"):
        log = (project / "debug" / who / "debug.log").read_text()
        assert "hello from the task" in log and "some detail" in log, who
        assert not (project / "debug" / who / "app.log").exists()


def test_hydra_mode_multirun_in_the_config_starts_the_sweep(project: Path) -> None:
    mine, theirs = both(project, "+search=grid", out="mode")
    assert [job["config"]["db"] for job in mine] == [job["config"]["db"] for job in theirs]  # type: ignore[index]
    assert len(mine) == 2 and all(job["mode"] == "MULTIRUN" for job in mine)
    (single,) = seen(run(project, "ours.py", "+search=grid", "-r", "hydra.run.dir=mode/forced"))
    assert single["mode"] == "RUN"


def test_a_project_job_logging_option_configures_the_run_logging_as_in_hydra(project: Path) -> None:
    mine = run(project, "ours.py", "-cn", "custom_logging")
    theirs = run(project, "hydras.py", "-cn", "custom_logging", "hydra.run.dir=out/custom_hydra")
    line = "CUSTOM INFO task: hello from the task"
    assert line in mine.stdout.splitlines() and line in theirs.stdout.splitlines()
    assert not (project / "out/custom/ours.log").exists()  # the custom option has no file handler


def test_hydra_verbose_logs_debug_lines(project: Path) -> None:
    done = run(project, "ours.py", "hydra.verbose=true", "hydra.run.dir=out/verbose")
    assert "some detail" in done.stdout, done.stderr
    done = run(project, "ours.py", "hydra.verbose=[task]", "hydra.run.dir=out/verbose_named")
    assert "some detail" in done.stdout, done.stderr


def test_a_help_template_drives_help_exactly_as_in_hydra(project: Path) -> None:
    mine = run(project, "ours.py", "-cn", "with_help", "--help")
    theirs = run(project, "hydras.py", "-cn", "with_help", "--help")
    assert mine.returncode == theirs.returncode == 0, mine.stderr
    assert mine.stdout == theirs.stdout
    assert mine.stdout.startswith("== AwesomeApp ==\n== Configuration groups ==\ndb: mysql, pg\n")


def test_hydras_config_flags(project: Path) -> None:
    mine = run(project, "ours.py", "-c", "job", "-p", "db", "db=pg")
    theirs = run(project, "hydras.py", "-c", "job", "-p", "db", "db=pg")
    assert mine.stdout == theirs.stdout == "# @package db\nuser: pg\n"
    keys = {
        app: list(yaml.safe_load(run(project, app, "--cfg", "all").stdout))
        for app in ("ours.py", "hydras.py")
    }
    assert (
        keys["ours.py"]
        == [*keys["hydras.py"], "_run_"]
        == ["hydra", "db", "x", "task_name", "paths", "_run_"]
    )
    hydra_section = run(project, "ours.py", "--cfg", "hydra").stdout
    assert "subdir: ${hydra.job.num}" in hydra_section and "x: 1" not in hydra_section
    assert run(project, "ours.py", "-cp", "other", "-cn", "alt", "--cfg", "job").stdout == "alt: true\n"
    extra = run(project, "ours.py", "-cd", "extra", "db=sqlite", "--cfg", "job", "-p", "db.user")
    assert extra.stdout.strip() == "sqlite", extra.stderr
    version = run(project, "ours.py", "--version")
    assert version.returncode == 0 and version.stdout.startswith("instantiate ")
    assert "--config-name" in run(project, "ours.py", "--hydra-help").stdout


@pytest.mark.parametrize(
    ("which", "present", "absent"),
    [
        ("searchpath", "Config search path:", "Defaults tree:"),
        ("defaults-tree", "Defaults tree:", "Merged in this order"),
        ("defaults", "Merged in this order", "Defaults tree:"),
        ("plugins", "launchers: basic, processes", "Config search path:"),
        ("config", "Config:\ndb:\n  user: omry", "Plugins:"),
    ],
)
def test_info_sub_options_print_only_their_part(project: Path, which: str, present: str, absent: str) -> None:
    done = run(project, "ours.py", "--info", which)
    assert done.returncode == 0, done.stderr
    assert present in done.stdout and absent not in done.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("-cd", "nowhere"), "--config-dir 'nowhere': there is no directory"),
        (("--cfg", "job", "-p", "db.nope"), "--package 'db.nope': the job config has no such key"),
        (("hydra.mode=SOMETIMES",), "the run mode is RUN or MULTIRUN, not 'SOMETIMES'"),
        (("hydra.verbose=3",), "hydra.verbose is true, false, a logger name or a list of them"),
        (("hydra.job_logging.handlers.file.class=no.such.Handler",), "hydra.job_logging does not configure"),
        (("-cn", "nope"), "cannot find the primary config 'nope'"),
    ],
)
def test_bad_flags_and_settings_say_what_is_wrong(
    project: Path, args: tuple[str, ...], fragment: str
) -> None:
    done = run(project, "ours.py", *args, "hydra.run.dir=out/bad")
    assert done.returncode == 1 and fragment in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_the_helpers_outside_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="only set inside a run"):
        run_info()
    monkeypatch.chdir(tmp_path)
    assert to_absolute_path("a/b") == str(tmp_path / "a/b")
    assert to_absolute_path("/x/y") == "/x/y"
    assert get_class("collections.OrderedDict").__name__ == "OrderedDict"
    assert get_method("os.path.join")("a", "b") == "a/b"
    assert get_object("math.pi") > 3
    with pytest.raises(TargetError, match="not a class"):
        get_class("os.path.join")
    with pytest.raises(TargetError, match="cannot be called"):
        get_method("math.pi")
    with pytest.raises(TargetError):
        get_object("no_such_module_here.x")
