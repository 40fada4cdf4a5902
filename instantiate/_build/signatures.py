"""What a target accepts: read once per target from its signature, checked on every build.

The check runs before the call, so a misspelled keyword is reported against the config
(path, file:line, the valid names, the closest one) instead of as a TypeError from inside.
"""

from __future__ import annotations


from .._config.interpolation import Live
from .._config.nodes import Config
from .._config.paths import Link, path_of
from .._config.provenance import source_of
from .._errors import InstantiationError, ValidationError, closest, did_you_mean

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any



class Params:
    """The facts about a signature that a call check needs."""

    __slots__ = (
        "checked",
        "fitting",
        "fitting_too",
        "learned",
        "names",
        "positional",
        "positional_only",
        "required",
        "required_set",
        "var_keyword",
        "var_positional",
    )

    def __init__(
        self,
        names: frozenset[str],
        positional: tuple[str, ...],
        required: tuple[str, ...],
        var_positional: bool,
        var_keyword: bool,
        positional_only: int = 0,
        checked: tuple[Checked, ...] = (),
    ) -> None:
        self.names = names  # every name that may be passed by keyword
        self.positional = positional  # names that may be passed by position, in order
        self.positional_only = positional_only  # how many of them cannot be passed by keyword
        self.required = required  # names without a default
        # The fast path in call_problem decides by set comparisons only when every required
        # parameter may be given by keyword; a required positional-only one needs the long way.
        self.required_set = frozenset(required) if set(required) <= names else _NEVER
        self.var_positional = var_positional
        self.var_keyword = var_keyword
        self.checked = checked  # keyword parameters whose scalar values are checked
        # The last two sets of keywords found to fit (every one accepted, every required one
        # given): a call with the same keywords fits too, known by one comparison. Learned at
        # most ``LEARNED`` times, so calls that keep changing their keywords stop paying for it.
        self.fitting: frozenset[str] | None = None
        self.fitting_too: frozenset[str] | None = None
        self.learned = 0


class Checked:
    """A parameter annotated with a scalar type: values of ``fast`` class pass without a call."""

    __slots__ = ("annotation", "fast", "name", "optional")

    def __init__(self, name: str, annotation: Any, fast: type | None, optional: bool) -> None:
        self.name = name
        self.annotation = annotation
        self.fast = fast
        self.optional = optional


_NEVER = frozenset({object()})  # a required set no keywords can cover
LEARNED = 64

UNKNOWN = Params(frozenset(), (), (), True, True)  # a signature that cannot be read: check nothing


def params_of(obj: Any) -> Params:
    """Read ``obj``'s signature (``UNKNOWN`` when it cannot be inspected, as for some builtins)."""
    import inspect

    from .annotations import parameters_of  # the one reading of signatures, shared with the tools

    parameters = parameters_of(obj)
    if parameters is None:
        return UNKNOWN
    kinds = inspect.Parameter
    names, positional, required = [], [], []
    var_positional = var_keyword = False
    positional_only = 0
    checked = []
    for param in parameters:
        if param.kind is kinds.VAR_POSITIONAL:
            var_positional = True
        elif param.kind is kinds.VAR_KEYWORD:
            var_keyword = True
        else:
            if param.by_keyword:
                names.append(param.name)
                check = _scalar_check(param.name, param.annotation, param.default)
                if check is not None:
                    checked.append(check)
            else:
                positional_only += 1
            if param.by_position:
                positional.append(param.name)
            if param.default is kinds.empty:
                required.append(param.name)
    return Params(
        frozenset(names),
        tuple(positional),
        tuple(required),
        var_positional,
        var_keyword,
        positional_only,
        tuple(checked),
    )


# str is not among them: text parameters often take paths or numbers too, and converting a
# number to text would surprise more than it helps.
_SCALAR_TYPES = (bool, int, float)


