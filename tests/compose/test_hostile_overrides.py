"""Hostile overrides: integers of any length and absurd ranges are refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from trees import write_tree

from instantiate import ConfigError, OverrideError, compose
from instantiate._compose.overrides import parse_override
from instantiate._compose.sweep_values import ABSURD_VALUES, Sweep


@pytest.mark.parametrize("digits", ["9" * 5000, "-" + "9" * 4400])
def test_a_huge_integer_in_an_override_is_an_override_error(digits: str) -> None:
    with pytest.raises(OverrideError, match="too long to read") as info:
        parse_override(f"a.b={digits}")
    assert info.value.path == "a.b"
    assert parse_override(f"a.b='{digits}'").value == digits  # quoted, it is text
    assert parse_override(f"a.b={'7' * 4300}").value == int("7" * 4300)


def test_compose_reports_a_huge_integer_in_a_file_or_an_override(tmp_path: Path) -> None:
    conf = write_tree(tmp_path / "conf", {"train.yaml": f"a: 1\nb: {'9' * 5000}\n", "ok.yaml": "a: 1\n"})
    with pytest.raises(ConfigError, match="too long to read") as info:
        compose("train", config_dir=str(conf))
    assert info.value.source == f"{conf / 'train.yaml'}:2"
    with pytest.raises(OverrideError, match="too long to read"):
        compose("ok", overrides=[f"a={'9' * 5000}"], config_dir=str(conf))


@pytest.mark.parametrize(
    "text",
    ["x=range(0,1e300,1e-300)", "x=range(0,1e18)", "x=range(1e9)", f"x=range(0,{ABSURD_VALUES + 1})"],
)
def test_an_absurd_range_is_refused_where_it_is_written(text: str) -> None:
    with pytest.raises(OverrideError, match="more than any sweep can run") as info:
        parse_override(text)
    assert "column" in str(info.value)


def test_a_range_is_counted_without_being_listed() -> None:
    assert Sweep("range", start=0, stop=10**7, step=1).size() == 10**7
    assert Sweep("range", start=0, stop=1, step=0.1).size() == len(
        Sweep("range", start=0, stop=1, step=0.1).expand()
    )
    assert Sweep("range", start=5, stop=0, step=-2).size() == len(list(range(5, 0, -2)))
    assert Sweep("range", start=0, stop=1e300, step=1e-300).size() == 10**600
    with pytest.raises(OverrideError, match="more than the 100 a sweep may have"):
        Sweep("range", start=0, stop=101, step=1).expand(limit=100)
