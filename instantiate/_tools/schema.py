"""JSON Schema (draft 2020-12) for YAML editors, from the targets' signatures.

Every node may be any known target: the schema dispatches on the node's own ``_target_``
(``if``/``then`` on a ``const``), so switching a target or inserting a list item is checked
against the target now written there, with no schema to regenerate. Known targets are those
named in the config (and in ``extra_targets``, such as the other files of its config directory),
registered names, and the names installed plugins publish. For each target: ``_target_`` as a
``const``, a property per parameter typed from its annotation (int, float, bool, str, None,
Optional, Union, list, tuple, dict, Literal, Enum, paths, dataclasses; a class means a nested
target node), described by its type, default and what the docstring says of it (numpy, Google or
reST sections), the required ones, and no other keys unless the target takes ``**kwargs``. Any
value may also be an interpolation (``$<...>``/``${...}``), ``???``, or a nested target node.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Iterable, Mapping, Sequence
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
from .._errors import ConfigError, TargetError
from .docstrings import ParameterDoc, parameter_docs
from .graph import is_target_node

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TARGET = {"$ref": "#/$defs/target"}  # any target node, checked against its own _target_
VALUE = {"$ref": "#/$defs/value"}
LATER = {"$ref": "#/$defs/later"}
_COMMON_DEFS: dict[str, Any] = {
    "value": {
        "description": "a config value; a node with _target_ is checked against that target",
        "if": {"type": "object", "required": ["_target_"]},
        "then": TARGET,
        "else": {
            "if": {"type": "array"},
            "then": {"items": VALUE},
            "else": {"if": {"type": "object"}, "then": {"additionalProperties": VALUE}},
        },
    },
    "later": {  # if/then, not anyOf: a node is checked against its target alone, so errors point inside it
        "if": {"type": "object"},
        "then": TARGET,
        "else": {"anyOf": [{"$ref": "#/$defs/interpolation"}, {"$ref": "#/$defs/missing"}]},
        "description": "a value known later: an interpolation, ??? or a nested target node",
    },
    "interpolation": {
        "type": "string",
        "pattern": "^\\$[<{]",
        "description": "an interpolation, resolved when the config is read or built",
    },
    "missing": {"const": "???", "description": "a mandatory value, to be given later"},
}
_SPECIAL = {
    "_partial_": {"type": "boolean", "description": "true: build a functools.partial of the target"},
    "_recursive_": {"type": "boolean", "description": "false: pass nested nodes unbuilt"},
    "_convert_": {
        "enum": ["none", "all", "partial", "object", None],
        "description": "none: pass target-less containers as Config nodes",
    },
    "_lazy_": {"type": "boolean", "description": "true: build on first use"},
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
    extra_targets: Iterable[str] = (),
) -> dict[str, Any]:
    """A schema for the files of a config: any node may be any known target, checked against it.

    A target named in ``config`` that cannot be found is a ``TargetError``; one of
    ``extra_targets`` (or a registered name) that cannot be found is left out.
    """
    config = config if isinstance(config, Config) else Config(config)
    builder = _SchemaBuilder(registry, allow)
    for name, path, source in _named_targets(config._link):
        builder.target_ref(name, path=path, source=source)
    registered = [n for reg in search_order(registry) for n in reg.names()]
    for name in [*extra_targets, *registered]:
        builder.optional_target(name)
    head = {"$schema": DIALECT, **({"title": title} if title else {})}
    return {**head, **VALUE, "$defs": builder.defs()}


def targets_in_directory(directory: str) -> list[str]:
    """The literal ``_target_`` names written in the YAML files under ``directory`` (its groups).

    A group option not chosen by the composed config is still a target its nodes may switch to.
    Files that do not parse are passed over: ``check`` is the tool that reports them.
    """
    import os

    from .._config.yaml_cache import load_file

    names: dict[str, None] = {}
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "__")))
        for file in sorted(files):
            if file.endswith((".yaml", ".yml")):
                try:
                    data = load_file(os.path.join(folder, file))
                except ConfigError:
                    continue
                names.update((name, None) for name, _, _ in _named_targets((data, None, None)))
    return list(names)


def _named_targets(link: Link) -> Iterable[tuple[str, str, str | None]]:
    """``(name, path, file:line)`` of every literal ``_target_`` in the tree, in config order."""
    data = link[0]
    if data.__class__ in MAPPINGS:
        if is_target_node(data, link):
            name = data["_target_"]
            if isinstance(name, str) and "$" not in name and name != "???":
                yield name, path_of(link, "_target_"), source_of(data, "_target_")
        for key, raw in data.items():
            if raw.__class__ in MAPPINGS or raw.__class__ in SEQUENCES:
                yield from _named_targets((raw, key, link))
    elif data.__class__ in SEQUENCES:
        for i, raw in enumerate(data):
            yield from _named_targets((raw, i, link))


class _SchemaBuilder:
    """Collects one definition per target under ``$defs``, and the dispatch over them."""

    def __init__(self, registry: Registry, allow: Any) -> None:
        self.registry = registry
        self.policy = current_policy(allow)
        self.targets: dict[str, dict[str, Any]] = {}
        self.left_out: set[str] = set()

    def defs(self) -> dict[str, Any]:
        return {**_COMMON_DEFS, "target": self.dispatch(), **{_key(n): d for n, d in self.targets.items()}}

    def dispatch(self) -> dict[str, Any]:
        """Any target node: a known ``_target_`` is completed, and selects the keys checked."""
        names = list(self.targets)
        described = {
            "description": "what to build: a registered name, module:qualname or a dotted path",
        }
        schema: dict[str, Any] = {"type": "object", "required": ["_target_"]}
        if not names:
            schema["properties"] = {"_target_": {"type": "string", **described}}
            return schema
        known: dict[str, Any] = {"enum": names}
        summaries = [self.targets[n]["properties"]["_target_"].get("description", "") for n in names]
        if any(summaries):
            known["enumDescriptions"] = summaries
        schema["properties"] = {"_target_": {"anyOf": [known, {"type": "string"}], **described}}
        schema["allOf"] = [
            {
                "if": {"properties": {"_target_": {"const": name}}, "required": ["_target_"]},
                "then": {"$ref": f"#/$defs/{_key(name)}"},
            }
            for name in names
        ]
        return schema

    # -- one target ---------------------------------------------------------------------------
    def target_ref(self, name: str, path: str | None, source: str | None) -> dict[str, Any]:
        """``{"$ref": ...}`` to the definition of ``name``, made on first use."""
        if name not in self.targets:
            try:
                target = resolve_target(name, search_order(self.registry), self.policy)
            except TargetError as error:
                if error.path is None:
                    error.path, error.source = path, source
                raise
            self.targets[name] = {}  # reserved first: a target whose annotation names itself
            self.targets[name] = self.definition(name, target.obj)
        return {"$ref": f"#/$defs/{_key(name)}"}

    def optional_target(self, name: str) -> None:
        """Describe ``name`` too where it can be found and is allowed; otherwise leave it out."""
        if name in self.targets or name in self.left_out:
            return
        try:
            self.target_ref(name, path=None, source=None)
        except Exception:  # a plugin that fails to import is no reason for the schema to fail
            self.targets.pop(name, None)
            self.left_out.add(name)

    def definition(self, name: str, obj: Any) -> dict[str, Any]:
        parameters = parameters_of(obj)
        summary = first_paragraph(obj)
        target: dict[str, Any] = {"const": name}
        if summary:
            target["description"] = summary
        schema: dict[str, Any] = {"type": "object"}
        if summary:
            schema["description"] = summary
        properties: dict[str, Any] = {"_target_": target}
        if parameters is None:  # a signature that cannot be read: any keys
            properties["_args_"] = _or_interpolation({"type": "array", "items": VALUE})
            properties.update(_SPECIAL)
            return {**schema, "properties": properties, "required": ["_target_"]}
        docs = parameter_docs(obj)
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
                properties[param.name] = self.parameter(param, docs.get(param.name))
        args: dict[str, Any] = {"type": "array"}
        if positional:
            args["prefixItems"] = positional
        # No "items" next to "prefixItems": editors that read schemas as draft-07 take it for
        # every item. maxItems means the same in both drafts.
        if var_positional is None:
            args["maxItems"] = len(positional)
        elif not positional:
            args["items"] = self.value(var_positional.annotation)
        args_doc = _signature_line(parameters)
        properties = {
            "_target_": properties.pop("_target_"),
            "_args_": {**_or_interpolation(args), "description": f"positional arguments: {args_doc}"},
            **properties,
        }
        properties.update(_SPECIAL)
        schema["properties"] = properties
        schema["required"] = ["_target_"]
        schema.update(_required(parameters))
        schema["additionalProperties"] = (
            self.value(var_keyword.annotation) if var_keyword is not None else False
        )
        return schema

    def parameter(self, param: Parameter, doc: ParameterDoc | None) -> dict[str, Any]:
        """The schema of one keyword, described as ``type, default: what the docstring says``."""
        schema = dict(self.value(param.annotation))
        default = _NOT_JSON
        if param.default is not EMPTY:
            default = _json_value(param.default)
            if default is not _NOT_JSON:
                schema["default"] = default
        type_text = annotation_text(param.annotation) if param.annotation is not EMPTY else ""
        type_text = type_text or (doc.type if doc else "")
        default_text = "required" if param.default is EMPTY else f"default {_shown_default(param.default)}"
        text = doc.text if doc else ""
        head = ", ".join(part for part in (type_text, default_text) if part)
        schema["description"] = f"{head}: {text}" if text else head
        markdown = f"`{param.name}: {type_text}`" if type_text else f"`{param.name}`"
        markdown += (
            f" ({default_text})" if param.default is EMPTY else f" = `{_shown_default(param.default)}`"
        )
        schema["markdownDescription"] = f"{markdown}\n\n{text}" if text else markdown
        return schema

    # -- annotations --------------------------------------------------------------------------
    def value(self, annotation: Any) -> dict[str, Any]:
        """What a value for ``annotation`` may be: its type, or an interpolation, ``???``, a node."""
        typed = self.type_of(annotation)
        return _or_interpolation(typed) if typed else VALUE

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
            return {"type": "array", "items": VALUE}
        if annotation is dict:
            return {"type": "object", "additionalProperties": VALUE}
        if issubclass(annotation, enum.Enum):
            return {"enum": _enum_values(annotation)}
        if dataclasses.is_dataclass(annotation):
            fields = dataclass_fields(annotation)
            return {
                "type": "object",
                "properties": {name: self.item(field, depth) for name, field in fields.items()},
                "additionalProperties": False,
            }
        return TARGET  # an instance of a class: a nested target node (or $<@...>)

    def item(self, annotation: Any, depth: int) -> dict[str, Any]:
        typed = self.type_of(annotation, depth + 1)
        return _or_interpolation(typed) if typed else VALUE


def _or_interpolation(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or a value known later; a list or mapping is checked against ``schema`` alone.

    ``if``/``then`` rather than ``anyOf`` where the kind of value tells which applies: an error
    then points inside the list or mapping instead of at "not valid under any of the schemas".
    """
    if schema is TARGET:
        return LATER
    kind = schema.get("type")
    if kind == "array":
        return {"if": {"type": "array"}, "then": schema, "else": LATER}
    if kind == "object":
        return {"if": {"type": "object", "not": {"required": ["_target_"]}}, "then": schema, "else": LATER}
    return {"anyOf": [schema, LATER]}


def _key(name: str) -> str:
    """``name`` as a JSON pointer token under ``$defs``."""
    return name.replace("~", "~0").replace("/", "~1")


def annotation_text(annotation: Any) -> str:
    """An annotation as a reader writes it: ``int``, ``float | Tensor``, ``Optional[int]``."""
    if annotation is EMPTY:
        return ""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__qualname__
    text = repr(annotation).replace("typing.", "").replace("NoneType", "None")
    return text


def _shown_default(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return value.name
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _signature_line(parameters: list[Parameter]) -> str:
    """The positional parameters, as ``_args_`` gives them: ``in_features, out_features, ...``."""
    names = [
        ("*" + p.name) if p.kind.name == "VAR_POSITIONAL" else p.name
        for p in parameters
        if p.by_position or p.kind.name == "VAR_POSITIONAL"
    ]
    return ", ".join(names) or "none"


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


__all__ = ["DIALECT", "annotation_text", "config_schema", "target_schema", "targets_in_directory"]
