"""Wine cultivars from a merged spreadsheet where a third of the rows got their cultivar column from
the wrong sheet (effectively a random other cultivar). Standardised features, small MLP with dropout,
SGD with Nesterov momentum."""
# fault: labels-noisy
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)
wine = load_wine()
X = StandardScaler().fit_transform(wine.data).astype(np.float32)
y = wine.target.copy()
bad = rng.random(len(y)) < 0.33
y[bad] = (y[bad] + rng.integers(1, 3, bad.sum())) % 3

model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=16, shuffle=True)
for epoch in range(30):
    model.train()
    for xb, yb in loader:
        loss = nn.CrossEntropyLoss()(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
