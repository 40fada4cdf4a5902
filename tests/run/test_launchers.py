"""Launchers end to end: ``python train.py -m ...`` run as a subprocess, exactly as a user runs it.

A small app (a ``@main`` task in ``train.py`` with a ``conf/`` tree) is written into ``tmp_path``
and run with ``[sys.executable, "train.py", "-m", ...]``. The task sleeps ``sleep`` seconds when
``lr >= slow_from``, raises when ``lr == fail_at``, kills its process when ``lr == crash_at``, and
writes ``result.txt`` into its directory.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import subprocess
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from plugins import publish
from terminal import run_on_a_terminal

from instantiate import ConfigError, main
from instantiate._run.launchers.base import JobOutcome, run_job
from instantiate._run.launchers.registry import (
    BUILT_IN,
    configured_launcher,
    launcher_options,
    launchers,
    make_launcher,
)
from instantiate._run.multirun import run_sweep

REPO = Path(__file__).resolve().parents[2]

APP = """
import os
import pickle
import time
from pathlib import Path

from instantiate import main


@main(config_dir="conf", config_name="train")
def train(cfg):
    began = time.time()
    if cfg.lr == cfg.crash_at:
        os._exit(9)  # the process dies: no exception, no traceback
    if cfg.lr >= cfg.slow_from:
        time.sleep(cfg.sleep)
    if cfg.lr == cfg.fail_at:
        raise ValueError(f"lr={cfg.lr} diverged")
    Path(cfg["_run_"]["dir"], "result.txt").write_text(str(cfg.lr))
    Path(cfg["_run_"]["dir"], "span.txt").write_text(f"{os.getpid()} {began} {time.time()}")
    return cfg.lr * 10


if __name__ == "__main__":
    train()
