"""The examples run as their READMEs say, from the repository root, and do what they claim."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EPOCH_LINE = re.compile(r"^epoch\s+(\d+)\s+train loss ([\d.]+)\s+valid loss ([\d.]+)$", re.M)


def test_recipe_trainer_runs() -> None:
    pytest.importorskip("torch")
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout, even if another is installed
    done = subprocess.run(
        [sys.executable, "examples/recipe_trainer/train.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr  # e.g. a scheduler built after the first step
    epochs = [(int(n), float(train), float(valid)) for n, train, valid in EPOCH_LINE.findall(done.stdout)]
    assert [n for n, _, _ in epochs] == list(range(1, len(epochs) + 1)) and len(epochs) >= 5, done.stdout
    (_, first_train, first_valid), (_, last_train, last_valid) = epochs[0], epochs[-1]
    assert last_train < first_train / 2, done.stdout
    assert last_valid < first_valid / 2, done.stdout
    assert f"train loss {first_train:.4f} -> {last_train:.4f}" in done.stdout


MLP_LINE = re.compile(r"^epoch\s+(\d+)\s+loss ([\d.]+)$", re.M)


def test_mlp_example_runs() -> None:
    """The README's first command: the canonical Sequential example trains and its loss falls."""
    pytest.importorskip("torch")
    done = subprocess.run(
        [sys.executable, "examples/mlp/train.py"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    losses = [float(loss) for _, loss in MLP_LINE.findall(done.stdout)]
    assert len(losses) == 15, done.stdout
    assert losses[-1] < losses[0] / 5, done.stdout
    assert "accuracy" in done.stdout
