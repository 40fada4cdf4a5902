"""Recipe: lazy cached components, sharing through $<@...>, errors, threads, and closing."""

from __future__ import annotations

import pickle
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from instantiate import Config, Registry, allowed_targets, register
from instantiate._build.recipe import Recipe
from instantiate._errors import (
    CloseError,
    ConfigError,
    CycleError,
    InstantiationError,
    InterpolationError,
    MissingComponentError,
    MissingValueError,
    TargetError,
)

HERE = __name__


# -- targets the configs below build --------------------------------------------------------
calls: list[str] = []  # constructor calls and closes, in order, across a test
closed: list[str] = []


@pytest.fixture(autouse=True)
def _fresh_logs() -> Iterator[None]:
    calls.clear()
    closed.clear()
    yield


class Model:
    def __init__(self, width: int = 4) -> None:
        calls.append("Model")
        self.width = width
        self.weights = [0.0] * width

    def parameters(self) -> list[float]:
        return self.weights


class Optimizer:
    def __init__(self, params: Any, lr: float = 0.1) -> None:
        calls.append("Optimizer")
        self.params = params
        self.lr = lr


class Scheduler:
    def __init__(self, optimizer: Optimizer, step: int = 1) -> None:
        calls.append("Scheduler")
        self.optimizer = optimizer


class Closable:
    """Has close(); ``fail`` makes close raise; ``also_exit`` makes it a context manager too."""

    def __init__(self, name: str, fail: bool = False, needs: Any = None) -> None:
        calls.append(name)
        self.name = name
        self.fail = fail

    def close(self) -> None:
        closed.append(self.name)
        if self.fail:
            raise RuntimeError(f"{self.name} would not close")


class ClosableAndManager(Closable):
    def __enter__(self) -> ClosableAndManager:
        return self

    def __exit__(self, *exc: object) -> None:
        closed.append(f"{self.name} via __exit__")


