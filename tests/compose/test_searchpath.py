"""The config search path: directories, pkg:// packages, stored configs, headers, listings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hydra import compose as hcompose
from hydra import initialize_config_dir
from omegaconf import OmegaConf
from trees import write_tree

from instantiate import ConfigError
from instantiate._compose.compose import compose
from instantiate._compose.searchpath import Repository, package_header, read_config
from instantiate._compose.store import store


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An importable package holding configs, as an installed library would ship them."""
    write_tree(
        tmp_path / "site" / "shipped_pkg",
        {
            "__init__.py": "",
            "configs/__init__.py": "",
            "configs/base.yaml": "defaults:\n  - optim: sgd\n  - _self_\nname: base\n",
            "configs/optim/sgd.yaml": "lr: 0.1\n",
            "configs/optim/adam.yaml": "lr: 0.001\n",
            "configs/__pycache__/x.yaml": "ignored: true\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return "pkg://shipped_pkg.configs"


def test_sources_are_searched_in_order(tmp_path: Path, shipped: str) -> None:
    first = write_tree(tmp_path / "first", {"optim/sgd.yaml": "lr: 1.0\n", "optim/lion.yaml": "lr: 2.0\n"})
    store("rmsprop", {"lr": 3.0}, group="optim")
    store("sgd", {"lr": 4.0}, group="optim")  # shadowed by both files: stored configs come last
    repo = Repository.from_search_path(first, [shipped])
    assert repo.options("optim") == ["adam", "lion", "rmsprop", "sgd"]
    assert repo.groups() == ["optim"]
    assert repo.all_groups() == ["optim"]
    assert repo.load("optim/sgd").data == {"lr": 1.0}
    assert repo.load("optim/adam").origin.endswith("shipped_pkg/configs/optim/adam.yaml")
    assert repo.load("optim/rmsprop").origin == "<stored optim/rmsprop>"
    assert repo.load("optim/nope") is None
    assert repo.group_exists("optim") and not repo.group_exists("optimizer") and not repo.group_exists("")
    description = repo.describe()
    assert f"{first} (directory)" in description
    assert "pkg://shipped_pkg.configs (package)" in description
    assert "stored configs" in description


def test_a_primary_config_from_a_package(shipped: str) -> None:
    cfg = compose("base", ["optim=adam"], search_path=shipped)
    assert cfg.to_dict(resolve=False) == {
        "optim": {"lr": 0.001},
        "name": "base",
        "_run_": {
            "config_name": "base",
            "choices": {"optim": "adam"},
            "overrides": ["optim=adam"],
            "run_overrides": [],
        },
    }
    assert cfg.optim.source_of("lr").endswith("shipped_pkg/configs/optim/adam.yaml:1")


def test_a_package_subdirectory(shipped: str) -> None:
    repo = Repository.from_search_path(None, "pkg://shipped_pkg/configs/optim")
    assert repo.options("") == ["adam", "sgd"]


def test_ported_hydra_searchpath_is_honoured(tmp_path: Path, shipped: str) -> None:
    extra = write_tree(tmp_path / "extra", {"db/pg.yaml": "port: 2\n"})
    main = write_tree(
        tmp_path / "main",
        {
            "app.yaml": f"defaults:\n  - db: pg\n  - optim: adam\n  - _self_\nhydra:\n  searchpath:\n"
            f"    - file://{extra}\n    - {shipped}\n",
            "plain.yaml": "defaults:\n  - db: pg\n",
        },
    )
    with initialize_config_dir(str(main), version_base="1.3"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = OmegaConf.to_container(hcompose("app", []))
    data = compose("app", [], config_dir=main).to_dict(resolve=False)
    data.pop("_run_")
    assert data == expected == {"db": {"port": 2}, "optim": {"lr": 0.001}}
    data = compose("plain", [f"hydra.searchpath=[{extra}]"], config_dir=main).to_dict(resolve=False)
    assert data["db"] == {"port": 2}


def test_search_path_entries_that_do_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        Repository.from_search_path(tmp_path, [str(tmp_path / "missing")])
    assert "search path directory" in info.value.message and "missing" in info.value.message
    with pytest.raises(ConfigError) as info:
        Repository.from_search_path(None, "pkg://no_such_package_here.conf")
    assert "cannot import package 'no_such_package_here.conf'" in info.value.message
    assert "__init__.py" in info.value.hint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# @package _global_\nx: 1\n", "_global_"),
        ("\n\n   # @package   db.primary  \nx: 1\n", "db.primary"),
        ("#@package a\n# @other thing\nx: 1\n", "a"),
        ("# a comment first ends the header\n# @package a\nx: 1\n", None),
        ("x: 1\n# @package a\n", None),
        ("", None),
    ],
)
def test_package_header(text: str, expected: str | None) -> None:
    assert package_header(text, "f.yaml") == expected


def test_a_malformed_header_says_where() -> None:
    with pytest.raises(ConfigError) as info:
        package_header("\n# @package\nx: 1\n", "conf/db/a.yaml")
    assert info.value.source == "conf/db/a.yaml:2"
    assert "'# @key value'" in info.value.message


def test_read_config_splits_defaults_and_header() -> None:
    loaded = read_config("db/a", "# @package x\ndefaults:\n  - b\nport: 1\n", "conf/db/a.yaml")
    assert loaded.header == "x"
    assert loaded.data == {"port": 1} and loaded.data.lines == {"port": 4}
    assert loaded.defaults == ["b"] and loaded.defaults.lines == [3]
    assert read_config("e", "", "e.yaml").data == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("defaults:\n  db: mysql\n", "the defaults list must be a list (got a mapping)"),
        ("5\n", "a config file holds a mapping (or a list), not int 5"),
    ],
)
def test_malformed_config_files(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        read_config("a", text, "conf/a.yaml")
    assert problem in info.value.message
    assert info.value.source.startswith("conf/a.yaml:")
