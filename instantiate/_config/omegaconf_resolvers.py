"""Resolvers registered with OmegaConf, honoured for a tree read from an OmegaConf config.

A codebase moving from Hydra registers its resolvers with ``OmegaConf.register_new_resolver``;
a DictConfig handed to ``instantiate`` may use them. Only such a tree looks here (so omegaconf
is never imported otherwise), and only for names this library does not know itself.
"""

from __future__ import annotations

from typing import Any

from .paths import Link, link_keys
from .resolvers import Resolver


class OmegaConfResolvers:
    """Looks a resolver name up among OmegaConf's, for the OmegaConf config rooted at ``root``."""

    __slots__ = ("root",)

    def __init__(self, root: Any) -> None:
        self.root = root

    def __call__(self, name: str, holder: Link, key: Any) -> Resolver | None:
        from omegaconf import OmegaConf

        wrapper = OmegaConf._get_resolver(name)
        if wrapper is None:
            return None
        root = self.root

        def call(*args: Any) -> Any:
            # OmegaConf passes _parent_, _node_ and _root_ as its own nodes, to the resolvers
            # that ask for them: the nodes of the user's config at the same place.
            parent = _node_at(root, link_keys(holder))
            node: Any = parent._get_node(key) if parent is not None else None
            result = wrapper(root, parent, node, args, tuple(map(str, args)))
            if type(result).__module__.startswith("omegaconf"):  # oc.create and the like
                return OmegaConf.to_container(result, resolve=True)
            return result

        return Resolver(call, False, False, False)


def _node_at(root: Any, keys: list[Any]) -> Any:
    """The OmegaConf container at ``keys`` below ``root`` (None where its tree has none)."""
    from omegaconf import OmegaConf

    node = root
    for key in keys:
        try:
            node = node._get_node(key)
        except Exception:  # a place call-time arguments made: OmegaConf's tree does not have it
            return None
        if not OmegaConf.is_config(node):
            return None
    return node
