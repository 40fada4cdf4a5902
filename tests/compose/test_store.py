"""Structured configs: store() into the search space; dataclass fields as the schema, like Hydra's."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import pytest
from hydra import compose as hcompose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf
from trees import write_tree

from instantiate import Config, ConfigError, ValidationError
from instantiate._compose.compose import compose
from instantiate._compose.store import store, stored, stored_paths, structured_data


class Mode(Enum):
    train = 1
    eval = 2


@dataclass
class Optim:
    lr: float = 0.01
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])


@dataclass
class DataConf:
    path: str = MISSING
    classes: int = 10
    batch_size: int = 32
    shuffle: bool = True
    mean: Optional[float] = None  # noqa: UP045 - OmegaConf 2.3 reads these too
    extras: dict[str, int] = field(default_factory=dict)


@dataclass
class MySQL:
    driver: str = "mysql"
    port: int = 3306
    user: str = MISSING


@dataclass
class Top:
    dataset: DataConf = field(default_factory=DataConf)
    optim: Optim = field(default_factory=Optim)
    mode: Mode = Mode.train
    seed: Optional[int] = None  # noqa: UP045 - OmegaConf 2.3 reads these too
    name: str = "run"
    db: Any = MISSING


FILES = {
    "config.yaml": (
        "defaults:\n  - config_schema\n  - db: mysql\n  - _self_\n"
        "dataset:\n  path: /data\n  classes: '5'\nname: x\n"
    ),
    "db/mysql.yaml": "defaults:\n  - mysql_schema\n  - _self_\nuser: root\nport: '3307'\n",
    "bad.yaml": "defaults:\n  - config_schema\n  - _self_\ndataset:\n  path: /d\n  classes: 0.5\n",
    "misspelled.yaml": "defaults:\n  - config_schema\n  - _self_\ndataset:\n  clases: 5\n",
    "plain.yaml": "defaults:\n  - db: mysql_schema\n  - _self_\n",
    "mapping.yaml": "defaults:\n  - db: from_mapping\n  - _self_\ndb:\n  extra: 1\n",
}


def store_both() -> None:
    """The same nodes in Hydra's ConfigStore and in ours."""
    for put in (ConfigStore.instance().store, store):
        put(name="config_schema", node=Top)
        put(name="mysql_schema", node=MySQL, group="db")
        put(name="from_mapping", node={"host": "h", "port": 1}, group="db")


@pytest.fixture(scope="module")
def conf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = write_tree(tmp_path_factory.mktemp("schema") / "conf", FILES)
    with initialize_config_dir(str(root), version_base="1.3"):
        yield root


