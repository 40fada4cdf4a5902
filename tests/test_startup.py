"""Start-up stays cheap: what ``import instantiate`` and a trivial ``@main`` run import.

The time itself is measured by ``benchmarks/startup.py``; this only holds the modules that
made start-up slow away from the paths that do not need them (a module list, not a timing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Costly to import, and not needed by the package's import (all of them load on first use).
NOT_AT_IMPORT = {"typing", "re", "inspect", "dataclasses", "threading", "logging", "argparse",
                 "yaml", "pathlib", "copy", "enum", "decimal", "datetime", "string"}  # fmt: skip


def modules_after(code: str, cwd: Path) -> set[str]:
    """The modules a fresh ``python -S`` (no site: nothing pre-imported) has after ``code``."""
    paths = [str(ROOT), *(p for p in sys.path if p.endswith("site-packages"))]
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_import_instantiate_imports_none_of_the_costly_modules(tmp_path: Path) -> None:
    loaded = modules_after("import instantiate", tmp_path)
    assert "instantiate._build.builder" in loaded  # the probe really imported the package
    assert NOT_AT_IMPORT.isdisjoint(loaded), sorted(NOT_AT_IMPORT & loaded)
