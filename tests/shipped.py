"""The default registry, resolvers and config store as shipped, restored after a test or a docs page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from instantiate._build import registry as _registry
from instantiate._compose.store import clear_store
from instantiate._config.resolvers import clear_resolvers


@contextmanager
def shipped_state() -> Iterator[None]:
    """Undo the registrations, resolvers and stored configs made inside the block."""
    saved = dict(_registry.registry._objects)
    try:
        yield
    finally:
        _registry.registry._objects.clear()
        _registry.registry._objects.update(saved)
        _registry.registry.forget_plugins()
        clear_resolvers()
        clear_store()
