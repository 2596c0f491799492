"""A tiny, seeded training loop the test scripts share (imported from the script's own folder)."""

import torch
from torch import nn


def train(steps: int, on_step=None) -> float:
    """Train a 4-8-2 MLP with SGD for `steps` steps; call `on_step(step)` after each; the last loss."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs = torch.randn(32, 4)
    labels = (inputs[:, 0] > 0).long()
    loss = torch.zeros(())
    for step in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        if on_step is not None:
            on_step(step)
    return loss.item()
