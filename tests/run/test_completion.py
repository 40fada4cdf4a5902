"""Shell completion: the scripts are valid shell, and completing asks the program for candidates."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from apps import env, run_app, write_app

from instantiate import Config, main
from instantiate._run.completion import candidates, completion_script


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_app(tmp_path)


@pytest.fixture
def train(app: Path) -> Any:
    @main(config_dir=app / "conf", config_name="train")
    def train(cfg: Config) -> None: ...

    return train.app  # type: ignore[attr-defined]


# -- what may follow --------------------------------------------------------------------------
def test_groups_and_keys_with_equals(train: Any) -> None:
    found = candidates(train, [""])
    for word in ("model=", "optimizer=", "data=", "experiment=", "seed=", "model.hidden=", "paths.run_dir="):
        assert word in found, found
    assert all(word.endswith("=") for word in found)
    assert "_run_.choices.model=" not in found  # what composition records is not a setting
    assert "_run_.dir=" in found and "_run_.chdir=" in found
    assert candidates(train, ["mo"]) == ["model._target_=", "model.hidden=", "model.name=", "model="]


def test_options_after_group_equals(train: Any) -> None:
    assert candidates(train, ["model="]) == ["model=big", "model=small"]
    assert candidates(train, ["model=s"]) == ["model=small"]
    assert candidates(train, ["+experiment="]) == ["+experiment=wide"]
    assert candidates(train, ["optimizer=a"]) == ["optimizer=adam"]


def test_keys_follow_the_overrides_already_given(train: Any) -> None:
    assert "optimizer.momentum=" in candidates(train, ["optim"])
    assert "optimizer.momentum=" not in candidates(train, ["optimizer=adam", "optim"])
    assert "optimizer.momentum=" not in candidates(train, ["+experiment=wide", "optim"])


def test_flags_after_a_dash(train: Any) -> None:
    assert candidates(train, ["--c"]) == ["--cfg"]
    assert "--help" in candidates(train, ["-"]) and "--multirun" in candidates(train, ["-"])
    assert "--complete" not in candidates(train, ["-"])


def test_flag_values(train: Any) -> None:
    assert candidates(train, ["--cfg", ""]) == ["job", "all"]
    assert candidates(train, ["--shell-completion", "z"]) == ["zsh"]
    assert candidates(train, ["--run-dir", "ru"]) == []  # the shell completes file names
    # a flag's value is not an override: the keys still come from the composed config
    assert "model.hidden=" in candidates(train, ["--cfg", "job", "model."])


def test_launcher_and_sweeper_names(train: Any) -> None:
    assert {"basic", "processes", "submitit", "submitit-local", "ray"} <= set(
        candidates(train, ["--launcher", ""])
    )
    assert candidates(train, ["--launcher", "sub"]) == ["submitit", "submitit-local"]
    assert candidates(train, ["_run_.launcher=pro"]) == ["_run_.launcher=processes"]
    assert candidates(train, ["++_run_.sweeper="]) == ["++_run_.sweeper=basic", "++_run_.sweeper=optuna"]
    assert "--version" in candidates(train, ["--v"])


def test_complete_on_the_command_line(app: Path) -> None:
    def complete(*words: str) -> list[str]:
        done = run_app(app, "--complete", *words)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert complete("model=") == ["model=big", "model=small"]
    assert complete("--c") == ["--cfg"]  # a flag being typed is a word to complete, not a flag
    assert complete("--cfg", "job", "model=b") == ["model=big"]
    assert "optimizer.lr=" in complete("optimizer.")
    assert complete("nothing_like_this") == []
    assert not (app / "outputs").exists()


# -- the scripts ------------------------------------------------------------------------------
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_scripts_are_valid_shell(app: Path, shell: str) -> None:
    done = run_app(app, "--shell-completion", shell)
    assert done.returncode == 0, done.stderr
    assert "train.py" in done.stdout
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    check = subprocess.run([shell, "-n"], input=done.stdout, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_script_names_are_shell_safe() -> None:
    script = completion_script("bash", "my-app", "my app.py")
    assert "complete -o default -F _instantiate_complete -- my-app 'my app.py'" in script
    assert "'my app.py'" in script


BASH_LINES = [
    ("{py} train.py model=", ["big", "small"]),  # readline replaces only the text after '='
    ("{py} train.py model=s", ["small"]),
    ("{py} train.py +experiment=", ["wide"]),
    ("{py} train.py mod", ["model.hidden=", "model.name=", "model._target_=", "model="]),
    ("{py} train.py --cfg job optimizer=", ["adam", "sgd"]),
    ("{py} train.py --c", ["--cfg"]),
    ("{py} train.py --cfg ", ["job", "all"]),
    ("./train.py model=b", ["big"]),
    ("{py} other.py model=", []),  # not our program: nothing is run, the shell completes files
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("line", "expected"), BASH_LINES)
def test_bash_completion_for_real(app: Path, line: str, expected: list[str]) -> None:
    """Source the script in bash and call its function as bash's completion would."""
    script = run_app(app, "--shell-completion", "bash").stdout
    (app / "train.py").chmod(0o755)
    (app / "train.py").write_text(f"#!{sys.executable}\n" + (app / "train.py").read_text())
    (app / "other.py").write_text("raise SystemExit('other.py must not run')\n")
    line = line.format(py=shlex.quote(sys.executable))
    # the words bash itself would make: '=' is one of COMP_WORDBREAKS
    words = shlex.split(line.replace("=", " = ")) + ([""] if line.endswith(" ") else [])
    program = f"""
{script}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({" ".join(shlex.quote(w) for w in words)})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
_instantiate_complete
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    done = subprocess.run(
        ["bash", "-c", program], cwd=app, env=env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert sorted(filter(None, done.stdout.splitlines())) == sorted(expected), done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_function(app: Path) -> None:
    """Call the zsh function with completion's builtins stubbed: it asks the program and adds its words."""
    script = run_app(app, "--shell-completion", "zsh").stdout
    program = f"""
compdef() {{ :; }}
_files() {{ print -r -- FILES; }}
compadd() {{  # prints the words it is given
    while [[ $1 == -* ]]; do [[ $1 == -- ]] && {{ shift; break; }}; [[ $1 == -S ]] && shift; shift; done
    print -rl -- "$@"
}}
{script}
words=({shlex.quote(sys.executable)} train.py +experiment=wide opt)
CURRENT=4
_instantiate_complete
words=({shlex.quote(sys.executable)} other.py model=)
CURRENT=3
_instantiate_complete
"""
    done = subprocess.run(
        ["zsh", "-f", "-c", program], cwd=app, env=env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "optimizer=" in lines and "optimizer.lr=" in lines and "optimizer.momentum=" not in lines, lines
    assert lines[-1] == "FILES"


def test_completion_never_prints_a_traceback(app: Path) -> None:
    (app / "conf" / "train.yaml").write_text("defaults:\n  - model: nope\n")
    done = run_app(app, "--complete", "mo")
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["model="]
    assert done.stderr == ""
