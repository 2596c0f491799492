"""Iris classifier trained on a table that was appended to itself by a buggy merge: every flower
appears three times. The model is a small MLP, trained with a shuffled DataLoader."""
# fault: data-duplicates
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

iris = load_iris()
X = (iris.data - iris.data.mean(0)) / iris.data.std(0)
X = np.concatenate([X, X, X]).astype(np.float32)  # the merge appended the table twice
y = np.concatenate([iris.target] * 3)

loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=30, shuffle=True)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
criterion = nn.CrossEntropyLoss()

for epoch in range(20):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
