"""Digits CNN where the validation loader is built from a random 20% of the *whole* data set, while the
training set is also the whole data set minus nothing (the author meant to use the complement)."""
# fault: train-val-overlap
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, Subset, TensorDataset

torch.manual_seed(9)
digits = load_digits()
full = TensorDataset(
    torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1), torch.tensor(digits.target)
)
val_indices = torch.randperm(len(full))[: len(full) // 5].tolist()
train_set = full  # should have been the complement of val_indices
val_set = Subset(full, val_indices)

model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 36, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(3):
    model.train()
    for xb, yb in DataLoader(train_set, batch_size=64, shuffle=True):
        loss = nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in DataLoader(val_set, batch_size=100):
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(epoch, correct / len(val_set))
