"""The last composition gaps against Hydra 1.3.8, side by side on one tree: extending configs with
``@_here_``, overriding Hydra's own groups from the project, ``${group@pkg}`` options, ``+`` over
mappings and ``???``, list indexes in keys, and the legacy forms both refuse."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hydra import compose as hcompose
from hydra import initialize_config_dir
from omegaconf import OmegaConf
from trees import write_tree

from instantiate import ConfigError, OverrideError
from instantiate._compose.compose import compose

TREE = {
    "db_schema/base.yaml": "host: localhost\nport: 3306\n",
    "db/mysql.yaml": "defaults:\n  - /db_schema/base@_here_\nuser: omry\n",
    "db/nested.yaml": "defaults:\n  - /db_schema/base@_here_\n  - _self_\nport: 1\n",
    "g1/a.yaml": "x: 1\n",
    "g2/b.yaml": "y: 1\n",
    "combo/a_b.yaml": "z: ab\n",
    "server/db/pg.yaml": "name: pg\n",
    "label/pg.yaml": "which: pg\n",
    "hydra/job_logging/custom.yaml": """
        version: 1
        formatters:
          simple:
            format: '[%(levelname)s] - %(message)s'
        handlers:
          console:
            class: logging.StreamHandler
            formatter: simple
            stream: ext://sys.stdout
        root:
          handlers: [console]
        disable_existing_loggers: false
    """,
    "hydra/help/mine.yaml": "app_name: Awesome\ntemplate: '${hydra.help.app_name} help'\n",
    "extend.yaml": "defaults:\n  - db: mysql\n  - _self_\n",
    "extend_nested.yaml": "defaults:\n  - db: nested\n  - _self_\n",
    "interp.yaml": """
        defaults:
          - g1@pk: a
          - g2: b
          - server/db: pg
          - combo: ${g1@pk}_${g2}
          - label: ${server/db}
          - _self_
        req: ???
        db:
          user: omry
          port: 1
        model:
          _args_:
            - x: 1
            - x: 2
    """,
    "logging_custom.yaml": "defaults:\n  - override hydra/job_logging: custom\n  - _self_\na: 1\n",
    "help_custom.yaml": "defaults:\n  - _self_\n  - override hydra/help: mine\na: 1\n",
    "self_package.yaml": "defaults:\n  - _self_@pkg\na: 1\n",
    "legacy_hydra.yaml": "defaults:\n  - hydra/help: mine\n  - _self_\na: 1\n",
    "legacy_launcher.yaml": "defaults:\n  - hydra/launcher: basic\n  - _self_\na: 1\n",
    "legacy_interp.yaml": "defaults:\n  - g1: a\n  - combo: ${defaults.0.g1}_b\n  - _self_\n",
}


Composed = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module")
def conf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = write_tree(tmp_path_factory.mktemp("gaps") / "conf", TREE)
    with initialize_config_dir(str(root), version_base="1.3"):
        yield root


def hydra(name: str, overrides: list[str]) -> Composed:
    """Hydra's task config, its hydra section and its choices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = hcompose(name, overrides, return_hydra_config=True)
    data = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(data, dict)
    section = data.pop("hydra")
    return data, section, section["runtime"]["choices"]


def ours(name: str, overrides: list[str], conf: Path) -> Composed:
    data = compose(name, overrides, config_dir=conf, return_hydra_config=True).to_dict(resolve=False)
    run = data.pop("_run_")
    return data, data.pop("hydra", {}), run["choices"]


CASES = [
    ("extend", []),
    ("extend", ["db.host=remote"]),
    ("extend_nested", []),
    ("interp", ["req=1"]),
    ("interp", ["+req=1"]),
    ("interp", ["+db={user: x}"]),
    ("interp", ["+db={newk: x}", "+req=2"]),
    ("interp", ["+model={_args_: [{x: 5}]}"]),
    ("interp", ["model._args_.1.x=7"]),
]


@pytest.mark.parametrize(("name", "overrides"), CASES)
def test_composes_as_hydra_does(name: str, overrides: list[str], conf: Path) -> None:
    mine, _, my_choices = ours(name, overrides, conf)
    theirs, _, their_choices = hydra(name, overrides)
    assert mine == theirs
    assert my_choices.items() <= their_choices.items()  # Hydra also lists every group of its own
    assert {k for k in their_choices if not k.startswith("hydra/")} <= my_choices.keys()


def test_extending_with_here_merges_the_schema_into_the_package_not_under_a_key(conf: Path) -> None:
    assert ours("extend", [], conf)[0] == {"db": {"host": "localhost", "port": 3306, "user": "omry"}}


def test_a_path_as_errors_print_it_sets_what_hydras_dotted_path_sets(conf: Path) -> None:
    assert ours("interp", ["model._args_[1].x=7"], conf)[0] == hydra("interp", ["model._args_.1.x=7"])[0]


@pytest.mark.parametrize(
    ("name", "overrides", "group", "section"),
    [
        ("logging_custom", [], "hydra/job_logging", "job_logging"),
        ("extend", ["hydra/job_logging=custom"], "hydra/job_logging", "job_logging"),
        ("help_custom", [], "hydra/help", "help"),
    ],
)
def test_a_project_config_for_hydras_own_group_is_composed_into_the_hydra_section(
    name: str, overrides: list[str], group: str, section: str, conf: Path
) -> None:
    mine, my_hydra, my_choices = ours(name, overrides, conf)
    theirs, their_hydra, their_choices = hydra(name, overrides)
    assert mine == theirs
    assert my_choices[group] == their_choices[group] != "default"
    if section == "job_logging":
        assert my_hydra[section] == their_hydra[section]
    else:  # Hydra's own help config has more keys; the project's merge over it
        assert {k: their_hydra[section][k] for k in my_hydra[section]} == my_hydra[section]


@pytest.mark.parametrize(
    ("name", "overrides", "error", "fragment"),
    [
        ("interp", ["+db.user=x"], OverrideError, "'+' only adds new keys"),
        ("interp", ["+req=1", "+req=2"], OverrideError, "already has a value"),
        ("self_package", [], ConfigError, "_self_ takes no @package"),
        ("legacy_hydra", [], ConfigError, "write '- override hydra/help: mine'"),
        ("legacy_launcher", [], ConfigError, "write '- override hydra/launcher: basic'"),
        ("legacy_interp", [], ConfigError, "Hydra 1.0's form ${defaults.N.group}"),
        ("interp", ["hydra/job_logging=nope"], OverrideError, "no option 'nope'"),
    ],
)
def test_what_hydra_refuses_is_refused_with_where_and_what_instead(
    name: str, overrides: list[str], error: type[Exception], fragment: str, conf: Path
) -> None:
    with pytest.raises(error) as info:
        compose(name, overrides, config_dir=conf)
    assert fragment in str(info.value)
    with pytest.raises(Exception):  # noqa: B017 - Hydra raises its own exception types
        hydra(name, overrides)
