"""check, graph and schema build nothing and call nothing from a config, and import nothing the
policy refuses: the same hostile configs as in ``tests/build/test_attacks.py``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from apps import env
from canaries import Canaries

from instantiate import Config, InterpolationError, TargetError, load
from instantiate._tools import graph as graph_module
from instantiate._tools.check import check_config
from instantiate._tools.graph import dependency_graph
from instantiate._tools.schema import config_schema, target_schema


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[Canaries]:
    made = Canaries(tmp_path)
    yield made
    made.close()


GLOBALS_ATTACK = "m: {_target_: builtins.dict}\nz: '$<@m:__class__.__init__.__globals__.clear()>'\n"


def test_graph_reads_no_dunder_and_calls_nothing() -> None:
    names = set(vars(graph_module))
    with pytest.raises(InterpolationError, match="'__class__' is private"):
        dependency_graph(Config.from_yaml(GLOBALS_ATTACK))
    assert set(vars(graph_module)) == names
    # a public chain is written down, not followed: the stand-in has no attributes to read
    graph = dependency_graph(Config.from_yaml("m: {_target_: builtins.dict}\nz: $<@m:link.count()>\n"))
    assert [edge.via for edge in graph.edges] == ["link.count()"]


def test_check_reports_a_private_chain_and_calls_nothing(tmp_path: Path) -> None:
    import instantiate._tools.check as check_module

    names = set(vars(check_module)), set(vars(graph_module))
    path = tmp_path / "conf.yaml"
    path.write_text(GLOBALS_ATTACK)
    (problem,) = check_config(load(path))
    assert (problem.path, problem.source) == ("z", f"{path}:2")
    assert "is private" in problem.message
    assert (set(vars(check_module)), set(vars(graph_module))) == names


def test_check_reports_a_denied_target_and_an_unknowable_one(tmp_path: Path) -> None:
    path = tmp_path / "conf.yaml"
    path.write_text(
        "run: {_target_: os.system, _args_: [touch x]}\n"
        "h: {_target_: builtins.dict}\n"
        "later: {_target_: $<@h:get>}\n"
    )
    problems = check_config(load(path))
    assert [p.path for p in problems][:1] == ["run._target_"]
    assert "deny list" in problems[0].message
    assert not (tmp_path / "x").exists()


def test_check_and_schema_never_import_what_a_lazy_loader_would(canary: Canaries, tmp_path: Path) -> None:
    path = tmp_path / "conf.yaml"
    path.write_text(f"job: {{_target_: {canary.pkg}.lazyhost.evil.run}}\n")
    (problem,) = check_config(load(path), allow=[f"{canary.pkg}.*"])
    assert problem.path == "job._target_" and canary.evil in problem.message
    with pytest.raises(TargetError, match=canary.evil):
        target_schema(f"{canary.pkg}.lazyhost.evil.run", allow=[f"{canary.pkg}.*"])
    with pytest.raises(TargetError, match=canary.evil) as info:
        config_schema(load(path), allow=[f"{canary.pkg}.*"])
    assert info.value.path == "job._target_"
    assert canary.untouched()


def test_the_command_line_tools_under_allow_import_nothing_refused(canary: Canaries, tmp_path: Path) -> None:
    path = tmp_path / "conf.yaml"
    path.write_text(f"job: {{_target_: {canary.pkg}.lazyhost.evil.run}}\nz: {GLOBALS_ATTACK.split('z: ')[1]}")
    path.write_text(path.read_text().replace("$<@m:", "$<@job:"))
    for command in (["check", str(path)], ["graph", str(path)], ["schema", str(path)]):
        done = subprocess.run(
            [sys.executable, "-m", "instantiate", *command, "--allow", f"{canary.pkg}.*"]
            if command[0] != "graph"
            else [sys.executable, "-m", "instantiate", *command],
            capture_output=True,
            text=True,
            env={**env(), "PYTHONPATH": f"{env()['PYTHONPATH']}:{canary.root}"},
            timeout=120,
        )
        assert "Traceback" not in done.stderr, done.stderr
        assert canary.untouched(), command
