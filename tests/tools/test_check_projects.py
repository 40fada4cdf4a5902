"""``instantiate check`` on real projects: the shipped examples, and a project ported from Hydra.

A ported project refers to Hydra's run-time values (``${hydra:runtime.output_dir}``, the node
path ``${hydra.job.name}``, ``${hydra:runtime.choices.model}``) and registers resolvers in its
own code; check knows the first, says when it cannot check the second, and fails on neither.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PORTED = {
    "src/__init__.py": "",
    "src/models.py": """
        class MLP:
            def __init__(self, hidden: int, layers: int = 2) -> None:
                self.hidden, self.layers = hidden, layers


        class CSVLogger:
            def __init__(self, save_dir: str, name: str = "run") -> None:
                self.save_dir, self.name = save_dir, name
    """,
    "src/resolvers.py": """
        from omegaconf import OmegaConf

        OmegaConf.register_new_resolver("times", lambda a, b: a * b, replace=True)
    """,
    "configs/train.yaml": """
        defaults:
          - model: mlp
          - _self_

        hydra:
          run:
            dir: outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}
          sweep:
            dir: multirun/${now:%Y-%m-%d}
            subdir: ${hydra.job.num}
          job:
            chdir: true

        paths:
          output_dir: ${hydra:runtime.output_dir}
          work_dir: ${hydra:runtime.cwd}
          log_dir: ${hydra.runtime.output_dir}/logs
        task_name: ${hydra:job.name}
        model_name: ${hydra:runtime.choices.model}
        job: ${hydra:job.num}
        user: ${oc.env:USER,nobody}
        width: ${times:16,2}

        logger:
          _target_: src.models.CSVLogger
          save_dir: ${paths.log_dir}
          name: ${task_name}
    """,
    "configs/model/mlp.yaml": """
        _target_: src.models.MLP
        hidden: 64
    """,
}


@pytest.fixture
def ported(tmp_path: Path) -> Path:
    for name, text in PORTED.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return tmp_path


def instantiate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "instantiate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["examples/mlp/conf.yaml"],
        ["examples/hydra_style/conf/train.yaml"],
        ["examples/hydra_style/conf/train.yaml", "optimizer=sgd"],
        ["examples/hydra_style/conf/train.yaml", "+experiment=wide", "model=big"],
    ],
)
def test_the_shipped_examples_check_clean(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from instantiate._tools.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["check", *command]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and "note:" not in out, out


def test_a_ported_hydra_project_checks_clean_and_says_what_it_could_not_check(ported: Path) -> None:
    done = instantiate("check", "configs/train.yaml", cwd=ported)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "note: width (configs/train.yaml:22): not checked: ${times:16,2} calls the resolver 'times', "
        "which is not registered here; if your code registers it, pass --import MODULE so check runs "
        "that code first"
    ), done.stdout
    assert lines[-1].startswith("ok: 2 targets,") and lines[-1].endswith(
        "(1 not checkable statically: see the notes)"
    )
    assert "hydra has no key" not in done.stdout + done.stderr


def test_with_import_the_project_resolver_is_known(ported: Path) -> None:
    done = instantiate("check", "configs/train.yaml", "--import", "src.resolvers", cwd=ported)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "a resolver registered with OmegaConf" in done.stdout.splitlines()[0]


def test_a_real_problem_in_a_ported_project_is_still_found(ported: Path) -> None:
    done = instantiate("check", "configs/train.yaml", "model.hiden=3", cwd=ported)
    assert done.returncode == 1
    assert "no key 'hiden' at model" in done.stdout, done.stdout
    (ported / "configs" / "model" / "mlp.yaml").write_text("_taget_: src.models.MLP\nhidden: 64\n")
    done = instantiate("check", "configs/train.yaml", cwd=ported)
    assert done.returncode == 1
    assert "model._taget_ (configs/model/mlp.yaml:1): '_taget_' is not a special key" in done.stdout, (
        done.stdout
    )
    assert "Did you mean '_target_'?" in done.stdout


def test_names_code_registers_hint_at_import(ported: Path) -> None:
    (ported / "configs" / "stored.yaml").write_text("defaults:\n  - train_schema\n  - _self_\n")
    done = instantiate("check", "configs/stored.yaml", cwd=ported)
    assert done.returncode == 1
    assert "could not find the config 'train_schema'" in done.stdout
    assert "pass --import MODULE so check runs that code first" in done.stdout
    (ported / "configs" / "named.yaml").write_text("model:\n  _target_: my_mlp\n")
    done = instantiate("check", "configs/named.yaml", cwd=ported)
    assert done.returncode == 1
    assert "cannot find _target_ 'my_mlp'" in done.stdout and "--import MODULE" in done.stdout
