"""Run a command under a pseudo-terminal, as a person runs it, and read what it showed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run_on_a_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Everything ``argv`` wrote to its terminal (stdout and stderr), once it exited with 0."""
    import pty

    master, child = pty.openpty()
    with subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=child, stderr=child
    ) as process:
        os.close(child)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        assert process.wait(60) == 0
    os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")  # the terminal turns \n into \r\n
