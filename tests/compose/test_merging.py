"""Merging: OmegaConf's results, every entry's file:line kept, sources untouched, schemas enforced."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from instantiate import ConfigError, ValidationError
from instantiate._compose.merging import Merger, embed, mark
from instantiate._compose.store import structured_data
from instantiate._config.loading import parse_yaml
from instantiate._config.nodes import to_data
from instantiate._config.provenance import source_of


def merged(*texts: str) -> Any:
    root = parse_yaml("{}", "<root>")
    merger = Merger()
    for index, text in enumerate(texts):
        merger.merge(root, parse_yaml(text, f"f{index}.yaml"))
    return root


def omegaconf_merge(*values: Any) -> Any:
    return OmegaConf.to_container(OmegaConf.merge(*(OmegaConf.create(v) for v in values)), resolve=False)


@pytest.mark.parametrize(
    "pair",
    [
        ({"a": 1}, {"a": "???"}),  # ??? never unsets a value
        ({"a": {"b": 1}}, {"a": "???"}),
        ({"a": "???"}, {"a": {"b": 1}}),
        ({"a": {"b": 1}}, {"a": 1}),  # a scalar replaces a mapping
        ({"a": 1}, {"a": {"b": 1}}),
        ({"a": {"b": 1}}, {"a": None}),
        ({"a": None}, {"a": {"b": 1}}),
        ({"a": [1, 2]}, {"a": [3]}),  # lists replace
        ({"a": {"b": 1}}, {"a": "${x}"}),
        ({"a": {"b": 1, "c": {"d": [1]}}}, {"a": {"c": {"e": 2}, "f": 3}}),
        ({"a": 1, "b": 2}, {"b": 3, "c": 4}),  # key order: old keys first, new ones after
        ({"a": {"b": 1}}, {"a": {}}),
        ({"a": 1}, {"a": [1]}),
        ({"a": [1]}, {"a": 1}),
    ],
)
def test_merges_like_omegaconf(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    root = {}
    merger = Merger()
    for value in pair:
        merger.merge(root, mark(to_data(value), "<test>"))
    assert root == omegaconf_merge(*pair)
    assert list(root) == list(omegaconf_merge(*pair))


KEYS = st.sampled_from(["a", "b", "c", "d"])
# No interpolations here: OmegaConf resolves one when ??? is merged over it (see the next test).
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["x", "???", ""]))
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(KEYS, TREES, max_size=4), min_size=2, max_size=3))
def test_agrees_with_omegaconf_on_random_trees(values: list[dict[str, Any]]) -> None:
    try:
        expected: Any = omegaconf_merge(*values)
    except OmegaConfBaseException:
        expected = ConfigError
    root: dict[str, Any] = {}
    merger = Merger()
    originals = copy.deepcopy(values)
    marked = [mark(v, f"<value {i}>") for i, v in enumerate(values)]
    try:
        for value in marked:
            merger.merge(root, value)
    except ConfigError:
        assert expected is ConfigError
        return
    assert root == expected
    assert [to_data(v) for v in marked] == originals  # the sources are never changed


def test_missing_merged_over_an_interpolation_keeps_the_interpolation() -> None:
    """A deliberate difference: OmegaConf replaces ${a} by a's value at merge time."""
    values = [{"a": None, "d": {"a": "${a}"}}, {"a": [], "d": {"a": "???"}}]
    root: dict[str, Any] = {}
    merger = Merger()
    for i, value in enumerate(values):
        merger.merge(root, mark(value, f"<value {i}>"))
    assert root == {"a": [], "d": {"a": "${a}"}}
    assert omegaconf_merge(*values) == {"a": [], "d": {"a": []}}


def test_every_entry_remembers_its_file_and_line() -> None:
    root = merged("db:\n  host: a\n  port: 1\nlist: [1, 2]\n", "db:\n  port: 2\n  user: me\n")
    assert source_of(root, "db") == "f0.yaml:1"  # a merged mapping keeps where it began
    assert source_of(root["db"], "host") == "f0.yaml:2"
    assert source_of(root["db"], "port") == "f1.yaml:2"
    assert source_of(root["db"], "user") == "f1.yaml:3"
    assert source_of(root["list"], 1) == "f0.yaml:4"  # a copied list keeps its own lines


def test_merging_never_changes_the_source() -> None:
    source = parse_yaml("a:\n  b: [1, {c: 2}]\n", "s.yaml")
    before = copy.deepcopy(to_data(source))
    root: dict[str, Any] = {}
    Merger().merge(root, source)
    root["a"]["b"][1]["c"] = 99
    root["a"]["b"].append(3)
    assert to_data(source) == before


def test_mixing_a_list_and_a_mapping_is_an_error_naming_both_places() -> None:
    with pytest.raises(ConfigError) as info:
        merged("a:\n  b: 1\n", "x: 0\na: [1]\n")
    assert info.value.message == "cannot merge a list into a mapping"
    assert (info.value.path, info.value.source) == ("a", "f1.yaml:2")
    assert "f0.yaml:1" in info.value.hint


