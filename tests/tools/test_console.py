"""The ``instantiate`` console script, ``--version`` and ``instantiate.__version__``, paths in messages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import instantiate
from instantiate.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
PROJECT_VERSION = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.M)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A ported project: its targets in ./src, its configs in ./configs, run from its root."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__init__.py").write_text("")
    (tmp_path / "src" / "models.py").write_text(
        "class Net:\n    def __init__(self, width: int = 3) -> None:\n        self.width = width\n"
    )
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "train.yaml").write_text("model:\n  _target_: src.models.Net\n  width: 4\n")
    return tmp_path


def console_script(tmp_path: Path) -> Path:
    """The script pip writes for ``[project.scripts] instantiate`` (its own directory is sys.path[0])."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "instantiate"
    entry = re.search(r'^instantiate = "([\w.]+):(\w+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert entry is not None, "pyproject.toml declares the instantiate console script"
    module, function = entry.groups()
    script.write_text(f"import sys\nfrom {module} import {function}\nsys.exit({function}())\n")
    return script


def test_console_script_imports_from_the_working_directory(project: Path, tmp_path: Path) -> None:
    script = console_script(tmp_path)
    done = subprocess.run(
        [sys.executable, str(script), "check", "configs/train.yaml"],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: 1 target"), done.stdout


def test_a_module_of_the_working_directory_not_on_sys_path_says_why(project: Path) -> None:
    """Run without the working directory on sys.path (python -P): the message says that is why."""
    if sys.version_info < (3, 11):
        pytest.skip("python -P (safe path) exists from 3.11")
    done = subprocess.run(
        [sys.executable, "-P", "-m", "instantiate", "check", "configs/train.yaml"],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "there is no module 'src' on sys.path" in done.stdout, done.stdout
    assert "./src" in done.stdout and "not on sys.path" in done.stdout


def test_paths_in_messages_are_normalised(project: Path) -> None:
    (project / "configs" / "bad.yaml").write_text("model:\n  _target_: src.models.Net\n  width: 0.5\n")
    done = subprocess.run(
        [sys.executable, "-m", "instantiate", "check", "src/../configs/./bad.yaml"],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    expected = os.path.join("configs", "bad.yaml")
    assert f"model.width ({expected}:3): expected an int" in done.stdout, done.stdout
    assert "for parameter 'width' of src.models.Net" in done.stdout
    assert f"1 problem in {expected}" in done.stderr
    assert ".." not in done.stdout + done.stderr and "/./" not in done.stdout + done.stderr


def test_load_normalises_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "c.yaml").write_text("x: 1\n")
    cfg = instantiate.load(f"{tmp_path}/a/.././c.yaml")
    assert cfg.source == f"{tmp_path}/c.yaml:1"


def test_version_of_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert PROJECT_VERSION is not None
    assert main(["--version"]) == 0
    expected = f"instantiate {PROJECT_VERSION.group(1)} (distribution instantiate-config)\n"
    assert capsys.readouterr().out == expected


def test_dunder_version_comes_from_the_metadata_lazily() -> None:
    """``import instantiate`` reads no metadata; ``instantiate.__version__`` reads it on first use."""
    program = (
        "import sys, instantiate\n"
        "assert 'importlib.metadata' not in sys.modules, 'imported at import time'\n"
        "print(instantiate.__version__)\n"
        "assert 'importlib.metadata' in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", program], env=_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert PROJECT_VERSION is not None
    assert done.stdout.strip() == PROJECT_VERSION.group(1)
    assert instantiate.__version__ == PROJECT_VERSION.group(1)


def test_every_install_line_of_the_readme_names_the_distribution() -> None:
    """``pip install instantiate`` would install an unrelated project from the package index."""
    readme = (ROOT / "README.md").read_text()
    pages = [readme, *(page.read_text() for page in sorted((ROOT / "docs").rglob("*.md")))]
    installs = [line for page in pages for line in re.findall(r"pip install ([^`\n]+)", page)]
    named = [line for line in installs if re.search(r"(?<![\w./-])'?instantiate\b", line)]
    assert named, "the README says how to install the package"
    for line in named:
        assert re.search(r"(?<![\w./-])'?instantiate-config\b", line), line
    assert "License-Expression" not in readme  # the metadata lives in pyproject.toml
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
