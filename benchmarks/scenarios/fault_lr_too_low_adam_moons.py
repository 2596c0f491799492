"""An MLP on two interleaved moons with Adam at lr=1e-6 (a typo for 1e-3)."""

# fault: lr-too-low
# shows: loss-plateau
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
n = 2000
t = torch.rand(n) * 3.14
a = torch.stack([torch.cos(t), torch.sin(t)], 1)
b = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], 1)
X = torch.cat([a, b]) + 0.1 * torch.randn(2 * n, 2)
y = torch.cat([torch.zeros(n), torch.ones(n)]).long()
model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-6)
for epoch in range(10):
    perm = torch.randperm(2 * n)
    for i in range(0, 2 * n, 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).float().mean()
    print(f"epoch {epoch} loss {loss.item():.4f} acc {acc:.3f}")
