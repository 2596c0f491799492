"""Digits classifier trained on labels from a rushed annotation job: about a quarter of the training
labels were typed wrong (any other digit). Pixels are scaled to [0, 1]; the model is a small MLP."""
# fault: labels-noisy
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, digits.target, test_size=0.2, random_state=0)
wrong = rng.random(len(y_train)) < 0.25
y_train = y_train.copy()
y_train[wrong] = (y_train[wrong] + rng.integers(1, 10, wrong.sum())) % 10

loader = DataLoader(
    TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), batch_size=32, shuffle=True
)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
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
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(X_test)).argmax(1).numpy() == y_test).mean()
    print(f"epoch {epoch:2d}  loss {loss.item():.3f}  clean test accuracy {accuracy:.3f}")
