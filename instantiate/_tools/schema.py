"""JSON Schema (draft 2020-12) from targets' signatures, so YAML editors complete and check keys.

For a target node: ``_target_`` as a ``const``, a property per parameter typed from its
annotation (int, float, bool, str, None, Optional, Union, list, tuple, dict, Literal, Enum,
paths, dataclasses), its default, the required ones, the docstring's first paragraph as the
description, and no other keys unless the target takes ``**kwargs``. Any value may also be an
interpolation (``$<...>``/``${...}``), ``???``, or a nested target node, whose type is known only
when built. For a whole config: each key, with the target nodes described as above.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from .._build.annotations import EMPTY, Parameter, first_paragraph, parameters_of
from .._build.policy import current_policy
from .._build.registry import Registry, search_order
from .._build.registry import registry as default_registry
from .._build.targets import resolve_target
from .._build.validation import _UNIONS, dataclass_fields
from .._config.nodes import Config
from .._config.paths import Link, path_of
from .._config.provenance import MAPPINGS, SEQUENCES, source_of
from .._errors import TargetError
from .graph import contains_target, is_target_node

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INTERPOLATION = {"$ref": "#/$defs/interpolation"}
LATER = {"$ref": "#/$defs/later"}
_COMMON_DEFS = {
    "later": {
        "anyOf": [
            {"$ref": "#/$defs/interpolation"},
            {"$ref": "#/$defs/missing"},
            {"$ref": "#/$defs/target_node"},
        ],
        "description": "a value known later: an interpolation, ??? or a nested target node",
    },
    "interpolation": {
        "type": "string",
        "pattern": "^\\$[<{]",
        "description": "an interpolation, resolved when the config is read or built",
    },
    "missing": {"const": "???", "description": "a mandatory value, to be given later"},
    "target_node": {
        "type": "object",
        "required": ["_target_"],
        "properties": {"_target_": {"type": "string"}},
        "description": "a nested target node; what it builds is known only when built",
    },
}
_SPECIAL = {
    "_partial_": {"type": "boolean", "description": "build a functools.partial of the target"},
    "_recursive_": {"type": "boolean", "description": "false: pass nested nodes unbuilt"},
    "_convert_": {
        "enum": ["none", "all", "partial", "object", None],
        "description": "none: pass target-less containers as Config nodes",
    },
    "_lazy_": {"type": "boolean", "description": "build on first use"},
}
_JSON_SCALARS = (type(None), bool, int, float, str)


def target_schema(name: str, *, registry: Registry = default_registry, allow: Any = None) -> dict[str, Any]:
    """The schema of one config node for the target ``name`` (a dotted path or a registered name)."""
    builder = _SchemaBuilder(registry, allow)
    node = builder.target_ref(name, path=None, source=None)
    return {"$schema": DIALECT, "title": name, **node, "$defs": builder.defs()}


def config_schema(
    config: Any,
    *,
    title: str | None = None,
    registry: Registry = default_registry,
    allow: Any = None,
) -> dict[str, Any]:
    """The schema of a whole config: its keys, with each target node's parameters."""
    config = config if isinstance(config, Config) else Config(config)
    builder = _SchemaBuilder(registry, allow)
    root = builder.node(config._link, top=True)
    head = {"$schema": DIALECT, **({"title": title} if title else {})}
    return {**head, **root, "$defs": builder.defs()}


