"""SPEC 10: one error hierarchy under ConfigError; each error carries .path and .source."""

from __future__ import annotations

import copy
import pickle
import traceback

import pytest

import instantiate
from instantiate import (
    Config,
    ConfigError,
    ConfigKeyError,
    CycleError,
    InstantiationError,
    InterpolationError,
    MissingComponentError,
    MissingValueError,
    OverrideError,
    RegistryError,
    TargetError,
    ValidationError,
)
from instantiate._errors import closest, did_you_mean

ALL_ERRORS = [
    ConfigKeyError,
    MissingValueError,
    InterpolationError,
    CycleError,
    TargetError,
    InstantiationError,
    RegistryError,
    MissingComponentError,
    OverrideError,
    ValidationError,
]


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_error_is_a_config_error_and_public(cls: type[ConfigError]) -> None:
    assert issubclass(cls, ConfigError)
    assert cls.__name__ in instantiate.__all__
    assert getattr(instantiate, cls.__name__) is cls


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ConfigKeyError, KeyError),
        (ConfigKeyError, AttributeError),
        (InterpolationError, ValueError),
        (CycleError, InterpolationError),
        (TargetError, LookupError),
        (RegistryError, LookupError),
        (MissingComponentError, LookupError),
        (OverrideError, ValueError),
        (ValidationError, ValueError),
    ],
)
def test_errors_refine_the_builtin_they_mean(cls: type[ConfigError], builtin: type[Exception]) -> None:
    """``except KeyError`` (or ValueError...) written for plain dicts keeps working."""
    assert issubclass(cls, builtin)


@pytest.mark.parametrize("cls", [ConfigError, *ALL_ERRORS])
def test_every_error_carries_path_and_source(cls: type[ConfigError]) -> None:
    error = cls("went wrong", path="model.layers[1]", source="train.yaml:7")
    assert error.path == "model.layers[1]"
    assert error.source == "train.yaml:7"
    assert error.message == "went wrong"
    bare = cls("went wrong")
    assert bare.path is None
    assert bare.source is None


def test_message_says_where_then_what_then_what_would_be_right() -> None:
    error = ConfigKeyError("no key 'lrr'.", path="optim.lrr", source="train.yaml:3", hint="use lr")
    assert str(error) == "optim.lrr (train.yaml:3): no key 'lrr'.\n  hint: use lr"


@pytest.mark.parametrize(
    ("path", "source", "shown"),
    [
        ("a.b", None, "a.b: boom"),
        ("", "f.yaml:1", "<root> (f.yaml:1): boom"),
        (None, "f.yaml:2", "f.yaml:2: boom"),
        (None, None, "boom"),
    ],
)
def test_message_prefix_for_partial_locations(path: str | None, source: str | None, shown: str) -> None:
    assert str(ConfigError("boom", path=path, source=source)) == shown


def test_config_key_error_reads_as_text_not_as_a_quoted_key() -> None:
    """KeyError's own __str__ would repr() the message; ours is the plain text."""
    error = ConfigKeyError("no key 'x'", path="x")
    assert str(error) == "x: no key 'x'"


@pytest.mark.parametrize("cls", [ConfigError, *ALL_ERRORS])
def test_errors_survive_pickling_with_their_fields(cls: type[ConfigError]) -> None:
    """Process-pool launchers send errors between processes."""
    error = cls("broke", path="a[0]", source="x.yaml:4", hint="fix it")
    error.extra = {"names": ["a", "b"]}  # type: ignore[attr-defined]
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is cls
        assert (clone.message, clone.path, clone.source, clone.hint) == (
            "broke",
            "a[0]",
            "x.yaml:4",
            "fix it",
        )
        assert clone.extra == {"names": ["a", "b"]}  # type: ignore[attr-defined]
        assert str(clone) == str(error)


@pytest.mark.parametrize("cls", [ConfigError, *ALL_ERRORS])
def test_tracebacks_show_the_public_name(cls: type[ConfigError]) -> None:
    shown = traceback.format_exception_only(cls, cls("x"))[-1]
    assert shown.startswith(f"instantiate.{cls.__name__}: ")


def test_closest_suggests_a_near_name_only() -> None:
    assert closest("lrr", ["lr", "momentum"]) == "lr"
    assert closest("zzz", ["lr", "momentum"]) is None
    assert did_you_mean("momentun", ["lr", "momentum"]) == " Did you mean 'momentum'?"
    assert did_you_mean("zzz", ["lr"]) == ""


def test_key_errors_raised_by_configs_are_caught_as_the_builtins() -> None:
    cfg = Config({"lr": 0.1})
    with pytest.raises(KeyError):
        cfg["lrr"]
    with pytest.raises(AttributeError):
        cfg.lrr  # noqa: B018
    assert not hasattr(cfg, "lrr")
    assert getattr(cfg, "lrr", "fallback") == "fallback"


def test_interpolation_errors_are_caught_as_value_errors() -> None:
    cfg = Config({"a": "$<nope>"})
    with pytest.raises(ValueError):
        cfg.a  # noqa: B018
