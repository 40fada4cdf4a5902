"""``instantiate`` (SPEC §4.1, 4.3-4.6, §10): the building walk, special keys, call-time
arguments, sharing, cycles, errors, and the same configs built by Hydra for comparison."""

from __future__ import annotations

import copy
import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sample_targets as st
import torch

from instantiate import (
    Config,
    ConfigError,
    CycleError,
    InstantiationError,
    InterpolationError,
    TargetError,
    ValidationError,
    instantiate,
    load,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _reset_counters() -> None:
    st.Counted.count = 0
    st.Logged.log.clear()


def yaml(text: str) -> Config:
    return Config.from_yaml(text)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def unchanged(cfg: Config) -> Any:
    return copy.deepcopy(cfg.to_dict(resolve=False))


# -- §4.1 the canonical example -----------------------------------------------------------------
CANONICAL = """\
data:
  features: 10
  classes: 3
model:
  _target_: torch.nn.Sequential
  _args_:
    - _target_: torch.nn.Linear
      in_features: $<data.features>
      out_features: 64
    - _target_: torch.nn.ReLU
    - _target_: torch.nn.Linear
      in_features: $<..[0].out_features>
      out_features: $<data.classes>
"""


def test_canonical_torch_sequential() -> None:
    model = instantiate(yaml(CANONICAL).model)
    assert type(model) is torch.nn.Sequential
    first, relu, last = model
    assert type(first) is torch.nn.Linear and (first.in_features, first.out_features) == (10, 64)
    assert type(relu) is torch.nn.ReLU
    assert type(last) is torch.nn.Linear and (last.in_features, last.out_features) == (64, 3)
    assert model(torch.zeros(2, 10)).shape == (2, 3)


def test_canonical_example_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(CANONICAL)
    model = instantiate(load(path).model)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert model[2].in_features == 64


# -- §4.1 nesting -------------------------------------------------------------------------------
def test_target_is_called_with_args_and_keywords() -> None:
    built = instantiate({"_target_": "sample_targets.Holder", "_args_": [1, "two"], "k": 3.5, "n": None})
    assert built == st.Holder(1, "two", k=3.5, n=None)


def test_nested_targets_in_keywords_args_lists_and_dicts_are_built() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Holder
        _args_:
          - _target_: sample_targets.Point
            x: 1
          - [{_target_: sample_targets.Point, x: 2}]
        kw:
          _target_: sample_targets.Wrapper
          inner: {_target_: sample_targets.Point, y: 3}
        items:
          - a: {_target_: sample_targets.Point, x: 4}
          - [[{_target_: sample_targets.Point, y: 5}]]
        """
    )
    built = instantiate(cfg)
    assert built.args == (st.Point(1), [st.Point(2)])
    assert built.kwargs["kw"] == st.Wrapper(st.Point(y=3))
    assert built.kwargs["items"] == [{"a": st.Point(4)}, [[st.Point(y=5)]]]


def test_nested_targets_are_built_depth_first_in_order() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Logged
        _args_:
          - root
          - _target_: sample_targets.Logged
            _args_: [a, {_target_: sample_targets.Logged, name: a1}]
          - {_target_: sample_targets.Logged, name: b}
        named: {_target_: sample_targets.Logged, name: c}
        """
    )
    root = instantiate(cfg)
    assert st.Logged.log == ["a1", "a", "b", "c", "root"]
    assert root.children[0].children[0].name == "a1" and root.named["named"].name == "c"


