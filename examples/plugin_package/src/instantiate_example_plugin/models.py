"""The model this plugin publishes as ``tiny_mlp``."""

from __future__ import annotations

import torch
from torch import nn


class TinyMLP(nn.Module):
    """Linear -> ReLU -> Linear: ``_target_: tiny_mlp`` with ``in_features``, ``hidden``, ``out_features``."""

    def __init__(self, in_features: int = 4, hidden: int = 16, out_features: int = 1) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features)
        )

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.layers(inputs)  # type: ignore[no-any-return]
