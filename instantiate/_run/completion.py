"""Shell completion for ``@main`` programs: group names, their options, and config keys.

The shell script asks the program itself (``prog --complete WORDS...``), so completion always
knows the current config tree. It completes ``train.py ...``, ``./train.py ...``, a console
script, and ``python train.py ...``; any other ``python`` command line goes to the completion
``python`` had before (bash-completion's modules and options, or file names), untouched.
"""

from __future__ import annotations

import shlex
from typing import Any

# Shared by every program's script: each eval adds its names to _INSTANTIATE_PROGRAMS. The
# command line is split here rather than taken from COMP_WORDS, where '=' is a word of its own;
# COMPREPLY then holds only what follows the last COMP_WORDBREAKS character, the part readline
# replaces. For `python`, the script takes over the completion python had (bash-completion's,
# which loads lazily, is loaded first) and hands every other command line back to it.
_BASH = """\
# bash completion for {shown}: eval "$({shown} --shell-completion bash)"
# Completes only this program's command line; for `python` running anything else it hands over
# to the completion python had before (bash-completion's, loaded now if it loads lazily).
_instantiate_complete() {{
    local line="${{COMP_LINE:0:$COMP_POINT}}"
    local -a words
    read -r -a words <<< "$line"
    [[ -z "$line" || "$line" == *[[:space:]] ]] && words+=("")
    local -a program=("${{words[0]}}")
    local python=""
    case "${{words[0]##*/}}" in
        python|python[0-9]*) python=${{1##*/}}; program+=("${{words[1]}}"); words=("${{words[@]:1}}") ;;
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
        compopt -o nospace 2>/dev/null
        return 0
    done
    [[ -z $python ]] || _instantiate_python "$@"
}}
# The completion python had: run it as bash would have.
_instantiate_python() {{
    local spec=${{_INSTANTIATE_PREVIOUS[${{1##*/}}]}} function="" option
    [[ -n $spec ]] || {{ _instantiate_adopt; spec=${{_INSTANTIATE_PREVIOUS[${{1##*/}}]}}; }}
    if [[ $spec == *" -F "* ]]; then function=${{spec##* -F }}; function=${{function%% *}}; fi
    if [[ -n $function ]] && declare -F -- "$function" >/dev/null; then
        local -a spec_words
        read -r -a spec_words <<< "$spec"
        for (( option = 0; option < ${{#spec_words[@]}} - 1; option++ )); do
            [[ ${{spec_words[option]}} == -o ]] && compopt -o "${{spec_words[option+1]}}" 2>/dev/null
        done
        "$function" "$@"
    fi
}}
# Remember the completion each python command had before ours, then put ours in its place.
_instantiate_adopt() {{
    local name spec loaded=""
    for name in python python3; do
        spec=$(complete -p -- "$name" 2>/dev/null)
        if [[ ( -z $spec || $spec == *" _instantiate_complete "* ) && -z $loaded ]]; then
            # bash-completion loads a command's completion on first use: load python's now
            if declare -F _comp_load >/dev/null; then
                loaded=1; _comp_load -- "$name" >/dev/null 2>&1
            elif declare -F __load_completion >/dev/null; then
                loaded=1; __load_completion "$name" >/dev/null 2>&1
            fi
            spec=$(complete -p -- "$name" 2>/dev/null)
        fi
        if [[ -n $spec && $spec != *" _instantiate_complete "* ]]; then
            _INSTANTIATE_PREVIOUS[$name]=$spec
        fi
        complete -o default -F _instantiate_complete -- "$name"
    done
}}
declare -gA _INSTANTIATE_PREVIOUS 2>/dev/null || declare -A _INSTANTIATE_PREVIOUS
_INSTANTIATE_PROGRAMS+=({names})
complete -o default -F _instantiate_complete -- {names}
_instantiate_adopt
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
    "--launcher": (),  # the launchers' names, read when asked (below)
    "--allow": (),
}
# What composition records under _run_ is not a setting to override; these are.
RUN_RECORD = frozenset({"config_name", "choices", "overrides", "run_overrides"})
RUN_SETTINGS = tuple(
    f"_run_.{key}" for key in ("dir", "name", "chdir", "log_level", "launcher", "sweeper", "sweep_dir")
)


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
        values = _launchers() if words[-2] == "--launcher" else FLAG_VALUES[words[-2]]
        return [value for value in values if value.startswith(current)]
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
        if key in ("_run_.launcher", "_run_.sweeper"):
            options = _launchers() if key == "_run_.launcher" else _sweepers()
        else:
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


def _launchers() -> list[str]:
    """The launchers' names: built in, and published by plugins (nothing is imported for it)."""
    from .launchers.registry import launchers

    try:
        return launchers.names()
    except Exception:  # completion must never fail loudly
        return []


def _sweepers() -> list[str]:
    """The sweepers' names: built in, and published by plugins."""
    from .sweepers.registry import sweepers

    try:
        return sweepers.names()
    except Exception:  # completion must never fail loudly
        return []


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
