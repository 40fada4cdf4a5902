"""``instantiate`` next to Hydra 1.3.8's, case by case: structured configs, OmegaConf inputs
nested anywhere, OmegaConf-registered resolvers, partials with ``???``, special keys, call-time
mappings, ``ConvertMode``, top-level lists (issue 13). The cases follow the groups of Hydra's
own ``tests/instantiate``; each row runs through both, and the documented differences
(README, "Behaviour fixed here") are asserted as differences."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable

import attrs
import pytest
import sample_targets as st
from hydra.errors import InstantiationException
from hydra.types import ConvertMode
from hydra.utils import instantiate as hydra_instantiate
from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue

from instantiate import (
    Config,
    ConfigError,
    InstantiationError,
    InterpolationError,
    MissingValueError,
    TargetError,
    instantiate,
    load,
)


def norm(value: Any) -> Any:
    """A result in comparable form: partials as (func, args, keywords), OmegaConf as plain data."""
    if isinstance(value, functools.partial):
        return ("partial", value.func, norm(list(value.args)), norm(dict(value.keywords)))
    if isinstance(value, (DictConfig, ListConfig)):
        return norm(OmegaConf.to_container(value, resolve=True))
    if isinstance(value, Config):
        return norm(value.to_dict())
    if isinstance(value, st._Value):
        return (type(value).__name__, norm(vars(value)))
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [norm(v) for v in value]
    return value


def both(make: Callable[[], Any], *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """Ours and Hydra's result for the same input, each from a fresh copy of it."""
    return instantiate(make(), *args, **kwargs), hydra_instantiate(make(), *args, **kwargs)


# -- structured configs --------------------------------------------------------------------
@dataclass
class TreeConf:
    _target_: str = "sample_targets.Tree"
    _partial_: bool = False
    value: Any = 1
    left: Any = None
    right: Any = None


@dataclass
class CenterCropConf:
    _target_: str = "sample_targets.CenterCrop"
    _partial_: bool = False
    size: int = MISSING


@dataclass
class RotationConf:
    _target_: str = "sample_targets.Rotation"
    degrees: int = 0


@dataclass
class ComposeConf:
    _target_: str = "sample_targets.Compose"
    _partial_: bool = False
    transforms: list[Any] = field(default_factory=list)


@dataclass
class LookupConf:
    _target_: str = "sample_targets.Lookup"
    _partial_: bool = False
    dictionary: Any = None


@dataclass
class User:
    name: str = "Bond"
    age: int = 7


@dataclass
class ArgsConf:
    _target_: str = "sample_targets.Holder"
    _args_: list[Any] = field(default_factory=lambda: [1, {"_target_": "sample_targets.Point", "x": 2}])
    k: Any = 3


@dataclass
class FlagsConf:
    _target_: str = "sample_targets.Holder"
    _recursive_: bool = False
    _convert_: str = "all"
    inner: Any = field(default_factory=lambda: {"_target_": "sample_targets.Point", "x": 1})


@dataclass
class InterpolatingConf:
    _target_: str = "sample_targets.Point"
    x: int = 4
    y: Any = "${x}"


@dataclass
class NoDefaultsConf:
    x: int  # no default: ??? until given
    _target_: str = "sample_targets.Point"
    y: int = 2


@attrs.define
class AttrsPoint:
    _target_: str = attrs.field(default="sample_targets.Point", alias="_target_")
    x: int = 1
    y: Any = attrs.field(factory=lambda: TreeConf(value=5))


STRUCTURED: dict[str, tuple[Callable[[], Any], dict[str, Any]]] = {
    "instance": (lambda: TreeConf(value=1), {}),
    "instance, nested": (lambda: TreeConf(value=1, left=TreeConf(value=21), right=TreeConf(value=22)), {}),
    "class, call-time value": (lambda: TreeConf, {"value": 2}),
    "call-time plain mapping where null": (
        lambda: TreeConf(left=TreeConf(value=21)),
        {"right": {"value": 22}},
    ),
    "call-time partial": (lambda: TreeConf, {"value": 2, "_partial_": True}),
    "call-time recursive false": (lambda: TreeConf(left={"a": 1}), {"_recursive_": False}),
    "nested in a dict": (
        lambda: {"_target_": "builtins.dict", "x": TreeConf(), "y": [TreeConf(value=3)]},
        {},
    ),
    "class nested in a dict": (
        lambda: {"_target_": "sample_targets.Wrapper", "inner": TreeConf},
        {"inner": {"value": 9}},
    ),
    "list of them": (lambda: ComposeConf(transforms=[CenterCropConf(size=10), RotationConf(degrees=45)]), {}),
    "top-level list of them": (lambda: [CenterCropConf(size=10), RotationConf(degrees=45)], {}),
    "dict of them": (lambda: LookupConf(dictionary={"a": LookupConf(), "b": LookupConf()}), {}),
    "partial field": (lambda: TreeConf(value=1, left=TreeConf(value=21, _partial_=True)), {}),
    "partial fields nested": (
        lambda: TreeConf(
            _partial_=True, left=TreeConf(value=21), right=TreeConf(left=TreeConf(_partial_=True))
        ),
        {},
    ),
    "partial in a list": (
        lambda: ComposeConf(transforms=[CenterCropConf(_partial_=True), RotationConf()]),
        {},
    ),
    "partial with a ??? field": (lambda: CenterCropConf(_partial_=True), {}),
    "partial in a dict": (lambda: LookupConf(dictionary={"a": LookupConf(_partial_=True)}), {}),
    "_args_ field": (lambda: ArgsConf(), {}),
    "_recursive_ and _convert_ fields": (lambda: FlagsConf(), {}),
    "interpolation field": (lambda: InterpolatingConf(), {"x": 6}),
    "class without defaults, given": (lambda: NoDefaultsConf, {"x": 1}),
    "attrs instance": (lambda: AttrsPoint(x=3), {}),
    "attrs class": (lambda: AttrsPoint, {"y": 2}),
    "target-less dataclass": (
        lambda: {"_target_": "sample_targets.Holder", "user": User()},
        {"_convert_": "all"},
    ),
}


