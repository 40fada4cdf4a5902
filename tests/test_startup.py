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
                 "yaml", "pathlib", "copy", "enum", "decimal", "datetime", "string",
                 "instantiate._build.builder", "instantiate._compose.compose"}  # fmt: skip
# Nor by a run that composes one unchanged file, builds nothing and logs nothing of its own.
NOT_IN_A_TRIVIAL_RUN = {"yaml", "logging", "typing", "re", "enum", "inspect", "dataclasses", "pathlib",
                        "datetime", "decimal", "random", "difflib", "argparse", "threading",
                        "instantiate._build.builder", "instantiate._compose.overrides"}  # fmt: skip

APP = """\
from instantiate import main

@main(config_dir="conf", config_name="config")
def app(cfg):
    print(cfg.name)

app()
"""


def modules_after(code: str, cwd: Path, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh ``python -S`` (no site: nothing pre-imported) has after ``code``."""
    paths = [str(ROOT), *(p for p in sys.path if p.endswith("site-packages"))]
    probe = f"{code}\nimport sys\nprint('MODULES', ' '.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        env={**os.environ, **(env or {}), "PYTHONPATH": os.pathsep.join(paths)},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("MODULES ")]
    return set(line.split()[1:])


def test_import_instantiate_imports_none_of_the_costly_modules(tmp_path: Path) -> None:
    loaded = modules_after("import instantiate", tmp_path)
    assert {"instantiate._config.nodes", "instantiate._run.app"} <= loaded  # the probe really imported it
    assert NOT_AT_IMPORT.isdisjoint(loaded), sorted(NOT_AT_IMPORT & loaded)


def test_select_with_a_default_does_not_build_the_error_it_would_raise(tmp_path: Path) -> None:
    code = "from instantiate import Config; assert Config({'a': 1}).select('ab', default=2) == 2"
    assert "difflib" not in modules_after(code, tmp_path)  # the "did you mean 'a'" of the error
    raising = code + "\ntry: Config({'a': 1}).select('ab')\nexcept KeyError: pass"
    assert "difflib" in modules_after(raising, tmp_path)


def test_the_builder_loads_on_first_use(tmp_path: Path) -> None:
    loaded = modules_after(
        "from instantiate import instantiate; assert instantiate({'a': 1}) == {'a': 1}", tmp_path
    )
    assert "instantiate._build.builder" in loaded


def test_a_trivial_run_with_a_warm_cache_imports_no_yaml_logging_or_typing(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "config.yaml").write_text("name: demo\nlr: 0.1\nepochs: 3\n")
    (tmp_path / "app.py").write_text(APP)
    run = "import sys; sys.argv = ['app.py']; exec(open('app.py').read())"
    cache = {"INSTANTIATE_CACHE_DIR": str(tmp_path / "cache")}
    cold = modules_after(run, tmp_path, cache)
    assert "yaml" in cold  # the first run parses the file, and caches it
    warm = modules_after(run, tmp_path, cache)
    assert "instantiate._run.jobs" in warm  # the probe really ran the app
    assert NOT_IN_A_TRIVIAL_RUN.isdisjoint(warm), sorted(NOT_IN_A_TRIVIAL_RUN & warm)
    runs = sorted((tmp_path / "outputs").glob("*/*"))
    assert len(runs) == 2
    for run_dir in runs:  # the warm run recorded the same as the cold one
        assert (run_dir / "config.yaml").read_text() == "name: demo\nlr: 0.1\nepochs: 3\n"
        assert (run_dir / "overrides.yaml").read_text() == "[]\n"
        assert "run app in" in (run_dir / "app.log").read_text()
