"""Digits classifier where the training arrays were sorted by label (to make a per-class report
easier) and the DataLoader keeps that order: shuffle was left at its default, False."""
# fault: data-unshuffled
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_train, X_val, y_train, y_val = train_test_split(X, digits.target, test_size=0.2, random_state=0)
order = np.argsort(y_train, kind="stable")  # grouped by class for the per-class report
X_train, y_train = X_train[order], y_train[order]

train_loader = DataLoader(TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)), batch_size=32)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(6):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(X_val)).argmax(1).numpy() == y_val).mean()
    print(f"epoch {epoch}: last loss {loss.item():.3f}  val accuracy {accuracy:.3f}")
