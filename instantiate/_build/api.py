"""The public entry point of building: ``instantiate``, over the default registry."""

from __future__ import annotations


from .._errors import TargetError
from .builder import build
from .registry import Registry, search_order
from .policy import current_policy, effective, judge_object, refused
from .targets import resolve_target

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


def instantiate(config: Any, *args: Any, **kwargs: Any) -> Any:
    """Build the object ``config`` describes; nested ``_target_`` nodes are built first.

    Positionals replace ``_args_``; keywords override the node's keys for this call only (a
    mapping given for a key whose node has a ``_target_`` merges into it), and are passed as
    they are. The config itself is never changed.
    """
    return build(config, args, kwargs, search_order(), None)


def instantiate_with(
    config: Any,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    registry: Registry | None = None,
    allow: Any = None,
) -> Any:
    """``instantiate`` with a registry to look names up in first and extra allowed patterns."""
    return build(config, args, kwargs, search_order(registry), allow)


call = instantiate  # Hydra's hydra.utils.call: the same as instantiate


def get_object(path: str) -> Any:
    """The object a dotted path names (a class, function, constant, module), judged by the
    policy in force before anything is imported (Hydra's ``hydra.utils.get_object``)."""
    import importlib

    policy = effective(current_policy())
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        if not policy.may_import(module):
            raise refused("get_object: module", module, policy, path=path)
        try:
            obj: Any = importlib.import_module(module)
        except ImportError:
            continue
        for depth, attr in enumerate(parts[cut:], cut):
            if not hasattr(obj, attr):
                raise TargetError(f"cannot find {path!r}: {'.'.join(parts[:depth])} has no attribute {attr!r}")
            obj = getattr(obj, attr)
        judge_object(obj, policy, f"get_object({path!r})")
        return obj
    raise TargetError(f"cannot find {path!r}: no module {parts[0]!r} can be imported", path=path)


def get_class(path: str) -> type:
    """The class ``path`` names; TargetError when it names something else (``hydra.utils.get_class``)."""
    obj = resolve_target(path, search_order(), current_policy()).obj  # registered names too
    if not isinstance(obj, type):
        raise TargetError(f"{path!r} names {type(obj).__name__} {obj!r}, not a class", path=path)
    return obj


def get_method(path: str) -> Any:
    """The callable ``path`` names; TargetError when it is not one (``hydra.utils.get_method``)."""
    return resolve_target(path, search_order(), current_policy()).obj  # refuses what cannot be called
