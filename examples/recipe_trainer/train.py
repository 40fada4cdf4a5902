"""Train a small MLP on synthetic data, every part built by a Recipe from conf.yaml.

python examples/recipe_trainer/train.py
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from instantiate import Recipe, load, register


@register("synthetic_regression")
def synthetic_regression(
    samples: int, features: int, noise: float, seed: int, rule_seed: int = 0
) -> TensorDataset:
    """Random points and their targets under one fixed nonlinear rule; ``seed`` draws the points."""
    rule = torch.randn(features, 1, generator=torch.Generator().manual_seed(rule_seed))
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(samples, features, generator=generator)
    targets = inputs @ rule + torch.sin(2 * inputs[:, :1])
    targets += noise * torch.randn(samples, 1, generator=generator)
    return TensorDataset(inputs, targets)


class Train(Recipe):
    """What a training run needs; a config without any of these fails before anything is built."""

    required = ("model", "optimizer", "scheduler", "loss", "train_loader", "valid_loader")


def run_epoch(recipe: Train, loader: DataLoader, learn: bool) -> float:  # type: ignore[type-arg]
    """One pass over ``loader``; returns the mean loss per sample."""
    model, loss_fn, optimizer = recipe.model, recipe.loss, recipe.optimizer
    model.train(learn)
    total, count = 0.0, 0
    with torch.set_grad_enabled(learn):
        for inputs, targets in loader:
            loss = loss_fn(model(inputs), targets)
            if learn:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(inputs)
            count += len(inputs)
    return total / count


def train(recipe: Train) -> list[tuple[float, float]]:
    """Train for ``epochs``, printing train and valid loss; returns them per epoch."""
    torch.manual_seed(recipe.seed)  # before the model exists: its initial weights follow the seed
    # Everything else is built on first use, but a scheduler hooks optimizer.step() when it is
    # made, so it must exist before the first step: build these three now.
    recipe.build("model", "optimizer", "scheduler")
    history = []
    for epoch in range(1, recipe.epochs + 1):
        train_loss = run_epoch(recipe, recipe.train_loader, learn=True)
        valid_loss = run_epoch(recipe, recipe.valid_loader, learn=False)
        recipe.scheduler.step()
        history.append((train_loss, valid_loss))
        print(f"epoch {epoch:2d}  train loss {train_loss:.4f}  valid loss {valid_loss:.4f}")
    (first_train, first_valid), (last_train, last_valid) = history[0], history[-1]
    print(f"train loss {first_train:.4f} -> {last_train:.4f}, ", end="")
    print(f"valid loss {first_valid:.4f} -> {last_valid:.4f}")
    return history


if __name__ == "__main__":
    config = load(Path(__file__).with_name("conf.yaml"))
    with Train(config, allow=["torch.*", "synthetic_regression"]) as recipe:
        train(recipe)
