"""Breast-cancer classifier on a table where a few measurements were missing in the export and came
through as NaN. The features are standardised with nanmean/nanstd, so the NaNs survive into training."""
# fault: data-nonfinite
# shows: loss-nonfinite

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer

torch.manual_seed(0)
rng = np.random.default_rng(0)

data = load_breast_cancer()
X = data.data.copy()
X[rng.random(X.shape) < 0.002] = np.nan  # about 0.2% of the cells are missing
X = (X - np.nanmean(X, axis=0)) / np.nanstd(X, axis=0)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(data.target, dtype=torch.float32)

model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(20):
    order = torch.randperm(len(X))
    for start in range(0, len(X), 32):
        index = order[start : start + 32]
        logits = model(X[index]).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logits, y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
