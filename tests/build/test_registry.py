"""Registries (SPEC §5): code registrations, lookups, errors, and building with a registry.

Plugins published through entry points are covered with the plugin issue; here the groups
hold nothing of ours, so every name comes from code.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import sample_targets as st

import instantiate
from instantiate import (
    ConfigError,
    Registry,
    RegistryError,
    TargetError,
    register,
    registry,
)


def test_register_forms() -> None:
    @register
    class ResNet:
        pass

    @register("resnet18")
    def resnet18(pretrained: bool = False) -> tuple[str, bool]:
        return "resnet18", pretrained

    @register()
    def bare() -> str:
        return "bare"

    returned = register("point", st.Point)
    assert returned is st.Point
    assert registry.get("ResNet") is ResNet
    assert registry.get("resnet18") is resnet18 and resnet18() == ("resnet18", False)  # still the function
    assert registry.get("bare") is bare
    assert registry.get("point") is st.Point


def test_registered_names_build() -> None:
    register("point", st.Point)
    register("wrap", st.Wrapper)
    built = instantiate.instantiate({"_target_": "wrap", "inner": {"_target_": "point", "x": 1}})
    assert built == st.Wrapper(st.Point(1))


def test_default_registry() -> None:
    assert instantiate.registry is registry
    assert repr(registry) == "instantiate.Registry('instantiate', entry_points='instantiate.targets')"


def test_contains_and_names() -> None:
    register("point", st.Point)
    assert "point" in registry and "nope" not in registry and 5 not in registry
    assert "point" in registry.names()
    assert registry.names() == sorted(registry.names())


def test_unknown_name_lists_names_and_the_closest() -> None:
    register("resnet18", st.Model)
    register("resnet50", st.Model)
    with pytest.raises(RegistryError) as info:
        registry.get("resnet19")
    message = str(info.value)
    assert "'resnet19'" in message and "Did you mean 'resnet18'?" in message
    assert "Available names:" in message and "resnet50" in message
    assert isinstance(info.value, LookupError) and isinstance(info.value, ConfigError)
    assert registry.lookup("resnet19") is None


def test_taken_name_with_another_object_is_an_error() -> None:
    register("model", st.Linear)
    with pytest.raises(RegistryError) as info:
        register("model", st.Point)
    message = str(info.value)
    assert "'model'" in message and "sample_targets.Linear" in message and "sample_targets.Point" in message
    assert registry.get("model") is st.Linear


def test_taken_name_with_the_same_object_is_fine() -> None:
    register("model", st.Linear)
    register("model", st.Linear)
    assert registry.get("model") is st.Linear


def test_replace_true_replaces() -> None:
    register("model", st.Linear)
    register("model", st.Point, replace=True)
    assert registry.get("model") is st.Point

    @register("model", replace=True)
    def other() -> None:
        pass

    assert registry.get("model") is other


def test_different_lambdas_under_one_name_are_an_error() -> None:
    register("fn", lambda: 1)
    with pytest.raises(RegistryError):
        register("fn", lambda: 2)


def test_different_closures_under_one_name_are_an_error() -> None:
    def make(value: int):  # type: ignore[no-untyped-def]
        def made() -> int:
            return value

        return made

    register("fn", make(1))
    with pytest.raises(RegistryError):
        register("fn", make(2))


def test_a_re_executed_definition_replaces_its_older_self() -> None:
    # A module reload or a re-run notebook cell defines the "same" class again: same module and
    # qualname, a new object. Refusing it would make every re-run fail.
    namespace_one: dict[str, object] = {"__name__": "notebook"}
    namespace_two: dict[str, object] = {"__name__": "notebook"}
    exec("class Net:\n    pass\n", namespace_one)
    exec("class Net:\n    pass\n", namespace_two)
    register(namespace_one["Net"])
    register(namespace_two["Net"])
    assert registry.get("Net") is namespace_two["Net"]


@pytest.mark.parametrize("name", ["", None, 5])
def test_bad_names(name: object) -> None:
    with pytest.raises(RegistryError):
        register(name, st.Point)
    assert st.Point not in [registry.lookup(n) for n in registry.names()]


def test_object_without_a_name_needs_an_explicit_one() -> None:
    with pytest.raises(RegistryError, match="explicit name"):
        register(st.Linear(1, 2))


def test_unregister() -> None:
    register("point", st.Point)
    registry.unregister("point")
    assert "point" not in registry
    with pytest.raises(TargetError):
        instantiate.instantiate({"_target_": "point"})
    registry.unregister("never-registered")  # forgetting an unknown name is not an error


def test_find_tells_where_a_target_was_defined() -> None:
    register("linear", st.Linear)
    found = registry.find("linear")
    source = Path(st.__file__)
    line = next(
        i for i, text in enumerate(source.read_text().splitlines(), 1) if text.startswith("class Linear(")
    )
    assert found == {"module": "sample_targets", "file": str(source), "line": line}
    assert inspect.getsourcefile(st.Linear) == found["file"]


def test_find_for_an_object_without_source() -> None:
    register("length", len)
    assert registry.find("length") == {"module": "builtins", "file": None, "line": None}


def test_registration_made_after_a_failed_lookup_is_seen() -> None:
    with pytest.raises(TargetError):
        instantiate.instantiate({"_target_": "late"})
    register("late", st.Point)
    assert instantiate.instantiate({"_target_": "late"}) == st.Point()


def test_replacement_is_seen_by_later_builds() -> None:
    register("thing", st.Point)
    assert instantiate.instantiate({"_target_": "thing"}) == st.Point()
    register("thing", st.ReLU, replace=True)
    assert instantiate.instantiate({"_target_": "thing"}) == st.ReLU()


# -- a registry of one's own --------------------------------------------------------------------
def test_own_registry() -> None:
    models = Registry("models", entry_points="myproj.models")
    assert repr(models) == "instantiate.Registry('models', entry_points='myproj.models')"
    assert models.register("mlp", st.Linear) is st.Linear
    assert models.get("mlp") is st.Linear and "mlp" in models
    assert "mlp" not in registry
    assert models.build({"_target_": "mlp", "in_features": 1, "out_features": 2}) == st.Linear(1, 2)
    with pytest.raises(TargetError):
        instantiate.instantiate({"_target_": "mlp"})


def test_own_registry_build_falls_back_to_default_names_and_paths() -> None:
    models = Registry("models")
    models.register("wrap", st.Wrapper)
    register("point", st.Point)
    built = models.build(
        {"_target_": "wrap", "inner": {"_target_": "point", "x": 1}},
    )
    assert built == st.Wrapper(st.Point(1))
    assert models.build({"_target_": "sample_targets.ReLU"}) == st.ReLU()


def test_own_registry_names_come_first() -> None:
    models = Registry("models")
    models.register("net", st.Point)
    register("net", st.ReLU)
    assert models.build({"_target_": "net"}) == st.Point()
    assert instantiate.instantiate({"_target_": "net"}) == st.ReLU()


def test_own_registry_build_takes_call_time_arguments() -> None:
    models = Registry("models")
    models.register("net", st.Holder)
    cfg = {"_target_": "net", "_args_": [1], "k": 2}
    assert models.build(cfg, 9, k=3) == st.Holder(9, k=3)
    assert cfg == {"_target_": "net", "_args_": [1], "k": 2}


def test_own_registry_errors() -> None:
    models = Registry("models")
    models.register("mlp", st.Linear)
    with pytest.raises(RegistryError, match=r"registry 'models' has no 'mpl'\. Did you mean 'mlp'"):
        models.get("mpl")
    with pytest.raises(RegistryError, match="registry 'models'"):
        models.register("mlp", st.Point)
    with pytest.raises(TargetError, match="Did you mean 'mlp'"):
        models.build({"_target_": "mpl"})


def test_registries_do_not_share_names() -> None:
    one, two = Registry("one"), Registry("two")
    one.register("x", st.Point)
    assert "x" not in two and two.lookup("x") is None
    assert two.names() == []
