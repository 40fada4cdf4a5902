"""SPEC 3: the ``$<...>``/``${...}`` grammar, parsed once into small trees; errors point at the column."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from strategies import PARITY_CONFIG, angles, grammar_text, omegaconf_expressions

from instantiate import Config, ConfigError, InterpolationError, register_resolver
from instantiate._config.grammar import (
    BuiltRef,
    Call,
    Concat,
    Expr,
    Ref,
    _Parser,
    _simple_reference,
    forget,
    parse,
    reference_path,
)


def shape(expr: Any) -> Any:
    """A comparable picture of a parse result (classes and contents, not source text)."""
    if isinstance(expr, Ref):
        return ("ref", expr.up, expr.keys)
    if isinstance(expr, BuiltRef):
        return ("built", shape(expr.ref), expr.attrs)
    if isinstance(expr, Call):
        return ("call", expr.name, tuple(shape(a) for a in expr.args))
    if isinstance(expr, Concat):
        return ("concat", tuple(shape(p) for p in expr.parts))
    return expr


# -- what parses to what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("", ""),
        ("costs 5$", "costs 5$"),
        ("$ <a>", "$ <a>"),
        ("back\\slash", "back\\slash"),
        ("$<a.b[0].c>", ("ref", -1, ("a", "b", 0, "c"))),
        ("$< a.b >", ("ref", -1, ("a", "b"))),
        ("$<.x>", ("ref", 0, ("x",))),
        ("$<..x>", ("ref", 1, ("x",))),
        ("$<...x>", ("ref", 2, ("x",))),
        ("$<..[0].out_features>", ("ref", 1, (0, "out_features"))),
        ("$<@model>", ("built", ("ref", -1, ("model",)), ())),
        ("$<@..enc>", ("built", ("ref", 1, ("enc",)), ())),
        ("$<@model:parameters()>", ("built", ("ref", -1, ("model",)), (("parameters", True),))),
        (
            "$<@a.b:x.y().z>",
            ("built", ("ref", -1, ("a", "b")), (("x", False), ("y", True), ("z", False))),
        ),
        ("$<env:HOME>", ("call", "env", ("HOME",))),
        ("$<oc.env:HOME,/tmp>", ("call", "oc.env", ("HOME", "/tmp"))),
        ("$<now:%H:%M>", ("call", "now", ("%H:%M",))),  # ':' after the name is plain text
        ("$<f:>", ("call", "f", ())),
        ("$<f: >", ("call", "f", ())),
        ("lr=$<lr>!", ("concat", ("lr=", ("ref", -1, ("lr",)), "!"))),
        ("$<a>$<b>", ("concat", (("ref", -1, ("a",)), ("ref", -1, ("b",))))),
        ("$$<a>", ("concat", ("$", ("ref", -1, ("a",))))),
    ],
)
def test_parse_gives_text_or_a_tree(text: str, expected: Any) -> None:
    assert shape(parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\$<a>", "$<a>"),
        ("\\${a}", "${a}"),
        ("x \\$<a> y", "x $<a> y"),
        ("\\\\$<a>", ("concat", ("\\", ("ref", -1, ("a",))))),  # an even run is backslashes, then a ref
        ("\\\\\\$<a>", "\\$<a>"),  # odd: one backslash kept, and the $< escaped
        ("a\\b", "a\\b"),  # a backslash before anything else is kept as written
    ],
)
def test_backslash_escapes_a_dollar_interpolation(text: str, expected: Any) -> None:
    assert shape(parse(text)) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("1,-2,+3", (1, -2, 3)),
        ("1.5,1e-3,.5,-.5", (1.5, 0.001, 0.5, -0.5)),
        ("true,False,null,~", (True, False, None, None)),
        ("abc, a b ,x-y", ("abc", "a b", "x-y")),  # spaces around an unquoted argument are dropped
        ("0x10,1.2.3,-", ("0x10", "1.2.3", "-")),  # not numbers: text
        ("01234,-01,00.5,0,-0,0.5", ("01234", "-01", "00.5", 0, 0, 0.5)),  # leading zeros: text
        ("inf,-INF,+inf", (float("inf"), float("-inf"), float("inf"))),
        ("info,nano", ("info", "nano")),
        ("'1',\"true\",'null'", ("1", "true", "null")),  # quotes keep text
        ("' padded ', \"q,x\"", (" padded ", "q,x")),
        (" 'x' , 'y' ", ("x", "y")),  # spaces around quotes are not part of the text
        ("'it\\'s','a\\\\b'", ("it's", "a\\b")),
        ("a\\,b", ("a,b",)),  # an escaped comma is not a separator
        ("a\\ ,\\>,\\:x,\\\\", ("a ", ">", ":x", "\\")),  # escapes of the grammar's own characters
        ("C:\\data\\new", ("C:\\data\\new",)),  # before anything else a backslash is kept
        ("''", ("",)),
        (",", ("", "")),
    ],
)
def test_resolver_arguments_are_typed_literals(args: str, expected: tuple[Any, ...]) -> None:
    call = parse(f"$<f:{args}>")
    assert isinstance(call, Call)
    assert call.args == expected
    assert [type(a) for a in call.args] == [type(e) for e in expected]


def test_nested_interpolations_in_arguments() -> None:
    call = parse("$<f:$<a>,x$<b>y,$<g:$<c>,1>>")
    assert shape(call) == (
        "call",
        "f",
        (
            ("ref", -1, ("a",)),
            ("concat", ("x", ("ref", -1, ("b",)), "y")),
            ("call", "g", (("ref", -1, ("c",)), 1)),
        ),
    )


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("$<f:'\\$<a>'>", ("$<a>",)),
        ("${f:'\\${a}',b}", ("${a}", "b")),
        ("$<f:\\$<a>>", ("$<a>",)),  # unquoted: the escaped opener's closer is text too
        ("${f:\\${a},b}", ("${a}", "b")),
        ("$<f:\\${a}>", ("${a}",)),  # a '}' does not end $<...> anyway
    ],
)
def test_escaped_interpolations_inside_arguments_are_text(text: str, args: tuple[Any, ...]) -> None:
    call = parse(text)
    assert isinstance(call, Call)
    assert call.args == args


def test_a_quoted_argument_is_text_even_when_it_is_one_interpolation() -> None:
    assert shape(parse("$<f:'$<a>'>")) == ("call", "f", (("concat", (("ref", -1, ("a",)),)),))
    assert shape(parse("$<f:'x$<a>'>")) == ("call", "f", (("concat", ("x", ("ref", -1, ("a",)))),))


@pytest.mark.parametrize(
    "dollar_angle",
    [
        "$<a.b[0].c>",
        "$<..[0].out_features>",
        "x$<a>y",
        "$<env:HOME,$<a.b>>",
        "$<oc.select:a.b,'d'>",
        "$<@model:parameters()>",
        "$<f:1,true,'s',$<g:$<h>>>",
    ],
)
def test_braces_and_angles_are_the_same_grammar(dollar_angle: str) -> None:
    braces = dollar_angle.replace("$<", "${").replace(">", "}")
    assert shape(parse(braces)) == shape(parse(dollar_angle))


def test_escaped_braces_and_angles_are_the_same_text() -> None:
    assert parse("\\${a}") == "${a}"
    assert parse("\\$<a>") == "$<a>"


def test_each_closer_only_closes_its_own_opener() -> None:
    """Inside ${...} a '>' is ordinary text in an argument, and '}' inside $<...>."""
    assert shape(parse("${f:>}")) == ("call", "f", (">",))
    assert shape(parse("$<f:}>")) == ("call", "f", ("}",))
    assert shape(parse("$<f:${a}}>")) == ("call", "f", (("concat", (("ref", -1, ("a",)), "}")),))


def test_parsed_text_is_kept_for_messages() -> None:
    expr = parse("x $<f:$<a>> y")
    assert isinstance(expr, Concat)
    assert expr.text == "x $<f:$<a>> y"
    call = expr.parts[1]
    assert isinstance(call, Call)
    assert call.text == "$<f:$<a>>"
    assert call.args[0].text == "$<a>"


def test_parse_is_cached() -> None:
    text = "$<some.path.only_here>"
    assert parse(text) is parse(text)


# -- malformed expressions: InterpolationError pointing at the column ---------------------------


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("$<a", 4, "'$<' opened at column 1 is never closed with '>'"),
        ("ab${", 5, "'${' opened at column 3 is never closed with '}'"),
        ("x $<>", 5, "empty interpolation"),
        ("${}", 3, "empty interpolation"),
        ("$<a b>", 5, "unexpected 'b'; expected '>'"),
        ("$<a}", 4, "unexpected '}'; expected '>'"),
        ("${a>", 5, "'${' opened at column 1 is never closed with '}'"),  # '>' is part of a key in ${}
        ("${a)", 4, "unexpected ')'; expected '}'"),
        ("$<a.>", 5, "a key must follow '.'"),
        ("$<a[>", 4, "'[' is never closed"),
        ("$<:x>", 3, "expected a path or a resolver name"),
        ("$<a..b:x>", 3, "'a..b' is not a resolver name"),
        ("$<@>", 4, "'@' must be followed by the path"),
        ("$<@a:>", 6, "expected an attribute name"),
        ("$<@a:1x>", 6, "expected an attribute name"),
        ("$<@a:b(>", 7, "unexpected '('"),
        ("$<env:'abc>", 7, "the string opened with ' at column 7 is never closed"),
        ("$<env:a", 8, "resolver arguments are never closed with '>'"),
        ("$<env:$<a>", 11, "resolver arguments are never closed with '>'"),
    ],
)
def test_malformed_interpolations_point_at_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        parse(text)
    error = caught.value
    message = str(error)
    assert words in message
    assert f"(column {column})" in message
    assert repr(text) in message
    # the text and a caret under the column, so the place can be seen
    assert message.endswith(f"    {text}\n    {' ' * (column - 1)}^")
    assert error.path is None  # the parser knows no node; the evaluator adds path and source


def test_deep_nesting_is_an_interpolation_error_not_a_recursion_error() -> None:
    with pytest.raises(InterpolationError, match="nest too deeply"):
        parse("${a:" * 30_000)


# -- fuzzing: no input makes the parser raise anything but a ConfigError ------------------------


def _parse_or_config_error(text: str) -> Any:
    try:
        return parse(text)
    except ConfigError as error:
        assert isinstance(error, InterpolationError)
        return error


@settings(max_examples=1000)
@given(st.text())
def test_any_text_parses_or_raises_an_interpolation_error(text: str) -> None:
    result = _parse_or_config_error(text)
    if "$" not in text:
        assert result == text  # nothing to resolve and nothing to unescape


@settings(max_examples=3000)
@given(grammar_text)
def test_grammar_shaped_text_parses_or_raises_an_interpolation_error(text: str) -> None:
    result = _parse_or_config_error(text)
    if isinstance(result, Expr):
        assert result.text == text  # the whole string, for messages


@given(grammar_text)
def test_braces_parse_like_angles(text: str) -> None:
    """Swapping every '$<'/'>' for '${'/'}' (and back) never changes the meaning."""
    if any(c in text for c in "{}"):
        return
    angles = _parse_or_config_error(text)
    braces = _parse_or_config_error(text.replace("$<", "${").replace(">", "}"))
    if isinstance(angles, InterpolationError):
        assert isinstance(braces, InterpolationError)
    elif isinstance(angles, str):
        # only text: the same text with the closers swapped back
        assert isinstance(braces, str)
        assert braces.replace("${", "$<").replace("}", ">") == angles
    else:
        assert isinstance(braces, Expr)


def test_float_literals_are_floats() -> None:
    call = parse("$<f:-1.5e3,.25>")
    assert isinstance(call, Call)
    assert call.args == (-1500.0, 0.25)


# -- the fast path for plain references gives what the parser gives ---------------------------

_PATH_PIECES = st.sampled_from(
    ["a", "b1", "out_features", "x-y", "0", "[0]", "[-1]", "[12]", ".", "..", "[", "]", " ", ":", "@", "'"]
)


@settings(max_examples=500)
@given(
    st.sampled_from(["$<", "${"]),
    st.lists(_PATH_PIECES, min_size=1, max_size=8).map("".join),
    st.sampled_from([">", "}", ""]),
)
def test_simple_reference_fast_path_agrees_with_the_parser(opener: str, path: str, closer: str) -> None:
    text = opener + path + closer
    fast = _simple_reference(text)
    if fast is None:
        return  # left to the parser
    slow = _Parser(text).template()
    assert isinstance(slow, Ref)
    assert (fast.up, fast.keys, fast.text) == (slow.up, slow.keys, slow.text)


@settings(max_examples=500)
@given(
    st.sampled_from(["$<", "${"]),
    st.lists(_PATH_PIECES, max_size=4).map("".join),
    st.lists(_PATH_PIECES, max_size=4).map("".join),
    st.sampled_from([">", "}", ""]),
    st.sampled_from(["0", "7", "12", "007", "-1", "x", ""]),
    st.sampled_from(["0", "3", "45", "10000", "٣", "1_0", ""]),
)
def test_a_reference_read_by_the_shape_of_another_gives_what_the_parser_gives(
    opener: str, before: str, after: str, closer: str, first: str, second: str
) -> None:
    # The first string teaches its shape; the second differs only in its first [index].
    if first == second:
        return
    forget()
    reference_path(opener + before + f"[{first}]" + after + closer)
    text = opener + before + f"[{second}]" + after + closer
    read = reference_path(text)
    slow = _Parser(text).template() if _simple_reference(text) is not None else None
    if read is None:
        assert slow is None
        return
    assert isinstance(slow, Ref)
    assert (read[0], tuple(read[1])) == (slow.up, slow.keys)
    assert text not in grammar_parsed()  # read, not kept
    again = reference_path(text)  # met again: parsed (and kept), the same path
    assert again is not None and (again[0], tuple(again[1])) == (slow.up, slow.keys)
    assert text in grammar_parsed()


def grammar_parsed() -> dict[str, Any]:
    from instantiate._config.grammar import parsed

    return parsed


# -- fuzzing against OmegaConf: nested interpolations in keys, list and dict arguments -----------


def _plain(value: Any) -> Any:
    """Comparable plain data from either side's reading."""
    if OmegaConf.is_config(value):
        value = OmegaConf.to_container(value, resolve=True)
    elif isinstance(value, Config):
        value = value.to_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _test_resolver(*args: Any) -> Any:
    return args[0] if len(args) == 1 else list(args)


