"""GRU forecasting the next value of noisy sine waves from the previous 20 (SmoothL1Loss, RMSprop).
The target is sliced as y[:, -1] with shape (N,) while the head returns (N, 1): the loss broadcasts
them to (N, N) and the GRU only learns the batch mean."""
# fault: loss-shape-mismatch
# shows: loss-plateau

import math

import torch
import torch.nn as nn

torch.manual_seed(0)

n_series, length = 512, 21
freq = 0.5 + torch.rand(n_series, 1)
phase = 2 * math.pi * torch.rand(n_series, 1)
t = torch.arange(length).float()
waves = torch.sin(freq * t + phase) + 0.05 * torch.randn(n_series, length)
inputs, targets = waves[:, :-1].unsqueeze(-1), waves[:, 1:]


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


model = Forecaster()
criterion = nn.SmoothL1Loss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=3e-3)

for epoch in range(12):
    perm = torch.randperm(n_series)
    for start in range(0, n_series, 32):
        idx = perm[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(inputs[idx]), targets[idx][:, -1])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
