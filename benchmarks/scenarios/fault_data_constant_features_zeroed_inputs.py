"""Breast-cancer classifier where a preprocessing step meant to clip outliers used the wrong bounds
(np.clip(X, 0, 0)), so every input feature the network sees is 0. The loss never leaves ln 2."""
# fault: data-constant-features
# shows: loss-plateau

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

data = load_breast_cancer()
X = (data.data - data.data.mean(0)) / data.data.std(0)
low, high = np.percentile(X, 0), np.percentile(X, 0)  # meant: 1 and 99
X = np.clip(X, low, high) * 0  # the "outlier clipping" leaves nothing
loader = DataLoader(
    TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(data.target, dtype=torch.float32)),
    batch_size=32,
    shuffle=True,
)
model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.BCEWithLogitsLoss()

for epoch in range(10):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
