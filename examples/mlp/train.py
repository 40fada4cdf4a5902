"""Train a small MLP on synthetic data, everything built from conf.yaml: python examples/mlp/train.py"""

from __future__ import annotations

from pathlib import Path

import torch

from instantiate import Config, instantiate, load


def synthetic_data(features: int, classes: int, samples: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Points labelled by a fixed random linear rule, so a model can learn them."""
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(samples, features, generator=generator)
    rule = torch.randn(features, classes, generator=generator)
    return inputs, (inputs @ rule).argmax(dim=1)


def train(cfg: Config) -> list[float]:
    """Build model, optimizer and loss from the config; return the mean loss of each epoch."""
    torch.manual_seed(cfg.data.seed)
    built = instantiate(cfg)  # one call: the optimizer gets parameters() of this very model
    model, optimizer, loss_fn = built["model"], built["optimizer"], built["loss"]
    inputs, labels = synthetic_data(**{k: cfg.data[k] for k in ("features", "classes", "samples", "seed")})
    losses = []
    for epoch in range(cfg.train.epochs):
        total = 0.0
        for batch in torch.randperm(len(inputs)).split(cfg.train.batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(inputs))
        print(f"epoch {epoch + 1:2d}  loss {losses[-1]:.4f}")
    accuracy = (model(inputs).argmax(dim=1) == labels).float().mean().item()
    print(f"final loss {losses[-1]:.4f} (first {losses[0]:.4f}), accuracy {accuracy:.1%}")
    return losses


if __name__ == "__main__":
    train(load(Path(__file__).with_name("conf.yaml")))
