"""Classify points from three interleaved 2-D spirals with a ReLU MLP trained by Adam,
clipping the gradient norm to 0.5 every step as a safety measure (training is healthy)."""
# fault: none
# shows:

import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def make_spirals(n_per_class=300, n_classes=3, noise=0.15):
    xs, ys = [], []
    for c in range(n_classes):
        r = torch.linspace(0.05, 1.0, n_per_class)
        theta = torch.linspace(c * 2 * math.pi / n_classes, c * 2 * math.pi / n_classes + 3.5, n_per_class)
        theta = theta + noise * torch.randn(n_per_class)
        xs.append(torch.stack([r * torch.sin(theta), r * torch.cos(theta)], dim=1))
        ys.append(torch.full((n_per_class,), c, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


X, y = make_spirals()
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
split = int(0.8 * len(X))
train_loader = DataLoader(TensorDataset(X[:split], y[:split]), batch_size=32, shuffle=True)
X_val, y_val = X[split:], y[split:]

model = nn.Sequential(
    nn.Linear(2, 64),
    nn.ReLU(),
    nn.Linear(64, 64),
    nn.ReLU(),
    nn.Linear(64, 3),
)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(1, 26):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
        optimizer.step()
        total += loss.item()
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            acc = (model(X_val).argmax(dim=1) == y_val).float().mean().item()
        print(f"epoch {epoch}: loss {total / len(train_loader):.4f}, val acc {acc:.3f}")
