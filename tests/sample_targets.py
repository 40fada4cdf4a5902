"""Importable targets for the building tests (``_target_: sample_targets.X``).

Classes compare by value (``__eq__``) so results from our ``instantiate`` and Hydra's can be
compared directly.
"""

from __future__ import annotations

import enum
import os  # noqa: F401  (re-exported on purpose: ``sample_targets.os.system`` must still be refused)
from typing import Any, Literal

NOT_CALLABLE = 42


class _Value:
    """Equality by type and attributes; a readable repr for assertion messages."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Linear(_Value):
    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features = in_features
        self.out_features = out_features
        self.bias = bias


class ReLU(_Value):
    pass


class Sequential(_Value):
    def __init__(self, *layers: Any) -> None:
        self.layers = list(layers)


class Wrapper(_Value):
    """Holds one thing; nests to any depth."""

    def __init__(self, inner: Any = None) -> None:
        self.inner = inner


class Point(_Value):
    def __init__(self, x: Any = 0, y: Any = 0) -> None:
        self.x = x
        self.y = y


class Holder(_Value):
    """Records exactly what it was called with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs


class Counted:
    """Counts its constructions, to prove a node is built once."""

    count = 0

    def __init__(self, name: str = "") -> None:
        type(self).count += 1
        self.name = name


class Needs:
    """Takes another object, so sharing can be checked by identity."""

    def __init__(self, first: Any = None, second: Any = None) -> None:
        self.first = first
        self.second = second


class Logged:
    """Appends its name to ``Logged.log`` when built, to show the order of construction."""

    log: list[str] = []

    def __init__(self, name: str, *children: Any, **named: Any) -> None:
        Logged.log.append(name)
        self.name = name
        self.children = children
        self.named = named


class Boom:
    def __init__(self, message: str = "boom") -> None:
        raise ValueError(message)


class Outer:
    class Inner(_Value):
        def __init__(self, value: int = 0) -> None:
            self.value = value

        class Deepest(_Value):
            pass


class Model(_Value):
    def __init__(self, name: str, layers: int = 1) -> None:
        self.name = name
        self.layers = layers

    @classmethod
    def from_pretrained(cls, name: str, layers: int = 2) -> Model:
        return cls(f"pretrained-{name}", layers)

    @staticmethod
    def default_name() -> str:
        return "default"


def add(a: int, b: int) -> int:
    return a + b


def two(a: Any, b: Any) -> tuple[Any, Any]:
    return a, b


def keyword_only(*, a: Any, b: Any = 1) -> tuple[Any, Any]:
    return a, b


def positional_only(a: Any, /, b: Any = 1) -> tuple[Any, Any]:
    return a, b


def positional_only_and_keywords(a: Any, /, **kwargs: Any) -> tuple[Any, Any]:
    return a, kwargs


def required_and_keywords(a: Any, **kwargs: Any) -> tuple[Any, Any]:
    return a, kwargs


def identity(value: Any) -> Any:
    return value


def build_later(config: Any) -> Any:
    """A target that builds part of its own config (given unbuilt with ``_recursive_: false``)."""
    from instantiate import instantiate

    return instantiate(config)


def set_x(node: Any) -> Any:
    """A target that changes the node it is given."""
    node["x"] = 99
    return node


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Typed(_Value):
    """Annotated parameters, for the build-time checks against a signature."""

    def __init__(
        self,
        classes: int = 1,
        rate: float = 0.5,
        flag: bool = False,
        label: str = "",
        limit: int | None = None,
        mode: Literal["train", "eval"] = "train",
        color: Color = Color.RED,
        model: Any = None,
    ) -> None:
        self.classes, self.rate, self.flag, self.label = classes, rate, flag, label
        self.limit, self.mode, self.color, self.model = limit, mode, color, model


# -- the shapes of Hydra's own instantiate tests (tests/instantiate in facebookresearch/hydra) --
class Tree(_Value):
    def __init__(self, value: Any, left: Any = None, right: Any = None) -> None:
        self.value = value
        self.left = left
        self.right = right


class Compose(_Value):
    def __init__(self, transforms: Any) -> None:
        self.transforms = transforms


class CenterCrop(_Value):
    def __init__(self, size: int) -> None:
        self.size = size


class Rotation(_Value):
    def __init__(self, degrees: int) -> None:
        self.degrees = degrees


class Lookup(_Value):
    """Holds a mapping of things (Hydra's ``Mapping`` test class)."""

    def __init__(self, dictionary: Any = None) -> None:
        self.dictionary = dictionary


class AClass(_Value):
    def __init__(self, a: Any, b: Any, c: Any, d: Any = "default_value") -> None:
        self.a, self.b, self.c, self.d = a, b, c, d

    @staticmethod
    def static_method(z: int) -> int:
        return z


class BClass(_Value):
    def __init__(self, a: Any, b: Any, c: Any = "c", d: Any = "d") -> None:
        self.a, self.b, self.c, self.d = a, b, c, d


class SimpleClass(_Value):
    def __init__(self, a: Any = None, b: Any = None) -> None:
        self.a = a
        self.b = b

    @classmethod
    def class_method(cls, y: int) -> SimpleClass:
        return cls(a=y + 1)
