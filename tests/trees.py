"""Config trees the composition tests write into tmp dirs: realistic, shaped like Hydra projects.

``TRAIN_TREE`` follows the lightning-hydra-template layout (data/model/trainer/callbacks/logger/
experiment/paths/hydra groups, ``optional local``, ``null`` options, experiments with
``override /group`` and ``# @package _global_``, nested groups, ``group@package``, ``_self_``
first and last, interpolated options).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

TRAIN_TREE = {
    "train.yaml": """
defaults:
  - _self_
  - data: mnist
  - model: mnist
  - callbacks: default
  - logger: null
  - trainer: default
  - paths: default
  - extras: default
  - hydra: default
  - experiment: null
  - hparams_search: null
  - optional local: default
  - optional secrets: default
  - debug: null

task_name: train
tags: [dev]
train: true
test: true
ckpt_path: null
seed: null
""",
    "eval.yaml": """
defaults:
  - data: mnist
  - model: mnist
  - trainer: default
  - paths: default
  - _self_
task_name: eval
ckpt_path: ???
trainer:
  max_epochs: 3
""",
    "data/mnist.yaml": """
_target_: src.data.mnist_datamodule.MNISTDataModule
data_dir: ${paths.data_dir}
batch_size: 128
train_val_test_split: [55_000, 5_000, 10_000]
num_workers: 0
pin_memory: False
""",
    "data/cifar.yaml": """
defaults:
  - mnist
  - _self_
_target_: src.data.cifar.CIFARDataModule
batch_size: 256
classes: 10
""",
    "model/mnist.yaml": """
_target_: src.models.mnist_module.MNISTLitModule
optimizer:
  _target_: torch.optim.Adam
  _partial_: true
  lr: 0.001
  weight_decay: 0.0
scheduler:
  _target_: torch.optim.lr_scheduler.ReduceLROnPlateau
  _partial_: true
  mode: min
  factor: 0.1
  patience: 10
net:
  _target_: src.models.components.simple_dense_net.SimpleDenseNet
  input_size: 784
  lin1_size: 64
  output_size: 10
compile: false
""",
    "model/resnet.yaml": """
defaults:
  - mnist
  - net: resnet18
  - _self_
_target_: src.models.ResNetModule
optimizer:
  lr: 0.01
""",
    "model/net/resnet18.yaml": """
_target_: torchvision.models.resnet18
num_classes: ${data.classes}
""",
    "model/net/resnet50.yaml": """
_target_: torchvision.models.resnet50
num_classes: 10
pretrained: true
""",
    "callbacks/default.yaml": """
defaults:
  - model_checkpoint
  - early_stopping
  - model_summary
  - rich_progress_bar
  - _self_

model_checkpoint:
  dirpath: ${paths.output_dir}/checkpoints
  filename: "epoch_{epoch:03d}"
  monitor: "val/acc"
  mode: "max"
  save_last: True
early_stopping:
  monitor: "val/acc"
  patience: 100
""",
    "callbacks/model_checkpoint.yaml": """
model_checkpoint:
  _target_: lightning.pytorch.callbacks.ModelCheckpoint
  dirpath: null
  filename: null
  monitor: null
  save_last: null
  save_top_k: 1
  mode: "min"
""",
    "callbacks/early_stopping.yaml": """
early_stopping:
  _target_: lightning.pytorch.callbacks.EarlyStopping
  monitor: ???
  min_delta: 0.
  patience: 3
""",
    "callbacks/model_summary.yaml": """
model_summary:
  _target_: lightning.pytorch.callbacks.RichModelSummary
  max_depth: 1
""",
    "callbacks/rich_progress_bar.yaml": """
rich_progress_bar:
  _target_: lightning.pytorch.callbacks.RichProgressBar
""",
    "callbacks/none.yaml": "",
    "logger/csv.yaml": """
csv:
  _target_: lightning.pytorch.loggers.csv_logs.CSVLogger
  save_dir: "${paths.output_dir}"
  name: "csv/"
""",
    "logger/tensorboard.yaml": """
tensorboard:
  _target_: lightning.pytorch.loggers.tensorboard.TensorBoardLogger
  save_dir: "${paths.output_dir}/tensorboard/"
  default_hp_metric: True
""",
    "logger/many_loggers.yaml": """
defaults:
  - csv
  - tensorboard
""",
    "trainer/default.yaml": """
_target_: lightning.pytorch.trainer.Trainer
default_root_dir: ${paths.output_dir}
min_epochs: 1
max_epochs: 10
accelerator: cpu
devices: 1
check_val_every_n_epoch: 1
deterministic: False
""",
    "trainer/gpu.yaml": """
defaults:
  - default
accelerator: gpu
devices: 1
""",
    "trainer/ddp.yaml": """
defaults:
  - default
strategy: ddp
accelerator: gpu
devices: 4
num_nodes: 1
sync_batchnorm: True
""",
    "paths/default.yaml": """
root_dir: ${oc.env:PROJECT_ROOT,.}
data_dir: ${paths.root_dir}/data/
log_dir: ${paths.root_dir}/logs/
output_dir: ${hydra:runtime.output_dir}
work_dir: ${hydra:runtime.cwd}
""",
    "extras/default.yaml": """
ignore_warnings: False
enforce_tags: True
print_config: True
""",
    "hydra/default.yaml": """
