"""SPEC 1-2: Config nodes: access, select, setting, ???, conversion, copies, path and source."""

from __future__ import annotations

import collections
import contextlib
import copy
import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import config_data, grammar_text, yaml_documents

from instantiate import Config, ConfigError, ConfigKeyError, MissingValueError, load, register_resolver

TRAIN = """
optim:
  lr: 0.1
  momentum: ???
model:
  layers:
    - [1, 2]
    - {width: $<optim.lr>}
  name: mlp
"""


@pytest.fixture
def train(tmp_path: Path) -> tuple[Config, Path]:
    file = tmp_path / "train.yaml"
    file.write_text(TRAIN.lstrip("\n"), encoding="utf-8")
    return load(file), file


# -- building a Config -------------------------------------------------------------------------


def test_config_copies_plain_python_data() -> None:
    data: dict[str, Any] = {"a": {"b": [1, (2, 3)]}}
    cfg = Config(data)
    data["a"]["b"].append(4)
    assert cfg.to_dict() == {"a": {"b": [1, [2, 3]]}}  # tuples become lists
    assert Config().to_dict() == {}
    assert Config(collections.OrderedDict(x=1)).to_dict() == {"x": 1}
    assert Config([1, 2]).to_dict() == [1, 2]


def test_config_of_a_config_is_a_copy() -> None:
    original = Config({"a": 1})
    clone = Config(original)
    clone.a = 2
    assert original.a == 1


@pytest.mark.parametrize("value", [5, "text", 1.5, object()])
def test_config_needs_a_mapping_or_a_list(value: Any) -> None:
    with pytest.raises(ConfigError, match="a Config holds a mapping or a list"):
        Config(value)


def test_from_yaml_and_load_read_the_same(train: tuple[Config, Path]) -> None:
    cfg, file = train
    assert Config.from_yaml(file.read_text()).to_dict(resolve=False) == cfg.to_dict(resolve=False)


# -- reading mappings --------------------------------------------------------------------------


