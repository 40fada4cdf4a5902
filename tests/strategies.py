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


def angles(value: Any) -> Any:
    """The same config in the ``$<...>`` spelling: each ``${`` and its own ``}`` (not a dict's)."""
    if isinstance(value, dict):
        return {k: angles(v) for k, v in value.items()}
    if isinstance(value, list):
        return [angles(v) for v in value]
    if not isinstance(value, str):
        return value
    out: list[str] = []
    closers: list[str] = []
    i = 0
    while i < len(value):
        if value.startswith("${", i):
            out.append("$<")
            closers.append(">")
            i += 2
            continue
        char = value[i]
        if char == "{":
            closers.append("}")
        elif char == "}" and closers:
            char = closers.pop()
        out.append(char)
        i += 1
    return "".join(out)


# -- OmegaConf-shaped expressions: nested interpolations in keys and names, list/dict arguments --

PARITY_CONFIG: dict[str, Any] = {
    "a": {"b": 1, "c": "x", "d": {"e": 2.5}, "0": "zero"},
    "k": "b",
    "n": "a",
    "m": "d",
    "l": [10, 20, {"z": True}],
    "i": "1",
    "s": "a.b",
    "t": "test",
    "z": None,
}
"""The config that ``omegaconf_expressions`` refer into (as the value of key ``v``)."""

_KEY_WORDS = ["a", "b", "c", "d", "e", "k", "n", "m", "l", "i", "s", "t", "z", "0", "1", "2", "nope"]
_RESOLVERS = ["test", "test", "test", "oc.select", "oc.decode", "oc.create", "oc.dict.keys", "oc.dict.values"]
# Paths and keys that exist in PARITY_CONFIG, so that most expressions have a value to compare.
_PATHS = ["a", "a.b", "a.c", "a.d.e", "a[d].e", "a[0]", "a.0", "l[0]", "l.1", "l[2].z", "k", "n", "s", "z"]
_KEYS = ["${k}", "${n}", "${m}", "${i}", "${ k }", "${oc.select:k}", "${test:b}", "${test:'d'}", "${a.c}"]
_ATOMS = ["1", "-2", "0.5", "1e3", "1_000", "true", "NULL", "abc", "a b", "'q'", '"d q"', "''", "-", "x-y"]
_ATOMS += [
    "inf",
    "01",
    "1__0",
    "1.e3",
    "+5",
    "\\,",
    "\\[1\\]",
    "a",
    "a.d",
    "l",
    "'[1, ${a.b}]'",
    "'{a: ${k}}'",
]
_DICT_KEYS = ["a", "b", "1", "null", "x y", "a-b"]
_SPACE = st.sampled_from(["", "", " "])


def _path(depth: int) -> st.SearchStrategy[str]:
    key = st.sampled_from(_KEY_WORDS)
    if depth > 0:
        key = st.one_of(key, st.sampled_from(_KEYS), st.deferred(lambda: _interpolation(depth - 1)))
    step = st.tuples(st.sampled_from([".", ".", "[]"]), key).map(
        lambda s: f"[{s[1]}]" if s[0] == "[]" else f".{s[1]}"
    )
    composed = st.tuples(st.sampled_from(["", "", ".", ".."]), key, st.lists(step, max_size=2)).map(
        lambda p: p[0] + p[1] + "".join(p[2])
    )
    known = st.sampled_from(_PATHS)
    if depth > 0:  # a known path with one key given by an interpolation
        known = st.one_of(
            known,
            st.sampled_from(["a.{}", "a[{}]", "{}.b", "{}", "a.{}.e", "l[{}]", "l.{}"]).flatmap(
                lambda shape: st.sampled_from(_KEYS).map(shape.format)
            ),
        )
    return st.one_of(composed, known, known)


def _element(depth: int) -> st.SearchStrategy[str]:
    atom = st.sampled_from(_ATOMS)
    if depth <= 0:
        return atom
    inner = st.deferred(lambda: _element(depth - 1))
    return st.one_of(
        atom,
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(_DICT_KEYS), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
        st.deferred(lambda: _interpolation(depth - 1)),
        st.deferred(lambda: _interpolation(depth - 1)).map(lambda i: f"'{i}'"),
    )


def _interpolation(depth: int) -> st.SearchStrategy[str]:
    ref = st.tuples(_SPACE, _path(depth), _SPACE).map(lambda p: "${" + "".join(p) + "}")
    name = st.sampled_from(_RESOLVERS)
    if depth > 0:
        name = st.one_of(name, st.just("${t}"))
    args = st.lists(st.tuples(_SPACE, _element(depth), _SPACE).map("".join), max_size=3).map(",".join)
    call = st.tuples(name, _SPACE, args).map(lambda c: "${" + c[0] + c[1] + ":" + c[2] + "}")
    return st.one_of(ref, call)


def _spoil(text: str, piece: str, at: int) -> str:
    at = at % (len(text) + 1)
    return text[:at] + piece + text[at:]


omegaconf_expressions = st.one_of(
    _interpolation(2),
    st.tuples(st.sampled_from(["", "x ", "a-"]), _interpolation(2), st.sampled_from(["", " y"])).map("".join),
    st.tuples(_interpolation(2), st.sampled_from(GRAMMAR_PIECES), st.integers(0, 60)).map(
        lambda s: _spoil(*s)
    ),
)
"""``${...}`` expressions as OmegaConf 2.3 writes them (nested in keys, names and list/dict
arguments), some spoiled by one stray grammar piece, to refer into ``PARITY_CONFIG``."""
