"""Wine classifier where "augmentation" was done by stacking each training row twice more (no noise
added, the author meant to add jitter and forgot). Standardised features, Adagrad, batch 24."""
# fault: data-duplicates
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(6)
wine = load_wine()
X = StandardScaler().fit_transform(wine.data)
jitter = 0.0  # TODO: 0.05
X_aug = np.concatenate([X, X + jitter * np.random.randn(*X.shape), X + jitter * np.random.randn(*X.shape)])
y_aug = np.concatenate([wine.target] * 3)
dataset = TensorDataset(torch.tensor(X_aug, dtype=torch.float32), torch.tensor(y_aug))
model = nn.Sequential(nn.Linear(13, 24), nn.Tanh(), nn.Linear(24, 3))
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.05)
for epoch in range(6):
    for xb, yb in DataLoader(dataset, batch_size=24, shuffle=True):
        loss = nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
