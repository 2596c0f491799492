"""Digits CNN with batch-norm and SGD+momentum. After each epoch a save_if_best() helper evaluates on
the validation split (calling model.eval()) and saves a checkpoint; model.train() is called once,
before the loop, so every epoch after the first trains in eval mode."""

# fault: eval-mode-training
# shows:
import io

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
y = torch.tensor(digits.target)
train_loader = DataLoader(TensorDataset(X[:1400], y[:1400]), batch_size=32, shuffle=True)
X_val, y_val = X[1400:], y[1400:]

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 16, 10),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
best = 0.0


def save_if_best(model):
    global best
    model.eval()
    with torch.no_grad():
        acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    if acc > best:
        best = acc
        torch.save(model.state_dict(), io.BytesIO())
    return acc


model.train()
for epoch in range(5):
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}  val acc {save_if_best(model):.3f}")
