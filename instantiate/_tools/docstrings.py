"""What a docstring says about each parameter, read from its numpy, Google or reST sections.

Tools show it beside a key (``schema``'s descriptions, which editors show on completion and
hover). Only the text is read; nothing is imported or evaluated.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

# Google: "Args:" and its synonyms; numpy: the same words underlined with dashes.
_SECTIONS = (
    "args", "arguments", "parameters", "params", "keyword args", "keyword arguments",
    "other parameters", "kwargs", "attributes",
)  # fmt: skip
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(?P<name>\w+)\s*(?:\((?P<type>[^)]*)\))?\s*:(?P<text>.*)$")
_NUMPY_ENTRY = re.compile(r"^(?P<names>\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::(?P<type>.*))?$")
_REST_FIELD = re.compile(
    r"^:(?P<kind>param|parameter|arg|argument|key|keyword|type)\s+(?P<rest>[^:]+):(?P<text>.*)$"
)
_LIMIT = 300  # characters: a line or two in an editor's completion list


class ParameterDoc:
    """A parameter's description, and the type its docstring writes (for untyped signatures)."""

    __slots__ = ("text", "type")

    def __init__(self, text: str = "", type: str = "") -> None:
        self.text = text
        self.type = type

    def __repr__(self) -> str:
        return f"ParameterDoc({self.text!r}, type={self.type!r})"


def parameter_docs(obj: Any) -> dict[str, ParameterDoc]:
    """Each documented parameter of ``obj`` (a class: its own docstring, then ``__init__``'s)."""
    found: dict[str, ParameterDoc] = {}
    docs = [inspect.getdoc(obj)]
    if isinstance(obj, type):
        docs.append(inspect.getdoc(vars(obj)["__init__"]) if "__init__" in vars(obj) else None)
    for doc in docs:
        if doc:
            for name, entry in _parse(doc).items():
                found.setdefault(name, entry)
    return found


def _parse(doc: str) -> dict[str, ParameterDoc]:
    lines = doc.expandtabs().splitlines()
    found = _rest(lines)
    for name, entry in _sections(lines).items():
        found.setdefault(name, entry)
    return found


def _rest(lines: list[str]) -> dict[str, ParameterDoc]:
    """``:param name: text``, ``:param int name: text`` and ``:type name: int``."""
    found: dict[str, ParameterDoc] = {}
    types: dict[str, str] = {}
    for i, line in enumerate(lines):
        match = _REST_FIELD.match(line.strip())
        if match is None:
            continue
        words = match["rest"].split()
        name = words[-1].lstrip("*")
        text = _continued(match["text"], lines, i, indent=_indent(line))
        if match["kind"] == "type":
            types[name] = text
            continue
        entry = found.setdefault(name, ParameterDoc())
        entry.text = entry.text or text
        if len(words) > 1:
            entry.type = " ".join(words[:-1])
    for name, text in types.items():
        if name in found and not found[name].type:
            found[name].type = text
    return found


def _sections(lines: list[str]) -> dict[str, ParameterDoc]:
    """Entries of Google (``Args:``) and numpy (``Parameters`` over dashes) sections."""
    found: dict[str, ParameterDoc] = {}
    i = 0
    while i < len(lines):
        header = lines[i].strip()
        underlined = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        if underlined and header.lower() in _SECTIONS:
            i = _numpy_section(lines, i + 2, _indent(lines[i]), found)
        elif header.endswith(":") and header[:-1].strip().lower() in _SECTIONS:
            i = _google_section(lines, i + 1, _indent(lines[i]), found)
        else:
            i += 1
    return found


def _google_section(lines: list[str], i: int, header_indent: int, found: dict[str, ParameterDoc]) -> int:
    entry_indent = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        indent = _indent(line)
        if indent <= header_indent:
            return i
        if entry_indent is None:
            entry_indent = indent
        if indent == entry_indent:
            match = _GOOGLE_ENTRY.match(line.strip())
            if match is not None:
                text = _continued(match["text"], lines, i, indent)
                found.setdefault(match["name"], ParameterDoc(text, (match["type"] or "").strip()))
        i += 1
    return i


def _numpy_section(lines: list[str], i: int, header_indent: int, found: dict[str, ParameterDoc]) -> int:
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        indent = _indent(line)
        if indent < header_indent or (i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}):
            return i  # the next section
        match = _NUMPY_ENTRY.match(line.strip()) if indent == header_indent else None
        if match is not None:
            text = _continued("", lines, i, indent)
            for name in match["names"].split(","):
                found.setdefault(name.strip().lstrip("*"), ParameterDoc(text, (match["type"] or "").strip()))
        i += 1
    return i


def _continued(first: str, lines: list[str], i: int, indent: int) -> str:
    """``first`` and the lines indented deeper than ``indent`` after line ``i``, up to a blank line."""
    parts = [first.strip()] if first.strip() else []
    for line in lines[i + 1 :]:
        if not line.strip() or _indent(line) <= indent:
            break
        parts.append(line.strip())
    text = " ".join(parts)
    return text if len(text) <= _LIMIT else text[: _LIMIT - 3].rstrip() + "..."


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


__all__ = ["ParameterDoc", "parameter_docs"]
