"""instantiate: build Python objects from YAML configs, with errors that say where."""

from typing import Any

from ._build.api import instantiate
from ._build.policy import allowed_targets, trust_config
from ._build.recipe import Recipe
from ._build.registry import Registry, register, registry
from ._config.nodes import Config, load
from ._config.resolvers import register_resolver
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
from ._run.app import main

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
    "trust_config",
]


def __getattr__(name: str) -> Any:
    """Composition is imported on first use, so ``import instantiate`` stays cheap."""
    if name == "compose":
        from ._compose.compose import compose

        return compose
    if name == "store":
        from ._compose.store import store

        return store
    raise AttributeError(f"module 'instantiate' has no attribute {name!r}")