def test_embed_nests_under_a_package() -> None:
    data = parse_yaml("x: 1\n", "db/a.yaml")
    wrapped = embed(data, "db.primary", "db/a.yaml:1")
    assert to_data(wrapped) == {"db": {"primary": {"x": 1}}}
    assert source_of(wrapped, "db") == "db/a.yaml:1"
    assert embed(data, "", "db/a.yaml:1") is data


@dataclass
class Optim:
    lr: float = 0.01
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])


@dataclass
class Data:
    path: str = "???"
    classes: int = 10
    extras: dict[str, int] = field(default_factory=dict)
    optim: Optional[Optim] = None  # noqa: UP045 - OmegaConf 2.3 reads these too


def line_of(text: str) -> int:
    with open(__file__, encoding="utf-8") as file:
        return next(number for number, line in enumerate(file, start=1) if text in line)


def typed(cls: type) -> tuple[Merger, Any]:
    merger = Merger()
    root = structured_data(cls)
    merger.adopt(root, cls)
    return merger, root


def test_a_typed_mapping_checks_and_converts_what_is_merged() -> None:
    merger, root = typed(Data)
    merger.merge(root, parse_yaml("classes: '3'\nextras: {a: '2'}\noptim: {lr: 1}\n", "over.yaml"))
    expected = OmegaConf.to_container(
        OmegaConf.merge(
            OmegaConf.structured(Data), {"classes": "3", "extras": {"a": "2"}, "optim": {"lr": 1}}
        )
    )
    assert (
        to_data(root)
        == expected
        == {"path": "???", "classes": 3, "extras": {"a": 2}, "optim": {"lr": 1.0, "betas": [0.9, 0.999]}}
    )
    assert source_of(root, "classes") == "over.yaml:1"
    assert source_of(root["optim"], "lr") == "over.yaml:3"
    assert source_of(root["optim"], "betas") == f"{__file__}:{line_of('betas: list[float]')}"  # the field


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("classes: 0.5\n", "classes", ["expected an int, got 0.5 (a float)"]),
        ("clases: 5\n", "clases", ["'clases' is not a field of Data. Did you mean 'classes'?"]),
        ("extras: {a: x}\n", "extras.a", ["expected an int, got 'x' (a str)"]),
        ("optim: {lr: fast}\n", "optim.lr", ["expected a float, got 'fast' (a str)"]),
        ("optim: {betas: [1, x]}\n", "optim.betas[1]", ["expected a float, got 'x' (a str)"]),
        ("optim: {nope: 1}\n", "optim.nope", ["'nope' is not a field of Optim"]),
        ("classes: null\n", "classes", ["expected an int, got null", "not Optional"]),
        ("optim: 5\n", "optim", ["expected a mapping for Optim, or null, got 5 (an int)"]),
        ("extras: [1]\n", "extras", ["expected a mapping of str to int, got [1]"]),
    ],
)
def test_typed_errors_name_path_and_file_line(text: str, path: str, words: list[str]) -> None:
    merger, root = typed(Data)
    with pytest.raises(ValidationError) as info:
        merger.merge(root, parse_yaml(text, "conf/data.yaml"))
    for word in words:
        assert word in str(info.value)
    assert (info.value.path, info.value.source) == (path, "conf/data.yaml:1")


def test_merging_a_typed_node_types_an_untyped_one() -> None:
    merger = Merger()
    root = parse_yaml("keep: 1\n", "a.yaml")
    stored = structured_data(Optim)
    merger.adopt(stored, Optim)
    merger.merge(root, stored)
    assert to_data(root) == {"keep": 1, "lr": 0.01, "betas": [0.9, 0.999]}
    with pytest.raises(ValidationError):
        merger.merge(root, parse_yaml("extra: 1\n", "b.yaml"))


def test_assign_with_adding_allows_keys_a_schema_lacks() -> None:
    merger, root = typed(Data)
    merger.assign(root, "new", {"x": 1}, "new", "<override '+new={x: 1}'>", adding=True)
    assert root["new"] == {"x": 1}
    assert source_of(root["new"], "x") == "<override '+new={x: 1}'>"
    with pytest.raises(ValidationError):
        merger.assign(root, "other", 1, "other", "<override 'other=1'>")


def test_reserved_root_keys_are_outside_a_root_schema() -> None:
    merger, root = typed(Data)
    merger.merge(root, parse_yaml("hydra: {run: {dir: x}}\n_run_: {launcher: basic}\n", "p.yaml"))
    assert root["hydra"] == {"run": {"dir": "x"}} and root["_run_"] == {"launcher": "basic"}


def test_dataclass_fields_are_what_structured_data_reads() -> None:
    assert [f.name for f in dataclasses.fields(Data)] == list(structured_data(Data))