def test_plain_containers_become_plain_dict_and_list() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Holder
        mapping: {a: 1, b: [1, {c: 2}]}
        sequence: [1, [2, 3], {d: 4}]
        """
    )
    built = instantiate(cfg)
    mapping, sequence = built.kwargs["mapping"], built.kwargs["sequence"]
    assert type(mapping) is dict and type(mapping["b"]) is list and type(mapping["b"][1]) is dict
    assert type(sequence) is list and type(sequence[1]) is list and type(sequence[2]) is dict
    assert mapping == {"a": 1, "b": [1, {"c": 2}]}
    assert sequence == [1, [2, 3], {"d": 4}]


def test_target_less_top_node_builds_its_values() -> None:
    cfg = yaml(
        """
        lr: 0.1
        model: {_target_: sample_targets.Point, x: $<lr>}
        list: [{_target_: sample_targets.Point}, 2]
        """
    )
    built = instantiate(cfg)
    assert built == {"lr": 0.1, "model": st.Point(0.1), "list": [st.Point(), 2]}
    assert type(built) is dict and type(built["list"]) is list


# -- input kinds -------------------------------------------------------------------------------
def test_plain_dict_list_tuple_and_scalar_configs() -> None:
    assert instantiate({"_target_": "sample_targets.Point", "x": 1}) == st.Point(1)
    assert instantiate([{"_target_": "sample_targets.Point"}, {"a": 1}, 3]) == [st.Point(), {"a": 1}, 3]
    assert instantiate(({"_target_": "sample_targets.Point"}, 2)) == [st.Point(), 2]
    assert instantiate(5) == 5
    assert instantiate("text") == "text"
    assert instantiate(None) is None


def test_plain_dict_config_is_not_changed() -> None:
    data = {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point", "x": 1}}
    before = copy.deepcopy(data)
    assert instantiate(data, inner={"x": 9}) == st.Wrapper(st.Point(9))
    assert data == before


def test_tuples_in_plain_data_are_built_like_lists() -> None:
    # SPEC §4: a sequence is accepted, and nested _target_ mappings are built "inside lists ... at
    # any depth"; a tuple in plain Python data is a sequence too.
    data = {
        "_target_": "sample_targets.Holder",
        "_args_": ({"_target_": "sample_targets.Point", "x": 1},),
        "items": ({"_target_": "sample_targets.Point", "y": 2}, 3),
    }
    built = instantiate(data)
    assert built.args == (st.Point(1),)
    assert built.kwargs["items"] == [st.Point(y=2), 3]


def test_omegaconf_dictconfig_root_and_subnode() -> None:
    from omegaconf import OmegaConf

    cfg = OmegaConf.create(
        {
            "data": {"features": 7},
            "model": {
                "_target_": "sample_targets.Linear",
                "in_features": "${data.features}",
                "out_features": 2,
            },
        }
    )
    assert instantiate(cfg)["model"] == st.Linear(7, 2)
    # A node taken out of its DictConfig must still reach the rest of the config, as in Hydra.
    assert instantiate(cfg.model) == st.Linear(7, 2)
    assert instantiate(cfg.model, out_features=5) == st.Linear(7, 5)
    with pytest.raises(InstantiationError) as info:
        instantiate(cfg.model, out_feature=5)
    assert info.value.path == "model"
    assert OmegaConf.to_container(cfg.model) == {
        "_target_": "sample_targets.Linear",
        "in_features": "${data.features}",
        "out_features": 2,
    }


def test_omegaconf_listconfig_subnode() -> None:
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"n": 4, "layers": [{"_target_": "sample_targets.Point", "x": "${n}"}]})
    assert instantiate(cfg.layers) == [st.Point(4)]
    assert instantiate(cfg.layers[0]) == st.Point(4)


def test_config_node_taken_out_keeps_its_root() -> None:
    cfg = yaml(
        """
        size: 3
        outer:
          inner: {_target_: sample_targets.Point, x: $<size>, y: $<..scale>}
          scale: 2
        """
    )
    assert instantiate(cfg.outer.inner) == st.Point(3, 2)


def _deep(depth: int) -> dict[str, Any]:
    node: Any = {"_target_": "sample_targets.Point", "x": "$<leaf>"}
    for _ in range(depth):
        node = {"_target_": "sample_targets.Wrapper", "inner": node}
    return {"leaf": 1, "model": node}


def _as_yaml(data: Any, indent: int = 0) -> str:
    pad = " " * indent
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:\n{_as_yaml(value, indent + 1)}")
        else:
            lines.append(f"{pad}{key}: {value}\n")
    return "".join(lines)


@pytest.mark.parametrize("given_as", ["plain dict", "Config", "YAML"])
def test_deep_nesting_builds_without_recursion_error(given_as: str) -> None:
    depth = 500
    data = _deep(depth)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # the default: 500 levels need more frames than this
    try:
        if given_as == "plain dict":
            built = instantiate(data)["model"]
        elif given_as == "Config":
            built = instantiate(Config(data).model)
        else:
            built = instantiate(yaml(_as_yaml(data)).model)
    finally:
        sys.setrecursionlimit(max(limit, sys.getrecursionlimit()))
    levels = 0
    while isinstance(built, st.Wrapper):
        built, levels = built.inner, levels + 1
    assert levels == depth and built == st.Point(1)


# -- §4.3 _partial_ -----------------------------------------------------------------------------
def test_partial_returns_functools_partial() -> None:
    made = instantiate({"_target_": "sample_targets.add", "_partial_": True, "a": 1})
    assert isinstance(made, functools.partial)
    assert made.func is st.add and made.keywords == {"a": 1}
    assert made(b=2) == 3


def test_partial_with_args_and_nested_targets_built_now() -> None:
    made = instantiate(
        {
            "_target_": "sample_targets.Wrapper",
            "_partial_": True,
            "inner": {"_target_": "sample_targets.Counted"},
        }
    )
    assert st.Counted.count == 1
    first, second = made(), made()
    assert first.inner is second.inner
    made = instantiate({"_target_": "sample_targets.two", "_partial_": True, "_args_": [1]})
    assert made.args == (1,) and made(2) == (1, 2)


def test_partial_false_calls_the_target() -> None:
    assert instantiate({"_target_": "sample_targets.add", "_partial_": False, "a": 1, "b": 2}) == 3


def test_partial_still_refuses_an_unknown_keyword() -> None:
    with pytest.raises(InstantiationError, match="'c'"):
        instantiate({"_target_": "sample_targets.add", "_partial_": True, "c": 1})


# -- §4.3 _recursive_ ---------------------------------------------------------------------------
def test_recursive_false_passes_nested_nodes_unbuilt() -> None:
    cfg = yaml(
        """
        size: 4
        model:
          _target_: sample_targets.Holder
          _recursive_: false
          _args_: [{_target_: sample_targets.Counted, name: positional}, 7]
          inner: {_target_: sample_targets.Counted, name: $<size>}
          plain: {a: [1, 2]}
          items: [{_target_: sample_targets.Counted}]
          scalar: $<size>
        """
    )
    built = instantiate(cfg.model)
    assert st.Counted.count == 0
    positional, seven = built.args
    assert isinstance(positional, Config) and positional["_target_"] == "sample_targets.Counted"
    assert seven == 7
    inner = built.kwargs["inner"]
    assert isinstance(inner, Config) and inner.path == "model.inner"
    assert inner.name == 4  # interpolations still reach the whole config
    assert isinstance(built.kwargs["plain"], Config) and built.kwargs["plain"].to_dict() == {"a": [1, 2]}
    assert isinstance(built.kwargs["items"], Config) and built.kwargs["items"].is_sequence()
    assert built.kwargs["scalar"] == 4
    assert "_recursive_" not in built.kwargs
    later = instantiate(inner)  # the target builds it when it wants to
    assert isinstance(later, st.Counted) and later.name == 4 and st.Counted.count == 1


def test_recursive_false_with_call_time_merge() -> None:
    cfg = yaml(
        """
        size: 2
        model:
          _target_: sample_targets.Holder
          _recursive_: false
          inner: {_target_: sample_targets.Point, x: 1, y: $<size>}
        """
    )
    before = unchanged(cfg)
    inner = instantiate(cfg.model, inner={"x": 5}).kwargs["inner"]
    assert isinstance(inner, Config) and inner.x == 5 and inner.y == 2
    assert instantiate(inner) == st.Point(5, 2)
    assert cfg.to_dict(resolve=False) == before


def test_recursive_false_target_changing_its_node_leaves_the_config_alone() -> None:
    cfg = yaml("node: {_target_: sample_targets.set_x, _recursive_: false, node: {x: 1}}")
    before = unchanged(cfg)
    instantiate(cfg.node)
    assert cfg.to_dict(resolve=False) == before


def test_recursive_true_is_the_default() -> None:
    built = instantiate(
        {
            "_target_": "sample_targets.Wrapper",
            "_recursive_": True,
            "inner": {"_target_": "sample_targets.Point"},
        }
    )
    assert built == st.Wrapper(st.Point())


# -- §4.3 _convert_ -----------------------------------------------------------------------------
def test_convert_none_passes_containers_as_config_nodes() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Holder
        _convert_: none
        _args_: [{a: 1}, [2]]
        mapping: {a: {b: [1, {c: 2}]}, point: {_target_: sample_targets.Point, x: 1}}
        sequence: [1, {d: 4}]
        built: {_target_: sample_targets.identity, value: {e: 5}}
        """
    )
    built = instantiate(cfg)
    first, second = built.args
    assert isinstance(first, Config) and first.to_dict() == {"a": 1}
    assert isinstance(second, Config) and second.to_dict() == [2]
    mapping = built.kwargs["mapping"]
    assert isinstance(mapping, Config)
    assert isinstance(mapping.a, Config) and isinstance(mapping.a.b, Config)
    assert mapping.a.b[1].c == 2
    assert mapping.point == st.Point(1)  # a nested target is still built
    plain = mapping.to_dict()
    assert plain == {"a": {"b": [1, {"c": 2}]}, "point": st.Point(1)}
    assert type(plain["a"]) is dict and type(plain["a"]["b"]) is list and type(plain["a"]["b"][1]) is dict
    assert isinstance(built.kwargs["sequence"], Config) and built.kwargs["sequence"][1].d == 4
    # A target-less mapping inside a nested target node inherits _convert_ (as in Hydra).
    assert isinstance(built.kwargs["built"], Config) and built.kwargs["built"].e == 5


