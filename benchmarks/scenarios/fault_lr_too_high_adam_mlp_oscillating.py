"""Fit a noisy 1-D curve (y = sin(3x) + 0.3x^2 + noise) with a tanh MLP and nn.MSELoss, using
Adam with lr=0.3 instead of something like 1e-3: the loss never settles, it keeps jumping up
and down far above the noise floor reached with a sensible learning rate."""
# fault: lr-too-high
# shows: loss-oscillating

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

x = torch.rand(2000, 1) * 4 - 2
y = torch.sin(3 * x) + 0.3 * x**2 + 0.1 * torch.randn_like(x)
loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)


class CurveNet(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.head = nn.Linear(hidden, 1)

    def forward(self, inputs):
        return self.head(self.body(inputs))


net = CurveNet()
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.3)

for epoch in range(20):
    losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    if epoch % 2 == 1:
        print(
            f"epoch {epoch + 1:2d}: mse {sum(losses) / len(losses):.4f} (min {min(losses):.4f}, max {max(losses):.4f})"
        )
