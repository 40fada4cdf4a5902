"""Reading YAML safely into plain containers that remember file and line of every entry.

libyaml's C parser builds the node graph (with line marks); a small constructor below turns
it into ``MarkedDict``/``MarkedList`` trees. Only the safe YAML types exist: any other tag,
``!!python/...`` above all, is an error and is never executed.
"""

from __future__ import annotations

import gc
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from .._errors import ConfigError
from .provenance import MarkedDict, MarkedList
from .recursion import allow_deep_recursion

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer as _Composer
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]
    from yaml.reader import Reader as _Reader
    from yaml.scanner import Scanner as _Scanner

    class _Parser(_Reader, _Scanner, _Parser, _Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _Reader.__init__(self, stream)
            _Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)  # type: ignore[arg-type]
            _Composer.__init__(self)


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MERGE = _TAG + "merge"
# Explicit safe tags that are rare enough to hand to PyYAML's own constructors.
# Aliases are copied, so a document could ask for exponentially many values ("billion laughs"):
# the values all alias copies would create, counted on the node graph before copying, are bounded.
ALIAS_VALUES = 1_000_000
# Python refuses to read longer decimal integers (sys.int_max_str_digits); quadratic time above.
INT_DIGITS = 4300
_OTHER_SAFE = {_TAG + t for t in ("timestamp", "binary", "set", "omap", "pairs", "map", "seq")}


class _Loader(_Parser, SafeConstructor, Resolver):
    """libyaml's parser with OmegaConf's implicit types: ``1e-3`` is a float, dates stay text."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


# The text that reads as a float; the dumper quotes such strings so they read back as text.
IMPLICIT_FLOAT = (
    _FLOAT,
    re.compile(
        r"""^(?:[-+]?[0-9]+(?:_[0-9]+)*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+)
        |\.[0-9]+(?:_[0-9]+)*(?:[eE][-+][0-9]+)?
        |[-+]?[0-9]+(?:_[0-9]+)*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(*IMPLICIT_FLOAT)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TAG + "timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, file: str | None = None) -> Any:
    """Parse YAML text into marked containers (an empty document is an empty mapping)."""
    # Reading a config allocates many objects and frees none of them: the cyclic garbage
    # collector would walk the growing tree again and again (most of the C loader's time on a
    # large file) while there is nothing to collect.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_yaml(text, file)
    finally:
        if was_enabled:
            gc.enable()


def _parse_yaml(text: str, file: str | None) -> Any:
    shown = file or "<string>"
    _check_flow_depth(text, shown)
    try:
        loader = _Loader(text)
    except UnicodeEncodeError as error:  # lone surrogates: libyaml reads UTF-8 only
        raise ConfigError(
            f"invalid YAML: the text is not valid Unicode ({error.reason})", source=shown
        ) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = f"{shown}:{mark.line + 1}" if mark else shown
            problem = " ".join(p for p in (error.context, error.problem) if p)
            raise ConfigError(f"invalid YAML: {problem}", source=line) from None
        except yaml.YAMLError as error:
            raise ConfigError(f"invalid YAML: {error}", source=shown) from None
        if node is None or node.tag == _NULL:  # no document, '---' alone, or '~': nothing set yet
            return MarkedDict(shown)
        allow_deep_recursion()
        try:
            return _Constructor(loader, shown).construct_root(node)
        except RecursionError:
            raise ConfigError("invalid YAML: collections are nested too deeply", source=shown) from None
    finally:
        loader.dispose()


