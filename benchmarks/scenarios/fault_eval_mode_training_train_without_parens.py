"""Breast-cancer classifier on the raw scikit-learn features. Instead of standardising the data
beforehand, the model starts with a BatchNorm1d layer that normalises the inputs, followed by a
small MLP with dropout. An evaluate() helper switches to model.eval(); it is called once before
training to log the untrained baseline and after every epoch. To go back to training mode the loop
writes `model.train` without the parentheses, which does nothing: the whole run trains in eval
mode, so the input BatchNorm uses its initial running statistics (mean 0, variance 1) instead of
normalising, and the raw features (some in the thousands) go straight into the network. The loss
blows up in the first few steps and then sits flat while the model predicts the majority class."""
# fault: eval-mode-training
# shows: loss-plateau

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = load_breast_cancer(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
X_train = torch.tensor(X_train, dtype=torch.float32)
X_val = torch.tensor(X_val, dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.float32)
y_val = torch.tensor(y_val, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

model = nn.Sequential(
    nn.BatchNorm1d(30),  # normalises the raw features
    nn.Linear(30, 64),
    nn.ReLU(),
    nn.Dropout(0.3),
    nn.Linear(64, 32),
    nn.ReLU(),
    nn.Dropout(0.3),
    nn.Linear(32, 1),
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(X_val).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logits, y_val).item()
        acc = ((logits > 0).float() == y_val).float().mean().item()
    return loss, acc


val_loss, val_acc = evaluate()
print(f"untrained  val loss {val_loss:.4f}  val acc {val_acc:.3f}")

for epoch in range(20):
    model.train  # noqa: B018
    total, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        n += len(yb)
    val_loss, val_acc = evaluate()
    print(f"epoch {epoch + 1:2d}  train loss {total / n:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")
