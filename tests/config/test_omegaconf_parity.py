"""SPEC 3 / issue 14: ``${...}`` reads every OmegaConf 2.3 expression as OmegaConf does.

Each table row is a config and the value OmegaConf 2.3 gives for its key ``v`` (written out
from OmegaConf's documented behaviour). Every row is checked three ways side by side: the
real omegaconf gives that value, we give it for the ``${...}`` spelling, and we give it for
the ``$<...>`` spelling. ``REFUSED`` rows are errors in both: ours an ``InterpolationError``
naming the node (and the column, for a malformed expression).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from omegaconf import OmegaConf
from strategies import angles

from instantiate import (
    Config,
    ConfigError,
    InterpolationError,
    MissingValueError,
    instantiate,
    register_resolver,
)

REFUSED = "<refused>"


def _args(*args: Any) -> Any:
    """The resolver OmegaConf's own tests call ``test``: its argument, or all of them as a list."""
    return args[0] if len(args) == 1 else list(args)


@pytest.fixture(autouse=True)
def _resolvers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PARITY_HOME", "/home/parity")
    OmegaConf.register_new_resolver("test", _args, replace=True)
    register_resolver("test", _args)
    yield
    OmegaConf.clear_resolver("test")


def _plain(value: Any) -> Any:
    if OmegaConf.is_config(value):
        return OmegaConf.to_container(value, resolve=True)
    if isinstance(value, Config):
        return value.to_dict()
    if isinstance(value, tuple):
        return list(value)
    return value


def omegaconf_reads(data: dict[str, Any]) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # OmegaConf 2.3 warns about [1,,2]; the value counts
            return _plain(OmegaConf.create(data)["v"])
    except Exception:  # any of OmegaConf's errors
        return REFUSED


def we_read(data: dict[str, Any]) -> Any:
    try:
        return _plain(Config(data)["v"])
    except (InterpolationError, MissingValueError) as error:
        assert error.path in ("v", "m.v"), error  # the node whose reading failed is named
        return REFUSED


def check(data: dict[str, Any], expected: Any) -> None:
    assert omegaconf_reads(data) == expected, "OmegaConf itself"
    assert we_read(data) == expected, "${...}"
    assert we_read(angles(data)) == expected, "$<...>"


# -- 1. interpolations inside key paths and resolver names -------------------------------------

DATASETS = {"mnist": {"size": 28}, "cifar": {"size": 32}}
NESTED_KEYS = [
    ({"datasets": DATASETS, "dataset": "mnist", "v": "${datasets.${dataset}}"}, {"size": 28}),
    ({"datasets": DATASETS, "dataset": "cifar", "v": "${datasets.${dataset}.size}"}, 32),
    ({"opts": {"a": 1, "b": 2}, "k": "b", "v": "${opts[${k}]}"}, 2),
    ({"opts": [5, 6], "k": "1", "v": "${opts[${k}]}"}, 6),
    ({"x": 7, "name": "x", "v": "${${name}}"}, 7),
    ({"a": {"b": 7}, "name": "a.b", "v": "${${name}}"}, 7),  # the key's text is a path
    ({"a": {"b": {"c": 3}}, "p": "b", "q": "c", "v": "${a.${p}.${q}}"}, 3),
    ({"a": {"b": 3}, "n": {"m": "b"}, "k": "m", "v": "${a.${n.${k}}}"}, 3),
    ({"m": {"x": 1, "v": "${.${k}}", "k": "x"}, "v": "${m.v}"}, REFUSED),  # .k is m.k: missing at root
    ({"m": {"x": 1, "k": "x"}, "v": "${m.${m.k}}"}, 1),
    ({"fn": "test", "v": "${${fn}:x, 1}"}, ["x", 1]),
    ({"fn": "env", "v": "${oc.${fn}:PARITY_HOME}"}, "/home/parity"),
    ({"fn": "nope", "v": "${${fn}:x}"}, REFUSED),  # unknown resolver
    ({"x": 1, "k": "missing", "v": "${${k}}"}, REFUSED),
    ({"foo": 1, "bar": "o", "v": "${fo${bar}}"}, REFUSED),  # part of a key: not OmegaConf's grammar
    ({"x": {"y": 1}, "k": {"a": 1}, "v": "${x.${k}}"}, REFUSED),  # a key must be text
]