def test_convert_none_keeps_resolved_text_as_text() -> None:
    # Values in the passed node are already built: an escaped "\$<" is the text "$<", and
    # reading it from the node must not resolve it a second time.
    cfg = yaml(
        r"""
        _target_: sample_targets.Holder
        _convert_: none
        mapping:
          price: '\$<not a reference>'
          missing: $<oc.env:NO_SUCH_VARIABLE_HERE,'???'>
        """
    )
    mapping = instantiate(cfg).kwargs["mapping"]
    assert mapping.price == "$<not a reference>"
    assert mapping.to_dict() == {"price": "$<not a reference>", "missing": "???"}


@pytest.mark.parametrize("mode", ["all", "partial", "object", "ALL", "Partial"])
def test_convert_all_partial_object_mean_the_default(mode: str) -> None:
    built = instantiate(
        {"_target_": "sample_targets.Holder", "_convert_": mode, "m": {"a": [1]}, "s": [{"b": 2}]}
    )
    assert built.kwargs == {"m": {"a": [1]}, "s": [{"b": 2}]}
    assert type(built.kwargs["m"]) is dict and type(built.kwargs["s"]) is list


def test_convert_none_null_and_nested_override() -> None:
    built = instantiate(
        {
            "_target_": "sample_targets.Holder",
            "_convert_": "none",
            "inner": {"_target_": "sample_targets.Holder", "_convert_": "all", "m": {"a": 1}},
            "m": {"a": 1},
        }
    )
    assert isinstance(built.kwargs["m"], Config)
    assert type(built.kwargs["inner"].kwargs["m"]) is dict


def test_convert_none_does_not_leak_into_a_shared_node() -> None:
    # The shared node is built once; how it is built must not depend on who asks first.
    cfg = yaml(
        """
        shared: {_target_: sample_targets.Holder, m: {a: 1}}
        user: {_target_: sample_targets.Holder, _convert_: none, other: $<@shared>}
        """
    )
    via_user = instantiate(cfg.user).kwargs["other"]
    direct = instantiate(cfg.shared)
    assert type(direct.kwargs["m"]) is dict
    assert type(via_user.kwargs["m"]) is dict


@pytest.mark.parametrize("user_first", [False, True])
def test_shared_node_keeps_the_convert_mode_of_its_own_place(user_first: bool) -> None:
    outer = (
        "outer: {_target_: sample_targets.Holder, _convert_: none,"
        " inner: {_target_: sample_targets.Holder, m: {a: 1}}}"
    )
    user = "user: {_target_: sample_targets.Needs, first: $<@outer.inner>}"
    built = instantiate(yaml("\n".join([user, outer] if user_first else [outer, user])))
    inner = built["outer"].kwargs["inner"]
    assert built["user"].first is inner
    assert isinstance(inner.kwargs["m"], Config)


# -- §4.3 _lazy_ ---------------------------------------------------------------------------------
def test_lazy_returns_a_proxy_that_builds_on_first_use() -> None:
    import wrapt

    proxy = instantiate({"_target_": "sample_targets.Counted", "_lazy_": True, "name": "late"})
    assert isinstance(proxy, wrapt.LazyObjectProxy)
    assert st.Counted.count == 0
    assert proxy.name == "late"
    assert st.Counted.count == 1
    assert isinstance(proxy, st.Counted)
    assert proxy.name == "late" and st.Counted.count == 1  # built once


def test_lazy_node_nested_and_shared() -> None:
    cfg = yaml(
        """
        heavy: {_target_: sample_targets.Counted, _lazy_: true, name: $<size>}
        size: 3
        user: {_target_: sample_targets.Needs, first: $<@heavy>, second: $<@heavy>}
        """
    )
    user = instantiate(cfg.user)
    assert st.Counted.count == 0
    assert user.first is user.second
    assert user.first.name == 3 and st.Counted.count == 1


def test_lazy_node_builds_later_as_it_would_have_now() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Holder
        _convert_: none
        now: {_target_: sample_targets.Holder, m: {a: 1}, shared: $<@model>}
        later: {_target_: sample_targets.Holder, _lazy_: true, m: {a: 1}, shared: $<@model>}
        model: {_target_: sample_targets.Counted}
        """
    )
    built = instantiate(cfg).kwargs
    now, later = built["now"], built["later"]
    assert isinstance(now.kwargs["m"], Config)
    assert isinstance(later.kwargs["m"], Config)  # the _convert_ in force where it was declared
    assert later.kwargs["shared"] is now.kwargs["shared"] is built["model"]
    assert st.Counted.count == 1


def test_lazy_plain_copy_builds_its_own_nested_targets() -> None:
    cfg = yaml(
        """
        heavy: {_target_: sample_targets.Needs, _lazy_: true, first: {_target_: sample_targets.Counted}}
        copy: $<heavy>
        """
    )
    built = instantiate(cfg)
    assert built["copy"] is not built["heavy"]
    assert built["copy"].first is not built["heavy"].first and st.Counted.count == 2


def test_lazy_false_builds_now() -> None:
    built = instantiate({"_target_": "sample_targets.Counted", "_lazy_": False})
    assert type(built) is st.Counted and st.Counted.count == 1


def test_lazy_with_an_unknown_target_fails_at_instantiate() -> None:
    with pytest.raises(TargetError):
        instantiate({"_target_": "sample_targets.NoSuchThing", "_lazy_": True})


def test_lazy_target_error_surfaces_on_first_use() -> None:
    proxy = instantiate({"_target_": "sample_targets.Boom", "_lazy_": True, "message": "late boom"})
    with pytest.raises(InstantiationError, match="late boom") as info:
        str(proxy)
    assert isinstance(info.value.__cause__, ValueError)


def _run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_does_not_import_wrapt() -> None:
    out = _run_python(
        "import sys, instantiate\n"
        "print('wrapt' in sys.modules)\n"
        "instantiate.instantiate({'_target_': 'builtins.dict', 'a': 1})\n"
        "print('wrapt' in sys.modules)\n"
        "instantiate.instantiate({'_target_': 'builtins.dict', '_lazy_': True})\n"
        "print('wrapt' in sys.modules)\n"
    )
    assert out.split() == ["False", "False", "True"]


def test_subprocess_imports_this_checkout() -> None:
    out = _run_python("import instantiate; print(instantiate.__file__)")
    assert Path(out.strip()).resolve() == ROOT / "instantiate" / "__init__.py"


# -- §4.4 call-time arguments ---------------------------------------------------------------------
def test_call_time_positionals_replace_args() -> None:
    cfg = yaml("{_target_: sample_targets.Holder, _args_: [1, 2], k: 3}")
    before = unchanged(cfg)
    assert instantiate(cfg, "a") == st.Holder("a", k=3)
    assert instantiate(cfg) == st.Holder(1, 2, k=3)
    assert cfg.to_dict(resolve=False) == before


def test_call_time_positionals_are_passed_as_they_are() -> None:
    raw = {"_target_": "sample_targets.Point"}
    text = "$<not.resolved>"
    built = instantiate({"_target_": "sample_targets.Holder"}, raw, text)
    assert built.args[0] is raw and built.args[1] is text


def test_call_time_keywords_override_and_add() -> None:
    cfg = yaml("{_target_: sample_targets.Linear, in_features: 1, out_features: 2}")
    before = unchanged(cfg)
    assert instantiate(cfg, out_features=5, bias=False) == st.Linear(1, 5, False)
    assert cfg.to_dict(resolve=False) == before
    assert instantiate(cfg) == st.Linear(1, 2)


def test_call_time_mapping_merges_into_a_target_node() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Wrapper
        inner: {_target_: sample_targets.Linear, in_features: 1, out_features: 2}
        """
    )
    before = unchanged(cfg)
    assert instantiate(cfg, inner={"out_features": 9}) == st.Wrapper(st.Linear(1, 9))
    # merged, not replaced: the node's other keys stay
    assert instantiate(cfg, inner={"_target_": "sample_targets.Holder"}) == st.Wrapper(
        st.Holder(in_features=1, out_features=2)
    )
    assert cfg.to_dict(resolve=False) == before


