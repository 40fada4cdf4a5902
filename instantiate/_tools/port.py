"""``python -m instantiate port PATH [--write]``: rewrite a Hydra/OmegaConf codebase to this library.

Every ``.py`` file under PATH that mentions hydra or omegaconf is rewritten (`port_rewrite`):
imports, ``@hydra.main(...)``, ``hydra.utils.*``, ``HydraConfig.get()``, the ``OmegaConf`` calls
with a counterpart, ``open_dict``. A unified diff is printed; ``--write`` writes the files.
What cannot be ported safely is listed as ``file:line: what -> what to do``. Configs are not
touched: they work as they are. Needs libcst: ``pip install 'instantiate[port]'``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import ConfigError

_SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", ".tox", ".mypy_cache", "build", "dist"}
_OURS = ("hydra", "omegaconf")


@dataclass
class PortedFile:
    """One file's port: its text before and after, and what was left for a person."""

    path: Path
    before: str
    after: str
    notes: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, root: Path) -> str:
        shown = self.path.relative_to(root).as_posix() if self.path != root else self.path.name
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{shown}",
                f"b/{shown}",
            )
        )


def import_libcst() -> Any:
    try:
        import libcst
    except ImportError as error:
        raise ConfigError(
            f"instantiate port needs libcst, which is not installed ({error})",
            hint="pip install 'instantiate[port]'",
        ) from None
    return libcst


def python_files(root: Path) -> Iterator[Path]:
    """The ``.py`` files under ``root`` (or ``root`` itself), in a stable order."""
    if root.is_file():
        yield root
        return
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(directory) / name


def port_source(text: str, path: str = "<source>") -> tuple[str, list[tuple[int, str, str]]]:
    """The ported text of one module and its notes ``(line, what, todo)``."""
    cst = import_libcst()
    from libcst.metadata import MetadataWrapper

    from .port_rewrite import Porter

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise ConfigError(
            f"{path}: cannot parse this file: {error.message}", source=f"{path}:{error.raw_line}"
        ) from None
    wrapper = MetadataWrapper(module)
    porter = Porter(_defined_names(wrapper.module))
    ported = wrapper.visit(porter)
    notes = [(n.line, n.what, n.todo) for n in porter.notes]
    if not porter.changed:
        return text, notes + _left_over(wrapper.module, text)
    ported, kept = _fix_imports(cst, ported, porter.needed)
    todo = "port what uses it by hand (see the other lines), then remove the import"
    notes += [(_line_of(text, what), what, todo) for what in kept]
    return ported.code, sorted(set(notes))


def port_path(root: Path) -> list[PortedFile]:
    """Port every Python file under ``root`` that mentions hydra or omegaconf."""
    if not root.exists():
        raise ConfigError(f"port: {root} does not exist", hint="give a package directory or a .py file")
    results = []
    for path in python_files(root):
        text = path.read_text(encoding="utf-8")
        if "hydra" not in text and "omegaconf" not in text:
            continue
        after, notes = port_source(text, str(path))
        results.append(PortedFile(path, text, after, notes))
    return results


def run_port(root: Path, write: bool, out: Any, err: Any) -> int:
    """The ``port`` command: the diff (or the files written), then what is left to do by hand."""
    results = port_path(root)
    base = root if root.is_dir() else root.parent
    changed = [r for r in results if r.changed]
    for result in changed:
        if write:
            result.path.write_text(result.after, encoding="utf-8")
        else:
            out.write(result.diff(base))
    notes = [(r.path, line, what, todo) for r in results for line, what, todo in r.notes]
    verb = "rewrote" if write else "would rewrite"
    err.write(f"port: {verb} {len(changed)} of {len(results)} files that use Hydra or OmegaConf\n")
    if notes:
        err.write(f"{len(notes)} places to port by hand:\n")
        for path, line, what, todo in notes:
            err.write(f"  {path}:{line}: {what} -> {todo}\n")
    return 0


