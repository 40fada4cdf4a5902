"""SPEC 3: evaluating interpolations: references, resolver calls, select, cycles, errors."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from instantiate import (
    Config,
    CycleError,
    InterpolationError,
    MissingValueError,
    load,
    register_resolver,
)
from instantiate._config.grammar import parse


def from_file(tmp_path: Path, text: str) -> tuple[Config, Path]:
    file = tmp_path / "conf.yaml"
    file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return load(file), file


def read_error(cfg: Config, path: str, cls: type[Exception] = InterpolationError) -> Any:
    with pytest.raises(cls) as caught:
        cfg.select(path)
    return caught.value


# -- references --------------------------------------------------------------------------------


def test_absolute_references_keep_the_type_of_what_they_point_at() -> None:
    cfg = Config.from_yaml(
        """
        data: {features: 784, scale: 0.5, flag: false, none: null, name: mnist}
        layers: [{width: 64}, {width: 32}]
        i: $<data.features>
        f: $<data.scale>
        b: $<data.flag>
        n: $<data.none>
        s: $<data.name>
        w: $<layers[1].width>
        last: $<layers[-1].width>
        node: $<data>
        items: $<layers>
        """
    )
    assert cfg.i == 784 and type(cfg.i) is int
    assert cfg.f == 0.5 and type(cfg.f) is float
    assert cfg.b is False
    assert cfg.n is None
    assert cfg.s == "mnist"
    assert cfg.w == 32
    assert cfg.last == 32
    assert isinstance(cfg.node, Config)  # a node stays a node
    assert cfg.node.features == 784
    assert cfg.node.path == "data"  # it is the very node it points at
    assert isinstance(cfg["items"], Config)
    assert cfg["items"][0].width == 64


def test_text_around_interpolations_makes_a_string() -> None:
    cfg = Config.from_yaml(
        """
        lr: 0.1
        n: 3
        yes_: true
        none: null
        m: {x: 1}
        tag: lr=$<lr>,n=$<n>
        flags: $<yes_>/$<none>
        both: $<n>$<n>
        node: 'm=$<m>'
        padded: ' $<n>'
        """
    )
    assert cfg.tag == "lr=0.1,n=3"
    assert cfg.flags == "True/None"
    assert cfg.both == "33"
    assert cfg.node == "m={'x': 1}"
    assert cfg.padded == " 3"


def test_dollar_braces_and_dollar_angles_are_interchangeable() -> None:
    cfg = Config.from_yaml(
        """
        a: {b: [10, 20]}
        angles: $<a.b[1]>
        braces: ${a.b[1]}
        mixed: ${a.b[0]}+$<a.b[1]>
        nested: $<oc.select:${a.b[0]}_missing,$<a.b[1]>>
        """
    )
    assert cfg.angles == cfg.braces == 20
    assert cfg.mixed == "10+20"
    assert cfg.nested == 20


def test_dotted_digits_index_a_list_as_in_omegaconf() -> None:
    cfg = Config.from_yaml("layers: [{size: 1}, {size: 2}]\nb: ${layers.1.size}\nc: $<layers.0>\n")
    assert cfg.b == 2
    assert cfg.c.size == 1


def test_references_follow_chains_and_go_through_referenced_nodes() -> None:
    cfg = Config.from_yaml("a: $<b>\nb: $<c>\nc: 3\nm: {x: 1}\nalias: $<m>\nx: $<alias.x>\n")
    assert cfg.a == 3
    assert cfg.x == 1


def test_relative_references() -> None:
    cfg = Config.from_yaml(
        """
        top: 1
        model:
          width: 8
          same: $<.width>
          up: $<..top>
          block:
            own: $<.peer>
            peer: p
            parent: $<..width>
            grand: $<...top>
          list:
            - 5
            - $<.[0]>
        """
    )
    assert cfg.model.same == 8
    assert cfg.model.up == 1
    assert cfg.model.block.own == "p"
    assert cfg.model.block.parent == 8
    assert cfg.model.block.grand == 1
    assert cfg.model.list[1] == 5


def test_the_canonical_sequential_example() -> None:
    """SPEC 4.1: $<..[0].out_features> is item 0 of the parent sequence, then its key."""
    cfg = Config.from_yaml(
        """
        data: {features: 784, classes: 10}
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
    )
    args = cfg.model._args_
    assert args[0].in_features == 784
    assert args[2].in_features == 64
    assert args[2].out_features == 10
    assert cfg.to_dict()["model"]["_args_"][2] == {
        "_target_": "torch.nn.Linear",
        "in_features": 64,
        "out_features": 10,
    }


