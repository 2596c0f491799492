"""Regression of a terrain-height surface over 4 coordinates (sums of sines and products, the kind
of wiggly response a surrogate model has to fit), with 6000 noisy samples; inputs and target are
standardised. The model is 4 -> 2 -> 1 with a ReLU: a hidden layer of only 2 units, left over from
a debugging session on a toy problem.

Bug: two ReLU units can represent at most a couple of folded planes, nowhere near enough for this
surface. Training with Adam at 3e-3, batch 64, for 30 epochs is otherwise perfectly sane, yet both
the training and validation MSE stall at ~0.8 of the target variance after about 6 epochs and stay
there (train and validation agree, so it is not overfitting); a 4 -> 64 -> 64 -> 1 network with the
same optimizer reaches ~0.04."""
# fault: capacity-too-small
# shows: loss-plateau

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

n = 7500
X = rng.uniform(-3, 3, size=(n, 4))
y = (
    np.sin(2 * X[:, 0])
    + np.cos(1.5 * X[:, 1]) * np.sin(X[:, 2])
    + 0.5 * np.sin(3 * X[:, 3])
    + 0.3 * X[:, 0] * X[:, 3] / 3
    + rng.normal(scale=0.1, size=n)
)
X = (X - X[:6000].mean(0)) / X[:6000].std(0)
y = (y - y[:6000].mean()) / y[:6000].std()
X_t = torch.tensor(X, dtype=torch.float32)
y_t = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
train_loader = DataLoader(TensorDataset(X_t[:6000], y_t[:6000]), batch_size=64, shuffle=True)
val_X, val_y = X_t[6000:], y_t[6000:]


class SurfaceNet(nn.Module):
    def __init__(self, hidden=2):
        super().__init__()
        self.fc1 = nn.Linear(4, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = SurfaceNet(hidden=2)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()

for epoch in range(1, 31):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    model.eval()
    with torch.no_grad():
        val_mse = criterion(model(val_X), val_y).item()
    print(f"epoch {epoch:2d}  train MSE {running / 6000:.4f}  val MSE {val_mse:.4f}")
