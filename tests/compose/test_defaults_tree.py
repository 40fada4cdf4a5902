"""The defaults tree: the ordered list of (config, package) equals Hydra's; errors point at entries."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hydra import version
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.utils import create_config_search_path
from hydra.errors import HydraException
from hydra.types import RunMode
from trees import TRAIN_TREE, write_tree

from instantiate import ConfigError, OverrideError
from instantiate._compose.defaults_tree import build_defaults
from instantiate._compose.overrides import parse_overrides
from instantiate._compose.searchpath import Repository


@pytest.fixture(scope="module")
def conf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("tree") / "conf", TRAIN_TREE)


def hydra_defaults(
    conf: Path, name: str | None, overrides: list[str], mode: RunMode = RunMode.RUN
) -> list[object]:
    """Hydra's own defaults list for ``conf`` (through its loader: no global state to set up)."""
    version.setbase("1.3")
    loader = ConfigLoaderImpl(create_config_search_path(str(conf)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Hydra warns about a primary config without _self_
        return list(loader.compute_defaults_list(name, overrides, mode).defaults)


def ours(
    conf: Path, name: str | None, overrides: list[str], skip_missing: bool = False
) -> list[tuple[str, str, bool]]:
    repo = Repository.from_search_path(conf, None)
    result = build_defaults(repo, name, parse_overrides(overrides), skip_missing=skip_missing)
    return [(r.config_path, r.package, r.is_self) for r in result.results]


def hydras(
    conf: Path, name: str | None, overrides: list[str], skip_missing: bool = False
) -> list[tuple[str, str, bool]]:
    mode = RunMode.MULTIRUN if skip_missing else RunMode.RUN
    return [
        (d.config_path, d.package, d.is_self)  # type: ignore[attr-defined]
        for d in hydra_defaults(conf, name, overrides, mode)
        if (conf / f"{d.config_path}.yaml").exists()  # type: ignore[attr-defined]  # not Hydra's own
    ]


CASES = [
    ("train", []),
    ("train", ["experiment=big"]),
    ("train", ["+experiment=[example,with_logger]", "debug=fdr"]),
    ("train", ["~callbacks", "logger=many_loggers"]),
    ("train", ["model=resnet", "model/net=resnet50", "+db@primary=mysql"]),
    ("eval", ["trainer=ddp"]),
    ("backup", []),
    ("backup", ["db@destination=mysql", "server/db=sqlite"]),
    ("pkg_header", ["header_demo@custom=a"]),
    ("self_first", []),
    ("interp", ["dataset=cifar10"]),
    ("multi", ["callbacks=[early_stopping,model_summary]"]),
    ("noself", []),
    ("mandatory", []),
    (None, ["+db=postgresql"]),
]


@pytest.mark.parametrize(("name", "overrides"), CASES, ids=[f"{n}:{','.join(o)}" for n, o in CASES])
def test_the_defaults_list_is_hydras(conf: Path, name: str | None, overrides: list[str]) -> None:
    skip = name == "mandatory"  # a sweep may leave a ??? choice open
    assert ours(conf, name, overrides, skip) == hydras(conf, name, overrides, skip)


def test_choices_and_the_tree(conf: Path) -> None:
    repo = Repository.from_search_path(conf, None)
    result = build_defaults(repo, "backup", parse_overrides(["server=nginx", "+extras=default", "x.y=1"]))
    assert result.choices == {
        "extras": "default",
        "server": "nginx",
        "db@destination": "postgresql",
        "db@source": "mysql",
    }
    assert [o.text for o in result.value_overrides] == ["x.y=1"]
    assert result.tree.node.config_path == "backup"
    assert [child.node.describe() for child in result.tree.children or []] == [
        "db@source: mysql",
        "db@destination: postgresql",
        "server: nginx",
        "_self_",
        "extras: default",
    ]


def test_hydra_groups_absent_from_the_search_path_are_recorded_not_required(conf: Path) -> None:
    repo = Repository.from_search_path(conf, None)
    result = build_defaults(repo, "train", parse_overrides(["hydra/launcher=joblib"]))
    assert result.choices["hydra/launcher"] == "joblib"
    assert result.choices["hydra/hydra_logging"] == "disabled"  # from hydra/default.yaml's override


ERRORS = [
    # (files, overrides, error class, words in the message, path, source line in app.yaml or None)
    (
        {"app.yaml": "defaults:\n  - db: a\n  - override db: b\n  - server: x\n"},
        [],
        ConfigError,
        ["'override db: b' comes before 'server: x'", "must be at the end"],
        "defaults",
        4,
    ),
    (
        {"app.yaml": "defaults:\n  - db: a\n  - db: b\n"},
        [],
        ConfigError,
        ["'db' is chosen twice in the defaults list: a here and b further down"],
        "db",
        2,
    ),
    (
        {"app.yaml": "defaults:\n  - _self_\n  - db: a\n  - _self_\n"},
        [],
        ConfigError,
        ["_self_ appears more than once"],
        "defaults",
        4,
    ),
    (
        {"app.yaml": "defaults:\n  - override nope: x\n"},
        [],
        ConfigError,
        ["in 'app': cannot override 'nope': the defaults list has no entry for it"],
        "defaults",
        2,
    ),
    (
        {"app.yaml": "defaults:\n  - db: ${kind}_x\n"},
        [],
        ConfigError,
        ["cannot resolve '${kind}_x'"],
        "defaults",
        2,
    ),
    (
        {
            "app.yaml": "defaults:\n  - db: a\n  - other: ${db}\n",
            "other/b.yaml": "defaults:\n  - override /db: b\n",
        },
        ["+kind=a"],
        ConfigError,
        ["no option 'a' in group 'other'"],
        "other",
        3,
    ),
    (
        {
            "app.yaml": "defaults:\n  - db: a\n  - other: b${db}\n",
            "other/ba.yaml": "defaults:\n  - override /db: b\n",
        },
        [],
        ConfigError,
        ["is not allowed under a config chosen by an interpolation"],
        "defaults",
        None,
    ),
    (
        {"app.yaml": "defaults:\n  - db: a\n"},
        ["~db=b"],
        OverrideError,
        ["cannot delete 'db=b'", "the choice for 'db' is 'a'"],
        "db",
        None,
    ),
    (
        {"app.yaml": "defaults:\n  - db@x: a\n  - db@y: a\n  - db@x: a\n"},
        [],
        ConfigError,
        ["'db@x' appears more than once in the final defaults list"],
        "db@x",
        None,
    ),
]


@pytest.mark.parametrize(("files", "overrides", "cls", "words", "path", "line"), ERRORS)
def test_errors(
    tmp_path: Path,
    files: dict[str, str],
    overrides: list[str],
    cls: type[Exception],
    words: list[str],
    path: str,
    line: int | None,
) -> None:
    conf = write_tree(tmp_path, {"db/a.yaml": "port: 1\n", "db/b.yaml": "port: 2\n", **files})
    repo = Repository.from_search_path(conf, None)
    with pytest.raises(cls) as info:
        build_defaults(repo, "app", parse_overrides(overrides))
    error = info.value
    for word in words:
        assert word in str(error)
    assert error.path == path
    if line is not None:
        assert error.source == f"{conf}/app.yaml:{line}"


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_hydra_refuses_the_same_trees(tmp_path: Path, index: int) -> None:
    files, overrides, *_ = ERRORS[index]
    conf = write_tree(tmp_path / "conf", {"db/a.yaml": "port: 1\n", "db/b.yaml": "port: 2\n", **files})
    with pytest.raises((HydraException, ValueError)):
        hydra_defaults(conf, "app", overrides)
