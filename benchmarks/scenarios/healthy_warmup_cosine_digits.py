"""MLP on the flattened scikit-learn digits, trained with AdamW and a per-step LambdaLR
schedule: linear warm-up for the first 10% of steps, then cosine decay to zero."""
# fault: none
# shows:

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)

data = load_digits()
X = torch.tensor(data.data / 16.0, dtype=torch.float32)
y = torch.tensor(data.target, dtype=torch.long)
idx = torch.randperm(len(X))
train_idx, test_idx = idx[:1400], idx[1400:]
loader = DataLoader(TensorDataset(X[train_idx], y[train_idx]), batch_size=64, shuffle=True, drop_last=True)


class MLP(nn.Module):
    def __init__(self, d_in=64, hidden=128, n_out=10):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        x = F.gelu(self.fc1(x))
        x = F.gelu(self.fc2(x))
        return self.head(x)


model = MLP()
epochs = 20
total_steps = epochs * len(loader)
warmup_steps = int(0.1 * total_steps)


def lr_lambda(step):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

for epoch in range(epochs):
    model.train()
    losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        acc = (model(X[test_idx]).argmax(1) == y[test_idx]).float().mean().item()
    print(
        f"epoch {epoch + 1:02d} lr {scheduler.get_last_lr()[0]:.2e} loss {np.mean(losses):.4f} test acc {acc:.3f}"
    )
