"""Diabetes regression (standardised inputs and targets, MLP, Adam, DataLoader). The targets are a
1-D tensor of shape (N,) while the model outputs (N, 1); nn.MSELoss broadcasts them to (N, N) with
only a warning, so every prediction is scored against every target in the batch."""
# fault: loss-shape-mismatch
# shows: loss-plateau

import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = load_diabetes(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)  # shape (N,)
loader = DataLoader(TensorDataset(X[:350], y[:350]), batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(30):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            val = criterion(model(X[350:]).squeeze(1), y[350:]).item()
        print(f"epoch {epoch + 1}: train {loss.item():.4f}  val mse {val:.4f}")
