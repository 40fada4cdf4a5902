"""Hydra's casts, sort(), shuffle() and tag() in overrides, read side by side with Hydra 1.3.8."""

from __future__ import annotations

import pytest
from test_overrides import from_hydra, parse_error, same

from instantiate._compose.overrides import format_value, parse_override
from instantiate._compose.sweep_values import Sweep
from instantiate._errors import OverrideError

# overrides whose value must equal Hydra's reading, sweeps with their tags and shuffle flag included
AGREED = [
    "a=int(1.5)",
    "a=int(-2.7)",
    "a=int('7')",
    "a=int(true)",
    "a=int(value=3.2)",
    "a=float(1)",
    "a=float('1e3')",
    "a=float(inf)",
    "a=str(1)",
    "a=str(1.5)",
    "a=str(true)",
    "a=str(null_x)",
    "a=bool(0)",
    "a=bool(1.5)",
    "a=bool(TRUE)",
    "a=bool('false')",
    "a=[int(1),2]",
    "a={k: float(1), j: str(2)}",
    "a=int([1.5, 2.5])",
    "a=str({x: 1, y: [2, true]})",
    "a=str(1,2)",
    "a=int(choice(1.5,2.5))",
    "a=float(range(1,3))",
    "a=int(range(1,3))",
    "a=float(interval(1,2))",
    "a=int(interval(1,5))",
    "a=x,float(2)",
    "a=choice(int(1),2)",
    "a=range(int(1),3)",
    "a=sort(3,1,2)",
    "a=sort([3,1,2])",
    "a=sort(reverse=true,list=[1,3,2])",
    "a=sort(choice(b,a,c))",
    "a=sort(choice(b,a,c),reverse=true)",
    "a=sort(sweep=choice(2,1))",
    "a=sort(range(5,1,-1))",
    "a=sort(range(1,5),reverse=true)",
    "a=sort(range(1,5))",
    "a=sort(x)",
    "a=shuffle(choice(1,2,3))",
    "a=shuffle(range(1,4))",
    "a=shuffle(1,2,3)",
    "a=shuffle(sweep=choice(a,b))",
    "a=shuffle(7)",
    "a=tag(log,interval(0,1))",
    "a=tag(a,b,choice(1,2))",
    "a=tag(a,b,sweep=choice(1,2))",
    "a=tag(int,range(1,4))",
    "a=tag(x,shuffle(choice(1,2)))",
]


@pytest.mark.parametrize("text", AGREED)
def test_functions_agree_with_hydra(text: str) -> None:
    ours, theirs = parse_override(text), from_hydra(text)
    assert (ours.prefix, ours.key) == (theirs.prefix, theirs.key)
    assert same(ours.value, theirs.value), (ours.value, theirs.value)


@pytest.mark.parametrize("text", ["a=shuffle([1,2,3,4,5,6,7,8])", "a=shuffle(list=[1,2,3,4,5,6,7,8])"])
def test_shuffle_of_a_list_shuffles_it_now(text: str) -> None:
    values = {tuple(parse_override(text).value) for _ in range(20)}
    assert all(sorted(v) == [1, 2, 3, 4, 5, 6, 7, 8] for v in values)
    assert len(values) > 1  # 20 draws of 8! orders all equal: chance 1 in 40320**19


def test_a_shuffled_sweep_expands_in_random_order_with_the_same_values() -> None:
    sweep = parse_override("a=shuffle(range(0,30))").value
    assert isinstance(sweep, Sweep) and sweep.shuffle
    orders = {tuple(sweep.expand()) for _ in range(10)}
    assert all(sorted(order) == list(range(30)) for order in orders)
    assert len(orders) > 1
    assert parse_override("a=sort(range(0,30))").value.expand() == list(range(30))


@pytest.mark.parametrize(
    "text",
    [
        "a=tag(log,interval(0.001,1))",
        "a=shuffle(choice(1,2))",
        "a=tag(a,b,shuffle(range(1,5)))",
        "a=int(2,3)",
    ],
)
def test_a_marked_sweep_is_written_back_as_text_that_reads_equal(text: str) -> None:
    value = parse_override(text).value
    assert same(parse_override("a=" + format_value(value)).value, value)


# (text, column, fragment): Hydra refuses each of these too
BAD = [
    ("a=str(interval(1,2))", 3, "an interval cannot be cast to str"),
    ("a=bool(interval(1,2))", 3, "an interval cannot be cast to bool"),
    ("a=str(range(1,3))", 3, "a range can only be cast to int or float"),
    ("a=bool(yes)", 3, "cannot cast 'yes' to bool"),
    ("a=int(abc)", 3, "cannot cast 'abc' to int"),
    ("a=int()", 3, "int() needs a value"),
    ("a=int(1,value=2)", 3, "not both"),
    ("a=int(glob(*))", 3, "glob() cannot be cast to int"),
    ("a=int(null)", 3, "cannot cast None to int"),
    ("a=int(x=1)", 7, "int() has no argument 'x'"),
    ("a=sort(glob(*))", 3, "sort() takes a list, choice() or range()"),
    ("a=sort(1,[2])", 3, "plain values only"),
    ("a=sort([1,a])", 3, "cannot sort values of different kinds"),
    ("a=sort()", 3, "needs a list"),
    ("a=tag(x,y)", 3, "last argument of tag() must be"),
    ("a=tag(1,choice(1))", 3, "tags are strings, not 1"),
    ("a=tag(x,glob(*))", 3, "last argument of tag() must be"),
    ("a=choice(choice(1,2))", 10, "must be the whole value"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), BAD)
def test_bad_function_calls_are_refused_at_their_column_as_hydra_refuses_them(
    text: str, column: int, fragment: str
) -> None:
    parse_error(text, column, fragment)
    with pytest.raises(Exception):  # noqa: B017 - Hydra raises its own exception types
        from_hydra(text)


def test_a_dollar_in_a_config_group_key_is_refused_as_hydra_refuses_it() -> None:
    parse_error("$foo/bar=x", 1, "'$' is not allowed in a config group name")
    with pytest.raises(Exception):  # noqa: B017
        from_hydra("$foo/bar=x")
    assert parse_override("$foo.bar=x").key == from_hydra("$foo.bar=x").key == "$foo.bar"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("model._args_[0].in_features=3", "model._args_.0.in_features"),
        ("a[0][1]=3", "a.0.1"),
        ("+a.b[2]=3", "a.b.2"),
        ("~layers[1]", "layers.1"),
    ],
)
def test_a_path_as_errors_print_it_is_accepted_as_an_override_key(text: str, key: str) -> None:
    override = parse_override(text)
    assert override.key == key
    assert override.prefix == text[: len(text) - len(text.lstrip("+~"))]
    if "=" in text:
        assert override.value == 3


def test_a_bracket_that_is_not_a_list_index_is_still_an_error() -> None:
    with pytest.raises(OverrideError, match="found '\\['"):
        parse_override("a[x]=1")