class Manager:
    """A context manager without close(): closed by __exit__(None, None, None)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.exit_args: tuple[object, ...] | None = None

    def __enter__(self) -> Manager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.exit_args = exc
        closed.append(self.name)


class Flaky:
    """Raises on the first ``failures`` constructions, then works."""

    failures = 0

    def __init__(self) -> None:
        calls.append("Flaky")
        if Flaky.failures > 0:
            Flaky.failures -= 1
            raise ValueError("flaky hardware")


class Slow:
    built = 0
    lock = threading.Lock()

    def __init__(self, delay: float = 0.05) -> None:
        with Slow.lock:
            Slow.built += 1
        time.sleep(delay)  # widen the window in which other threads also ask


def class_of(value: Any) -> type:
    return type(value)


def broken(lr: float) -> None:
    raise ValueError(f"learning rate must be positive, got {lr}")


def train_config() -> dict[str, Any]:
    return {
        "model": {"_target_": f"{HERE}.Model", "width": 3},
        "optimizer": {"_target_": f"{HERE}.Optimizer", "params": "$<@model:parameters()>", "lr": 0.5},
        "scheduler": {"_target_": f"{HERE}.Scheduler", "optimizer": "$<@optimizer>"},
        "epochs": 3,
    }


class Train(Recipe):
    required = ("model", "optimizer")


# -- lazy and cached ------------------------------------------------------------------------
def test_nothing_is_built_until_asked_then_each_component_once() -> None:
    r = Train(train_config())
    assert calls == []
    model = r.model
    assert calls == ["Model"]
    assert r.model is model and r["model"] is model
    assert calls == ["Model"]


def test_references_share_the_recipes_own_components_whichever_is_asked_first() -> None:
    r = Train(train_config())
    scheduler = r.scheduler  # builds optimizer, which builds model
    assert calls == ["Model", "Optimizer", "Scheduler"]
    assert scheduler.optimizer is r.optimizer
    assert r.optimizer.params is r.model.weights
    assert calls == ["Model", "Optimizer", "Scheduler"]

    r = Train(train_config())
    model = r["model"]
    assert r["optimizer"].params is model.weights


def test_built_lists_components_in_build_order_including_those_built_through_references() -> None:
    r = Train(train_config())
    assert dict(r.built) == {}
    _ = r.scheduler
    assert list(r.built) == ["model", "optimizer", "scheduler"]
    assert r.built["optimizer"] is r.optimizer
    with pytest.raises(TypeError):
        r.built["model"] = None  # type: ignore[index]


def test_build_builds_named_components_or_all_and_returns_them() -> None:
    r = Train(train_config())
    got = r.build("optimizer")
    assert list(got) == ["optimizer"] and got["optimizer"] is r.optimizer
    everything = r.build()
    assert list(everything) == ["model", "optimizer", "scheduler", "epochs"]
    assert everything["epochs"] == 3
    assert calls == ["Model", "Optimizer", "Scheduler"]


def test_plain_value_components_are_returned_built() -> None:
    cfg = {
        "data": {"features": 8, "name": "toy"},
        "features": "$<data.features>",
        "label": "run-$<data.name>",
        "layers": [{"_target_": f"{HERE}.Model", "width": 2}, 5],
        "model": {"_target_": f"{HERE}.Model"},
        "same_model": "$<@model>",
    }
    r = Recipe(cfg)
    assert r.data == {"features": 8, "name": "toy"}
    assert r.features == 8 and r.label == "run-toy"
    assert isinstance(r.layers[0], Model) and r.layers[1] == 5
    assert r.same_model is r.model
    assert r.layers is r.layers  # cached like any other component


def test_names_and_membership() -> None:
    r = Train(train_config())
    assert r.names() == ["model", "optimizer", "scheduler", "epochs"]
    assert "scheduler" in r and "loss" not in r
    assert repr(r) == "<Train: model, optimizer, scheduler, epochs>"
    _ = r.model
    assert repr(r) == "<Train: model (built), optimizer, scheduler, epochs>"


def test_accepts_a_config_node_and_snapshots_it() -> None:
    cfg = Config(train_config())
    r = Train(cfg)
    cfg.model.width = 99  # later edits to the caller's config do not reach the recipe
    del cfg["optimizer"]
    assert r.model.width == 3
    assert r.optimizer.params is r.model.weights


def test_a_sub_node_keeps_its_paths_and_reaches_outside_values() -> None:
    cfg = Config.from_yaml(
        "sizes: {width: 6}\n"
        "run:\n"
        "  model: {_target_: " + HERE + ".Model, width: $<sizes.width>}\n"
        "  optimizer: {_target_: " + HERE + ".Optimizer, params: '$<@..model:parameters()>'}\n"
        "  broken: {_target_: " + HERE + ".broken, lr: -1}\n",
        file="train.yaml",
    )
    r = Train(cfg.run)
    assert r.model.width == 6
    assert r.optimizer.params is r.model.weights
    with pytest.raises(InstantiationError) as info:
        _ = r.broken
    assert info.value.path == "run.broken"
    assert info.value.source == "train.yaml:5"


def test_a_custom_registry_is_looked_up_first() -> None:
    models = Registry("models")
    models.register("tiny", Model)
    r = Recipe({"model": {"_target_": "tiny", "width": 1}}, registry=models)
    assert isinstance(r.model, Model)


def test_a_hydra_dictconfig_is_accepted() -> None:
    omegaconf = pytest.importorskip("omegaconf")
    cfg = omegaconf.OmegaConf.create(train_config())
    r = Train(cfg)
    assert r.optimizer.params is r.model.weights


# -- required and unknown names ---------------------------------------------------------------
def test_every_missing_required_component_is_listed_at_construction() -> None:
    class Full(Recipe):
        required = ("model", "optimizer", "loss", "train_loader")

    with pytest.raises(MissingComponentError) as info:
        Full({"model": {"_target_": f"{HERE}.Model"}, "optimizer": "???"})
    message = str(info.value)
    assert "optimizer, loss, train_loader" in message  # ??? counts as not set
    assert "Full" in message and "it has: model, optimizer" in message
    assert calls == []  # nothing built by the check
    assert isinstance(info.value, ConfigError) and isinstance(info.value, LookupError)


def test_required_must_be_a_tuple_of_names() -> None:
    with pytest.raises(TypeError, match=r"required must be a tuple of component names"):

        class Oops(Recipe):
            required = "model"  # type: ignore[assignment]  # a string, not a tuple

    with pytest.raises(TypeError):

        class Oops2(Recipe):
            required = ("model", 3)  # type: ignore[assignment]


def test_unknown_component_names_the_closest_and_lists_the_rest() -> None:
    r = Train(train_config())
    with pytest.raises(MissingComponentError) as info:
        _ = r.optimiser
    message = str(info.value)
    assert "no component 'optimiser'" in message
    assert "Did you mean 'optimizer'?" in message
    assert "Components: model, optimizer, scheduler, epochs" in message
    assert info.value.path == "optimiser"
    # it is the builtin errors a user would catch for a missing attribute or key
    assert isinstance(info.value, AttributeError) and isinstance(info.value, KeyError)
    assert getattr(r, "loss", None) is None and not hasattr(r, "loss")
    with pytest.raises(KeyError):
        r["loss"]
    with pytest.raises(MissingComponentError, match=r"'loss', 'data'"):
        r.build("model", "loss", "data")
    assert calls == []  # build() checks every name before building any
    with pytest.raises(AttributeError):
        _ = r._private


def test_a_list_or_scalar_is_not_a_recipe_config() -> None:
    with pytest.raises(ConfigError, match="mapping of component configs"):
        Recipe(Config([1, 2]))
    with pytest.raises(ConfigError, match="not int"):
        Recipe(3)


def test_a_missing_value_inside_a_component_names_its_path() -> None:
    r = Recipe({"model": {"_target_": f"{HERE}.Model", "width": "???"}, "x": 1})
    with pytest.raises(MissingValueError) as info:
        _ = r.model
    assert info.value.path == "model.width"
    assert r.x == 1


# -- errors while building ---------------------------------------------------------------------
BROKEN_YAML = f"""\
model:
  _target_: {HERE}.Model
