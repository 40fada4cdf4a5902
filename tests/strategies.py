"""Hypothesis strategies shared by the tests: config data, YAML and grammar text, override values, sweeps."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from instantiate._compose.sweep_values import Sweep
from instantiate._config.recursion import allow_deep_recursion

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


# The package raises the interpreter's recursion limit on its first deep read; hypothesis warns
# (an error here) when the limit changes inside a test, so take that step before any test runs.
allow_deep_recursion()

# Pieces that the interpolation grammar and the path grammar give meaning to, mixed with plain
# identifiers and digits, so that random joins hit the parser's edges far more often than text().
GRAMMAR_PIECES = [
    "$<",
    "${",
    ">",
    "}",
    ".",
    "..",
    "...",
    "[",
    "]",
    "[0]",
    "[-1]",
    ":",
    ",",
    "@",
    "()",
    "'",
    '"',
    "\\",
    "\\\\",
    "\\$<",
    "\\${",
    " ",
    "$",
    "<",
    "{",
    "a",
    "b",
    "x",
    "model",
    "lr",
    "env",
    "oc.env",
    "select",
    "oc.select",
    "now",
    "_root_",
    "0",
    "1",
    "42",
    "-3",
    "1.5",
    "1e-3",
    "true",
    "null",
    "???",
]

grammar_text = st.lists(st.one_of(st.sampled_from(GRAMMAR_PIECES), st.text(max_size=3)), max_size=25).map(
    "".join
)
"""Strings assembled from the grammar's own tokens (and a little noise)."""

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True)

# Strings that a careless YAML writer or reader turns into something else.
TRICKY_TEXT = [
    "",
    " ",
    "1e-3",
    "1E5",
    "-2.5e+10",
    ".5",
    "1_000",
    "0123",
    "0x1F",
    "0o17",
    "0b101",
    "12:30",
    "1:20:30.5",
    "2024-01-01",
    "2024-01-01 12:00:00",
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "False",
    "null",
    "~",
    "=",
    ".inf",
    "-.Inf",
    ".nan",
    "???",
    "- x",
    "a: b",
    "#comment",
    "&anchor",
    "*alias",
    "!tag",
    "%",
    "@",
    "`",
    "{}",
    "[]",
    "'quoted'",
    '"double"',
    "multi\nline",
    "trailing ",
    "tab\there",
    "back\\slash",
    "$<a.b>",
    "${a.b}",
    "\\$<not>",
    "ünïcödé",
    "\u2028",
    "\x85",
    "\ufeff",
]

# Plain config data: what a user could pass to Config(...) or write in YAML.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(),
    st.sampled_from(TRICKY_TEXT),
)

keys = st.one_of(identifiers, st.text(min_size=1, max_size=10), st.sampled_from(TRICKY_TEXT[1:]))


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4))


plain_data = st.recursive(scalars, _containers, max_leaves=20)
config_data = st.one_of(st.dictionaries(keys, plain_data, max_size=5), st.lists(plain_data, max_size=5))
"""A mapping or a list at the top, as a config must be."""


@st.composite
def yaml_documents(draw: st.DrawFn) -> str:
    """YAML text whose values are interpolation-shaped, so loading and reading meet the evaluator."""
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "x", "model", "lr"]), min_size=1, max_size=5))
    lines = []
    for name in dict.fromkeys(names):
        value = draw(st.one_of(grammar_text, st.sampled_from(TRICKY_TEXT)))
        if draw(st.booleans()):
            lines.append(f"{name}: {value}")
        else:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            lines.append(f'{name}: "{escaped}"')
        if draw(st.booleans()):
            inner = draw(grammar_text).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{name}_sub:\n  k: "{inner}"\n  l: ["{inner}", 1]')
    return "\n".join(lines)
