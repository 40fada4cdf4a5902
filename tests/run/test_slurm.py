"""The ``submitit`` launcher on a real SLURM cluster: sbatch job arrays, sacct, scancel, requeue.

``.ci/run`` starts a single-node cluster with accounting (``.ci/slurm.sh``) inside a network
namespace with only loopback and exports its name as ``INSTANTIATE_TEST_SLURM``; the sweep's
driver runs there (``ip netns exec``), as a user's runs on a login node. Without that set-up
these tests skip (and fail under CI): they never use whatever SLURM a machine happens to have.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from services import required

REPO = Path(__file__).resolve().parents[2]

APP = """
import os
import time
from pathlib import Path

from instantiate import main


@main(config_dir="conf", config_name="train")
def train(cfg):
    attempts = Path(cfg["_run_"]["dir"], f"attempts-{os.environ.get('SLURM_PROCID', 0)}")
    attempt = int(attempts.read_text()) + 1 if attempts.exists() else 1
    attempts.write_text(str(attempt))
    if cfg.lr == cfg.fail_at:
        raise ValueError(f"lr={cfg.lr} diverged")
    if cfg.lr == cfg.slow_at or (cfg.lr == cfg.slow_once_at and attempt == 1):
        time.sleep(cfg.sleep)
    return {
        "lr": cfg.lr,
        "attempt": attempt,
        "rank": int(os.environ["SLURM_PROCID"]),
        "tasks": int(os.environ["SLURM_NTASKS"]),
        "setup": os.environ.get("FROM_SETUP"),
    }


if __name__ == "__main__":
    train()
"""
CONFIG = "lr: 0\nsleep: 300\nslow_at: null\nslow_once_at: null\nfail_at: null\n"


@pytest.fixture
def netns() -> str:
    return required("INSTANTIATE_TEST_SLURM", "a SLURM cluster")


@pytest.fixture
def project(tmp_path: Path, netns: str, request: pytest.FixtureRequest) -> Iterator[Path]:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text(CONFIG)
    (tmp_path / "train.py").write_text(APP)
    yield tmp_path
    # whatever the test left in the queue (its jobs carry its name) must not hold the next one up
    subprocess.run(["ip", "netns", "exec", netns, "scancel", f"--name={job_name(request)}"], check=False)


def job_name(request: pytest.FixtureRequest) -> str:
    return f"t-{request.node.name}"[:60]


def driver(netns: str, project: Path, *args: str) -> list[str]:
    """The sweep's command line, run inside the cluster's network namespace."""
    return ["ip", "netns", "exec", netns, sys.executable, "train.py", "-m", *args]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def multirun(netns: str, project: Path, *args: str, timeout: float = 300) -> Any:
    return subprocess.run(
        driver(netns, project, *args),
        cwd=project,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def summary(project: Path) -> dict[str, Any]:
    (found,) = project.glob("multirun/*/*/summary.yaml")
    return yaml.safe_load(found.read_text())  # type: ignore[no-any-return]


def sacct(netns: str, *job_ids: str) -> dict[str, str]:
    """SLURM's accounting record: the state of each job (array elements by ``<array>_<index>``)."""
    out = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            netns,
            "sacct",
            "-X",
            "-n",
            "-P",
            "-o",
            "JobID,State",
            "-j",
            ",".join(job_ids),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("|", 1) for line in out.splitlines() if line)


def until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.5)


# -- a sweep is one job array -----------------------------------------------------------------------------
PORTED = """
hydra:
  launcher:
    _target_: hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher
    timeout_min: 5
    cpus_per_task: 1
    mem_per_cpu: 200M
    signal_delay_s: 30
    max_num_timeout: 1
    comment: from-hydra-launcher
    stderr_to_stdout: true
    setup: ["export FROM_SETUP=yes"]
    srun_args: ["--cpu-bind=none"]
    additional_parameters: {wckey: instantiate}
    array_parallelism: 2
"""


