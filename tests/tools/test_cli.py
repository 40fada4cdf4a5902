"""python -m instantiate: show, check, graph and schema from the command line, with exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml

from instantiate import store
from instantiate.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mlp" / "conf.yaml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m instantiate ...`` in a fresh interpreter, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "instantiate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    """A config directory: train.yaml with a model group and a data node."""
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "small.yaml").write_text("_target_: collections.OrderedDict\nsize: 4\n")
    (tmp_path / "model" / "big.yaml").write_text("_target_: collections.OrderedDict\nsize: 64\n")
    (tmp_path / "train.yaml").write_text(
        textwrap.dedent(
            """\
            defaults:
              - model: small
              - _self_
            data:
              path: ???
              size: $<model.size>
            logger:
              _target_: logging.getLogger
              name: $<data.path>
            """
        )
    )
    return tmp_path / "train.yaml"


# -- in a real subprocess -----------------------------------------------------------------------
def test_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("show", "check", "graph", "schema"):
        assert f"    {command} " in done.stdout


def test_check_of_the_canonical_example_in_a_subprocess() -> None:
    done = run("check", "examples/mlp/conf.yaml")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "ok: 6 targets, 12 values checked in examples/mlp/conf.yaml\n",
        "",
    )


def test_check_lists_problems_and_exits_1_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "conf.yaml").write_text(
        "model:\n  _target_: collections.OrderedDic\nopt:\n  _target_: logging.getLogger\n  nme: x\n"
    )
    done = run("check", "conf.yaml", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("model._target_ (conf.yaml:2): cannot find _target_ 'collections.OrderedDic'")
    assert "Did you mean 'OrderedDict'?" in lines[0]
    assert lines[1].startswith("opt.nme (conf.yaml:5): logging.getLogger got an unexpected keyword 'nme'.")
    assert len(lines) == 2
    assert done.stderr == "2 problems in conf.yaml\n"


def test_errors_are_one_message_and_usage_is_exit_2(tmp_path: Path) -> None:
    done = run("show", "missing.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no config file missing.yaml (looked in ")
    assert "Traceback" not in done.stderr
    assert run("frobnicate").returncode == 2
    assert run().returncode == 2


# -- in process ---------------------------------------------------------------------------------
def test_show_prints_the_composed_config(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(conf), "model=big", "data.path=/data"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown == {
        "data": {"path": "/data", "size": "$<model.size>"},
        "logger": {"_target_": "logging.getLogger", "name": "$<data.path>"},
        "model": {"_target_": "collections.OrderedDict", "size": 64},
    }
    assert main(["show", str(conf), "--all"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["_run_"]["choices"] == {"model": "small"}


def test_show_resolves_and_picks_one_node(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(conf), "data.path=/data", "--resolve"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["data"] == {"path": "/data", "size": 4}
    assert main(["show", str(conf), "--node", "logger"]) == 0
    assert capsys.readouterr().out == "_target_: logging.getLogger\nname: $<data.path>\n"
    assert main(["show", str(conf), "--node", "data.size"]) == 0
    assert capsys.readouterr().out == "$<model.size>\n"
    assert main(["show", str(conf), "--node", "data.size", "--resolve"]) == 0
    assert capsys.readouterr().out == "4\n"


def test_show_errors_name_path_and_line(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(conf), "--node", "data.pth"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: data.pth ({conf}:4): no key 'pth'. Did you mean 'path'?")
    assert main(["show", str(conf), "--resolve"]) == 1
    assert capsys.readouterr().err == (
        f"error: logger.name ({conf}:9): $<data.path> refers to data.path, a mandatory value (???) that "
        "is not set\n  hint: set data.path in the config or as an override\n"
    )
    assert main(["show", str(conf), "modle=big"]) == 1
    assert "override 'modle=big'" in capsys.readouterr().err


def test_traceback_on_request(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", str(conf), "--resolve", "--traceback"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert f"instantiate.MissingValueError: logger.name ({conf}:9)" in err


def test_check_with_overrides_and_options(conf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(conf)]) == 1
    out = capsys.readouterr().out
    assert out == (
        f"data.path ({conf}:5): mandatory value (???) is not set; set it in the config or override it: "
        "data.path=...\n"
    )
    assert main(["check", str(conf), "data.path=/data"]) == 0
    assert capsys.readouterr().out == f"ok: 2 targets, 4 values checked in {conf}\n"
    assert main(["check", str(conf), "--allow-missing"]) == 0
    assert main(["check", str(conf), "--allow", "collections.*", "data.path=/data"]) == 1
    assert "target logging.getLogger is not allowed here" in capsys.readouterr().out
    assert (
        main(["check", str(conf), "data.path=/data", "--allow", "collections.*", "--allow", "logging.*"]) == 0
    )


def test_check_surfaces_a_schema_error_from_composition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @dataclass
    class TrainSchema:
        epochs: int = 1

    store("train_schema", TrainSchema)
    path = tmp_path / "train.yaml"
    path.write_text("defaults:\n  - train_schema\n  - _self_\nepochs: 0.5\n")
    assert main(["check", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"epochs ({path}:4): expected an int, got 0.5 (a float)\n"
    assert captured.err == f"1 problem in {path}\n"


def test_check_imports_modules_that_register_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "my_registrations_for_cli.py").write_text(
        "from instantiate import register\n\n"
        "@register('double')\ndef double(x: int) -> int:\n    return 2 * x\n"
    )
    (tmp_path / "conf.yaml").write_text("value:\n  _target_: double\n  x: 2.5\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert main(["check", "conf.yaml", "--import", "my_registrations_for_cli"]) == 1
        assert capsys.readouterr().out == (
            "value.x (conf.yaml:3): expected an int, got 2.5 (a float) for parameter 'x' of double\n"
        )
        assert main(["check", "conf.yaml", "--import", "no_such_module_for_cli"]) == 1
        assert "error: --import no_such_module_for_cli: ModuleNotFoundError" in capsys.readouterr().err
    finally:
        sys.modules.pop("my_registrations_for_cli", None)


def test_graph_formats_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out.startswith("digraph config {")
    assert main(["graph", str(EXAMPLE), "--format", "mermaid"]) == 0
    assert '  n4 -.->|"parameters()"| n0\n' in capsys.readouterr().out
    assert main(["graph", str(EXAMPLE), "-o", str(tmp_path / "g.mmd")]) == 0
    assert (tmp_path / "g.mmd").read_text().startswith("flowchart LR\n")
    assert main(["graph", str(EXAMPLE), "-o", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph config {")
    assert main(["graph", str(EXAMPLE), "--format", "mermaid", "-o", str(tmp_path / "g.svg")]) == 1
    assert "a mermaid graph cannot be rendered to .svg here" in capsys.readouterr().err
    assert main(["graph", str(EXAMPLE), "--format", "svg"]) == 2


def test_graph_image_without_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["graph", str(EXAMPLE), "-o", str(tmp_path / "graph.svg")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: writing {tmp_path / 'graph.svg'} needs Graphviz's 'dot' program")
    assert not (tmp_path / "graph.svg").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graph_image_with_graphviz(tmp_path: Path) -> None:
    assert main(["graph", str(EXAMPLE), "-o", str(tmp_path / "graph.png")]) == 0
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")


def test_schema_of_a_config_and_of_a_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "conf.schema.json"
    assert main(["schema", str(EXAMPLE), "-o", str(out)]) == 0
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert (
        list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(EXAMPLE.read_text()))) == []
    )
    assert main(["schema", "collections.OrderedDict"]) == 0
    assert json.loads(capsys.readouterr().out)["$ref"] == "#/$defs/collections.OrderedDict"
    assert main(["schema", "collections.OrderedDic"]) == 1
    assert "Did you mean 'OrderedDict'?" in capsys.readouterr().err
    assert main(["schema", "collections.OrderedDict", "a=1"]) == 1
    assert main(["schema", str(EXAMPLE), "--allow", "collections.*"]) == 1
    assert "is not allowed here" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert main([]) == 2
    assert main(["check"]) == 2
    assert "the following arguments are required: CONFIG" in capsys.readouterr().err
    assert main(["check", "x.yaml", "--frobnicate"]) == 2
    assert main(["--help"]) == 0
    monkeypatch.setattr(sys, "argv", ["instantiate", "show", "--help"])
    assert main() == 0
    assert "--node PATH" in capsys.readouterr().out
