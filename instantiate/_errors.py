"""The error hierarchy: every error about a config says what, where, and what would be right."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class ConfigError(Exception):
    """Base of every error this library raises about a config.

    ``path`` is the config path of the offending node (``model.layers[1].in_features``,
    ``""`` for the root), ``source`` is ``"file:line"`` where known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.source = source
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        where = _where(self.path, self.source)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # keep keyword-only fields across pickling (process pools)
        return _rebuild, (type(self), self.message, self.path, self.source, self.hint, self.__dict__)


def _rebuild(
    cls: type[ConfigError],
    message: str,
    path: str | None,
    source: str | None,
    hint: str | None,
    state: dict[str, Any],
) -> ConfigError:
    error = cls.__new__(cls)
    ConfigError.__init__(error, message, path=path, source=source, hint=hint)
    error.__dict__.update(state)
    return error


def _where(path: str | None, source: str | None) -> str:
    if path is None:
        return source or ""
    shown = path or "<root>"
    return f"{shown} ({source})" if source else shown


class ConfigKeyError(ConfigError, KeyError, AttributeError):
    """A key or index that does not exist."""


class MissingValueError(ConfigError):
    """A mandatory value (``???``) that was read before being set."""


class InterpolationError(ConfigError, ValueError):
    """An interpolation that is malformed or does not resolve."""


class CycleError(InterpolationError):
    """A chain of references that leads back to itself."""


class TargetError(ConfigError, LookupError):
    """A ``_target_`` that cannot be found, or is not allowed."""


class InstantiationError(ConfigError):
    """A target that refused its arguments or raised while being built."""


class RegistryError(ConfigError, LookupError):
    """A registry name that is unknown or taken twice."""


class MissingComponentError(ConfigError, LookupError):
    """A recipe component that is required but absent from the config."""


class OverrideError(ConfigError, ValueError):
    """A command-line override that cannot be parsed or applied."""


class ValidationError(ConfigError, ValueError):
    """A value whose type contradicts its schema or its target's signature."""


def closest(word: object, candidates: Iterable[object]) -> str | None:
    """The candidate most like ``word``, or None when nothing is close."""
    import difflib  # only on the error path

    names = [str(c) for c in candidates]
    match = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: object, candidates: Iterable[object]) -> str:
    """`` Did you mean 'x'?`` or an empty string."""
    match = closest(word, candidates)
    return f" Did you mean {match!r}?" if match else ""


for _cls in (
    ConfigError,
    ConfigKeyError,
    MissingValueError,
    InterpolationError,
    CycleError,
    TargetError,
    InstantiationError,
    RegistryError,
    MissingComponentError,
    OverrideError,
    ValidationError,
):
    _cls.__module__ = "instantiate"  # tracebacks and reprs show the public name
