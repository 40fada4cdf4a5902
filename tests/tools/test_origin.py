"""``show --origin``: beside every value, the file:line, override or defaults entry that set it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from instantiate import compose
from instantiate._tools.cli import main
from instantiate._tools.origin import compose_with_origins

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "examples" / "hydra_style" / "conf"
OVERRIDES = ["+experiment=wide", "optimizer=sgd", "optimizer.lr=0.2", "+extra=1"]


@pytest.fixture
def shown(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``show --origin conf/train.yaml OVERRIDES`` in the example: each line's comment by its text."""
    monkeypatch.chdir(CONF.parent)
    assert main(["show", "--origin", "conf/train.yaml", *OVERRIDES]) == 0
    out = capsys.readouterr().out
    lines = {}
    for line in out.splitlines():
        text, _, note = line.partition("# ")
        lines.setdefault(text.rstrip(), note)  # the first of lines written alike
    lines["<text>"] = out
    return lines


def test_each_value_says_which_file_and_line(shown: dict[str, str]) -> None:
    assert shown["  _target_: torch.optim.SGD"] == os.path.join("conf", "optimizer", "sgd.yaml") + ":2"
    assert shown["    - _target_: torch.nn.Linear"] == "conf/model/big.yaml:3"
    assert shown["      out_features: 128"] == "conf/model/big.yaml:5"
    assert shown["seed: 0"] == "conf/train.yaml:12"


def test_a_value_replaced_says_what_it_replaced(shown: dict[str, str]) -> None:
    assert shown["epochs: 20"] == "conf/experiment/wide.yaml:7 (replaced 15 from conf/train.yaml:11)"
    assert shown["  lr: 0.2"] == (
        "command line 'optimizer.lr=0.2' (replaced 0.003 from conf/experiment/wide.yaml:6, "
        "which replaced 0.05 from conf/optimizer/sgd.yaml:4)"
    )
    assert shown["extra: 1"] == "command line '+extra=1'"


def test_a_group_says_which_defaults_entry_brought_it(shown: dict[str, str]) -> None:
    assert shown["model:"] == (
        "conf/model/big.yaml, by the defaults entry '- override /model: big' (conf/experiment/wide.yaml:4)"
    )
    assert shown["optimizer:"] == "conf/optimizer/sgd.yaml, chosen on the command line by 'optimizer=sgd'"
    assert (
        shown["data:"]
        == "conf/data/synthetic.yaml, by the defaults entry '- data: synthetic' (conf/train.yaml:5)"
    )


def test_the_text_is_the_composed_config(shown: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """Without its comments, --origin prints what show prints."""
    assert main(["show", "conf/train.yaml", *OVERRIDES]) == 0
    assert yaml.safe_load(shown["<text>"]) == yaml.safe_load(capsys.readouterr().out)
    assert all(line.count("# ") <= 1 for line in shown["<text>"].splitlines())  # one origin per line


@pytest.mark.parametrize(
    "overrides",
    [[], ["model=big"], ["+experiment=wide"], ["optimizer=sgd", "~optimizer.momentum", "++data.seed=3"]],
)
def test_the_replay_composes_what_compose_composes(overrides: list[str]) -> None:
    origins = compose_with_origins("train", overrides, config_dir=str(CONF))
    composed = compose("train", overrides=overrides, config_dir=str(CONF)).to_dict(resolve=False)
    from instantiate import Config

    replayed = Config(origins.data).to_dict(resolve=False)
    assert replayed.pop("_run_") == {
        "sweep": composed["_run_"]["sweep"]
    }  # what composition records is left out
    del composed["_run_"]
    assert replayed == composed


def test_origin_refuses_what_it_cannot_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--origin", str(CONF / "train.yaml"), "--resolve"]) == 1
    assert "leave out --node and --resolve" in capsys.readouterr().err
    assert main(["show", "--origin", str(CONF / "train.yaml"), "optimizer.lr=0.1,0.2"]) == 1
    assert "is a sweep" in capsys.readouterr().err