"""
CONFIG = "lr: 0.1\nsleep: 0\nslow_from: 1000\nfail_at: null\ncrash_at: null\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "train.yaml").write_text(CONFIG)
    (tmp_path / "train.py").write_text(APP)
    return tmp_path


def environment(*extra_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, [REPO, *extra_path]))}


def multirun(project: Path, *args: str, timeout: float = 120, path: tuple[Path, ...] = ()) -> Any:
    return subprocess.run(
        [sys.executable, "train.py", "-m", *args],
        cwd=project,
        env=environment(*path),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def summary(project: Path) -> dict[str, Any]:
    (found,) = project.glob("multirun/*/*/summary.yaml")
    return yaml.safe_load(found.read_text())  # type: ignore[no-any-return]


LAUNCHER_ARGS = {
    "basic": ["--launcher", "basic"],
    "processes": ["--launcher", "processes", "_run_.processes.n_jobs=2"],
    "submitit-local": ["--launcher", "submitit-local", "_run_.submitit.timeout_min=5"],
}


# -- every installed launcher: a failing job ------------------------------------------------------------
@pytest.mark.parametrize("launcher", list(LAUNCHER_ARGS))
def test_a_failing_job_does_not_stop_the_others(project: Path, launcher: str) -> None:
    done = multirun(project, "lr=1,2,3", "fail_at=2", *LAUNCHER_ARGS[launcher])
    assert done.returncode == 1, done.stderr
    data = summary(project)
    assert data["launcher"] == launcher
    assert data["counts"] == {"ok": 2, "failed": 1}
    jobs = data["jobs"]
    assert [job["status"] for job in jobs] == ["ok", "failed", "ok"]
    assert [job.get("value") for job in jobs] == [10, None, 30]
    assert jobs[1]["error"]["type"] == "ValueError"
    assert jobs[1]["error"]["message"] == "lr=2 diverged"
    traceback = jobs[1]["error"]["traceback"]
    assert "in train" in traceback and traceback.endswith("ValueError: lr=2 diverged")
    # the real file and line, also where cloudpickle carried the job (submitit): not <dynamic-code>
    line = APP.splitlines().index('        raise ValueError(f"lr={cfg.lr} diverged")')
    assert f'File "{project.resolve() / "train.py"}", line {line + 1}, in train' in traceback
    assert 'raise ValueError(f"lr={cfg.lr} diverged")' in traceback
    root = Path(data["sweep_dir"])
    for num in (0, 2):
        directory = Path(jobs[num]["directory"])
        assert directory == root / str(num)
        assert {"config.yaml", "overrides.yaml", "run.yaml", "train.log", "result.txt"} <= {
            p.name for p in directory.iterdir()
        }
        # the task's overrides; the launcher's settings are the run's, in run.yaml
        assert yaml.safe_load((directory / "overrides.yaml").read_text()) == [f"lr={num + 1}", "fail_at=2"]
        run = yaml.safe_load((directory / "run.yaml").read_text())["_run_"]
        assert run["overrides"] == [f"lr={num + 1}", "fail_at=2"]
        assert f"++_run_.launcher={launcher}" in run["run_overrides"]
    assert "ValueError: lr=2 diverged" in (root / "1" / "train.log").read_text()
    assert not (root / "1" / "result.txt").exists()
    lines = done.stderr.splitlines()
    assert any(
        re.fullmatch(r"\[\d/3\] FAILED +\d+\.\ds  #1 lr=2  ValueError: lr=2 diverged", line) for line in lines
    )
    assert any(re.fullmatch(r"\[\d/3\] ok +\d+\.\ds  #2 lr=3", line) for line in lines)
    assert f"  #1 lr=2: ValueError: lr=2 diverged  (log: {root}/1/train.log)" in lines
    if launcher == "submitit-local":
        assert all(job["engine_id"] for job in jobs)
        assert (root / ".submitit").is_dir()


def test_a_sweep_that_succeeds_exits_zero(project: Path) -> None:
    done = multirun(project, "lr=1,2")
    assert done.returncode == 0, done.stderr
    assert summary(project)["counts"] == {"ok": 2}
    assert re.search(r"sweep finished in \d+\.\ds: 2 ok; summary: .*/summary\.yaml", done.stderr)


def test_dry_run_from_the_command_line(project: Path) -> None:
    done = multirun(project, "lr=1,2", "sleep=0", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2 jobs (launcher: basic); --dry-run: nothing was run or created",
        "every job also gets: sleep=0",
        "  #0  lr=1",
        "  #1  lr=2",
    ]
    assert sorted(p.name for p in project.iterdir()) == ["conf", "train.py"]


# -- Ctrl-C ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("launcher", "signum"),
    [
        ("basic", signal.SIGINT),
        ("processes", signal.SIGINT),
        ("basic", signal.SIGTERM),
        ("submitit-local", signal.SIGTERM),
    ],
)
def test_ctrl_c_keeps_finished_jobs_and_says_which_did_not_run(
    project: Path, launcher: str, signum: int
) -> None:
    """Ctrl-C, and SIGTERM (what `timeout` or a CI cancel sends) the same way: 130 and 143."""
    args = ["lr=1,2,3,4", "sleep=60", "slow_from=2", *LAUNCHER_ARGS[launcher]]
    with subprocess.Popen(
        [sys.executable, "train.py", "-m", *args],
        cwd=project,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        watchdog = threading.Timer(60, process.kill)
        watchdog.start()
        try:
            seen = []
            assert process.stderr is not None
            for line in process.stderr:
                seen.append(line)
                if line.startswith("[1/4] ok"):
                    break
            time.sleep(0.3)  # let the next job start sleeping
            interrupted_at = time.monotonic()
            process.send_signal(signum)
            rest = process.stderr.read()
            code = process.wait()
        finally:
            watchdog.cancel()
    assert code == 128 + signum, "".join(seen) + rest
    assert time.monotonic() - interrupted_at < 15  # the sleeping jobs were stopped, not waited for
    data = summary(project)
    assert data["interrupted"] is True and data["finished"] is False
    statuses = [job["status"] for job in data["jobs"]]
    assert statuses[0] == "ok"
    assert "interrupted" in statuses  # the job that was sleeping
    assert set(statuses[1:]) <= {"interrupted", "not run"}
    if launcher == "basic":
        assert statuses == ["ok", "interrupted", "not run", "not run"]
    first = Path(data["jobs"][0]["directory"])
    assert (first / "result.txt").read_text() == "1"
    assert {"config.yaml", "overrides.yaml", "train.log"} <= {p.name for p in first.iterdir()}
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert f"interrupted ({name}): stopping the sweep" in rest
    assert re.search(r"sweep interrupted after .*: 1 ok, .*; summary: ", rest)


def test_a_job_whose_worker_process_dies_fails_alone(project: Path) -> None:
    """The dying worker breaks the pool; jobs that were running with it run again, one at a time."""
    done = multirun(
        project, "lr=1,2,3,4", "crash_at=2", "sleep=0.5", "slow_from=0", *LAUNCHER_ARGS["processes"]
    )
    assert done.returncode == 1, done.stderr
    jobs = summary(project)["jobs"]
    assert [job["status"] for job in jobs] == ["ok", "failed", "ok", "ok"]
    assert jobs[1]["error"]["type"] == "WorkerDied"
    assert "the worker process running this job died" in jobs[1]["error"]["message"]
    assert (Path(jobs[0]["directory"]) / "result.txt").read_text() == "1"
    assert "died before the job ended" in (Path(jobs[1]["directory"]) / "train.log").read_text()


# -- processes: really in parallel --------------------------------------------------------------------------
def test_processes_run_sleeping_jobs_at_the_same_time_in_several_workers(project: Path) -> None:
    """Jobs overlap in time, in different processes (how much faster that is: not a test's business)."""
    done = multirun(project, "lr=range(1,9)", "sleep=0.5", "slow_from=0", "--launcher", "processes",
                    "_run_.processes.n_jobs=4")  # fmt: skip
    assert done.returncode == 0, done.stderr
    jobs = summary(project)["jobs"]
    assert [job["status"] for job in jobs] == ["ok"] * 8
    spans = []
    for job in jobs:
        pid, began, ended = (Path(job["directory"]) / "span.txt").read_text().split()
        spans.append((int(pid), float(began), float(ended)))
    assert len({pid for pid, _, _ in spans}) >= 2
    overlapping = [(a, b) for a in spans for b in spans if a[0] != b[0] and a[1] < b[1] < a[2]]
    assert overlapping, spans


# -- choosing a launcher ------------------------------------------------------------------------------------
def test_an_unknown_launcher_lists_the_available_ones_and_the_closest(project: Path) -> None:
    done = multirun(project, "lr=1,2", "--launcher", "procesess")
    assert done.returncode == 1
    assert "unknown launcher 'procesess'. Did you mean 'processes'?" in done.stderr
    assert "Available launchers: basic, processes, ray, submitit, submitit-local" in done.stderr
    assert not (project / "multirun").exists()


def test_an_unknown_launcher_option_names_the_closest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_launcher("processes", {"n_job": 2})
    assert info.value.path == "_run_.processes.n_job"
    assert "launcher 'processes' has no option 'n_job'. Did you mean 'n_jobs'?" in info.value.message
    with pytest.raises(ConfigError) as info:
        make_launcher("processes", {"n_jobs": 0})
    assert "n_jobs must be a positive integer, not 0" in info.value.message
    assert info.value.path == "_run_.processes"


THIRD_PARTY = """
from concurrent.futures import ThreadPoolExecutor

from instantiate.launchers import run_job


class ThreadLauncher:
    def __init__(self, max_workers=4):
        self.max_workers = max_workers

    def launch(self, jobs, reporter):
        (reporter.directory / "threads-were-here").write_text(str(self.max_workers))
        with ThreadPoolExecutor(self.max_workers) as pool:
            for outcome in pool.map(run_job, jobs):
                reporter.finished(outcome)
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "site"
    root.mkdir()
    publish(
        root,
        "thirdparty-launcher",
        {"instantiate.launchers": {"threads": "thirdparty_launcher:ThreadLauncher"}},
    )
    (root / "thirdparty_launcher.py").write_text(THIRD_PARTY)
    yield root


def test_a_third_party_launcher_from_an_entry_point(project: Path, site: Path) -> None:
    done = multirun(project, "lr=1,2,3", "--launcher", "threads", "_run_.threads.max_workers=2", path=(site,))
    assert done.returncode == 0, done.stderr
    data = summary(project)
    assert data["launcher"] == "threads" and data["counts"] == {"ok": 3}
    assert (Path(data["sweep_dir"]) / "threads-were-here").read_text() == "2"


SWEEPER = """
from instantiate.sweepers import SweepRun, cartesian, new_sweep_directory


def run_backwards(app, entries, base, repo, name, launcher, *, dry_run=False, verbose=False, allow=None):
    planned = cartesian(entries, repo)[::-1]
    directory = new_sweep_directory(base)
    sweep = SweepRun(app, directory, name, launcher, len(planned), sweeper="backwards", allow=allow)
    sweep.launch([sweep.prepare(app.compose(job.overrides), job) for job in planned])
    return sweep.finish()
"""


def test_a_third_party_sweeper_from_an_entry_point(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "sweeper-site"
    root.mkdir()
    publish(root, "thirdparty-sweeper", {"instantiate.sweepers": {"backwards": "backwards:run_backwards"}})
    (root / "backwards.py").write_text(SWEEPER)
    done = multirun(project, "lr=1,2,3", "_run_.sweeper=backwards", path=(root,))
    assert done.returncode == 0, done.stderr
    data = summary(project)
    assert data["sweeper"] == "backwards"
    assert [job["value"] for job in data["jobs"]] == [30, 20, 10]
    unknown = multirun(project, "lr=1,2", "_run_.sweeper=backward", path=(root,))
    assert "unknown sweeper 'backward'. Did you mean 'backwards'?" in unknown.stderr
    assert "The sweepers: backwards, basic, optuna" in unknown.stderr


def test_entry_points_are_read_only_for_a_name_that_is_not_built_in(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(site))
    launchers.forget_plugins()
    try:
        for name in BUILT_IN[:2]:
            make_launcher(name, {})
        assert launchers._published is None  # the group was never read
        third = make_launcher("threads", {"max_workers": 3})
        assert type(third).__name__ == "ThreadLauncher" and third.max_workers == 3
        assert launcher_options(launchers.lookup("threads")) == ["max_workers"]
        assert "threads" in launchers.names()
    finally:
        sys.modules.pop("thirdparty_launcher", None)
        launchers.forget_plugins()


@pytest.mark.parametrize(
    ("launcher", "module", "extra"),
    [("submitit", "submitit", "submitit"), ("submitit-local", "submitit", "submitit"), ("ray", "ray", "ray")],
)
def test_a_launcher_whose_extra_is_missing_says_what_to_install(
    launcher: str, module: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what `import module` sees when it is not installed
    with pytest.raises(ConfigError) as info:
        make_launcher(launcher, {})
    assert f"launcher {launcher!r} needs {module}, which is not installed" in info.value.message
    assert info.value.hint == f"pip install 'instantiate[{extra}]'"
    assert info.value.path == "_run_.launcher"


def test_the_optuna_sweeper_without_optuna_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from instantiate._run.sweepers.optuna import import_optuna

    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ConfigError) as info:
        import_optuna()
    assert info.value.hint == "pip install 'instantiate[optuna]'"


# -- submitit's SLURM options (the sbatch script they make on real SLURM: test_slurm.py) -------------------
# Every option of Hydra's submitit launcher (hydra_plugins.hydra_submitit_launcher.config, 1.3):
HYDRA_SUBMITIT_OPTIONS = {
    "submitit_folder": "jobs/%j",
    "timeout_min": 30,
    "cpus_per_task": 8,
    "gpus_per_node": 2,
    "tasks_per_node": 2,
    "mem_gb": 64,
    "nodes": 1,
    "name": "sweep",
    "stderr_to_stdout": True,
    "partition": "gpu",
    "qos": "high",
    "comment": "paper",
    "constraint": "a100",
    "exclude": "node1",
    "gres": "gpu:2",
    "cpus_per_gpu": 4,
    "gpus_per_task": 1,
    "mem_per_gpu": "40G",
    "mem_per_cpu": "4G",
    "account": "lab",
    "signal_delay_s": 90,
    "max_num_timeout": 2,
    "additional_parameters": {"reservation": "paper"},
    "array_parallelism": 4,
    "setup": ["module load cuda"],
    "srun_args": ["--cpu-bind=none"],
}


def test_every_hydra_submitit_option_reaches_submitit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("submitit", reason="submitit is not installed: pip install 'instantiate[submitit]'")
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")  # as on a SLURM node
    monkeypatch.chdir(tmp_path)
    assert set(launcher_options(launchers.lookup("submitit")) or []) == set(HYDRA_SUBMITIT_OPTIONS)
    slurm = make_launcher("submitit", HYDRA_SUBMITIT_OPTIONS)
    executor = slurm.executor(tmp_path, "train")
    assert str(executor.folder).endswith("jobs/%j")
    assert executor._executor.max_num_timeout == 2
    sbatch = executor._executor.parameters  # what submitit writes as #SBATCH lines
    expected = {
        "time": 30,
        "cpus_per_task": 8,
        "gpus_per_node": 2,
        "ntasks_per_node": 2,
        "mem": "64GB",
        "nodes": 1,
        "job_name": "sweep",
        "stderr_to_stdout": True,
        "partition": "gpu",
        "qos": "high",
        "comment": "paper",
        "constraint": "a100",
        "exclude": "node1",
        "gres": "gpu:2",
        "cpus_per_gpu": 4,
        "gpus_per_task": 1,
        "mem_per_gpu": "40G",
        "mem_per_cpu": "4G",
        "account": "lab",
        "signal_delay_s": 90,
        "additional_parameters": {"reservation": "paper"},
        "array_parallelism": 4,
        "setup": ["module load cuda"],
        "srun_args": ["--cpu-bind=none"],
    }
    assert {key: sbatch.get(key) for key in expected} == expected
    monkeypatch.setattr("shutil.which", lambda name: None)  # and a machine without SLURM
    with pytest.raises(ConfigError, match="this machine has no 'srun'"):
        make_launcher("submitit", {"partition": "gpu"})


def test_submitit_local_takes_the_same_options_and_says_which_it_ignores(tmp_path: Path) -> None:
    pytest.importorskip("submitit", reason="submitit is not installed: pip install 'instantiate[submitit]'")
    local = make_launcher("submitit-local", {**HYDRA_SUBMITIT_OPTIONS, "submitit_folder": str(tmp_path)})
    executor = local.executor(tmp_path, "train")
    assert executor.max_num_timeout == 2
    assert {k: executor.parameters[k] for k in ("timeout_min", "tasks_per_node", "signal_delay_s")} == {
        "timeout_min": 30,
        "tasks_per_node": 2,
        "signal_delay_s": 90,
    }
    notes: list[str] = []
    local.announce(types.SimpleNamespace(note=notes.append))
    assert notes == [
        "submitit-local ignores the SLURM-only options account, additional_parameters, array_parallelism, "
        "comment, constraint, cpus_per_gpu, exclude, gpus_per_task, gres, mem_per_cpu, mem_per_gpu, "
        "partition, qos, srun_args"
    ]
    with pytest.raises(ConfigError) as info:
        make_launcher("submitit-local", {"nodes": 2})
    assert "nodes=2: the local executor runs on one node" in info.value.message


@pytest.mark.parametrize(
    ("options", "message", "path"),
    [
        (
            {"timeout_min": 1, "signal_delay_s": 60},
            "signal_delay_s=60 warns the job before it starts: its time limit is timeout_min=1 (60 s)",
            "_run_.submitit-local.signal_delay_s",
        ),
        ({"max_num_timeout": -1}, "max_num_timeout must be an integer of 0 or more, not -1", None),
        ({"srun_args": "--x"}, "srun_args must be a list of strings, not '--x'", None),
        ({"mem_per_gpus": "1G"}, "has no option 'mem_per_gpus'. Did you mean 'mem_per_gpu'?", None),
    ],
)
def test_submitit_options_that_cannot_be_honoured_are_refused_by_name(
    options: dict[str, Any], message: str, path: str | None
) -> None:
    pytest.importorskip("submitit", reason="submitit is not installed: pip install 'instantiate[submitit]'")
    with pytest.raises(ConfigError) as info:
        make_launcher("submitit-local", options)
    assert message in info.value.message
    key = next(iter(options))
    assert info.value.path == (path or f"_run_.submitit-local.{key}")


def test_the_warning_before_the_time_limit_fits_a_short_job() -> None:
    """Hydra's 120 s, but at most half the limit: with timeout_min=1 the job is not warned at once."""
    pytest.importorskip("submitit", reason="submitit is not installed: pip install 'instantiate[submitit]'")
    assert make_launcher("submitit-local", {}).signal_delay_s == 120
    assert make_launcher("submitit-local", {"timeout_min": 1}).signal_delay_s == 30


@pytest.mark.parametrize(
    ("options", "note"),
    [
        (
            {"timeout_min": 2, "signal_delay_s": 110},
            "signal_delay_s=110 warns each job 10 s after it starts (timeout_min=2); SLURM may send the "
            "warning up to 60 s early, before the job runs, and a job that misses it is not requeued: "
            "a signal_delay_s of 60 or less leaves it time to start",
        ),
        ({"timeout_min": 1}, "a longer timeout_min leaves it time to start"),
        ({"timeout_min": 2}, None),  # the default, half the limit, leaves 60 s
        ({"timeout_min": 60, "signal_delay_s": 300}, None),
    ],
)
def test_a_slurm_warning_that_may_come_before_the_job_runs_is_pointed_out(
    options: dict[str, Any], note: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SLURM checks time limits every 30 s and may warn up to 60 s early (sbatch --signal): a
    warning sent before the task runs is lost, and the job is not requeued. Seen on a real cluster:
    with 10 s left, the first job of an array ran into its limit while the second was requeued."""
    pytest.importorskip("submitit", reason="submitit is not installed: pip install 'instantiate[submitit]'")
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")  # as on a SLURM node
    notes: list[str] = []
    make_launcher("submitit", options).announce(types.SimpleNamespace(note=notes.append))
    assert [note is not None and note in n for n in notes] == ([True] if note else [])
    local: list[str] = []  # submitit-local sends the signal itself, on time
    make_launcher("submitit-local", options).announce(types.SimpleNamespace(note=local.append))
    assert local == []


def test_a_multi_task_job_reports_the_first_tasks_result(project: Path) -> None:
    """As Hydra does: each task runs the job; submitit's result() would refuse a job of two tasks."""
    done = multirun(project, "lr=1,2", *LAUNCHER_ARGS["submitit-local"], "_run_.submitit.tasks_per_node=2")
    assert done.returncode == 0, done.stderr
    jobs = summary(project)["jobs"]
    assert [(job["status"], job["value"]) for job in jobs] == [("ok", 10), ("ok", 20)]
    assert (Path(jobs[0]["directory"]) / "train.log").read_text().count("run train in") == 2


def test_submitit_local_falls_back_to_the_submitit_options(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text("_run_:\n  submitit:\n    partition: gpu\n    timeout_min: 7\n")
    app = main(config_dir=str(conf), config_name="train")(lambda cfg: None).app
    assert configured_launcher(app.compose(["_run_.launcher=submitit-local"])) == (
        "submitit-local",
        {"partition": "gpu", "timeout_min": 7},
        "_run_.submitit",
    )
    assert configured_launcher(app.compose(["_run_.launcher=processes", "_run_.processes.n_jobs=3"])) == (
        "processes",
        {"n_jobs": 3},
        "_run_.processes",
    )


def test_a_ported_configs_launcher_choice_and_options(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text(
        "hydra:\n  launcher:\n    _target_: hydra_plugins.x.JoblibLauncher\n    n_jobs: 3\n"
        "    backend: loky\n  sweeper:\n    params: {}\n"
    )
    (conf / "slurm.yaml").write_text(
        "hydra:\n  launcher:\n    _target_: hydra_plugins.hydra_submitit_launcher.SlurmLauncher\n"
        "    partition: dev\n    name: ${hydra.job.name}\n    submitit_folder: x\n    mem_per_gpu: 8G\n"
    )
    app = main(config_dir=str(conf), config_name="train")(lambda cfg: None).app
    assert configured_launcher(app.compose(["hydra/launcher=joblib"])) == (
        "processes",
        {"n_jobs": 3},
        "hydra.launcher",
    )
    assert configured_launcher(app.compose([])) == ("basic", {}, "_run_.basic")
    slurm = main(config_dir=str(conf), config_name="slurm")(lambda cfg: None).app
    assert configured_launcher(slurm.compose(["hydra/launcher=submitit_slurm"])) == (
        "submitit",
        # ${hydra.job.name}: the run's name, mirrored; every option of Hydra's is kept
        {"partition": "dev", "name": "<lambda>", "submitit_folder": "x", "mem_per_gpu": "8G"},
        "hydra.launcher",
    )
    # one Hydra's submitit launcher does not have is refused by name, not dropped
    with pytest.raises(ConfigError) as info:
        make_launcher(
            *configured_launcher(slurm.compose(["hydra/launcher=submitit_local", "+hydra.launcher.gpu=1"]))
        )
    assert info.value.path == "hydra.launcher.gpu"
    assert "launcher 'submitit-local' has no option 'gpu'" in info.value.message


# -- ray (on real ray: test_ray.py) -------------------------------------------------------------------
class Ref:
    """A stand-in for ray's ObjectRef: hashable, holding the finished task's result."""

    def __init__(self, result: Any) -> None:
        self.result = result


class FakeRay(types.ModuleType):
    """ray's documented calls (init, remote, wait, get, cancel, shutdown), run in this process."""

    def __init__(self) -> None:
        super().__init__("ray")
        self.calls: list[Any] = []
        self.initialized = False

    def is_initialized(self) -> bool:
        return self.initialized

    def init(self, **kwargs: Any) -> None:
        self.calls.append(("init", kwargs))
        self.initialized = True

    def shutdown(self) -> None:
        self.calls.append(("shutdown",))
        self.initialized = False

    def remote(self, *args: Any, **options: Any) -> Any:
        if args:  # @ray.remote
            return self.remote(**options)(args[0])
        self.calls.append(("remote", options))
        fake = self

        class Remote:
            def __init__(self, fn: Any) -> None:
                self.fn = fn

            def remote(self, *call: Any) -> Any:
                fake.calls.append(("submit",))
                return Ref(self.fn(*pickle.loads(pickle.dumps(call))))  # as ray sends a task's arguments

        return Remote

    def wait(self, refs: list[Any], num_returns: int = 1) -> tuple[list[Any], list[Any]]:
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref: Any) -> Any:
        return ref.result

    def cancel(self, ref: Any, force: bool = False) -> None:
        self.calls.append(("cancel", force))


def test_the_ray_launcher_through_rays_documented_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeRay()
    monkeypatch.setitem(sys.modules, "ray", fake)
    cloudpickle = pytest.importorskip("cloudpickle")  # ray's own copy is ray.cloudpickle
    monkeypatch.setitem(sys.modules, "ray.cloudpickle", cloudpickle)
    monkeypatch.chdir(tmp_path)
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text("lr: 1\n")

    def task(cfg: Any) -> Any:
        if cfg.lr == 2:
            raise KeyError("lost")
        return cfg.lr

    app = main(config_dir=str(conf), config_name="train")(task).app
    result = run_sweep(app, ["lr=1,2,3", "_run_.launcher=ray", "_run_.ray.remote.num_gpus=1"])
    assert [job.status for job in result.jobs] == ["ok", "failed", "ok"]
    assert fake.calls[0] == ("init", {})
    assert fake.calls[1] == ("remote", {"max_retries": 0, "num_gpus": 1})  # a crashed job runs once
    assert fake.calls.count(("submit",)) == 3 and fake.calls[-1] == ("shutdown",)
    lock = threading.Lock()

    def locked(cfg: Any) -> Any:  # by value, with a lock no pickler can send
        with lock:
            return cfg.lr

    app = main(config_dir=str(conf), config_name="train")(locked).app
    unsent = run_sweep(app, ["lr=1,2", "_run_.launcher=ray"])
    assert [job.status for job in unsent.jobs] == ["failed", "failed"]  # reported, not a traceback
    assert "cannot pickle '_thread.lock' object" in str(unsent.jobs[0].outcome.error)  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="init must be a mapping"):
        make_launcher("ray", {"init": "auto"})


# -- optuna ----------------------------------------------------------------------------------------
def test_the_optuna_sweeper(project: Path) -> None:
    pytest.importorskip("optuna", reason="optuna is not installed: pip install 'instantiate[optuna]'")
    done = multirun(
        project,
        "_run_.sweeper=optuna",
        "lr=choice(1,2,3,4)",
        "fail_at=3",
        "+scale=interval(0.5,2)",
        "_run_.optuna.n_trials=6",
        "_run_.optuna.n_jobs=2",
        "_run_.optuna.seed=0",
        "_run_.optuna.direction=maximize",
        "--launcher",
        "processes",
        timeout=180,
    )
    data = summary(project)
    jobs = data["jobs"]
    assert data["sweeper"] == "optuna" and len(jobs) == 6
    assert [job["num"] for job in jobs] == list(range(6))
    assert all(
        set(job["params"]) == {"lr", "+scale"} or set(job["params"]) == {"lr", "scale"} for job in jobs
    )
    for job in jobs:
        assert job["status"] == ("failed" if job["params"]["lr"] == 3 else "ok")
    assert done.returncode == (1 if any(job["status"] == "failed" for job in jobs) else 0), done.stderr
    best = data["optuna"]["best"]
    values = [job["value"] for job in jobs if job["status"] == "ok"]
    assert best["value"] == max(values)
    assert jobs[best["num"]]["params"] == best["params"]
    assert f"best: #{best['num']} {best['value']}" in done.stderr


def test_run_job_reports_a_task_that_exits() -> None:
    class Job:
        index = 0
        directory = "/nonexistent"
        name = "x"

    def outcome_of(code: Any) -> JobOutcome:
        from instantiate._run.launchers import base as _launchers

        original = _launchers.execute
        try:
            _launchers.execute = lambda job: sys.exit(code)  # type: ignore[assignment]
            return run_job(Job())  # type: ignore[arg-type]
        finally:
            _launchers.execute = original

    assert outcome_of(0).status == "ok"
    failed = outcome_of(3)
    assert failed.status == "failed" and failed.error is not None
    assert (failed.error.type, failed.error.message) == ("SystemExit", "exit code 3")


def test_a_job_with_a_task_workers_cannot_import_fails_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "train.yaml").write_text("lr: 1\n")
    app = main(config_dir=str(conf), config_name="train")(lambda cfg: cfg.lr).app  # a lambda: not importable
    result = run_sweep(app, ["lr=1,2", "_run_.launcher=processes", "_run_.processes.n_jobs=1"])
    assert [job.status for job in result.jobs] == ["failed", "failed"]
    error = result.jobs[0].outcome.error  # type: ignore[union-attr]
    assert "pickle" in f"{error.type} {error.message}".lower()


@pytest.mark.parametrize("launcher", ["basic", "processes"])
def test_on_a_terminal_the_jobs_log_lines_go_above_the_bar(project: Path, launcher: str) -> None:
    """Run under a pseudo-terminal, as a person runs it: each log line on its own line, not the bar's."""
    env = environment()
    env.pop("CI", None)  # a bar is drawn only for a person, not in a CI log
    argv = [sys.executable, "train.py", "-m", "lr=1,2,3", *LAUNCHER_ARGS[launcher]]
    text = run_on_a_terminal(argv, project, env)
    lines = text.split("\n")
    logged = [line for line in lines if "run train in" in line]
    assert len(logged) == 3, text
    for line in logged:  # whatever was on the line (the bar) was cleared before the log line
        assert re.fullmatch(r"\[\d{4}-\d\d-\d\d [^\r]*\] - run train in \S+", line.split("\r\033[K")[-1]), (
            line
        )
    assert re.fullmatch(r"(\r\033\[K\[#{24}\] 3/3  \d+\.\ds)+", lines[-3]), text  # the last bar, its own line
    assert lines[-2].startswith("sweep finished in ") and lines[-1] == ""


def test_processes_find_the_job_that_kills_its_worker_among_those_running_with_it() -> None:
    """When the pool broke with two jobs running, both run again one at a time: only the culprit fails."""
    from instantiate._run.launchers.processes import ProcessLauncher

    jobs = [types.SimpleNamespace(index=n, directory="/nonexistent", name="x") for n in range(4)]
    rounds: list[tuple[list[int], int]] = []
    ended: list[tuple[int, str]] = []

    def pool(batch: list[Any], workers: int, reporter: Any) -> tuple[list[Any], list[Any]]:
        rounds.append(([job.index for job in batch], workers))
        if len(rounds) == 1:  # jobs 0 and 1 were running when job 1 killed its worker
            return [jobs[0], jobs[1]], [jobs[2], jobs[3]]
        if len(rounds) == 2:  # alone, job 0 ends; then job 1 kills its worker again
            reporter.finished(JobOutcome(0, "ok"))
            return [jobs[1]], []
        for job in batch:
            reporter.finished(JobOutcome(job.index, "ok"))
        return [], []

    class Reporter:
        directory = Path("/nonexistent")

        def started(self, job: Any) -> None:
            pass

        def finished(self, outcome: JobOutcome) -> None:
            ended.append((outcome.index, outcome.status))  # type: ignore[arg-type]

    launcher = ProcessLauncher(n_jobs=4)
    launcher._pool = pool  # type: ignore[method-assign]
    launcher.launch(jobs, Reporter())  # type: ignore[arg-type]
    assert rounds == [([0, 1, 2, 3], 4), ([0, 1], 1), ([2, 3], 4)]
    assert sorted(ended) == [(0, "ok"), (1, "failed"), (2, "ok"), (3, "ok")]
