"""instantiate: build Python objects from YAML configs, with errors that say where."""

from typing import Any

from ._app import main
from ._building import instantiate
from ._errors import (
    CloseError,
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
from ._nodes import Config, load
from ._recipe import Recipe
from ._registry import Registry, register, registry
from ._resolvers import register_resolver
from ._targets import allowed_targets

__all__ = [
    "CloseError",
    "Config",
    "ConfigError",
    "ConfigKeyError",
    "CycleError",
    "InstantiationError",
    "InterpolationError",
    "MissingComponentError",
    "MissingValueError",
    "OverrideError",
    "Recipe",
    "Registry",
    "RegistryError",
    "TargetError",
    "ValidationError",
    "allowed_targets",
    "compose",
    "instantiate",
    "load",
    "main",
    "register",
    "register_resolver",
    "registry",
    "store",
]


def __getattr__(name: str) -> Any:
    """Composition is imported on first use, so ``import instantiate`` stays cheap."""
    if name == "compose":
        from ._composition import compose

        return compose
    if name == "store":
        from ._schema import store

        return store
    raise AttributeError(f"module 'instantiate' has no attribute {name!r}")