def test_call_time_plain_mapping_replaces() -> None:
    # SPEC §4.4: a mapping merges only into a node with _target_; any other value replaces.
    # (Hydra merges plain mappings too: a deliberate difference.)
    cfg = yaml("{_target_: sample_targets.Holder, options: {a: 1, b: 2}}")
    before = unchanged(cfg)
    built = instantiate(cfg, options={"a": 5})
    assert built.kwargs["options"] == {"a": 5}
    assert cfg.to_dict(resolve=False) == before


def test_call_time_values_are_live_objects_passed_as_they_are() -> None:
    cfg = yaml("{_target_: sample_targets.Holder, a: 1, b: 2, c: 3}")
    live = object()
    mapping = {"_target_": "sample_targets.Point"}  # not built: call-time values are not config
    text = "$<a>"
    built = instantiate(cfg, a=live, b=mapping, c=text)
    assert built.kwargs["a"] is live and built.kwargs["b"] is mapping and built.kwargs["c"] is text


def test_call_time_keyword_feeds_interpolations() -> None:
    cfg = yaml(
        """
        width: 4
        model:
          _target_: sample_targets.Holder
          size: 1
          relative: $<.size>
          absolute: $<model.size>
          text: size=$<.size>
          inner: {_target_: sample_targets.Point, x: $<..size>, y: $<width>}
        """
    )
    before = unchanged(cfg)
    built = instantiate(cfg.model, size=8)
    assert built.kwargs["relative"] == 8 and built.kwargs["absolute"] == 8
    assert built.kwargs["text"] == "size=8"
    assert built.kwargs["inner"] == st.Point(8, 4)
    assert cfg.to_dict(resolve=False) == before
    assert instantiate(cfg.model).kwargs["relative"] == 1  # the override was for that call only


def test_call_time_merge_feeds_interpolations_inside_the_merged_node() -> None:
    cfg = yaml(
        """
        _target_: sample_targets.Wrapper
        inner: {_target_: sample_targets.Point, x: 1, y: $<.x>}
        """
    )
    assert instantiate(cfg, inner={"x": 6}) == st.Wrapper(st.Point(6, 6))


def test_call_time_keyword_reaches_a_shared_reference() -> None:
    cfg = yaml(
        """
        model: {_target_: sample_targets.Point, x: 1}
        user: {_target_: sample_targets.Needs, first: $<@model>}
        """
    )
    built = instantiate(cfg, model={"x": 2})
    assert built["model"] == st.Point(2) and built["user"].first is built["model"]


def test_call_time_special_keys() -> None:
    cfg = yaml("{_target_: sample_targets.add, a: 1}")
    made = instantiate(cfg, _partial_=True)
    assert isinstance(made, functools.partial) and made(b=1) == 2
    assert instantiate(cfg, _target_="sample_targets.Holder") == st.Holder(a=1)


def test_call_time_arguments_on_a_list_node_are_an_error() -> None:
    cfg = yaml("layers: [{_target_: sample_targets.Point}]")
    with pytest.raises(InstantiationError) as info:
        instantiate(cfg.layers, x=1)
    assert info.value.path == "layers"


def test_call_time_arguments_on_a_scalar_are_an_error() -> None:
    with pytest.raises(InstantiationError, match="mapping"):
        instantiate(5, x=1)


def test_call_time_override_supplies_a_missing_value() -> None:
    cfg = yaml("_target_: sample_targets.Point\nx: ???")
    with pytest.raises(ConfigError, match=r"\?\?\?"):
        instantiate(cfg)
    assert instantiate(cfg, x=3) == st.Point(3)


NEVER_CHANGED = """
data: {n: 3}
model:
  _target_: sample_targets.Holder
  _args_: [{_target_: sample_targets.Point, x: $<data.n>}]
  plain: {a: [1, {b: '$<..[0]>'}]}
  shared: $<@other>
  copy: $<other>
  lazy: {_target_: sample_targets.Counted, _lazy_: true}
  partial: {_target_: sample_targets.add, _partial_: true, a: 1}
  unbuilt: {_target_: sample_targets.Holder, _recursive_: false, inner: {_target_: sample_targets.Point}}
  converted: {_target_: sample_targets.Holder, _convert_: none, m: {k: '\\$<text>'}}
  inner: {_target_: sample_targets.Point, x: 1, y: $<.x>}
other: {_target_: sample_targets.Counted}
"""


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {}),
        ((9,), {}),
        ((), {"plain": {"z": 1}, "inner": {"x": 5}, "_args_": [1]}),
        ((), {"lazy": {"name": "now"}, "partial": {"a": 2}, "new": [1, 2]}),
        ((), {"data": "not used", "shared": object()}),
    ],
)
def test_the_config_is_never_changed_by_a_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    cfg = yaml(NEVER_CHANGED)
    before = unchanged(cfg)
    built = instantiate(cfg.model, *args, **kwargs)
    str(built.kwargs["lazy"])  # build the lazy node too
    assert cfg.to_dict(resolve=False) == before
    assert instantiate(cfg.model).kwargs["inner"] == st.Point(1, 1)


# -- §4.5 signature check before the call -------------------------------------------------------
def test_misspelled_keyword_names_node_target_valid_names_and_closest(tmp_path: Path) -> None:
    text = "model:\n  layer:\n    _target_: torch.nn.Linear\n    in_featurs: 3\n    out_features: 4\n"
    path = tmp_path / "conf.yaml"
    path.write_text(text)
    with pytest.raises(InstantiationError) as info:
        instantiate(load(path).model)
    error = info.value
    message = str(error)
    assert error.path == "model.layer"
    assert error.source == f"{path}:{line_of(text, 'layer:')}"
    assert "torch.nn.Linear" in message and "'in_featurs'" in message
    assert "Did you mean 'in_features'?" in message
    for name in ("in_features", "out_features", "bias", "device", "dtype"):
        assert name in message


