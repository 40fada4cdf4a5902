"""The built-in deny list: callables a config may not reach unless the user trusts it.

Judged on the real ``module.qualname`` of what a target or a ``$<@...>`` chain leads to, so
an alias (``logging.os.system`` is ``posix.system``) is judged as what it is. It holds at least
what Hydra 1.3.8 refuses by default (a test compares the two), and more: process execution,
code evaluation and importing, unpickling, file deletion, ``ctypes``, interpreter state
(``sys.*``, ``gc.*``), callback dispatchers and wrappers that would call config-chosen code
later, and mutating methods of shared containers (``os.environ.update``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    from typing import Any


# The process functions ``os`` re-exports from ``posix`` (``nt`` on Windows): each is listed
# under all three names.
_OS_NAMES = (
    "system popen exec* spawn* posix_spawn* fork* kill* _exit abort startfile putenv unsetenv "
    "remove removedirs rmdir unlink rename renames replace truncate ftruncate link symlink "
    "chmod fchmod lchmod chown fchown lchown chflags lchflags chroot chdir fchdir mkfifo mknod "
    "set*id setgroups initgroups setsid setpgid setpgrp plock register_at_fork"
).split()

_PATTERNS = [
    *(f"{module}.{name}" for module in ("os", "posix", "nt") for name in _OS_NAMES),
    # running other programs
    "subprocess.*",
    "_posixsubprocess.*",
    "_winapi.*",
    "pty.*",
    "multiprocessing.*",
    "_multiprocessing.*",
    "concurrent.futures.*",
    "threading.Thread*",
    "threading.Timer*",
    "_thread.*",
    "sched.*",
    "webbrowser.*",
    "asyncio.create_subprocess_*",
    "asyncio.subprocess.*",
    "asyncio.tasks.Task.get_stack",
    "asyncio.base_tasks.*",
    "_asyncio.*",
    "signal.*",
    "_signal.*",
    "atexit.*",
    # evaluating or importing code
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.__import__",
    "builtins.__build_class__",
    "builtins.breakpoint",
    "builtins.input",
    "builtins.help",
    "builtins.exit",
    "builtins.quit",
    "builtins.locals",
    "builtins.globals",
    "builtins.vars",
    "builtins.open",
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.type",
    "builtins.function",
    "builtins.code",
    "builtins.method",
    "builtins.frame*",
    "builtins.cell",
    "builtins.module",
    "builtins.classmethod",
    "builtins.staticmethod",
    "builtins.property",
    "builtins.map",
    "builtins.filter",
    "builtins.str.format*",
    "builtins.memoryview",
    "_sitebuiltins.*",
    "importlib.*",
    "_frozen_importlib.*",
    "_frozen_importlib_external.*",
    "_imp.*",
    "inspect",
    "types.FunctionType",
    "types.MethodType",
    "types.CodeType",
    "zipimport.*",
    "pkgutil.*",
    "runpy.*",
    "code.*",
    "codeop.*",
    "types.new_class",
    "types.coroutine",
    "types.prepare_class",
    "dataclasses.make_dataclass",
    "typing.get_type_hints",
    "typing._eval_type",
    "typing.evaluate_forward_ref",
    "typing.ForwardRef*",
    "annotationlib.*",
    "string.Formatter*",
    "logging.Formatter",
    "logging.StrFormatStyle",
    "logging.config.*",
    "timeit.*",
    "cProfile.*",
    "profile.*",
    "trace.*",
    "pdb.*",
    "bdb.*",
    "pydoc.*",
    "doctest.*",
    "inspect.*",
    "gc.*",
    "sys.*",
    "traceback.walk_*",
    "traceback.clear_frames",
    "traceback._walk_tb_with_full_positions",
    "optparse.Values.read_*",
    "unittest.mock.*",
    "yaml.*",
    "_yaml.*",
    "hydra.utils.get_*",
    "hydra._internal.*",
    "instantiate.*",
    # unpickling and other loaders of code
    "pickle.*load*",
    "pickle.*Unpickler",
    "_pickle.*",
    "marshal.*",
    "shelve.*",
    "dill.*",
    "cloudpickle.*",
    "copyreg.*",
    "tracemalloc.Snapshot.load",
    "xmlrpc.*",
    # native code
    "ctypes.*",
    "_ctypes.*",
    "cffi.*",
    # operators that reach attributes or items chosen by the config, or call what they are given
    *(
        f"{module}.{name}"
        for module in ("operator", "_operator")
        for name in (
            "attrgetter",
            "itemgetter",
            "methodcaller",
            "call",
            "getitem",
            "setitem",
            "delitem",
            "contains",
            "concat",
            "iconcat",
        )
    ),
    # wrappers and dispatchers that call (later) what the config hands them
    *(
        f"{module}.{name}"
        for module in ("functools", "_functools")
        for name in (
            "reduce",
            "partialmethod*",
            "singledispatch*",
            "update_wrapper",
            "wraps",
            "lru_cache",
            "cache",
            "cached_property*",
            "partial.__call__",
        )
    ),
    *(
        f"itertools.{name}"
        for name in (
            "accumulate",
            "dropwhile",
            "filterfalse",
            "groupby",
            "starmap",
            "takewhile",
        )
    ),
    "contextlib.contextmanager",
    "contextlib.asynccontextmanager",
    "contextlib.*ContextDecorator*",
    "abc.abstractmethod",
    # files
    *(
        f"shutil.{name}"
        for name in (
            "rmtree",
            "move",
            "chown",
            "copy",
            "copy2",
            "copyfile",
            "copytree",
            "copymode",
            "copystat",
            "copyfileobj",
            "unpack_archive",
            "make_archive",
            "register_*",
            "unregister_*",
        )
    ),
    *(
        f"pathlib.*Path.{name}"
        for name in (
            "unlink",
            "rmdir",
            "rename",
            "replace",
            "chmod",
            "lchmod",
            "write_*",
            "touch",
            "symlink_to",
            "hardlink_to",
            "link_to",
            "open",
            "read_*",
        )
    ),
    "io.open*",
    "_io.open*",
    "io.FileIO",
    "_io.FileIO",
    "fileinput.*",
    "os.open*",
    "posix.open*",
    "dbm.*",
    "sqlite3.*",
    "zipfile.*",
    "tarfile.*",
    "socket.*",
    "_socket.*",
    # mutating methods of shared containers (os.environ.update, sys.modules.clear, ...)
    *(
        f"builtins.{kind}.{name}"
        for kind in ("dict", "list", "set", "bytearray")
        for name in (
            "update",
            "setdefault",
            "pop",
            "popitem",
            "clear",
            "append",
            "extend",
            "insert",
            "remove",
            "add",
            "discard",
            "difference_update",
            "intersection_update",
            "symmetric_difference_update",
        )
    ),
    "_collections_abc.Mutable*",
    "collections.abc.Mutable*",
    "collections.OrderedDict.*",
    "collections.deque.*",
    "collections.defaultdict.*",
    "collections.ChainMap.*",
    "collections.UserDict.*",
    "collections.UserList.*",
    "os._Environ.*",
    # dunder methods (type.__call__, object.__reduce_ex__, ...): never a config's business
    "?*.__*",
]

# Names inside a denied family that are plain data handling, as in Hydra's list.
_EXCEPTIONS = frozenset(
    {
        "yaml.safe_load",
        "yaml.safe_load_all",
        "yaml.safe_dump",
        "yaml.safe_dump_all",
        "doctest.DocTest",
        "doctest.DocTestParser",
        "doctest.Example",
        "pydoc.HTMLDoc",
        "pydoc.TextDoc",
        "trace.Trace",
        "sys.getsizeof",
        "sys.intern",
        "inspect.signature",
        "inspect.Parameter",
    }
)

# Sorted by shape once, so a verdict costs a set lookup, one startswith and a short regex.
_EXACT = frozenset(p for p in _PATTERNS if not any(c in p for c in "*?["))
_PREFIXES = tuple(p[:-1] for p in _PATTERNS if p.endswith("*") and not any(c in p[:-1] for c in "*?["))
_OTHERS = [p for p in _PATTERNS if p not in _EXACT and p[:-1] not in _PREFIXES]
_match: Any = None
_decided: dict[str, bool] = {}


def denied(name: str) -> bool:
    """Is ``name`` (a real ``module.qualname``) on the deny list?"""
    verdict = _decided.get(name)
    if verdict is None:
        verdict = _decided[name] = name not in _EXCEPTIONS and _judge(name)
    return verdict


def _judge(name: str) -> bool:
    global _match
    if name in _EXACT or name.startswith(_PREFIXES):
        return True
    if _match is None:
        import re

        _match = re.compile(
            "|".join(re.escape(p).replace(r"\*", ".*").replace(r"\?", ".") for p in _OTHERS)
        ).fullmatch
    return _match(name) is not None


def denied_module(module: str) -> bool:
    """Is every name inside ``module`` denied? Then it is not even imported."""
    return denied(module + ".\0") and module + ".\0" not in _EXCEPTIONS


def denied_object(obj: Any) -> bool:
    """Objects refused whatever their name: metaclasses build classes the config describes."""
    return isinstance(obj, type) and issubclass(obj, type)
