"""Iris measurements: predict petal length and petal width (standardised, two continuous targets)
from the sepal measurements. The training loop was copied from the species classifier and still uses
nn.CrossEntropyLoss, now on the two continuous targets. MLP, Adam, DataLoader."""
# fault: wrong-loss
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

data = load_iris().data
X = torch.tensor(data[:, :2], dtype=torch.float32)
Y = torch.tensor(data[:, 2:], dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
Y = (Y - Y.mean(0)) / Y.std(0)
loader = DataLoader(TensorDataset(X, Y), batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(40):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        with torch.no_grad():
            mse = ((model(X) - Y) ** 2).mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}  mse {mse:.4f}")
