"""The bash completion script in a real interactive bash, on a pseudo-terminal, TAB pressed as a person would.

What readline makes of the line is read back by running it as ``echo '<<<'LINE'>>>'``. The
script must complete only the program's own command line and leave ``python``'s completion for
everything else: a stand-in completion defined before it, or the real bash-completion package
(installed by .ci/tools.sh; under CI its absence fails instead of skipping).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from apps import env, run_app, write_app

BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")
READLINE = """
bind 'set bell-style none'
bind 'set show-all-if-ambiguous on'
bind 'set completion-query-items 0'
bind 'set page-completions off'
bind 'set completion-display-width 0'
bind 'set enable-bracketed-paste off'
"""

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


class Bash:
    """An interactive bash on a pseudo-terminal, started with ``rc`` as its rc file."""

    def __init__(self, cwd: Path, rc: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.master = master
        self.pending = b""
        (cwd / ".bashrc").write_text("PS1='$ '\n" + rc + READLINE)
        environment = {**env(), "INPUTRC": "/dev/null", "TERM": "dumb"}
        environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--rcfile", str(cwd / ".bashrc"), "-i"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=environment,
            start_new_session=True,
        )
        os.close(slave)
        self.run("true")

    def read_until(self, marker: bytes, timeout: float = 60) -> str:
        buffer, deadline = self.pending, time.monotonic() + timeout
        while marker not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(buffer.decode(errors="replace"))
            if select.select([self.master], [], [], left)[0]:
                try:
                    buffer += os.read(self.master, 4096)
                except OSError:
                    break
        head, _, self.pending = buffer.partition(marker)
        return (head + marker).decode(errors="replace")

    def run(self, command: str) -> str:
        """Run a command; its output (the marker keeps the echoed command line out of the match)."""
        os.write(self.master, f"{command}; printf '%s_%s\\n' DO NE\n".encode())
        out = self.read_until(b"DO_NE")
        self.read_until(b"$ ")
        return out

    def complete(self, line: str) -> tuple[str, list[str]]:
        """Type ``line``, press TAB: the line readline made, and the candidates it listed."""
        os.write(self.master, line.encode() + b"\t\x01echo '<<<'\x05'>>>'\n")  # TAB, C-a, C-e
        out = self.read_until(b">>>\r\n")
        self.read_until(b"$ ")
        final = out.rsplit("<<<", 1)[1].rsplit(">>>", 1)[0]
        listed = [
            row.strip()
            for row in out.split("\r\n")[1:]
            if row.strip() and not row.startswith("$ ") and "<<<" not in row
        ]
        return final, listed

    def close(self) -> None:
        os.write(self.master, b"exit\n")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    app = write_app(tmp_path)
    script = app / "train.py"
    script.write_text(f"#!{sys.executable}\n" + script.read_text())
    script.chmod(0o755)
    (app / "other.py").write_text("raise SystemExit('other.py must not run')\n")
    done = run_app(app, "--shell-completion", "bash")
    assert done.returncode == 0, done.stderr
    (app / "completion.bash").write_text(done.stdout)
    return app


@pytest.fixture
def shell(app: Path) -> Iterator[list[Bash]]:
    opened: list[Bash] = []
    yield opened
    for bash in opened:
        bash.close()


def start(shell: list[Bash], app: Path, rc: str) -> Bash:
    bash = Bash(app, rc)
    shell.append(bash)
    return bash


STAND_IN = (  # what a python completion installed before ours looks like
    "_python_stand_in() { COMPREPLY=(from-python-completion); }\n"
    "complete -F _python_stand_in python python3\n"
)


def test_the_programs_own_line_is_completed(app: Path, shell: list[Bash]) -> None:
    bash = start(shell, app, "source completion.bash\n")
    assert bash.complete("python train.py model=") == ("python train.py model=", ["big", "small"])
    assert bash.complete("python3 train.py +experiment=")[0] == "python3 train.py +experiment=wide"
    assert bash.complete("./train.py model=s")[0] == "./train.py model=small"
    _, listed = bash.complete("python train.py --launcher ")
    assert {"basic", "processes", "submitit", "submitit-local"} <= set(listed), listed
    assert bash.complete("python train.py --launcher proc")[0] == "python train.py --launcher processes"
    assert bash.complete("python train.py _run_.sweeper=o")[0] == "python train.py _run_.sweeper=optuna"


def test_other_python_lines_go_to_the_completion_python_had(app: Path, shell: list[Bash]) -> None:
    bash = start(shell, app, STAND_IN + "source completion.bash\n")
    assert bash.complete("python -m json.t")[0] == "python -m from-python-completion "
    assert bash.complete("python3 other.p")[0] == "python3 from-python-completion "
    assert bash.complete("python train.py model=b")[0] == "python train.py model=big"  # still ours


def test_without_any_python_completion_file_names_are_completed(app: Path, shell: list[Bash]) -> None:
    bash = start(shell, app, "source completion.bash\n")
    assert bash.complete("python othe")[0] == "python other.py "
    assert bash.complete("python other.py ")[0] == "python other.py "  # nothing is run for it


def test_two_programs_and_a_second_eval_keep_pythons_completion(app: Path, shell: list[Bash]) -> None:
    bash = start(shell, app, STAND_IN + "source completion.bash\nsource completion.bash\n")
    assert bash.complete("python -m json.t")[0] == "python -m from-python-completion "
    assert bash.complete("python train.py model=s")[0] == "python train.py model=small"


@pytest.mark.parametrize("order", ["after bash-completion", "before bash-completion"])
def test_with_the_real_bash_completion(app: Path, shell: list[Bash], order: str) -> None:
    if not BASH_COMPLETION.is_file():
        if os.environ.get("CI"):
            pytest.fail("bash-completion is not installed: .ci/tools.sh installs it")
        pytest.skip("the bash-completion package is not installed")
    ours, theirs = "source completion.bash\n", f"source {BASH_COMPLETION}\n"
    bash = start(shell, app, theirs + ours if order == "after bash-completion" else ours + theirs)
    assert bash.complete("python -m json.t")[0] == "python -m json.tool "  # bash-completion's own
    assert bash.complete("python3 -m json.t")[0] == "python3 -m json.tool "
    assert bash.complete("python train.py model=s")[0] == "python train.py model=small"
    assert bash.complete("python -m json.t")[0] == "python -m json.tool "  # and again, after ours ran