def _scalar_check(name: str, annotation: Any, default: Any) -> Checked | None:
    """How to check a parameter's config values, or None when its annotation is not a scalar type.

    Only scalar annotations (int, float, bool, their Optional, Literal, Enum) are checked
    at build time: a built object or a call-time value is the target's own business.
    """
    import enum
    import typing

    optional = default is None  # ``x: int = None`` is a common way of saying Optional[int]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        arms = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(arms) != 1 or len(arms) == len(typing.get_args(annotation)):
            return None
        annotation, optional, origin = arms[0], True, typing.get_origin(arms[0])
    if annotation in _SCALAR_TYPES:
        return Checked(name, annotation, annotation, optional)
    if origin is typing.Literal or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return Checked(name, annotation, None, optional)
    return None


def call_problem(params: Params, n_args: int, keywords: Any, partial: bool) -> str | None:
    """Why ``target(*n_args, **keywords)`` would fail to bind, or None when it fits."""
    if (
        n_args == 0
        and (params.var_keyword or keywords.keys() <= params.names)
        and (partial or keywords.keys() >= params.required_set)
    ):
        return None  # the common case, decided by two set comparisons in C
    if params is UNKNOWN:
        return None
    if not params.var_keyword:
        names = params.names
        for key in keywords:
            if key not in names:
                return _unknown_keyword(params, key)
    if n_args > len(params.positional) and not params.var_positional:
        return (
            f"takes at most {len(params.positional)} positional arguments "
            f"({', '.join(params.positional) or 'none'}) but _args_ gives {n_args}"
        )
    given_by_position = params.positional[:n_args]
    for name in given_by_position:
        if name in keywords and name in params.names:  # else it went to **kwargs: f(a, /, **kw)
            return f"gets {name!r} twice: by position in _args_ and as a keyword"
    if partial:
        return None
    for name in params.required:
        if name not in keywords and name not in given_by_position:
            return _missing(params, name, keywords)
    if n_args < params.positional_only and params.positional[n_args] in params.required:
        return _missing(params, params.positional[n_args], keywords)  # given by keyword only
    return None


def _unknown_keyword(params: Params, key: Any) -> str:
    valid = _valid_keywords(params)
    return (
        f"got an unexpected keyword {key!r}.{did_you_mean(key, valid)} "
        f"Valid keywords: {', '.join(valid) or '(none)'}"
    )


def _missing(params: Params, name: str, keywords: Any) -> str:
    if name not in params.names:
        return f"is missing the required positional argument {name!r}; only _args_ can give it"
    misspelled = closest(name, [k for k in keywords if k not in params.names])
    given = f" ({misspelled!r} is given: is it misspelled?)" if misspelled else ""
    return (
        f"is missing the required argument {name!r}{given}. "
        f"Valid keywords: {', '.join(_valid_keywords(params))}"
    )


def _valid_keywords(params: Params) -> list[str]:
    valid = [n for n in params.positional if n in params.names]
    return valid + sorted(params.names - set(valid))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def checked_value(value: Any, check: Checked, node: Any, link: Link, target: str) -> Any:
    """A config scalar converted to its parameter's annotation, or a ValidationError naming both."""
    if node.get(check.name).__class__ is Live or value.__class__ not in _SCALARS:
        return value  # call-time values and built objects are passed as they are
    from .validation import check_value

    try:
        return check_value(
            value, check.annotation, path=path_of(link, check.name), source=source_of(node, check.name)
        )
    except ValidationError as error:
        error.message = f"{error.message} for parameter {check.name!r} of {target}"
        error.args = (error.message,)
        raise


def positional_args(args: Any, node: Any, link: Link) -> list[Any]:
    """``_args_`` as a list: a call-time tuple or a Config list; anything else is refused."""
    if args.__class__ is tuple:
        return list(args)
    if isinstance(args, Config) and args.is_sequence():
        return list(args)
    raise InstantiationError(
        f"_args_ must be a list of positional arguments, not {type(args).__name__}",
        path=path_of(link, "_args_"),
        source=source_of(node, "_args_"),
    )
