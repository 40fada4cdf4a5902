"""The public entry point of building: ``instantiate``, over the default registry."""

from __future__ import annotations


from .builder import build
from .registry import Registry, search_order

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
