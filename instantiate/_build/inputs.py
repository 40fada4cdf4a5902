"""What ``instantiate`` accepts, turned into the builder's input: raw config containers.

Plain dicts and lists are read in place. Structured configs (dataclass or attrs classes and
instances) become dicts of their fields, as Hydra reads them; other mappings and sequences
become dicts and lists. Only the foreign levels are copied: a plain container that holds
nothing foreign is kept as it is. OmegaConf nodes are read whole, from their root, with the
resolvers registered with OmegaConf; omegaconf is imported only for an OmegaConf input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._config.interpolation import Tree
from .._config.nodes import Config
from .._config.paths import Link
from .._config.provenance import MAPPINGS, SEQUENCES, copy_data
from .._errors import InstantiationError
from .structured import field_values, is_structured, structured_name

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any

_PLAIN = frozenset({str, int, float, bool, type(None), bytes})
_NOT_CONTAINERS = (str, bytes, bytearray, memoryview)


def tree_and_link(config: Any) -> tuple[Tree | None, Any]:
    """The tree ``config`` belongs to and its place in it; ``(None, value)`` for a plain value."""
    if isinstance(config, Config):
        return config._tree, config._link
    cls = config.__class__
    if cls in MAPPINGS or cls in SEQUENCES:
        tree = Tree(config)  # plain data is read in place, never copied
        return tree, tree.link
    if is_omegaconf(config):
        return omegaconf_tree(config)
    fields = structured_fields(config)
    if fields is not None:
        tree = Tree(fields)
        tree.link = (fields, structured_name(config), None)  # errors say TreeConf.left.value
        return tree, tree.link
    if isinstance(config, (Mapping, list, tuple)):
        tree = Tree(as_data(config))
        return tree, tree.link
    return None, config


def is_omegaconf(value: Any) -> bool:
    """A DictConfig or ListConfig (or another OmegaConf node), judged without importing omegaconf."""
    return type(value).__module__.startswith("omegaconf")


def omegaconf_tree(config: Any) -> tuple[Tree | None, Any]:
    """The whole OmegaConf config as a tree, and ``config``'s place in it.

    A node taken out of a DictConfig (``cfg.model``) still belongs to its config, and its
    ``${...}`` references may reach outside it, as they do in OmegaConf. A node holding None
    (``OmegaConf.create(None)``) is the value None.
    """
    from omegaconf import OmegaConf

    from .._config.omegaconf_resolvers import OmegaConfResolvers

    if config._is_none():
        return None, None
    keys = []
    root = config
    while root._get_parent() is not None:
        keys.append(root._key())
        root = root._get_parent()
    tree = Tree(OmegaConf.to_container(root, resolve=False))
    tree.resolvers = OmegaConfResolvers(root)
    link = tree.link
    for key in reversed(keys):
        link = (link[0][key], key, link)
    return tree, link


def is_foreign(value: Any) -> bool:
    """Is ``value`` config data the builder does not read in place (a structured config, a Mapping)?"""
    if value.__class__ in _PLAIN:
        return False
    if isinstance(value, Config) or is_omegaconf(value):
        return True
    if is_structured(value):
        return True
    if isinstance(value, type):
        return False
    return isinstance(value, Mapping) or (
        isinstance(value, Sequence) and not isinstance(value, _NOT_CONTAINERS)
    )


def as_data(value: Any) -> Any:
    """``value`` as raw config data; plain containers holding nothing foreign are not copied."""
    cls = value.__class__
    if cls in _PLAIN:
        return value
    if cls in MAPPINGS:
        out = None
        for key, item in value.items():
            converted = as_data(item)
            if converted is not item:
                if out is None:
                    out = dict(value)
                out[key] = converted
        return value if out is None else out
    if cls in SEQUENCES or cls is tuple:
        items = [as_data(item) for item in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items
    if isinstance(value, Config) or is_omegaconf(value):
        return value  # a node of its own tree: the walk builds it there
    fields = structured_fields(value)
    if fields is not None:
        return fields
    if isinstance(value, type):
        return value
    if isinstance(value, Mapping):
        return {key: as_data(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, _NOT_CONTAINERS):
        return [as_data(item) for item in value]
    return value


def unbuilt(raw: Any, tree: Tree, link: Link) -> Any:
    """A structured config, Mapping or OmegaConf node for ``_recursive_: false``: a Config node.

    Like the plain containers there, it is a copy (a Config node is passed as it is); one of
    this tree keeps ``link``, so references outside it still resolve.
    """
    if isinstance(raw, Config):
        return raw
    if is_omegaconf(raw):
        other, at = omegaconf_tree(raw)
        return None if other is None else Config._view(other, at)
    data = as_data(raw)
    if data.__class__ in MAPPINGS or data.__class__ in SEQUENCES:
        return Config._view(tree, (copy_data(data), link[1], link[2]))
    return data


# -- structured configs -----------------------------------------------------------------------
def structured_fields(value: Any) -> dict[str, Any] | None:
    """A dataclass or attrs class or instance as a dict of its fields, read as config data
    (None for anything else); a class gives its defaults, and ``???`` for a field without one.
    """
    names_values = field_values(value)
    if names_values is None:
        return None
    cls = value if isinstance(value, type) else value.__class__
    if "_target_" not in names_values and hasattr(cls, "_target_"):
        raise InstantiationError(
            f"{cls.__name__} sets _target_ without a type annotation, so it is a class attribute, "
            "not a field, and the config has no target",
            path=cls.__name__,
            hint=f'annotate it: _target_: str = "{getattr(cls, "_target_", "...")}"',
        )
    return {name: as_data(item) for name, item in names_values.items()}
