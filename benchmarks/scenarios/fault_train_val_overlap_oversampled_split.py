"""Breast-cancer classifier. The minority class was oversampled (rows repeated) to balance it, and
the train/validation split was made afterwards, so copies of the same patients land on both sides."""
# fault: train-val-overlap
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data).astype(np.float32)
y = data.target
minority = np.flatnonzero(y == 0)
extra = rng.choice(minority, size=(y == 1).sum() - minority.size, replace=True)
X, y = np.concatenate([X, X[extra]]), np.concatenate([y, y[extra]])  # balanced by repetition
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)

loader = DataLoader(
    TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), batch_size=32, shuffle=True
)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X_val), torch.from_numpy(y_val)), batch_size=128)
model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(15):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch:2d}  loss {loss.item():.3f}  val accuracy {correct / len(y_val):.3f}")