def test_error_inside_args_names_the_item_and_its_line(tmp_path: Path) -> None:
    text = CANONICAL.replace("out_features: $<data.classes>", "out_feature: $<data.classes>")
    path = tmp_path / "train.yaml"
    path.write_text(text)
    with pytest.raises(InstantiationError, match="Did you mean 'out_features'") as info:
        instantiate(load(path).model)
    assert info.value.path == "model._args_[2]"
    lines = text.splitlines()
    third_item = [i for i, line in enumerate(lines, 1) if line.strip().startswith("- _target_")][2]
    assert info.value.source == f"{path}:{third_item}"


def test_missing_required_argument_names_it_and_the_valid_names() -> None:
    with pytest.raises(InstantiationError) as info:
        instantiate(Config({"m": {"_target_": "sample_targets.Linear", "in_features": 1}}).m)
    message = str(info.value)
    assert info.value.path == "m"
    assert "sample_targets.Linear" in message and "'out_features'" in message
    assert "bias" in message  # what it accepts, so the user can see what to write


def test_too_many_positionals() -> None:
    with pytest.raises(InstantiationError, match="at most 2 positional") as info:
        instantiate(Config({"f": {"_target_": "sample_targets.two", "_args_": [1, 2, 3]}}).f)
    assert info.value.path == "f"


def test_signature_errors_raise_before_the_call() -> None:
    with pytest.raises(InstantiationError):
        instantiate({"_target_": "sample_targets.Counted", "nam": "x"})
    assert st.Counted.count == 0


# -- §4.5 a target that raises -------------------------------------------------------------------
def test_target_exception_is_wrapped_with_path_target_and_source(tmp_path: Path) -> None:
    text = "a: 1\nparts:\n  - 0\n  - _target_: sample_targets.Boom\n    message: kaput\n"
    path = tmp_path / "boom.yaml"
    path.write_text(text)
    cfg = load(path)
    with pytest.raises(InstantiationError) as info:
        instantiate(cfg)
    error = info.value
    assert isinstance(error.__cause__, ValueError) and str(error.__cause__) == "kaput"
    assert error.path == "parts[1]"
    assert error.source == f"{path}:{line_of(text, '_target_: sample_targets.Boom')}"
    assert "sample_targets.Boom" in str(error) and "kaput" in str(error)
    assert f"{path}:4" in str(error)


def test_target_exception_at_the_root_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "root.yaml"
    path.write_text("_target_: sample_targets.Boom\n")
    with pytest.raises(InstantiationError) as info:
        instantiate(load(path))
    assert info.value.path == ""
    assert info.value.source == f"{path}:1"


def test_target_exception_in_code_made_config_has_no_source() -> None:
    with pytest.raises(InstantiationError) as info:
        instantiate({"x": [{"_target_": "sample_targets.Boom"}]})
    assert info.value.path == "x[0]" and info.value.source is None
    assert type(info.value.__cause__) is ValueError


def test_config_error_from_inside_a_target_is_not_rewrapped() -> None:
    # A target that builds a sub-config itself: the inner error already names the inner node.
    cfg = yaml(
        """
        outer:
          _target_: sample_targets.build_later
          _recursive_: false
          config: {_target_: sample_targets.Boom, message: inner}
        """
    )
    with pytest.raises(InstantiationError) as info:
        instantiate(cfg.outer)
    assert info.value.path == "outer.config"
    assert isinstance(info.value.__cause__, ValueError)


# -- bad _target_ / _args_ / flags ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("no_such_module_xyz.Thing", "no module 'no_such_module_xyz'"),
        ("sample_targets.Linaer", "Did you mean 'Linear'"),
        ("sample_targets", "names a module"),
        ("sample_targets.NOT_CALLABLE", "cannot be called"),
        (5, "must be a string"),
        (None, "must be a string"),
        ("", "empty"),
    ],
)
def test_bad_target_names_the_target_key(target: Any, fragment: str, tmp_path: Path) -> None:
    cfg = Config({"model": {"inner": {"_target_": target}}})
    with pytest.raises(TargetError, match=fragment) as info:
        instantiate(cfg.model)
    assert info.value.path == "model.inner._target_"


def test_bad_target_from_a_file_has_its_line(tmp_path: Path) -> None:
    text = "model:\n  _target_: sample_targets.Linaer\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TargetError) as info:
        instantiate(load(path).model)
    assert info.value.source == f"{path}:2"


@pytest.mark.parametrize("args", [5, "ab", {"a": 1}, None, True])
def test_args_must_be_a_list(args: Any) -> None:
    cfg = Config({"node": {"_target_": "sample_targets.Holder", "_args_": args}})
    with pytest.raises(InstantiationError, match="_args_ must be a list") as info:
        instantiate(cfg.node)
    assert info.value.path == "node._args_"


def test_args_from_an_interpolated_list() -> None:
    cfg = yaml(
        """
        values: [1, {_target_: sample_targets.Point}]
        node: {_target_: sample_targets.Holder, _args_: $<values>}
        """
    )
    assert instantiate(cfg.node) == st.Holder(1, st.Point())


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("_partial_", "yes"),
        ("_partial_", 1),
        ("_recursive_", "false"),
        ("_recursive_", None),
        ("_lazy_", "true"),
        ("_lazy_", 0),
        ("_convert_", "bogus"),
        ("_convert_", 3),
    ],
)
def test_bad_flag_values(flag: str, value: Any) -> None:
    cfg = Config({"node": {"_target_": "sample_targets.Point", flag: value}})
    with pytest.raises(InstantiationError, match=flag) as info:
        instantiate(cfg.node)
    assert info.value.path == f"node.{flag}"


def test_bad_flag_value_from_a_file(tmp_path: Path) -> None:
    text = "node:\n  _target_: sample_targets.Point\n  x: 1\n  _partial_: maybe\n"
    path = tmp_path / "flags.yaml"
    path.write_text(text)
    with pytest.raises(InstantiationError) as info:
        instantiate(load(path).node)
    assert info.value.source == f"{path}:4"


# -- §4.6 sharing -------------------------------------------------------------------------------
SHARED = """
model: {_target_: sample_targets.Counted, name: net}
first: {_target_: sample_targets.Needs, first: $<@model>, second: $<@model>}
second: {_target_: sample_targets.Needs, first: $<@model>}
listed: [$<@model>, {k: $<@model>}]
"""


def test_shared_reference_is_one_object_built_once() -> None:
    built = instantiate(yaml(SHARED))
    model = built["model"]
    assert isinstance(model, st.Counted) and st.Counted.count == 1
    assert built["first"].first is model and built["first"].second is model
    assert built["second"].first is model
    assert built["listed"][0] is model and built["listed"][1]["k"] is model


def test_shared_node_outside_the_built_subtree_is_built_once() -> None:
    built = instantiate(yaml(SHARED).first)
    assert built.first is built.second and st.Counted.count == 1


