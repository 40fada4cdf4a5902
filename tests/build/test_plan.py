"""Compiled build plans (``_build/plan.py``): building one Config again and again, with call-time
arguments and changes in between, gives what a fresh build gives, and fails as it fails."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
import sample_targets as st

from instantiate import (
    Config,
    InstantiationError,
    MissingValueError,
    TargetError,
    ValidationError,
    allowed_targets,
    instantiate,
    register_resolver,
    registry,
)
from instantiate._build import plan

CHAIN = """\
model:
  _target_: sample_targets.Sequential
  _args_:
    - _target_: sample_targets.Linear
      in_features: $<data.features>
      out_features: 64
    - _target_: sample_targets.ReLU
    - _target_: sample_targets.Linear
      in_features: $<..[0].out_features>
      out_features: $<data.classes>
      bias: false
data:
  features: 8
  classes: 3
  sizes: [1, 2, {deep: [3]}]
"""


@pytest.fixture(autouse=True)
def _reset() -> None:
    st.Counted.count = 0
    st.Logged.log.clear()


def fresh(cfg: Config) -> Any:
    """What a first build of the same content gives (the builder's walk, no plan)."""
    return instantiate(Config(cfg.to_dict(resolve=False)))


def root_planned(cfg: Config) -> bool:
    """Whether the next build of the whole config runs a compiled plan."""
    entry = cfg._tree.plans.get(())
    return entry is not None and entry[0] is not None and entry[0] is not plan._BUILT_ONCE


def test_the_second_build_compiles_a_plan_and_later_builds_equal_the_first() -> None:
    cfg = Config.from_yaml(CHAIN)
    first = instantiate(cfg)
    assert not root_planned(cfg)  # a config built once pays for no plan
    builds = [instantiate(cfg) for _ in range(3)]
    assert root_planned(cfg)
    for built in builds:
        assert built == first
        assert built["model"].layers[2].in_features == 64
    # every build makes new objects and new containers: nothing is shared between builds
    assert builds[1]["model"] is not builds[2]["model"]
    assert builds[1]["data"]["sizes"] is not builds[2]["data"]["sizes"]
    assert builds[1]["data"]["sizes"][2]["deep"] is not builds[2]["data"]["sizes"][2]["deep"]


def test_a_target_that_changes_its_arguments_leaves_the_next_build_alone() -> None:
    cfg = Config({"h": {"_target_": "sample_targets.Holder", "items": [1, 2], "opts": {"a": 1}}})
    for _ in range(3):
        built = instantiate(cfg)["h"]
        assert built.kwargs == {"items": [1, 2], "opts": {"a": 1}}
        built.kwargs["items"].append(3)
        built.kwargs["opts"]["b"] = 2
    assert cfg.to_dict() == {"h": {"_target_": "sample_targets.Holder", "items": [1, 2], "opts": {"a": 1}}}


@pytest.mark.parametrize(
    "change",
    [
        lambda cfg: cfg.data.__setitem__("features", 16),
        lambda cfg: setattr(cfg.model._args_[0], "out_features", 7),
        lambda cfg: cfg.model._args_.append({"_target_": "sample_targets.ReLU"}),
        lambda cfg: cfg.model._args_.__delitem__(1),
        lambda cfg: cfg.__setitem__("data", {"features": 1, "classes": 2, "sizes": []}),
        lambda cfg: cfg.model._args_[2].__delattr__("bias"),
    ],
)
def test_a_change_through_the_config_api_is_seen_by_the_next_build(change: Any) -> None:
    cfg = Config.from_yaml(CHAIN)
    for _ in range(3):
        instantiate(cfg)
    assert root_planned(cfg)
    change(cfg)
    assert not root_planned(cfg)
    for _ in range(3):  # the builder again, then a new plan from the changed tree
        assert instantiate(cfg) == fresh(cfg)


def test_call_time_arguments_between_planned_builds_apply_to_their_call_only() -> None:
    cfg = Config.from_yaml(CHAIN)
    for _ in range(2):
        instantiate(cfg)
    live = object()
    with_args = instantiate(cfg.model, "x", live)
    assert with_args.layers == ["x", live]  # positionals replace _args_, passed as they are
    layer = instantiate(cfg.model._args_[0], out_features=live)
    assert layer.out_features is live and layer.in_features == 8
    assert instantiate(cfg.model._args_[0], in_features=5).in_features == 5
    again = instantiate(cfg)
    assert again["model"].layers[0].out_features == 64
    assert again == fresh(cfg)
    for _ in range(2):  # a node built repeatedly gets its own plan, call-time arguments aside
        assert instantiate(cfg.model._args_[2]) == st.Linear(64, 3, False)
        assert instantiate(cfg.model._args_[2], bias=True) == st.Linear(64, 3, True)


def test_a_sub_node_built_repeatedly_reads_references_outside_it() -> None:
    cfg = Config.from_yaml(CHAIN)
    layer = cfg.model._args_[2]
    built = [instantiate(layer) for _ in range(4)]
    assert all(b == st.Linear(64, 3, False) for b in built)
    cfg.data.classes = 10
    assert instantiate(layer).out_features == 10
    assert instantiate(cfg.model._args_[2]).out_features == 10


def test_resolvers_run_at_every_build_never_folded_into_a_plan() -> None:
    calls = []

    def counter() -> int:
        calls.append(1)
        return len(calls)

    register_resolver("plan_test_counter", counter, replace=True)
    cfg = Config({"p": {"_target_": "sample_targets.Point", "x": "$<plan_test_counter:>", "y": "$<.x>"}})
    xs = [instantiate(cfg)["p"].x for _ in range(4)]
    assert xs == [1, 3, 5, 7]  # x and y each call it: nothing is cached between builds


def test_shared_objects_stay_shared_within_a_build_and_new_across_builds() -> None:
    cfg = Config(
        {
            "a": {"_target_": "sample_targets.Counted", "name": "a"},
            "b": {"_target_": "sample_targets.Needs", "first": "$<@a>", "second": "$<@a>"},
        }
    )
    previous = None
    for _ in range(4):
        built = instantiate(cfg)
        assert built["b"].first is built["b"].second is built["a"]
        assert built["a"] is not previous
        previous = built["a"]
    assert st.Counted.count == 4


def test_partial_and_validation_in_planned_builds() -> None:
    cfg = Config(
        {
            "p": {"_target_": "sample_targets.add", "_partial_": True, "a": 1},
            "t": {"_target_": "sample_targets.Typed", "classes": "3", "rate": 1, "limit": None},
        }
    )
    for _ in range(4):
        built = instantiate(cfg)
        assert isinstance(built["p"], functools.partial) and built["p"](b=2) == 3
        assert built["t"].classes == 3 and type(built["t"].rate) is float and built["t"].limit is None
    cfg.t.classes = 0.5
    for _ in range(3):
        with pytest.raises(ValidationError) as info:
            instantiate(cfg)
        assert info.value.path == "t.classes"


def test_an_error_from_a_target_names_path_and_source_on_every_build() -> None:
    cfg = Config.from_yaml(
        "ok: {_target_: sample_targets.Point, x: 1}\nbad:\n  _target_: sample_targets.Boom\n  message: no\n",
        file="conf.yaml",
    )
    errors = []
    for _ in range(4):
        with pytest.raises(InstantiationError) as info:
            instantiate(cfg)
        errors.append((str(info.value), info.value.path, info.value.source))
        assert isinstance(info.value.__cause__, ValueError)
    assert len(set(errors)) == 1
    assert errors[0][1:] == ("bad", "conf.yaml:2")


def test_a_missing_value_fails_every_build_and_a_filled_one_builds() -> None:
    cfg = Config({"p": {"_target_": "sample_targets.Point", "x": "???"}})
    for _ in range(3):
        with pytest.raises(MissingValueError):
            instantiate(cfg)
    cfg.p.x = 4
    assert [instantiate(cfg)["p"].x for _ in range(3)] == [4, 4, 4]


def test_an_allow_list_is_judged_at_every_build_even_after_a_plan() -> None:
    cfg = Config({"p": {"_target_": "sample_targets.Point", "x": 1}})
    for _ in range(3):
        instantiate(cfg)
    with allowed_targets("torch.*"), pytest.raises(TargetError) as info:
        instantiate(cfg)
    assert info.value.path == "p._target_"
    with allowed_targets("sample_targets.*"):
        assert instantiate(cfg)["p"] == st.Point(1)


def test_registering_a_name_again_reaches_the_next_build() -> None:
    registry.register("plan_test_point", st.Point, replace=True)
    try:
        cfg = Config({"p": {"_target_": "plan_test_point", "x": 1}})
        assert [type(instantiate(cfg)["p"]) for _ in range(3)] == [st.Point] * 3
        registry.register("plan_test_point", st.Holder, replace=True)
        assert type(instantiate(cfg)["p"]) is st.Holder
    finally:
        registry.unregister("plan_test_point")


def test_plain_data_is_built_afresh_every_time() -> None:
    data: dict[str, Any] = {"p": {"_target_": "sample_targets.Point", "x": 1}}
    assert instantiate(data)["p"].x == 1
    data["p"]["x"] = 2
    assert instantiate(data)["p"].x == 2
    assert instantiate(data)["p"].x == 2
    data["p"]["x"] = 3
    assert instantiate(data)["p"].x == 3


@pytest.fixture
def plans_on_first_build() -> Iterator[None]:
    plan.COMPILE_AT = 1
    yield
    plan.COMPILE_AT = 2


def test_side_effects_keep_the_builders_order_in_a_plan(plans_on_first_build: None) -> None:
    cfg = Config(
        {
            "top": {
                "_target_": "sample_targets.Holder",
                "z": {"_target_": "sample_targets.Logged", "name": "z"},
                "_args_": [{"_target_": "sample_targets.Logged", "name": "arg"}],
                "a": {"_target_": "sample_targets.Logged", "name": "a"},
            }
        }
    )
    instantiate(cfg)
    assert root_planned(cfg)
    assert st.Logged.log == ["z", "arg", "a"]
    built = instantiate(cfg)["top"]
    assert st.Logged.log == ["z", "arg", "a"] * 2
    assert list(built.kwargs) == ["z", "a"] and built.args[0].name == "arg"  # keyword order as written


def test_a_copy_handed_to_a_target_and_changed_there_keeps_its_plan_apart() -> None:
    """``_recursive_: false`` hands a copy of the node, at the same path: changed and built
    there, it must not leave its plan to the original node."""
    seen = []

    def build_changed(node: Any) -> Any:
        node.x = 99  # changes the copy, not the config
        seen.extend(instantiate(node).x for _ in range(3))
        return node

    registry.register("plan_test_build_changed", build_changed, replace=True)
    try:
        cfg = Config({"outer": {"_target_": "plan_test_build_changed", "_recursive_": False,
                                "node": {"_target_": "sample_targets.Point", "x": 1}}})  # fmt: skip
        built = instantiate(cfg)
    finally:
        registry.unregister("plan_test_build_changed")
    assert seen == [99, 99, 99]
    assert [instantiate(cfg.outer.node).x for _ in range(3)] == [1, 1, 1]
    assert built is not None