@pytest.mark.parametrize(("make", "kwargs"), STRUCTURED.values(), ids=STRUCTURED.keys())
def test_structured_configs_like_hydra(make: Callable[[], Any], kwargs: dict[str, Any]) -> None:
    ours, theirs = both(make, **kwargs)
    assert norm(ours) == norm(theirs)


@dataclass
class DataConf:
    features: int = 3
    classes: int = 2


def _referring_to_structured() -> dict[str, Any]:
    return {
        "data": DataConf(features=5),
        "tree": TreeConf(value="${data.classes}"),
        "model": {"_target_": "sample_targets.Point", "x": "${data.features}", "y": "${tree}"},
    }


def test_references_into_structured_configs_nested_in_plain_data_like_hydra() -> None:
    ours, theirs = both(_referring_to_structured)
    assert norm(ours) == norm(theirs)
    assert ours["model"] == st.Point(5, st.Tree(2)) and ours["model"].y is not ours["tree"]


def test_shared_reference_to_a_structured_config_is_one_object() -> None:
    built = instantiate({"tree": TreeConf(value=4), "a": "$<@tree>", "b": ["$<@tree>"]})
    assert built["tree"] == st.Tree(4)
    assert built["a"] is built["tree"] and built["b"][0] is built["tree"]


def test_structured_config_is_built_not_returned() -> None:
    tree = instantiate(TreeConf(value=1, left=TreeConf(value=2)))
    assert tree == st.Tree(1, left=st.Tree(2))


def test_structured_config_is_not_changed_and_builds_again() -> None:
    conf = TreeConf(value=1, left=TreeConf(value=2, left={"_target_": "sample_targets.Point"}))
    first, second = instantiate(conf), instantiate(conf, value=5)
    assert first.left.left == st.Point() and first.left.left is not second.left.left
    assert conf == TreeConf(value=1, left=TreeConf(value=2, left={"_target_": "sample_targets.Point"}))


def test_target_less_structured_config_is_a_plain_dict() -> None:
    # Documented difference: Hydra gives a DictConfig typed User; ours a plain dict (as _convert_: all).
    assert type(hydra_instantiate({"u": User()})["u"]) is DictConfig
    assert instantiate({"u": User()}) == {"u": {"name": "Bond", "age": 7}}
    assert type(instantiate(User())) is dict


def test_call_time_dataclass_is_passed_as_it_is() -> None:
    # Documented difference: Hydra reads a dataclass given at call time as config and builds it.
    user = User()
    assert instantiate({"_target_": "sample_targets.Holder"}, user=user).kwargs["user"] is user
    assert hydra_instantiate({"_target_": "sample_targets.Holder"}, user=user).kwargs["user"] == {
        "name": "Bond",
        "age": 7,
    }


# -- bad structured configs ----------------------------------------------------------------
@dataclass
class UnannotatedTarget:
    _target_ = "sample_targets.Point"  # no annotation: a class attribute, not a field
    x: int = 1


@dataclass
class MissingTarget:
    _target_: str = MISSING
    x: int = 1


@dataclass
class MisspelledTarget:
    _target_: str = "sample_targets.Pont"
    x: int = 1


def test_unannotated_target_is_an_error_not_a_dict() -> None:
    # Hydra silently gives the fields as a DictConfig; ours says what is wrong and how to fix it.
    assert hydra_instantiate(UnannotatedTarget()) == {"x": 1}
    with pytest.raises(InstantiationError, match="without a type annotation") as caught:
        instantiate(UnannotatedTarget())
    assert caught.value.path == "UnannotatedTarget"
    assert '_target_: str = "sample_targets.Point"' in str(caught.value)
    with pytest.raises(InstantiationError, match="without a type annotation"):
        instantiate({"_target_": "sample_targets.Wrapper", "inner": UnannotatedTarget})


def test_missing_target_field() -> None:
    with pytest.raises(MissingMandatoryValue):
        hydra_instantiate(MissingTarget())
    with pytest.raises(MissingValueError, match="mandatory value") as caught:
        instantiate(MissingTarget())
    assert caught.value.path == "MissingTarget._target_"
    assert instantiate(MissingTarget(), _target_="sample_targets.Point") == st.Point(x=1)