def test_each_call_builds_its_own_objects() -> None:
    cfg = yaml(SHARED)
    one, two = instantiate(cfg.first), instantiate(cfg.first)
    assert one.first is not two.first and st.Counted.count == 2


def test_shared_references_in_args_and_in_the_referring_order() -> None:
    cfg = yaml(
        """
        user: {_target_: sample_targets.Holder, _args_: [$<@model>, [$<@model>]]}
        model: {_target_: sample_targets.Counted}
        """
    )
    built = instantiate(cfg)
    assert built["user"].args[0] is built["model"] and built["user"].args[1][0] is built["model"]
    assert st.Counted.count == 1


def test_shared_reference_relative_path() -> None:
    cfg = yaml(
        """
        block:
          model: {_target_: sample_targets.Counted}
          user: {_target_: sample_targets.Needs, first: $<@..model>}
        """
    )
    block = instantiate(cfg.block)
    assert block["user"].first is block["model"] and st.Counted.count == 1


def test_shared_attribute_and_method_call() -> None:
    cfg = yaml(
        """
        model: {_target_: sample_targets.Model, name: net, layers: 3}
        use: {_target_: sample_targets.Holder, name: $<@model:name>, default: $<@model:default_name()>}
        up: {_target_: sample_targets.identity, value: $<@model:name.upper()>}
        """
    )
    built = instantiate(cfg)
    assert built["use"].kwargs == {"name": "net", "default": "default"}
    assert built["up"] == "NET"


def test_shared_unknown_attribute_is_an_interpolation_error() -> None:
    cfg = yaml(
        """
        model: {_target_: sample_targets.Model, name: net}
        use: {_target_: sample_targets.identity, value: $<@model:nmae>}
        """
    )
    with pytest.raises(InterpolationError, match="Did you mean 'name'") as info:
        instantiate(cfg.use)
    assert info.value.path == "use.value"


def test_optimizer_gets_the_parameters_of_the_same_model() -> None:
    cfg = yaml(
        """
        model:
          _target_: torch.nn.Sequential
          _args_:
            - {_target_: torch.nn.Linear, in_features: 3, out_features: 4}
            - {_target_: torch.nn.Linear, in_features: 4, out_features: 1}
        optimizer:
          _target_: torch.optim.SGD
          params: $<@model:parameters()>
          lr: 0.1
        """
    )
    built = instantiate(cfg)
    params = built["optimizer"].param_groups[0]["params"]
    model_params = list(built["model"].parameters())
    assert len(params) == len(model_params) == 4
    assert all(a is b for a, b in zip(params, model_params))


def test_spec_example_optimizer_with_call_time_parameters() -> None:
    cfg = yaml(CANONICAL + "optimizer: {_target_: torch.optim.SGD, lr: 0.01}\n")
    model = instantiate(cfg.model)
    opt = instantiate(cfg.optimizer, params=model.parameters())
    assert [p is q for p, q in zip(opt.param_groups[0]["params"], model.parameters())] == [True] * 4


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [("$<@plain>", "no _target_"), ("$<@items>", "no _target_"), ("$<@number>", "not a node to build")],
)
def test_shared_reference_to_something_without_target_is_an_error(reference: str, fragment: str) -> None:
    cfg = Config(
        {
            "plain": {"a": 1},
            "items": [1],
            "number": 3,
            "user": {"_target_": "sample_targets.identity", "value": reference},
        }
    )
    with pytest.raises(InterpolationError, match=fragment) as info:
        instantiate(cfg.user)
    assert info.value.path == "user.value"


def test_shared_reference_to_a_missing_path() -> None:
    cfg = Config({"user": {"_target_": "sample_targets.identity", "value": "$<@modle>"}, "model": {}})
    with pytest.raises(InterpolationError, match="modle"):
        instantiate(cfg.user)


def test_plain_reference_builds_a_separate_copy() -> None:
    cfg = yaml(
        """
        model: {_target_: sample_targets.Counted, name: net}
        user: {_target_: sample_targets.Needs, first: $<model>, second: $<@model>}
        """
    )
    built = instantiate(cfg)
    user = built["user"]
    assert user.second is built["model"]
    assert user.first is not built["model"] and isinstance(user.first, st.Counted)
    assert user.first.name == "net" and st.Counted.count == 2


def test_shared_inside_a_plain_copy_is_still_shared() -> None:
    cfg = yaml(
        """
        model: {_target_: sample_targets.Counted}
        block: {_target_: sample_targets.Needs, first: $<@model>}
        copy: $<block>
        """
    )
    built = instantiate(cfg)
    assert built["copy"] is not built["block"]
    assert built["copy"].first is built["block"].first is built["model"]
    assert st.Counted.count == 1


def test_yaml_alias_is_a_separate_node() -> None:
    text = """
        encoder: &enc {_target_: sample_targets.Counted, name: layer}
        decoder: *enc
    """
    built = instantiate(yaml(text))
    theirs = _hydra(text)
    assert theirs["encoder"] is not theirs["decoder"]
    assert built["encoder"] is not built["decoder"]


def test_yaml_merge_key_copies_are_separate_nodes() -> None:
    built = instantiate(
        yaml(
            """
            base: &base {net: {_target_: sample_targets.Counted}}
            model: {<<: *base, extra: 1}
            """
        )
    )
    assert built["model"]["net"] is not built["base"]["net"]


def test_a_dict_reused_in_plain_data_is_two_nodes() -> None:
    layer = {"_target_": "sample_targets.Counted"}
    built = instantiate({"a": layer, "b": layer})
    assert built["a"] is not built["b"] and st.Counted.count == 2


@pytest.mark.parametrize("first", ["walk", "reference"])
def test_a_reused_dict_that_a_built_reference_names_is_built_where_the_reference_finds_it(first: str) -> None:
    # The walk keeps a log of what it built; the index a $<@path> reads is made from it later,
    # and must give the object built at the place the path names (the first, for a reused dict).
    layer = {"_target_": "sample_targets.Counted"}
    user = {"_target_": "sample_targets.Wrapper", "inner": "$<@a>"}
    data = {"a": layer, "b": layer, "user": user}
    if first == "reference":
        data = {"user": user, "a": layer, "b": layer}
    built = instantiate(data)
    assert built["user"].inner is built["a"]
    if first == "walk":  # built at a and at b before anything asked: two nodes
        assert built["b"] is not built["a"] and st.Counted.count == 2
    else:  # asked for first: a is shared, and the walk meets that very node again at b
        assert built["b"] is built["a"] and st.Counted.count == 1


def test_a_dict_reused_in_data_given_to_config_is_two_nodes() -> None:
    layer = {"_target_": "sample_targets.Counted"}
    built = instantiate(Config({"a": layer, "b": layer}))
    assert built["a"] is not built["b"] and st.Counted.count == 2


def test_cycle_of_shared_references_names_the_chain() -> None:
    cfg = yaml(
        """
        a: {_target_: sample_targets.Wrapper, inner: $<@b>}
        b: {_target_: sample_targets.Wrapper, inner: $<@c>}
        c: {_target_: sample_targets.Wrapper, inner: $<@a>}
        """
    )
    with pytest.raises(CycleError, match=r"a -> b -> c -> a"):
        instantiate(cfg)
    with pytest.raises(CycleError, match=r"b -> c -> a -> b"):
        instantiate(cfg.b)