# -- 2. list and dict literals as resolver arguments -------------------------------------------

LITERALS = [
    ({"v": "${test:[1, 2, 3]}"}, [1, 2, 3]),
    ({"v": "${test:{a: 1, b: 2}}"}, {"a": 1, "b": 2}),
    ({"v": "${test:[1, [2, {a: [3]}]]}"}, [1, [2, {"a": [3]}]]),
    ({"v": "${test:[]}"}, []),
    ({"v": "${test:{}}"}, {}),
    ({"v": "${test:[1,,2]}"}, [1, "", 2]),
    ({"v": "${test:[,]}"}, ["", ""]),
    ({"v": "${test:[ 1 , 2 ]}"}, [1, 2]),
    ({"v": "${test:{ a : 1 }}"}, {"a": 1}),
    ({"v": "${test:{a: 1, a: 2}}"}, {"a": 2}),  # the last one wins
    ({"v": "${test:{a-b: 1, a b: x y}}"}, {"a-b": 1, "a b": "x y"}),
    ({"v": "${test:{1: a, null: b, 1.5: c}}"}, {1: "a", None: "b", 1.5: "c"}),  # keys are typed
    ({"v": "${test:[true, null, 1e3, 'q', a b]}"}, [True, None, 1000.0, "q", "a b"]),
    ({"v": "${test:[1, 2], {a: 3}}"}, [[1, 2], {"a": 3}]),
    ({"x": 3, "v": "${test:[${x}, '${x}', a${x}]}"}, [3, "3", "a3"]),
    ({"x": {"y": 1}, "v": "${test:[${x}]}"}, [{"y": 1}]),
    ({"x": 3, "v": "${test:{a: ${x}, b: [${x}]}}"}, {"a": 3, "b": [3]}),
    ({"v": "${test:[1, 2}"}, REFUSED),
    ({"v": "${test:[1, 2"}, REFUSED),
    ({"v": "${test:{a: 1}"}, REFUSED),
    ({"v": "${test:{a: }}"}, REFUSED),
    ({"v": "${test:{a}}"}, REFUSED),
    ({"v": "${test:{a: 1,}}"}, REFUSED),
    ({"v": "${test:a[0]}"}, REFUSED),
    ({"v": "${test:[1]x}"}, REFUSED),
    ({"v": "${test:{${k}: 1}}", "k": "a"}, REFUSED),  # a dict key is a literal
    ({"v": "${test:\\[1\\]}"}, "[1]"),  # escaped brackets are text
    ({"v": "${test:'[1, 2]'}"}, "[1, 2]"),  # so are quoted ones
    # the literals' own typing, as OmegaConf's lexer reads it
    ({"v": "${test:1_000}"}, 1000),
    ({"v": "${test:1__0}"}, "1__0"),
    ({"v": "${test:infinity}"}, "infinity"),
    ({"v": "${test:-inf}"}, float("-inf")),
    ({"v": "${test:1.e3}"}, 1000.0),
    ({"v": "${test:+5}"}, 5),
    ({"v": "${test:TrUe}"}, True),
    ({"v": "${test:true1}"}, "true1"),
    ({"v": "${test: 1 }"}, 1),
    ({"v": "${test:1 2}"}, "1 2"),
]

# -- 3. whitespace ---------------------------------------------------------------------------

WHITESPACE = [
    ({"v": "${oc.env : PARITY_HOME}"}, "/home/parity"),
    ({"v": "${oc.env\t:\tPARITY_HOME}"}, "/home/parity"),
    ({"v": "${test : a , b }"}, ["a", "b"]),
    ({"v": "${ test: x}"}, "x"),
    ({"a": {"b": 1}, "v": "${ a.b }"}, 1),
    ({"a": {"b": 1}, "v": "${a . b}"}, REFUSED),
    ({"a": {"b": 1}, "v": "${a b}"}, REFUSED),
]

# -- 4. bracketed integers on string keys, and indices OmegaConf reads ---------------------------