defaults:
  - override hydra_logging: disabled
  - override job_logging: disabled

run:
  dir: ${paths.log_dir}/${task_name}/runs/${now:%Y-%m-%d}_${now:%H-%M-%S}
sweep:
  dir: ${paths.log_dir}/${task_name}/multiruns/${now:%Y-%m-%d}_${now:%H-%M-%S}
  subdir: ${hydra.job.num}
job_logging:
  handlers:
    file:
      filename: ${hydra.runtime.output_dir}/${task_name}.log
""",
    "secrets/default.yaml": """
# @package _global_
api_key: xyz
""",
    "experiment/example.yaml": """
# @package _global_
defaults:
  - override /data: cifar
  - override /model: resnet
  - override /callbacks: default
  - override /trainer: gpu

tags: ["cifar", "resnet"]
seed: 12345
trainer:
  min_epochs: 10
  max_epochs: 10
  gradient_clip_val: 0.5
model:
  optimizer:
    lr: 0.002
data:
  batch_size: 64
""",
    "experiment/big.yaml": """
# @package _global_
defaults:
  - example
  - override /model/net: resnet50
  - override /trainer: ddp
  - override /logger: many_loggers
seed: 7
trainer:
  max_epochs: 100
""",
    "experiment/with_logger.yaml": """
# @package _global_
defaults:
  - override /logger: csv
logger:
  csv:
    name: exp
""",
    "debug/default.yaml": """
# @package _global_
task_name: "debug"
callbacks: null
logger: null
extras:
  ignore_warnings: False
  enforce_tags: False
hydra:
  job_logging:
    root:
      level: DEBUG
trainer:
  max_epochs: 1
  accelerator: cpu
  devices: 1
  detect_anomaly: true
data:
  num_workers: 0
  pin_memory: False
""",
    "debug/fdr.yaml": """
# @package _global_
defaults:
  - default
trainer:
  fast_dev_run: true
""",
    "hparams_search/grid.yaml": """
# @package _global_
defaults:
  - override /hydra/sweeper: basic
optimized_metric: "val/acc_best"
hydra:
  sweeper:
    params:
      model.optimizer.lr: 0.001,0.01
""",
    "db/mysql.yaml": """
driver: mysql
user: omry
port: 3306
""",
    "db/postgresql.yaml": """
driver: postgresql
user: postgres
port: 5432
timeout: 10
""",
    "server/apache.yaml": """
defaults:
  - db: mysql
  - /extras/default@extras
  - _self_
name: apache
port: 80
""",
    "server/nginx.yaml": """
name: nginx
port: 8080
""",
    "server/db/mysql.yaml": """
engine: innodb
""",
    "server/db/sqlite.yaml": """
engine: sqlite
""",
    "backup.yaml": """
defaults:
  - db@source: mysql
  - db@destination: postgresql
  - server: apache
  - _self_
destination:
  port: 9999
""",
    "pkg_header.yaml": """
defaults:
  - header_demo: a
  - header_demo@custom: b
  - _self_
""",
    "header_demo/a.yaml": """
# @package foo.bar
x: 1
""",
    "header_demo/b.yaml": """
# @package _global_
y: 2
""",
    "self_first.yaml": """
defaults:
  - _self_
  - db: mysql
db:
  port: 1
  user: first
""",
    "interp.yaml": """
defaults:
  - dataset: imagenet
  - model: mnist
  - dataset_model: ${dataset}_${model}
  - _self_
""",
    "dataset/imagenet.yaml": "name: imagenet\nsize: 1000\n",
    "dataset/cifar10.yaml": "name: cifar10\nsize: 10\n",
    "dataset_model/imagenet_mnist.yaml": "# @package _global_\ncombo: imagenet+mnist\n",
    "dataset_model/cifar10_mnist.yaml": "# @package _global_\ncombo: cifar10+mnist\n",
    "dataset_model/imagenet_resnet.yaml": "# @package _global_\ncombo: imagenet+resnet\n",
    "multi.yaml": """
defaults:
  - callbacks: [model_summary, rich_progress_bar]
  - _self_
""",
    "nested_cfg.yaml": """
defaults:
  - /server/apache@web
  - server/db@web.db: sqlite
  - _self_
top: 1
""",
    "choices_demo.yaml": """
defaults:
  - db: mysql
  - model: resnet
  - server/db@srv: sqlite
  - _self_
picked_db: ${hydra:runtime.choices.db}
picked_net: ${hydra:runtime.choices.model/net}
picked_srv: ${hydra:runtime.choices.server/db@srv}
sentence: db=${hydra:runtime.choices.db} model=${hydra:runtime.choices.model}
data:
  classes: 3
""",
    "run_keys.yaml": """
defaults:
  - db: mysql
  - _self_
_run_:
  launcher: processes
  sweep:
    lr: 0.1,0.2
hydra:
  run:
    dir: outputs/${now:%Y}
  job:
    chdir: false
""",
    "mandatory.yaml": """
defaults:
  - db: ???
  - _self_
""",
    "noself.yaml": """
defaults:
  - db: mysql
db:
  port: 7
other: 1
""",
}


def write_tree(root: str | Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> YAML text, dedented) under ``root``; return ``root``."""
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
    return Path(root)
