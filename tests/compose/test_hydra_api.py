"""compose() called as Hydra's is, and the ``hydra`` section it returns, side by side with Hydra
1.3.8 on one tree: the positional arguments, the section's place, ``overrides.task`` against
``overrides.hydra``, ``job.config_name`` and ``runtime.choices``."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hydra import compose as hcompose
from hydra import initialize_config_dir
from omegaconf import DictConfig, OmegaConf
from trees import write_tree

from instantiate import Config, compose

READS = "task: ${hydra:overrides.task}\nrun: ${hydra:overrides.hydra}\nour_task: $<run:overrides>\n"
TREE = {
    "db/mysql.yaml": "host: localhost\nport: 3306\n",
    "db/pg.yaml": "host: pg\nport: 5432\n",
    "server/apache.yaml": "name: apache\n",
    "server/nginx.yaml": "defaults:\n  - db: mysql\nname: nginx\n",
    "server/db/mysql.yaml": "x: 1\n",
    "plain.yaml": f"defaults:\n  - db: mysql\n  - _self_\nx: 1\n{READS}",
    # a ported section written last, and one naming its own job
    "ported.yaml": f"defaults:\n  - db: mysql\n  - _self_\nx: 1\n{READS}hydra:\n  job:\n    chdir: true\n",
    "named.yaml": """
        defaults:
          - db: mysql
          - db@backup: pg
          - optional server: nginx
          - _self_
        hydra:
          job:
            config_name: not_this
            name: from_file
        y: 2
    """,
}


@pytest.fixture(scope="module")
def conf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = write_tree(tmp_path_factory.mktemp("api") / "conf", TREE)
    with initialize_config_dir(str(root), version_base="1.3"):
        yield root


def theirs(name: str | None, overrides: list[str]) -> DictConfig:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Hydra warns about a primary config without _self_
        return hcompose(name, overrides, True)


def test_the_positional_arguments_are_hydras() -> None:
    hydra_params = list(inspect.signature(hcompose).parameters)
    params = inspect.signature(compose).parameters
    assert list(params)[:3] == hydra_params[:3] == ["config_name", "overrides", "return_hydra_config"]
    assert {params["config_dir"].kind, params["search_path"].kind} == {inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize("name", ["plain", "ported"])
def test_a_positional_true_returns_the_section_as_hydras_does(conf: Path, name: str) -> None:
    ours = compose(name, ["db.port=1"], True, config_dir=conf)
    assert "hydra" in ours and "hydra" in theirs(name, ["db.port=1"])
    assert "hydra" not in compose(name, ["db.port=1"], False, config_dir=conf)
    assert ours.db.port == 1


@pytest.mark.parametrize("where", ["conf", Path("conf"), None, 1, "yes"])
def test_a_config_dir_in_hydras_third_place_is_refused_with_what_to_write(conf: Path, where: Any) -> None:
    with pytest.raises(TypeError) as info:
        compose("plain", [], where)
    message = str(info.value)
    assert message.startswith("compose(): return_hydra_config must be True or False, not ")
    assert repr(where) in message
    if isinstance(where, (str, Path)):
        assert f"config_dir={str(where)!r}" in message
    else:
        assert "pass True or False" in message


def test_a_fourth_positional_is_refused_as_by_hydra(conf: Path) -> None:
    with pytest.raises(TypeError):
        compose("plain", [], False, conf)  # type: ignore[call-arg]
    with pytest.raises(TypeError):  # Hydra's 'strict' is gone (version_base >= 1.2 refuses it too)
        compose("plain", [], strict=True, config_dir=conf)  # type: ignore[call-arg]


def test_no_overrides_may_be_none_as_in_hydra(conf: Path) -> None:
    assert compose("plain", None, config_dir=conf).to_dict(resolve=False)["db"] == theirs("plain", [])["db"]


CASES = [
    ("plain", []),
    ("ported", []),
    ("ported", ["db=pg"]),
    ("named", []),
    ("named", ["~db", "server=apache", "db@backup=mysql"]),
    ("named", ["server/db=mysql", "+z=3"]),
    (None, ["+db=mysql"]),
]


@pytest.mark.parametrize(("name", "overrides"), CASES, ids=[f"{n}:{','.join(o)}" for n, o in CASES])
def test_the_section_comes_first_as_in_hydra(conf: Path, name: str | None, overrides: list[str]) -> None:
    ours = compose(name, overrides, config_dir=conf, return_hydra_config=True)
    keys = [key for key in ours if key != "_run_"]
    assert keys == list(theirs(name, overrides))
    assert keys[0] == "hydra"
    without = compose(name, overrides, config_dir=conf)
    assert list(without) == [key for key in ours if key != "hydra"]  # the rest keeps its order


SPLITS = [
    ["hydra.job.name=x", "db.port=1"],
    ["db.port=1", "hydra.job.name=x", "+hydra.foo=2", "++hydra.job.chdir=false", "x=5"],
    ["hydra/launcher=basic", "db=pg", "hydra.run.dir=out"],
    ["hydra.job.config_name=other", "~x"],
    [],
]


@pytest.mark.parametrize("overrides", SPLITS, ids=[",".join(o) or "none" for o in SPLITS])
@pytest.mark.parametrize("name", ["plain", "ported"])
def test_overrides_are_split_into_task_and_hydra_as_by_hydra(
    conf: Path, name: str, overrides: list[str]
) -> None:
    their_section = theirs(name, overrides).hydra
    ours = compose(name, overrides, config_dir=conf, return_hydra_config=True)
    section = ours.hydra
    expected = OmegaConf.to_container(their_section.overrides)
    assert isinstance(expected, dict)
    assert section.overrides.to_dict() == expected
    assert list(section.overrides) == list(their_section.overrides)  # hydra, then task
    # the same split wherever compose records it: _run_, ${hydra:...} and $<run:...>
    assert ours._run_.overrides.to_dict() == expected["task"]
    assert ours._run_.run_overrides.to_dict() == expected["hydra"]
    resolved = ours.to_dict()
    assert resolved["task"] == resolved["our_task"] == expected["task"]
    assert resolved["run"] == expected["hydra"]
    # the values the hydra overrides set are there as in Hydra's section
    for key in ("job.name", "job.chdir", "foo", "run.dir"):
        if any(text.lstrip("+").startswith(f"hydra.{key}=") for text in overrides):
            assert section.select(key) == OmegaConf.select(their_section, key)


@pytest.mark.parametrize(
    "overrides", [[], ["hydra.job.config_name=other"], ["hydra.job.name=renamed", "db@backup=mysql"]]
)
def test_job_config_name_and_choices_are_hydras(conf: Path, overrides: list[str]) -> None:
    """Hydra sets ``job.config_name`` over the file's and an override's; ``job.name`` it leaves."""
    their_section = theirs("named", overrides).hydra
    section = compose("named", overrides, config_dir=conf, return_hydra_config=True).hydra
    assert section.job.config_name == their_section.job.config_name == "named"
    assert section.job.name == their_section.job.name
    their_choices = OmegaConf.to_container(their_section.runtime.choices)
    assert isinstance(their_choices, dict) and isinstance(section.runtime.choices, Config)
    choices = section.runtime.choices.to_dict()
    assert choices == {k: v for k, v in their_choices.items() if not str(k).startswith("hydra/")}
