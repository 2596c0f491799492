"""Breast-cancer diagnosis with a deliberately roomy MLP, kept in check by AdamW weight decay,
dropout and early stopping: the validation loss is measured after every epoch, the best weights are
kept in memory, training stops after 15 epochs without improvement, and the best model is restored
and scored once on a held-out test split."""
# fault: none
# shows:

import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_breast_cancer(return_X_y=True)
X_trval, X_test, y_trval, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
X_train, X_val, y_train, y_val = train_test_split(
    X_trval, y_trval, test_size=0.2, random_state=0, stratify=y_trval
)
scaler = StandardScaler().fit(X_train)


def to_tensors(features, labels):
    return (
        torch.tensor(scaler.transform(features), dtype=torch.float32),
        torch.tensor(labels, dtype=torch.float32).unsqueeze(1),
    )


X_train, y_train = to_tensors(X_train, y_train)
X_val, y_val = to_tensors(X_val, y_val)
X_test, y_test = to_tensors(X_test, y_test)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

model = nn.Sequential(
    nn.Linear(30, 128),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(128, 128),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(128, 1),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=5e-2)
criterion = nn.BCEWithLogitsLoss()

best_val, best_state, best_epoch = float("inf"), None, 0
patience, bad_epochs = 15, 0

for epoch in range(1, 201):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)

    model.eval()
    with torch.no_grad():
        val_logits = model(X_val)
        val_loss = criterion(val_logits, y_val).item()
        val_acc = ((val_logits > 0).float() == y_val).float().mean().item()
    if epoch == 1 or epoch % 5 == 0:
        print(
            f"epoch {epoch:3d}  train loss {total / len(X_train):.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
        )

    if val_loss < best_val - 1e-4:
        best_val, best_epoch, bad_epochs = val_loss, epoch, 0
        best_state = copy.deepcopy(model.state_dict())
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stopping at epoch {epoch}; best val loss {best_val:.4f} at epoch {best_epoch}")
            break

model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    test_logits = model(X_test)
    test_loss = criterion(test_logits, y_test).item()
    test_acc = ((test_logits > 0).float() == y_test).float().mean().item()
print(f"restored epoch {best_epoch}: test loss {test_loss:.4f}  test acc {test_acc:.3f}")