class _SchemaBuilder:
    """Collects one definition per target under ``$defs`` while describing a config's nodes."""

    def __init__(self, registry: Registry, allow: Any) -> None:
        self.registry = registry
        self.policy = current_policy(allow)
        self.targets: dict[str, dict[str, Any]] = {}

    def defs(self) -> dict[str, Any]:
        return {**_COMMON_DEFS, **self.targets}

    # -- a config's nodes ---------------------------------------------------------------------
    def node(self, link: Link, top: bool = False) -> dict[str, Any]:
        data = link[0]
        if is_target_node(data, link):
            return self.target_node(link, top)
        if data.__class__ in MAPPINGS:
            properties = {key: self.node((raw, key, link)) for key, raw in data.items()}
            return {"type": "object", "properties": properties} if top else {"properties": properties}
        if data.__class__ in SEQUENCES:
            if any(contains_target(item) for item in data):
                return {"prefixItems": [self.node((item, i, link)) for i, item in enumerate(data)]}
            return {}
        return {}

    def target_node(self, link: Link, top: bool) -> dict[str, Any]:
        data = link[0]
        name = data["_target_"]
        if not isinstance(name, str) or "$" in name or name == "???":
            return {} if not top else {"type": "object"}  # which target is known only when read
        schema = self.target_ref(name, path=path_of(link, "_target_"), source=source_of(data, "_target_"))
        nested = {
            key: self.node((raw, key, link))
            for key, raw in data.items()
            if key != "_target_" and contains_target(raw)
        }
        if nested:
            schema["properties"] = nested
        if top:
            return schema
        # Not anyOf: a mapping is checked against the target alone, so errors point inside it.
        return {"if": {"type": "object"}, "then": schema, "else": INTERPOLATION}

    # -- one target ---------------------------------------------------------------------------
    def target_ref(self, name: str, path: str | None, source: str | None) -> dict[str, Any]:
        """``{"$ref": ...}`` to the definition of ``name``, made on first use."""
        key = name.replace("~", "~0").replace("/", "~1")
        if name not in self.targets:
            try:
                target = resolve_target(name, search_order(self.registry), self.policy)
            except TargetError as error:
                if error.path is None:
                    error.path, error.source = path, source
                raise
            self.targets[name] = {}  # reserved first: a target whose annotation names itself
            self.targets[name] = self.definition(name, target.obj)
        return {"$ref": f"#/$defs/{key}"}

    def definition(self, name: str, obj: Any) -> dict[str, Any]:
        parameters = parameters_of(obj)
        properties: dict[str, Any] = {"_target_": {"const": name}}
        schema: dict[str, Any] = {"type": "object"}
        description = first_paragraph(obj)
        if description:
            schema["description"] = description
        if parameters is None:  # a signature that cannot be read: any keys
            properties["_args_"] = _or_interpolation({"type": "array"})
            properties.update(_SPECIAL)
            return {**schema, "properties": properties, "required": ["_target_"]}
        positional, var_positional, var_keyword = [], None, None
        for param in parameters:
            kind = param.kind.name
            if kind == "VAR_POSITIONAL":
                var_positional = param
            elif kind == "VAR_KEYWORD":
                var_keyword = param
            if param.by_position:
                positional.append(self.value(param.annotation))
            if param.by_keyword:
                properties[param.name] = self.parameter(param)
        args: dict[str, Any] = {"type": "array"}
        if positional:
            args["prefixItems"] = positional
        # No "items" next to "prefixItems": editors that read schemas as draft-07 (VS Code's YAML
        # extension) take it for every item. maxItems means the same in both drafts.
        if var_positional is None:
            args["maxItems"] = len(positional)
        elif not positional:
            args["items"] = self.value(var_positional.annotation)
        properties = {"_target_": properties.pop("_target_"), "_args_": _or_interpolation(args), **properties}
        properties.update(_SPECIAL)
        schema["properties"] = properties
        schema["required"] = ["_target_"]
        schema.update(_required(parameters))
        schema["additionalProperties"] = (
            self.value(var_keyword.annotation) if var_keyword is not None else False
        )
        return schema

    def parameter(self, param: Parameter) -> dict[str, Any]:
        schema = self.value(param.annotation)
        if param.default is not EMPTY:
            default = _json_value(param.default)
            if default is not _NOT_JSON:
                schema = {**schema, "default": default}
        return schema

    # -- annotations --------------------------------------------------------------------------
    def value(self, annotation: Any) -> dict[str, Any]:
        """What a value for ``annotation`` may be: its type, or an interpolation, ``???``, a node."""
        typed = self.type_of(annotation)
        return _or_interpolation(typed) if typed else {}

    def type_of(self, annotation: Any, depth: int = 0) -> dict[str, Any]:
        """The JSON type of ``annotation`` alone; ``{}`` when it allows anything."""
        if annotation is EMPTY or annotation is Any or annotation is object or depth > 20:
            return {}
        if isinstance(annotation, (str, typing.ForwardRef, typing.TypeVar)):
            return {}
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.type_of(args[0], depth + 1)
        if annotation is type(None) or annotation is None:
            return {"type": "null"}
        if origin in _UNIONS:
            arms = [self.type_of(arm, depth + 1) for arm in args]
            return {} if {} in arms else {"anyOf": arms}
        if origin is typing.Literal:
            return {"enum": [_json_value(a) for a in args if _json_value(a) is not _NOT_JSON]}
        if origin in (list, set, frozenset, Sequence, typing.get_origin(typing.MutableSequence[int])):
            return {"type": "array", **({"items": self.item(args[0], depth)} if args else {})}
        if origin is tuple:
            if not args or args[-1] is Ellipsis:
                return {"type": "array", **({"items": self.item(args[0], depth)} if args else {})}
            return {
                "type": "array",
                "prefixItems": [self.item(a, depth) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        if origin in (dict, Mapping, typing.get_origin(typing.MutableMapping[str, int])):
            return {"type": "object", **({"additionalProperties": self.item(args[1], depth)} if args else {})}
        if not isinstance(annotation, type):
            return {}  # a NewType, a Protocol instance, a callable type: nothing JSON can say
        if annotation is bool:
            return {"type": "boolean"}
        if annotation is int:
            return {"type": "integer"}
        if annotation is float:
            return {"type": "number"}
        if annotation is str or issubclass(annotation, PurePath):
            return {"type": "string"}
        if annotation in (list, tuple, set, frozenset):
            return {"type": "array"}
        if annotation is dict:
            return {"type": "object"}
        if issubclass(annotation, enum.Enum):
            return {"enum": _enum_values(annotation)}
        if dataclasses.is_dataclass(annotation):
            fields = dataclass_fields(annotation)
            return {
                "type": "object",
                "properties": {name: self.item(field, depth) for name, field in fields.items()},
                "additionalProperties": False,
            }
        return {"type": "object"}  # an instance of a class: a nested target node or $<@...>

    def item(self, annotation: Any, depth: int) -> dict[str, Any]:
        typed = self.type_of(annotation, depth + 1)
        return _or_interpolation(typed) if typed else {}


def _or_interpolation(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, LATER]}


def _required(parameters: list[Parameter]) -> dict[str, Any]:
    """Required keys: none with ``_partial_: true``; with ``_args_``, only keyword-only ones."""
    variadic = ("VAR_POSITIONAL", "VAR_KEYWORD")
    required = [p for p in parameters if p.default is EMPTY and p.kind.name not in variadic]
    by_keyword = [p.name for p in required if p.by_keyword]
    keyword_only = [p.name for p in required if p.kind.name == "KEYWORD_ONLY"]
    needs_args = any(p.kind.name == "POSITIONAL_ONLY" for p in required)
    without_args = by_keyword + (["_args_"] if needs_args else [])
    if not without_args:
        return {}
    given_args: dict[str, Any] = {"required": ["_args_"]}
    rule: dict[str, Any] = {"if": given_args, "else": {"required": without_args}}
    if keyword_only:
        rule["then"] = {"required": keyword_only}
    return {
        "if": {"properties": {"_partial_": {"const": True}}, "required": ["_partial_"]},
        "else": rule,
    }


_NOT_JSON: Any = object()


def _json_value(value: Any) -> Any:
    """``value`` as JSON data, or ``_NOT_JSON``."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        items = [_json_value(v) for v in value]
        return _NOT_JSON if any(i is _NOT_JSON for i in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        out = {k: _json_value(v) for k, v in value.items()}
        return _NOT_JSON if any(v is _NOT_JSON for v in out.values()) else out
    return _NOT_JSON


def _enum_values(cls: type[enum.Enum]) -> list[Any]:
    """Members by name (what configs write), then by value where that differs (also accepted)."""
    values: list[Any] = list(cls.__members__)
    for member in cls:
        value = member.value
        if isinstance(value, _JSON_SCALARS) and not isinstance(value, bool) and value not in values:
            values.append(value)
    return values


__all__ = ["DIALECT", "config_schema", "target_schema"]
