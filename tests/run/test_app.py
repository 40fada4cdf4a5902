"""``@main`` programs run as a user runs them: a subprocess in a project directory, plus in-process App."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import yaml
from apps import APP_TREE, RUN_DIR, TASK, returned, run_app, run_dirs, task_saw, write_app

from instantiate import Config, ConfigError, TargetError, instantiate, main

RECORD = ["config.yaml", "overrides.yaml", "run.yaml", "train.log"]
JOB_CONFIG = {
    "model": {"_target_": "builtins.dict", "name": "small", "hidden": 16},
    "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9},
    "data": {"features": 8, "hidden": "$<model.hidden>"},
    "seed": 0,
    "epochs": 2,
    "paths": {
        "run_dir": "$<run:dir>",
        "run_name": "$<run:name>",
        "output_dir": "${hydra:runtime.output_dir}",
        "job_name": "${hydra:job.name}",
        "model_choice": "${hydra:runtime.choices.model}",
    },
}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_app(tmp_path)


def only_run_dir(root: Path, base: str = "outputs") -> Path:
    dirs = run_dirs(root, base)
    assert len(dirs) == 1, dirs
    return dirs[0]


# -- one run and its directory ----------------------------------------------------------------
def test_a_run_gets_a_dated_directory_with_config_run_overrides_and_log(app: Path) -> None:
    done = run_app(app, "model=big", "optimizer.lr=0.5")
    assert done.returncode == 0, done.stderr
    directory = only_run_dir(app)
    assert RUN_DIR.match(directory.relative_to(app).as_posix()), directory
    assert sorted(p.name for p in directory.iterdir()) == RECORD

    job = yaml.safe_load((directory / "config.yaml").read_text())
    expected = {**JOB_CONFIG, "model": {"_target_": "builtins.dict", "name": "big", "hidden": 256}}
    expected["optimizer"] = {**JOB_CONFIG["optimizer"], "lr": 0.5}
    assert job == expected  # composed, no _run_, interpolations as written

    run = yaml.safe_load((directory / "run.yaml").read_text())["_run_"]
    assert run["choices"] == {"model": "big", "optimizer": "sgd", "data": "synthetic"}
    assert run["name"] == "train"
    assert run["config_name"] == "train"
    assert run["dir"] == str(directory)
    assert run["overrides"] == ["model=big", "optimizer.lr=0.5"]
    assert yaml.safe_load((directory / "overrides.yaml").read_text()) == ["model=big", "optimizer.lr=0.5"]

    log = (directory / "train.log").read_text()
    assert "[task][INFO] - training big with lr 0.5" in log
    assert "debug details" not in log
    assert "training big with lr 0.5" in done.stderr  # the console gets the same lines


def test_the_task_sees_run_values_and_an_unchanged_working_directory(app: Path) -> None:
    done = run_app(app)
    assert done.returncode == 0, done.stderr
    directory = only_run_dir(app)
    seen = task_saw(done)
    assert seen["cwd"] == str(app)
    assert seen["model"] == {"name": "small", "hidden": 16}
    assert seen["paths"] == {
        "run_dir": str(directory),
        "run_name": "train",
        "output_dir": str(directory),
        "job_name": "train",
        "model_choice": "small",
    }


def test_the_task_return_value_comes_back_from_the_call(app: Path) -> None:
    done = run_app(app, "+experiment=wide")
    assert done.returncode == 0, done.stderr
    assert returned(done) == {"model": "big", "lr": 0.01}
    seen = task_saw(done)
    assert (seen["seed"], seen["paths"]["model_choice"]) == (7, "big")
    run = yaml.safe_load((only_run_dir(app) / "run.yaml").read_text())["_run_"]
    assert run["choices"] == {"model": "big", "optimizer": "adam", "data": "synthetic", "experiment": "wide"}


@pytest.mark.parametrize(
    "how",
    [
        ["_run_.chdir=true"],
        ["hydra.job.chdir=true"],
        ["--run-dir", "elsewhere/run", "_run_.chdir=true"],
    ],
)
def test_the_working_directory_changes_only_when_asked(app: Path, how: list[str]) -> None:
    done = run_app(app, *how)
    assert done.returncode == 0, done.stderr
    base = "elsewhere" if "--run-dir" in how else "outputs"
    directory = only_run_dir(app, base)
    assert task_saw(done)["cwd"] == str(directory)


def test_a_ported_hydra_section_sets_directory_and_chdir(tmp_path: Path) -> None:
    train = (
        "defaults:\n  - model: small\n  - optimizer: sgd\n  - data: synthetic\n  - _self_\n"
        "seed: 0\npaths:\n  output_dir: ${hydra:runtime.output_dir}\n  job_name: ${hydra:job.name}\n"
        "hydra:\n  run:\n    dir: outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}\n  job:\n    chdir: true\n"
    )
    write_app(tmp_path, {"conf/train.yaml": train})
    done = run_app(tmp_path)
    assert done.returncode == 0, done.stderr
    directory = only_run_dir(tmp_path)
    assert RUN_DIR.match(directory.relative_to(tmp_path).as_posix())
    seen = task_saw(done)
    assert seen["cwd"] == str(directory)
    assert seen["paths"] == {"output_dir": str(directory), "job_name": "train"}


def test_a_ported_hydra_section_is_not_part_of_the_job_config(tmp_path: Path) -> None:
    train = dedent(APP_TREE["conf/train.yaml"]) + "hydra:\n  job:\n    chdir: false\n"
    write_app(tmp_path, {"conf/train.yaml": train})
    assert "hydra" not in yaml.safe_load(run_app(tmp_path, "--cfg", "job").stdout.split("RETURNED")[0])
    assert run_app(tmp_path).returncode == 0
    assert "hydra" not in yaml.safe_load((only_run_dir(tmp_path) / "config.yaml").read_text())


def test_hydra_runtime_nodes_resolve_in_a_ported_run_dir(app: Path) -> None:
    done = run_app(app, "hydra.run.dir=runs/${hydra.job.name}")
    assert done.returncode == 0, done.stderr
    assert only_run_dir(app, "runs") == app / "runs" / "train"


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--run-dir", "runs/first"], r"runs/first"),
        (["_run_.dir=runs/%Y/%m-%d/x"], r"runs/\d{4}/\d\d-\d\d/x"),
        (["_run_.dir=runs/$<now:%Y-%m-%d>/y"], r"runs/\d{4}-\d\d-\d\d/y"),
        (["_run_.dir=runs/${now:%H-%M-%S}"], r"runs/\d\d-\d\d-\d\d"),
        (["_run_.dir=runs/$<run:name>/$<run:choices.model>"], r"runs/train/small"),
        (["hydra.run.dir=runs/${hydra:job.name}/${now:%Y-%m-%d}"], r"runs/train/\d{4}-\d\d-\d\d"),
        (["--run-dir", "runs/flag", "_run_.dir=runs/setting"], r"runs/flag"),
    ],
)
def test_where_the_run_directory_is(app: Path, args: list[str], pattern: str) -> None:
    import re

    done = run_app(app, *args)
    assert done.returncode == 0, done.stderr
    directory = only_run_dir(app, "runs")
    assert re.fullmatch(pattern, directory.relative_to(app).as_posix()), directory
    assert task_saw(done)["paths"]["run_dir"] == str(directory)
    assert not (app / "outputs").exists()


@pytest.mark.parametrize("override", ["_run_.name=exp1", "hydra.job.name=exp1"])
def test_the_run_can_be_renamed(app: Path, override: str) -> None:
    done = run_app(app, override)
    assert done.returncode == 0, done.stderr
    directory = only_run_dir(app)
    assert (directory / "exp1.log").is_file() and not (directory / "train.log").exists()
    paths = task_saw(done)["paths"]
    assert (paths["run_name"], paths["job_name"]) == ("exp1", "exp1")
    assert yaml.safe_load((directory / "run.yaml").read_text())["_run_"]["name"] == "exp1"


def test_a_run_directory_given_twice_is_not_reused(app: Path) -> None:
    for _ in range(2):
        assert run_app(app, "--run-dir", "runs/same").returncode == 0
    assert [d.name for d in run_dirs(app, "runs")] == ["same", "same_1"]


# -- printing instead of running --------------------------------------------------------------
def test_cfg_job_prints_the_job_config_without_run_and_unresolved(app: Path) -> None:
    done = run_app(app, "--cfg", "job")
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout.split("RETURNED")[0]) == JOB_CONFIG
    assert not (app / "outputs").exists()  # printing makes no run


def test_cfg_all_adds_the_run_section(app: Path) -> None:
    done = run_app(app, "--cfg", "all", "model=big")
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout.split("RETURNED")[0])
    run = printed.pop("_run_")
    assert run["choices"] == {"model": "big", "optimizer": "sgd", "data": "synthetic"}
    assert (run["name"], run["config_name"], run["overrides"]) == ("train", "train", ["model=big"])
    assert printed["model"]["name"] == "big"


def test_cfg_with_resolve_shows_what_the_task_would_read(app: Path) -> None:
    done = run_app(app, "--cfg", "job", "--resolve", "+experiment=wide")
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout.split("RETURNED")[0])
    assert "_run_" not in printed
    assert printed["data"]["hidden"] == 256
    paths = printed["paths"]
    assert (paths["run_name"], paths["job_name"], paths["model_choice"]) == ("train", "train", "big")
    # the directory a run started now would get; printing creates nothing
    assert RUN_DIR.match(Path(paths["run_dir"]).relative_to(app).as_posix()), paths
    assert paths["output_dir"] == paths["run_dir"]
    assert not (app / "outputs").exists()

    done = run_app(app, "--cfg", "all", "--resolve", "--run-dir", "runs/x")
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout.split("RETURNED")[0])
    assert printed["_run_"]["dir"] == printed["paths"]["run_dir"] == str(app / "runs" / "x")


def test_info_shows_search_path_defaults_tree_merge_order_and_choices(app: Path) -> None:
    done = run_app(app, "--info", "+experiment=wide", "optimizer=sgd")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    conf = app / "conf"
    assert f"Config search path:\n    {conf} (directory)" in out
    tree = out.split("Defaults tree:\n")[1].split("\n\n")[0].splitlines()
    assert tree[0].strip() == "train"
    assert f"        model: big   (chosen by {conf}/experiment/wide.yaml:3)" in tree
    assert any(line.strip().startswith("experiment: wide") and "+experiment=wide" in line for line in tree)
    assert any(line.strip().startswith("optimizer: sgd") and "optimizer=sgd" in line for line in tree)
    merged = out.split("Merged in this order (later wins):\n")[1].split("\n\n")[0]
    assert merged.index("model/big") < merged.index("train -> <root>") < merged.index("experiment/wide")
    assert f"({conf}/experiment/wide.yaml)" in merged
    choices = out.split("Choices:\n")[1]
    assert "    model: big\n    optimizer: sgd\n    data: synthetic\n    experiment: wide" in choices


def test_help_lists_flags_groups_and_options(app: Path) -> None:
    done = run_app(app, "--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for flag in (
        "--cfg",
        "--resolve",
        "--info",
        "--multirun",
        "--run-dir",
        "--allow",
        "--verbose",
        "--traceback",
    ):
        assert flag in out
    assert "--complete" not in out  # the shell's helper, not for people
    groups = out.split("Config groups")[1]
    assert "  data: synthetic\n  experiment: wide\n  model: big, small\n  optimizer: adam, sgd" in groups
    assert not (app / "outputs").exists()


def test_version_flag_prints_the_version_and_runs_nothing(app: Path) -> None:
    import instantiate

    done = run_app(app, "--version")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first == f"instantiate {instantiate.__version__} (distribution instantiate-config)"
    assert "TASK" not in done.stdout  # the task did not run
    assert "unknown" not in done.stdout
    assert not (app / "outputs").exists()


def test_a_ported_searchpath_counts_for_help_info_and_completion(tmp_path: Path) -> None:
    train = dedent(APP_TREE["conf/train.yaml"]) + f"hydra:\n  searchpath: [file://{tmp_path}/extra]\n"
    write_app(tmp_path, {"conf/train.yaml": train, "extra/model/huge.yaml": "name: huge\nhidden: 1024\n"})
    done = run_app(tmp_path, "model=huge")
    assert done.returncode == 0, done.stderr
    assert task_saw(done)["model"] == {"name": "huge", "hidden": 1024}
    assert "  model: big, huge, small" in run_app(tmp_path, "--help").stdout
    info = run_app(tmp_path, "--info", "model=huge")
    assert info.returncode == 0, info.stderr
    assert f"{tmp_path}/extra (directory)" in info.stdout
    assert f"model/huge -> model  ({tmp_path}/extra/model/huge.yaml)" in info.stdout
    assert run_app(tmp_path, "--complete", "model=h").stdout == "model=huge\n"


# -- logging ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "debug", "info"),
    [
        ([], False, True),
        (["-v"], True, True),
        (["_run_.log_level=DEBUG"], True, True),
        (["_run_.log_level=warning"], False, False),
        (["hydra.job_logging.root.level=DEBUG"], True, True),
    ],
)
def test_log_level(app: Path, args: list[str], debug: bool, info: bool) -> None:
    done = run_app(app, *args)
    assert done.returncode == 0, done.stderr
    log = (only_run_dir(app) / "train.log").read_text()
    assert ("[task][DEBUG] - debug details" in log) is debug
    assert ("[task][INFO] - training small" in log) is info


def test_a_script_that_configured_logging_gets_each_line_once(tmp_path: Path) -> None:
    main_block = 'if __name__ == "__main__":\n'
    script = TASK.replace(main_block, main_block + "    logging.basicConfig()\n")
    write_app(tmp_path, script=script)
    done = run_app(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("training small with lr 0.1") == 1, done.stderr  # its own handler, not ours too
    assert "training small with lr 0.1" in (only_run_dir(tmp_path) / "train.log").read_text()


def test_an_unknown_log_level_fails_before_making_a_directory(app: Path) -> None:
    done = run_app(app, "_run_.log_level=LOUD")
    assert done.returncode == 1
    assert done.stderr.startswith("error: _run_.log_level"), done.stderr
    assert "unknown log level 'LOUD'" in done.stderr
    assert not (app / "outputs").exists()


# -- allowed targets --------------------------------------------------------------------------
def allowing(*patterns: str) -> str:
    return TASK.replace('config_name="train")', f'config_name="train", allow={list(patterns)!r})')


def test_allow_flag_refuses_a_target_the_task_builds(app: Path) -> None:
    done = run_app(app, "--allow", "collections.*")
    assert done.returncode == 1
    assert "target builtins.dict is not allowed here" in done.stderr
    assert "allowed: collections.*" in done.stderr
    assert "Traceback" not in done.stderr
    assert run_app(app, "--allow", "builtins.*").returncode == 0


def test_main_allow_refuses_a_target_the_task_builds(tmp_path: Path) -> None:
    write_app(tmp_path, script=allowing("builtins.*"))
    assert run_app(tmp_path).returncode == 0
    done = run_app(tmp_path, "model._target_=collections.OrderedDict")
    assert done.returncode == 1
    assert done.stderr.count("error: ") == 1
    assert "target collections.OrderedDict is not allowed here" in done.stderr
    assert "<override 'model._target_=collections.OrderedDict'>" in done.stderr


def test_allow_flag_narrows_main_allow_and_never_widens_it(tmp_path: Path) -> None:
    write_app(tmp_path, script=allowing("builtins.*"))
    done = run_app(tmp_path, "--allow", "collections.*", "model._target_=collections.OrderedDict")
    assert done.returncode == 1, done.stdout
    assert "target collections.OrderedDict is not allowed here" in done.stderr
    write_app(tmp_path, script=allowing("builtins.*", "collections.*"))
    done = run_app(tmp_path, "--allow", "builtins.*", "model._target_=collections.OrderedDict")
    assert done.returncode == 1, done.stdout
    assert run_app(tmp_path, "--allow", "builtins.*").returncode == 0


def test_main_allow_holds_when_the_task_is_called_directly(app: Path) -> None:
    def build(cfg: Config) -> Any:
        return instantiate(cfg.model)

    cfg = Config({"model": {"_target_": "builtins.dict", "a": 1}})
    assert main(config_dir=app, allow=["builtins.*"])(build)(cfg) == {"a": 1}
    with pytest.raises(TargetError, match=r"builtins\.dict is not allowed here"):
        main(config_dir=app, allow=["collections.*"])(build)(cfg)
    with pytest.raises(TargetError, match=r"allowed: \(nothing\)"):
        main(config_dir=app, allow=[])(build)(cfg)  # an empty list allows nothing, not everything


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("optimizer.lr=[1,", ["optimizer.lr", "column 17"]),
        ("optimizer.lrr=1", ["optimizer.lrr", "override 'optimizer.lrr=1'", "Did you mean 'lr'?"]),
        ("model=huge", ["model", "no option 'huge' in group 'model'", "Options: big, small"]),
        ("+experiment=nope", ["experiment", "Options: wide"]),
        ("optimizer.lr=???", ["optimizer.lr", "<override 'optimizer.lr=???'>", "mandatory value"]),
        ("paths.run_name=$<model.width>", ["paths.run_name", "model.width"]),
    ],
)
def test_a_config_error_is_one_line_and_exit_1(app: Path, override: str, words: list[str]) -> None:
    done = run_app(app, override)
    assert done.returncode == 1, done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    for word in words:
        assert word in errors[0], errors[0]
    assert "Traceback" not in done.stderr
    assert "TASK" not in done.stdout


def test_a_missing_value_in_a_file_names_the_file_and_line(tmp_path: Path) -> None:
    write_app(tmp_path, {"conf/optimizer/sgd.yaml": "name: sgd\nlr: ???\nmomentum: 0.9\n"})
    done = run_app(tmp_path)
    assert done.returncode == 1
    error = next(line for line in done.stderr.splitlines() if line.startswith("error: "))
    assert f"optimizer.lr ({tmp_path}/conf/optimizer/sgd.yaml:2)" in error


def test_traceback_flag_shows_the_traceback(app: Path) -> None:
    done = run_app(app, "model=huge", "--traceback")
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "OverrideError" in done.stderr or "ConfigError" in done.stderr


def test_an_error_that_is_not_a_config_error_keeps_its_traceback(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        script=TASK.replace('    print("TASK "', '    raise RuntimeError("boom")\n    print("TASK "'),
    )
    done = run_app(tmp_path)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr and "RuntimeError: boom" in done.stderr


def test_an_unknown_flag_is_an_argparse_error(app: Path) -> None:
    done = run_app(app, "--nope")
    assert done.returncode == 2
    assert "unrecognized arguments: --nope" in done.stderr


# -- in process -------------------------------------------------------------------------------
@pytest.fixture
def task(app: Path) -> Any:
    calls: list[Any] = []

    @main(config_dir=app / "conf", config_name="train")
    def train(cfg: Config) -> Any:
        calls.append(cfg)
        logging.getLogger("task").info("in process %s", cfg.model.name)
        return (cfg.model.name, cfg.paths.run_dir, os.getcwd())

    train.calls = calls  # type: ignore[attr-defined]
    return train


def test_a_task_called_with_a_config_just_runs(task: Any, app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(app)
    cfg = Config({"model": {"name": "given"}, "paths": {"run_dir": "here"}})
    assert task(cfg) == ("given", "here", str(app))
    assert task.calls == [cfg]
    assert not (app / "outputs").exists()


def test_run_once_in_process(task: Any, app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(app)
    handlers = list(logging.getLogger().handlers)
    name, run_dir, cwd = task.app.run_once(["model=big"])
    assert (name, cwd) == ("big", str(app))
    assert run_dir == str(only_run_dir(app))
    assert "[task][INFO] - in process big" in (Path(run_dir) / "train.log").read_text()
    assert logging.getLogger().handlers == handlers  # logging is left as it was


def test_run_once_with_chdir_comes_back(task: Any, app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(app)
    _, run_dir, cwd = task.app.run_once(["_run_.chdir=true"])
    assert cwd == run_dir
    assert os.getcwd() == str(app)


def test_app_compose_and_texts(task: Any) -> None:
    app = task.app
    cfg = app.compose(["model=big"])
    assert cfg._run_.name == app.name == "train"
    assert cfg.model.hidden == 256
    assert yaml.safe_load(app.config_text([], "job", resolve=False)) == JOB_CONFIG
    assert app.groups() == {
        "data": ["synthetic"],
        "experiment": ["wide"],
        "model": ["big", "small"],
        "optimizer": ["adam", "sgd"],
    }
    assert "model: big, small" in app.help_text()
    assert "experiment: wide" in app.info_text(["+experiment=wide"])


def test_app_without_a_config_name(tmp_path: Path) -> None:
    @main(config_dir=tmp_path)
    def nameless(cfg: Config) -> None: ...

    with pytest.raises(ConfigError, match="has no config_name"):
        nameless.app.compose([])  # type: ignore[attr-defined]


def test_main_without_parentheses_says_so() -> None:
    with pytest.raises(TypeError, match=r"@main needs its arguments: write @main\(config_dir="):

        @main  # type: ignore[arg-type]
        def train(cfg: Config) -> None: ...


def test_config_dir_is_relative_to_the_tasks_file(task: Any) -> None:
    @main(config_dir="conf", config_name="train")
    def here(cfg: Config) -> None: ...

    assert here.app.config_dir == str(Path(__file__).resolve().parent / "conf")  # type: ignore[attr-defined]
    assert here.__name__ == "here" and here.app.name == "here"  # type: ignore[attr-defined]
