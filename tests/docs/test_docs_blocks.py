"""The docs harness itself: a stale example fails, a current one passes, and nothing slips through unrun."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docs_blocks import SYBIL, normalise
from sybil.example import SybilFailure

FENCE = "```"


def run_page(tmp_path: Path, text: str) -> list[str]:
    """Run every block of a Markdown page as the suite does; a line per block: ok, or its failure."""
    page = tmp_path / "page.md"
    page.write_text(text)
    document = SYBIL.parse(page)
    SYBIL.setup(document.namespace)  # type: ignore[misc]
    results = []
    try:
        for example in document.examples():
            try:
                example.evaluate()
                results.append("ok")
            except (SybilFailure, Exception) as failure:  # each block's outcome is the result
                results.append(f"{type(failure).__name__}: {failure}")
    finally:
        SYBIL.teardown(document.namespace)  # type: ignore[misc]
    return results


def test_a_transcript_passes_when_the_output_is_current(tmp_path: Path) -> None:
    page = f"{FENCE}console\n$ echo hello; echo there >&2\nhello\nthere\n$ false\n$ echo $?\n1\n{FENCE}\n"
    assert run_page(tmp_path, page) == ["ok"]


def test_a_stale_transcript_fails_and_shows_both_outputs(tmp_path: Path) -> None:
    [result] = run_page(tmp_path, f"{FENCE}console\n$ echo 'new output'\nold output\n{FENCE}\n")
    assert result.startswith("SybilFailure")
    assert "old output" in result and "new output" in result


def test_a_text_block_with_a_prompt_runs_and_one_without_is_only_shown(tmp_path: Path) -> None:
    page = f"{FENCE}text\n$ echo 1\n2\n{FENCE}\n\n{FENCE}text\nconf/\n  train.yaml\n{FENCE}\n"
    [result] = run_page(tmp_path, page)
    assert result.startswith("SybilFailure")


def test_an_ellipsis_stands_for_lines_left_out(tmp_path: Path) -> None:
    page = f"{FENCE}console\n$ printf 'a\\nb\\nc\\nd\\n'\na\n...\nd\n{FENCE}\n"
    assert run_page(tmp_path, page) == ["ok"]


def test_file_blocks_are_written_and_used_by_later_blocks(tmp_path: Path) -> None:
    page = (
        f"{FENCE}yaml\n# file: conf/a.yaml\nx: 1\n{FENCE}\n\n"
        f"{FENCE}python\n>>> from instantiate import load\n>>> load('conf/a.yaml').x\n1\n{FENCE}\n\n"
        f"{FENCE}python\n>>> load('conf/a.yaml').x\n2\n{FENCE}\n"
    )
    *passed, failed = run_page(tmp_path, page)  # a doctest is an example per >>> line
    assert passed == ["ok", "ok", "ok"] and failed.startswith("SybilFailure")


def test_a_file_block_may_not_write_outside_its_page_directory(tmp_path: Path) -> None:
    [result] = run_page(tmp_path, f"{FENCE}yaml\n# file: ../escaped.yaml\nx: 1\n{FENCE}\n")
    assert "only inside its own directory" in result
    assert not (tmp_path / "escaped.yaml").exists()


def test_a_shown_file_must_match_the_shipped_one(tmp_path: Path) -> None:
    shown = f"{FENCE}yaml\n# examples/mlp/conf.yaml\n...\noptimizer:\n  _target_: torch.optim.{{}}\n..."
    shown += f"\n{FENCE}\n"
    current, stale = shown.format("Adam"), shown.format("SGD")
    assert run_page(tmp_path, current) == ["ok"]
    assert "is not what the block shows" in run_page(tmp_path, stale)[0]


def test_broken_yaml_fails(tmp_path: Path) -> None:
    [result] = run_page(tmp_path, f"{FENCE}yaml\na: [1, 2\n{FENCE}\n")
    assert "YAML" in result or "while parsing" in result


def test_a_block_in_an_unknown_language_fails_rather_than_going_unrun(tmp_path: Path) -> None:
    [result] = run_page(tmp_path, f"{FENCE}bash\necho hello\n{FENCE}\n\n{FENCE}sh\npip install x\n{FENCE}\n")
    assert "neither run nor known as shown-only" in result


def test_a_page_leaves_no_registration_and_no_directory_behind(tmp_path: Path) -> None:
    from instantiate import registry

    record = tmp_path / "cwd.txt"
    page = (
        f"{FENCE}python\nimport os, pathlib\n"
        f"pathlib.Path({str(record)!r}).write_text(os.getcwd())\n{FENCE}\n\n"
        f"{FENCE}python\n>>> from instantiate import register\n>>> _ = register('docs_only', dict)\n{FENCE}\n"
    )
    assert run_page(tmp_path, page) == ["ok", "ok", "ok"]
    assert "docs_only" not in registry
    assert record.read_text() != os.getcwd() and not Path(record.read_text()).exists()


@pytest.mark.parametrize(
    ("shown", "printed"),
    [
        ("[2026-11-26 17:01:51,320][x] - done", "[2027-01-02 03:04:05,678][x] - done"),
        ("outputs/2026-11-26/17-01-51_1/run.yaml", "outputs/2030-01-01/00-00-00/run.yaml"),
        ("[1/4] ok         0.2s  #0", "[1/4] ok        12.5s  #0"),
    ],
)
def test_the_normaliser_makes_times_dates_and_durations_equal(shown: str, printed: str) -> None:
    assert normalise(shown, []) == normalise(printed, [])


def test_the_normaliser_shows_the_page_directory_as_home(tmp_path: Path) -> None:
    assert normalise(f"run in {tmp_path}/outputs", [tmp_path]) == "run in ~/instantiate/outputs"
    assert normalise("loss 0.12", []) != normalise("loss 0.13", [])