def test_a_sweep_is_a_job_array_with_every_ported_option_in_its_sbatch_script(
    netns: str, project: Path, request: pytest.FixtureRequest
) -> None:
    (project / "conf" / "train.yaml").write_text(CONFIG + PORTED)  # a config written for Hydra
    done = multirun(
        netns,
        project,
        "lr=1,2,3",
        "fail_at=2",
        "hydra/launcher=submitit_slurm",
        f"hydra.launcher.name={job_name(request)}",
    )
    assert done.returncode == 1, done.stderr
    data = summary(project)
    jobs = data["jobs"]
    assert data["launcher"] == "submitit"
    assert [job["status"] for job in jobs] == ["ok", "failed", "ok"]
    array = jobs[0]["engine_id"].split("_")[0]
    assert [job["engine_id"] for job in jobs] == [f"{array}_{n}" for n in range(3)]
    # a task's exception is the task's failure, reported by run_job: for SLURM every job completed
    completed = {f"{array}_{n}": "COMPLETED" for n in range(3)}
    until(lambda: sacct(netns, array) == completed, 30, "SLURM to record the array as completed")
    assert jobs[0]["value"] == {"lr": 1, "attempt": 1, "rank": 0, "tasks": 1, "setup": "yes"}
    traceback = jobs[1]["error"]["traceback"]
    assert f'File "{project.resolve() / "train.py"}"' in traceback and "<dynamic-code>" not in traceback
    (script,) = (project / "multirun").glob("*/*/.submitit/*/*_submission.sh")
    lines = script.read_text().splitlines()
    for expected in (
        "#SBATCH --array=0-2%2",
        f"#SBATCH --job-name={job_name(request)}",
        "#SBATCH --time=5",
        "#SBATCH --cpus-per-task=1",
        "#SBATCH --mem-per-cpu=200M",
        "#SBATCH --signal=USR2@30",
        "#SBATCH --comment=from-hydra-launcher",
        "#SBATCH --wckey=instantiate",
        "export FROM_SETUP=yes",
    ):
        assert expected in lines, (expected, script.read_text())
    assert not any(line.startswith("#SBATCH --error") for line in lines)  # stderr_to_stdout
    assert any(line.startswith("srun ") and "--cpu-bind=none" in line for line in lines)


def test_a_short_multi_task_job_reports_its_first_tasks_result(
    netns: str, project: Path, request: pytest.FixtureRequest
) -> None:
    done = multirun(
        netns,
        project,
        "lr=1",
        "slow_at=1",
        "sleep=3",
        "--launcher",
        "submitit",
        "_run_.submitit.timeout_min=2",  # warned (default: half of it) no sooner than ~30 s in
        "_run_.submitit.tasks_per_node=2",
        "_run_.submitit.cpus_per_task=1",
        f"_run_.submitit.name={job_name(request)}",
    )
    assert done.returncode == 0, done.stderr
    (job,) = summary(project)["jobs"]
    assert job["status"] == "ok"
    assert job["value"] == {"lr": 1, "attempt": 1, "rank": 0, "tasks": 2, "setup": None}
    directory = Path(job["directory"])
    assert (directory / "attempts-0").exists() and (directory / "attempts-1").exists()  # both tasks ran


