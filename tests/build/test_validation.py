"""check_value: one value against one annotation, converted like OmegaConf or refused with path and source."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import pytest
from hypothesis import given
from hypothesis import strategies as st
from omegaconf import OmegaConf
from omegaconf.errors import ValidationError as OmegaValidationError

from instantiate import ValidationError
from instantiate._build.validation import (
    check_value,
    child_annotation,
    describe,
    is_unchecked,
    unwrap_optional,
)


class Color(Enum):
    RED = 1
    GREEN = 2


@dataclass
class Point:
    x: int = 0
    y: float = 0.0


class Module:
    pass


@pytest.mark.parametrize(
    ("value", "annotation", "expected"),
    [
        ("3", int, 3),
        (" -4 ", int, -4),
        (3, float, 3.0),
        ("1e3", float, 1000.0),
        ("yes", bool, True),
        ("Off", bool, False),
        (1, bool, True),
        (0, bool, False),
        (3, str, "3"),
        (True, str, "True"),
        ("GREEN", Color, Color.GREEN),
        ("Color.RED", Color, Color.RED),
        (2, Color, Color.GREEN),
        (None, Optional[int], None),
        ("5", Optional[int], 5),
        ("3", Union[int, str], "3"),  # an arm the value already fits wins
        (2.5, Union[int, float], 2.5),
        ([1, "2"], list[int], [1, 2]),
        ((1, "2"), tuple[int, int], (1, 2)),
        ([1, 2, "3"], tuple[int, ...], [1, 2, 3]),
        ([1, "2"], Sequence[float], [1.0, 2.0]),
        ({"a": "1"}, dict[str, float], {"a": 1.0}),
        ({"a": 1}, Mapping[str, Any], {"a": 1}),
        ({"x": "1"}, Point, {"x": 1}),
        (Point(1, 2.0), Point, Point(1, 2.0)),
        ("/tmp", Path, Path("/tmp")),
        ("a", Literal["a", "b"], "a"),
        ("7", Annotated[int, "meta"], 7),
        ("${x}", int, "${x}"),  # interpolations are checked once resolved, by whoever resolves them
        ("$<a.b>", Point, "$<a.b>"),
        ("???", int, "???"),
        (object, Any, object),
        ("x", "SomeForwardRef", "x"),
        ({"_target_": "m.Module"}, Module, {"_target_": "m.Module"}),  # an unbuilt config may become one
        (Module, type, Module),
    ],
)
def test_accepts_and_converts(value: Any, annotation: Any, expected: Any) -> None:
    result = check_value(value, annotation)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="X | Y annotations need Python 3.10")
def test_new_style_unions() -> None:
    assert check_value("1", eval("int | None")) == 1
    assert check_value(None, eval("int | None")) is None


@pytest.mark.parametrize(
    ("value", "annotation", "message", "hint"),
    [
        (0.5, int, "expected an int, got 0.5 (a float)", "declare the field as float"),
        (True, int, "expected an int, got True (a bool)", "not true/false"),
        ("x", float, "expected a float, got 'x' (a str)", None),
        (True, float, "expected a float, got True (a bool)", None),
        (2, bool, "expected a bool, got 2 (an int)", "yes/no"),
        ("maybe", bool, "expected a bool, got 'maybe' (a str)", None),
        ([1], str, "expected a str, got [1] (a list)", None),
        (None, int, "expected an int, got null", "not Optional"),
        ("BLUE", Color, "expected one of Color's names (RED, GREEN), got 'BLUE' (a str)", None),
        ("GRENE", Color, "expected one of Color's names", "Did you mean 'GREEN'?"),
        ([1, "x"], list[int], "expected an int, got 'x' (a str)", None),
        ((1,), tuple[int, int], "expected a tuple of int, int, got (1,) (a tuple)", "give exactly 2 items"),
        ({"z": 1}, Point, "'z' is not a field of Point. Fields: x, y", None),
        (5, Point, "expected a mapping for Point, got 5 (an int)", None),
        (5, dict[str, int], "expected a mapping of str to int, got 5 (an int)", None),
        ("c", Literal["a", "b"], "expected one of 'a', 'b', got 'c' (a str)", None),
        ("x", Union[int, float], "expected an int or a float, got 'x' (a str)", None),
        (3, Module, "expected a Module, got 3 (an int)", None),
        (3, Path, "expected a Path, got 3 (an int)", None),
        ("s", bytes, "expected a bytes, got 's' (a str)", None),
    ],
)
def test_refuses_with_a_message_that_says_what_fits(
    value: Any, annotation: Any, message: str, hint: str | None
) -> None:
    with pytest.raises(ValidationError) as info:
        check_value(value, annotation, path="model.head", source="conf/model.yaml:4")
    assert message in info.value.message
    if hint is not None:
        assert hint in (info.value.hint or "")
    assert info.value.source == "conf/model.yaml:4"
    assert info.value.path.startswith("model.head")


def test_nested_paths_point_at_the_item() -> None:
    with pytest.raises(ValidationError) as info:
        check_value({"a": [1, "x"]}, dict[str, list[int]], path="cfg")
    assert info.value.path == "cfg.a[1]"
    with pytest.raises(ValidationError) as info:
        check_value({"x": "1", "y": "no"}, Point)
    assert info.value.path == "y"


def test_helpers() -> None:
    assert unwrap_optional(Optional[int]) == (int, True)
    assert unwrap_optional(Optional[Union[int, str]]) == (Union[int, str], True)
    assert unwrap_optional(int) == (int, False)
    assert child_annotation(Point, "x") is int
    assert child_annotation(Optional[dict[str, float]], "any") is float
    assert child_annotation(list[int], 0) is Any
    with pytest.raises(KeyError):
        child_annotation(Point, "z")
    assert describe(Optional[list[int]]) == "a list of int, or null"
    assert is_unchecked("${a}") and is_unchecked("???") and not is_unchecked("a")


SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from(["1", "-2", "1.5", "1e3", "x", "true", "no", "", " 3 "]),
)


@given(SCALARS, st.sampled_from([int, float, bool, str]))
def test_agrees_with_omegaconf_on_scalars(value: Any, annotation: type) -> None:
    try:
        expected = OmegaConf.to_container(
            OmegaConf.merge(OmegaConf.structured(_holder(annotation)), {"field": value})
        )
    except OmegaValidationError:
        expected = None
    try:
        ours = check_value(value, annotation)
    except ValidationError:
        ours = None
    if expected is None:
        # we refuse what OmegaConf refuses; where it is laxer (2 as a bool) we may refuse too
        assert ours is None
        return
    if ours is None:
        # OmegaConf reads any int (and any text of one) as a bool; we take only 1 and 0
        assert annotation is bool and (isinstance(value, int) or str(value).strip().lstrip("-").isdigit())
        return
    assert ours == expected["field"]
    assert type(ours) is type(expected["field"])


def _holder(annotation: type) -> Any:
    from dataclasses import make_dataclass

    return make_dataclass("Holder", [("field", annotation, "???")])
