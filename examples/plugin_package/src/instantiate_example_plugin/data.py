"""The dataset this plugin publishes as ``toy_dataset``: plain Python, so it imports no torch."""

from __future__ import annotations

import random


class ToyDataset:
    """``size`` points ``(features, target)`` whose target is the sum of the features.

    A map-style dataset (``len`` and indexing), so a ``torch.utils.data.DataLoader`` takes it.
    """

    def __init__(self, size: int = 64, features: int = 4, seed: int = 0) -> None:
        rng = random.Random(seed)
        self.points = [[rng.uniform(-1, 1) for _ in range(features)] for _ in range(size)]

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> tuple[list[float], float]:
        point = self.points[index]
        return point, sum(point)
