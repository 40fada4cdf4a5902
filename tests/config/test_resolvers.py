"""SPEC 3: built-in resolvers (env/oc.env, now, select/oc.select) and register_resolver."""

from __future__ import annotations

import datetime as datetime_module
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from instantiate import Config, ConfigError, InterpolationError, load, register_resolver
from instantiate._config.resolvers import clear_resolvers, get_resolver, resolver_names

# -- env / oc.env ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["env", "oc.env"])
def test_env_reads_the_variable_as_text(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTANTIATE_TEST_VAR", "42")
    cfg = Config({"v": f"$<{name}:INSTANTIATE_TEST_VAR>", "w": f"${{{name}:INSTANTIATE_TEST_VAR,7}}"})
    assert cfg.v == "42"
    assert cfg.w == "42"  # a set variable wins over the default


@pytest.mark.parametrize("name", ["env", "oc.env"])
def test_env_default_when_unset(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSTANTIATE_TEST_UNSET", raising=False)
    cfg = Config(
        {
            "text": f"$<{name}:INSTANTIATE_TEST_UNSET,fallback>",
            "number": f"$<{name}:INSTANTIATE_TEST_UNSET,4>",
            "none": f"$<{name}:INSTANTIATE_TEST_UNSET,null>",
            "empty": f"$<{name}:INSTANTIATE_TEST_UNSET,''>",
            "nested": f"$<{name}:INSTANTIATE_TEST_UNSET,$<workers>>",
            "workers": 8,
        }
    )
    assert cfg.text == "fallback"
    # the default stands in for the variable's text, so the type does not depend on the
    # environment (as OmegaConf's oc.env); null stays None
    assert cfg.number == "4"
    assert cfg.none is None
    assert cfg.empty == ""
    assert cfg.nested == "8"


def test_env_unset_without_default_names_variable_node_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INSTANTIATE_TEST_UNSET", raising=False)
    file = tmp_path / "train.yaml"
    file.write_text("data:\n  root: $<env:INSTANTIATE_TEST_UNSET>\n")
    cfg = load(file)
    with pytest.raises(InterpolationError) as caught:
        cfg.data.root  # noqa: B018
    error = caught.value
    assert error.path == "data.root"
    assert error.source == f"{file}:2"
    assert "'INSTANTIATE_TEST_UNSET' is not set" in str(error)
    assert "$<env:INSTANTIATE_TEST_UNSET,default>" in str(error)  # what would be right


def test_env_without_a_name_is_an_error(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_text("x: 1\na: $<env:>\n")
    with pytest.raises(InterpolationError) as caught:
        load(file).a  # noqa: B018
    assert (caught.value.path, caught.value.source) == ("a", f"{file}:2")
    assert "env needs the name of an environment variable: $<env:NAME[,default]>" in str(caught.value)


# -- now ---------------------------------------------------------------------------------------


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """datetime.now() gives 2024-01-01 00:00:00 + n seconds on its n-th call."""
    calls = [0]

    class Clock(datetime_module.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            calls[0] += 1
            return datetime_module.datetime(2024, 1, 1, 0, 0, calls[0] - 1)

    monkeypatch.setattr(datetime_module, "datetime", Clock)
    yield calls


def test_now_formats_the_current_time(ticking_clock: list[int]) -> None:
    cfg = Config({"stamp": "$<now:%Y/%m/%d %H:%M:%S>", "default": "$<now:>"})
    assert cfg.stamp == "2024/01/01 00:00:00"
    assert cfg.default == "2024-01-01_00-00-01"  # another format is another call


def test_now_is_one_time_per_config_tree(ticking_clock: list[int]) -> None:
    """A run's directory and its log name must agree, however often and wherever they are read."""
    cfg = Config({"dir": "out/$<now:%S>", "log": "$<now:%S>.log", "sub": {"again": "$<now:%S>"}})
    assert cfg.dir == "out/00"
    assert cfg.log == "00.log"
    assert cfg.sub.again == "00"
    assert cfg.to_dict() == {"dir": "out/00", "log": "00.log", "sub": {"again": "00"}}
    assert ticking_clock[0] == 1
    other = Config({"dir": "out/$<now:%S>"})  # another tree: its own time
    assert other.dir == "out/01"
    assert cfg.dir == "out/00"


# -- register_resolver -------------------------------------------------------------------------


def test_registered_resolver_gets_typed_and_nested_arguments() -> None:
    seen: list[tuple[Any, ...]] = []

    def record(*args: Any) -> str:
        seen.append(args)
        return "ok"

    register_resolver("record", record)
    cfg = Config(
        {
            "size": 3,
            "plain": "$<record:1,2.5,true,null,word>",
            "nested": "$<record:$<size>,x$<size>,$<record:inner>>",
            "quoted": "${record:'a,b', \"1\", ' sp '}",
        }
    )
    assert cfg.plain == "ok"
    assert cfg.nested == "ok"
    assert cfg.quoted == "ok"
    assert seen == [(1, 2.5, True, None, "word"), ("inner",), (3, "x3", "ok"), ("a,b", "1", " sp ")]


def test_resolver_result_keeps_its_type_alone_and_is_text_inside_a_string() -> None:
    register_resolver("double", lambda x: x * 2)
    cfg = Config({"alone": "$<double:21>", "inside": "n=$<double:21>"})
    assert cfg.alone == 42
    assert cfg.inside == "n=42"


def test_resolver_returning_a_mapping_gives_a_node() -> None:
    register_resolver("make", lambda: {"k": [1, 2]})
    cfg = Config({"made": "$<make:>"})
    assert isinstance(cfg.made, Config)
    assert cfg.made.k[1] == 2
    assert cfg.to_dict() == {"made": {"k": [1, 2]}}


def test_registering_a_taken_name_is_an_error_unless_replace() -> None:
    register_resolver("mine", lambda: 1)
    with pytest.raises(ConfigError) as caught:
        register_resolver("mine", lambda: 2)
    assert "'mine' is already registered" in str(caught.value)
    assert "replace=True" in str(caught.value)
    assert Config({"a": "$<mine:>"}).a == 1
    register_resolver("mine", lambda: 2, replace=True)
    assert Config({"a": "$<mine:>"}).a == 2


def test_registering_the_same_function_again_is_an_error_too() -> None:
    """SPEC 3: registering an existing name again is an error unless replace=True."""

    def shout(text: str) -> str:
        return text.upper()

    register_resolver("shout", shout)
    with pytest.raises(ConfigError, match="already registered"):
        register_resolver("shout", shout)
    register_resolver("shout", shout, replace=True)
    assert Config({"a": "$<shout:hi>"}).a == "HI"


@pytest.mark.parametrize("builtin", ["env", "oc.env", "now"])
def test_builtins_are_taken_names_too(builtin: str) -> None:
    with pytest.raises(ConfigError, match="already registered"):
        register_resolver(builtin, lambda *a: "x")
    register_resolver(builtin, lambda *a: "replaced", replace=True)
    assert Config({"a": f"$<{builtin}:X>"}).a == "replaced"


@pytest.mark.parametrize("name", ["select", "oc.select"])
def test_select_is_built_into_the_evaluator_and_cannot_be_replaced(name: str) -> None:
    with pytest.raises(ConfigError, match="cannot be replaced"):
        register_resolver(name, lambda *a: "x", replace=True)


@pytest.mark.parametrize(
    "name", ["", "a:b", "a,b", "a b", "$x", "a<b", "a{b", "a[0]", "a@b", "f()", ".x", "x.", "a..b", "it's", 3]
)
def test_names_that_no_interpolation_could_call_are_refused(name: Any) -> None:
    with pytest.raises(ConfigError, match="is not valid"):
        register_resolver(name, lambda: 1)


@pytest.mark.parametrize("name", ["my_res", "my-res", "ns.sub.name", "x1"])
def test_valid_names_can_be_called(name: str) -> None:
    register_resolver(name, lambda v: v + 1)
    assert Config({"a": f"$<{name}:1>"}).a == 2


def test_root_and_parent_are_passed_when_asked_for() -> None:
    got: dict[str, Any] = {}

    def both(key: str, _parent_: Any, _root_: Any) -> Any:
        got["parent"], got["root"] = _parent_, _root_
        return _parent_[key] + _root_.base

    register_resolver("both", both)
    register_resolver("kwonly", lambda *, _root_: _root_.base)
    cfg = Config({"base": 100, "model": {"width": 4, "total": "$<both:width>", "b": "$<kwonly:>"}})
    assert cfg.model.total == 104
    assert isinstance(got["parent"], Config)
    assert got["parent"].path == "model"
    assert got["root"].path == ""
    assert cfg.model.b == 100


def test_resolvers_without_root_or_parent_do_not_receive_them() -> None:
    register_resolver("strict", lambda a, b=0: (a, b))
    assert Config({"x": "$<strict:1>"}).x == (1, 0)


def test_use_cache_calls_once_per_tree_and_arguments() -> None:
    calls: list[Any] = []

    def slow(x: Any) -> Any:
        calls.append(x)
        return len(calls)

    register_resolver("slow", slow, use_cache=True)
    cfg = Config({"a": "$<slow:1>", "b": "$<slow:1>", "c": "$<slow:2>"})
    assert (cfg.a, cfg.b, cfg.a, cfg.c) == (1, 1, 1, 2)
    assert calls == [1, 2]
    assert Config({"a": "$<slow:1>"}).a == 3  # a new tree asks again
    nodes = Config({"m": {"k": 1}, "a": "$<slow:$<m>>"})
    assert nodes.a == 4
    assert nodes.a == 5  # a node argument cannot be a cache key: asked each time


def test_a_failing_resolver_is_wrapped_with_node_and_cause(tmp_path: Path) -> None:
    def broken(x: Any) -> Any:
        raise RuntimeError(f"cannot handle {x}")

    register_resolver("broken", broken)
    file = tmp_path / "c.yaml"
    file.write_text("a:\n  b: $<broken:7>\n")
    with pytest.raises(InterpolationError) as caught:
        load(file).a.b  # noqa: B018
    error = caught.value
    assert error.path == "a.b"
    assert error.source == f"{file}:2"
    assert "resolver 'broken' raised RuntimeError('cannot handle 7')" in str(error)
    assert isinstance(error.__cause__, RuntimeError)


def test_a_config_error_from_a_resolver_passes_through_located(tmp_path: Path) -> None:
    def picky(x: Any) -> Any:
        raise ConfigError(f"{x} is not allowed here")

    register_resolver("picky", picky)
    file = tmp_path / "c.yaml"
    file.write_text("k:\n  v: $<picky:9>\n")
    with pytest.raises(ConfigError) as caught:
        load(file).k.v  # noqa: B018
    assert type(caught.value) is ConfigError
    assert caught.value.path == "k.v"
    assert caught.value.source == f"{file}:2"
    assert "9 is not allowed here" in str(caught.value)


def test_unknown_resolver_names_itself_the_closest_and_the_fix(tmp_path: Path) -> None:
    file = tmp_path / "c.yaml"
    file.write_text("a: ${oc.evn:HOME}\n")
    with pytest.raises(InterpolationError) as caught:
        load(file).a  # noqa: B018
    error = caught.value
    assert error.path == "a"
    assert error.source == f"{file}:1"
    assert "unknown resolver 'oc.evn'" in str(error)
    assert "Did you mean 'oc.env'?" in str(error)
    assert "register_resolver" in str(error)


def test_resolver_names_list_every_callable_name() -> None:
    register_resolver("extra", lambda: 1)
    assert {"env", "oc.env", "now", "select", "oc.select", "extra"} <= set(resolver_names())


def test_clear_resolvers_keeps_the_builtins_only() -> None:
    register_resolver("temporary", lambda: 1)
    clear_resolvers()
    assert get_resolver("temporary") is None
    assert get_resolver("env") is not None
    assert get_resolver("now") is not None