def test_a_node_taken_out_keeps_its_root() -> None:
    cfg = Config.from_yaml("data: {features: 3}\nmodel: {inp: $<data.features>, rel: $<..data.features>}\n")
    model = cfg.model
    del cfg  # the node alone must still reach the rest of its config
    assert model.inp == 3
    assert model.rel == 3
    assert model.to_dict() == {"inp": 3, "rel": 3}


def test_escaped_interpolations_are_text() -> None:
    cfg = Config.from_yaml(
        r"""
        a: 1
        angle: \$<a>
        brace: \${a}
        inside: 'cost \$<a> here'
        backslash: '\\$<a>'
        copy: $<angle>
        """
    )
    assert cfg.angle == "$<a>"
    assert cfg.brace == "${a}"
    assert cfg.inside == "cost $<a> here"
    assert cfg.backslash == "\\1"  # an escaped backslash, then a live interpolation
    assert cfg.copy == "$<a>"  # the text a reference yields is not interpreted again


def test_values_are_resolved_on_every_read() -> None:
    cfg = Config({"a": 1, "b": "$<a>"})
    assert cfg.b == 1
    cfg.a = 2
    assert cfg.b == 2


# -- resolver calls ----------------------------------------------------------------------------


def test_resolver_arguments_may_be_references_and_calls() -> None:
    register_resolver("add", lambda a, b: a + b)
    cfg = Config.from_yaml("x: 2\ny: 3\nsum: $<add:$<x>,$<add:$<y>,10>>\ntext: n=$<add:1,1>\n")
    assert cfg.sum == 15
    assert cfg.text == "n=2"


def test_nodes_given_to_or_returned_by_resolvers_export_as_plain_data() -> None:
    register_resolver("wrap", lambda *args: list(args))
    register_resolver("root_model", lambda _root_: _root_.model)
    cfg = Config.from_yaml(
        "model: {w: 2}\nwrapped: $<wrap:$<model>,$<wrap:$<model.w>>>\nback: $<root_model:>\n"
    )
    assert isinstance(cfg.wrapped[0], Config)  # resolvers receive nodes, as OmegaConf's do
    exported = cfg.to_dict()
    assert exported["wrapped"] == [{"w": 2}, [2]]
    assert type(exported["wrapped"][0]) is dict
    assert exported["back"] == {"w": 2}
    assert type(exported["back"]) is dict
    assert "w: 2" in cfg.to_yaml(resolve=True)


def test_strings_a_resolver_returns_are_values_not_interpolations() -> None:
    register_resolver("literal", lambda: {"ref": "$<a>", "todo": "???", "items": ["${a}", 1]})
    cfg = Config({"a": 1, "made": "$<literal:>"})
    assert cfg.made.ref == "$<a>"
    assert cfg.made.todo == "???"
    assert not cfg.made.is_missing("todo")
    assert cfg.made["items"][0] == "${a}"
    assert cfg.to_dict()["made"] == {"ref": "$<a>", "todo": "???", "items": ["${a}", 1]}


def test_quoted_arguments_are_text() -> None:
    register_resolver("show", lambda *args: args)
    cfg = Config.from_yaml("n: 7\nv: \"$<show:'a, b',\\\"1\\\",'$<n>'>\"\n")
    assert cfg.v == ("a, b", "1", "7")


def test_select_reads_a_path_with_an_optional_default() -> None:
    cfg = Config.from_yaml(
        """
        m:
          x: 1
          todo: ???
          rel: $<select:.x>
        which: x
        found: $<select:m.x>
        dynamic: $<select:m.$<which>>
        default: $<oc.select:m.y,5>
        through_scalar: $<oc.select:m.x.deeper,6>
        unset: $<oc.select:m.todo,7>
        none: $<oc.select:m.nothing>
        node: $<select:m>
        text_default: "$<select:m.y,'a,b'>"
        """
    )
    assert cfg.found == 1
    assert cfg.dynamic == 1
    assert cfg.default == 5
    assert cfg.through_scalar == 6
    assert cfg.unset == 7
    assert cfg.none is None  # without a default, a missing path is null (as OmegaConf)
    assert cfg.node.path == "m"
    assert cfg.m.rel == 1
    assert cfg.text_default == "a,b"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        ("$<select:>", "select takes a path and an optional default"),
        ("$<select:a,b,c>", "select takes a path and an optional default"),
    ],
)
def test_select_errors(tmp_path: Path, call: str, words: str) -> None:
    cfg, file = from_file(tmp_path, f"a: 1\nv: {call}\n")
    error = read_error(cfg, "v")
    assert type(error) is InterpolationError
    assert error.path == "v"
    assert error.source == f"{file}:2"
    assert words in str(error)


