"""The ``ray`` launcher on real ray, started by the sweep inside a network namespace of its own.

ray probes an outside address to find its own and would send usage statistics: the sweep's
driver (and so the local ray cluster it starts) runs under ``unshare -n`` with only loopback,
``RAY_USAGE_STATS_ENABLED=0``, the dashboard off and the node address 127.0.0.1. ``.ci/run``
installs ray and sets ``INSTANTIATE_TEST_RAY=1``; without it these tests skip (and fail under CI).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from services import required
from test_launchers import APP, CONFIG, REPO, summary

RAY = [
    "--launcher",
    "ray",
    "_run_.ray.init.num_cpus=2",
    "_run_.ray.init.include_dashboard=false",
    "_run_.ray.init._node_ip_address=127.0.0.1",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    required("INSTANTIATE_TEST_RAY", "ray")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text(CONFIG)
    (tmp_path / "train.py").write_text(APP)
    return tmp_path


def multirun(project: Path, *args: str, script: str | None = None) -> Any:
    """``train.py -m ...`` (or ``-c script -m ...``) in a new network namespace with only loopback up."""
    command = [sys.executable, *(["-c", script] if script else ["train.py"]), "-m", *RAY, *args]
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0"},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_sweep_on_ray_reports_each_job(project: Path) -> None:
    done = multirun(project, "lr=1,2,3", "fail_at=2")
    assert done.returncode == 1, done.stderr
    data = summary(project)
    jobs = data["jobs"]
    assert data["launcher"] == "ray" and data["counts"] == {"ok": 2, "failed": 1}
    assert [job["status"] for job in jobs] == ["ok", "failed", "ok"]
    assert [job.get("value") for job in jobs] == [10, None, 30]
    traceback = jobs[1]["error"]["traceback"]
    assert f'File "{project.resolve() / "train.py"}"' in traceback  # not <dynamic-code>
    assert 'raise ValueError(f"lr={cfg.lr} diverged")' in traceback
    for job in (jobs[0], jobs[2]):
        assert (Path(job["directory"]) / "result.txt").read_text() == str(job["value"] // 10)


def test_a_job_whose_worker_dies_runs_once_unless_retries_are_asked_for(project: Path) -> None:
    done = multirun(project, "lr=1,2", "crash_at=2", "++_run_.sweep_dir=multirun/once/x")
    assert done.returncode == 1, done.stderr
    retried = multirun(
        project, "lr=2", "crash_at=2", "_run_.ray.remote.max_retries=1", "++_run_.sweep_dir=multirun/twice/x"
    )
    assert retried.returncode == 1, retried.stderr
    once = summary_at(project / "multirun" / "once" / "x")["jobs"]
    assert [job["status"] for job in once] == ["ok", "failed"]
    assert "died" in once[1]["error"]["message"].lower() or "exit" in once[1]["error"]["message"].lower()
    runs = (Path(once[1]["directory"]) / "train.log").read_text().count("run train in")
    assert runs == 1  # ray's default would have run it 4 times
    (twice,) = summary_at(project / "multirun" / "twice" / "x")["jobs"]
    assert (Path(twice["directory"]) / "train.log").read_text().count("run train in") == 2


SCRIPT = """
import torch

from instantiate import main


@main(config_dir="conf", config_name="classify")
def classify(cfg):
    layer = torch.nn.Linear(2, len(cfg.classes))
    scores = layer(torch.ones(2))
    return {"label": cfg.classes[cfg.lr], "scores": list(scores.shape)}


if __name__ == "__main__":
    classify()
"""


def test_a_task_by_value_that_uses_torch_runs_on_ray(project: Path) -> None:
    """``python -c``: no file to import the task from in ray's worker, so it travels by value
    (cloudpickle), and its code names ``torch`` and ``classes``: ``torch.classes`` goes too, which
    ray's cloudpickle cannot pickle by value (see ``instantiate/_run/launchers/cloudpickling.py``)."""
    if importlib.util.find_spec("torch") is None:  # not imported here: only the sweep needs it
        pytest.skip("torch is not installed: pip install 'instantiate[torch]'")
    (project / "conf" / "classify.yaml").write_text("lr: 0\nclasses: [cat, dog, bird]\n")
    done = multirun(project, "lr=1,2", script=SCRIPT)
    assert done.returncode == 0, done.stderr
    data = summary(project)
    assert data["launcher"] == "ray" and data["counts"] == {"ok": 2}
    assert [job["value"] for job in data["jobs"]] == [
        {"label": "dog", "scores": [3]},
        {"label": "bird", "scores": [3]},
    ]


def summary_at(directory: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((directory / "summary.yaml").read_text())  # type: ignore[no-any-return]
