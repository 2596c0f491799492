"""Classify the wine data set (3 cultivars) with a small MLP. The labels come from a CSV export where
the cultivars are numbered 1, 2, 3, and the network has 3 outputs: cross-entropy raises
"Target 3 is out of bounds" in the first epoch."""
# fault: labels-out-of-range
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

wine = load_wine()
X = StandardScaler().fit_transform(wine.data).astype(np.float32)
y = wine.target + 1  # cultivar numbers as in the original UCI file: 1, 2, 3
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

loader = DataLoader(
    TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train).long()), batch_size=16, shuffle=True
)
model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(30):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(X_test)).argmax(1).numpy() == y_test).mean()
    print(f"epoch {epoch}: loss {loss.item():.3f}, test accuracy {accuracy:.3f}")
