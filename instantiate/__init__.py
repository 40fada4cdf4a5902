"""instantiate: build Python objects from YAML configs, with errors that say where."""

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
    "Registry",
    "Recipe",
    "RegistryError",
    "TargetError",
    "ValidationError",
    "allowed_targets",
    "instantiate",
    "load",
    "register",
    "register_resolver",
    "registry",
]