@pytest.mark.parametrize("path", ["a..b", "a.", "[]", "a b"])
def test_select_of_a_path_that_cannot_exist_gives_the_default_as_omegaconf(path: str) -> None:
    data = {"a": {"b": 1}, "v": f"${{oc.select:'{path}',fallback}}"}
    assert OmegaConf.create(data).v == "fallback"
    assert Config(data).v == "fallback"


# -- $<@...> only while building ---------------------------------------------------------------


def test_built_references_cannot_be_read_outside_instantiate(tmp_path: Path) -> None:
    cfg, file = from_file(
        tmp_path,
        """
        model: {_target_: builtins.dict}
        opt:
          params: $<@model:keys()>
          same: $<@model>
          label: x$<@model>
        """,
    )
    error = read_error(cfg, "opt.params")
    assert error.path == "opt.params"
    assert error.source == f"{file}:3"
    assert "exists only while instantiating" in str(error)
    # exporting leaves them as written: they are not values of the config
    assert cfg.to_dict()["opt"] == {"params": "$<@model:keys()>", "same": "$<@model>", "label": "x$<@model>"}


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "chain", "line"),
    [
        ("self", "self -> self", 1),
        ("a", "a -> b -> a", 2),
        ("b", "b -> a -> b", 3),
        ("c1", "c1 -> c2 -> c3 -> c1", 4),
        ("rel.x", "rel.x -> rel.y -> rel.x", 8),
        ("via_call", "via_call -> via_call", 10),
        ("via_select", "via_select -> via_select", 11),
    ],
)
def test_cycles_name_the_chain(tmp_path: Path, path: str, chain: str, line: int) -> None:
    cfg, file = from_file(
        tmp_path,
        """
        self: $<self>
        a: $<b>
        b: ${a}
        c1: $<c2>
        c2: pre-$<c3>
        c3: $<c1>-post
        rel:
          x: $<.y>
          y: $<..rel.x>
        via_call: $<oc.env:NOPE_INSTANTIATE_TEST,$<via_call>>
        via_select: $<select:via_select>
        """,
    )
    error = read_error(cfg, path, CycleError)
    assert isinstance(error, InterpolationError)
    assert error.path == path
    assert error.source == f"{file}:{line}"
    assert f"interpolation cycle: {chain}" in str(error)


def test_to_dict_of_a_value_that_contains_itself_is_a_cycle() -> None:
    cfg = Config.from_yaml("a:\n  b: $<a>\n  c: $<.>\n")
    assert cfg.a.b.path == "a"  # reading it is fine: it is the node a
    with pytest.raises(CycleError) as caught:
        cfg.to_dict()
    assert caught.value.path == "a.b"
    assert "a.b -> a.b" in str(caught.value)


def test_a_missing_key_names_the_referring_node_and_the_missing_path(tmp_path: Path) -> None:
    cfg, file = from_file(
        tmp_path,
        """
        model:
          lr: 0.1
        opt:
          lr: $<model.lrr>
        """,
    )
    error = read_error(cfg, "opt.lr")
    assert type(error) is InterpolationError
    assert error.path == "opt.lr"
    assert error.source == f"{file}:4"
    message = str(error)
    assert "$<model.lrr> refers to a missing value" in message
    assert "model has no key 'lrr'" in message
    assert "Did you mean 'lr'?" in message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("$<nope>", "the root has no key 'nope'"),
        ("$<m.l[5]>", "m.l has 2 items, so there is no item [5]"),
        ("$<m.l.first>", "m.l has 2 items, so there is no item [first]"),
        ("$<m.f.x>", "m.f is a float (0.5), so it has no key 'x'"),
        ("$<m.s[0]>", "m.s is a str ('text'), so it has no key 0"),
        ("$<m.n.x>", "m.n is null, so it has no key 'x'"),
        ("$<..x>", "goes 1 levels up from <root>, above the root"),
        ("$<.nope>", "the root has no key 'nope'"),
    ],
)
def test_references_that_do_not_resolve(tmp_path: Path, value: str, words: str) -> None:
    cfg, file = from_file(tmp_path, f"m: {{l: [1, 2], f: 0.5, s: text, n: null}}\nv: '{value}'\n")
    error = read_error(cfg, "v")
    assert type(error) is InterpolationError
    assert error.path == "v"
    assert error.source == f"{file}:2"
    assert value in str(error)
    assert words in str(error)
    in_code = read_error(Config(cfg.to_dict(resolve=False)), "v")
    assert (in_code.path, in_code.source) == ("v", None)  # made in code: no file:line


