"""Composition: our compose() against Hydra's compose() of the same ~30-file tree, in one process.

The tree is shaped like the lightning-hydra-template (data, model with a nested net group,
callbacks, logger, trainer, paths, extras, hydra, experiment, debug): the primary config lists
twelve groups, the experiment overrides four of them and extends another experiment, and four
value overrides follow (one sets, one adds, one force-adds, one deletes). Each side composes it
``--repeat`` times per round; the best round is reported (the least disturbed by the machine).

    python benchmarks/compose_bench.py [--repeat 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path
from typing import Callable

# Benchmark the checkout that holds this folder (or $INSTANTIATE_SRC), not an installed copy.
ROOT = Path(os.environ.get("INSTANTIATE_SRC") or Path(__file__).resolve().parent.parent)
sys.path.insert(1, str(ROOT))

from hydra import compose as hydra_compose  # noqa: E402
from hydra import initialize_config_dir  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from instantiate._compose.compose import compose  # noqa: E402

CONFIG = "train"
OVERRIDES = [
    "experiment=big",
    "model.optimizer.lr=0.0005",
    "+trainer.profiler=simple",
    "++data.num_workers=8",
    "~callbacks.rich_progress_bar",
]


def callback(name: str, target: str, **params: object) -> str:
    lines = [f"{name}:", f"  _target_: {target}"] + [f"  {k}: {v}" for k, v in params.items()]
    return "\n".join(lines) + "\n"


TREE = {
    "train.yaml": """
        defaults:
          - _self_
          - data: mnist
          - model: mnist
          - callbacks: default
          - logger: csv
          - trainer: default
          - paths: default
          - extras: default
          - hydra: default
          - experiment: null
          - optional local: default
          - debug: null
        task_name: train
        tags: [dev]
        train: true
        test: true
        ckpt_path: null
        seed: 42
        """,
    "data/mnist.yaml": """
        _target_: src.data.MNISTDataModule
        data_dir: ${paths.data_dir}
        batch_size: 128
        train_val_test_split: [55_000, 5_000, 10_000]
        num_workers: 0
        pin_memory: false
        """,
    "data/cifar.yaml": """
        defaults:
          - mnist
          - _self_
        _target_: src.data.CIFARDataModule
        batch_size: 256
        classes: 10
        """,
    "model/mnist.yaml": """
        _target_: src.models.MNISTLitModule
        optimizer: {_target_: torch.optim.Adam, _partial_: true, lr: 0.001, weight_decay: 0.0}
        scheduler: {_target_: torch.optim.lr_scheduler.ReduceLROnPlateau, _partial_: true, mode: min}
        net: {_target_: src.models.SimpleDenseNet, input_size: 784, lin1_size: 64, output_size: 10}
        compile: false
        """,
    "model/resnet.yaml": """
        defaults:
          - mnist
          - net: resnet18
          - _self_
        _target_: src.models.ResNetModule
        optimizer: {lr: 0.01}
        """,
    "model/net/resnet18.yaml": "_target_: torchvision.models.resnet18\nnum_classes: ${data.classes}\n",
    "model/net/resnet50.yaml": "_target_: torchvision.models.resnet50\nnum_classes: 10\npretrained: true\n",
    "callbacks/default.yaml": """
        defaults:
          - model_checkpoint
          - early_stopping
          - model_summary
          - rich_progress_bar
          - _self_
        model_checkpoint: {dirpath: "${paths.output_dir}/checkpoints", monitor: val/acc, mode: max}
        early_stopping: {monitor: val/acc, patience: 100}
        """,
    "callbacks/model_checkpoint.yaml": callback(
        "model_checkpoint",
        "lightning.pytorch.callbacks.ModelCheckpoint",
        dirpath="null",
        monitor="null",
        save_top_k=1,
        mode="min",
    ),
    "callbacks/early_stopping.yaml": callback(
        "early_stopping",
        "lightning.pytorch.callbacks.EarlyStopping",
        monitor="???",
        min_delta=0.0,
        patience=3,
    ),
    "callbacks/model_summary.yaml": callback(
        "model_summary", "lightning.pytorch.callbacks.RichModelSummary", max_depth=1
    ),
    "callbacks/rich_progress_bar.yaml": callback(
        "rich_progress_bar", "lightning.pytorch.callbacks.RichProgressBar"
    ),
    "callbacks/none.yaml": "",
    "logger/csv.yaml": callback("csv", "lightning.pytorch.loggers.CSVLogger", save_dir="${paths.output_dir}"),
    "logger/tensorboard.yaml": callback(
        "tensorboard",
        "lightning.pytorch.loggers.TensorBoardLogger",
        save_dir='"${paths.output_dir}/tensorboard/"',
    ),
    "logger/wandb.yaml": callback(
        "wandb", "lightning.pytorch.loggers.WandbLogger", project="demo", offline="false"
    ),
    "logger/many_loggers.yaml": "defaults:\n  - csv\n  - tensorboard\n",
    "trainer/default.yaml": """
        _target_: lightning.pytorch.trainer.Trainer
        default_root_dir: ${paths.output_dir}
        min_epochs: 1
        max_epochs: 10
        accelerator: cpu
        devices: 1
        deterministic: false
        """,
    "trainer/gpu.yaml": "defaults:\n  - default\naccelerator: gpu\ndevices: 1\n",
    "trainer/ddp.yaml": """
        defaults:
          - default
        strategy: ddp
        accelerator: gpu
        devices: 4
        sync_batchnorm: true
        """,
    "trainer/cpu.yaml": "defaults:\n  - default\naccelerator: cpu\n",
    "paths/default.yaml": """
        root_dir: ${oc.env:PROJECT_ROOT,.}
        data_dir: ${paths.root_dir}/data/
        log_dir: ${paths.root_dir}/logs/
        output_dir: ${hydra:runtime.output_dir}
        """,
    "data/imagenet.yaml": "defaults:\n  - cifar\n  - _self_\nclasses: 1000\nbatch_size: 32\n",
    "extras/default.yaml": "ignore_warnings: false\nenforce_tags: true\nprint_config: true\n",
    "hydra/default.yaml": """
        defaults:
          - override hydra_logging: disabled
          - override job_logging: disabled
        run:
          dir: ${paths.log_dir}/${task_name}/runs/${now:%Y-%m-%d}_${now:%H-%M-%S}
        sweep:
          dir: ${paths.log_dir}/${task_name}/multiruns/${now:%Y-%m-%d}_${now:%H-%M-%S}
          subdir: ${hydra.job.num}
        """,
    "experiment/example.yaml": """
        # @package _global_
        defaults:
          - override /data: cifar
          - override /model: resnet
          - override /trainer: gpu
        tags: [cifar, resnet]
        seed: 12345
        trainer: {min_epochs: 10, max_epochs: 10, gradient_clip_val: 0.5}
        model: {optimizer: {lr: 0.002}}
        data: {batch_size: 64}
        """,
    "experiment/big.yaml": """
        # @package _global_
        defaults:
          - example
          - override /model/net: resnet50
          - override /trainer: ddp
          - override /logger: many_loggers
        seed: 7
        trainer: {max_epochs: 100}
        """,
    "debug/default.yaml": """
        # @package _global_
        task_name: debug
        callbacks: null
        trainer: {max_epochs: 1}
        """,
    "debug/fdr.yaml": "# @package _global_\ndefaults:\n  - default\ntrainer: {fast_dev_run: true}\n",
    "local/default.yaml": "# @package _global_\npaths: {root_dir: /scratch}\n",
}


def write_tree(root: Path) -> int:
    for rel, text in TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return len(TREE)


def best_time(run: Callable[[], object], repeat: int, rounds: int) -> float:
    """Seconds per call in the fastest of ``rounds`` rounds of ``repeat`` calls."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            run()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best one is reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "conf"
        files = write_tree(conf)
        ours_result = compose(CONFIG, OVERRIDES, config_dir=conf)
        with initialize_config_dir(str(conf), version_base="1.3"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hydra_result = OmegaConf.to_container(hydra_compose(CONFIG, OVERRIDES), resolve=False)
            ours_data = ours_result.to_dict(resolve=False)
            ours_data.pop("_run_")
            ours_data.pop("hydra", None)
            if ours_data != hydra_result:
                raise SystemExit("the two composed configs differ: the comparison would be meaningless")
            hydra_time = best_time(lambda: hydra_compose(CONFIG, OVERRIDES), args.repeat, args.rounds)
        ours_time = best_time(lambda: compose(CONFIG, OVERRIDES, config_dir=conf), args.repeat, args.rounds)

    print(f"compose {CONFIG!r} from {files} files, overrides: {' '.join(OVERRIDES)}")
    print(f"  best of {args.rounds} rounds x {args.repeat} calls, {sys.version.split()[0]}, load {_load()}")
    print(f"  hydra 1.3.8 compose  {hydra_time * 1e3:8.2f} ms")
    print(f"  instantiate compose  {ours_time * 1e3:8.2f} ms")
    print(f"  ours is {hydra_time / ours_time:.0f}x faster (target: >= 10x)")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - no load average on this platform
        return "n/a"


if __name__ == "__main__":
    main()