def _defined_names(module: Any) -> set[str]:
    """Names a module binds at its top level (functions, classes, simple assignments)."""
    import libcst as cst

    names = set()
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    names |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
    return names


def _is_ours(module_name: str) -> bool:
    return module_name.split(".")[0] in _OURS


def _dotted(cst: Any, node: Any) -> str:
    if isinstance(node, cst.Name):
        return str(node.value)
    if isinstance(node, cst.Attribute):
        return f"{_dotted(cst, node.value)}.{node.attr.value}"
    return ""


def _used_names(cst: Any, module: Any) -> set[str]:
    """Every name the module reads outside its import statements."""

    class Collect(cst.CSTVisitor):  # type: ignore[misc]
        def __init__(self) -> None:
            self.names: set[str] = set()

        def visit_Import(self, node: Any) -> bool:
            return False

        def visit_ImportFrom(self, node: Any) -> bool:
            return False

        def visit_Name(self, node: Any) -> None:
            self.names.add(node.value)

    collect = Collect()
    module.visit(collect)
    return collect.names


def _fix_imports(cst: Any, module: Any, needed: dict[str, str]) -> tuple[Any, list[str]]:
    """Drop hydra/omegaconf imports nothing uses any more; import what the rewrite uses."""
    used = _used_names(cst, module) - set(needed.values())  # our names now, whatever they were
    body = list(module.body)
    kept: list[str] = []
    leading: Any = None
    first_at: int | None = None
    last_import = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        small = statement.body[0] if len(statement.body) == 1 else None
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            last_import = index + 1
        if (
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and _is_ours(_dotted(cst, small.module))
        ):
            if isinstance(small.names, cst.ImportStar):
                continue
            aliases = [a for a in small.names if _local(cst, a) in used]
            if first_at is None:
                first_at, leading = index, statement.leading_lines
            if not aliases:
                body[index] = None
                continue
            aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            body[index] = statement.with_changes(
                body=[small.with_changes(names=aliases, lpar=None, rpar=None)]
            )
            kept += [f"from {_dotted(cst, small.module)} import {_local(cst, a)}" for a in aliases]
        elif isinstance(small, cst.Import):
            aliases = [a for a in small.names if not _is_ours(_dotted(cst, a.name)) or _local(cst, a) in used]
            if len(aliases) == len(small.names):
                kept += [
                    f"import {_dotted(cst, a.name)}" for a in small.names if _is_ours(_dotted(cst, a.name))
                ]
                continue
            if first_at is None:
                first_at, leading = index, statement.leading_lines
            if not aliases:
                body[index] = None
                continue
            aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            body[index] = statement.with_changes(body=[small.with_changes(names=aliases)])
    if needed:
        shown = [ours if local == ours else f"{ours} as {local}" for ours, local in sorted(needed.items())]
        text = f"from instantiate import {', '.join(shown)}\n"
        if len(text) > 100:
            text = "from instantiate import (\n" + "".join(f"    {name},\n" for name in shown) + ")\n"
        line = cst.parse_statement(text)
        if leading is not None:
            line = line.with_changes(leading_lines=leading)
        body.insert(first_at if first_at is not None else last_import, line)
    new_body = [s for s in body if s is not None]
    return module.with_changes(body=new_body), kept


def _local(cst: Any, alias: Any) -> str:
    if alias.asname is not None:
        return str(alias.asname.name.value)
    return _dotted(cst, alias.name).split(".")[0]


def _line_of(text: str, what: str) -> int:
    """The line of the import ``what`` names (its module's import line) in the original text."""
    module = what.split()[1]
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith((f"from {module} import", f"import {module}")):
            return number
    return 0


def _left_over(module: Any, text: str) -> list[tuple[int, str, str]]:
    return []


__all__ = ["PortedFile", "port_path", "port_source", "python_files", "run_port"]
