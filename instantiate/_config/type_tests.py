"""Type tests that import nothing: no object is a dataclass, an enum member or a path before
``dataclasses``, ``enum`` or ``pathlib`` has been imported, so until then the answer is no.

Start-up (see benchmarks/startup.py): each of those modules costs more to import than a small
run spends composing its config.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


def is_dataclass(value: Any) -> bool:
    """``dataclasses.is_dataclass(value)``: a dataclass or an instance of one."""
    module = sys.modules.get("dataclasses")
    return module is not None and bool(module.is_dataclass(value))


def is_dataclass_type(value: Any) -> bool:
    """Whether ``value`` is a dataclass (the class itself, not an instance)."""
    return isinstance(value, type) and is_dataclass(value)


def is_enum(value: Any) -> bool:
    """Whether ``value`` is an enum member."""
    module = sys.modules.get("enum")
    return module is not None and isinstance(value, module.Enum)


def is_path(value: Any) -> bool:
    """Whether ``value`` is a ``pathlib.PurePath``."""
    module = sys.modules.get("pathlib")
    return module is not None and isinstance(value, module.PurePath)


def is_any(annotation: Any) -> bool:
    """Whether an annotation says nothing: ``object`` or ``typing.Any``."""
    if annotation is object:
        return True
    module = sys.modules.get("typing")
    return module is not None and annotation is module.Any


__all__ = ["is_any", "is_dataclass", "is_dataclass_type", "is_enum", "is_path"]
