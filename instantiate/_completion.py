"""Shell completion for ``@main`` programs: group names, their options, and config keys.

The shell script asks the program itself (``prog --complete WORDS...``), so completion always
knows the current config tree.
"""

from __future__ import annotations

from typing import Any

_BASH = """\
_{func}() {{
    local IFS=$'\\n'
    COMPREPLY=($("${{COMP_WORDS[0]}}" --complete \\
        "${{COMP_WORDS[@]:1:$COMP_CWORD}}" 2>/dev/null))
}}
complete -o nospace -F _{func} {prog}
"""

_ZSH = """\
#compdef {prog}
_{func}() {{
    local -a candidates
    candidates=("${{(@f)$(${{words[1]}} --complete "${{(@)words[2,$CURRENT]}}" 2>/dev/null)}}")
    compadd -S '' -- $candidates
}}
compdef _{func} {prog}
"""

FLAGS = (
    "--help", "--cfg", "--resolve", "--info", "--multirun", "--run-dir", "--launcher",
    "--dry-run", "--allow", "--verbose", "--traceback", "--shell-completion",
)  # fmt: skip


def completion_script(shell: str, prog: str) -> str:
    """The script to ``eval`` (bash) or put on ``fpath`` (zsh) for ``prog``."""
    func = "instantiate_complete_" + "".join(c if c.isalnum() else "_" for c in prog)
    template = _BASH if shell == "bash" else _ZSH
    return template.format(func=func, prog=prog)


def candidates(app: Any, words: list[str]) -> list[str]:
    """What may follow: the last word is the one being typed, the others are given overrides."""
    current = words[-1] if words else ""
    given = [w for w in words[:-1] if not w.startswith("-")]
    if current.startswith("-"):
        return [flag for flag in FLAGS if flag.startswith(current)]
    groups = app.groups()
    prefix = current[: len(current) - len(current.lstrip("+~"))]
    body = current[len(prefix) :]
    if "=" in body:
        key, _, typed = body.partition("=")
        options = groups.get(key.lstrip("/").split("@")[0], [])
        return [f"{prefix}{key}={o}" for o in options if o.startswith(typed)]
    found = [f"{prefix}{group}=" for group in groups if group.startswith(body)]
    try:
        cfg = app.compose(given)
    except Exception:  # completion must never fail loudly; keys are a bonus
        return found
    found += [f"{prefix}{key}=" for key in _keys(cfg.to_dict(resolve=False)) if key.startswith(body)]
    return sorted(set(found))


def _keys(data: Any, prefix: str = "") -> list[str]:
    keys = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}{key}"
            keys.append(path)
            keys.extend(_keys(value, path + "."))
    return keys
