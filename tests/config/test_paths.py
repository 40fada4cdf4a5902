"""Config paths (SPEC 1: ``node.path`` like ``model.layers[1]``; SPEC 3: the path part of ``$<...>``)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import identifiers

from instantiate import InterpolationError
from instantiate._config.paths import format_path, link_keys, parse_key_path, parse_path, path_of


@pytest.mark.parametrize(
    ("keys", "text"),
    [
        ([], ""),
        (["model"], "model"),
        (["model", "layers", 1], "model.layers[1]"),
        (["model", "layers", 1, "in_features"], "model.layers[1].in_features"),
        ([0], "[0]"),
        ([0, "a", 2, 3], "[0].a[2][3]"),
        (["a", True], "a.True"),  # a bool key is a key, not an index
    ],
)
def test_format_path(keys: list[Any], text: str) -> None:
    assert format_path(keys) == text


@pytest.mark.parametrize(
    ("text", "up", "keys"),
    [
        ("a", -1, ("a",)),
        ("a.b[0].c", -1, ("a", "b", 0, "c")),
        ("[0]", -1, (0,)),
        ("a[-1]", -1, ("a", -1)),
        ("a[ 2 ]", -1, ("a", 2)),
        ("a['b.c']", -1, ("a", "b.c")),
        ('a["x y"]', -1, ("a", "x y")),
        ("a[key]", -1, ("a", "key")),
        ("a[0][1]", -1, ("a", 0, 1)),
        (".x", 0, ("x",)),
        ("..x", 1, ("x",)),
        ("...x", 2, ("x",)),
        ("..[0].out_features", 1, (0, "out_features")),
        (".", 0, ()),
        ("..", 1, ()),
        ("my-key/with+chars", -1, ("my-key/with+chars",)),
        ("ünï.cödé", -1, ("ünï", "cödé")),
        ("", -1, ()),
    ],
)
def test_parse_path(text: str, up: int, keys: tuple[Any, ...]) -> None:
    assert parse_path(text) == (up, keys)


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("a.", 3, "a key must follow '.'"),
        ("a..b", 3, "a key must follow '.'"),
        ("a[0", 2, "'[' is never closed"),
        ("a[]", 2, "is not an index"),
        ("a[b c]", 2, "is not an index"),
        ("a b", 2, "unexpected ' '"),
        ("a.b]", 4, "unexpected ']'"),
        ("a:b", 2, "unexpected ':'"),
    ],
)
def test_malformed_paths_point_at_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        parse_path(text)
    message = str(caught.value)
    assert words in message
    assert f"(column {column})" in message
    assert repr(text) in message
    assert message.endswith(f"    {text}\n    {' ' * (column - 1)}^")


def test_parse_key_path_stops_at_the_first_character_that_ends_a_path() -> None:
    text = "$<a.b[1]:rest>"
    assert parse_key_path(text, 2) == (-1, ("a", "b", 1), 8)
    assert parse_key_path("..x>", 0) == (1, ("x",), 3)


def test_links_give_keys_and_paths_from_the_root() -> None:
    root: Any = {"model": {"layers": [{"k": 1}]}}
    root_link = (root, None, None)
    model = (root["model"], "model", root_link)
    layers = (root["model"]["layers"], "layers", model)
    item = (root["model"]["layers"][0], 0, layers)
    assert link_keys(root_link) == []
    assert link_keys(item) == ["model", "layers", 0]
    assert path_of(root_link) == ""
    assert path_of(item) == "model.layers[0]"
    assert path_of(item, "k") == "model.layers[0].k"
    assert path_of(None, "x") == "x"


path_keys = st.lists(st.one_of(identifiers, st.integers(min_value=0, max_value=10**6)), max_size=6)


@given(path_keys)
def test_format_then_parse_gives_the_keys_back(keys: list[Any]) -> None:
    assert parse_path(format_path(keys)) == (-1, tuple(keys))


@given(st.text())
def test_parse_path_raises_only_interpolation_errors(text: str) -> None:
    with contextlib.suppress(InterpolationError):
        parse_path(text)