KEYS = [
    ({"dict": {"0": "zero"}, "v": "${dict[0]}"}, "zero"),
    ({"dict": {"0": "zero", "1": "one"}, "v": "${dict.1}"}, "one"),
    ({"list": list(range(12)), "v": "${list.1_0}"}, 10),
    ({"list": list(range(12)), "v": "${list[1_0]}"}, 10),
    ({"list": [0, 1], "v": "${list.2}"}, REFUSED),
    ({"k$": 1, "v": "${k$}"}, 1),
    ({"a,b": 1, "v": "${a,b}"}, 1),
    ({"a=b": 1, "v": "${a=b}"}, 1),
    ({"k@": 1, "v": "${k@}"}, 1),
    ({"a-b": {"c+d": 2}, "v": "${a-b.c+d}"}, 2),
]

# -- 6. OmegaConf's other built-in resolvers -------------------------------------------------

BUILT_INS = [
    ({"v": "${oc.decode:'[1, 2]'}"}, [1, 2]),
    ({"v": "${oc.decode:'{a: 1, b: [x]}'}"}, {"a": 1, "b": ["x"]}),
    ({"v": "${oc.decode:'3.5'}"}, 3.5),
    ({"v": "${oc.decode:'true'}"}, True),
    ({"v": "${oc.decode:'abc'}"}, "abc"),
    ({"v": "${oc.decode:' 1 '}"}, " 1 "),
    ({"x": 5, "v": "${oc.decode:' ${x} '}"}, " 5 "),
    ({"v": "${oc.decode:' a\\, b'}"}, " a, b"),
    ({"v": "${oc.decode:null}"}, None),
    ({"x": 5, "v": "${oc.decode:'${x}'}"}, 5),
    ({"x": "[1, 2]", "v": "${oc.decode:${x}}"}, [1, 2]),
    ({"x": 4, "s": "{a: ${x}}", "v": "${oc.decode:${s}}"}, {"a": 4}),
    ({"v": "${oc.decode:1}"}, REFUSED),
    ({"v": "${oc.decode:''}"}, REFUSED),
    ({"v": "${oc.decode:'1, 2'}"}, REFUSED),
    ({"v": "${oc.decode:'[1'}"}, REFUSED),
    ({"v": "${oc.create:{a: 1}}"}, {"a": 1}),
    ({"v": "${oc.create:[0, {b: 1}]}"}, [0, {"b": 1}]),
    ({"v": "${oc.create:'a: 1'}"}, {"a": 1}),
    ({"v": "${oc.create:''}"}, {}),
    ({"v": "${oc.create:abc}"}, {"abc": None}),
    ({"x": 3, "v": "${oc.create:{a: '\\${x}'}}"}, {"a": 3}),  # the node's strings are interpolations
    ({"y": {"a": "${x}"}, "x": 3, "v": "${oc.create:${y}}"}, {"a": 3}),
    ({"v": "${oc.create:1}"}, REFUSED),
    ({"a": {"b": 1, "c": 2}, "v": "${oc.dict.keys:a}"}, ["b", "c"]),
    ({"a": {"x": {"k": 1}, "v": "${oc.dict.keys:.x}"}, "x": {"j": 2}, "v": "${a.v}"}, ["k"]),
    ({"a": {"x": {"k": 1}, "v": "${oc.dict.keys:..x}"}, "x": {"j": 2}, "v": "${a.v}"}, ["j"]),
    ({"a": {"x": {"k": 1}, "v": "${oc.dict.keys:x}"}, "x": {"j": 2}, "v": "${a.v}"}, ["j"]),
    ({"a": {"b": 1, "c": {"d": 2}}, "v": "${oc.dict.values:a}"}, [1, {"d": 2}]),
    ({"a": {"b": 1, "c": "${x}"}, "x": 9, "v": "${oc.dict.values:a}"}, [1, 9]),
    ({"a": {"b": 1}, "n": "a", "v": "${oc.dict.values:${n}}"}, [1]),
    ({"a": [1], "v": "${oc.dict.keys:a}"}, REFUSED),
    ({"v": "${oc.dict.keys:nope}"}, REFUSED),
    ({"a": "???", "v": "${oc.dict.values:a}"}, REFUSED),
    ({"a": {"b": 1}, "v": "${oc.dict.keys:1}"}, REFUSED),
    ({"new": 5, "v": "${oc.deprecated:new}"}, 5),
    ({"new": {"a": 1}, "v": "${oc.deprecated:new}"}, {"a": 1}),
    ({"v": "${oc.deprecated:nope}"}, REFUSED),
    ({"new": 5, "v": "${oc.deprecated:1}"}, REFUSED),
]

