"""Hostile YAML: alias bombs are refused before they are expanded, huge integers are errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from apps import env

from instantiate import Config, ConfigError, load
from instantiate._config.loading import ALIAS_VALUES


def bomb(width: int, copies: int, top: int) -> str:
    """``a`` has ``width`` values, ``b`` ``copies`` aliases of ``a``, ``c`` ``top`` aliases of ``b``."""
    return (
        f"a: &a [{', '.join(['1'] * width)}]\n"
        f"b: &b [{', '.join(['*a'] * copies)}]\n"
        f"c: [{', '.join(['*b'] * top)}]\n"
    )


def test_the_issue_alias_bomb_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(1000, 1000, 90))
    assert path.stat().st_size < 8000
    with pytest.raises(ConfigError, match="alias bomb") as info:
        load(path)
    assert info.value.source == f"{path}:2"  # b: a thousand copies of a


@pytest.mark.parametrize(("width", "copies", "top"), [(1000, 1000, 90), (10_000, 3000, 100), (1, 10, 10**5)])
def test_alias_bombs_are_refused_in_bounded_memory(tmp_path: Path, width: int, copies: int, top: int) -> None:
    """In a process that may use 1 GiB of address space: an expansion would die with MemoryError."""
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(width, copies, top))
    script = textwrap.dedent(
        f"""
        import resource
        from instantiate import load, ConfigError
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        try:
            load({str(path)!r})
        except ConfigError as error:
            print("REFUSED", error)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env(), timeout=120
    )
    assert done.stdout.startswith("REFUSED"), done.stderr
    assert "alias bomb" in done.stdout and str(path) in done.stdout


def test_aliases_below_the_bound_load_as_copies() -> None:
    width = 1000
    copies = ALIAS_VALUES // (width + 1)
    cfg = Config.from_yaml(bomb(width, copies, 0).replace("c: []\n", ""))
    assert len(cfg.b) == copies and cfg.b[0] == cfg.a
    with pytest.raises(ConfigError, match="alias bomb"):
        Config.from_yaml(bomb(width, copies + 1, 0))


def test_an_alias_counts_every_value_in_it_not_only_containers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("instantiate._config.loading.ALIAS_VALUES", 1000)
    assert len(Config.from_yaml(bomb(400, 2, 0)).b) == 2  # 802 values copied
    with pytest.raises(ConfigError, match="alias bomb"):
        Config.from_yaml(bomb(400, 3, 0))  # 3 copies of 401 values: one container each, 1,203 values


@pytest.mark.parametrize("digits", ["9" * 5000, "-" + "9" * 5000, "+" + "1" * 10_000])
def test_a_huge_integer_is_a_config_error_with_file_and_line(tmp_path: Path, digits: str) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(f"a: 1\nb: {digits}\n")
    with pytest.raises(ConfigError, match="too long to read") as info:
        load(path)
    assert info.value.source == f"{path}:2"
    with pytest.raises(ConfigError, match="too long to read") as info:
        Config.from_yaml(f"a: 1\nlist:\n  - {digits}\n", file="inline.yaml")
    assert info.value.source == "inline.yaml:3"


def test_long_integers_that_python_reads_load_and_quoted_ones_stay_text() -> None:
    cfg = Config.from_yaml(f"a: {'7' * 4300}\nb: '{'7' * 9000}'\nc: 0x{'f' * 5000}\n")
    assert cfg.a == int("7" * 4300)
    assert cfg.b == "7" * 9000
    assert cfg.c == int("f" * 5000, 16)