def test_node_referring_to_itself_is_a_cycle() -> None:
    cfg = yaml("a: {_target_: sample_targets.Wrapper, inner: {k: $<@a>}}")
    with pytest.raises(CycleError, match=r"a -> a"):
        instantiate(cfg.a)
    cfg = yaml("a: {_target_: sample_targets.Wrapper, inner: $<a>}")
    with pytest.raises(CycleError):
        instantiate(cfg.a)


@pytest.mark.parametrize(
    ("data", "chain"),
    [
        ({"x": {"inner": [{"value": "$<x>"}]}}, "x.inner[0].value -> x.inner[0].value"),
        ({"x": {"a": {"b": "$<x.c>"}, "c": {"d": "$<x.a>"}}}, "x.a.b -> x.c.d -> x.a.b"),
        ({"x": {"_target_": "sample_targets.Holder", "m": {"k": "$<x.m>"}}}, "x.m.k -> x.m.k"),
    ],
)
def test_plain_reference_inside_what_it_copies_is_a_cycle(data: dict[str, Any], chain: str) -> None:
    # Each plain $<...> builds a copy, so a copy holding a reference to itself would never end.
    with pytest.raises(CycleError) as info:
        instantiate(data)
    assert chain in str(info.value)


def test_plain_references_to_one_node_side_by_side_are_fine() -> None:
    built = instantiate({"a": {"b": 1}, "c": "$<a>", "d": ["$<a>", "$<c>", {"e": "$<d[0]>"}]})
    assert built == {"a": {"b": 1}, "c": {"b": 1}, "d": [{"b": 1}, {"b": 1}, {"e": {"b": 1}}]}


def test_nested_node_referring_to_its_ancestor_is_a_cycle() -> None:
    cfg = yaml(
        """
        a:
          _target_: sample_targets.Wrapper
          inner: {_target_: sample_targets.Wrapper, inner: $<@a>}
        """
    )
    with pytest.raises(CycleError, match=r"a -> a\.inner -> a"):
        instantiate(cfg)


@pytest.mark.parametrize(
    "text",
    [
        # A build records the nodes it is building only once something could ask for one again;
        # each of these asks from a different place: a lazy node built during its parent's call,
        # a plain reference to a $<@...>, a reference inside plain containers, a plain copy.
        "a: {_target_: builtins.str, "
        "_args_: [{_target_: sample_targets.Wrapper, _lazy_: true, inner: $<@a>}]}",
        "a: {_target_: sample_targets.Wrapper, inner: $<y>}\ny: $<@a>",
        "a: {_target_: sample_targets.Wrapper, inner: {k: [1, {z: $<@a>}]}}",
        "a: {_target_: sample_targets.Wrapper, inner: {q: $<a>}}",
    ],
)
def test_a_node_asked_for_while_it_is_built_is_a_cycle_wherever_asked_from(text: str) -> None:
    with pytest.raises(CycleError, match=r"need each other to be built first: a -> a\n") as info:
        instantiate(yaml(text))
    assert info.value.path == "a"


def test_data_that_holds_itself_is_a_cycle_not_a_recursion_error() -> None:
    node: dict[str, Any] = {"_target_": "sample_targets.Wrapper", "inner": None}
    node["inner"] = {"deeper": [node]}
    first = r"need each other to be built first: <root> -> inner\.deeper\[0\]\n"
    with pytest.raises(CycleError, match=first):
        instantiate(node)
    assert instantiate({"_target_": "sample_targets.Wrapper", "inner": [{"k": 1}]}) == st.Wrapper([{"k": 1}])