# Rows where this project reads more than OmegaConf does (README, "Behaviour fixed here"):
# OmegaConf refuses them; we give the value shown.
WE_READ_MORE = [
    ({"v": "${test:a=b}"}, "a=b"),
    ({"v": "${test:é}"}, "é"),
    ({"v": "${test:\\#}"}, "\\#"),
    ({"v": "${test:(x)}"}, "(x)"),
    ({"v": "${test:~}"}, None),
    ({"v": "${test:{'a': 1}}"}, {"a": 1}),
    ({"opts": [5, 6], "k": 1, "v": "${opts[${k}]}"}, 6),
    ({"d": {0: "zero"}, "v": "${d[0]}"}, "zero"),
    ({"list": [0, 1, 2], "v": "${list[ 1 ]}"}, 1),
    ({"list": [0, 1, 2], "v": "${list[-1]}"}, 2),
]


def _rows(table: list[tuple[dict[str, Any], Any]]) -> list[Any]:
    return [pytest.param(data, expected, id=str(data["v"])) for data, expected in table]


@pytest.mark.parametrize(("data", "expected"), _rows(NESTED_KEYS))
def test_interpolations_in_keys_and_resolver_names(data: dict[str, Any], expected: Any) -> None:
    check(data, expected)


@pytest.mark.parametrize(("data", "expected"), _rows(LITERALS))
def test_list_and_dict_literals_as_arguments(data: dict[str, Any], expected: Any) -> None:
    check(data, expected)


@pytest.mark.parametrize(("data", "expected"), _rows(WHITESPACE))
def test_whitespace_around_the_colon(data: dict[str, Any], expected: Any) -> None:
    check(data, expected)


@pytest.mark.parametrize(("data", "expected"), _rows(KEYS))
def test_keys_and_indices(data: dict[str, Any], expected: Any) -> None:
    check(data, expected)