class _Constructor:
    """Turns a libyaml node graph into MarkedDict/MarkedList/scalars, refusing unsafe tags."""

    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.seen: set[int] = set()
        self.in_progress: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.copied = 0

    def construct_root(self, node: Any) -> Any:
        """The document's data; refused at once if aliases would make it too big."""
        if node.__class__ is not ScalarNode and self.size(node) - len(self.sizes) > ALIAS_VALUES:
            while True:  # point at the deepest node that alone is too big
                inner = [c for c in _children(node) if self.size(c) > ALIAS_VALUES]
                if not inner:
                    break
                node = inner[0]
            raise self.error(
                node,
                f"YAML aliases here would create {self.size(node):,} values (at most "
                f"{ALIAS_VALUES:,}); this looks like an alias bomb and is refused",
                hint="write the repeated data once and refer to it with $<path> instead",
            )
        return self.construct(node)

    def construct(self, node: Any) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)
        key = id(node)
        if key in self.in_progress:
            raise self.error(node, "a YAML alias refers to a node that contains it (a cycle)")
        if key in self.seen:  # an alias: each place gets its own copy, as OmegaConf does
            self.copied += self.size(node)
            if self.copied > ALIAS_VALUES:
                raise self.error(
                    node,
                    f"YAML aliases here would create more than {ALIAS_VALUES:,} values in all; "
                    "this looks like an alias bomb and is refused",
                    hint="write the repeated data once and refer to it with $<path> instead",
                )
        self.seen.add(key)
        self.in_progress.add(key)
        if node.tag not in (_TAG + "map", _TAG + "seq"):
            result = self.other(node)
        elif cls is MappingNode:
            result = self.mapping(node)
        else:
            result = self.sequence(node)
        self.in_progress.discard(key)
        return result

    def size(self, node: Any) -> int:
        """How many values constructing ``node`` creates (a node met again inside counts 1)."""
        key = id(node)
        size = self.sizes.get(key)
        if size is None:
            self.sizes[key] = 1  # a cycle ends here; construct() refuses it
            size = 1 + sum(map(self.size, _children(node)))
            self.sizes[key] = size
        return size

    def scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _INT:
            if len(value) > INT_DIGITS and value.lstrip("+-").isdigit():
                raise self.error(
                    node,
                    f"an integer of {len(value):,} digits is too long to read "
                    f"(at most {INT_DIGITS:,} digits)",
                    hint="quote it to keep it as text",
                )
            if value.isdigit() and (value[0] != "0" or len(value) == 1):  # YAML 1.1: 0123 is octal
                return int(value)
            return self.typed(node, self.loader.construct_yaml_int)
        if tag == _FLOAT:
            try:
                return float(value)
            except ValueError:
                return self.typed(node, self.loader.construct_yaml_float)
        if tag == _BOOL:
            flag = self.loader.bool_values.get(value.lower())
            return flag if flag is not None else self.typed(node, self.loader.construct_yaml_bool)
        if tag == _NULL:
            return None
        return self.other(node)

    def mapping(self, node: MappingNode) -> MarkedDict:
        result = MarkedDict(self.file)
        lines = result.lines
        merged: list[MarkedDict] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node))
                continue
            key = self.construct(key_node)
            if key.__class__ is not str and not _hashable(key):
                raise self.error(key_node, "a mapping key must be a scalar, not a collection")
            if key in lines:
                raise self.error(
                    key_node,
                    f"duplicate key {key!r} (first at {self.file}:{lines[key]}); "
                    "each key may appear once per mapping",
                )
            result[key] = self.construct(value_node)
            lines[key] = key_node.start_mark.line + 1
        if not merged:
            return result
        # YAML merge keys as PyYAML 6.0.4 reads them: merged keys first, in the order of their
        # mappings; an earlier mapping wins over a later one, and explicit keys win over both.
        ordered = MarkedDict(self.file)
        for source in merged:
            for key, value in source.items():
                if key not in ordered:
                    ordered[key] = value
                    ordered.lines[key] = source.lines[key]
        for key, value in result.items():
            ordered[key] = value
            ordered.lines[key] = lines[key]
        return ordered

    def merge_sources(self, node: Any) -> list[MarkedDict]:
        values = [node] if isinstance(node, MappingNode) else getattr(node, "value", None)
        if not isinstance(values, list) or not all(isinstance(v, MappingNode) for v in values):
            raise self.error(node, "a merge key '<<' takes a mapping or a list of mappings")
        return [self.construct(v) for v in values]

    def sequence(self, node: SequenceNode) -> MarkedList:
        result = MarkedList(self.file)
        construct = self.construct
        result.extend(construct(item) for item in node.value)
        result.lines = [item.start_mark.line + 1 for item in node.value]
        return result

    def other(self, node: Any) -> Any:
        tag = node.tag
        if tag in _OTHER_SAFE:
            return self.typed(node, lambda n: self.loader.construct_object(n, deep=True))
        shown = tag.replace(_TAG, "!!") if tag.startswith(_TAG) else tag
        raise self.error(
            node,
            f"the YAML tag {shown} is not allowed: configs are plain data and are never "
            "executed; name a class or function with _target_ instead",
        )

    def typed(self, node: Any, construct: Any) -> Any:
        """PyYAML's own constructor for a tagged value; a value the tag does not fit is an error."""
        try:
            return construct(node)
        except (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError) as error:
            shown = node.tag.replace(_TAG, "!!")
            if isinstance(error, yaml.MarkedYAMLError):
                raise self.error(node, f"invalid {shown} value: {error.problem}") from None
            raise self.error(node, f"{node.value!r} is not a valid {shown} value") from None

    def error(self, node: Any, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(message, source=f"{self.file}:{node.start_mark.line + 1}", hint=hint)


def _children(node: Any) -> list[Any]:
    """The nodes directly inside a collection node (keys and values of a mapping)."""
    if node.__class__ is ScalarNode or not isinstance(node.value, list):
        return []
    if node.__class__ is MappingNode:
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# libyaml's composer recurses in C with no limit: ~30,000 nested [ or { overflow the C stack
# and kill the interpreter. Block-style nesting that deep would need gigabytes of indentation.
MAX_DEPTH = 10_000


def _check_flow_depth(text: str, file: str) -> None:
    """Refuse flow collections nested deeper than ``MAX_DEPTH`` before libyaml sees them."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # the common case, decided at C speed
    depth = 0
    line = 1
    for char in text:
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(
                    f"collections are nested more than {MAX_DEPTH:,} levels deep; "
                    "the YAML parser cannot read that safely",
                    source=f"{file}:{line}",
                )
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "\n":
            line += 1
