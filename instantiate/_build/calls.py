"""What went wrong in a build: a failing target call, or nodes that need each other.

Shared by the builder and by compiled plans, so both report a failing target the same way.
"""

from __future__ import annotations

from .._config.paths import Link, node_source, path_of
from .._config.provenance import MAPPINGS, source_of
from .._errors import CycleError, InstantiationError

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


def target_failed(name: str, link: Link, error: Exception) -> InstantiationError:
    """The error for an exception raised by the target ``name`` of the node at ``link``."""
    return InstantiationError(
        f"{name}(...) raised {type(error).__name__}: {error}",
        path=path_of(link),
        source=node_source(link),
        hint="the error came from the target itself; its traceback is the __cause__ above",
    )


def build_cycle(building: dict[int, Link], key: int, link: Link) -> CycleError:
    """Nodes under construction (``building``, in order) of which ``key`` is asked for again."""
    ids = list(building)
    chain = [path_of(building[i]) or "<root>" for i in ids[ids.index(key) :]]
    chain.append(path_of(link) or "<root>")
    return CycleError(
        "these nodes need each other to be built first: " + " -> ".join(chain),
        path=path_of(link),
        source=node_source(link),
        hint="break the cycle: one of them must not refer to the other with $<@...>",
    )


def targets_around(link: Link | None, top: Link | None) -> list[Link]:
    """The links of the ``_target_`` nodes from the walk's ``top`` link down to ``link``,
    outermost first: in a walk that no reference entered, the nodes being built there."""
    chain = []
    while link is not None:
        node = link[0]
        if node.__class__ in MAPPINGS and "_target_" in node:
            chain.append(link)
        if link is top:
            break
        link = link[2]
    chain.reverse()
    return chain


def data_cycle(link: Link, top: Link | None) -> CycleError | None:
    """The error for data that holds itself (a dict with ``_target_`` inside itself), found on
    the walk's links down to ``link`` as ``build_cycle`` finds it when every node is recorded."""
    building: dict[int, Link] = {}
    for outer in targets_around(link, top):
        key = id(outer[0])
        if key in building:
            return build_cycle(building, key, outer)
        building[key] = outer
    return None


def copy_cycle(copying: dict[int, tuple[Link, Any]], copied: int, holder: Link, key: Any, raw: str) -> CycleError:
    """A plain ``$<path>`` at ``holder[0][key]`` copies a node (``copied``) that holds it."""
    ids = list(copying)
    chain = [path_of(*copying[i]) for i in ids[ids.index(copied) :]]
    chain.append(path_of(holder, key))
    return CycleError(
        f"interpolation cycle: {' -> '.join(chain)}: {raw} copies a node that holds this reference",
        path=path_of(holder, key),
        source=source_of(holder[0], key),
        hint="a plain $<path> builds a copy of what it names, so it cannot sit inside it",
    )