def test_misspelled_target_field() -> None:
    with pytest.raises(InstantiationException):
        hydra_instantiate(MisspelledTarget())
    with pytest.raises(TargetError, match="Point") as caught:
        instantiate(MisspelledTarget())
    assert caught.value.path == "MisspelledTarget._target_"
    assert caught.value.source is None  # made in code: no file:line


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: TreeConf(value=MISSING), "TreeConf.value"),
        (lambda: TreeConf(left=TreeConf(value=MISSING)), "TreeConf.left.value"),
        (
            lambda: ComposeConf(transforms=[RotationConf(), CenterCropConf()]),
            "ComposeConf.transforms[1].size",
        ),
        (lambda: NoDefaultsConf, "NoDefaultsConf.x"),
        (lambda: {"model": CenterCropConf()}, "model.size"),
    ],
    ids=["field", "nested field", "in a list", "class without default", "nested in a dict"],
)
def test_missing_field_without_partial_names_its_path(make: Callable[[], Any], path: str) -> None:
    with pytest.raises(MissingMandatoryValue):
        hydra_instantiate(make())
    with pytest.raises(MissingValueError) as caught:
        instantiate(make())
    assert caught.value.path == path
    assert isinstance(caught.value, ConfigError)


def test_structured_config_error_from_the_target_names_the_path() -> None:
    with pytest.raises(InstantiationError, match="unexpected keyword 'z'") as caught:
        instantiate(
            TreeConf(left=RotationConf(degrees=1), right={"_target_": "sample_targets.Point", "z": 1})
        )
    assert caught.value.path == "TreeConf.right"


# -- non-plain mappings and sequences nested in plain data ------------------------------------
def _root_cfg() -> DictConfig:
    return OmegaConf.create(
        {
            "cb1": {"_target_": "sample_targets.Point", "x": 1},
            "cb2": {"_target_": "sample_targets.Point", "y": "${.x}", "x": 2},
        }
    )


NESTED: dict[str, Callable[[], Any]] = {
    "DictConfig in a dict": lambda: {
        "_target_": "builtins.dict",
        "m": OmegaConf.create({"_target_": "builtins.dict", "a": 1}),
    },
    "DictConfig nodes in a list": lambda: [_root_cfg().cb1, _root_cfg().cb2],
    "ListConfig in a dict": lambda: {
        "_target_": "sample_targets.Holder",
        "items": OmegaConf.create([{"_target_": "sample_targets.Point"}, 3]),
    },
    "OrderedDict in a dict": lambda: {
        "_target_": "builtins.dict",
        "m": OrderedDict(_target_="sample_targets.Point", x=3),
    },
    "reference into a tuple": lambda: {
        "t": (1, {"_target_": "sample_targets.Point", "x": 2}),
        "p": {"_target_": "sample_targets.Wrapper", "inner": "${t[1]}"},
        "n": "${t[0]}",
    },
    "tuple of targets": lambda: {
        "_target_": "sample_targets.Holder",
        "t": ({"_target_": "sample_targets.Point"},),
    },
    "None nodes": lambda: {
        "_target_": "sample_targets.Holder",
        "none_dict": DictConfig(None),
        "none_list": ListConfig(None),
        "dict": {"field": 10, "none_dict": DictConfig(None), "none_list": ListConfig(None)},
        "list": [10, DictConfig(None), ListConfig(None)],
    },
}


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_nested_foreign_containers_are_built_like_hydra(make: Callable[[], Any]) -> None:
    ours, theirs = both(make)
    assert norm(ours) == norm(theirs)


def test_any_mapping_or_sequence_nested_is_built() -> None:
    # Beyond Hydra, which passes a mapping that is no dict as it is (SPEC 4.1: every nested
    # _target_ mapping is built).
    proxy = MappingProxyType({"_target_": "sample_targets.Point", "x": 3})
    assert hydra_instantiate([proxy]) == [proxy]
    assert instantiate([proxy, {"k": proxy}]) == [st.Point(3), {"k": st.Point(3)}]


def test_config_node_nested_in_plain_data_is_built() -> None:
    cfg = Config({"n": 3, "model": {"_target_": "sample_targets.Point", "x": "$<n>"}})
    assert instantiate({"_target_": "sample_targets.Wrapper", "inner": cfg.model}) == st.Wrapper(st.Point(3))
    assert instantiate([cfg.model, cfg.model]) == [st.Point(3), st.Point(3)]


def test_nodes_inside_a_structured_config_keep_their_own_root() -> None:
    cfg = OmegaConf.create({"n": 3, "cb": {"_target_": "sample_targets.Point", "x": "${n}", "y": "???"}})
    mine = Config({"n": 4, "cb": {"_target_": "sample_targets.Point", "x": "$<n>"}})
    built = instantiate(TreeConf(left=cfg.cb, right=mine.cb), left={"y": 1})
    assert built.right == st.Point(4)
    assert built.left == {"y": 1}  # a call-time mapping replaces a node of another tree
    with pytest.raises(MissingValueError) as caught:
        instantiate(TreeConf(left=cfg.cb))
    assert caught.value.path == "cb.y"  # the path in its own config


def test_nested_omegaconf_node_keeps_its_own_root() -> None:
    # Documented difference: Hydra re-roots the nodes into the new list, where ${n} is not found.
    cfg = OmegaConf.create({"n": 3, "cb": {"_target_": "sample_targets.Point", "x": "${n}"}})
    with pytest.raises(Exception, match="n"):
        hydra_instantiate([cfg.cb])
    assert instantiate([cfg.cb, cfg.cb]) == [st.Point(3), st.Point(3)]


