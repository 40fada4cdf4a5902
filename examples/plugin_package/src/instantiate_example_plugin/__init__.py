"""An example instantiate plugin: ``tiny_mlp`` (a torch model) and ``toy_dataset`` (plain Python).

This file imports nothing on purpose: using ``toy_dataset`` must not import torch.
"""
