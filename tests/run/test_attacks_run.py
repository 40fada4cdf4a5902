"""The policy holds for a ``@main`` program: ``main(allow=)``, ``--allow``, a sweep's process
workers, and threads the task starts; nothing a hostile config asks for is imported or run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from canaries import Canaries
from trees import write_tree

REPO = Path(__file__).resolve().parents[2]

TASK = """
import concurrent.futures
from instantiate import instantiate, main

@main(config_dir="conf", config_name="train"ALLOW)
def train(cfg):
    if cfg.mode == "thread":
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            pool.submit(instantiate, cfg.evil).result()
    else:
        instantiate(cfg.attack).run()

if __name__ == "__main__":
    train()
"""

CONFIG = """
mode: direct
h: {_target_: PKG.models.Holder}
attack: {_target_: PKG.models.Runner, callback: '$<@h:os.system>'}
evil: {_target_: EVIL.run}
"""


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[Canaries]:
    made = Canaries(tmp_path)
    yield made
    made.close()


def run(tmp_path: Path, canary: Canaries, *args: str, allow: str = "") -> subprocess.CompletedProcess[str]:
    config = CONFIG.replace("PKG", canary.pkg).replace("EVIL", canary.evil)
    task = TASK.replace("ALLOW", f", allow=[{allow!r}]" if allow else "")
    write_tree(tmp_path / "app", {"conf/train.yaml": config, "train.py": task})
    return subprocess.run(
        [sys.executable, "train.py", *args],
        cwd=tmp_path / "app",
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(canary.root)])},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.parametrize(
    ("args", "allow"),
    [
        ((), ""),  # the deny list alone
        ((), "PKG.*"),  # main(allow=...)
        (("--allow", "PKG.*"), ""),
        (("-m", "mode=direct", "--launcher", "processes", "--allow", "PKG.*"), ""),
        (("-m", "mode=direct", "--launcher", "processes"), "PKG.*"),
        (("mode=thread",), "PKG.*"),
        (("mode=thread", "--allow", "PKG.*"), ""),
        (("-m", "mode=thread", "--launcher", "processes"), "PKG.*"),
    ],
)
def test_a_hostile_config_runs_nothing_in_a_program(
    tmp_path: Path, canary: Canaries, args: tuple[str, ...], allow: str
) -> None:
    args = tuple(a.replace("PKG", canary.pkg) for a in args)
    done = run(tmp_path, canary, *args, allow=allow.replace("PKG", canary.pkg))
    assert done.returncode != 0, done.stdout
    if "-m" in args:
        (summary,) = (tmp_path / "app").glob("multirun/*/*/summary.yaml")
        assert "TargetError" in summary.read_text()
    else:
        assert "not allowed here" in done.stderr, done.stderr
    assert canary.untouched(), list(canary.marks.iterdir())