optimizer:
  _target_: {HERE}.broken
  lr: -1
loss:
  _target_: {HERE}.Model
"""


def test_a_raising_constructor_names_the_component_and_its_path_and_the_rest_still_works() -> None:
    r = Recipe(Config.from_yaml(BROKEN_YAML, file="train.yaml"))
    with pytest.raises(InstantiationError) as info:
        _ = r.optimizer
    error = info.value
    assert error.path == "optimizer" and error.source == "train.yaml:3"
    assert "recipe component 'optimizer'" in str(error)
    assert "learning rate must be positive" in str(error)
    assert error.component == "optimizer"  # type: ignore[attr-defined]
    assert isinstance(error.__cause__, ValueError)
    assert isinstance(r.model, Model) and isinstance(r.loss, Model)
    assert "optimizer" not in r.built
    with pytest.raises(InstantiationError):  # still failing: not cached as built
        _ = r.optimizer


def test_a_failed_component_is_retried_on_the_next_access() -> None:
    Flaky.failures = 1
    r = Recipe({"device": {"_target_": f"{HERE}.Flaky"}})
    with pytest.raises(InstantiationError, match="flaky hardware"):
        _ = r.device
    device = r.device
    assert isinstance(device, Flaky) and r.device is device
    assert calls == ["Flaky", "Flaky"]


def test_a_failing_dependency_is_reported_at_its_own_path_and_its_dependents_stay_unbuilt() -> None:
    cfg = {
        "model": {"_target_": f"{HERE}.broken", "lr": 0},
        "optimizer": {"_target_": f"{HERE}.Optimizer", "params": "$<@model:parameters()>"},
        "epochs": 2,
    }
    r = Recipe(cfg)
    with pytest.raises(InstantiationError) as info:
        _ = r.optimizer
    assert info.value.path == "model"
    assert "recipe component 'optimizer'" in str(info.value)
    assert dict(r.built) == {}
    assert r.epochs == 2


def test_a_refused_or_unknown_target_is_a_target_error_naming_the_component() -> None:
    r = Recipe({"model": {"_target_": "no_such_module_xyz.Model"}})
    with pytest.raises(TargetError) as info:
        _ = r.model
    assert info.value.path == "model._target_"
    assert "recipe component 'model'" in str(info.value)


def test_a_reference_cycle_raises_cycle_error_naming_the_chain() -> None:
    cfg = {
        "a": {"_target_": f"{HERE}.Closable", "name": "a", "needs": "$<@b>"},
        "b": {"_target_": f"{HERE}.Closable", "name": "b", "needs": "$<@a>"},
        "c": {"_target_": f"{HERE}.Closable", "name": "c"},
    }
    r = Recipe(cfg)
    with pytest.raises(CycleError) as info:
        _ = r.a
    assert "a -> b -> a" in str(info.value)
    assert isinstance(info.value, InterpolationError)
    with pytest.raises(CycleError, match="b -> a -> b"):  # and again: no state left behind
        _ = r.b
    assert r.c.name == "c"
    assert calls == ["c"]


def test_a_plain_reference_cycle_between_values_is_a_cycle_error_too() -> None:
    r = Recipe({"a": "$<b>", "b": "$<a>", "ok": 1})
    with pytest.raises(CycleError):
        _ = r.a
    assert r.ok == 1


# -- safety ---------------------------------------------------------------------------------
def test_allow_refuses_other_targets_before_importing_them() -> None:
    cfg = {"model": {"_target_": f"{HERE}.Model"}, "evil": {"_target_": "not_imported_module_q.run"}}
    r = Recipe(cfg, allow=[f"{HERE}.*"])
    assert isinstance(r.model, Model)
    with pytest.raises(TargetError, match="not allowed") as info:
        _ = r.evil
    assert "not_imported_module_q" not in sys.modules
    assert info.value.path == "evil._target_"


def test_allow_matches_registered_names_and_their_real_module_qualname() -> None:
    register("tiny_model", Model)
    cfg = {"model": {"_target_": "tiny_model"}}
    assert isinstance(Recipe(cfg, allow=["tiny_*"]).model, Model)
    assert isinstance(Recipe(cfg, allow=f"{HERE}.Model").model, Model)
    with pytest.raises(TargetError, match="not allowed"):
        _ = Recipe(cfg, allow=["torch.*"]).model
    # an alias is judged by where it really leads: os.path.join is posixpath.join (or ntpath)
    alias = {"join": {"_target_": "os.path.join", "_args_": ["a", "b"]}}
    with pytest.raises(TargetError, match="really"):
        _ = Recipe(alias, allow=["os.*"]).join


def test_the_policy_in_force_at_construction_governs_builds_in_other_threads() -> None:
    with allowed_targets("torch.*"):
        r = Recipe({"model": {"_target_": f"{HERE}.Model"}})
    errors: list[BaseException] = []

    def build() -> None:
        try:
            _ = r.model
        except TargetError as error:
            errors.append(error)

    thread = threading.Thread(target=build)  # contextvars do not follow into new threads
    thread.start()
    thread.join()
    assert len(errors) == 1 and calls == []


# -- threads --------------------------------------------------------------------------------
@pytest.mark.parametrize("threads", [32, 64])
def test_concurrent_first_access_builds_a_component_exactly_once(threads: int) -> None:
    Slow.built = 0
    cfg = {
        "slow": {"_target_": f"{HERE}.Slow", "delay": 0.05},
        "user": {"_target_": f"{HERE}.Optimizer", "params": "$<@slow>"},
    }
    r = Recipe(cfg)
    start = threading.Barrier(threads)
    got: list[Any] = [None] * threads
    failures: list[BaseException] = []

    def ask(i: int) -> None:
        try:
            start.wait()
            got[i] = r.slow if i % 2 else r.user.params  # both routes reach the one object
        except BaseException as error:  # pragma: no cover - shown by the assertion below
            failures.append(error)

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert Slow.built == 1
    assert all(obj is got[0] for obj in got) and isinstance(got[0], Slow)
    assert calls == ["Optimizer"]


# -- closing --------------------------------------------------------------------------------
def closables(*names: str, fail: tuple[str, ...] = ()) -> dict[str, Any]:
    return {n: {"_target_": f"{HERE}.Closable", "name": n, "fail": n in fail} for n in names}


def test_leaving_the_block_closes_built_components_in_reverse_build_order() -> None:
    cfg = closables("a", "b", "c", "unused")
    cfg["c"]["needs"] = "$<@a>"
    with Recipe(cfg) as r:
        _ = r.b
        _ = r.c  # builds a first
    assert list(r.built) == ["b", "a", "c"]
    assert closed == ["c", "a", "b"]  # never-built "unused" is not built just to close it
    assert calls == ["b", "a", "c"]


def test_each_object_is_closed_at_most_once() -> None:
    cfg = {**closables("a"), "alias": "$<@a>"}
    r = Recipe(cfg)
    assert r.alias is r.a
    r.close()
    r.close()
    with r:
        pass
    assert closed == ["a"]


def test_close_prefers_close_then_uses_a_context_managers_exit() -> None:
    cfg = {
        "manager": {"_target_": f"{HERE}.Manager", "name": "manager"},
        "both": {"_target_": f"{HERE}.ClosableAndManager", "name": "both"},
        "number": 3,
        "cls": {"_target_": f"{HERE}.class_of", "_args_": [Closable("unused")]},
    }
    with Recipe(cfg) as r:
        r.build()
    assert closed == ["both", "manager"]
    assert r.manager.exit_args == (None, None, None)


def test_every_close_is_attempted_and_failures_are_reported_together() -> None:
    with pytest.raises(CloseError) as info, Recipe(closables("a", "b", "c", "d", fail=("b", "d"))) as r:
        r.build()
    error = info.value
    assert closed == ["d", "c", "b", "a"]  # a and c were closed despite b and d failing
    assert [name for name, _ in error.failures] == ["d", "b"]
    assert "closing 2 recipe component(s) failed" in str(error)
    assert "d: RuntimeError: d would not close" in str(error)
    assert "b: RuntimeError: b would not close" in str(error)
    assert error.__cause__ is error.failures[0][1]
    assert isinstance(error, ConfigError)
    if sys.version_info >= (3, 11):
        assert isinstance(error, ExceptionGroup)  # noqa: F821
        assert [str(e) for e in error.exceptions] == ["d would not close", "b would not close"]
    r.close()  # already closed, failures included: nothing is retried
    assert closed == ["d", "c", "b", "a"]


def test_a_close_error_can_be_pickled_once_exported() -> None:
    import instantiate

    if not hasattr(instantiate, "CloseError"):
        pytest.skip("instantiate does not export CloseError yet")
    error = CloseError("closing failed", [("a", RuntimeError("x"))])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.failures[0][0] == "a" and str(copy) == "closing failed"


def test_an_error_in_the_block_wins_and_close_failures_ride_along_as_a_note() -> None:
    with pytest.raises(KeyError) as info, Recipe(closables("a", fail=("a",))) as r:
        _ = r.a
        raise KeyError("the real problem")
    assert closed == ["a"]
    notes = getattr(info.value, "__notes__", [])
    assert any("a: RuntimeError: a would not close" in note for note in notes)
