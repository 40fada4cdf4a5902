"""Run values: $<run:...> and Hydra's ${hydra:...} read _run_, with errors that say when they exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from trees import write_tree

from instantiate import Config, InterpolationError
from instantiate._compose.compose import compose
from instantiate._compose.run_values import hydra_value, install_run_resolvers, run_value
from instantiate._config.resolvers import get_resolver


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path,
        {
            "app.yaml": (
                "defaults:\n  - db: mysql\n  - server/db@srv: lite\n  - _self_\n"
                "db_name: $<run:choices.db>\nsrv: {}\nsrv_db: ${hydra:runtime.choices.server/db@srv}\n"
                "out: ${hydra:runtime.output_dir}/x\njob: ${hydra:job.name}\nrun_dir: ${hydra:run.dir}\n"
                "where: $<run:dir>\nnope: ${hydra:nothing.here}\ntypo: $<run:choices.dbb>\n"
                "hydra:\n  run:\n    dir: outputs/fixed\n"
            ),
            "db/mysql.yaml": "port: 1\n",
            "server/db/lite.yaml": "file: x.db\n",
        },
    )


def test_choices_and_names(conf: Path) -> None:
    cfg = compose("app", config_dir=conf, return_hydra_config=True)
    assert cfg.db_name == "mysql"
    assert cfg.srv_db == "lite"
    assert cfg.run_dir == "outputs/fixed"  # not a run value: read from the config's own hydra section


def test_the_hydra_section_is_read_only_where_compose_keeps_it(conf: Path) -> None:
    cfg = compose("app", config_dir=conf)  # as Hydra's compose: no hydra section by default
    assert "hydra" not in cfg
    assert cfg.srv_db == "lite"  # a run value still resolves: it is read from _run_
    with pytest.raises(InterpolationError) as info:
        _ = cfg.run_dir
    assert "${hydra:run.dir} is not set" in info.value.message
    assert "return_hydra_config=True" in str(info.value.hint)


def test_run_only_values_say_so(conf: Path) -> None:
    cfg = compose("app", config_dir=conf)
    with pytest.raises(InterpolationError) as info:
        _ = cfg.where
    assert "$<run:dir>: _run_.dir is only set inside a run started by @main" in info.value.message
    assert (info.value.path, info.value.source) == ("where", f"{conf}/app.yaml:11")
    with pytest.raises(InterpolationError) as info:
        _ = cfg.out
    assert "_run_.dir is only set inside a run started by @main" in info.value.message
    assert info.value.path == "out"


def test_values_a_run_sets_are_read_by_both_names(conf: Path) -> None:
    cfg = compose("app", ["_run_.dir=/runs/1", "_run_.name=train"], config_dir=conf)
    assert cfg.where == "/runs/1"
    assert cfg.out == "/runs/1/x"
    assert cfg.job == "train"


def test_unknown_names(conf: Path) -> None:
    cfg = compose("app", config_dir=conf)
    with pytest.raises(InterpolationError) as info:
        _ = cfg.nope
    assert "${hydra:nothing.here} is not set" in info.value.message
    with pytest.raises(InterpolationError) as info:
        _ = cfg.typo
    assert "no config group 'dbb' was chosen. Did you mean 'db'?" in info.value.message
    assert "Choices: db, server/db@srv" in info.value.message


def test_outside_a_composed_config() -> None:
    install_run_resolvers()
    with pytest.raises(InterpolationError) as info:
        _ = Config({"a": "$<run:choices.db>"}).a
    assert "this config has no _run_ section" in info.value.message
    assert Config({"_run_": {"x": {"y": 2}}, "a": "$<run:x.y>"}).a == 2


def test_installing_is_idempotent_and_survives_a_reset() -> None:
    install_run_resolvers()
    first = get_resolver("run")
    install_run_resolvers()
    assert get_resolver("run") is first
    assert first is not None and first.fn is run_value and first.wants_root
    hydra = get_resolver("hydra")
    assert hydra is not None and hydra.fn is hydra_value