def test_nested_foreign_container_under_recursive_false_is_a_config_node() -> None:
    text = OrderedDict(_target_="sample_targets.Point", x=3)
    ours = instantiate(
        {"_target_": "sample_targets.Holder", "_recursive_": False, "m": text, "t": TreeConf()}
    )
    theirs = hydra_instantiate(
        {"_target_": "sample_targets.Holder", "_recursive_": False, "m": text, "t": TreeConf()}
    )
    assert isinstance(ours.kwargs["m"], Config) and isinstance(theirs.kwargs["m"], DictConfig)
    assert norm(ours) == norm(theirs)


# -- resolvers registered with OmegaConf --------------------------------------------------------
@pytest.fixture
def omegaconf_resolvers() -> Any:
    names = ["twice", "parent_key", "made"]
    OmegaConf.register_new_resolver("twice", lambda x: 2 * x)
    OmegaConf.register_new_resolver("parent_key", lambda _parent_: sorted(_parent_.keys())[0])
    OmegaConf.register_new_resolver("made", lambda: OmegaConf.create({"a": [1, 2]}))
    yield
    for name in names:
        OmegaConf.clear_resolver(name)


@pytest.mark.usefixtures("omegaconf_resolvers")
@pytest.mark.parametrize(
    "data",
    [
        {"_target_": "sample_targets.Point", "x": "${twice:3}", "y": "${twice:${.x}}"},
        {"_target_": "sample_targets.Point", "x": "${parent_key:}", "y": "n=${twice:2}"},
        {"_target_": "sample_targets.Holder", "_convert_": "all", "m": "${made:}"},
        {"_target_": "sample_targets.Point", "x": "${oc.decode:'[1, 2]'}"},
    ],
    ids=["call", "with _parent_", "returns a DictConfig", "OmegaConf's built-in"],
)
def test_omegaconf_registered_resolvers_like_hydra(data: dict[str, Any]) -> None:
    ours, theirs = both(lambda: OmegaConf.create(data))
    assert norm(ours) == norm(theirs)


@pytest.mark.usefixtures("omegaconf_resolvers")
def test_omegaconf_resolver_in_a_sub_node_and_nested_dictconfig() -> None:
    cfg = OmegaConf.create({"k": 4, "model": {"_target_": "sample_targets.Point", "x": "${twice:${k}}"}})
    assert instantiate(cfg.model) == hydra_instantiate(cfg.model) == st.Point(8)
    assert instantiate({"_target_": "sample_targets.Wrapper", "inner": cfg.model}) == st.Wrapper(st.Point(8))


@pytest.mark.usefixtures("omegaconf_resolvers")
def test_omegaconf_resolvers_are_for_omegaconf_inputs_only() -> None:
    # Documented difference: a plain dict or YAML config sees only resolvers registered here.
    data = {"_target_": "sample_targets.Point", "x": "${twice:3}"}
    assert hydra_instantiate(data) == st.Point(6)
    with pytest.raises(InterpolationError, match="unknown resolver 'twice'"):
        instantiate(data)


def test_unknown_resolver_in_an_omegaconf_input_is_an_interpolation_error() -> None:
    with pytest.raises(InterpolationError, match="unknown resolver 'nope'") as caught:
        instantiate(OmegaConf.create({"_target_": "sample_targets.Point", "x": "${nope:1}"}))
    assert caught.value.path == "x"


# -- _partial_ with ??? -------------------------------------------------------------------------
PARTIAL_MISSING: dict[str, tuple[Any, dict[str, Any]]] = {
    "??? left out": ({"_target_": "builtins.dict", "_partial_": True, "a": "???", "b": 2}, {}),
    "reference to ???": (
        {"_target_": "sample_targets.Point", "_partial_": True, "x": "${.y}", "y": "???"},
        {},
    ),
    "call-time partial": ({"_target_": "sample_targets.Point", "x": "???", "y": 2}, {"_partial_": True}),
    "recursive false": (
        {
            "_target_": "sample_targets.Holder",
            "_partial_": True,
            "_recursive_": False,
            "a": "???",
            "b": {"c": 1},
        },
        {},
    ),
    "with _args_": ({"_target_": "sample_targets.Holder", "_args_": [1], "_partial_": True, "b": "???"}, {}),
    "call-time value fills it": (
        {"_target_": "sample_targets.Point", "_partial_": True, "x": "???"},
        {"x": 5},
    ),
}


@pytest.mark.parametrize(("data", "kwargs"), PARTIAL_MISSING.values(), ids=PARTIAL_MISSING.keys())
def test_partial_leaves_missing_values_out_like_hydra(data: Any, kwargs: dict[str, Any]) -> None:
    ours, theirs = both(lambda: OmegaConf.create(data), **kwargs)
    assert isinstance(ours, functools.partial)
    assert norm(ours) == norm(theirs)
    ours = instantiate(data, **kwargs)  # plain data too
    assert norm(ours) == norm(theirs)


def test_missing_value_in_a_nested_non_partial_node_still_raises() -> None:
    data = {
        "_target_": "sample_targets.Wrapper",
        "_partial_": True,
        "inner": {"_target_": "sample_targets.Point", "x": "???"},
    }
    with pytest.raises(MissingMandatoryValue):
        hydra_instantiate(data)
    with pytest.raises(MissingValueError) as caught:
        instantiate(data)
    assert caught.value.path == "inner.x"


