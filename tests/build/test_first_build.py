"""The first build's shortcuts give what the general walk gives, and keep nothing they need not.

A reference to a plain scalar is read by ``Evaluator.plain`` (one short loop); anything else
falls back to the general lookup. A reference met for the first time is not kept in the parse
cache. These tests build each config once (the first build, no plan) and compare with what
reading the same values through ``Config`` (the general lookup) gives, or with the error the
general path raises.
"""

from __future__ import annotations

from typing import Any

import pytest

from instantiate import Config, ConfigError, InterpolationError, MissingValueError, instantiate
from instantiate._config import grammar

DATA: dict[str, Any] = {
    "settings": {"width": 64, "lr": 0.5, "on": True, "off": None, "name": "wide", "layers": [3, 4, {"k": 7}]},
    "chain": "$<settings.width>",
    "text": "not a reference",
}
REFERENCES = [
    "$<settings.width>",
    "${settings.lr}",
    "$<settings.on>",
    "$<settings.off>",
    "$<settings.name>",
    "$<settings.layers[1]>",
    "$<settings.layers[-1].k>",
    "$<settings.layers.0>",  # OmegaConf's dotted index: the general lookup's step aside
    "$<chain>",  # a reference to a reference
    "$<text>",
    "$<.sibling>",
    "$<..settings.width>",
]


def node_with(value: Any) -> dict[str, Any]:
    return {**DATA, "node": {"_target_": "builtins.dict", "value": value, "sibling": 11}}


@pytest.mark.parametrize("ref", REFERENCES)
def test_a_reference_builds_to_what_reading_it_gives(ref: str) -> None:
    grammar.forget()
    built = instantiate(Config(node_with(ref)))["node"]["value"]
    grammar.forget()
    read = Config(node_with(ref)).node.value
    assert built == read and type(built) is type(read)


@pytest.mark.parametrize(
    ("ref", "error", "words"),
    [
        ("$<text[0]>", InterpolationError, "text is a str ('not a reference'), so it has no key 0"),
        ("$<settings.nope>", InterpolationError, "settings has no key 'nope'"),
        ("$<settings.layers[9]>", InterpolationError, "has 3 items, so there is no item [9]"),
        ("$<gone>", MissingValueError, "mandatory value"),
        ("$<...settings>", InterpolationError, "above the root"),
    ],
)
def test_a_reference_the_shortcut_cannot_read_fails_as_the_general_lookup_does(
    ref: str, error: type[ConfigError], words: str
) -> None:
    data = node_with(ref) | {"gone": "???"}
    for _ in range(2):  # first sight (not parsed into the cache), then from the cache
        with pytest.raises(error) as caught:
            instantiate(Config(data))
        assert words in str(caught.value)
        assert caught.value.path == "node.value"


def test_call_time_arguments_are_seen_by_references() -> None:
    cfg = Config(node_with("$<.sibling>"))
    assert instantiate(cfg.node)["value"] == 11
    assert instantiate(cfg.node, sibling=12)["value"] == 12  # the overlay: the general path
    assert instantiate(cfg.node)["value"] == 11


def test_a_reference_met_once_is_not_kept_and_one_met_again_is() -> None:
    grammar.forget()
    layers = [{"_target_": "builtins.dict", "size": 2, "prev": "$<..[0].size>"}]
    layers += [
        {"_target_": "builtins.dict", "size": i, "prev": f"$<..[{i - 1}].size>"} for i in range(1, 1_000)
    ]
    built = instantiate(Config({"layers": layers, "a": "$<layers[0].size>", "b": "$<layers[0].size>"}))
    assert [item["prev"] for item in built["layers"][1:4]] == [2, 1, 2]
    assert "$<..[5].size>" not in grammar.parsed  # met once: read, not kept
    assert "$<layers[0].size>" in grammar.parsed  # met twice: parsed and kept
    assert len(grammar.parsed) < 10
