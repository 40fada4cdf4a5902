"""SPEC 1: safe YAML only, duplicate keys named with both lines, every node knows its file:line."""

from __future__ import annotations

import contextlib
import datetime
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from strategies import TRICKY_TEXT, grammar_text

from instantiate import Config, ConfigError, load
from instantiate._config.loading import parse_yaml
from instantiate._config.provenance import MarkedDict, MarkedList, copy_data, source_of


def write(tmp_path: Path, text: str, name: str = "conf.yaml") -> Path:
    file = tmp_path / name
    file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return file


def load_error(file: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(file)
    return caught.value


# -- the loader ------------------------------------------------------------------------------


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_the_c_parser_is_used_where_present() -> None:
    from yaml._yaml import CParser

    from instantiate._config.loading import _Loader

    assert issubclass(_Loader, CParser)


def test_loaded_containers_are_marked_with_their_file(tmp_path: Path) -> None:
    file = write(tmp_path, "a: {b: [1]}\n")
    data = parse_yaml(file.read_text(), str(file))
    assert type(data) is MarkedDict
    assert type(data["a"]["b"]) is MarkedList
    assert data.file == str(file)


# -- provenance: node.source is file:line --------------------------------------------------------


def test_every_node_and_entry_knows_its_file_and_line(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        """
        # a comment on line 1
        model:
          name: resnet
          layers:
            - 64
            - {k: 1}
        lr: 0.1
        """,
    )
    cfg = load(file)
    assert cfg.source is not None and cfg.source.startswith(f"{file}:")
    assert cfg.model.source == f"{file}:2"
    assert cfg.model.source_of("name") == f"{file}:3"
    assert cfg.model.layers.source == f"{file}:4"
    assert cfg.model.layers.source_of(0) == f"{file}:5"
    assert cfg.model.layers[1].source == f"{file}:6"
    assert cfg.model.layers[1].source_of("k") == f"{file}:6"
    assert cfg.source_of("lr") == f"{file}:7"


def test_windows_line_endings_and_a_bom_keep_lines_right(tmp_path: Path) -> None:
    file = tmp_path / "crlf.yaml"
    file.write_bytes(b"\xef\xbb\xbfa: 1\r\nb:\r\n  c: 2\r\n")
    cfg = load(file)
    assert cfg.to_dict() == {"a": 1, "b": {"c": 2}}
    assert cfg.b.source_of("c") == f"{file}:3"


def test_text_sources_name_the_given_file_or_string() -> None:
    assert Config.from_yaml("a:\n  b: 1\n", "inline.yaml").a.source_of("b") == "inline.yaml:2"
    assert Config.from_yaml("a:\n  b: 1\n").a.source_of("b") == "<string>:2"


# -- tags: safe types only; !!python/... refused and never executed ------------------------------

CALLS: list[Any] = []


def record_call(*args: Any) -> str:
    """What a tag that calls a function would call."""
    CALLS.append(args)
    return "called"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            "!!python/object/apply:tests.test_loading.record_call [1]",
            "!!python/object/apply:tests.test_loading",
        ),
        ("!!python/name:tests.test_loading.record_call", "!!python/name:tests.test_loading.record_call"),
        ("!!python/object/new:tests.test_loading.record_call [2]", "!!python/object/new:tests.test_loading"),
        ("!!python/object:collections.OrderedDict {a: 1}", "!!python/object:collections.OrderedDict"),
        ("!!python/tuple [1, 2]", "!!python/tuple"),
        ("!!python/none ''", "!!python/none"),
        ("!include other.yaml", "!include"),
        ("!Ref model", "!Ref"),
        ("!custom {a: 1}", "!custom"),
        ("!<tag:example.com,2024:thing> x", "tag:example.com,2024:thing"),
    ],
)
def test_unsafe_and_custom_tags_are_refused_with_their_line(tmp_path: Path, value: str, shown: str) -> None:
    CALLS.clear()
    file = write(tmp_path, f"ok: 1\nbad: {value}\n")
    error = load_error(file)
    assert type(error) is ConfigError
    assert error.source == f"{file}:2"
    assert shown in str(error)
    assert "is not allowed" in str(error)
    assert "never executed" in str(error)
    assert CALLS == []