# -- special keys never left in a target-less result -----------------------------------------------
SPECIAL: dict[str, tuple[Any, dict[str, Any]]] = {
    "call-time _recursive_": ({"a": 1}, {"_recursive_": False}),
    "own _convert_": ({"a": 1, "_convert_": "all"}, {}),
    "own _recursive_": (
        {
            "a": 1,
            "_recursive_": False,
            "n": {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point"}},
        },
        {},
    ),
    "call-time _partial_ on a mapping": ({"a": {"_target_": "sample_targets.Point"}}, {"_partial_": True}),
}


@pytest.mark.parametrize(("data", "kwargs"), SPECIAL.values(), ids=SPECIAL.keys())
def test_special_keys_are_stripped_like_hydra(data: Any, kwargs: dict[str, Any]) -> None:
    ours, theirs = both(lambda: data, **kwargs)
    assert type(ours) is dict
    assert norm(ours) == norm(theirs)
    assert not {"_recursive_", "_convert_", "_partial_"} & set(ours)


def test_target_less_own_recursive_false_reaches_nested_targets() -> None:
    ours = instantiate(
        {
            "_recursive_": False,
            "n": {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point"}},
        }
    )
    assert isinstance(ours["n"].inner, Config) and ours["n"].inner.to_dict() == {
        "_target_": "sample_targets.Point"
    }


def test_nested_target_less_special_keys_are_stripped_too() -> None:
    # Documented difference: Hydra strips them from the top node only (SPEC 4.3: never in a result).
    data = {"x": {"a": 1, "_convert_": "all", "_args_": [1]}}
    assert hydra_instantiate(data)["x"] == {"a": 1, "_convert_": "all", "_args_": [1]}
    assert instantiate(data) == {"x": {"a": 1}}


def test_positionals_for_a_target_less_node_are_an_error() -> None:
    # Hydra drops them silently; there is nothing to pass them to.
    assert hydra_instantiate({"a": 1}, 5) == {"a": 1}
    with pytest.raises(InstantiationError, match="positional arguments need a node with _target_"):
        instantiate({"a": 1}, 5)
    assert instantiate({"a": 1}, b=2) == hydra_instantiate({"a": 1}, b=2) == {"a": 1, "b": 2}


def test_bad_flag_in_a_target_less_node_names_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "conf.yaml"
    path.write_text("model:\n  layers:\n    _recursive_: maybe\n    a: 1\n")
    with pytest.raises(InstantiationError, match="_recursive_ must be true or false") as caught:
        instantiate(load(path))
    assert caught.value.path == "model.layers._recursive_"
    assert caught.value.source == f"{path}:3"


def test_shared_node_under_a_target_less_recursive_false_is_built_as_there() -> None:
    built = instantiate(
        {
            "parts": {
                "_recursive_": False,
                "w": {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point"}},
            },
            "ref": "$<@parts.w>",
        }
    )
    assert built["ref"] is built["parts"]["w"] and isinstance(built["ref"].inner, Config)


def test_target_less_convert_none_gives_config_nodes() -> None:
    built = instantiate(
        {"_convert_": "none", "m": {"a": [1]}, "p": {"_target_": "sample_targets.Holder", "d": {"b": 2}}}
    )
    assert isinstance(built, Config) and isinstance(built.p.kwargs["d"], Config)
    assert built.to_dict()["m"] == {"a": [1]}


def test_call_time_values_are_passed_as_they_are_unlike_hydra() -> None:
    # Documented differences: call-time values are passed as they are (a dict holding _target_
    # is not built), and a plain mapping replaces a target-less node (Hydra merges both).
    made = {"_target_": "sample_targets.Tree", "value": 2}
    assert hydra_instantiate(TreeConf, left=dict(made)).left == st.Tree(2)
    assert instantiate(TreeConf, left=dict(made)).left == made
    data = {
        "_target_": "sample_targets.Lookup",
        "dictionary": {"a": {"_target_": "sample_targets.Lookup"}, "b": 1},
    }
    theirs = hydra_instantiate(data, dictionary={"a": {"_partial_": True}})
    assert isinstance(theirs.dictionary["a"], functools.partial) and theirs.dictionary["b"] == 1
    assert instantiate(data, dictionary={"a": {"_partial_": True}}).dictionary == {"a": {"_partial_": True}}


# -- a call-time mapping merges into an interpolated _target_ node ----------------------------------
def _template_cfg() -> DictConfig:
    return OmegaConf.create(
        {
            "template": {"_target_": "sample_targets.Point", "x": 1, "y": 5},
            "node": {"_target_": "sample_targets.Wrapper", "inner": "${template}"},
        }
    )


@pytest.mark.parametrize(
    "value",
    [{"x": 2}, {"_target_": "sample_targets.Holder", "z": 3}, {"x": "${template.y}"}],
    ids=["merge a key", "replace the target", "merge an interpolation"],
)
def test_call_time_mapping_merges_into_an_interpolated_target_node(value: dict[str, Any]) -> None:
    ours = instantiate(_template_cfg().node, inner=dict(value))
    theirs = hydra_instantiate(_template_cfg().node, inner=dict(value))
    if "$" in str(value):  # call-time values are passed as they are: not interpolated
        assert ours.inner.x == "${template.y}" and theirs.inner.x == 5
        return
    assert norm(ours) == norm(theirs)


def test_call_time_merge_into_an_interpolated_node_leaves_the_template_alone() -> None:
    cfg = Config(
        {
            "template": {"_target_": "sample_targets.Point", "x": 1, "y": 5},
            "a": {"_target_": "sample_targets.Wrapper", "inner": "$<template>"},
        }
    )
    built = instantiate(cfg, a={"inner": {"x": 2}})
    assert built["a"] == st.Wrapper(st.Point(2, 5))
    assert built["template"] == st.Point(1, 5)
    assert cfg.to_dict(resolve=False)["a"]["inner"] == "$<template>"


def test_call_time_mapping_for_an_interpolated_plain_node_replaces_it() -> None:
    # Documented difference: a plain mapping replaces a target-less node (Hydra merges).
    cfg = {"opts": {"a": 1, "b": 2}, "n": {"_target_": "sample_targets.Holder", "o": "${opts}"}}
    assert hydra_instantiate(OmegaConf.create(cfg).n, o={"a": 5}).kwargs["o"] == {"a": 5, "b": 2}
    assert instantiate(OmegaConf.create(cfg).n, o={"a": 5}).kwargs["o"] == {"a": 5}


# -- Hydra's ConvertMode ------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(ConvertMode), ids=[m.name for m in ConvertMode])
def test_convert_mode_enum_is_accepted(mode: ConvertMode) -> None:
    data = {"_target_": "sample_targets.Holder", "a": {"foo": "${value}"}, "b": [1, "${value}"]}
    cfg = OmegaConf.create({"value": 99, "obj": data})
    ours, theirs = instantiate(cfg.obj, _convert_=mode), hydra_instantiate(cfg.obj, _convert_=mode)
    assert norm(ours) == norm(theirs)
    as_nodes = mode is ConvertMode.NONE
    assert isinstance(ours.kwargs["a"], Config) is as_nodes
    assert isinstance(theirs.kwargs["a"], DictConfig) is as_nodes
    in_config = instantiate({"_target_": "sample_targets.Holder", "_convert_": mode, "b": [1]})
    assert isinstance(in_config.kwargs["b"], Config) is as_nodes


@pytest.mark.parametrize(
    "mode", [None, ConvertMode.NONE, "none", ConvertMode.PARTIAL, "partial", ConvertMode.ALL, "all"]
)
def test_convert_mode_merged_into_a_nested_node(mode: Any) -> None:
    cfg = OmegaConf.create(
        {
            "value": 99,
            "obj": {
                "_target_": "sample_targets.SimpleClass",
                "a": {
                    "_target_": "sample_targets.SimpleClass",
                    "a": {"foo": "${value}"},
                    "b": [1, "${value}"],
                },
            },
        }
    )
    ours = instantiate(cfg.obj, a={"_convert_": mode})
    theirs = hydra_instantiate(cfg.obj, a={"_convert_": mode})
    assert norm(ours) == norm(theirs) == norm(st.SimpleClass(st.SimpleClass({"foo": 99}, [1, 99])))
    assert isinstance(ours.a.a, Config) is (mode in (None, "none", ConvertMode.NONE))


def test_any_enum_with_a_mode_value_or_name_is_accepted() -> None:
    import enum

    class Mode(enum.Enum):
        NONE = 1
        ALL = 2

    class Text(enum.Enum):
        plain = "all"

    data = {"_target_": "sample_targets.Holder", "b": [1]}
    assert isinstance(instantiate(data, _convert_=Mode.NONE).kwargs["b"], Config)
    assert type(instantiate(data, _convert_=Mode.ALL).kwargs["b"]) is list
    assert type(instantiate(data, _convert_=Text.plain).kwargs["b"]) is list
    with pytest.raises(InstantiationError, match="_convert_ must be one of"):
        instantiate(data, _convert_=st.Color.RED)


# -- a top-level list takes call-time flags -------------------------------------------------------------
LIST_FLAGS: dict[str, tuple[Any, dict[str, Any]]] = {
    "convert all": ([{"_target_": "sample_targets.Holder", "m": {"a": 1}}, {"b": [2]}], {"_convert_": "all"}),
    "recursive false": (
        [{"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point", "x": 1}}],
        {"_recursive_": False},
    ),
    "recursive true": (
        [{"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point"}}],
        {"_recursive_": True},
    ),
    "partial false": ([{"_target_": "sample_targets.Point", "x": 1}], {"_partial_": False}),
    "empty": ([], {}),
    "list of partials": (
        [
            {"_target_": "sample_targets.AClass", "_partial_": True, "a": 10},
            {"_target_": "sample_targets.BClass", "a": 5, "b": 6},
        ],
        {},
    ),
}


@pytest.mark.parametrize(("data", "kwargs"), LIST_FLAGS.values(), ids=LIST_FLAGS.keys())
def test_top_level_list_with_call_time_flags_like_hydra(data: Any, kwargs: dict[str, Any]) -> None:
    ours, theirs = both(lambda: data, **kwargs)
    assert type(ours) is list
    assert norm(ours) == norm(theirs)
    assert norm(instantiate(OmegaConf.create(data), **kwargs)) == norm(theirs)


def test_top_level_list_with_convert_none_gives_config_nodes() -> None:
    built = instantiate([{"_target_": "sample_targets.Holder", "m": {"a": 1}}], _convert_=ConvertMode.NONE)
    assert isinstance(built, Config) and isinstance(built[0].kwargs["m"], Config)


def test_top_level_list_refuses_partial_and_other_arguments() -> None:
    data = [{"_target_": "sample_targets.Point", "x": 1}]
    with pytest.raises(InstantiationException, match="_partial_"):
        hydra_instantiate(data, _partial_=True)
    with pytest.raises(InstantiationError, match="_partial_=True does not apply to a list"):
        instantiate(data, _partial_=True)
    with pytest.raises(InstantiationError, match="need a mapping node, but this node is a list"):
        instantiate(data, x=2)  # Hydra ignores it silently
    with pytest.raises(InstantiationError, match="need a mapping node"):
        instantiate(data, 1)


# -- OmegaConf.create(None) ---------------------------------------------------------------------------
def test_omegaconf_none_is_none() -> None:
    # Hydra 1.3.8 fails on it with an AttributeError from inside OmegaConf; ours gives None.
    with pytest.raises(AttributeError):
        hydra_instantiate(OmegaConf.create(None))
    assert instantiate(OmegaConf.create(None)) is None
    assert instantiate(None) is None and hydra_instantiate(None) is None


def test_omegaconf_none_with_call_time_arguments_says_none() -> None:
    with pytest.raises(AttributeError):
        hydra_instantiate(OmegaConf.create(None), value=10)
    with pytest.raises(InstantiationError, match="the config is None") as caught:
        instantiate(OmegaConf.create(None), value=10)
    assert "list" not in str(caught.value)


# -- Hydra's test_class_instantiate, recursive and not ---------------------------------------------------
CLASS_CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    "class": ({"_target_": "sample_targets.AClass", "a": 10, "b": 20, "c": 30, "d": 40}, {}),
    "class+partial": (
        {"_target_": "sample_targets.AClass", "_partial_": True, "a": 10, "b": 20, "c": 30},
        {},
    ),
    "class+override": ({"_target_": "sample_targets.AClass", "b": 20, "c": 30}, {"a": 10, "d": 40}),
    "class+override+partial": (
        {"_target_": "sample_targets.AClass", "b": 20, "c": 30},
        {"a": 10, "_partial_": True},
    ),
    "override+interpolation": (
        {"_target_": "sample_targets.AClass", "b": 200, "c": "${b}"},
        {"a": 10, "b": 99, "d": 40},
    ),
    "override+interpolation+partial": (
        {"_target_": "sample_targets.AClass", "b": 200, "_partial_": True, "c": "${b}"},
        {"a": 10, "b": 99},
    ),
    "class_method": ({"_target_": "sample_targets.SimpleClass.class_method", "y": 10}, {}),
    "class_method+partial": ({"_target_": "sample_targets.SimpleClass.class_method", "_partial_": True}, {}),
    "static_method": ({"_target_": "sample_targets.AClass.static_method", "z": 43}, {}),
    "default value respected": ({"_target_": "sample_targets.AClass"}, {"a": 10, "b": 20, "c": 30}),
    "builtin": ({"_target_": "builtins.str", "object": 43}, {}),
    "builtin+partial": ({"_target_": "builtins.int", "base": 2, "_partial_": True}, {}),
    "live class target": ({"_target_": st.Point, "x": 10}, {}),
    "override target by name": (
        {"_target_": "sample_targets.AClass", "a": 10, "b": 20},
        {"_target_": "sample_targets.BClass"},
    ),
    "override target by class": (
        {"_target_": "sample_targets.AClass", "a": 10, "b": 20, "c": 3},
        {"_target_": st.BClass},
    ),
    "override nested target": (
        {
            "_target_": "sample_targets.AClass",
            "a": 1,
            "b": 2,
            "c": {"_target_": "sample_targets.AClass", "a": "aa", "b": "bb", "c": "cc"},
        },
        {"_target_": "sample_targets.BClass", "c": {"_target_": "sample_targets.BClass"}},
    ),
    "top-level list": (
        [
            {"_target_": "sample_targets.AClass", "a": 1, "b": 2, "c": 3},
            {"_target_": "sample_targets.BClass", "a": 5, "b": 6},
        ],
        {},
    ),
}


