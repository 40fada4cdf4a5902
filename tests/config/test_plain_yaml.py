"""The run record's YAML writer: plain data out, the same data back in, by PyYAML and our loader."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from strategies import TRICKY_TEXT, config_data

from instantiate import Config
from instantiate._config.loading import parse_yaml
from instantiate._config.plain_yaml import dump_plain

AWKWARD = [*TRICKY_TEXT, "y", "n", "Y", "~", "null", "NULL", "Null", "<<", "=", "a: b", "a:", "#x", "a #b",
           "- x", "? x", "! x", "&a", "*a", "%x", "@x", "`x", "|", ">", "a\tb", "\x00", "\x1b", "\ud7ff",
           "\U0001f600", "é", "2024-01-01T00:00:00Z", "0.", "+1", "-", "-.inf", ".NaN", "1,2", "[a]",
           "{a: 1}", "a" * 2000, "line\r\nbreak", "  lead", "trail  ", "$<a:b, c>",
           "${oc.env:HOME,/tmp}", "0.1,0.01,0.001", "12k", "3abc", "1 a", "7-zip", "1e3", "2024-01-01T00:00",
           "1:2:3", "0b12", "1.5.6", "100%"]  # fmt: skip


def plain(value: Any) -> Any:
    """``value`` with marked containers as plain dicts and lists (what equality should compare)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@given(config_data)
def test_pyyaml_and_our_loader_read_back_what_was_written(data: Any) -> None:
    text = dump_plain(data)
    assert text is not None
    assert yaml.safe_load(text) == data
    assert plain(parse_yaml(text, "x.yaml")) == data


KEYS = [text for text in AWKWARD if len(text) < 1000]  # a longer key is no simple key: PyYAML writes it


@given(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(AWKWARD), max_size=6))
def test_awkward_strings_keep_their_text(data: dict[str, str]) -> None:
    text = dump_plain({"outer": data, "items": list(data)})
    assert text is not None
    assert yaml.safe_load(text) == {"outer": data, "items": list(data)}
    assert plain(parse_yaml(text, "x.yaml")) == {"outer": data, "items": list(data)}


@pytest.mark.parametrize("text", KEYS)
def test_each_awkward_string_reads_back_the_same(text: str) -> None:
    written = dump_plain({text: [text, {text: text}]})
    assert written is not None
    assert yaml.safe_load(written) == {text: [text, {text: text}]}
    assert plain(parse_yaml(written, "x.yaml")) == {text: [text, {text: text}]}


@pytest.mark.parametrize("number", [0.1, 1e-05, 1e16, -2.5e-10, math.inf, -math.inf, 3.0, 0.0, -0.0])
def test_floats_stay_floats(number: float) -> None:
    written = dump_plain({"x": number})
    assert written is not None
    back = yaml.safe_load(written)["x"]
    assert type(back) is float and back == number and math.copysign(1, back) == math.copysign(1, number)
    assert parse_yaml(written, "x.yaml")["x"] == number


def test_nan_stays_nan() -> None:
    written = dump_plain({"x": math.nan})
    assert written is not None and math.isnan(yaml.safe_load(written)["x"])


SAMPLE = {
    "_target_": "torch.nn.Sequential",
    "name": "resnet",
    "lr": 0.001,
    "epochs": 10,
    "flags": [True, False, None],
    "_args_": [{"_target_": "torch.nn.Linear", "in_features": "$<data.features>", "out_features": 64}],
    "nested": {"deeper": {"list": [1, [2, 3], {}], "empty": []}, "path": "/tmp/run dir/x.yaml"},
    "interpolated": "${oc.env:HOME}/runs/${now:%Y-%m-%d}",
    "empty": {},
    "sweep": "0.1,0.01,0.001",
    "size": "12k",
}


def test_the_layout_is_pyyamls_where_both_write_plain() -> None:
    assert dump_plain(SAMPLE) == Config(SAMPLE).to_yaml()


def test_not_plain_data_is_left_to_pyyaml() -> None:
    assert dump_plain({1: "int key"}) is None
    assert dump_plain({"a" * 2000: 1}) is None
    assert dump_plain({"x": (1, 2)}) is None
    assert dump_plain({"x": b"bytes"}) is None
    assert dump_plain({"x": "\udc80"}) is None  # a lone surrogate, as an undecodable argv byte gives
    assert dump_plain("scalar") is None


@pytest.mark.parametrize("data", [{}, [], {"a": {}}, {"a": []}, [[]], [{}], [[1, 2], [3]]])
def test_empty_and_nested_collections(data: Any) -> None:
    written = dump_plain(data)
    assert written == yaml.safe_dump(data, default_flow_style=False, sort_keys=False)
