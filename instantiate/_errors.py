"""The error hierarchy: every error about a config says what, where, and what would be right."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
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
        source = self.source
        if source and source.startswith("<override ") and self.message.startswith("override "):
            source = None  # the message names the override already
        where = _where(self.path, source)
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


class MissingComponentError(ConfigError, KeyError, AttributeError):
    """A recipe component that is required but absent, or asked for by an unknown name.

    A ``KeyError`` for ``recipe["x"]`` and an ``AttributeError`` for ``recipe.x``, so
    ``getattr(recipe, "x", None)`` and ``except KeyError`` work as they do on a dict.
    """


# ExceptionGroup where the language has it (3.11+), so tracebacks show every failure.
_Group: type = getattr(builtins, "ExceptionGroup", Exception)


class CloseError(ConfigError, _Group):  # type: ignore[misc]
    """Closing one or more recipe components failed; every failure is kept.

    ``failures`` pairs each component name with its error. On Python 3.11+ this is also an
    ``ExceptionGroup`` of those errors (so tracebacks show each one, and ``except*`` works);
    the first failure is the ``__cause__``.
    """

    def __new__(cls, message: str, failures: Sequence[tuple[str, Exception]]) -> CloseError:
        return super().__new__(cls, message, [error for _, error in failures])

    def __init__(self, message: str, failures: Sequence[tuple[str, Exception]]) -> None:
        if _Group is Exception:  # ExceptionGroup owns a read-only .message and .args
            self.message = message
            self.args = (message,)
        self.path = self.source = self.hint = None
        self.failures = list(failures)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.message, self.failures)


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
    CloseError,
    OverrideError,
    ValidationError,
):
    _cls.__module__ = "instantiate"  # tracebacks and reprs show the public name
