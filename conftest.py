"""Root pytest configuration: one torch thread (the test networks are tiny; more threads only contend)."""

import torch

torch.set_num_threads(1)
