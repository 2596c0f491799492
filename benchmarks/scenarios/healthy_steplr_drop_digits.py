"""Digits MLP trained with SGD + momentum and a StepLR schedule (x0.1 every 8 epochs);
the first LR drop produces a visible step down in the training loss."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32) / 16.0
y = torch.tensor(digits.target, dtype=torch.long)
perm = torch.randperm(len(y))
X, y = X[perm], y[perm]
train_ds = TensorDataset(X[:1500], y[:1500])
val_ds = TensorDataset(X[1500:], y[1500:])
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=128)

model = nn.Sequential(
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Linear(128, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=8, gamma=0.1)


def evaluate():
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            total += len(yb)
    model.train()
    return correct / total


for epoch in range(16):
    model.train()
    total_loss = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    print(
        f"epoch {epoch + 1:2d}  lr {scheduler.get_last_lr()[0]:.3f}  "
        f"loss {total_loss / len(train_loader):.4f}  val acc {evaluate():.3f}"
    )
    scheduler.step()