def test_a_reference_to_a_missing_mandatory_value(tmp_path: Path) -> None:
    cfg, file = from_file(
        tmp_path,
        """
        model:
          classes: ???
        head:
          out: $<model.classes>
        """,
    )
    error = read_error(cfg, "head.out", MissingValueError)
    assert error.path == "head.out"
    assert error.source == f"{file}:4"
    assert "$<model.classes> refers to model.classes, a mandatory value (???) that is not set" in str(error)


def test_the_innermost_failing_reference_is_the_one_named(tmp_path: Path) -> None:
    cfg, file = from_file(tmp_path, "a: $<b>\nb: x$<c>\nc: $<nope>\n")
    error = read_error(cfg, "a")
    assert error.path == "c"
    assert error.source == f"{file}:3"
    assert "$<nope>" in str(error)


def test_malformed_interpolation_names_node_line_and_column(tmp_path: Path) -> None:
    cfg, file = from_file(tmp_path, "ok: 1\nmodel:\n  lr: 'lr=$<opt.lr'\n")
    for read in (lambda: cfg.model.lr, cfg.to_dict, lambda: cfg.to_yaml(resolve=True)):
        with pytest.raises(InterpolationError) as caught:
            read()
        error = caught.value
        assert error.path == "model.lr"
        assert error.source == f"{file}:3"
        assert "'$<' opened at column 4 is never closed" in str(error)
        assert "(column 12)" in str(error)


def test_unknown_resolver_is_an_interpolation_error_at_the_node(tmp_path: Path) -> None:
    cfg, file = from_file(tmp_path, "a:\n  b: $<nosuch:1>\n")
    error = read_error(cfg, "a.b")
    assert error.path == "a.b"
    assert error.source == f"{file}:2"
    assert "unknown resolver 'nosuch'" in str(error)


def test_a_long_reference_chain_resolves() -> None:
    n = 1000
    data: dict[str, Any] = {f"a{i}": f"$<a{i + 1}>" for i in range(n)}
    data[f"a{n}"] = "end"
    assert Config(data).a0 == "end"


@pytest.mark.parametrize("parsed_before", [False, True])
def test_a_reference_chain_deeper_than_python_allows_is_an_interpolation_error(parsed_before: bool) -> None:
    n = 10_000
    data: dict[str, Any] = {f"a{i}": f"$<a{i + 1}>" for i in range(n)}
    data[f"a{n}"] = "end"
    if parsed_before:  # then the limit is met in the evaluator's frames, not in the parser's
        for text in data.values():
            parse(text)
    cfg = Config(data)
    for read in (lambda: cfg.a0, cfg.to_dict):
        with pytest.raises(InterpolationError) as caught:
            read()
        # the limit is met while evaluating, or (for strings the parser must read) while parsing
        assert any(
            words in str(caught.value)
            for words in (
                "references lead through more values than Python's recursion limit allows",
                "nest too deeply (or too many references lead here)",
            )
        )
        if parsed_before:
            assert caught.value.path in ("a0", "")


# -- the same results as OmegaConf, for configs written for it ---------------------------------

