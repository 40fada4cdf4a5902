"""Hypothesis strategies shared by the tests: config values, sweeps, and override-shaped text."""

from __future__ import annotations

from hypothesis import strategies as st

from instantiate._overrides import Sweep

# strings that sit on the grammar's edges: look like other types, hold its special characters
TRICKY_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "  pad  ",
        "1",
        "-2.5",
        "1_000",
        "1e3",
        "inf",
        "nan",
        "true",
        "False",
        "null",
        "a,b",
        "a, b",
        "[x]",
        "{a: 1}",
        "(x)",
        "k=v",
        "a:b",
        "it's",
        'say "hi"',
        "'\"",
        "\\",
        "back\\",
        "\\'",
        "\\\\'\"",
        "${a.b}",
        "${a",
        "$<a,b>",
        "$<x",
        "\\${a}",
        "range(1)",
        "tab\there",
        "line\nbreak",
        "café",
        "日本",
        "~home",
        "<>",
        "#",
        "a\\,b",
        "\x00",
    ]
)
STRINGS = st.text(max_size=12) | TRICKY_STRINGS
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | STRINGS
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(SCALARS, children, max_size=4),
    max_leaves=16,
)

_NUMBERS = st.integers(-50, 50) | st.floats(-50, 50, allow_nan=False).map(lambda x: round(x, 2))
SWEEPS = st.one_of(
    st.lists(VALUES, min_size=2, max_size=4).map(lambda items: Sweep("list", tuple(items))),
    st.lists(VALUES, min_size=1, max_size=4).map(lambda items: Sweep("choice", tuple(items))),
    st.tuples(_NUMBERS, _NUMBERS, _NUMBERS.filter(bool)).map(
        lambda b: Sweep("range", start=b[0], stop=b[1], step=b[2])
    ),
    st.tuples(st.lists(STRINGS, max_size=3), st.lists(STRINGS, max_size=3)).map(
        lambda p: Sweep("glob", include=tuple(p[0]), exclude=tuple(p[1]))
    ),
    st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
    .filter(lambda b: b[0] < b[1])
    .map(lambda b: Sweep("interval", low=b[0], high=b[1])),
)

# pieces of the grammar, so random sequences of them hit its corners more often than text()
TOKENS = st.sampled_from(
    [
        "a",
        "b.c",
        "db@pkg",
        "/grp",
        "x/y",
        "=",
        "+",
        "++",
        "~",
        ",",
        " ",
        "\t",
        "\n",
        "[",
        "]",
        "{",
        "}",
        ":",
        "(",
        ")",
        "'",
        '"',
        "\\",
        "\\,",
        "\\'",
        "${",
        "$<",
        ">",
        "1",
        "-2.5e3",
        "inf",
        "nan",
        "true",
        "NULL",
        "range",
        "choice",
        "glob",
        "interval",
        "rnge",
        "exclude=",
        "start=",
        "*",
        "w*",
        "x y",
        "é",
        "@",
        "/",
        ".",
        "$",
        "0",
        "_",
        "-",
    ]
)
OVERRIDE_LIKE = st.lists(TOKENS, max_size=24).map("".join)