@settings(max_examples=600)
@given(omegaconf_expressions)
def test_omegaconf_expressions_read_as_omegaconf_reads_them(text: str) -> None:
    """Only ConfigErrors escape; wherever OmegaConf gives a value, ours is equal (both spellings)."""
    OmegaConf.register_new_resolver("test", _test_resolver, replace=True)
    register_resolver("test", _test_resolver, replace=True)
    data = {**PARITY_CONFIG, "v": text}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs: Any = _plain(OmegaConf.create(data)["v"])
    except Exception:
        theirs = _REFUSED
    try:
        ours: Any = _plain(Config(data)["v"])
    except ConfigError:
        ours = _REFUSED
    if theirs is not _REFUSED and "$<" not in text:  # "$<" is text to OmegaConf, an opener to us
        assert ours == theirs
        if not any(c in text for c in "<>\\"):  # the same in the $<...> spelling
            assert _plain(Config(angles(data))["v"]) == theirs


_REFUSED = object()


@settings(max_examples=500)
@given(omegaconf_expressions)
def test_omegaconf_shaped_text_parses_or_raises_an_interpolation_error(text: str) -> None:
    for spelling in (text, angles(text)):
        result = _parse_or_config_error(spelling)
        if isinstance(result, Expr):
            assert result.text == spelling