def test_mapping_access(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    assert cfg.optim.lr == 0.1
    assert cfg["optim"]["lr"] == 0.1
    assert cfg.get("optim").lr == 0.1
    assert cfg.get("nope") is None
    assert cfg.get("nope", 3) == 3

    assert "optim" in cfg
    assert "nope" not in cfg
    assert len(cfg) == 2
    assert list(cfg) == ["optim", "model"]
    assert cfg.keys() == ["optim", "model"]
    assert [type(v) for v in cfg.values()] == [Config, Config]
    assert [k for k, _ in cfg.model.items()] == ["layers", "name"]
    assert cfg.model.layers[1].width == 0.1  # interpolations resolve on read
    assert dict(cfg.model.layers[1].items()) == {"width": 0.1}
    assert bool(cfg) and not bool(Config())


def test_get_gives_the_default_for_a_missing_value() -> None:
    cfg = Config({"lr": "???", "layers": ["???"]})
    assert cfg.get("lr", 0.1) == 0.1 and cfg.get("lr") is None
    assert cfg.layers.get(0, "x") == "x"
    with pytest.raises(MissingValueError):
        cfg["lr"]


def test_keys_that_are_method_names_are_reached_by_item() -> None:
    cfg = Config({"items": [1], "keys": 2, "path": 3, "_target_": "x"})
    assert cfg["items"][0] == 1
    assert cfg["keys"] == 2
    assert cfg["path"] == 3
    assert cfg.path == ""  # the attribute is the node's own path
    assert cfg._target_ == "x"  # single-underscore keys read as attributes


def test_an_unknown_key_names_the_path_and_the_closest_key(train: tuple[Config, Path]) -> None:
    cfg, file = train
    for read in (lambda: cfg.optim.lrr, lambda: cfg.optim["lrr"], lambda: cfg.select("optim.lrr")):
        with pytest.raises(ConfigKeyError) as caught:
            read()
        error = caught.value
        assert isinstance(error, KeyError)
        assert isinstance(error, AttributeError)
        assert error.path == "optim.lrr"
        assert error.source == f"{file}:1"  # where the mapping that lacks it was written
        assert "no key 'lrr'" in str(error)
        assert "Did you mean 'lr'?" in str(error)
        assert "Keys here: lr, momentum" in str(error)


def test_unknown_key_errors_list_at_most_twenty_keys() -> None:
    cfg = Config({f"k{i}": i for i in range(30)})
    with pytest.raises(ConfigKeyError) as caught:
        cfg.zzz  # noqa: B018
    assert "k19, ..." in str(caught.value)
    assert "k20" not in str(caught.value)


def test_unhashable_key_is_a_missing_key() -> None:
    with pytest.raises(ConfigKeyError):
        Config({"a": 1})[["a"]]


def test_dunder_lookups_are_plain_attribute_errors() -> None:
    """copy, pickle and friends probe __dunder__ names; they must not look like config keys."""
    with pytest.raises(AttributeError) as caught:
        Config({}).__nothing__  # noqa: B018
    assert not isinstance(caught.value, ConfigKeyError)


# -- reading sequences -------------------------------------------------------------------------


def test_sequence_access(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    layers = cfg.model.layers
    assert layers.is_sequence()
    assert not cfg.is_sequence()
    assert len(layers) == 2
    assert layers[0][1] == 2
    assert layers[-1].width == 0.1
    assert layers[-1].path == "model.layers[1]"
    assert [x.path for x in layers] == ["model.layers[0]", "model.layers[1]"]
    assert [x.path for x in layers[::-1]] == ["model.layers[1]", "model.layers[0]"]
    assert layers[0][0:1] == [1]
    assert 2 in layers[0]
    assert 3 not in layers[0]
    assert layers.get(5, "d") == "d"
    assert layers.get(-1).width == 0.1
    assert layers.values()[0][0] == 1


@pytest.mark.parametrize(
    ("read", "path", "words"),
    [
        (lambda s: s[5], "model.layers[5]", "index 5 is out of range: the list has 2 items"),
        (lambda s: s[-3], "model.layers[-3]", "index -3 is out of range: the list has 2 items"),
        (lambda s: s["a"], "model.layers", "a list is indexed by integers, not 'a'"),
        (lambda s: s[True], "model.layers", "a list is indexed by integers, not True"),
        (lambda s: s.width, "model.layers", "a list has no attribute 'width'; index it with [i]"),
        (lambda s: s.keys(), "model.layers", "a list has no keys()"),
        (lambda s: s.items(), "model.layers", "a list has no items()"),
    ],
)
def test_sequence_errors(train: tuple[Config, Path], read: Any, path: str, words: str) -> None:
    cfg, file = train
    with pytest.raises(ConfigKeyError) as caught:
        read(cfg.model.layers)
    assert caught.value.path == path
    assert caught.value.source == f"{file}:5"
    assert words in str(caught.value)


def test_only_a_list_can_be_sliced(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    with pytest.raises(ConfigKeyError, match="only a list can be sliced"):
        cfg.optim[0:1]


# -- select ------------------------------------------------------------------------------------


def test_select_reads_by_path(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    assert cfg.select("model.layers[1].width") == 0.1
    assert cfg.select("model.layers.0.1") == 2  # OmegaConf's dotted index
    assert cfg.select("").path == ""
    assert cfg.model.select(".name") == "mlp"
    assert cfg.model.layers.select("..name") == "mlp"
    assert cfg.select("model.nope", default=7) == 7
    assert cfg.select("optim.momentum", default=7) == 7  # a missing value counts as absent
    assert cfg.select("optim.lr.deeper", default=7) == 7
    assert cfg.select("model.layers[9]", default=None) is None


def test_select_errors(train: tuple[Config, Path]) -> None:
    cfg, file = train
    with pytest.raises(ConfigKeyError) as caught:
        cfg.select("optim.lr.deeper")
    assert (caught.value.path, caught.value.source) == ("optim.lr", f"{file}:2")
    assert "'optim.lr.deeper': 0.1 is not a config node, so it has no key 'deeper'" in str(caught.value)
    with pytest.raises(ConfigKeyError) as caught:
        cfg.optim.select("...x")
    assert (caught.value.path, caught.value.source) == ("optim", f"{file}:1")
    assert "'...x' goes above the root" in str(caught.value)
    with pytest.raises(MissingValueError) as missing:
        cfg.select("optim.momentum")
    assert (missing.value.path, missing.value.source) == ("optim.momentum", f"{file}:3")
    with pytest.raises(ConfigError, match="a key must follow"):
        cfg.select("a..b")


# -- ??? ---------------------------------------------------------------------------------------


def test_reading_a_missing_value_names_path_and_line(train: tuple[Config, Path]) -> None:
    cfg, file = train
    for read in (lambda: cfg.optim.momentum, lambda: cfg["optim"]["momentum"], lambda: cfg.optim.values()):
        with pytest.raises(MissingValueError) as caught:
            read()
        error = caught.value
        assert error.path == "optim.momentum"
        assert error.source == f"{file}:3"
        assert "mandatory value (???) is not set" in str(error)
        assert "optim.momentum=" in str(error)  # how to set it


def test_is_missing_asks_without_raising() -> None:
    cfg = Config({"a": "???", "b": 1, "c": "$<a>", "l": ["???", 2], "m": {"x": "???"}})
    assert cfg.is_missing("a")
    assert not cfg.is_missing("b")
    assert not cfg.is_missing("c")  # an interpolation is set, even if what it names is not
    assert not cfg.is_missing("absent")
    assert cfg.l.is_missing(0)
    assert not cfg.l.is_missing(1)
    assert not cfg.is_missing("m")
    assert cfg.m.is_missing("x")
    cfg.a = 5
    assert not cfg.is_missing("a")


def test_missing_values_survive_export() -> None:
    cfg = Config({"a": "???"})
    assert cfg.to_dict() == {"a": "???"}
    assert Config.from_yaml(cfg.to_yaml()).is_missing("a")


# -- setting and deleting ----------------------------------------------------------------------


def test_setting_values_wraps_containers_as_nodes() -> None:
    cfg = Config({"optim": {"lr": 0.01}, "k": 5})
    cfg.optim.lr = 0.1
    cfg["model"] = {"width": "$<k>", "layers": (1, 2)}
    cfg.extra = [{"z": "$<k>"}]
    assert cfg.optim.lr == 0.1
    assert isinstance(cfg.model, Config)
    assert cfg.model.path == "model"
    assert cfg.model.width == 5
    assert cfg.model.layers.to_dict() == [1, 2]
    assert cfg.extra[0].z == 5


def test_setting_a_node_copies_it_into_this_tree() -> None:
    other = Config({"a": {"x": 1}})
    cfg = Config({})
    cfg.sub = other.a
    cfg.sub.x = 2
    assert other.a.x == 1
    assert cfg.sub.path == "sub"


def test_set_values_have_no_source(train: tuple[Config, Path]) -> None:
    cfg, file = train
    assert cfg.optim.source_of("lr") == f"{file}:2"
    cfg.optim.lr = 0.5
    assert cfg.optim.source_of("lr") is None
    cfg.model.layers[0] = [9]
    assert cfg.model.layers[0].source is None
    assert cfg.model.layers.source_of(1) == f"{file}:7"
    cfg.model.layers.append({"w": 1})
    assert cfg.model.layers[2].source is None


def test_setting_list_items() -> None:
    cfg = Config({"l": [1, 2]})
    cfg.l[0] = 10
    cfg.l[-1] = 20
    cfg.l.append(30)
    assert cfg.to_dict() == {"l": [10, 20, 30]}
    with pytest.raises(ConfigKeyError, match="index 3 is out of range for a list of 3 items"):
        cfg.l[3] = 1
    with pytest.raises(ConfigKeyError, match="append"):
        cfg.append(1)


def test_deleting() -> None:
    cfg = Config.from_yaml("a: 1\nb: 2\nl:\n  - 1\n  - 2\n  - 3\n")
    del cfg.a
    del cfg["b"]
    del cfg.l[0]
    assert cfg.to_dict() == {"l": [2, 3]}
    assert cfg.l.source_of(0) == "<string>:5"  # lines move with their items
    with pytest.raises(ConfigKeyError) as caught:
        del cfg.zz
    assert (caught.value.path, caught.value.source) == ("zz", "<string>:1")
    with pytest.raises(ConfigKeyError):
        del cfg.l[7]


def test_dunder_names_cannot_be_set() -> None:
    with pytest.raises(AttributeError, match="cannot set __x"):
        Config({}).__x = 1


# -- path and source ---------------------------------------------------------------------------


def test_path_and_source_of_nodes(train: tuple[Config, Path]) -> None:
    cfg, file = train
    assert cfg.path == ""
    assert cfg.model.layers[0].path == "model.layers[0]"
    assert cfg.model.layers[1].path == "model.layers[1]"
    assert cfg.model.layers.source == f"{file}:5"
    assert cfg.model.layers[1].source == f"{file}:7"
    assert cfg.model.source_of("name") == f"{file}:8"
    with pytest.raises(ConfigKeyError):
        cfg.model.source_of("nope")
    nested = Config({"a": [[{"b": 1}]]})
    assert nested.a[0][0].path == "a[0][0]"
    assert nested.a[0][0].source is None  # made in code
    assert Config([{"x": 1}])[0].path == "[0]"


# -- converting --------------------------------------------------------------------------------


def test_to_dict_resolves_or_keeps_interpolations(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    resolved = cfg.to_dict()
    assert resolved["model"]["layers"][1] == {"width": 0.1}
    assert type(resolved) is dict and type(resolved["model"]["layers"]) is list
    assert cfg.to_dict(resolve=False)["model"]["layers"][1] == {"width": "$<optim.lr>"}
    assert cfg.model.to_dict() == {"layers": [[1, 2], {"width": 0.1}], "name": "mlp"}


def test_to_yaml_keeps_or_resolves_and_reads_back(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    text = cfg.to_yaml()
    assert "$<optim.lr>" in text
    assert Config.from_yaml(text).to_dict(resolve=False) == cfg.to_dict(resolve=False)
    assert "width: 0.1" in cfg.to_yaml(resolve=True)
    assert cfg.model.to_yaml(resolve=True).startswith("layers:")


def test_to_yaml_quotes_what_would_read_back_as_another_type() -> None:
    data = {"exp": "1e-3", "num": 1e-3, "date": "2024-01-01", "word": "yes", "nel": "a\x85b", "oct": "0123"}
    assert Config.from_yaml(Config(data).to_yaml()).to_dict() == data


def test_to_yaml_of_a_value_that_is_not_plain_data() -> None:
    cfg = Config({"sub": {"obj": object()}})
    with pytest.raises(ConfigError) as caught:
        cfg.sub.to_yaml()
    assert caught.value.path == "sub"
    assert "cannot write this config as YAML" in str(caught.value)
    assert "is not plain data" in str(caught.value)


def test_repr_str_eq_hash_dir() -> None:
    cfg = Config({"a": 1, "b": "$<a>"})
    assert repr(cfg) == "Config({'a': 1, 'b': '$<a>'})"
    assert str(cfg) == "{'a': 1, 'b': '$<a>'}"
    assert cfg == {"a": 1, "b": "$<a>"}
    assert cfg == Config({"a": 1, "b": "$<a>"})
    assert cfg != {"a": 1, "b": 1}  # equality compares what is written
    assert Config([1, 2]) == (1, 2)
    assert cfg != 5
    with pytest.raises(TypeError):
        hash(cfg)
    assert {"a", "b", "get", "select", "to_dict"} <= set(dir(cfg))


# -- copies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("clone", [copy.deepcopy, copy.copy])
def test_copies_are_independent_and_keep_place_root_and_source(
    train: tuple[Config, Path], clone: Any
) -> None:
    cfg, file = train
    layer = clone(cfg.model.layers[1])
    assert layer.path == "model.layers[1]"
    assert layer.source == f"{file}:7"
    assert layer.width == 0.1  # still reaches optim.lr in its own copy of the tree
    layer.width = 5
    assert cfg.model.layers[1].width == 0.1


def test_pickled_nodes_keep_place_and_root(train: tuple[Config, Path]) -> None:
    cfg, _ = train
    layer = pickle.loads(pickle.dumps(cfg.model.layers[1]))
    assert layer.path == "model.layers[1]"
    assert layer.width == 0.1
    assert pickle.loads(pickle.dumps(cfg)).to_dict(resolve=False) == cfg.to_dict(resolve=False)


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda node: pickle.loads(pickle.dumps(node))])
def test_copies_of_a_node_a_resolver_made(clone: Any) -> None:
    register_resolver("pair", lambda a, b: [a, b])
    cfg = Config({"m": {"w": 2}, "made": "$<pair:1,$<m>>"})
    made = clone(cfg.made)
    assert made.to_dict() == [1, {"w": 2}]
    assert len(made) == 2


def test_pickled_nodes_keep_their_source(train: tuple[Config, Path]) -> None:
    cfg, file = train
    assert pickle.loads(pickle.dumps(cfg.model)).source_of("name") == f"{file}:8"


# -- properties --------------------------------------------------------------------------------


@settings(max_examples=300)
@given(config_data)
def test_plain_data_round_trips(data: Any) -> None:
    cfg = Config(data)
    assert cfg.to_dict(resolve=False) == data
    assert Config.from_yaml(cfg.to_yaml()).to_dict(resolve=False) == data


def read_everything(node: Config, depth: int = 0) -> None:
    """Read every value below ``node`` the ways a user can; ConfigErrors are allowed answers."""
    if depth > 12:  # a value may be a reference to an ancestor: do not walk forever
        return
    keys = range(len(node)) if node.is_sequence() else list(node)
    for key in keys:
        with contextlib.suppress(ConfigError):
            node.is_missing(key)
        try:
            value = node[key]
        except ConfigError:
            continue
        if isinstance(value, Config):
            read_everything(value, depth + 1)
    for export in (node.to_dict, node.to_yaml, lambda: node.to_yaml(resolve=True), node.values):
        with contextlib.suppress(ConfigError):
            export()
    str(node)
    repr(node)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), yaml_documents()))
def test_any_text_loads_and_reads_or_raises_a_config_error(text: str) -> None:
    try:
        cfg = Config.from_yaml(text)
    except ConfigError:
        return
    read_everything(cfg)
    read_everything(copy.deepcopy(cfg))
    read_everything(pickle.loads(pickle.dumps(cfg)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["a", "b", "c", "m"]), st.one_of(grammar_text, config_data), max_size=4)
)
def test_any_values_in_code_read_or_raise_a_config_error(data: dict[str, Any]) -> None:
    read_everything(Config(data))


def test_a_real_file_reads_without_surprises(tmp_path: Path) -> None:
    file = tmp_path / "big.yaml"
    file.write_text(
        textwrap.dedent(
            """
            defaults_like: [a, b]
            data: {features: 784, classes: 10, root: /data}
            model:
              _target_: torch.nn.Sequential
              _args_:
                - _target_: torch.nn.Linear
                  in_features: $<data.features>
                  out_features: 64
                - _target_: torch.nn.Linear
                  in_features: $<..[0].out_features>
                  out_features: 10
            run: {name: "exp_$<data.classes>", dir: "$<data.root>/runs"}
            """
        )
    )
    cfg = load(file)
    read_everything(cfg)
    assert cfg.run.name == "exp_10"
    assert cfg.run.dir == "/data/runs"
    assert cfg.model._args_[1].in_features == 64