def plain(value: Any) -> Any:
    """OmegaConf keeps enum members; our config data holds their names."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.name if isinstance(value, Enum) else value


CASES = [
    ("config", []),
    ("config", ["dataset.classes=7", "mode=eval", "seed=3"]),
    ("config", ["+dataset.foo=1"]),  # '+' adds even where a schema has no such field, as in Hydra
    ("config", ["++dataset.extras.b=2", "optim.betas=[1, '2']"]),
    ("config", ["seed=null", "dataset.mean=0", "dataset.shuffle=no"]),
    ("config", ["optim={lr: '0.5'}"]),
    ("plain", []),
    ("plain", ["db.port=1", "db.user=me"]),
    ("mapping", []),
]


@pytest.mark.parametrize(("name", "overrides"), CASES, ids=[f"{n}:{','.join(o)}" for n, o in CASES])
def test_composes_like_hydra(conf: Path, name: str, overrides: list[str]) -> None:
    store_both()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = plain(OmegaConf.to_container(hcompose(name, overrides), resolve=False))
    data = compose(name, overrides, config_dir=conf).to_dict(resolve=False)
    data.pop("_run_")
    assert data == expected


ERRORS = [
    # (config, overrides, path, source (a file of the tree, or the override), words)
    ("bad", [], "dataset.classes", "bad.yaml:6", ["expected an int, got 0.5 (a float)"]),
    (
        "misspelled",
        [],
        "dataset.clases",
        "misspelled.yaml:5",
        ["'clases' is not a field of DataConf. Did you mean 'classes'?"],
    ),
    (
        "config",
        ["dataset.classes=0.5"],
        "dataset.classes",
        "<override 'dataset.classes=0.5'>",
        ["expected an int, got 0.5"],
    ),
    (
        "config",
        ["mode=bogus"],
        "mode",
        "<override 'mode=bogus'>",
        ["expected one of Mode's names (train, eval)"],
    ),
    ("config", ["db.port=abc"], "db.port", "<override 'db.port=abc'>", ["expected an int, got 'abc'"]),
    ("config", ["dataset=null"], "dataset", "<override 'dataset=null'>", ["expected a mapping for DataConf"]),
    (
        "config",
        ["dataset.extras={a: x}"],
        "dataset.extras.a",
        "<override 'dataset.extras={a: x}'>",
        ["no key 'a'"],
    ),
]


@pytest.mark.parametrize(("name", "overrides", "path", "source", "words"), ERRORS)
def test_schema_errors_name_path_and_source(
    conf: Path, name: str, overrides: list[str], path: str, source: str, words: list[str]
) -> None:
    store_both()
    with pytest.raises(ConfigError) as info:
        compose(name, overrides, config_dir=conf)
    for word in words:
        assert word in info.value.message
    assert info.value.path == path
    assert info.value.source in (source, f"{conf}/{source}")
    with warnings.catch_warnings(), pytest.raises(Exception):  # noqa: B017 - Hydra refuses them too
        warnings.simplefilter("ignore")
        hcompose(name, overrides)


def test_validation_errors_are_validation_errors(conf: Path) -> None:
    store_both()
    with pytest.raises(ValidationError):
        compose("bad", config_dir=conf)


def test_a_stored_node_alone_is_a_primary_config() -> None:
    store("train", Top(name="stored", seed=1))
    cfg = compose("train", ["dataset.path=/x", "optim.lr=1"])
    assert cfg.name == "stored" and cfg.seed == 1 and cfg.optim.lr == 1.0
    assert isinstance(cfg.optim.lr, float)
    assert cfg.mode == "train"  # enums are kept by name: plain data, writable as YAML
    assert cfg.source_of("name").endswith(f"test_store.py:{line_of('    name: str = ')}")


def test_store_rules() -> None:
    store("a.yaml", {"x": 1}, group="/g/h/")
    assert stored_paths() == ["g/h/a"]
    assert stored("g/h/a").origin == "<stored g/h/a>"  # type: ignore[union-attr]
    store("a", {"x": 2}, group="g/h")  # storing again replaces
    assert compose("g/h/a").to_dict()["g"] == {"h": {"x": 2}}  # a primary config in a group sits under it
    store("b", Config({"y": [1, {"z": 2}]}))
    assert compose("b").to_dict()["y"] == [1, {"z": 2}]
    store("packaged", MySQL, package="database.primary")
    assert compose("packaged").database.primary.port == 3306
    for bad in ((5, {}), ("", {}), ("x", 5), ("x", {}, "")):
        with pytest.raises(ConfigError):
            store(*bad)  # type: ignore[arg-type]


def test_structured_data_reads_defaults_instances_and_nesting() -> None:
    data = structured_data(Top)
    assert data["dataset"]["path"] == "???" and data["optim"]["betas"] == [0.9, 0.999]
    assert data["mode"] == "train"
    assert structured_data(Top(mode=Mode.eval, optim=Optim(lr=2)))["optim"]["lr"] == 2

    @dataclass
    class Holds:
        thing: Any = field(default_factory=object)

    with pytest.raises(ConfigError) as info:
        structured_data(Holds)
    assert "Holds.thing" in info.value.message and "plain data" in info.value.message


def test_a_stored_defaults_list_is_followed() -> None:
    @dataclass
    class WithDefaults:
        defaults: list[Any] = field(default_factory=lambda: [{"db": "mysql_schema"}, "_self_"])
        name: str = "d"

    store("mysql_schema", MySQL, group="db")
    store("with_defaults", WithDefaults)
    cfg = compose("with_defaults", ["db.user=u"])
    assert cfg.to_dict(resolve=False)["db"] == {"driver": "mysql", "port": 3306, "user": "u"}
    assert "defaults" not in cfg


def line_of(text: str) -> int:
    with open(__file__, encoding="utf-8") as file:
        return next(number for number, line in enumerate(file, start=1) if line.startswith(text))


def test_store_reads_a_dataclass_as_instantiate_and_omegaconf_do() -> None:
    # One reader serves both (_build/structured.py): defaults, a fresh factory value, ??? unset.
    from instantiate._build.inputs import structured_fields

    @dataclass
    class Both:
        name: str = MISSING
        optim: Optim = field(default_factory=Optim)
        sizes: list[int] = field(default_factory=lambda: [1, 2])

    expected = OmegaConf.to_container(OmegaConf.structured(Both))
    for node in (Both, Both(name="x")):
        ours = Config(structured_data(node)).to_dict(resolve=False)
        assert ours == structured_fields(node)
    assert Config(structured_data(Both)).to_dict(resolve=False) == expected
    first, second = structured_data(Both), structured_data(Both)
    assert first["sizes"] is not second["sizes"]  # the factory is called for each read
