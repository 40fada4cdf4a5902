"""Shell completion for ``@main`` programs: group names, their options, and config keys.

The shell script asks the program itself (``prog --complete WORDS...``), so completion always
knows the current config tree. It completes ``train.py ...``, ``./train.py ...``, a console
script, and ``python train.py ...``; for any other python script it runs nothing and leaves the
shell's file name completion in place.
"""

from __future__ import annotations

import shlex
from typing import Any

# Shared by every program's script: each eval adds its names to _INSTANTIATE_PROGRAMS. The
# command line is split here rather than taken from COMP_WORDS, where '=' is a word of its own;
# COMPREPLY then holds only what follows the last COMP_WORDBREAKS character, the part readline
# replaces.
_BASH = """\
# bash completion for {shown}: eval "$({shown} --shell-completion bash)"
_instantiate_complete() {{
    local line="${{COMP_LINE:0:$COMP_POINT}}"
    local -a words
    read -r -a words <<< "$line"
    [[ -z "$line" || "$line" == *[[:space:]] ]] && words+=("")
    local -a program=("${{words[0]}}")
    case "${{words[0]##*/}}" in
        python|python[0-9]*) program+=("${{words[1]}}"); words=("${{words[@]:1}}") ;;
    esac
    local name="${{program[${{#program[@]}}-1]##*/}}" known
    for known in "${{_INSTANTIATE_PROGRAMS[@]}}"; do
        [[ "$name" == "$known" && ${{#words[@]}} -gt 1 ]] || continue
        local current="${{words[${{#words[@]}}-1]}}" breaks="${{COMP_WORDBREAKS:-=:}}"
        local typed="${{current##*[$breaks]}}"
        local cut=$(( ${{#current}} - ${{#typed}} )) candidate IFS=$'\\n'
        COMPREPLY=()
        for candidate in $("${{program[@]}}" --complete "${{words[@]:1}}" 2>/dev/null); do
            COMPREPLY+=("${{candidate:cut}}")
        done
        return 0
    done
}}
_INSTANTIATE_PROGRAMS+=({names})
complete -o nospace -o default -F _instantiate_complete {names} python python3
"""

# Works both sourced (``source <(prog --shell-completion zsh)``, after compinit) and saved as
# ``_prog`` on $fpath, where zsh autoloads the file as the completion function.
_ZSH = """\
#compdef {names} python python3
# zsh completion for {shown}: save as _{func} on $fpath, or source <({shown} --shell-completion zsh)
_instantiate_complete() {{
    local -a program candidates
    local first=2
    program=("${{words[1]}}")
    if [[ ${{words[1]:t}} == python* ]]; then program+=("${{words[2]}}"); first=3; fi
    if (( CURRENT < first || ! ${{_INSTANTIATE_PROGRAMS[(Ie)${{program[-1]:t}}]}} )); then
        if [[ ${{words[1]:t}} == python* ]] && (( $+functions[_python] )); then _python "$@"; else _files; fi
        return
    fi
    candidates=(${{(f)"$("${{program[@]}}" --complete "${{(@)words[first,CURRENT]}}" 2>/dev/null)"}})
    compadd -S '' -- "${{candidates[@]}}"
}}
typeset -ga _INSTANTIATE_PROGRAMS
_INSTANTIATE_PROGRAMS+=({names})
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _instantiate_complete "$@"
else
    compdef _instantiate_complete {names} python python3
fi
"""

FLAGS = (
    "--help", "--cfg", "--resolve", "--info", "--multirun", "--run-dir", "--launcher",
    "--dry-run", "--allow", "--verbose", "--traceback", "--shell-completion", "--version",
)  # fmt: skip
# Flags followed by a value, and the values there are to offer (none: the shell completes files).
FLAG_VALUES: dict[str, tuple[str, ...]] = {
    "--cfg": ("job", "all"),
    "--shell-completion": ("bash", "zsh"),
    "--run-dir": (),
    "--launcher": (),
    "--allow": (),
}
# What composition records under _run_ is not a setting to override; these are.
RUN_RECORD = frozenset({"config_name", "choices", "overrides"})
RUN_SETTINGS = tuple(f"_run_.{key}" for key in ("dir", "name", "chdir", "log_level", "launcher", "sweep_dir"))


def completion_script(shell: str, prog: str, script: str | None = None) -> str:
    """The script to ``eval`` (bash) or put on ``fpath`` (zsh) for ``prog`` and its ``script`` file."""
    names = list(dict.fromkeys(n for n in (prog, script) if n))
    func = "".join(c if c.isalnum() else "_" for c in prog)
    template = _BASH if shell == "bash" else _ZSH
    shown = f"python {script}" if script and script.endswith(".py") else prog  # how to run it
    return template.format(names=" ".join(map(shlex.quote, names)), shown=shown, func=func)


def candidates(app: Any, words: list[str]) -> list[str]:
    """What may follow: the last word is the one being typed, the others are given overrides."""
    current = words[-1] if words else ""
    if len(words) > 1 and words[-2] in FLAG_VALUES:
        return [value for value in FLAG_VALUES[words[-2]] if value.startswith(current)]
    if current.startswith("-"):
        return [flag for flag in FLAGS if flag.startswith(current)]
    given = [
        word
        for i, word in enumerate(words[:-1])
        if not word.startswith("-") and not (i > 0 and words[i - 1] in FLAG_VALUES)
    ]
    try:
        groups = app.groups()
    except Exception:  # completion must never fail loudly
        groups = {}
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
    keys = [key for key in _keys(cfg.to_dict(resolve=False)) if not _is_run_record(key)]
    found += [f"{prefix}{key}=" for key in [*keys, *RUN_SETTINGS] if key.startswith(body)]
    return sorted(set(found))


def _is_run_record(key: str) -> bool:
    parts = key.split(".")
    return parts[0] == "_run_" and (len(parts) == 1 or parts[1] in RUN_RECORD)


def _keys(data: Any, prefix: str = "") -> list[str]:
    keys = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}{key}"
            keys.append(path)
            keys.extend(_keys(value, path + "."))
    return keys
