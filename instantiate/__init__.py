"""instantiate: build Python objects from YAML configs, with errors that say where."""

from ._building import instantiate
from ._errors import (
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
from ._registry import Registry, register, registry
from ._resolvers import register_resolver
from ._targets import allowed_targets

__all__ = [
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
