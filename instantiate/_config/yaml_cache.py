"""Config files read through a cache of their parsed data, so a run whose configs did not change
needs no YAML parser (importing PyYAML alone costs more than the rest of a small run).

Like Python's ``__pycache__``, one cache file per config file, under ``$INSTANTIATE_CACHE_DIR``
(else ``$XDG_CACHE_HOME/instantiate``, else ``~/.cache/instantiate``), mirroring the config's
absolute path. It holds the file's whole text and is used only when that text is the same, and
the parser (this package's ``loading.py``, PyYAML's install) and Python are the ones that
wrote it: it is never stale. The data is stored with ``marshal`` as nested tuples of plain
scalars and line numbers, and read back with its types checked, so a corrupt or foreign file
is a miss and never runs anything. ``INSTANTIATE_NO_CACHE=1`` turns the cache off; a location
that cannot be written just means no cache. A file that fails to parse is not cached.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys

from .._errors import ConfigError
from .provenance import MarkedDict, MarkedList

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any, Union

    PathLike = Union[str, "os.PathLike[str]"]

FORMAT = "instantiate-yaml-cache-1"
_DICT, _LIST = 0, 1  # the first item of an encoded container; a scalar is never a tuple
_SCALARS = (str, int, float, bool, type(None))
_fingerprint: tuple[Any, ...] | None = None


def load_file(path: PathLike) -> Any:
    """Read a YAML file into marked containers; errors name ``file:line``."""
    name = os.path.normpath(path)  # errors say conf/x.yaml, not src/../conf/./x.yaml
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise ConfigError(f"config file {name!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {name!r}: {error}") from None
    return parse_file(text, name)


def parse_file(text: str, file: str) -> Any:
    """The data of config file ``file`` whose text is ``text``: from the cache, else parsed (and cached)."""
    where = cache_path(file)
    if where is not None:
        data = _read(where, text, file)
        if data is not None:
            return data
    from .loading import parse_yaml

    data = parse_yaml(text, file)
    if where is not None:
        _write(where, text, data)
    return data


def cache_dir() -> str | None:
    """Where parsed configs are cached, or None when the cache is off (``INSTANTIATE_NO_CACHE``)."""
    if os.environ.get("INSTANTIATE_NO_CACHE", "") not in ("", "0"):
        return None
    root = os.environ.get("INSTANTIATE_CACHE_DIR")
    if root:
        return root
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "instantiate")


def cache_path(file: str) -> str | None:
    """The cache file for config file ``file`` (its absolute path mirrored below the cache dir)."""
    root = cache_dir()
    if root is None or file.startswith("<") or "://" in file:  # a string, a zipped package
        return None
    drive, rest = os.path.splitdrive(os.path.abspath(file))
    return os.path.join(root, "yaml", drive.replace(":", ""), rest.lstrip("\\/") + ".cache")


def fingerprint() -> tuple[Any, ...]:
    """What the cached data depends on besides the text: this format, Python, the parser's files."""
    global _fingerprint
    if _fingerprint is None:
        here = os.path.dirname(os.path.abspath(__file__))
        files = [os.path.join(here, "loading.py"), os.path.join(here, "provenance.py"), _yaml_file()]
        _fingerprint = (FORMAT, sys.version_info[:2], *map(_stamp, files))
    return _fingerprint


def _yaml_file() -> str | None:
    """PyYAML's ``__init__.py``, found without importing PyYAML (a reinstall rewrites it)."""
    loaded = sys.modules.get("yaml")
    if loaded is not None:
        return getattr(loaded, "__file__", None)
    for entry in sys.path:  # where `import yaml` would find it
        candidate = os.path.join(entry or ".", "yaml", "__init__.py")
        if os.path.isfile(candidate):
            return candidate
    return None


def _stamp(file: str | None) -> tuple[str, int, int] | None:
    if file is None:
        return None
    try:
        stat = os.stat(file)
    except OSError:
        return None
    return (file, stat.st_mtime_ns, stat.st_size)


def _read(where: str, text: str, file: str) -> Any:
    """The cached data for ``text``, or None: a missing, stale, corrupt or foreign file is a miss."""
    try:
        with open(where, "rb") as handle:
            record = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not (
        record.__class__ is tuple
        and len(record) == 3
        and record[0] == fingerprint()
        and record[1].__class__ is str
        and record[1] == text
    ):
        return None
    try:
        return _decode(record[2], file)
    except (TypeError, ValueError, IndexError, RecursionError):
        return None


def _write(where: str, text: str, data: Any) -> None:
    """Cache ``data``, if it is plain data; any failure to write just leaves no cache."""
    try:
        payload = _encode(data)
    except (TypeError, RecursionError):
        return  # !!binary, !!timestamp, ... values: parsed each time
    temporary = f"{where}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(where), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps((fingerprint(), text, payload)))
        os.replace(temporary, where)  # readers see the old file or the new one, never half of one
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _encode(value: Any) -> Any:
    cls = value.__class__
    if cls is MarkedDict:
        keys = tuple(value)
        for key in keys:
            if key.__class__ not in _SCALARS:
                raise TypeError(key)
        lines = value.lines
        return (_DICT, keys, tuple(map(_encode, value.values())), tuple(lines[k] for k in keys))
    if cls is MarkedList:
        return (_LIST, tuple(map(_encode, value)), tuple(value.lines))
    if cls in _SCALARS:
        return value
    raise TypeError(value)


def _decode(value: Any, file: str) -> Any:
    cls = value.__class__
    if cls in _SCALARS:
        return value
    if cls is not tuple:
        raise TypeError(value)
    if value[0] == _DICT and len(value) == 4:
        _, keys, values, lines = value
        if not (len(keys) == len(values) == len(lines)):
            raise ValueError(value)
        result = MarkedDict(file)
        for key, item, line in zip(keys, values, lines):
            if key.__class__ not in _SCALARS or line.__class__ is not int:
                raise TypeError(key)
            result[key] = _decode(item, file)
            result.lines[key] = line
        if len(result) != len(keys):  # a key twice: not what the parser wrote
            raise ValueError(keys)
        return result
    if value[0] == _LIST and len(value) == 3:
        _, items, lines = value
        if len(items) != len(lines) or any(line.__class__ is not int for line in lines):
            raise ValueError(value)
        seq = MarkedList(file)
        seq.extend([_decode(item, file) for item in items])
        seq.lines = list(lines)
        return seq
    raise ValueError(value)


__all__ = ["cache_dir", "cache_path", "load_file", "parse_file"]
