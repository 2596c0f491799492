"""1-D CNN estimating the peak height of a noisy bump in a 64-sample signal, nn.L1Loss, SGD with
Nesterov momentum. The heights are stored as a flat tensor of shape (N,) while the model returns
(N, 1), so L1Loss compares every prediction of a batch with every height."""
# fault: loss-shape-mismatch
# shows: loss-plateau

import torch
import torch.nn as nn

torch.manual_seed(0)

n, length = 1024, 64
grid = torch.linspace(-1, 1, length)
heights = 0.5 + 2.0 * torch.rand(n)
centers = 0.6 * (torch.rand(n, 1) - 0.5)
signals = heights.unsqueeze(1) * torch.exp(-((grid - centers) ** 2) / 0.02) + 0.1 * torch.randn(n, length)
signals = signals.unsqueeze(1)

model = nn.Sequential(
    nn.Conv1d(1, 8, 5, padding=2),
    nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Conv1d(8, 16, 5, padding=2),
    nn.ReLU(),
    nn.AdaptiveMaxPool1d(1),
    nn.Flatten(),
    nn.Linear(16, 1),
)
criterion = nn.L1Loss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)

for epoch in range(10):
    perm = torch.randperm(n)
    for start in range(0, n, 32):
        idx = perm[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(signals[idx]), heights[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: l1 {loss.item():.4f}")