def test_tags_that_would_write_files_or_run_commands_leave_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proof that nothing runs: each tag, if executed, would create a file or import a module."""
    marker_module = tmp_path / "pwned_on_import.py"
    marker_module.write_text(f"open({str(tmp_path / 'imported')!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    attacks = [
        f"!!python/object/apply:builtins.open [{str(tmp_path / 'opened')!r}, 'w']",
        f"!!python/object/apply:os.system ['touch {tmp_path / 'shell'}']",
        f"!!python/object/apply:subprocess.check_call [['touch', {str(tmp_path / 'subprocess')!r}]]",
        "!!python/module:pwned_on_import",
        "!!python/name:pwned_on_import.anything",
        "!!python/object/new:pwned_on_import.Thing []",
    ]
    for i, attack in enumerate(attacks):
        for text in (
            f"a: {attack}\n",
            f"- [1, {attack}]\n",
            f"? {attack}\n: v\n",
            f"s: !!set {{? {attack}}}\n",
        ):
            file = write(tmp_path, text, f"attack{i}.yaml")
            with pytest.raises(ConfigError):
                load(file)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("attack")) == [
        "pwned_on_import.py"
    ]
    assert "pwned_on_import" not in sys.modules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!!str 123", "123"),
        ("!!str true", "true"),
        ("!!int '42'", 42),
        ("!!int 0x10", 16),
        ("!!float 1", 1.0),
        ("!!bool yes", True),
        ("!!null ''", None),
        ("!!binary aGVsbG8=", b"hello"),
        ("!!timestamp 2024-01-02", datetime.date(2024, 1, 2)),  # an explicit tag asks for a date
        ("!!set {x, y}", {"x", "y"}),
        ("!!omap [x: 1, y: 2]", [("x", 1), ("y", 2)]),
        ("!!map {x: 1}", {"x": 1}),
        ("!!seq [1]", [1]),
    ],
)
def test_safe_explicit_tags_give_their_types(text: str, expected: Any) -> None:
    value = Config.from_yaml(f"v: {text}\n").to_dict()["v"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", "'abc' is not a valid !!int value"),
        ("!!float abc", "'abc' is not a valid !!float value"),
        ("!!bool maybe", "'maybe' is not a valid !!bool value"),
        ("!!timestamp nope", "'nope' is not a valid !!timestamp value"),
        ("!!omap 5", "invalid !!omap value"),
        ("!!str {a: 1}", "!!str is not allowed"),
    ],
)
def test_values_that_do_not_fit_their_tag_are_config_errors(tmp_path: Path, value: str, words: str) -> None:
    file = write(tmp_path, f"a: 1\nb:\n  c: {value}\n")
    error = load_error(file)
    assert error.source == f"{file}:3"
    assert words in str(error)


# -- duplicate keys ----------------------------------------------------------------------------


def test_a_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    file = write(tmp_path, "lr: 0.1\nmodel: x\nlr: 0.2\n")
    error = load_error(file)
    assert error.source == f"{file}:3"
    assert "duplicate key 'lr'" in str(error)
    assert f"first at {file}:1" in str(error)
    assert "once per mapping" in str(error)


@pytest.mark.parametrize(
    ("text", "second", "first"),
    [
        ("a:\n  x: 1\n  y: 2\n  x: 3\n", 4, 2),
        ("a: {x: 1,\n  x: 2}\n", 2, 1),
        ("- {k: 1}\n- k: 1\n  j: 2\n  k: 3\n", 4, 2),
        ("1: a\n2: b\n1: c\n", 3, 1),
    ],
)
def test_duplicates_in_nested_flow_and_list_mappings(
    tmp_path: Path, text: str, second: int, first: int
) -> None:
    file = write(tmp_path, text)
    error = load_error(file)
    assert error.source == f"{file}:{second}"
    assert f"(first at {file}:{first})" in str(error)


def test_the_same_key_in_different_mappings_is_fine() -> None:
    cfg = Config.from_yaml("a: {x: 1}\nb: {x: 2}\nc: [{x: 3}, {x: 4}]\n")
    assert cfg.to_dict() == {"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]}


def test_keys_equal_in_python_are_duplicates() -> None:
    """1 and true are one dict key; OmegaConf silently keeps the last, which loses a value."""
    with pytest.raises(ConfigError) as caught:
        Config.from_yaml("1: a\ntrue: b\n", "k.yaml")
    assert caught.value.source == "k.yaml:2"
    assert "duplicate key True (first at k.yaml:1)" in str(caught.value)


def test_omegaconf_rejects_duplicates_too() -> None:
    text = "a: 1\na: 2\n"
    with pytest.raises(yaml.YAMLError):
        OmegaConf.create(text)
    with pytest.raises(ConfigError):
        Config.from_yaml(text)


# -- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\n? [1, 2]\n: x\n", 2),
        ("a: 1\n? {k: 1}\n: x\n", 2),
        ("a: 1\nb: {[1]: 2}\n", 2),
    ],
)
def test_unhashable_keys_are_refused(tmp_path: Path, text: str, line: int) -> None:
    file = write(tmp_path, text)
    error = load_error(file)
    assert error.source == f"{file}:{line}"
    assert "a mapping key must be a scalar" in str(error)


def test_scalar_keys_of_other_types_are_kept() -> None:
    cfg = Config.from_yaml("1: one\nnull: nothing\n2.5: x\nfalse: no\n")
    assert cfg.to_dict() == {1: "one", None: "nothing", 2.5: "x", False: False}


# -- anchors, aliases, merge keys --------------------------------------------------------------


def test_aliases_are_independent_copies() -> None:
    """As OmegaConf reads them: setting through one alias leaves the anchor alone."""
    cfg = Config.from_yaml("base: &b {x: 1, l: [1]}\nother: *b\n")
    cfg.other.x = 2
    cfg.other.l.append(3)
    assert cfg.to_dict() == {"base": {"x": 1, "l": [1]}, "other": {"x": 2, "l": [1, 3]}}


def test_aliased_nodes_resolve_relative_references_from_where_they_are() -> None:
    """One anchored node used in two places is two nodes: no false cycle between them."""
    cfg = Config.from_yaml("p: {s: &s {v: $<..w>}, w: $<q.s.v>}\nq: {s: *s, w: 5}\n")
    assert cfg.p.s.v == 5
    assert cfg.q.s.v == 5


def test_alias_of_a_scalar() -> None:
    assert Config.from_yaml("a: &n 3\nb: *n\n").to_dict() == {"a": 3, "b": 3}


def test_merge_keys_order_values_and_lines(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        """
        a: &a {p: 1, q: 2}
        b: &b {q: 3, r: 4}
        c:
          <<: [*a, *b]
          s: 5
          p: 6
        """,
    )
    cfg = load(file)
    # explicit keys win, then earlier merges; merged keys first, as PyYAML >= 6.0.4 reads them
    assert list(cfg.c.items()) == [("p", 6), ("q", 2), ("r", 4), ("s", 5)]
    assert cfg.c.source_of("q") == f"{file}:1"
    assert cfg.c.source_of("r") == f"{file}:2"
    assert cfg.c.source_of("p") == f"{file}:6"
    if tuple(map(int, yaml.__version__.split(".")[:3])) >= (6, 0, 4):  # older PyYAML ordered otherwise
        assert list(OmegaConf.load(file).c.items()) == list(cfg.c.items())


@pytest.mark.parametrize("value", ["5", "[1, 2]", "[{a: 1}, 2]"])
def test_merge_key_takes_mappings_only(tmp_path: Path, value: str) -> None:
    file = write(tmp_path, f"a:\n  <<: {value}\n")
    error = load_error(file)
    assert error.source == f"{file}:2"
    assert "a merge key '<<' takes a mapping or a list of mappings" in str(error)


@pytest.mark.parametrize("text", ["a: &x [1, *x]\n", "a: &x {b: *x}\n", "a: &x {b: [{c: *x}]}\n"])
def test_recursive_aliases_are_refused(tmp_path: Path, text: str) -> None:
    file = write(tmp_path, text)
    error = load_error(file)
    assert error.source == f"{file}:1"
    assert "a YAML alias refers to a node that contains it" in str(error)


# -- documents: empty, scalar, broken ----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "--- # c\n...\n", "~\n"])
def test_an_empty_document_is_an_empty_mapping(tmp_path: Path, text: str) -> None:
    cfg = load(write(tmp_path, text))
    assert len(cfg) == 0
    assert cfg.to_dict() == {}
    assert OmegaConf.to_container(OmegaConf.create(text)) == {}


def test_a_top_level_list_is_a_config() -> None:
    cfg = Config.from_yaml("- a\n- {b: 1}\n")
    assert cfg.is_sequence()
    assert cfg[1].b == 1


@pytest.mark.parametrize("text", ["5\n", "just text\n", "'quoted'\n", "true\n"])
def test_a_top_level_scalar_is_an_error_naming_the_file(tmp_path: Path, text: str) -> None:
    file = write(tmp_path, text)
    error = load_error(file)
    assert error.source == str(file)
    assert "the top level of a config must be a mapping or a list" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: c: d\n", 2, "mapping values are not allowed"),
        ("a: 1\n b: 2\n", 2, "mapping values are not allowed"),
        ("a:\n\t- 1\n", 2, "cannot start any token"),
        ("a: [1, 2\nb: 3\n", 2, "flow sequence"),
        ("- a\nb: 1\n", 2, "did not find expected '-' indicator"),
        ("x: 1\na: *nope\n", 2, "found undefined alias"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
    ],
)
def test_yaml_syntax_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    file = write(tmp_path, text)
    error = load_error(file)
    assert type(error) is ConfigError
    assert error.source == f"{file}:{line}"
    assert "invalid YAML" in str(error)
    assert words in str(error)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    error = load_error(missing)
    assert "does not exist" in str(error)
    assert repr(str(missing)) in str(error)
    assert error.path is None


def test_a_directory_or_undecodable_file_cannot_be_read(tmp_path: Path) -> None:
    assert "cannot read config file" in str(load_error(tmp_path))
    binary = tmp_path / "latin1.yaml"
    binary.write_bytes(b"a: caf\xe9\n")
    error = load_error(binary)
    assert "cannot read config file" in str(error)
    assert repr(str(binary)) in str(error)


def test_text_that_is_not_unicode_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_yaml("a: \ud800\n", "bad.yaml")
    assert caught.value.source == "bad.yaml"
    assert "invalid YAML: the text is not valid Unicode" in str(caught.value)


def test_deep_nesting_is_a_config_error_not_a_recursion_error() -> None:
    depth = 10_000
    with pytest.raises(ConfigError) as caught:
        Config.from_yaml("a: " + "[" * depth + "]" * depth, "deep.yaml")
    # PyYAML >= 6.0.4 refuses this in libyaml (1,000 levels), older ones in our constructor
    assert caught.value.source in ("deep.yaml", "deep.yaml:1")
    assert "nest" in str(caught.value)


def test_moderate_nesting_loads() -> None:
    depth = 500
    cfg = Config.from_yaml("a: " + "[" * depth + "7" + "]" * depth)
    node: Any = cfg.a
    for _ in range(depth - 1):
        node = node[0]
    assert node[0] == 7


def test_very_deep_nesting_does_not_crash_the_interpreter() -> None:
    depth = 100_000
    script = (
        "from instantiate import Config, ConfigError\n"
        "try:\n"
        f"    Config.from_yaml('a: ' + '[' * {depth} + ']' * {depth})\n"
        "except ConfigError:\n"
        "    pass\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=120)
    assert result.returncode == 0


# -- YAML implicit types, as OmegaConf reads them ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e-3", 0.001),  # PyYAML alone reads this as a string; OmegaConf as a float
        ("1E5", 100000.0),
        ("-2.5e+10", -2.5e10),
        ("1.5", 1.5),
        (".5", 0.5),
        ("1_000", 1000),
        ("0x1F", 31),
        ("0123", 83),  # YAML 1.1 octal
        ("0", 0),
        ("0o17", "0o17"),  # not YAML 1.1
        ("12:30", 750),  # YAML 1.1 sexagesimal
        ("2024-01-01", "2024-01-01"),  # dates stay text
        ("2024-01-01 12:00:00", "2024-01-01 12:00:00"),
        ("yes", True),
        ("Off", False),
        ("~", None),
        ("null", None),
        (".inf", float("inf")),
        ("'1e-3'", "1e-3"),
        ("???", "???"),
    ],
)
def test_implicit_types_follow_omegaconf(text: str, expected: Any) -> None:
    ours = Config.from_yaml(f"v: {text}\n").to_dict()["v"]
    theirs = OmegaConf.to_container(OmegaConf.create(f"v: {text}\n"))["v"]  # type: ignore[index]
    assert ours == expected
    assert type(ours) is type(expected)
    assert theirs == ours
    assert type(theirs) is type(ours)


# -- fuzzing -----------------------------------------------------------------------------------

yaml_values = st.one_of(
    grammar_text,
    st.sampled_from(TRICKY_TEXT),
    st.sampled_from(
        [
            "!!int abc",
            "!!float x",
            "!!bool maybe",
            "!!timestamp nope",
            "!!binary '@@'",
            "!!set {? !!python/object/apply:os.getcwd []}",
            "!!python/object/apply:os.getcwd []",
            "!custom x",
            "*undefined",
            "&a [*a]",
            "{<<: 5}",
            "{? [1]: 2}",
            "[1, 2",
        ]
    ),
)


@settings(max_examples=500)
@given(st.text())
def test_any_text_loads_or_raises_a_config_error(text: str) -> None:
    with contextlib.suppress(ConfigError):
        parse_yaml(text)


@settings(max_examples=500)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "<<"]), yaml_values), max_size=4))
def test_yaml_shaped_text_loads_or_raises_a_config_error(entries: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{key}: {value}" for key, value in entries)
    with contextlib.suppress(ConfigError):
        parse_yaml(text)


# -- the marked containers themselves (_provenance) ---------------------------------------------


def test_source_of_reads_int_lines_in_the_own_file_and_full_marks_from_elsewhere() -> None:
    data = MarkedDict("main.yaml")
    data.update(a=1, b=2, c=3)
    data.lines.update(a=4, b="other.yaml:9")  # b came in from another file, c was set in code
    assert source_of(data, "a") == "main.yaml:4"
    assert source_of(data, "b") == "other.yaml:9"
    assert source_of(data, "c") is None
    assert source_of({"a": 1}, "a") is None  # a plain dict knows nothing
    items = MarkedList("main.yaml")
    items.extend([1, 2])
    items.lines = [7, 8]
    assert source_of(items, -1) == "main.yaml:8"
    assert source_of(items, 2) is None
    assert source_of(items, "x") is None


def test_marked_containers_pickle_with_their_lines() -> None:
    """A config sent to a worker process still says where each value was written."""
    data = parse_yaml("a:\n  - {b: 1}\n  - 2\nc: 3\n", "f.yaml")
    clone = pickle.loads(pickle.dumps(data))
    assert clone == {"a": [{"b": 1}, 2], "c": 3}
    assert type(clone) is MarkedDict and type(clone["a"]) is MarkedList
    assert clone.lines == {"a": 1, "c": 4} and clone["a"].lines == [2, 3]
    assert clone.file == clone["a"][0].file == "f.yaml"


def test_copy_data_keeps_marks_and_shares_nothing() -> None:
    data = parse_yaml("a:\n  - {b: 1}\n", "f.yaml")
    clone = copy_data(data)
    assert clone == data
    assert clone["a"] is not data["a"] and clone["a"][0] is not data["a"][0]
    assert source_of(clone["a"], 0) == "f.yaml:2"
    plain = {"x": [{"y": 1}]}
    assert copy_data(plain) == plain and copy_data(plain)["x"] is not plain["x"]
