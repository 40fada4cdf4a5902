"""What a Recipe is built from: whatever ``instantiate`` takes as a mapping of components
(a mapping, a Config, a dataclass or attrs class or instance, an OmegaConf DictConfig, also one
made from a structured config), read the same way and refused with the same errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import attrs
import pytest
from omegaconf import MISSING, OmegaConf

from instantiate import Config, ConfigError, InstantiationError, MissingValueError, instantiate
from instantiate._build.recipe import Recipe
from instantiate._errors import MissingComponentError

HERE = __name__
closed: list[str] = []


class Model:
    def __init__(self, width: int = 4) -> None:
        self.width = width
        self.weights = [0.0] * width

    def parameters(self) -> list[float]:
        return self.weights

    def close(self) -> None:
        closed.append("model")


class Optimizer:
    def __init__(self, params: Any, lr: float = 0.1) -> None:
        self.params = params
        self.lr = lr

    def close(self) -> None:
        closed.append("optimizer")


@dataclass
class ModelConf:
    _target_: str = f"{HERE}.Model"
    width: int = 3


@dataclass
class OptimizerConf:
    _target_: str = f"{HERE}.Optimizer"
    params: Any = "$<@model:parameters()>"
    lr: float = 0.5


@dataclass
class TrainConf:
    model: ModelConf = field(default_factory=ModelConf)
    optimizer: OptimizerConf = field(default_factory=OptimizerConf)
    epochs: int = 2
    tags: list[str] = field(default_factory=lambda: ["a"])


@attrs.define
class AttrsModel:
    _target_: str = f"{HERE}.Model"
    width: int = 5


@attrs.define
class AttrsTrain:
    model: AttrsModel = attrs.Factory(AttrsModel)
    optimizer: dict[str, Any] = attrs.Factory(
        lambda: {"_target_": f"{HERE}.Optimizer", "params": "$<@model:parameters()>"}
    )


class Train(Recipe):
    required = ("model", "optimizer")


def shape(built: dict[str, Any]) -> dict[str, Any]:
    """Built components in comparable form: each object as its class and attributes."""
    out: dict[str, Any] = {}
    for name, value in built.items():
        if isinstance(value, Optimizer):
            out[name] = ("Optimizer", value.params, value.lr)
        elif isinstance(value, Model):
            out[name] = ("Model", value.width)
        else:
            out[name] = value
    return out


INPUTS: dict[str, Callable[[], Any]] = {
    "dataclass instance": TrainConf,
    "dataclass class": lambda: TrainConf,
    "attrs instance": AttrsTrain,
    "attrs class": lambda: AttrsTrain,
    "structured DictConfig": lambda: OmegaConf.structured(TrainConf),
    "structured DictConfig merged": lambda: OmegaConf.merge(
        OmegaConf.structured(TrainConf), {"model": {"width": 7}}
    ),
    "dict of dataclasses": lambda: {"model": ModelConf(), "optimizer": OptimizerConf()},
    "Config holding dataclasses": lambda: Config({"model": ModelConf(), "optimizer": OptimizerConf()}),
}


@pytest.mark.parametrize("make", INPUTS.values(), ids=INPUTS.keys())
def test_a_recipe_builds_what_instantiate_builds_from_the_same_input(make: Callable[[], Any]) -> None:
    r = Train(make())
    assert r.optimizer.params is r.model.weights  # $<@model> in the optimizer is the component
    assert shape(r.build()) == shape(instantiate(make()))
    assert list(r.built)[:2] == ["model", "optimizer"]  # the model was built first, for the optimizer


@pytest.mark.parametrize("make", INPUTS.values(), ids=INPUTS.keys())
def test_components_given_as_structured_configs_are_closed_last_built_first(make: Callable[[], Any]) -> None:
    closed.clear()
    with Train(make()) as r:
        _ = r.optimizer  # builds the model on the way
    assert closed == ["optimizer", "model"]


def test_a_structured_config_is_copied_so_later_edits_do_not_reach_the_recipe() -> None:
    cfg = TrainConf()
    r = Train(cfg)
    cfg.model.width = 99
    cfg.tags.append("b")
    assert r.model.width == 3
    assert r.tags == ["a"]
    assert cfg.tags == ["a", "b"]  # the caller's instance is not changed by the recipe


def test_an_unset_field_of_a_structured_config_is_a_missing_required_component() -> None:
    @dataclass
    class NoOptimizer:
        model: ModelConf = field(default_factory=ModelConf)
        optimizer: Any = MISSING

    with pytest.raises(MissingComponentError, match=r"does not set: optimizer \(it has: model, optimizer\)"):
        Train(NoOptimizer())


def test_errors_name_the_same_path_as_instantiate() -> None:
    @dataclass
    class NoWidth:
        _target_: str = f"{HERE}.Model"
        width: int = MISSING

    @dataclass
    class Broken:
        model: NoWidth = field(default_factory=NoWidth)
        optimizer: OptimizerConf = field(default_factory=OptimizerConf)

    with pytest.raises(MissingValueError) as theirs:
        instantiate(Broken())
    r = Train(Broken())
    with pytest.raises(MissingValueError) as ours:
        _ = r.optimizer
    assert theirs.value.path == "Broken.model.width"
    assert ours.value.path == theirs.value.path
    assert ours.value.component == "optimizer"  # type: ignore[attr-defined]


def test_an_unannotated_target_is_refused_as_instantiate_refuses_it() -> None:
    @dataclass
    class Unannotated:
        _target_ = f"{HERE}.Model"  # a class attribute, not a field
        width: int = 1

    @dataclass
    class Holder:
        model: Unannotated = field(default_factory=Unannotated)
        optimizer: OptimizerConf = field(default_factory=OptimizerConf)

    for config in (Holder(), {"model": Unannotated(), "optimizer": OptimizerConf()}):
        with pytest.raises(InstantiationError, match="without a type annotation") as theirs:
            instantiate(config)
        with pytest.raises(InstantiationError, match="without a type annotation") as ours:
            Train(config)
        assert str(ours.value) == str(theirs.value)


def test_a_node_taken_out_of_a_dictconfig_still_reaches_outside_it_with_omegaconf_resolvers() -> None:
    OmegaConf.register_new_resolver("p2_double", lambda x: 2 * int(x), replace=True)
    cfg = OmegaConf.create(
        {
            "sizes": {"width": 4},
            "run": {
                "model": {"_target_": f"{HERE}.Model", "width": "${p2_double:${sizes.width}}"},
                "optimizer": {"_target_": f"{HERE}.Optimizer", "params": "$<@..model:parameters()>"},
            },
        }
    )
    assert instantiate(cfg.run.model).width == 8
    r = Train(cfg.run)
    assert r.model.width == 8
    assert r.optimizer.params is r.model.weights


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: [{"_target_": f"{HERE}.Model"}], "needs a mapping of component configs, not a list"),
        (lambda: ({"_target_": f"{HERE}.Model"},), "needs a mapping of component configs, not a list"),
        (lambda: OmegaConf.create([1, 2]), "needs a mapping of component configs, not a list"),
        (lambda: Config([1, 2]), "needs a mapping of component configs, not a list"),
        (lambda: 3, "from a mapping of component configs, not int"),
        (lambda: "model", "from a mapping of component configs, not str"),
        (lambda: None, "from a mapping of component configs, not None"),
        (lambda: OmegaConf.create(None), "from a mapping of component configs, not None"),
        (lambda: Model(), "from a mapping of component configs, not Model"),
    ],
    ids=["list", "tuple", "ListConfig", "Config list", "int", "str", "None", "DictConfig None", "object"],
)
def test_what_is_not_a_mapping_of_components_is_a_config_error(make: Callable[[], Any], message: str) -> None:
    instantiate(make())  # instantiate takes it, as a value or a list to build
    with pytest.raises(ConfigError, match=message):
        Train(make())
