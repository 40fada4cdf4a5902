"""instantiate: build Python objects from YAML configs, with errors that say where."""

from __future__ import annotations

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

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:  # the lazy names below, for type checkers and the API docs
    from typing import Any

    from ._build.api import call, get_class, get_method, get_object, instantiate
    from ._build.policy import allowed_targets, trust_config
    from ._build.recipe import Recipe
    from ._build.registry import Registry, register, registry
    from ._compose.compose import compose
    from ._compose.store import store
    from ._run.run_info import get_original_cwd, run_info, to_absolute_path


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
    "call",
    "compose",
    "get_class",
    "get_method",
    "get_object",
    "get_original_cwd",
    "instantiate",
    "load",
    "main",
    "register",
    "register_resolver",
    "registry",
    "run_info",
    "store",
    "to_absolute_path",
    "trust_config",
]

# imported on first use, so ``import instantiate`` stays cheap (a run that builds nothing never
# loads the builder): name -> module
_LAZY = {
    "instantiate": "._build.api",
    "allowed_targets": "._build.policy",
    "trust_config": "._build.policy",
    "Recipe": "._build.recipe",
    "Registry": "._build.registry",
    "register": "._build.registry",
    "registry": "._build.registry",
    "compose": "._compose.compose",
    "store": "._compose.store",
    "call": "._build.api",
    "get_class": "._build.api",
    "get_method": "._build.api",
    "get_object": "._build.api",
    "run_info": "._run.run_info",
    "get_original_cwd": "._run.run_info",
    "to_absolute_path": "._run.run_info",
}


def __getattr__(name: str) -> Any:
    """The builder, composition, the run's helpers and the version are read on first use."""
    if name == "__version__":
        from ._version import version

        return version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'instantiate' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