# -- jobs that end without a result ----------------------------------------------------------------------
def test_a_job_cancelled_with_scancel_is_cancelled_and_the_others_finish(
    netns: str, project: Path, request: pytest.FixtureRequest
) -> None:
    name = job_name(request)
    args = ["lr=1,2,3", "slow_at=2", "--launcher", "submitit", "_run_.submitit.cpus_per_task=1"]
    with subprocess.Popen(
        driver(netns, project, *args, f"_run_.submitit.name={name}"),
        cwd=project,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        watchdog = threading.Timer(120, process.kill)
        watchdog.start()
        try:
            assert process.stderr is not None
            ended = 0
            for line in process.stderr:
                ended += line.startswith(("[1/3] ok", "[2/3] ok"))
                if ended == 2:
                    break
            # someone cancels the sleeping job, element 1 of the array
            array = subprocess.run(
                ["ip", "netns", "exec", netns, "squeue", "-h", f"--name={name}", "-o", "%F"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[0]
            subprocess.run(["ip", "netns", "exec", netns, "scancel", f"{array}_1"], check=True)
            rest = process.stderr.read()
            code = process.wait()
        finally:
            watchdog.cancel()
    assert code == 1, rest
    jobs = summary(project)["jobs"]
    assert [job["status"] for job in jobs] == ["ok", "cancelled", "ok"]
    assert jobs[1]["elapsed"] > 0  # from when it was seen running to when it was seen cancelled
    assert "CANCELLED" in jobs[1]["error"]["message"]
    assert "[3/3] CANCELLED" in rest


def test_timeouts_are_requeued_up_to_max_num_timeout_then_reported(
    netns: str, project: Path, request: pytest.FixtureRequest
) -> None:
    """Warned 60 s before its 2 min limit, a job is requeued once; one that times out again is a
    timeout. slurmctld looks at time limits every 30 s and may warn up to 60 s early: 110 s of
    120 left CI's first job of the array missing a warning sent 7 s after it was allocated, before
    its task ran. A requeued job is held ~2 min before it runs again: this test takes ~5 min."""
    done = multirun(
        netns,
        project,
        "lr=1,2",
        "slow_at=1",  # sleeps every time
        "slow_once_at=2",  # sleeps only the first time
        "--launcher",
        "submitit",
        "_run_.submitit.timeout_min=2",
        "_run_.submitit.signal_delay_s=60",
        "_run_.submitit.max_num_timeout=1",
        "_run_.submitit.cpus_per_task=1",
        f"_run_.submitit.name={job_name(request)}",
        timeout=600,
    )
    assert done.returncode == 1, done.stderr
    jobs = summary(project)["jobs"]
    assert [job["status"] for job in jobs] == ["timeout", "ok"]
    assert jobs[1]["value"]["attempt"] == 2  # it ran again after its requeue, and then ended
    assert (Path(jobs[0]["directory"]) / "attempts-0").read_text() == "2", jobs[0]
    message = jobs[0]["error"]["message"]
    assert message.startswith("the job reached its time limit (timeout_min=2) and was not requeued")
    assert "timed-out too many times" in message
    assert "[2/2] TIMEOUT" in done.stderr or "[1/2] TIMEOUT" in done.stderr


# -- the driver is stopped ---------------------------------------------------------------------------------
def test_sigterm_to_the_driver_cancels_the_array_and_leaves_a_truthful_summary(
    netns: str, project: Path, request: pytest.FixtureRequest
) -> None:
    """Each job takes both CPUs, so one runs and three wait in the queue when SIGTERM comes."""
    args = ["lr=1,2,3,4", "slow_at=${lr}", "--launcher", "submitit", "_run_.submitit.cpus_per_task=2"]
    with subprocess.Popen(
        driver(netns, project, *args, f"_run_.submitit.name={job_name(request)}"),
        cwd=project,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        watchdog = threading.Timer(120, process.kill)
        watchdog.start()
        try:
            assert process.stderr is not None
            seen = []
            for line in process.stderr:
                seen.append(line)
                if " start " in line:
                    break
            while_running = summary(project)["jobs"]  # written once the array was queued
            process.send_signal(signal.SIGTERM)
            rest = process.stderr.read()
            code = process.wait()
        finally:
            watchdog.cancel()
    assert code == 143, "".join(seen) + rest
    assert sum(" start " in line for line in [*seen, *rest.splitlines()]) == 1  # queued is not started
    assert [job["status"] for job in while_running[1:]] == ["pending"] * 3
    assert all(job["engine_id"] for job in while_running)
    data = summary(project)
    assert data["interrupted"] is True and data["finished"] is False
    jobs = data["jobs"]
    assert [job["status"] for job in jobs] == ["interrupted", "not run", "not run", "not run"]
    array = jobs[0]["engine_id"].split("_")[0]
    assert [job["engine_id"] for job in jobs] == [f"{array}_{n}" for n in range(4)]
    until(
        lambda: set(sacct(netns, array).values()) == {"CANCELLED by 0"},
        30,
        "every job of the array to be cancelled",
    )
    assert "interrupted (SIGTERM): stopping the sweep" in rest
