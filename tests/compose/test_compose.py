"""compose(): equal to Hydra's compose on realistic trees, provenance kept, errors that say where."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hydra import compose as hcompose
from hydra import initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf
from trees import TRAIN_TREE, write_tree

from instantiate import Config, ConfigError, InterpolationError, MissingValueError, OverrideError
from instantiate._compose.compose import compose
from instantiate._config.provenance import MAPPINGS, SEQUENCES, source_of


@pytest.fixture(scope="module")
def conf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("train") / "conf", TRAIN_TREE)


@pytest.fixture(scope="module")
def hydra_conf(conf: Path) -> Iterator[Path]:
    """Hydra initialised on the same tree once for the module (its initialize is slow)."""
    with initialize_config_dir(str(conf), version_base="1.3"):
        yield conf


def hydra_result(name: str | None, overrides: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Hydra's composed config (without its ``hydra`` node) and its runtime choices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Hydra warns about a primary config without _self_
        cfg = hcompose(name, overrides, return_hydra_config=True)
    choices = OmegaConf.to_container(cfg.hydra.runtime.choices)
    data = OmegaConf.to_container(cfg, resolve=False)
    assert isinstance(data, dict) and isinstance(choices, dict)
    data.pop("hydra")
    return data, choices


def ours(name: str | None, overrides: list[str], conf: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    cfg = compose(name, overrides, config_dir=conf)
    data = cfg.to_dict(resolve=False)
    run = data.pop("_run_")
    data.pop("hydra", None)
    return data, run["choices"]


# (config, overrides) pairs whose composed result must equal Hydra 1.3.8's
HYDRA_CASES = [
    ("train", []),
    ("train", ["experiment=example"]),
    ("train", ["experiment=big"]),
    ("train", ["experiment=big", "model.optimizer.lr=0.5", "trainer.max_epochs=3", "+trainer.extra=1"]),
    ("train", ["experiment=with_logger"]),
    ("train", ["+experiment=[example,with_logger]"]),
    ("train", ["debug=fdr"]),
    ("train", ["debug=default", "logger=csv"]),
    ("train", ["logger=many_loggers", "trainer=ddp"]),
    ("train", ["hparams_search=grid"]),
    ("train", ["~callbacks"]),
    ("train", ["callbacks=none"]),
    ("train", ["model=resnet", "+data.classes=10"]),
    ("train", ["model=resnet", "model/net=resnet50"]),
    ("train", ["data=cifar", "++hydra.run.dir=out"]),
    ("train", ["+db=mysql", "db.port=1"]),
    ("train", ["++trainer.max_epochs=3", "+trainer.new=1", "~tags", "seed=5"]),
    ("train", ["trainer.max_epochs=3", "~trainer.deterministic=false", "ckpt_path=null"]),
    ("train", ["tags=[a,b]", "ckpt_path='x,y'", "model.net={input_size: 1}", "+model.net.extra={k: [1, 2]}"]),
    ("train", ["trainer.devices=${trainer.min_epochs}", "++paths.root_dir=/data"]),
    ("eval", []),
    ("eval", ["ckpt_path=/x.ckpt", "trainer=gpu"]),
    ("backup", []),
    ("backup", ["db@source=postgresql"]),
    ("backup", ["server=nginx"]),
    ("backup", ["server/db=sqlite"]),
    ("backup", ["~db@destination"]),
    ("pkg_header", []),
    ("self_first", []),
    ("self_first", ["db=postgresql"]),
    ("interp", []),
    ("interp", ["dataset=cifar10"]),
    ("interp", ["model=resnet"]),
    ("multi", []),
    ("multi", ["callbacks=[early_stopping]", "callbacks.early_stopping.monitor=loss"]),
    ("noself", []),
    ("choices_demo", ["srv.engine=memory"]),
    ("mandatory", ["db=postgresql"]),
    (None, ["+db=mysql", "+server=apache"]),
]


@pytest.mark.parametrize(
    ("name", "overrides"), HYDRA_CASES, ids=[f"{n}:{','.join(o)}" for n, o in HYDRA_CASES]
)
def test_composes_like_hydra(hydra_conf: Path, name: str | None, overrides: list[str]) -> None:
    expected, expected_choices = hydra_result(name, overrides)
    data, choices = ours(name, overrides, hydra_conf)
    assert data == expected
    assert list(data) == list(expected)  # the same key order too
    theirs = {k: v for k, v in expected_choices.items() if not k.startswith("hydra/") or k in choices}
    assert {k: v for k, v in choices.items() if not isinstance(v, list)} == theirs


def test_hydra_choice_interpolations_resolve_like_hydra(hydra_conf: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = hcompose("choices_demo", ["model/net=resnet50"], return_hydra_config=True)
    HydraConfig.instance().set_config(theirs)
    cfg = compose("choices_demo", ["model/net=resnet50"], config_dir=hydra_conf)
    for key in ("picked_db", "picked_net", "picked_srv", "sentence"):
        assert cfg[key] == theirs[key]
    assert cfg.picked_net == "resnet50"
    assert cfg.to_dict()["sentence"] == "db=mysql model=resnet"


def test_run_section_records_choices_and_keeps_user_keys(conf: Path) -> None:
    cfg = compose(
        "run_keys", ["db=postgresql", "_run_.launcher=basic", "hydra.job.chdir=true"], config_dir=conf
    )
    assert cfg._run_.to_dict() == {
        "launcher": "basic",
        "sweep": {"lr": "0.1,0.2"},
        "config_name": "run_keys",
        "choices": {"db": "postgresql"},
        "overrides": ["db=postgresql"],  # the task's, as Hydra's overrides.task and @main's
        "run_overrides": ["_run_.launcher=basic", "hydra.job.chdir=true"],
    }
    assert "hydra" not in cfg  # as Hydra's compose leaves its section out by default
    with_section = compose(
        "run_keys",
        ["db=postgresql", "_run_.launcher=basic", "hydra.job.chdir=true"],
        config_dir=conf,
        return_hydra_config=True,
    )
    assert with_section.hydra.to_dict(resolve=False) == {
        "run": {"dir": "outputs/${now:%Y}"},
        "job": {"chdir": True, "config_name": "run_keys"},
        "runtime": {"choices": {"db": "postgresql"}},
        "overrides": {"hydra": ["_run_.launcher=basic", "hydra.job.chdir=true"], "task": ["db=postgresql"]},
    }
    assert cfg._run_.source_of("launcher") == "<override '_run_.launcher=basic'>"
    assert cfg._run_.source_of("sweep").endswith("run_keys.yaml:6")


def test_run_values_read_through_resolvers(conf: Path) -> None:
    cfg = compose(
        "train",
        ["model=resnet", "+x=$<run:choices.model/net>", "+y=${hydra:job.config_name}"],
        config_dir=conf,
    )
    assert cfg.x == "resnet18"
    assert cfg.y == "train"
    with pytest.raises(InterpolationError) as info:
        _ = cfg.paths.output_dir  # ${hydra:runtime.output_dir}: only a run started by @main has a directory
    assert "only set inside a run started by @main" in str(info.value)
    assert info.value.path == "paths.output_dir"
    assert info.value.source.endswith("paths/default.yaml:4")


def test_every_entry_knows_its_file_and_line(conf: Path) -> None:
    cfg = compose(
        "train",
        ["experiment=big", "model.optimizer.lr=0.5", "+new.x={a: [1, {b: 2}]}", "tags=[1,2]"],
        config_dir=conf,
    )
    missing: list[str] = []

    def walk(data: Any, path: str) -> None:
        for key, value in data.items() if data.__class__ in MAPPINGS else enumerate(data):
            where = f"{path}.{key}" if path else str(key)
            if not source_of(data, key):
                missing.append(where)
            if value.__class__ in MAPPINGS or value.__class__ in SEQUENCES:
                walk(value, where)

    walk(cfg._tree.data, "")
    assert missing == []
    assert cfg.model.optimizer.source_of("lr") == "<override 'model.optimizer.lr=0.5'>"
    assert cfg.new.x.a[1].source_of("b") == "<override '+new.x={a: [1, {b: 2}]}'>"
    assert cfg.source_of("seed") == str(conf / "experiment/big.yaml") + ":7"
    assert cfg.trainer.source_of("max_epochs") == str(conf / "experiment/big.yaml") + ":9"
    assert cfg.trainer.source_of("accelerator") == str(conf / "trainer/ddp.yaml") + ":4"
    assert cfg.model.net.source_of("num_classes") == str(conf / "model/net/resnet50.yaml") + ":2"
    assert cfg.callbacks.model_checkpoint.source_of("monitor") == str(conf / "callbacks/default.yaml") + ":11"
    assert (
        cfg.callbacks.model_checkpoint.source_of("save_top_k")
        == str(conf / "callbacks/model_checkpoint.yaml") + ":7"
    )


def test_composing_never_changes_what_it_read(conf: Path) -> None:
    first = compose("train", ["model=resnet"], config_dir=conf).to_dict(resolve=False)
    changed = compose(
        "train", ["model=resnet", "model.optimizer.lr=9", "+model.net.x=1", "~model.compile"], config_dir=conf
    )
    changed.model.optimizer.lr = 10
    again = compose("train", ["model=resnet"], config_dir=conf).to_dict(resolve=False)
    assert again == first


def test_overridden_values_keep_their_types(conf: Path) -> None:
    cfg = compose(
        "train",
        [
            "seed=7",
            "+f=1.5",
            "+b=true",
            "+s='007'",
            "+n=null",
            "+l=[1, a, {k: v}]",
            "+i=${seed}",
            "+r=$<seed>",
        ],
        config_dir=conf,
    )
    raw = cfg.to_dict(resolve=False)
    assert [raw[k] for k in ("seed", "f", "b", "s", "n", "l", "i", "r")] == [
        7,
        1.5,
        True,
        "007",
        None,
        [1, "a", {"k": "v"}],
        "${seed}",
        "$<seed>",
    ]
    assert type(raw["seed"]) is int and type(raw["f"]) is float
    assert cfg.i == 7 and cfg.r == 7


def test_search_path_order_and_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = write_tree(
        tmp_path / "main",
        {"app.yaml": "defaults:\n  - db: mysql\n  - _self_\nwho: main\n", "db/mysql.yaml": "port: 1\n"},
    )
    extra = write_tree(tmp_path / "extra", {"app.yaml": "who: extra\n", "db/pg.yaml": "port: 2\n"})
    package = tmp_path / "site" / "shipped_configs_pkg"
    write_tree(
        package,
        {
            "__init__.py": "",
            "conf/__init__.py": "",
            "conf/db/sqlite.yaml": "# @package store\nport: 3\n",
            "conf/tool.yaml": "tool: 1\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    search = [str(extra), "pkg://shipped_configs_pkg.conf"]
    cfg = compose("app", ["db=pg"], config_dir=main, search_path=search)
    assert cfg.to_dict(resolve=False)["who"] == "main"  # the first source that has a config wins
    assert cfg.db.port == 2
    cfg = compose("app", ["db=sqlite"], config_dir=main, search_path=search)
    assert cfg.store.port == 3
    assert cfg.store.source_of("port").endswith("shipped_configs_pkg/conf/db/sqlite.yaml:2")
    assert compose("tool", config_dir=None, search_path="pkg://shipped_configs_pkg.conf").tool == 1


def test_a_config_name_may_carry_its_extension(conf: Path) -> None:
    assert compose("eval.yaml", ["ckpt_path=x"], config_dir=conf)._run_.choices.trainer == "default"


# --- errors ------------------------------------------------------------------------------------


def error_of(cls: type[Exception], conf: Path, name: str | None, overrides: list[str]) -> Any:
    with pytest.raises(cls) as info:
        compose(name, overrides, config_dir=conf)
    return info.value


def test_missing_primary_config_names_the_search_path(conf: Path) -> None:
    error = error_of(ConfigError, conf, "trian", [])
    message = str(error)
    assert "cannot find the primary config 'trian'" in message
    assert "Did you mean 'train'?" in message
    assert f"{conf} (directory)" in message and "stored configs" in message
    assert (error.path, error.source) == (None, None)


def test_missing_option_lists_options_and_the_closest(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["model=resnt"])
    assert "override 'model=resnt': no option 'resnt' in group 'model'" in error.message
    assert "Did you mean 'resnet'?" in error.message
    assert "Options: mnist, resnet" in error.message
    assert (error.path, error.source) == ("model", "<override 'model=resnt'>")


def test_missing_option_named_in_a_file_points_at_the_entry(tmp_path: Path) -> None:
    conf = write_tree(
        tmp_path, {"app.yaml": "defaults:\n  - db: mysqll\n", "db/mysql.yaml": "", "db/pg.yaml": ""}
    )
    error = error_of(ConfigError, conf, "app", [])
    assert not isinstance(error, OverrideError)
    assert "no option 'mysqll' in group 'db'. Did you mean 'mysql'? Options: mysql, pg" in error.message
    assert (error.path, error.source) == ("db", f"{conf}/app.yaml:2")


def test_misspelled_group_in_a_file_names_the_closest_group(tmp_path: Path) -> None:
    conf = write_tree(
        tmp_path,
        {
            "app.yaml": "defaults:\n  - _self_\n  - modle: resnet\n",
            "model/resnet.yaml": "",
            "data/x.yaml": "",
        },
    )
    error = error_of(ConfigError, conf, "app", [])
    assert "there is no config group 'modle'. Did you mean 'model'?" in error.message
    assert "Groups: data, model" in error.message
    assert error.source == f"{conf}/app.yaml:3"


def test_misspelled_group_on_the_command_line(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["modle=resnet"])
    assert "no key 'modle'" in error.message
    assert "There is also a config group 'model'" in error.message
    assert error.hint == "to add a new key, write +modle=resnet"
    assert (error.path, error.source) == ("modle", "<override 'modle=resnet'>")


def test_setting_a_missing_key_names_the_closest_and_suggests_plus(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["trainer.max_epoch=3"])
    assert "no key 'max_epoch' at trainer. Did you mean 'max_epochs'?" in error.message
    assert error.hint == "to add a new key, write +trainer.max_epoch=3"
    assert (error.path, error.source) == ("trainer.max_epoch", "<override 'trainer.max_epoch=3'>")


def test_a_mapping_override_adds_no_keys_without_plus(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["model.net={input_size: 1, extra: 2}"])
    assert "no key 'extra' at model.net" in error.message
    assert error.path == "model.net.extra"


def test_adding_an_existing_key(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["+trainer.max_epochs=3"])
    assert "'trainer.max_epochs' already has a value (10)" in error.message
    assert "trainer.max_epochs=3" in error.hint and "++trainer.max_epochs=3" in error.hint
    assert error.source == "<override '+trainer.max_epochs=3'>"


def test_deleting(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["~trainer.max_epoch"])
    assert (
        "cannot delete 'trainer.max_epoch', there is no such key. Did you mean 'max_epochs'?" in error.message
    )
    error = error_of(OverrideError, conf, "train", ["~trainer.max_epochs=5"])
    assert "'trainer.max_epochs' is 10, not 5, so it is kept" in error.message
    assert error.path == "trainer.max_epochs"
    cfg = compose("train", ["~trainer.max_epochs=10", "~tags.0", "~ckpt_path"], config_dir=conf)
    assert "max_epochs" not in cfg.trainer and cfg.tags.to_dict() == [] and "ckpt_path" not in cfg


def test_sweeps_are_for_the_sweeper(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["trainer.max_epochs=1,2"])
    assert "sweeps over 1,2" in error.message and "--multirun" in error.hint
    assert (error.path, error.source) == ("trainer.max_epochs", "<override 'trainer.max_epochs=1,2'>")
    error = error_of(OverrideError, conf, "train", ["model=choice(mnist,resnet)"])
    assert "choice(mnist,resnet)" in error.message


def test_a_package_on_a_key_that_is_no_group(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["modell@x=resnet"])
    assert (
        "looks like a config group choice, but there is no config group 'modell'. Did you mean 'model'?"
        in (error.message)
    )


def test_group_overrides_that_match_nothing(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["db=mysql"])
    assert "cannot override 'db': the defaults list has no entry for it" in error.message
    assert error.hint == "to add one to the defaults list, write +db=mysql"
    error = error_of(OverrideError, conf, "backup", ["db=mysql"])
    assert "the defaults list has it as db@destination, db@source" in error.message
    error = error_of(OverrideError, conf, "train", ["~model=resnet"])
    assert (
        "cannot delete 'model=resnet'" in error.message
        and "the choice for 'model' is 'mnist'" in error.message
    )
    error = error_of(OverrideError, conf, "train", ["++model=resnet"])
    assert "is a config group" in error.message and error.path == "model"
    error = error_of(OverrideError, conf, "train", ["model=1"])
    assert "takes an option name" in error.message


def test_appending_a_group_that_is_already_chosen(conf: Path) -> None:
    error = error_of(OverrideError, conf, "train", ["+experiment=example"])
    assert "the defaults list already chooses 'experiment'" in error.message
    assert error.hint == "change the choice without '+': experiment=example"
    assert error.source == "<override '+experiment=example'>"


def test_a_mandatory_choice(conf: Path) -> None:
    error = error_of(MissingValueError, conf, "mandatory", [])
    assert "no option chosen for 'db'" in error.message and "options: mysql, postgresql" in error.message
    assert (error.path, error.source) == ("db", f"{conf}/mandatory.yaml:2")
    assert error.hint == "choose one on the command line: db=<option>"


def test_the_run_section_must_be_a_mapping(tmp_path: Path) -> None:
    conf = write_tree(tmp_path, {"app.yaml": "x: 1\n_run_: 5\n"})
    error = error_of(ConfigError, conf, "app", [])
    assert "_run_ is reserved" in error.message
    assert (error.path, error.source) == ("_run_", f"{conf}/app.yaml:2")


def test_a_list_cannot_merge_into_a_mapping(tmp_path: Path) -> None:
    conf = write_tree(
        tmp_path, {"app.yaml": "defaults:\n  - db: a\n  - _self_\ndb:\n  - 1\n", "db/a.yaml": "port: 1\n"}
    )
    error = error_of(ConfigError, conf, "app", [])
    assert "cannot merge a list into a mapping" in error.message
    assert (error.path, error.source) == ("db", f"{conf}/app.yaml:4")
    assert f"{conf}/db/a.yaml:1" in error.hint


def test_missing_config_dir(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        compose("app", config_dir=tmp_path / "nope")
    assert "config directory" in str(info.value) and "does not exist" in str(info.value)


def test_a_bare_string_of_overrides_is_one_override(conf: Path) -> None:
    assert compose("eval", "ckpt_path=x", config_dir=conf).ckpt_path == "x"


def test_result_is_a_config(conf: Path) -> None:
    cfg = compose("eval", ["ckpt_path=x"], config_dir=conf)
    assert isinstance(cfg, Config)
    assert cfg.select("trainer.max_epochs") == 3


def test_composing_again_gives_the_same_config(conf: Path) -> None:
    """Composition is called per job: nothing of one call leaks into the next (speed: benchmarks/)."""
    first = compose("train", ["experiment=big", "trainer.max_epochs=3"], config_dir=conf)
    for _ in range(3):
        again = compose("train", ["experiment=big", "trainer.max_epochs=3"], config_dir=conf)
        assert again.to_dict(resolve=False) == first.to_dict(resolve=False)
    assert first.select("trainer.max_epochs") == 3


@pytest.mark.parametrize(("name", "overrides"), [("train", ["model=resnet"]), ("train", ["experiment=big"])])
def test_the_hydra_section_is_returned_only_when_asked_like_hydra(
    hydra_conf: Path, name: str, overrides: list[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = hcompose(name, overrides)
        theirs_all = hcompose(name, overrides, return_hydra_config=True)
    ours_default = compose(name, overrides, config_dir=hydra_conf)
    ours_all = compose(name, overrides, config_dir=hydra_conf, return_hydra_config=True)
    assert "hydra" not in theirs and "hydra" not in ours_default
    assert "hydra" in theirs_all and "hydra" in ours_all
    ours_data = ours_default.to_dict(resolve=False)
    ours_data.pop("_run_")
    assert ours_data == OmegaConf.to_container(theirs, resolve=False)
    # What compose knows is under Hydra's names in the section kept (not Hydra's own defaults).
    section, their_section = ours_all.hydra, theirs_all.hydra
    assert section.job.config_name == their_section.job.config_name == name
    assert list(section.overrides.task) == list(their_section.overrides.task) == overrides
    choices = section.runtime.choices.to_dict()
    their_choices = {
        k: v for k, v in their_section.runtime.choices.items() if not k.startswith("hydra/") or k in choices
    }
    assert choices == their_choices
    assert ours_all.to_dict(resolve=False).keys() - {"hydra", "_run_"} == ours_data.keys()
