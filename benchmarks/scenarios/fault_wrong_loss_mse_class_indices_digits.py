"""Digits classifier written as a regression: the MLP has one output and is trained with nn.MSELoss
against the digit label as a float ("predict the digit"), SGD with momentum. The labels are classes,
not quantities: the model hedges between neighbouring digits and accuracy stays poor."""
# fault: wrong-loss
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
loader = DataLoader(TensorDataset(X[:1500], y[:1500]), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(10):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        pred = model(X[1500:]).round().clamp(0, 9)
        acc = (pred == y[1500:]).float().mean().item()
    print(f"epoch {epoch + 1}: mse {loss.item():.3f}  val acc {acc:.3f}")