@pytest.mark.parametrize(("data", "expected"), _rows(BUILT_INS))
def test_omegaconf_built_in_resolvers(data: dict[str, Any], expected: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # oc.deprecated's, checked below
        check(data, expected)


@pytest.mark.parametrize(("data", "expected"), _rows(WE_READ_MORE))
def test_what_we_read_and_omegaconf_refuses(data: dict[str, Any], expected: Any) -> None:
    assert omegaconf_reads(data) == REFUSED
    assert we_read(data) == expected


def test_a_resolver_result_reads_back_as_a_node() -> None:
    """OmegaConf hands back the resolver's own list; we give a node of it (README)."""
    assert OmegaConf.create({"v": "${test:[1, 2]}"}).v == [1, 2]
    node = Config({"v": "${test:[1, 2]}"}).v
    assert isinstance(node, Config)
    assert node.to_dict() == [1, 2]


def test_deprecated_warns_with_both_keys() -> None:
    data = {"m": {"new": 5, "old": "${oc.deprecated:m.new,'$OLD_KEY moved to $NEW_KEY'}"}}
    with pytest.warns(UserWarning) as theirs:
        assert OmegaConf.create(data).m.old == 5
    with pytest.warns(UserWarning) as ours:
        assert Config(data).m.old == 5
    assert str(ours[0].message) == str(theirs[0].message) == "m.old moved to m.new"
    default = {"new": 1, "old": "${oc.deprecated:new}"}
    with pytest.warns(UserWarning) as theirs:
        _ = OmegaConf.create(default).old
    with pytest.warns(UserWarning) as ours:
        _ = Config(default).old
    assert str(ours[0].message) == str(theirs[0].message)


def test_dict_values_follow_later_changes() -> None:
    """oc.dict.values refers to the values (OmegaConf makes interpolations of them)."""
    cfg = Config({"a": {"b": 1}, "v": "${oc.dict.values:a}"})
    cfg.a.b = 2
    assert cfg.v.to_dict() == [2]


def test_malformed_literals_name_node_file_line_and_column() -> None:
    cfg = Config.from_yaml("x: 1\nv: ${test:[1, 2}\n", file="conf.yaml")
    with pytest.raises(InterpolationError) as caught:
        _ = cfg.v
    error = caught.value
    assert error.path == "v"
    assert error.source == "conf.yaml:2"
    assert "(column 13)" in str(error)
    assert "expected ',' or ']'" in str(error)


def test_a_key_that_gives_no_text_names_the_node() -> None:
    cfg = Config.from_yaml("x: {a: 1}\nk: [1]\nv: ${x.${k}}\n", file="conf.yaml")
    with pytest.raises(InterpolationError, match="must give text") as caught:
        _ = cfg.v
    assert (caught.value.path, caught.value.source) == ("v", "conf.yaml:3")


# -- 5. use_cache with _parent_ / _root_, 8. non-callables: refused at registration -------------


def _takes_parent(_parent_: Any) -> Any:
    return _parent_


def _takes_root(_root_: Any) -> Any:
    return _root_


@pytest.mark.parametrize(("context", "fn"), [("_parent_", _takes_parent), ("_root_", _takes_root)])
def test_use_cache_with_context_arguments_is_refused(context: str, fn: Any) -> None:
    with pytest.raises(ValueError, match="use_cache=True is incompatible"):
        OmegaConf.register_new_resolver("px", fn, use_cache=True)
    with pytest.raises(ConfigError, match="use_cache=True") as caught:
        register_resolver("px", fn, use_cache=True)
    assert context in str(caught.value)


def test_a_parent_resolver_without_cache_sees_each_place() -> None:
    register_resolver("px", lambda _parent_: _parent_.x)
    cfg = Config({"a": {"x": 1, "v": "${px:}"}, "b": {"x": 2, "v": "${px:}"}})
    assert (cfg.a.v, cfg.b.v) == (1, 2)


@pytest.mark.parametrize("not_callable", [0, "f", None, [len]])
def test_a_resolver_must_be_callable(not_callable: Any) -> None:
    with pytest.raises(TypeError):
        OmegaConf.register_new_resolver("bad", not_callable)
    with pytest.raises(ConfigError, match="must be a function"):
        register_resolver("bad", not_callable)


# -- 7. long reference chains: a ConfigError, never a RecursionError ---------------------------


@pytest.mark.parametrize("links", [7_000, 25_000])
def test_a_long_chain_is_an_interpolation_error(links: int) -> None:
    data: dict[str, Any] = {f"a{i}": f"${{a{i + 1}}}" for i in range(links)}
    data[f"a{links}"] = 1
    data["t"] = {"_target_": "builtins.dict", "x": "${a0}"}
    with pytest.raises(InterpolationError, match="recursion limit") as caught:
        instantiate(data)
    assert caught.value.path
    with pytest.raises(InterpolationError, match="recursion limit"):
        _ = Config(data).t.x


def test_a_cached_resolver_list_reads_back_as_a_node_every_time() -> None:
    register_resolver("pair", lambda x: [x, x], use_cache=True)
    cfg = Config({"a": "${pair:1}", "b": "${pair:1}"})
    assert isinstance(cfg.a, Config) and isinstance(cfg.b, Config)
    assert cfg.to_dict() == {"a": [1, 1], "b": [1, 1]}


def test_a_value_oc_decode_cannot_read_points_at_its_column() -> None:
    cfg = Config.from_yaml("s: '[1, 2'\nv: ${oc.decode:${s}}\n", file="conf.yaml")
    with pytest.raises(InterpolationError) as caught:
        _ = cfg.v
    assert (caught.value.path, caught.value.source) == ("v", "conf.yaml:2")
    assert "${oc.decode:${s}}: oc.decode cannot read the value '[1, 2':" in str(caught.value)
    assert "never closed with ']' (column 6)" in str(caught.value)