CLASS_PARAMS = [
    pytest.param(data, kwargs, as_omegaconf, id=f"{name}-{'DictConfig' if as_omegaconf else 'dict'}")
    for name, (data, kwargs) in CLASS_CASES.items()
    for as_omegaconf in (False, True)
    if not (as_omegaconf and name == "live class target")  # OmegaConf cannot hold a class
]


@pytest.mark.parametrize("recursive", [True, False], ids=["recursive", "not recursive"])
@pytest.mark.parametrize(("data", "kwargs", "as_omegaconf"), CLASS_PARAMS)
def test_class_instantiate_like_hydra(
    data: Any, kwargs: dict[str, Any], recursive: bool, as_omegaconf: bool
) -> None:
    make = (lambda: OmegaConf.create(data)) if as_omegaconf else (lambda: data)
    ours, theirs = both(make, **kwargs, _recursive_=recursive)
    assert norm(ours) == norm(theirs)


RECURSIVE_OVERRIDE: dict[str, tuple[Any, dict[str, Any]]] = {
    "cfg true, override false": (
        {
            "_target_": "sample_targets.Tree",
            "_recursive_": True,
            "value": 1,
            "left": {"_target_": "sample_targets.Tree", "value": 21},
        },
        {"_recursive_": False},
    ),
    "cfg false, override true": (
        {
            "_target_": "sample_targets.Tree",
            "_recursive_": False,
            "value": 1,
            "left": {"_target_": "sample_targets.Tree", "value": 21},
        },
        {"_recursive_": True},
    ),
    "3 levels, middle false": (
        {
            "_target_": "sample_targets.Tree",
            "value": 1,
            "left": {
                "_target_": "sample_targets.Tree",
                "_recursive_": False,
                "value": 2,
                "left": {"_target_": "sample_targets.Tree", "value": 3},
            },
        },
        {},
    ),
    "merge into a nested target": (
        {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Lookup"}},
        {"inner": {"_partial_": True}},
    ),
}


@pytest.mark.parametrize(("data", "kwargs"), RECURSIVE_OVERRIDE.values(), ids=RECURSIVE_OVERRIDE.keys())
def test_recursive_override_like_hydra(data: Any, kwargs: dict[str, Any]) -> None:
    ours, theirs = both(lambda: OmegaConf.create(data), **kwargs)
    assert norm(ours) == norm(theirs)


def test_structured_and_plain_inputs_import_neither_omegaconf_nor_attrs() -> None:
    code = """
import sys
from dataclasses import dataclass
from typing import Any
from instantiate import instantiate

@dataclass
class Conf:
    _target_: str = "builtins.dict"
    value: int = 1
    left: Any = None

assert instantiate(Conf(left=Conf(value=2))) == {"value": 1, "left": {"value": 2, "left": None}}
assert instantiate({"_target_": "builtins.dict", "_convert_": "all", "x": [Conf]}, _partial_=True)() == {
    "x": [{"value": 1, "left": None}]
}
print(sorted(m for m in ("omegaconf", "hydra", "attr", "attrs") if m in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- the rest of Hydra's test_instantiate, in our words ----------------------------------------------
@dataclass
class DictOfUsers:
    _target_: str = "sample_targets.Holder"
    d: dict[str, User] = MISSING


@dataclass
class ListOfUsers:
    _target_: str = "sample_targets.Holder"
    d: Any = None


MORE: dict[str, tuple[Callable[[], Any], dict[str, Any]]] = {
    "interpolation into the parent": (
        lambda: (
            OmegaConf.create(
                {"node": {"_target_": "sample_targets.Point", "x": "${value}"}, "value": 99}
            ).node
        ),
        {},
    ),
    "interpolation of a target node, partial": (
        lambda: (
            OmegaConf.create(
                {
                    "A": {"_target_": "sample_targets.add", "a": 1, "b": 2},
                    "node": {"_target_": "sample_targets.add", "_partial_": True, "a": "${A}"},
                }
            ).node
        ),
        {},
    ),
    "interpolation of a target node": (
        lambda: (
            OmegaConf.create(
                {
                    "A": {"_target_": "sample_targets.add", "a": 1, "b": 2},
                    "node": {"_target_": "sample_targets.add", "a": "${A}", "b": 3},
                }
            ).node
        ),
        {},
    ),
    "call-time live objects": (
        lambda: {"_target_": "sample_targets.AClass", "b": 200, "c": {"x": 10, "y": "${b}"}},
        {"a": 10, "d": st.Point(99)},
    ),
    "convert all with recursive false below": (
        lambda: {
            "_target_": "sample_targets.SimpleClass",
            "a": {
                "_target_": "sample_targets.SimpleClass",
                "_convert_": "all",
                "_recursive_": False,
                "a": {},
                "b": [],
            },
        },
        {},
    ),
    "structured DictConfig with typed dict values": (
        lambda: OmegaConf.merge(
            OmegaConf.structured(DictOfUsers), {"d": {"007": {"name": "Bond", "age": 7}}}
        ),
        {"_convert_": "all"},
    ),
    "structured DictConfig with a list": (
        lambda: OmegaConf.merge(OmegaConf.structured(ListOfUsers), {"d": [{"name": "Bond", "age": 7}]}),
        {"_convert_": "all"},
    ),
    "optional fields left None": (lambda: OmegaConf.structured(ListOfUsers), {}),
    "keywords named like special keys": (
        lambda: {"_target_": "sample_targets.Holder"},
        {"target": "foo", "partial": "bar"},
    ),
}


@pytest.mark.parametrize(("make", "kwargs"), MORE.values(), ids=MORE.keys())
def test_more_of_hydras_cases(make: Callable[[], Any], kwargs: dict[str, Any]) -> None:
    ours, theirs = both(make, **kwargs)
    assert norm(ours) == norm(theirs)


def test_a_dataclass_class_as_target_is_called_like_hydra() -> None:
    ours, theirs = both(lambda: {"_target_": User, "name": "M"})
    assert ours == theirs == User(name="M", age=7)
    with pytest.raises(InstantiationException, match="Expected a callable target"):
        hydra_instantiate(OmegaConf.create({"_target_": User}))  # OmegaConf made it a node
    with pytest.raises(TargetError, match="_target_ must be a string") as caught:
        instantiate(OmegaConf.create({"_target_": User}))
    assert caught.value.path == "_target_"