# -- §10 errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "config",
    [
        {"_target_": "sample_targets.Boom"},
        {"_target_": "sample_targets.Nope"},
        {"_target_": "sample_targets.Linear"},
        {"_target_": "sample_targets.Point", "_partial_": "x"},
        {"a": {"_target_": "sample_targets.Wrapper", "inner": "$<@a>"}},
        {"_target_": "sample_targets.Point", "x": "$<nowhere>"},
    ],
)
def test_every_building_error_is_a_config_error_with_path(config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as info:
        instantiate(config)
    assert info.value.path is not None
    assert hasattr(info.value, "source")


# -- Hydra comparison ------------------------------------------------------------------------------
# The same YAML (with Hydra's ${...} spelling, which our grammar reads too) is built by Hydra and by
# us. Deliberate differences, tested above instead of here:
# - Hydra's default _convert_ is "none" (targets get DictConfig/ListConfig); ours is plain dict/list
#   (Hydra's all/partial/object); the cases that pass containers set _convert_: all on both sides.
# - call-time values are passed as they are (Hydra merges them into the config, so a dict holding a
#   _target_ would be built and a plain mapping would be merged; ours replaces and passes it on).
# - $<@path> sharing does not exist in Hydra, which builds a node again wherever it is referenced.
HYDRA_CASES = {
    "keywords": "{_target_: sample_targets.Linear, in_features: 3, out_features: 4}",
    "nested keyword": """
        _target_: sample_targets.Wrapper
        inner: {_target_: sample_targets.Wrapper, inner: {_target_: sample_targets.Point, x: 1}}
    """,
    "args": """
        _target_: sample_targets.Sequential
        _args_:
          - {_target_: sample_targets.Linear, in_features: 2, out_features: 8}
          - {_target_: sample_targets.ReLU}
          - {_target_: sample_targets.Linear, in_features: 8, out_features: 1, bias: false}
    """,
    "containers": """
        _target_: sample_targets.Holder
        _convert_: all
        items: [{_target_: sample_targets.Point, x: 1}, {k: {_target_: sample_targets.Point, y: 2}}, 3]
        table: {a: [1, 2], b: {c: null}}
    """,
    "interpolation": """
        _target_: sample_targets.Holder
        _convert_: all
        data: {n: 5}
        model: {_target_: sample_targets.Point, x: '${data.n}', y: 'n=${data.n}'}
    """,
    "nested class": "{_target_: sample_targets.Outer.Inner, value: 3}",
    "classmethod": "{_target_: sample_targets.Model.from_pretrained, name: bert}",
    "builtin": "{_target_: builtins.dict, a: 1, b: [2]}",
    "convert partial": "{_target_: sample_targets.Holder, _convert_: partial, m: {a: 1}}",
    "convert object": "{_target_: sample_targets.Holder, _convert_: object, m: [{a: 1}]}",
    "recursive true": """
        _target_: sample_targets.Wrapper
        _recursive_: true
        inner: {_target_: sample_targets.Point}
    """,
}


def _hydra(text: str, *args: Any, **kwargs: Any) -> Any:
    from hydra.utils import instantiate as hydra_instantiate
    from omegaconf import OmegaConf

    return hydra_instantiate(OmegaConf.create(text), *args, **kwargs)


@pytest.mark.parametrize("text", HYDRA_CASES.values(), ids=HYDRA_CASES.keys())
def test_same_result_as_hydra(text: str) -> None:
    ours = instantiate(Config.from_yaml(text))
    theirs = _hydra(text)
    assert ours == theirs
    assert type(ours) is type(theirs)


def test_partial_like_hydra() -> None:
    text = "{_target_: sample_targets.Linear, _partial_: true, in_features: 3}"
    ours, theirs = instantiate(Config.from_yaml(text)), _hydra(text)
    assert ours(out_features=2) == theirs(out_features=2) == st.Linear(3, 2)
    assert ours.keywords == dict(theirs.keywords)


def test_recursive_false_like_hydra() -> None:
    from omegaconf import DictConfig, OmegaConf

    text = """
        _target_: sample_targets.Holder
        _recursive_: false
        _args_: [{_target_: sample_targets.Point, x: 1}]
        inner: {_target_: sample_targets.Point, y: 2}
        plain: {a: [1]}
    """
    ours, theirs = instantiate(Config.from_yaml(text)), _hydra(text)
    assert isinstance(theirs.kwargs["inner"], DictConfig) and isinstance(ours.kwargs["inner"], Config)
    assert {k: v.to_dict() for k, v in ours.kwargs.items()} == {
        k: OmegaConf.to_container(v) for k, v in theirs.kwargs.items()
    }
    assert [a.to_dict() for a in ours.args] == [OmegaConf.to_container(a) for a in theirs.args]


def test_convert_none_like_hydra() -> None:
    from omegaconf import DictConfig, ListConfig, OmegaConf

    text = "{_target_: sample_targets.Holder, _convert_: none, m: {a: {b: [1, {c: 2}]}}, s: [1, {d: 3}]}"
    ours, theirs = instantiate(Config.from_yaml(text)), _hydra(text)
    assert isinstance(theirs.kwargs["m"], DictConfig) and isinstance(theirs.kwargs["s"], ListConfig)
    assert isinstance(ours.kwargs["m"], Config) and isinstance(ours.kwargs["s"], Config)
    assert ours.kwargs["m"].to_dict() == OmegaConf.to_container(theirs.kwargs["m"])
    assert ours.kwargs["s"].to_dict() == OmegaConf.to_container(theirs.kwargs["s"])


CALL_TIME_CASES = {
    "override a keyword": (
        "{_target_: sample_targets.Linear, in_features: 1, out_features: 2}",
        (),
        {"out_features": 7},
    ),
    "add a keyword": (
        "{_target_: sample_targets.Linear, in_features: 1, out_features: 2}",
        (),
        {"bias": False},
    ),
    "merge into a target node": (
        "{_target_: sample_targets.Wrapper, inner: {_target_: sample_targets.Point, x: 1, y: 2}}",
        (),
        {"inner": {"y": 5}},
    ),
    "interpolation sees the new value": (
        "{_target_: sample_targets.Point, x: 1, y: '${.x}'}",
        (),
        {"x": 4},
    ),
    "positionals replace _args_": ("{_target_: sample_targets.Holder, _args_: [1, 2], k: 3}", (7, 8), {}),
    "special key": ("{_target_: sample_targets.add, a: 1}", (), {"_partial_": True}),
}


@pytest.mark.parametrize(("text", "args", "kwargs"), CALL_TIME_CASES.values(), ids=CALL_TIME_CASES.keys())
def test_call_time_arguments_like_hydra(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    ours = instantiate(Config.from_yaml(text), *args, **kwargs)
    theirs = _hydra(text, *args, **kwargs)
    if callable(ours) and not isinstance(ours, st._Value):
        ours, theirs = ours(b=1), theirs(b=1)
    assert ours == theirs


def test_plain_mapping_keyword_differs_from_hydra() -> None:
    # Deliberate: Hydra deep-merges a plain mapping given at call time; SPEC §4.4 replaces it.
    text = "{_target_: sample_targets.Holder, options: {a: 1, b: 2}}"
    assert _hydra(text, options={"a": 5}).kwargs["options"] == {"a": 5, "b": 2}
    assert instantiate(Config.from_yaml(text), options={"a": 5}).kwargs["options"] == {"a": 5}


# -- values checked against the target's signature (SPEC 7: annotations are a schema) --------


def test_a_float_for_an_int_parameter_names_path_and_line(tmp_path: Path) -> None:
    text = "data:\n  model:\n    _target_: sample_targets.Typed\n    classes: 0.5\n"
    file = tmp_path / "conf.yaml"
    file.write_text(text)
    with pytest.raises(ValidationError) as caught:
        instantiate(load(file).data.model)
    assert caught.value.path == "data.model.classes"
    assert caught.value.source == f"{file}:4"
    assert "expected an int" in str(caught.value) and "0.5" in str(caught.value)
    assert "for parameter 'classes' of sample_targets.Typed" in str(caught.value)


@pytest.mark.parametrize(
    ("key", "written", "expected"),
    [
        ("classes", '"3"', 3),
        ("rate", "1", 1.0),
        ("flag", '"yes"', True),
        ("limit", "null", None),
        ("limit", '"7"', 7),
        ("mode", "eval", "eval"),
        ("color", "BLUE", st.Color.BLUE),
        ("label", "12", 12),  # text parameters are not checked: 12 stays an int
    ],
)
def test_config_scalars_are_converted_to_the_annotation(key: str, written: str, expected: Any) -> None:
    built = instantiate(yaml(f"_target_: sample_targets.Typed\n{key}: {written}\n"))
    assert getattr(built, key) == expected
    assert type(getattr(built, key)) is type(expected)


@pytest.mark.parametrize(
    ("key", "written"),
    [("classes", '"three"'), ("flag", '"maybe"'), ("mode", "test"), ("color", "GREEN"), ("classes", "null")],
)
def test_config_scalars_that_cannot_fit_are_validation_errors(key: str, written: str) -> None:
    with pytest.raises(ValidationError) as caught:
        instantiate(yaml(f"_target_: sample_targets.Typed\n{key}: {written}\n"))
    assert caught.value.path == key


def test_interpolated_values_are_checked_too() -> None:
    cfg = yaml(
        """
        n: '5'
        half: 2.5
        fits: {_target_: sample_targets.Typed, classes: $<n>}
        misfit: {_target_: sample_targets.Typed, classes: $<half>}
        """
    )
    assert instantiate(cfg.fits).classes == 5
    with pytest.raises(ValidationError) as caught:
        instantiate(cfg.misfit)
    assert caught.value.path == "misfit.classes"


def test_call_time_values_and_built_objects_are_passed_as_they_are() -> None:
    built = instantiate(yaml("_target_: sample_targets.Typed"), classes="3", rate="fast")
    assert built.classes == "3" and built.rate == "fast"
    nested = instantiate(yaml("_target_: sample_targets.Typed\nclasses: {_target_: sample_targets.Point}"))
    assert nested.classes == st.Point()
