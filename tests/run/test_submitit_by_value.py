"""A task submitit sends by value, through submitit's real local executor.

submitit carries a job with cloudpickle, which pickles by value a task the worker could not
import (here one defined in the test, as in a notebook), with the loaded submodules its code may
reach: with ``torch`` and ``cfg.classes`` that is ``torch.classes``, which is not a plain module
(see ``instantiate/_run/launchers/cloudpickling.py``). A script given with ``python -c`` or on
stdin has no file to import its task from, so its task travels by value too.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from instantiate import main
from instantiate._run.launchers.cloudpickling import Sent, dumps
from instantiate._run.multirun import run_sweep

torch = pytest.importorskip("torch", reason="torch is not installed: pip install 'instantiate[torch]'")
pytest.importorskip("submitit", reason="submitit is not installed: pip install 'instantiate[submitit]'")


def test_a_task_by_value_that_reads_cfg_classes_with_torch_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the sweep directory
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text("lr: 0.1\nnum_classes: 3\nclasses: [cat, dog, bird]\n")

    def classify(cfg: Any) -> dict[str, Any]:  # nested, so by value; its code names classes and cudnn
        scores = torch.zeros(cfg.num_classes)
        scores[int(cfg.lr)] = 1.0
        cudnn = torch.backends.cudnn.is_available()
        return {"label": cfg.classes[int(scores.argmax())], "cudnn": isinstance(cudnn, bool)}

    app = main(config_dir=str(tmp_path / "conf"), config_name="train")(classify).app
    overrides = ["lr=1,2", "_run_.launcher=submitit-local", "_run_.submitit.timeout_min=5"]
    result = run_sweep(app, overrides)
    outcomes = [job.outcome for job in result.jobs]
    assert [job.status for job in result.jobs] == ["ok", "ok"], outcomes
    assert [outcome.value for outcome in outcomes] == [  # type: ignore[union-attr]
        {"label": "dog", "cudnn": True},
        {"label": "bird", "cudnn": True},
    ]
    assert result.launcher == "submitit-local" and (result.directory / ".submitit").is_dir()  # type: ignore[operator]


def test_module_like_objects_travel_by_their_name() -> None:
    def uses(cfg: Any) -> Any:
        return torch.classes, torch.ops, cfg.classes, cfg.ops

    assert type(torch.classes) is not type(sys) and sys.modules["torch.classes"] is torch.classes
    carried = pickle.loads(pickle.dumps(Sent(uses)))
    assert carried is not uses and carried.__code__.co_names == uses.__code__.co_names
    config = type("Cfg", (), {"classes": ["cat"], "ops": 2})()
    assert carried(config) == (torch.classes, torch.ops, ["cat"], 2)
    assert pickle.loads(dumps(torch.backends.cudnn)) is torch.backends.cudnn


SCRIPT = """
import torch

from instantiate import main


@main(config_dir={conf!r}, config_name="train")
def train(cfg):
    return {{"label": cfg.classes[cfg.lr], "score": float(torch.tensor(cfg.lr))}}


if __name__ == "__main__":
    train()
"""


@pytest.mark.parametrize("given", ["-c", "stdin"])
def test_a_script_without_a_file_runs_through_submitit_local(tmp_path: Path, given: str) -> None:
    """``python -c`` and ``python - < train.py``: no file to import the task from where the job runs,
    so it travels by value, and its code names ``torch`` and ``classes``."""
    import os
    import subprocess

    import yaml

    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text("lr: 0\nclasses: [cat, dog, bird]\n")
    script = SCRIPT.format(conf=str(tmp_path / "conf"))
    args = ["-m", "lr=1,2", "--launcher", "submitit-local", "_run_.submitit.timeout_min=5"]
    command = [sys.executable, *(["-c", script] if given == "-c" else ["-"]), *args]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        command,
        input=script if given == "stdin" else None,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (found,) = tmp_path.glob("multirun/*/*/summary.yaml")
    jobs = yaml.safe_load(found.read_text())["jobs"]
    assert [job["value"] for job in jobs] == [{"label": "dog", "score": 1.0}, {"label": "bird", "score": 2.0}]
