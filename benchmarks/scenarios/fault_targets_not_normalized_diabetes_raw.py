"""Predict disease progression (diabetes data set, targets 25 to 346) with an MLP and MSE. The inputs
are already scaled by scikit-learn, but the targets are used as they are."""
# fault: targets-not-normalized
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = load_diabetes(return_X_y=True)
X = (X - X.mean(0)) / X.std(0)
X_train, X_val, y_train, y_val = train_test_split(X.astype(np.float32), y.astype(np.float32), random_state=0)
loader = DataLoader(
    TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), batch_size=32, shuffle=True
)


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


model = Regressor()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

for epoch in range(30):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(torch.from_numpy(X_val)), torch.from_numpy(y_val)).item()
    print(f"epoch {epoch:2d}  train mse {loss.item():9.1f}  val mse {val:9.1f}")
