"""Train an MLP on synthetic regression data, Hydra style: python examples/hydra_style/train.py

Config groups under conf/ choose the model, optimizer and data; any value can be overridden on
the command line (model=big optimizer.lr=0.01, +experiment=wide). Each run gets its own
directory under outputs/ with the composed config, the overrides and the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from instantiate import Config, instantiate, main

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


def synthetic_regression(
    features: int, samples: int, noise: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``y = sin(x . w) + noise`` for a fixed random ``w``: a smooth target a small MLP can learn."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(samples, features, generator=generator)
    weights = torch.randn(features, 1, generator=generator) / features**0.5
    targets = torch.sin(inputs @ weights) + noise * torch.randn(samples, 1, generator=generator)
    return inputs, targets


@main(config_dir="conf", config_name="train", allow=["torch.*"])
def train(cfg: Config) -> float:
    """Build model, optimizer and loss from the config, train, and return the last epoch's loss."""
    import torch  # here, not at the top: --help, --cfg and tab completion need no torch

    torch.manual_seed(cfg.seed)
    model = instantiate(cfg.model)
    optimizer = instantiate(cfg.optimizer)(model.parameters())  # _partial_: true in the config
    loss_fn = instantiate(cfg.loss)
    data = cfg.data
    inputs, targets = synthetic_regression(data.features, data.samples, data.noise, data.seed)
    choices = cfg._run_.choices  # which option of each group this run uses
    log.info("model %s, optimizer %s, lr %g", choices.model, choices.optimizer, cfg.optimizer.lr)

    for epoch in range(1, cfg.epochs + 1):
        total = 0.0
        for batch in torch.randperm(len(inputs)).split(data.batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[batch]), targets[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        epoch_loss = total / len(inputs)
        log.info("epoch %2d  loss %.4f", epoch, epoch_loss)

    log.info("done: loss %.4f, run directory %s", epoch_loss, cfg._run_.dir)
    return epoch_loss


if __name__ == "__main__":
    train()
