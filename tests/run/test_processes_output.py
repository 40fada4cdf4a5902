"""What workers of the ``processes`` launcher write to file descriptors 1 and 2 goes above the bar.

Not only Python's ``print``: ``os.write(1, ...)``, C code's ``printf`` and the subprocesses a task
starts write to the file descriptors themselves. Run under a pseudo-terminal, as a person runs a
sweep, every such line must be a line of its own, not appended to the bar's line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from terminal import run_on_a_terminal

REPO = Path(__file__).resolve().parents[2]

APP = """
import ctypes
import logging
import os
import subprocess

from instantiate import main


@main(config_dir="conf", config_name="train")
def train(cfg):
    n = cfg.lr
    logging.getLogger("task").info("logged by job %s", n)
    print(f"printed by job {n}")
    os.write(1, f"fd 1 of job {n}\\n".encode())
    os.write(2, f"fd 2 of job {n}\\n".encode())
    subprocess.run(["echo", f"echo of job {n}"], check=True)
    ctypes.CDLL(None).printf(b"printf of job %d\\n", ctypes.c_int(n))
    return n


if __name__ == "__main__":
    train()
"""
WRITTEN = ("printed by job {}", "fd 1 of job {}", "fd 2 of job {}", "echo of job {}", "printf of job {}")
ARGS = ["-m", "lr=1,2,3", "--launcher", "processes", "_run_.processes.n_jobs=2"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text("lr: 0\n")
    (tmp_path / "train.py").write_text(APP)
    return tmp_path


def environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CI", None)  # a bar is drawn only for a person, not in a CI log
    return env


def sweep_on_a_terminal(project: Path) -> str:
    return run_on_a_terminal([sys.executable, "train.py", *ARGS], project, environment())


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_fd_level_output_of_workers_goes_above_the_bar(project: Path) -> None:
    text = sweep_on_a_terminal(project)
    lines = text.split("\n")
    shown = [line.split("\r\033[K")[-1] for line in lines]  # what is left once the bar was cleared
    expected = [written.format(n) for n in (1, 2, 3) for written in WRITTEN]
    for line in expected:
        assert shown.count(line) == 1, (line, text)
    for line in shown:  # none shares its line with the bar or with another's
        assert line in expected or not any(part in line for part in expected), (line, text)
    for n in (1, 2, 3):  # in the order the job wrote them, stdout's and stderr's
        written = [
            line.split(" - ")[-1] for line in shown if line.endswith(f" job {n}") and "printf" not in line
        ]
        assert written == [f"logged by job {n}", *(w.format(n) for w in WRITTEN if "printf" not in w)], text
    for n in (1, 2, 3):  # and each comes before the line that says its job ended
        (end,) = [i for i, line in enumerate(shown) if re.match(rf"\[\d/3\] ok .* #{n - 1} lr={n}$", line)]
        assert all(shown.index(written.format(n)) < end for written in WRITTEN), text
    assert re.fullmatch(r"(\r\033\[K\[#{24}\] 3/3  \d+\.\ds)+", lines[-3]), text  # the last bar, its own line
    assert lines[-2].startswith("sweep finished in ") and lines[-1] == ""
    for n in range(3):  # the job's log file has every log line of the job, and only those
        (log,) = project.glob(f"multirun/*/*/{n}/train.log")
        logged = log.read_text().splitlines()
        assert [line.split(" - ", 1)[1] for line in logged] == [
            f"run train in {log.parent}",
            f"logged by job {n + 1}",
        ]


def test_without_a_bar_workers_write_where_they_always_did(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "train.py", *ARGS], cwd=project, env=environment(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for n in (1, 2, 3):
        for written in WRITTEN:
            stream = done.stderr if written.startswith("fd 2") else done.stdout
            assert written.format(n) in stream.splitlines(), (written, done.stdout, done.stderr)