# Each config is written with ${...}; every row must resolve to exactly what OmegaConf gives.
OMEGACONF_CASES = {
    "absolute": "a: 1\nb: ${a}",
    "nested path": "m: {x: {y: 2}}\nb: ${m.x.y}",
    "index": "l: [10, 20]\nb: ${l[1]}",
    "dotted index": "l: [10, 20]\nb: ${l.1}",
    "mapping node": "m: {x: 1}\nb: ${m}",
    "list node": "l: [1, [2]]\nb: ${l}",
    "embedded": "a: 1\nb: x_${a}",
    "two embedded": "a: 1\nb: 2\nc: ${a}-${b}",
    "embedded types": "f: 0.5\nt: true\nn: null\nc: ${f}/${t}/${n}",
    "embedded nodes": "m: {x: 1}\nl: [1, 2]\nc: 'm=${m} l=${l}'",
    "sibling": "m:\n  x: 1\n  y: ${.x}",
    "parent": "x: 5\nm:\n  y: ${..x}",
    "grandparent": "x: 5\nm:\n  n:\n    y: ${...x}",
    "parent list item": "l:\n  - {v: 3}\n  - w: ${..[0].v}",
    "chain": "a: ${b}\nb: ${c}\nc: 3",
    "through a node": "a: {x: 1}\nb: ${a}\nc: ${b.x}",
    "whitespace": "a: 1\nb: ${ a }",
    "list items": "a: 1\nl:\n  - ${a}\n  - x${a}\n  - 3",
    "env set": "a: ${oc.env:INSTANTIATE_OC_SET}",
    "env default": "a: ${oc.env:INSTANTIATE_OC_UNSET,fallback}",
    "env default number is text": "a: ${oc.env:INSTANTIATE_OC_UNSET,4}",
    "env default null": "a: ${oc.env:INSTANTIATE_OC_UNSET,null}",
    "env nested default": "n: 3\na: ${oc.env:INSTANTIATE_OC_UNSET,${n}}",
    "env quoted default": "a: \"${oc.env:INSTANTIATE_OC_UNSET,'x, y'}\"",
    "env escaped comma": "a: ${oc.env:INSTANTIATE_OC_UNSET,x\\, y}",
    "select": "m: {x: 1}\na: ${oc.select:m.x}",
    "select default": "m: {x: 1}\na: ${oc.select:m.y,7}",
    "select of ???": "m:\n  x: ???\na: ${oc.select:m.x,7}",
    "select without default": "a: ${oc.select:m.y}",
    "select node": "m: {x: 1}\na: ${oc.select:m}",
    "select relative": "m:\n  x: 1\n  y: ${oc.select:.x}",
    "escape": "a: \\${x}",
    "escape in text": "a: 'cost \\${x} here'",
    "escaped backslash": "c: 1\na: '\\\\${c}'",
    "reference to an escape": "a: \\${x}\nb: ${a}",
    "dollar text": "a: cost 5$\nb: $ {x}",
    "??? is kept": "a: ???\nb: 1",
    "1e-3 is a float": "a: 1e-3\nb: 1.5E+3\nc: ${a}",
    "dates stay text": "d: 2024-01-01\ne: ${d}",
    "yes/no are bools": "a: yes\nb: Off\nc: ${a}",
    "merge keys": "base: &b\n  x: 1\n  y: ${base.x}\nc:\n  <<: *b\n  z: 3",
    "anchors": "a: &n {x: 1}\nb: *n",
    "dashes and unicode": "my-key: 1\nключ: 2\na: ${my-key}${ключ}",
}


@pytest.mark.parametrize("text", OMEGACONF_CASES.values(), ids=OMEGACONF_CASES.keys())
def test_resolves_like_omegaconf(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTANTIATE_OC_SET", "hello")
    monkeypatch.delenv("INSTANTIATE_OC_UNSET", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an OmegaConf warning would mean the row is not clean
        theirs = OmegaConf.to_container(OmegaConf.create(text), resolve=True)
    ours = Config.from_yaml(text).to_dict(resolve=True)
    assert ours == theirs
    assert _types(ours) == _types(theirs)


def test_resolver_arguments_type_like_omegaconf() -> None:
    def collect(*args: Any) -> list[Any]:
        return list(args)

    OmegaConf.register_new_resolver("instantiate_test_collect", collect)
    register_resolver("instantiate_test_collect", collect)
    try:
        text = (
            "n: 2\n"
            "a: ${instantiate_test_collect:1,-2,1.5,1e-3,true,null,word,x y,'q',\"1\",-inf,inf}\n"
            "b: ${instantiate_test_collect:x${n}y,'${n}',${n}}\n"
            "c: ${instantiate_test_collect:01234,1_000,0x1,a\\,b,C:\\data}\n"
            "d: ${instantiate_test_collect:'\\${n}','it\\'s'}\n"
        )
        theirs = OmegaConf.to_container(OmegaConf.create(text), resolve=True)
        ours = Config.from_yaml(text).to_dict(resolve=True)
        assert ours == theirs
        assert _types(ours) == _types(theirs)
    finally:
        OmegaConf.clear_resolver("instantiate_test_collect")


def test_deliberate_differences_from_omegaconf() -> None:
    """Forms OmegaConf refuses that SPEC 3's grammar reads (kept here so a change is noticed)."""
    cfg = Config.from_yaml("l: [1, 2]\nm: {'a.b': 3}\nneg: ${l[-1]}\nquoted: ${m['a.b']}\n")
    assert cfg.neg == 2  # negative indexes count from the end, as in Python
    assert cfg.quoted == 3  # ['key'] reaches keys that hold dots
    for text in ("l: [1, 2]\nneg: ${l[-1]}\n", "m: {'a.b': 3}\nq: ${m['a.b']}\n"):
        with pytest.raises(OmegaConfBaseException):
            OmegaConf.to_container(OmegaConf.create(text), resolve=True)


def _types(value: Any) -> Any:
    """The type skeleton of plain data, so 1 and 1.0 and True are told apart."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__
