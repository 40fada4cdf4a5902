"""A small ``@main`` program and its ``conf/`` tree, written into a tmp dir and run as a user would.

``APP_TREE`` is shaped like a Hydra project: groups ``model``, ``optimizer``, ``data`` and
``experiment``, a primary ``train.yaml`` with a defaults list, and an experiment with
``# @package _global_`` and ``override /model: ...``. ``TASK`` prints what the task saw as one
``TASK {json}`` line, so a test can read it from the subprocess's output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from trees import write_tree

WORKTREE = Path(__file__).resolve().parents[1]
RUN_DIR = re.compile(r"^outputs/\d{4}-\d\d-\d\d/\d\d-\d\d-\d\d(_\d+)?$")

APP_TREE = {
    "conf/train.yaml": """
        defaults:
          - model: small
          - optimizer: sgd
          - data: synthetic
          - _self_

        seed: 0
        epochs: 2
        paths:
          run_dir: $<run:dir>
          run_name: $<run:name>
          output_dir: ${hydra:runtime.output_dir}
          job_name: ${hydra:job.name}
          model_choice: ${hydra:runtime.choices.model}
    """,
    "conf/model/small.yaml": """
        _target_: builtins.dict
        name: small
        hidden: 16
    """,
    "conf/model/big.yaml": """
        _target_: builtins.dict
        name: big
        hidden: 256
    """,
    "conf/optimizer/sgd.yaml": """
        name: sgd
        lr: 0.1
        momentum: 0.9
    """,
    "conf/optimizer/adam.yaml": """
        name: adam
        lr: 0.001
    """,
    "conf/data/synthetic.yaml": """
        features: 8
        hidden: $<model.hidden>
    """,
    "conf/experiment/wide.yaml": """
        # @package _global_
        defaults:
          - override /model: big
          - override /optimizer: adam
        optimizer:
          lr: 0.01
        seed: 7
    """,
}

TASK = """
import json
import logging
import os

from instantiate import instantiate, main

log = logging.getLogger("task")


@main(config_dir="conf", config_name="train")
def train(cfg):
    log.info("training %s with lr %s", cfg.model.name, cfg.optimizer.lr)
    log.debug("debug details")
    model = instantiate(cfg.model)
    seen = {
        "cwd": os.getcwd(),
        "model": model,
        "lr": cfg.optimizer.lr,
        "seed": cfg.seed,
        "paths": cfg.paths.to_dict(resolve=True),
    }
    print("TASK " + json.dumps(seen), flush=True)
    return {"model": model["name"], "lr": cfg.optimizer.lr}


if __name__ == "__main__":
    print("RETURNED " + json.dumps(train()))
"""


def write_app(root: Path, files: dict[str, str] | None = None, script: str = TASK) -> Path:
    """Write ``train.py`` and the config tree (plus ``files``, which may replace some) under ``root``."""
    write_tree(root, {**APP_TREE, **(files or {})})
    (root / "train.py").write_text(script.lstrip(), encoding="utf-8")
    return root


def env() -> dict[str, str]:
    """The environment a subprocess runs with: this worktree first on the import path."""
    return {**os.environ, "PYTHONPATH": str(WORKTREE)}


def run_app(
    root: Path, *args: str, script: str = "train.py", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python train.py ARGS...`` in ``root``, as a user would type it."""
    return subprocess.run(
        [sys.executable, script, *args],
        cwd=root,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def task_saw(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The ``TASK {json}`` line the task printed."""
    lines = [line for line in done.stdout.splitlines() if line.startswith("TASK ")]
    assert len(lines) == 1, (done.stdout, done.stderr)
    return json.loads(lines[0][len("TASK ") :])  # type: ignore[no-any-return]


def returned(done: subprocess.CompletedProcess[str]) -> Any:
    lines = [line for line in done.stdout.splitlines() if line.startswith("RETURNED ")]
    assert len(lines) == 1, (done.stdout, done.stderr)
    return json.loads(lines[0][len("RETURNED ") :])


def run_dirs(root: Path, base: str = "outputs") -> list[Path]:
    """Every run directory under ``root/base`` (those holding a run.yaml), sorted."""
    return sorted(p.parent for p in (root / base).rglob("run.yaml"))
