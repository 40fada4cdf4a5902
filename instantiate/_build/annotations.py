"""The parameters of a target with their annotations resolved, for tools that read a signature.

``check`` compares config values with these annotations and ``schema`` turns them into JSON
Schema. Annotations written as strings (``from __future__ import annotations``) are evaluated in
the target's own module, one at a time, so one unresolvable name leaves only that parameter
unchecked; what cannot be resolved stays a string, which ``check_value`` treats as unknown.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any, NamedTuple

EMPTY: Any = inspect.Parameter.empty


class Parameter(NamedTuple):
    """One parameter: ``annotation`` and ``default`` are ``EMPTY`` when not written."""

    name: str
    kind: Any  # an inspect.Parameter kind
    annotation: Any
    default: Any

    @property
    def by_keyword(self) -> bool:
        return self.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)

    @property
    def by_position(self) -> bool:
        return self.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def parameters_of(obj: Any) -> list[Parameter] | None:
    """``obj``'s parameters in order, or None when its signature cannot be read."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    namespace: dict[str, Any] | None = None
    out = []
    for param in signature.parameters.values():
        annotation = param.annotation
        if isinstance(annotation, str):
            if namespace is None:
                namespace = _namespace(obj)
            annotation = _evaluated(annotation, namespace)
        out.append(Parameter(param.name, param.kind, annotation, param.default))
    return out


def first_paragraph(obj: Any) -> str | None:
    """The first paragraph of ``obj``'s docstring, on one line."""
    doc = inspect.getdoc(obj)
    if not doc:
        return None
    paragraph = doc.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines()) or None


def _namespace(obj: Any) -> dict[str, Any]:
    """The names a string annotation of ``obj`` may use: its function's globals and its module's."""
    namespace: dict[str, Any] = {}
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    if module is not None:
        namespace.update(vars(module))
    function = getattr(obj, "__init__", None) if isinstance(obj, type) else obj
    function = inspect.unwrap(function) if callable(function) else function
    namespace.update(getattr(function, "__globals__", {}))
    if isinstance(obj, type):
        namespace.setdefault(obj.__name__, obj)
    return namespace


def _evaluated(annotation: str, namespace: dict[str, Any]) -> Any:
    try:
        # The text comes from the target's own source, already trusted by importing it.
        return eval(annotation, dict(namespace))
    except Exception:  # a name only a type checker knows, or syntax newer than this Python
        return annotation


__all__ = ["EMPTY", "Parameter", "first_paragraph", "parameters_of"]
