"""Small torch building blocks shared by the learned reward models."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["get_device", "mlp"]


def mlp(input_dim: int, output_dim: int, net_arch: Sequence[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """A multi-layer perceptron ``input_dim -> net_arch... -> output_dim`` with ``activation`` between layers.

    Example:
        >>> net = mlp(3, 2, [8, 8])
        >>> tuple(net(torch.zeros(5, 3)).shape)
        (5, 2)
    """
    layers: list[nn.Module] = []
    last = input_dim
    for width in net_arch:
        layers += [nn.Linear(last, int(width)), activation()]
        last = int(width)
    layers.append(nn.Linear(last, output_dim))
    return nn.Sequential(*layers)


def get_device(device: torch.device | str = "auto") -> torch.device:
    """``"auto"`` picks CUDA when available, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)
